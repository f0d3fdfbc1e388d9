package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// dashboardData is a chief's review of a unit and its subtree (kiểm tra tình hình thụ lý): the
// caseload's figures, each a link to the case list that makes it up.
type dashboardData struct {
	Caseload  domain.Caseload
	Unit      domain.Unit
	Units     []domain.Unit
	Period    string
	FromLabel string
	ToLabel   string
	// Base is the case-list query every figure's link starts from (the unit and its subtree).
	Base url.Values
	// Expiring are the custody and detention orders ending within ten days.
	Expiring []domain.DetentionExpiry
	Now      time.Time
	// StageChart and UnitChart are server-rendered SVG bar charts.
	StageChart template.HTML
	UnitChart  template.HTML
	UnitNames  map[int64]string
}

// Link is the case list of a figure: the dashboard's unit with extra filters.
func (d dashboardData) Link(kv ...string) string {
	q := url.Values{}
	for k, v := range d.Base {
		q[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return "/cases?" + q.Encode()
}

// UnitLink is the case list of one unit's own cases with extra filters.
func (d dashboardData) UnitLink(unitID int64, kv ...string) string {
	q := url.Values{"unit_id": {strconv.FormatInt(unitID, 10)}, "include_subunits": {"false"}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return "/cases?" + q.Encode()
}

// DaysLeft counts days from today to an order's end.
func (d dashboardData) DaysLeft(end *time.Time) int {
	if end == nil {
		return 0
	}
	return daysBetween(d.Now, *end)
}

// ReceivedLink and ClosedLink are the lists behind the period's figures.
func (d dashboardData) ReceivedLink() string {
	return d.Link("received_from", d.Caseload.Filter.From.Format(time.RFC3339), "received_to", d.Caseload.Filter.To.Format(time.RFC3339))
}

func (d dashboardData) ClosedLink() string {
	f := d.Caseload.Filter
	return d.Link("closed_from", f.From.In(domain.ICT).Format(time.DateOnly), "closed_to", f.To.AddDate(0, 0, -1).In(domain.ICT).Format(time.DateOnly))
}

// dashboard is the chief's home: the caseload of a unit (theirs by default) and its subtree over a
// period (the year to date by default), with the same figures as GET /api/v1/caseload.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	q := r.URL.Query()
	now := s.Now()
	lang := s.lang(r)
	var unitID int64
	if v := q.Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.notFound(w, r)
			return
		}
		unitID = id
	}
	today := domain.DateOf(now.In(domain.ICT))
	from, to := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, domain.ICT), today.AddDate(0, 0, 1)
	period := q.Get("period")
	if period != "" {
		f, t, ok := periodOf(period)
		if !ok {
			s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
			return
		}
		from, to = f, t
	}
	cl, err := s.Cases.Caseload(r.Context(), p, unitID, true, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.Admin.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	var unit domain.Unit
	for _, u := range all {
		names[u.ID] = u.Name
		if lang == LangEN && u.NameEN != "" {
			names[u.ID] = u.NameEN
		}
		if u.ID == cl.Filter.UnitID {
			unit = u
		}
	}
	d := dashboardData{Caseload: cl, Unit: unit, Units: scopeUnits(all, s.Cases.Scope(p, domain.ActCaseRead)), Period: period, Now: now, UnitNames: names,
		FromLabel: formatDate(from), ToLabel: formatDate(to.AddDate(0, 0, -1)),
		Base: url.Values{"unit_id": {strconv.FormatInt(cl.Filter.UnitID, 10)}, "include_subunits": {"true"}}}
	limit := now.AddDate(0, 0, 10)
	for _, e := range cl.Expiries {
		if e.OrderedEnd != nil && e.OrderedEnd.Before(limit) {
			d.Expiring = append(d.Expiring, e)
		}
	}
	d.StageChart = stageChart(cl.Totals.ByStage, d, lang)
	d.UnitChart = unitChart(cl.Units, d, lang)
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "dashboard.title", Nav: "dashboard", Form: q, Data: d})
}

// periodOf reads a period by its name: a year (2026), a quarter (2026-Q3) or a month (2026-11),
// as [start, end) between midnights in Vietnam, as the API's period parameter.
func periodOf(p string) (time.Time, time.Time, bool) {
	if y, err := strconv.Atoi(p); err == nil && len(p) == 4 {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, domain.ICT)
		return start, start.AddDate(1, 0, 0), true
	}
	if t, err := time.ParseInLocation("2006-01", p, domain.ICT); err == nil {
		return t, t.AddDate(0, 1, 0), true
	}
	if y, q, ok := strings.Cut(p, "-Q"); ok && len(y) == 4 && len(q) == 1 && q[0] >= '1' && q[0] <= '4' {
		yy, err := strconv.Atoi(y)
		if err != nil {
			return time.Time{}, time.Time{}, false
		}
		start := time.Date(yy, time.Month(3*int(q[0]-'1')+1), 1, 0, 0, 0, 0, domain.ICT)
		return start, start.AddDate(0, 3, 0), true
	}
	return time.Time{}, time.Time{}, false
}

// bar is one bar of a chart: its label, value and the list it opens.
type bar struct {
	Label string
	Value int64
	Href  string
}

// barChart draws horizontal bars as SVG, each bar a link with its figure written beside it, and a
// title and description for screen readers. Text is escaped.
func barChart(title string, bars []bar) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	const labelW, barW, rowH, pad = 250, 380, 26, 6
	var max int64 = 1
	for _, b := range bars {
		if b.Value > max {
			max = b.Value
		}
	}
	h := len(bars)*rowH + pad*2
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" role="img" aria-labelledby="%[1]s-t" viewBox="0 0 %[2]d %[3]d" width="%[2]d" height="%[3]d" xmlns="http://www.w3.org/2000/svg">`,
		chartID(title), labelW+barW+70, h)
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title>`, chartID(title), template.HTMLEscapeString(title))
	for i, b := range bars {
		y := pad + i*rowH
		w := int(float64(barW) * float64(b.Value) / float64(max))
		if b.Value > 0 && w < 2 {
			w = 2
		}
		fmt.Fprintf(&sb, `<a href="%s"><text x="%d" y="%d" text-anchor="end">%s</text><rect x="%d" y="%d" width="%d" height="%d" fill="#7a1015"></rect><text x="%d" y="%d">%d</text></a>`,
			template.HTMLEscapeString(b.Href), labelW-8, y+17, template.HTMLEscapeString(truncateRunes(b.Label, 38)), labelW, y+4, w, rowH-8, labelW+w+6, y+17, b.Value)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) // #nosec: every text above is escaped
}

func chartID(title string) string {
	var b strings.Builder
	for _, r := range title {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return "c" + strconv.Itoa(len(title)) + b.String()
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func stageChart(byStage map[domain.Stage]int64, d dashboardData, lang Lang) template.HTML {
	var bars []bar
	for _, st := range domain.Stages {
		n := byStage[st]
		if n == 0 || slices.Contains(domain.FinalStages, st) {
			continue
		}
		name := workflow.StageNames[st].VI
		if lang == LangEN {
			name = workflow.StageNames[st].EN
		}
		bars = append(bars, bar{Label: upperFirst(name), Value: n, Href: d.Link("stage", string(st))})
	}
	return barChart(tr(lang, "dashboard.by_stage"), bars)
}

func unitChart(units []domain.UnitCaseload, d dashboardData, lang Lang) template.HTML {
	var bars []bar
	for _, u := range units {
		if u.Figures.Open == 0 {
			continue
		}
		bars = append(bars, bar{Label: d.UnitNames[u.UnitID], Value: u.Figures.Open, Href: d.UnitLink(u.UnitID, "open", "true")})
	}
	slices.SortStableFunc(bars, func(a, b bar) int { return int(b.Value - a.Value) })
	if len(bars) > 15 {
		bars = bars[:15]
	}
	return barChart(tr(lang, "dashboard.by_unit"), bars)
}
