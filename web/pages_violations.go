package web

import (
	"net/http"
	"net/url"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// The lists a chief supervises by: violations of procedural time limits (vi phạm thời hạn), the
// procedural defects the checker found (vi phạm tố tụng), and the recommendations and requests
// (kiến nghị, yêu cầu) written about them — the same use cases as GET /api/v1/violations,
// /findings and /recommendations.

const (
	viewDeadlines = "deadlines"
	viewFindings  = "findings"
	viewRecs      = "recommendations"
)

type violationsData struct {
	View            string
	Views           []string
	Units           []domain.Unit
	Rules           []workflow.Rule
	Violations      []domain.Violation
	Findings        []domain.CaseFinding
	Recommendations []domain.Recommendation
	Statuses        []domain.RecommendationStatus
	Kinds           []domain.RecommendationKind
	Pager           pager
	Now             time.Time
}

// DaysLate is how many whole days past its due a violation was kept, or is now.
func (d violationsData) DaysLate(v domain.Violation) int { return service.DaysLate(v, d.Now) }

// ViewLink is the link to another list with the unit filter kept.
func (d violationsData) ViewLink(view string) string {
	q := url.Values{"view": {view}}
	for _, k := range []string{"unit_id", "include_subunits"} {
		if v := d.Pager.Query.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	return "/violations?" + q.Encode()
}

// distinctRules are the time-limit rules by id (a rule amended keeps its id), in the table's order.
func distinctRules() []workflow.Rule {
	var out []workflow.Rule
	seen := map[workflow.RuleID]bool{}
	for _, r := range workflow.Rules {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		latest, _ := workflow.RuleByID(r.ID)
		out = append(out, latest)
	}
	return out
}

// openQuery reads the open/remedied filter: open (the default), remedied or all.
func openQuery(q url.Values, errs map[string]string) *bool {
	switch q.Get("open") {
	case "", "true":
		t := true
		return &t
	case "false":
		f := false
		return &f
	case "all":
		return nil
	}
	errs["open"] = "filter.bad_open"
	t := true
	return &t
}

// violationList is the violations and recommendations page: one of three lists over the caller's
// scope, filtered by unit (and its subtree) and state, offset-paged with the total.
func (s *Server) violationList(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	ctx := r.Context()
	q := r.URL.Query()
	lang := s.lang(r)
	errs := map[string]string{}
	view := q.Get("view")
	if view != viewFindings && view != viewRecs {
		view = viewDeadlines
	}
	unit, sub := unitQuery(q, errs)
	limit, offset := pageQuery(q)
	open := openQuery(q, errs)
	for k, v := range errs {
		errs[k] = tr(lang, v)
	}
	d := violationsData{View: view, Views: []string{viewDeadlines, viewFindings, viewRecs}, Rules: distinctRules(), Now: s.Now(),
		Statuses: domain.RecommendationStatuses, Kinds: domain.RecommendationKinds}
	var total int64
	var shown int
	var err error
	switch view {
	case viewDeadlines:
		f := domain.ViolationFilter{UnitID: unit, IncludeSubunits: sub, Open: open, Limit: limit, Offset: offset}
		if v := q.Get("rule"); v != "" {
			f.Rules = []string{v}
		}
		d.Violations, total, err = s.Procedure.ListViolations(ctx, p, f)
		shown = len(d.Violations)
	case viewFindings:
		f := domain.FindingFilter{UnitID: unit, IncludeSubunits: sub, Open: open, Limit: limit, Offset: offset}
		if v := q.Get("severity"); v != "" {
			f.Severities = []string{v}
		}
		d.Findings, total, err = s.Procedure.ListFindings(ctx, p, f)
		shown = len(d.Findings)
	case viewRecs:
		f := domain.RecommendationFilter{UnitID: unit, IncludeSubunits: sub, Limit: limit, Offset: offset}
		if v := q.Get("status"); v != "" {
			f.Statuses = []string{v}
		}
		if v := q.Get("kind"); v != "" {
			f.Kinds = []string{v}
		}
		d.Recommendations, total, err = s.Procedure.ListRecommendations(ctx, p, f)
		shown = len(d.Recommendations)
	}
	if err != nil {
		// A filter the use case refuses is shown next to it; anything else is the error page.
		before := len(errs)
		if !s.filterRefused(w, r, err, errs) {
			return
		}
		if len(errs) == before {
			errs["view"] = tr(lang, "error.invalid")
		}
	}
	units, err := s.Admin.Units(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Units = treeUnits(units, s.Authz.Scope(p, domain.ActCaseRead))
	d.Pager = pager{Path: "/violations", Query: q, Total: total, Limit: limit, Offset: offset, Shown: shown}
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	if form.Get("open") == "" {
		form.Set("open", "true")
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "violations", page{Title: "viol.title", Nav: "violations", Form: form, Errors: errs, Data: d})
}
