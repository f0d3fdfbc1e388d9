package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// --- automatic statistics (thống kê tự động) ---

type indicatorJSON struct {
	ID          string   `json:"id"`
	Version     int      `json:"version"`
	Name        nameJSON `json:"name"`
	Description string   `json:"description"`
	Counts      string   `json:"counts"`
}

func toIndicatorJSON(in workflow.Indicator) indicatorJSON {
	return indicatorJSON{ID: string(in.ID), Version: in.Version, Name: nameJSON{in.NameVI, in.NameEN}, Description: in.DescriptionVI, Counts: string(in.Counts)}
}

type statRowJSON struct {
	Indicator string       `json:"indicator"`
	Unit      *unitRefJSON `json:"unit"`
	Class     *string      `json:"class"`
	Chapter   *string      `json:"chapter"`
	Value     int64        `json:"value"`
	Cases     string       `json:"cases"`
}

type statReportJSON struct {
	UnitID          int64            `json:"unit_id"`
	IncludeSubunits bool             `json:"include_subunits"`
	From            string           `json:"from"`
	To              string           `json:"to"`
	At              string           `json:"at"`
	By              []string         `json:"by"`
	Indicators      []indicatorJSON  `json:"indicators"`
	Rows            []statRowJSON    `json:"rows"`
	Totals          map[string]int64 `json:"totals"`
}

// statRequest reads unit_id, include_subunits, the period, indicator and by.
func (s *Server) statRequest(c *gin.Context) (service.StatRequest, error) {
	var r service.StatRequest
	unitID, err := queryInt64(c, "unit_id")
	if err != nil {
		return r, err
	}
	if unitID != nil {
		r.UnitID = *unitID
	}
	if r.IncludeSubunits, err = queryBool(c, "include_subunits", true); err != nil {
		return r, err
	}
	if r.From, r.To, err = caseloadPeriod(c, s.Now()); err != nil {
		return r, err
	}
	r.Indicators, r.By = queryList(c, "indicator"), queryList(c, "by")
	return r, nil
}

// statCasesLink is the drill-down of a row: the cases behind its value.
func statCasesLink(f domain.StatFilter, row service.StatRow) string {
	q := url.Values{}
	q.Set("indicator", row.Indicator)
	q.Set("unit_id", strconv.FormatInt(f.UnitID, 10))
	q.Set("include_subunits", strconv.FormatBool(f.IncludeSubunits))
	q.Set("from", f.From.In(service.VietnamTime).Format(time.DateOnly))
	q.Set("to", f.To.AddDate(0, 0, -1).In(service.VietnamTime).Format(time.DateOnly))
	if row.UnitID != nil {
		q.Set("cell_unit_id", strconv.FormatInt(*row.UnitID, 10))
	}
	if row.Class != nil {
		q.Set("class", *row.Class)
	}
	if row.Chapter != nil {
		q.Set("chapter", *row.Chapter)
	}
	return "/api/v1/statistics/cases?" + q.Encode()
}

func toStatReportJSON(rep service.StatReport) statReportJSON {
	f := rep.Filter
	out := statReportJSON{UnitID: f.UnitID, IncludeSubunits: f.IncludeSubunits, From: f.From.In(service.VietnamTime).Format(time.DateOnly),
		To: f.To.AddDate(0, 0, -1).In(service.VietnamTime).Format(time.DateOnly), At: ictInstant(rep.At), By: rep.By,
		Indicators: []indicatorJSON{}, Rows: []statRowJSON{}, Totals: rep.Totals}
	if out.By == nil {
		out.By = []string{}
	}
	for _, in := range rep.Definitions {
		out.Indicators = append(out.Indicators, toIndicatorJSON(in))
	}
	for _, r := range rep.Rows {
		row := statRowJSON{Indicator: r.Indicator, Class: r.Class, Chapter: r.Chapter, Value: r.Value, Cases: statCasesLink(f, r)}
		if r.UnitID != nil {
			row.Unit = &unitRefJSON{ID: *r.UnitID, Code: rep.Units[*r.UnitID].Code}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// getStatistics answers GET /statistics.
func (s *Server) getStatistics(c *gin.Context) {
	r, err := s.statRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.Statistics.Report(c.Request.Context(), principal(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toStatReportJSON(rep))
}

// listIndicators answers GET /statistics/indicators: every definition.
func (s *Server) listIndicators(c *gin.Context) {
	items := make([]indicatorJSON, len(workflow.Indicators))
	for i, in := range workflow.Indicators {
		items[i] = toIndicatorJSON(in)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

type statCaseJSON struct {
	ID     string      `json:"id"`
	Code   string      `json:"code"`
	Number string      `json:"number"`
	Unit   unitRefJSON `json:"unit"`
	Stage  string      `json:"stage"`
}

// getStatisticCases answers GET /statistics/cases: the cases behind a figure.
func (s *Server) getStatisticCases(c *gin.Context) {
	r, err := s.statRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var cell domain.StatCellFilter
	if cell.UnitID, err = queryInt64(c, "cell_unit_id"); err != nil {
		s.fail(c, err)
		return
	}
	if _, ok := c.GetQuery("class"); ok {
		v := c.Query("class")
		cell.Class = &v
	}
	if _, ok := c.GetQuery("chapter"); ok {
		v := c.Query("chapter")
		cell.Chapter = &v
	}
	if cell.Limit, err = queryInt(c, "limit", domain.DefaultPageSize); err != nil {
		s.fail(c, err)
		return
	}
	if cell.Offset, err = queryInt(c, "offset", 0); err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Statistics.Cases(c.Request.Context(), principal(c), r, cell)
	writeList(s, c, items, total, err, func(x domain.StatCase) any {
		return statCaseJSON{ID: x.ID, Code: x.Code, Number: x.Number, Unit: unitRefJSON{ID: x.UnitID, Code: x.UnitCode}, Stage: string(x.Stage)}
	})
}

// statTable is a report as a table with Vietnamese headers, for CSV and XLSX.
func statTable(rep service.StatReport) [][]string {
	names := map[string]string{}
	for _, in := range rep.Definitions {
		names[string(in.ID)] = in.NameVI
	}
	rows := [][]string{{"Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", "Mức độ tội phạm", "Chương BLHS", "Số lượng"}}
	for _, r := range rep.Rows {
		unit, class, chapter := "Tất cả", "Tất cả", "Tất cả"
		if r.UnitID != nil {
			unit = rep.Units[*r.UnitID].Code
		}
		if r.Class != nil {
			class = domain.SeverityClass(*r.Class).NameVI()
			if *r.Class == "" {
				class = "Chưa xác định"
			}
		}
		if r.Chapter != nil {
			chapter = *r.Chapter
			if chapter == "" {
				chapter = "Chưa xác định"
			}
		}
		rows = append(rows, []string{r.Indicator, names[r.Indicator], unit, class, chapter, strconv.FormatInt(r.Value, 10)})
	}
	return rows
}

// exportStatistics answers GET /statistics/export?format=csv|xlsx: the report as a file with
// Vietnamese headers (CSV in UTF-8 with a byte-order mark, which Excel needs to read diacritics).
func (s *Server) exportStatistics(c *gin.Context) {
	format := c.DefaultQuery("format", "xlsx")
	if format != "csv" && format != "xlsx" {
		s.fail(c, domain.Invalid("format", "enum", "format phải là csv hoặc xlsx"))
		return
	}
	r, err := s.statRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.Statistics.Report(c.Request.Context(), principal(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	table := statTable(rep)
	name := fmt.Sprintf("thong-ke-%d-%s-%s", rep.Filter.UnitID, rep.Filter.From.In(service.VietnamTime).Format("20060102"),
		rep.Filter.To.AddDate(0, 0, -1).In(service.VietnamTime).Format("20060102"))
	var buf bytes.Buffer
	if format == "csv" {
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(table); err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", attachment(name+".csv"))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		return
	}
	if err := writeStatXLSX(&buf, rep, table); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", attachment(name+".xlsx"))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// writeStatXLSX writes the report's table on a sheet "Thống kê" and the definitions used on a
// sheet "Định nghĩa", so a figure always travels with what it means.
func writeStatXLSX(buf *bytes.Buffer, rep service.StatReport, table [][]string) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet, defs = "Thống kê", "Định nghĩa"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, row := range table {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			var val any = v
			if i > 0 && j == len(row)-1 {
				n, _ := strconv.ParseInt(v, 10, 64)
				val = n
			}
			if err := x.SetCellValue(sheet, cell, val); err != nil {
				return err
			}
		}
	}
	if err := x.SetRowStyle(sheet, 1, 1, bold); err != nil {
		return err
	}
	_ = x.SetColWidth(sheet, "B", "B", 48)
	if _, err := x.NewSheet(defs); err != nil {
		return err
	}
	head := []string{"Mã chỉ tiêu", "Phiên bản", "Tên chỉ tiêu", "Mô tả"}
	for j, h := range head {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		_ = x.SetCellValue(defs, cell, h)
	}
	_ = x.SetRowStyle(defs, 1, 1, bold)
	for i, in := range rep.Definitions {
		for j, v := range []any{string(in.ID), in.Version, in.NameVI, in.DescriptionVI} {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := x.SetCellValue(defs, cell, v); err != nil {
				return err
			}
		}
	}
	period := fmt.Sprintf("Kỳ: %s – %s; đơn vị %d%s; lập lúc %s", rep.Filter.From.In(service.VietnamTime).Format("02/01/2006"),
		rep.Filter.To.AddDate(0, 0, -1).In(service.VietnamTime).Format("02/01/2006"), rep.Filter.UnitID,
		map[bool]string{true: " và cấp dưới", false: ""}[rep.Filter.IncludeSubunits], rep.At.In(service.VietnamTime).Format("15:04 02/01/2006"))
	_ = x.SetCellValue(defs, "F1", strings.TrimSpace(period))
	return x.Write(buf)
}
