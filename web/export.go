package web

import (
	"bytes"
	"strings"

	"github.com/xuri/excelize/v2"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// casesXLSX writes cases as one sheet: a header row, then one row per case, dates as dd/mm/yyyy.
func casesXLSX(items []domain.Case, unitNames map[int64]string, lang Lang) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	sheet := tr(lang, "export.sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	header := []any{tr(lang, "cases.number"), tr(lang, "cases.code"), tr(lang, "cases.kind"), tr(lang, "cases.stage"), tr(lang, "cases.unit"),
		tr(lang, "cases.received"), tr(lang, "cases.lead"), tr(lang, "cases.summary")}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	for i, cs := range items {
		stage := workflow.StageNames[cs.Stage].VI
		if lang == LangEN {
			stage = workflow.StageNames[cs.Stage].EN
		}
		lead := ""
		for _, a := range cs.Team {
			if a.EndedAt == nil && a.Role == domain.AssignLead {
				lead = a.UserName
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{cs.Number, cs.Code, tr(lang, "kind."+string(cs.Kind)), upperFirst(stage), unitNames[cs.UnitID], formatDateTime(cs.ReceivedAt), lead,
			strings.TrimSpace(cs.Summary)}
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
