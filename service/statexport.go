package service

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"kiemsat/domain"
)

// The export of a statistical report as a file: one table with Vietnamese headers, written as CSV
// by the API and as XLSX by the API and the web UI alike, so both give the same figures.

// StatTable is a report as a table with Vietnamese headers: a header row, then one row per report
// row (indicator code and name, unit, severity class, Penal Code chapter, value).
func StatTable(rep StatReport) [][]string {
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

// StatExportName is the file name of a report's export, without its extension:
// thong-ke-{unit}-{first day}-{last day}.
func StatExportName(rep StatReport) string {
	return fmt.Sprintf("thong-ke-%d-%s-%s", rep.Filter.UnitID, rep.Filter.From.In(VietnamTime).Format("20060102"),
		rep.Filter.To.AddDate(0, 0, -1).In(VietnamTime).Format("20060102"))
}

// StatisticsXLSX writes the report's table (StatTable) on a sheet "Thống kê", values as numbers,
// and the definitions used on a sheet "Định nghĩa" with the period, unit and time of the report,
// so a figure always travels with what it means.
func StatisticsXLSX(rep StatReport) ([]byte, error) {
	table := StatTable(rep)
	x := excelize.NewFile()
	defer x.Close()
	const sheet, defs = "Thống kê", "Định nghĩa"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
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
				return nil, err
			}
		}
	}
	if err := x.SetRowStyle(sheet, 1, 1, bold); err != nil {
		return nil, err
	}
	_ = x.SetColWidth(sheet, "B", "B", 48)
	if _, err := x.NewSheet(defs); err != nil {
		return nil, err
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
				return nil, err
			}
		}
	}
	period := fmt.Sprintf("Kỳ: %s – %s; đơn vị %d%s; lập lúc %s", rep.Filter.From.In(VietnamTime).Format("02/01/2006"),
		rep.Filter.To.AddDate(0, 0, -1).In(VietnamTime).Format("02/01/2006"), rep.Filter.UnitID,
		map[bool]string{true: " và cấp dưới", false: ""}[rep.Filter.IncludeSubunits], rep.At.In(VietnamTime).Format("15:04 02/01/2006"))
	_ = x.SetCellValue(defs, "F1", strings.TrimSpace(period))
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
