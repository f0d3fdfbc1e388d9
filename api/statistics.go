package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

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
	name := service.StatExportName(rep)
	if format == "csv" {
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(service.StatTable(rep)); err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", attachment(name+".csv"))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		return
	}
	body, err := service.StatisticsXLSX(rep)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", attachment(name+".xlsx"))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}
