package web

import (
	"net/http"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// homeData is the home page of a clerk or a prosecutor; a chief's home is the dashboard.
type homeData struct {
	Clerk, Prosecutor bool
	// Intake is the clerk's queue: crime reports of their unit still being resolved.
	Intake      domain.CasePage
	IntakeQuery string
	// MyCases are the prosecutor's open cases; DueWeek the clocks of their cases ending within
	// seven days (or run out); Detention the custody and detention orders ending within ten days.
	MyCases   domain.CasePage
	DueWeek   []domain.ClockListItem
	DueTotal  int64
	Detention []domain.ClockListItem
	Now       time.Time
}

// DaysLeft counts whole days from today to a clock's last day in Vietnam (negative once past).
func (d homeData) DaysLeft(c domain.ClockRecord) int {
	return daysBetween(d.Now, c.LatestLastDay)
}

func daysBetween(now, last time.Time) int {
	a := domain.DateOf(now.In(domain.ICT))
	b := domain.DateOf(last.In(domain.ICT))
	return int(b.Sub(a).Hours() / 24)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if isChief(p) {
		s.dashboard(w, r, p)
		return
	}
	ctx := r.Context()
	now := s.Now()
	d := homeData{Clerk: hasRole(p, domain.RoleClerk), Prosecutor: hasRole(p, domain.RoleProsecutor), Now: now}
	var err error
	if d.Clerk {
		unit, kind, open := p.User.UnitID, domain.KindReport, true
		d.Intake, err = s.Cases.List(ctx, p, domain.CaseFilter{UnitID: &unit, IncludeSubunits: false, Kind: &kind, Open: &open, Limit: 20})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.IntakeQuery = "kind=report&open=true&include_subunits=false&unit_id=" + itoa64(unit)
	}
	if d.Prosecutor {
		open := true
		if d.MyCases, err = s.Cases.List(ctx, p, domain.CaseFilter{ProsecutorID: &p.User.ID, Open: &open, IncludeSubunits: true, Limit: 20}); err != nil {
			s.fail(w, r, err)
			return
		}
		week := now.AddDate(0, 0, 7)
		if d.DueWeek, d.DueTotal, err = s.Procedure.ListDeadlines(ctx, p, domain.ClockFilter{ProsecutorID: &p.User.ID, DueBefore: &week, IncludeSubunits: true, Limit: 50}); err != nil {
			s.fail(w, r, err)
			return
		}
		tenDays := now.AddDate(0, 0, 10)
		if d.Detention, _, err = s.Procedure.ListDeadlines(ctx, p, domain.ClockFilter{ProsecutorID: &p.User.ID, DueBefore: &tenDays, IncludeSubunits: true,
			Rules: []string{string(workflow.RuleCustodyPeriod), string(workflow.RuleDetentionPeriod)}, Limit: 50}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "home", page{Title: "home.title", Flash: s.flashOf(r), Data: d})
}

func itoa64(n int64) string { return formatInt(n) }
