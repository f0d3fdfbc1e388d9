package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- the chiefs' caseload review (kiểm tra tình hình thụ lý) ---

// optQueryBool is a boolean filter that applies only when given.
func optQueryBool(c *gin.Context, name string) (*bool, error) {
	if c.Query(name) == "" {
		return nil, nil
	}
	v, err := queryBool(c, name, false)
	return &v, err
}

// drillDownQuery reads the case list's caseload filters: open, suspended, closed_from and
// closed_to (days, both included), clock (overdue, due_soon), due_before, in_detention,
// open_violations.
func drillDownQuery(c *gin.Context, f *domain.CaseFilter) error {
	var err error
	if f.Open, err = optQueryBool(c, "open"); err != nil {
		return err
	}
	if f.Suspended, err = optQueryBool(c, "suspended"); err != nil {
		return err
	}
	if f.InDetention, err = optQueryBool(c, "in_detention"); err != nil {
		return err
	}
	if f.OpenViolations, err = optQueryBool(c, "open_violations"); err != nil {
		return err
	}
	if f.ClosedFrom, err = queryDate(c, "closed_from"); err != nil {
		return err
	}
	to, err := queryDate(c, "closed_to")
	if err != nil {
		return err
	}
	if to != nil {
		next := to.AddDate(0, 0, 1)
		f.ClosedTo = &next
	}
	if f.DueBefore, err = queryTime(c, "due_before"); err != nil {
		return err
	}
	f.Clock = c.Query("clock")
	return nil
}

// caseloadPeriod reads the period: from and to (days, both included), or period=YYYY, YYYY-MM or
// YYYY-Qn; by default the year to date. It returns [from, to) as instants.
// namedPeriod reads a period by its name: a year (2026), a quarter (2026-Q3) or a month (2026-11),
// as [start, end) between midnights in Vietnam.
func namedPeriod(p string) (time.Time, time.Time, bool) {
	if y, err := strconv.Atoi(p); err == nil && len(p) == 4 {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, service.VietnamTime)
		return start, start.AddDate(1, 0, 0), true
	}
	if t, err := time.ParseInLocation("2006-01", p, service.VietnamTime); err == nil {
		return t, t.AddDate(0, 1, 0), true
	}
	if y, q, ok := strings.Cut(p, "-Q"); ok && len(y) == 4 && len(q) == 1 && q[0] >= '1' && q[0] <= '4' {
		yy, _ := strconv.Atoi(y)
		start := time.Date(yy, time.Month(3*int(q[0]-'1')+1), 1, 0, 0, 0, 0, service.VietnamTime)
		return start, start.AddDate(0, 3, 0), true
	}
	return time.Time{}, time.Time{}, false
}

func caseloadPeriod(c *gin.Context, now time.Time) (time.Time, time.Time, error) {
	day := func(t time.Time) time.Time {
		t = t.In(service.VietnamTime)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, service.VietnamTime)
	}
	if p := c.Query("period"); p != "" {
		if c.Query("from") != "" || c.Query("to") != "" {
			return time.Time{}, time.Time{}, badRequest("dùng period hoặc from/to, không dùng cả hai", "period")
		}
		if from, to, ok := namedPeriod(p); ok {
			return from, to, nil
		}
		return time.Time{}, time.Time{}, badRequest("period phải là YYYY, YYYY-MM hoặc YYYY-Qn", "period")
	}
	today := day(now)
	from, to := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, service.VietnamTime), today.AddDate(0, 0, 1)
	if f, err := queryDate(c, "from"); err != nil {
		return from, to, err
	} else if f != nil {
		from = *f
	}
	if t, err := queryDate(c, "to"); err != nil {
		return from, to, err
	} else if t != nil {
		to = t.AddDate(0, 0, 1)
	}
	return from, to, nil
}

type caseloadFiguresJSON struct {
	ByStage            map[string]int64 `json:"by_stage"`
	Open               int64            `json:"open"`
	Suspended          int64            `json:"suspended"`
	Received           int64            `json:"received"`
	Closed             int64            `json:"closed"`
	OverdueClocks      int64            `json:"overdue_clocks"`
	OverdueCases       int64            `json:"overdue_cases"`
	DueSoonClocks      int64            `json:"due_soon_clocks"`
	DueSoonCases       int64            `json:"due_soon_cases"`
	InDetention        int64            `json:"in_detention"`
	InDetentionCases   int64            `json:"in_detention_cases"`
	OpenViolations     int64            `json:"open_violations"`
	OpenViolationCases int64            `json:"open_violation_cases"`
}

func toCaseloadFiguresJSON(f domain.CaseloadFigures) caseloadFiguresJSON {
	by := map[string]int64{}
	for s, n := range f.ByStage {
		if n > 0 {
			by[string(s)] = n
		}
	}
	return caseloadFiguresJSON{ByStage: by, Open: f.Open, Suspended: f.Suspended, Received: f.Received, Closed: f.Closed,
		OverdueClocks: f.OverdueClocks, OverdueCases: f.OverdueCases, DueSoonClocks: f.DueSoonClocks, DueSoonCases: f.DueSoonCases,
		InDetention: f.InDetention, InDetentionCases: f.InDetentionCases, OpenViolations: f.OpenViolations, OpenViolationCases: f.OpenViolationCases}
}

type unitCaseloadJSON struct {
	Unit    unitRefJSON         `json:"unit"`
	Name    string              `json:"name"`
	Figures caseloadFiguresJSON `json:"figures"`
}

type prosecutorLoadJSON struct {
	UserID      string `json:"user_id"`
	FullName    string `json:"full_name"`
	UnitID      int64  `json:"unit_id"`
	OpenCases   int64  `json:"open_cases"`
	LeadCases   int64  `json:"lead_cases"`
	Overdue     int64  `json:"overdue"`
	DueThisWeek int64  `json:"due_this_week"`
	Cases       string `json:"cases"`
}

type detentionExpiryJSON struct {
	MeasureID   string  `json:"measure_id"`
	Kind        string  `json:"kind"`
	CaseID      string  `json:"case_id"`
	CaseCode    string  `json:"case_code"`
	UnitID      int64   `json:"unit_id"`
	AccusedID   string  `json:"accused_id"`
	AccusedName string  `json:"accused_name"`
	OrderedEnd  *string `json:"ordered_end"`
}

type caseloadJSON struct {
	UnitID          int64               `json:"unit_id"`
	IncludeSubunits bool                `json:"include_subunits"`
	From            string              `json:"from"`
	To              string              `json:"to"`
	At              string              `json:"at"`
	Totals          caseloadFiguresJSON `json:"totals"`
	// Cases are the case-list queries behind the totals, by figure name.
	Cases       map[string]string     `json:"cases"`
	Units       []unitCaseloadJSON    `json:"units"`
	Prosecutors []prosecutorLoadJSON  `json:"prosecutors"`
	Expiries    []detentionExpiryJSON `json:"detention_expiries"`
}

// caseloadLinks are the GET /cases queries whose totals are the caseload's figures.
func caseloadLinks(f domain.CaseloadFilter) map[string]string {
	base := url.Values{}
	base.Set("unit_id", strconv.FormatInt(f.UnitID, 10))
	base.Set("include_subunits", strconv.FormatBool(f.IncludeSubunits))
	link := func(kv ...string) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return "/api/v1/cases?" + q.Encode()
	}
	lastDay := f.To.AddDate(0, 0, -1).In(service.VietnamTime).Format(time.DateOnly)
	from := f.From.In(service.VietnamTime).Format(time.DateOnly)
	return map[string]string{
		"open":                 link("open", "true"),
		"suspended":            link("suspended", "true"),
		"received":             link("received_from", f.From.Format(time.RFC3339), "received_to", f.To.Format(time.RFC3339)),
		"closed":               link("closed_from", from, "closed_to", lastDay),
		"overdue_cases":        link("clock", "overdue"),
		"due_soon_cases":       link("clock", "due_soon"),
		"in_detention_cases":   link("in_detention", "true"),
		"open_violation_cases": link("open_violations", "true"),
	}
}

// getCaseload answers GET /caseload.
func (s *Server) getCaseload(c *gin.Context) {
	unitID, err := queryInt64(c, "unit_id")
	if err != nil {
		s.fail(c, err)
		return
	}
	subunits, err := queryBool(c, "include_subunits", true)
	if err != nil {
		s.fail(c, err)
		return
	}
	from, to, err := caseloadPeriod(c, s.Now())
	if err != nil {
		s.fail(c, err)
		return
	}
	var id int64
	if unitID != nil {
		id = *unitID
	}
	cl, err := s.Cases.Caseload(c.Request.Context(), principal(c), id, subunits, from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toCaseloadJSON(cl))
}

func toCaseloadJSON(cl domain.Caseload) caseloadJSON {
	f := cl.Filter
	out := caseloadJSON{UnitID: f.UnitID, IncludeSubunits: f.IncludeSubunits, From: f.From.In(service.VietnamTime).Format(time.DateOnly),
		To: f.To.AddDate(0, 0, -1).In(service.VietnamTime).Format(time.DateOnly), At: ictInstant(f.Now), Totals: toCaseloadFiguresJSON(cl.Totals),
		Cases: caseloadLinks(f), Units: []unitCaseloadJSON{}, Prosecutors: []prosecutorLoadJSON{}, Expiries: []detentionExpiryJSON{}}
	for _, u := range cl.Units {
		out.Units = append(out.Units, unitCaseloadJSON{Unit: unitRefJSON{ID: u.UnitID, Code: u.UnitCode}, Name: u.UnitName, Figures: toCaseloadFiguresJSON(u.Figures)})
	}
	for _, p := range cl.Prosecutors {
		out.Prosecutors = append(out.Prosecutors, prosecutorLoadJSON{UserID: p.UserID, FullName: p.FullName, UnitID: p.UnitID, OpenCases: p.OpenCases,
			LeadCases: p.LeadCases, Overdue: p.Overdue, DueThisWeek: p.DueThisWeek,
			Cases: fmt.Sprintf("/api/v1/cases?unit_id=%d&include_subunits=false&open=true&prosecutor_id=%s", f.UnitID, p.UserID)})
	}
	for _, x := range cl.Expiries {
		out.Expiries = append(out.Expiries, detentionExpiryJSON{MeasureID: x.MeasureID, Kind: string(x.Kind), CaseID: x.CaseID, CaseCode: x.CaseCode,
			UnitID: x.UnitID, AccusedID: x.AccusedID, AccusedName: x.AccusedName, OrderedEnd: optDateString(x.OrderedEnd)})
	}
	return out
}
