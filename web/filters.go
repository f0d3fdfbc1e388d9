package web

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// caseQuery reads the case list's filters from the query string: the same names and meanings as
// GET /api/v1/cases, so a dashboard figure's link and an API client's query agree. Bad values are
// collected by field, shown next to the filter, and not applied.
func caseQuery(q url.Values, p *service.Principal) (domain.CaseFilter, map[string]string) {
	f := domain.CaseFilter{IncludeSubunits: true, Limit: domain.DefaultPageSize}
	errs := map[string]string{}
	if v := q.Get("unit_id"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.UnitID = &id
		} else {
			errs["unit_id"] = "filter.bad_unit"
		}
	}
	if v := q.Get("include_subunits"); v == "false" {
		f.IncludeSubunits = false
	}
	if v := q.Get("stage"); v != "" {
		st := domain.Stage(v)
		if _, ok := workflow.StageNames[st]; ok {
			f.Stage = &st
		} else {
			errs["stage"] = "filter.bad_stage"
		}
	}
	if v := q.Get("kind"); v != "" {
		k := domain.CaseKind(v)
		if k.Valid() {
			f.Kind = &k
		} else {
			errs["kind"] = "filter.bad_kind"
		}
	}
	if v := q.Get("class"); v != "" {
		c := domain.SeverityClass(v)
		if slices.Contains(severityClasses, c) {
			f.Class = &c
		} else {
			errs["class"] = "filter.bad_class"
		}
	}
	if q.Get("mine") == "1" {
		f.ProsecutorID = &p.User.ID
	} else if v := q.Get("prosecutor_id"); v != "" {
		f.ProsecutorID = &v
	}
	boolean := func(name string) *bool {
		switch q.Get(name) {
		case "true", "1":
			t := true
			return &t
		case "false", "0":
			b := false
			return &b
		}
		return nil
	}
	f.Open, f.Suspended, f.InDetention, f.OpenViolations = boolean("open"), boolean("suspended"), boolean("in_detention"), boolean("open_violations")
	switch v := q.Get("clock"); v {
	case "", "overdue", "due_soon":
		f.Clock = v
	default:
		errs["clock"] = "filter.bad_clock"
	}
	day := func(name string, next bool) *time.Time {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, domain.ICT)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				errs[name] = "filter.bad_date"
				return nil
			}
			return &t
		}
		if next {
			t = t.AddDate(0, 0, 1)
		}
		return &t
	}
	f.ReceivedFrom, f.ReceivedTo = day("received_from", false), day("received_to", true)
	f.ClosedFrom, f.ClosedTo = day("closed_from", false), day("closed_to", true)
	f.DueBefore = day("due_before", false)
	f.Text = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Text)) > 200 {
		errs["q"] = "filter.too_long"
		f.Text = ""
	}
	switch q.Get("sort") {
	case "", "-received_at":
	case "received_at":
		f.Ascending = true
	default:
		errs["sort"] = "filter.bad_sort"
	}
	if v := q.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= domain.MaxPageSize {
			f.Limit = n
		}
	}
	if v := q.Get("cursor"); v != "" {
		if c, ok := decodeCursor(v); ok {
			f.Cursor = c
		}
	}
	return f, errs
}

var severityClasses = []domain.SeverityClass{domain.ClassLessSerious, domain.ClassSerious, domain.ClassVerySerious, domain.ClassParticularlySerious}

// encodeCursor writes the keyset position of the next page into the link.
func encodeCursor(c *domain.CaseCursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(c.ReceivedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

func decodeCursor(s string) (*domain.CaseCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil || len(id) != 36 {
		return nil, false
	}
	return &domain.CaseCursor{ReceivedAt: t, ID: id}, true
}

// scopeUnits are the units the scope reaches, in tree order (parents before children, siblings by
// id), for the unit filters.
func scopeUnits(all []domain.Unit, scope domain.Scope) []domain.Unit {
	var out []domain.Unit
	for _, u := range all {
		if scope.PermitsUnit(u.ID, u.Path) {
			out = append(out, u)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Unit) int { return comparePaths(a.Path, b.Path) })
	return out
}
