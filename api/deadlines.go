package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// --- deadlines (thời hạn tố tụng) and the rule table ---

type lengthJSON struct {
	Unit string `json:"unit"`
	N    int    `json:"n"`
}

func toLengthJSON(l workflow.Length) lengthJSON { return lengthJSON{Unit: string(l.Unit), N: l.N} }

func toLengthsJSON(ls []workflow.Length) []lengthJSON {
	out := make([]lengthJSON, len(ls))
	for i, l := range ls {
		out[i] = toLengthJSON(l)
	}
	return out
}

// dueJSON is when a limit ends, read both ways: the last days as Vietnamese calendar dates and
// the instants the limit runs out (24:00 of the last day, or the exact hour).
type dueJSON struct {
	EarliestLastDay  string `json:"earliest_last_day"`
	LatestLastDay    string `json:"latest_last_day"`
	EarliestDeadline string `json:"earliest_deadline"`
	LatestDeadline   string `json:"latest_deadline"`
	Rolled           bool   `json:"rolled"`
	Uncovered        bool   `json:"uncovered"`
}

func ictInstant(t time.Time) string { return t.In(service.VietnamTime).Format(time.RFC3339) }

func ictDate(t time.Time) string { return t.In(service.VietnamTime).Format(time.DateOnly) }

type clockJSON struct {
	Rule           string       `json:"rule"`
	Name           nameJSON     `json:"name"`
	Article        string       `json:"article"`
	Subject        string       `json:"subject"`
	SubjectID      string       `json:"subject_id"`
	AccusedID      string       `json:"accused_id,omitempty"`
	Start          string       `json:"start"`
	Length         lengthJSON   `json:"length"`
	Extensions     []lengthJSON `json:"extensions"`
	ExtensionsLeft int          `json:"extensions_left"`
	Due            dueJSON      `json:"due"`
	Status         string       `json:"status"`
	EndedOn        *string      `json:"ended_on"`
	DaysLeft       int          `json:"days_left"`
	Explanation    nameJSON     `json:"explanation"`
}

func toClockJSON(c workflow.Clock) clockJSON {
	j := clockJSON{Rule: string(c.Rule), Name: nameJSON{c.NameVI, c.NameEN}, Article: c.Article, Subject: c.Subject, SubjectID: c.SubjectID,
		AccusedID: c.AccusedID, Start: ictInstant(c.Start), Length: toLengthJSON(c.Length), Extensions: toLengthsJSON(c.Extensions),
		ExtensionsLeft: c.ExtensionsLeft, Status: string(c.Status), DaysLeft: c.DaysLeft, Explanation: nameJSON{c.ExplanationVI, c.ExplanationEN},
		Due: dueJSON{EarliestLastDay: ictDate(c.Due.Earliest.LastDay), LatestLastDay: ictDate(c.Due.Latest.LastDay),
			EarliestDeadline: ictInstant(c.Due.Earliest.Deadline), LatestDeadline: ictInstant(c.Due.Latest.Deadline), Rolled: c.Due.Rolled,
			Uncovered: c.Due.Uncovered}}
	if c.EndedOn != nil {
		e := ictInstant(*c.EndedOn)
		j.EndedOn = &e
	}
	return j
}

type deadlinesJSON struct {
	CaseID     string      `json:"case_id"`
	Class      *string     `json:"class"`
	ComputedAt string      `json:"computed_at"`
	Items      []clockJSON `json:"items"`
	Total      int         `json:"total"`
}

func toDeadlinesJSON(d *service.Deadlines) deadlinesJSON {
	out := deadlinesJSON{CaseID: d.Case.ID, ComputedAt: ictInstant(d.At), Items: make([]clockJSON, len(d.Clocks)), Total: len(d.Clocks)}
	if d.Class != "" {
		c := string(d.Class)
		out.Class = &c
	}
	for i, c := range d.Clocks {
		out.Items[i] = toClockJSON(c)
	}
	return out
}

// getDeadlines answers a case's time limits, computed at the time of the request: they depend on
// the clock, so the answer is never cached.
func (s *Server) getDeadlines(c *gin.Context) {
	d, err := s.Procedure.Deadlines(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toDeadlinesJSON(d))
}

type countingJSON struct {
	Continuous bool `json:"continuous"`
	RollOver   bool `json:"roll_over"`
}

type ladderJSON struct {
	Step              string                  `json:"step"`
	RungsByClass      map[string][]lengthJSON `json:"rungs_by_class"`
	RequestDaysBefore int                     `json:"request_days_before"`
	Approver          string                  `json:"approver"`
	Article           string                  `json:"article"`
}

type ruleJSON struct {
	ID                   string                `json:"id"`
	Name                 nameJSON              `json:"name"`
	Article              string                `json:"article"`
	Kind                 string                `json:"kind"`
	StartsOn             []string              `json:"starts_on"`
	StartsAtRegistration *string               `json:"starts_at_registration"`
	MetBy                []string              `json:"met_by"`
	StoppedBy            []string              `json:"stopped_by"`
	Measure              *string               `json:"measure"`
	LengthByClass        map[string]lengthJSON `json:"length_by_class"`
	Counting             countingJSON          `json:"counting"`
	Ladder               *ladderJSON           `json:"ladder"`
	WarnDays             int                   `json:"warn_days"`
	EffectiveFrom        string                `json:"effective_from"`
	Confidence           string                `json:"confidence"`
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toRuleJSON writes a rule with its lengths and ladder spelled out for each of the four classes
// (the table's every-class entry expanded), so that a client never has to know the convention.
func toRuleJSON(r workflow.Rule) ruleJSON {
	j := ruleJSON{ID: string(r.ID), Name: nameJSON{r.NameVI, r.NameEN}, Article: r.Article, Kind: r.Kind, StartsOn: strs(r.StartsOn),
		StartsAtRegistration: nonEmpty(string(r.StartsAtRegistration)), MetBy: strs(r.MetBy), StoppedBy: strs(r.StoppedBy),
		Measure: nonEmpty(string(r.Measure)), LengthByClass: map[string]lengthJSON{}, Counting: countingJSON{r.Counting.Continuous, r.Counting.RollOver},
		WarnDays: r.WarnDays, EffectiveFrom: r.EffectiveFrom.Format(time.DateOnly), Confidence: r.Confidence}
	for _, c := range domain.SeverityClasses {
		if l, ok := r.Length.For(c); ok {
			j.LengthByClass[string(c)] = toLengthJSON(l)
		}
	}
	if l := r.Ladder; l != nil {
		j.Ladder = &ladderJSON{Step: string(l.Step), RungsByClass: map[string][]lengthJSON{}, RequestDaysBefore: l.RequestDaysBefore,
			Approver: l.Approver, Article: l.Article}
		for _, c := range domain.SeverityClasses {
			if rungs := l.Rungs(c); len(rungs) > 0 {
				j.Ladder.RungsByClass[string(c)] = toLengthsJSON(rungs)
			}
		}
	}
	return j
}

func (s *Server) listRules(c *gin.Context) {
	rules := s.Procedure.Rules()
	items := make([]ruleJSON, len(rules))
	for i, r := range rules {
		items[i] = toRuleJSON(r)
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}
