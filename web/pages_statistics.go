package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// The automatic statistics (thống kê tự động): the same use cases as GET /api/v1/statistics,
// /statistics/cases and /statistics/export, with the same parameters (period, unit_id,
// include_subunits, by, indicator, cell_unit_id, class, chapter).

// statColumn is a column of the report table: one value of the breakdown.
type statColumn struct {
	// Param and Key are the drill-down's parameter and value for this column.
	Param, Key   string
	Label, Title string
}

// statCell is a figure and the list of the cases behind it ("" when there are none).
type statCell struct {
	Value int64
	Link  string
}

// statLine is an indicator's row: a figure per column and its total.
type statLine struct {
	Indicator workflow.Indicator
	Cells     []statCell
	Total     statCell
}

type periodOption struct{ Value, Label string }

type periodGroup struct {
	Label   string
	Options []periodOption
}

type statData struct {
	Periods []periodGroup
	Units   []domain.Unit
	Bys     []string
	Report  service.StatReport
	Columns []statColumn
	Lines   []statLine
	// Base is the query of the report shown (period, unit, subtree, breakdown), which the export
	// and the drill-downs start from.
	Base     url.Values
	From, To string
	Computed bool
	// The drill-down: the cases behind one figure.
	Drill     bool
	Indicator workflow.Indicator
	CellNotes []string
	Cases     []domain.StatCase
	Pager     pager
}

// ExportLink is the XLSX of the report shown.
func (d statData) ExportLink() string { return "/statistics/export?" + d.Base.Encode() }

// BackLink is the report a drill-down came from.
func (d statData) BackLink() string { return "/statistics?" + d.Base.Encode() }

// statQuery reads a report's request from the query string; bad values are collected by field
// (as message keys) and replaced by the defaults: this year, the caller's unit and its subtree,
// no breakdown.
func (s *Server) statQuery(q url.Values, errs map[string]string) (service.StatRequest, url.Values) {
	now := s.Now().In(domain.ICT)
	period := q.Get("period")
	if period == "" {
		period = strconv.Itoa(now.Year())
	}
	from, to, ok := periodOf(period)
	if !ok {
		errs["period"] = "filter.bad_period"
		period = strconv.Itoa(now.Year())
		from, to, _ = periodOf(period)
	}
	r := service.StatRequest{From: from, To: to}
	unit, sub := unitQuery(q, errs)
	if unit != nil {
		r.UnitID = *unit
	}
	r.IncludeSubunits = sub
	by := q.Get("by")
	if by != "" && !slices.Contains(service.StatBreakdowns, by) {
		errs["by"] = "filter.bad_by"
		by = ""
	}
	if by != "" {
		r.By = []string{by}
	}
	base := url.Values{"period": {period}}
	if unit != nil {
		base.Set("unit_id", formatInt(*unit))
	}
	if !sub {
		base.Set("include_subunits", "false")
	}
	if by != "" {
		base.Set("by", by)
	}
	return r, base
}

// periodOptions are the periods offered: this year and the four before, each as the year, its
// quarters and its months.
func periodOptions(year int, lang Lang) []periodGroup {
	roman := []string{"I", "II", "III", "IV"}
	var out []periodGroup
	for y := year; y > year-5; y-- {
		g := periodGroup{Label: strconv.Itoa(y)}
		g.Options = append(g.Options, periodOption{strconv.Itoa(y), fmt.Sprintf(tr(lang, "stat.year"), y)})
		for q := 1; q <= 4; q++ {
			g.Options = append(g.Options, periodOption{fmt.Sprintf("%d-Q%d", y, q), fmt.Sprintf(tr(lang, "stat.quarter"), roman[q-1], y, q)})
		}
		for m := 1; m <= 12; m++ {
			mm := fmt.Sprintf("%02d", m)
			g.Options = append(g.Options, periodOption{fmt.Sprintf("%d-%s", y, mm), fmt.Sprintf(tr(lang, "stat.month"), mm, y)})
		}
		out = append(out, g)
	}
	return out
}

// statPage loads what every statistics page shows around its table: the periods and units to
// choose from.
func (s *Server) statPage(r *http.Request, p *service.Principal, d *statData) error {
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		return err
	}
	d.Units = treeUnits(units, s.Authz.Scope(p, domain.ActCaseRead))
	d.Periods = periodOptions(s.Now().In(domain.ICT).Year(), s.lang(r))
	d.Bys = service.StatBreakdowns
	return nil
}

// statForm is the filter form's values: the request's, with the caller's unit by default.
func statForm(base url.Values, p *service.Principal) url.Values {
	form := url.Values{}
	for k, v := range base {
		form[k] = v
	}
	if form.Get("unit_id") == "" {
		form.Set("unit_id", formatInt(p.User.UnitID))
	}
	return form
}

// statisticsPage shows a report: the indicators (rows) by the breakdown's values (columns), each
// figure a link to the cases behind it.
func (s *Server) statisticsPage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	lang := s.lang(r)
	errs := map[string]string{}
	req, base := s.statQuery(r.URL.Query(), errs)
	for k, v := range errs {
		errs[k] = tr(lang, v)
	}
	d := statData{Base: base}
	if err := s.statPage(r, p, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.Statistics.Report(r.Context(), p, req)
	switch {
	case err == nil:
		d.Report, d.Computed = rep, true
		d.From, d.To = formatDate(rep.Filter.From), formatDate(rep.Filter.To.AddDate(0, 0, -1))
		d.Base.Set("unit_id", formatInt(rep.Filter.UnitID))
		d.Columns, d.Lines = statTable(rep, d.Base, lang)
	case domain.ErrorCodeOf(err) == domain.CodeInvalid:
		fields, _, _, _ := s.formErrors(w, r, err)
		for k, v := range fields {
			errs[k] = v
		}
	default:
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "statistics", page{Title: "stat.title", Nav: "statistics", Form: statForm(base, p), Errors: errs, Data: d})
}

// statTable lays a report out as indicators × the breakdown's values, in a stable order: units by
// their place in the tree, severity classes from the least serious, chapters as the Penal Code
// numbers them, the unknown value last.
func statTable(rep service.StatReport, base url.Values, lang Lang) ([]statColumn, []statLine) {
	by := ""
	if len(rep.By) > 0 {
		by = rep.By[0]
	}
	type cellKey struct{ ind, col string }
	values := map[cellKey]int64{}
	present := map[string]bool{}
	for _, row := range rep.Rows {
		col := ""
		switch by {
		case "unit":
			if row.UnitID != nil {
				col = formatInt(*row.UnitID)
			}
		case "class":
			if row.Class != nil {
				col = *row.Class
			}
		case "chapter":
			if row.Chapter != nil {
				col = *row.Chapter
			}
		}
		values[cellKey{row.Indicator, col}] += row.Value
		present[col] = true
	}
	var cols []statColumn
	switch by {
	case "unit":
		var ids []int64
		for k := range present {
			id, _ := strconv.ParseInt(k, 10, 64)
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b int64) int { return comparePaths(rep.Units[a].Path, rep.Units[b].Path) })
		for _, id := range ids {
			u := rep.Units[id]
			title := u.Name
			if lang == LangEN && u.NameEN != "" {
				title = u.NameEN
			}
			cols = append(cols, statColumn{Param: "cell_unit_id", Key: formatInt(id), Label: u.Code, Title: title})
		}
	case "class":
		for _, c := range severityClasses {
			if present[string(c)] {
				cols = append(cols, statColumn{Param: "class", Key: string(c), Label: tr(lang, "class."+string(c))})
			}
		}
		if present[""] {
			cols = append(cols, statColumn{Param: "class", Key: "", Label: tr(lang, "stat.unknown")})
		}
	case "chapter":
		for _, c := range workflow.PenalChapters {
			if present[c.Number] {
				cols = append(cols, statColumn{Param: "chapter", Key: c.Number, Label: fmt.Sprintf(tr(lang, "stat.chapter"), c.Number), Title: c.TitleVI})
			}
		}
		if present[""] {
			cols = append(cols, statColumn{Param: "chapter", Key: "", Label: tr(lang, "stat.unknown")})
		}
	}
	link := func(ind string, v int64, col *statColumn) statCell {
		c := statCell{Value: v}
		if v == 0 {
			return c
		}
		q := url.Values{}
		for k, vs := range base {
			q[k] = vs
		}
		q.Del("by")
		q.Set("indicator", ind)
		if col != nil {
			q.Set(col.Param, col.Key)
		}
		c.Link = "/statistics/cases?" + q.Encode()
		return c
	}
	var lines []statLine
	for _, in := range rep.Definitions {
		id := string(in.ID)
		line := statLine{Indicator: in, Total: link(id, rep.Totals[id], nil)}
		for i := range cols {
			line.Cells = append(line.Cells, link(id, values[cellKey{id, cols[i].Key}], &cols[i]))
		}
		lines = append(lines, line)
	}
	return cols, lines
}

// statisticCases is the drill-down of a figure: the cases behind one indicator, and optionally
// one unit, class or chapter, each a link to its case.
func (s *Server) statisticCases(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	lang := s.lang(r)
	q := r.URL.Query()
	errs := map[string]string{}
	req, base := s.statQuery(q, errs)
	if len(errs) > 0 {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
		return
	}
	ind, ok := workflow.IndicatorByID(workflow.IndicatorID(q.Get("indicator")))
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
		return
	}
	req.Indicators, req.By = []string{string(ind.ID)}, nil
	d := statData{Base: base, Drill: true, Indicator: ind}
	var cell domain.StatCellFilter
	cell.Limit, cell.Offset = pageQuery(q)
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v := q.Get("cell_unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
			return
		}
		cell.UnitID = &id
		name := v
		for _, u := range units {
			if u.ID == id {
				name = u.Code + " – " + u.Name
			}
		}
		d.CellNotes = append(d.CellNotes, fmt.Sprintf(tr(lang, "stat.cell_unit"), name))
	}
	if vs, ok := q["class"]; ok {
		v := vs[0]
		cell.Class = &v
		label := tr(lang, "stat.unknown")
		if v != "" {
			label = tr(lang, "class."+v)
		}
		d.CellNotes = append(d.CellNotes, fmt.Sprintf(tr(lang, "stat.cell_class"), label))
	}
	if vs, ok := q["chapter"]; ok {
		v := vs[0]
		cell.Chapter = &v
		label := tr(lang, "stat.unknown")
		if v != "" {
			label = v
		}
		d.CellNotes = append(d.CellNotes, fmt.Sprintf(tr(lang, "stat.cell_chapter"), label))
	}
	items, total, err := s.Statistics.Cases(r.Context(), p, req, cell)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Cases = items
	d.From, d.To = formatDate(req.From), formatDate(req.To.AddDate(0, 0, -1))
	d.Pager = pager{Path: "/statistics/cases", Query: q, Total: total, Limit: cell.Limit, Offset: cell.Offset, Shown: len(items)}
	s.render(w, r, http.StatusOK, "statistics", page{Title: "stat.drill", Nav: "statistics", Form: statForm(base, p), Data: d})
}

// statisticsExport writes the report as an Excel workbook through the same writer as
// GET /api/v1/statistics/export?format=xlsx.
func (s *Server) statisticsExport(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	errs := map[string]string{}
	req, _ := s.statQuery(r.URL.Query(), errs)
	if len(errs) > 0 {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
		return
	}
	rep, err := s.Statistics.Report(r.Context(), p, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := service.StatisticsXLSX(rep)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+service.StatExportName(rep)+`.xlsx"`)
	_, _ = w.Write(body)
}
