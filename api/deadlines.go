package api

import (
	"net/http"
	"strings"
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
	LegalMax       *dueJSON     `json:"legal_max"`
	Assumed        bool         `json:"assumed"`
}

func toDueJSON(d workflow.Due) dueJSON {
	return dueJSON{EarliestLastDay: ictDate(d.Earliest.LastDay), LatestLastDay: ictDate(d.Latest.LastDay),
		EarliestDeadline: ictInstant(d.Earliest.Deadline), LatestDeadline: ictInstant(d.Latest.Deadline), Rolled: d.Rolled, Uncovered: d.Uncovered}
}

func toClockJSON(c workflow.Clock) clockJSON {
	j := clockJSON{Rule: string(c.Rule), Name: nameJSON{c.NameVI, c.NameEN}, Article: c.Article, Subject: c.Subject, SubjectID: c.SubjectID,
		AccusedID: c.AccusedID, Start: ictInstant(c.Start), Length: toLengthJSON(c.Length), Extensions: toLengthsJSON(c.Extensions),
		ExtensionsLeft: c.ExtensionsLeft, Status: string(c.Status), DaysLeft: c.DaysLeft, Explanation: nameJSON{c.ExplanationVI, c.ExplanationEN},
		Due: toDueJSON(c.Due), Assumed: c.Assumed}
	if c.LegalMax != nil {
		m := toDueJSON(*c.LegalMax)
		j.LegalMax = &m
	}
	if c.EndedOn != nil {
		e := ictInstant(*c.EndedOn)
		j.EndedOn = &e
	}
	return j
}

type deadlinesJSON struct {
	CaseID     string      `json:"case_id"`
	Assumed    *string     `json:"assume_extension"`
	Class      *string     `json:"class"`
	ComputedAt string      `json:"computed_at"`
	Items      []clockJSON `json:"items"`
	Total      int         `json:"total"`
}

func toDeadlinesJSON(d *service.Deadlines) deadlinesJSON {
	out := deadlinesJSON{CaseID: d.Case.ID, ComputedAt: ictInstant(d.At), Items: make([]clockJSON, len(d.Clocks)), Total: len(d.Clocks),
		Assumed: nonEmpty(string(d.Assumed))}
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
	d, err := s.Procedure.Deadlines(c.Request.Context(), principal(c), c.Param("id"), workflow.RuleID(c.Query("assume_extension")))
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

// --- stored clocks across a scope, violations, notifications ---

// queryList reads a comma-separated parameter, also accepted repeated (status=a&status=b).
func queryList(c *gin.Context, name string) []string {
	var out []string
	for _, v := range c.QueryArray(name) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// queryDate reads a YYYY-MM-DD parameter as a Vietnamese calendar date; malformed is a 400.
func queryDate(c *gin.Context, name string) (*time.Time, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, domain.ICT)
	if err != nil {
		return nil, badRequest("tham số "+name+" là ngày dạng YYYY-MM-DD", name)
	}
	return &t, nil
}

type clockListItemJSON struct {
	ID          int64       `json:"id"`
	CaseID      string      `json:"case_id"`
	CaseNumber  string      `json:"case_number"`
	CaseCode    string      `json:"case_code"`
	CaseStage   string      `json:"case_stage"`
	Unit        unitRefJSON `json:"unit"`
	Prosecutor  *string     `json:"prosecutor_id"`
	Key         string      `json:"key"`
	Rule        string      `json:"rule"`
	Name        nameJSON    `json:"name"`
	Article     string      `json:"article"`
	Subject     string      `json:"subject"`
	SubjectID   string      `json:"subject_id"`
	AccusedID   *string     `json:"accused_id"`
	Start       string      `json:"start"`
	Length      lengthJSON  `json:"length"`
	ExtUsed     int         `json:"extensions_used"`
	ExtLeft     int         `json:"extensions_left"`
	Due         dueJSON     `json:"due"`
	Status      string      `json:"status"`
	EndedOn     *string     `json:"ended_on"`
	DaysLeft    int         `json:"days_left"`
	Explanation nameJSON    `json:"explanation"`
	ComputedAt  string      `json:"computed_at"`
}

func toClockListItemJSON(it domain.ClockListItem, now time.Time) clockListItemJSON {
	k := it.Clock
	j := clockListItemJSON{ID: k.ID, CaseID: k.CaseID, CaseNumber: it.CaseNumber, CaseCode: it.CaseCode, CaseStage: string(it.CaseStage),
		Unit: unitRefJSON{ID: it.UnitID, Code: it.UnitCode}, Prosecutor: nonEmpty(it.ProsecutorID), Key: k.Key, Rule: k.Rule,
		Name: nameJSON{k.NameVI, k.NameEN}, Article: k.Article, Subject: k.Subject, SubjectID: k.SubjectID, AccusedID: nonEmpty(k.AccusedID),
		Start: ictInstant(k.StartAt), Length: lengthJSON{Unit: k.LengthUnit, N: k.LengthN}, ExtUsed: k.ExtensionsUsed, ExtLeft: k.ExtensionsLeft,
		Due: dueJSON{EarliestLastDay: ictDate(k.EarliestLastDay), LatestLastDay: ictDate(k.LatestLastDay), EarliestDeadline: ictInstant(k.EarliestDue),
			LatestDeadline: ictInstant(k.LatestDue), Rolled: k.Rolled, Uncovered: k.Uncovered},
		Status: k.Status, DaysLeft: int(k.LatestLastDay.Sub(domain.DateOf(now)).Hours() / 24), Explanation: nameJSON{k.ExplanationVI, k.ExplanationEN},
		ComputedAt: ictInstant(k.ComputedAt)}
	if k.EndedAt != nil {
		e := ictInstant(*k.EndedAt)
		j.EndedOn = &e
	}
	return j
}

// listDeadlines answers GET /deadlines: the stored clocks across the caller's scope, most urgent
// first. Statuses default to the open ones (missed, due_soon, running).
func (s *Server) listDeadlines(c *gin.Context) {
	var f domain.ClockFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Limit, f.Offset, err = unitPage(c, true); err != nil {
		s.fail(c, err)
		return
	}
	f.Statuses, f.Rules = queryList(c, "status"), queryList(c, "rule")
	if f.DueBefore, err = queryDate(c, "due_before"); err != nil {
		s.fail(c, err)
		return
	}
	if f.DueAfter, err = queryDate(c, "due_after"); err != nil {
		s.fail(c, err)
		return
	}
	f.ProsecutorID, f.CaseID = optQuery(c, "prosecutor_id"), optQuery(c, "case_id")
	items, total, err := s.Procedure.ListDeadlines(c.Request.Context(), principal(c), f)
	now := s.Now()
	writeList(s, c, items, total, err, func(it domain.ClockListItem) any { return toClockListItemJSON(it, now) })
}

// optQuery is a query parameter that filters only when given.
func optQuery(c *gin.Context, name string) *string {
	if v := c.Query(name); v != "" {
		return &v
	}
	return nil
}

// writeList answers a private list page {items, total}, or the error.
func writeList[T any](s *Server, c *gin.Context, items []T, total int64, err error, conv func(T) any) {
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = conv(it)
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total})
}

type violationJSON struct {
	ID          int64       `json:"id"`
	CaseID      string      `json:"case_id"`
	CaseNumber  string      `json:"case_number"`
	CaseCode    string      `json:"case_code"`
	Unit        unitRefJSON `json:"unit"`
	Prosecutor  *string     `json:"prosecutor_id"`
	ClockKey    string      `json:"clock_key"`
	Rule        string      `json:"rule"`
	Name        nameJSON    `json:"name"`
	Article     string      `json:"article"`
	Subject     string      `json:"subject"`
	SubjectID   string      `json:"subject_id"`
	AccusedID   *string     `json:"accused_id"`
	DueAt       string      `json:"due_at"`
	DetectedAt  string      `json:"detected_at"`
	DetectedBy  string      `json:"detected_by"`
	MetAt       *string     `json:"met_at"`
	WithdrawnAt *string     `json:"withdrawn_at"`
	LateSeconds int64       `json:"late_seconds"`
	DaysLate    int         `json:"days_late"`
}

func optInstant(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ictInstant(*t)
	return &s
}

func toViolationJSON(v domain.Violation, now time.Time) violationJSON {
	return violationJSON{ID: v.ID, CaseID: v.CaseID, CaseNumber: v.CaseNumber, CaseCode: v.CaseCode, Unit: unitRefJSON{ID: v.UnitID, Code: v.UnitCode},
		Prosecutor: nonEmpty(v.ProsecutorID), ClockKey: v.ClockKey, Rule: v.Rule, Name: nameJSON{v.NameVI, v.NameEN}, Article: v.Article,
		Subject: v.Subject, SubjectID: v.SubjectID, AccusedID: nonEmpty(v.AccusedID), DueAt: ictInstant(v.DueAt), DetectedAt: ictInstant(v.DetectedAt),
		DetectedBy: v.DetectedBy, MetAt: optInstant(v.MetAt), WithdrawnAt: optInstant(v.WithdrawnAt), LateSeconds: int64(v.Late(now).Seconds()),
		DaysLate: service.DaysLate(v, now)}
}

// listViolations answers GET /violations across the caller's scope, the most recently found first.
func (s *Server) listViolations(c *gin.Context) {
	var f domain.ViolationFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Limit, f.Offset, err = unitPage(c, true); err != nil {
		s.fail(c, err)
		return
	}
	f.Rules = queryList(c, "rule")
	if v := c.Query("open"); v != "" {
		b, err := queryBool(c, "open", false)
		if err != nil {
			s.fail(c, err)
			return
		}
		f.Open = &b
	}
	if f.IncludeWithdrawn, err = queryBool(c, "include_withdrawn", false); err != nil {
		s.fail(c, err)
		return
	}
	if f.DetectedAfter, err = queryTime(c, "detected_after"); err != nil {
		s.fail(c, err)
		return
	}
	if f.DetectedBefore, err = queryTime(c, "detected_before"); err != nil {
		s.fail(c, err)
		return
	}
	f.ProsecutorID, f.CaseID = optQuery(c, "prosecutor_id"), optQuery(c, "case_id")
	items, total, err := s.Procedure.ListViolations(c.Request.Context(), principal(c), f)
	now := s.Now()
	writeList(s, c, items, total, err, func(v domain.Violation) any { return toViolationJSON(v, now) })
}

type notificationJSON struct {
	ID        int64    `json:"id"`
	Kind      string   `json:"kind"`
	CaseID    *string  `json:"case_id"`
	UnitID    *int64   `json:"unit_id"`
	Title     nameJSON `json:"title"`
	Body      nameJSON `json:"body"`
	CreatedAt string   `json:"created_at"`
	ReadAt    *string  `json:"read_at"`
}

func (s *Server) listNotifications(c *gin.Context) {
	unread, err := queryBool(c, "unread", false)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit, err := queryInt(c, "limit", domain.DefaultPageSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	offset, err := queryInt(c, "offset", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.Notifications.List(c.Request.Context(), principal(c), unread, limit, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]notificationJSON, len(page.Items))
	for i, n := range page.Items {
		out[i] = notificationJSON{ID: n.ID, Kind: n.Kind, CaseID: nonEmpty(n.CaseID), Title: nameJSON{n.TitleVI, n.TitleEN},
			Body: nameJSON{n.BodyVI, n.BodyEN}, CreatedAt: ictInstant(n.CreatedAt), ReadAt: optInstant(n.ReadAt)}
		if n.UnitID != 0 {
			u := n.UnitID
			out[i].UnitID = &u
		}
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, gin.H{"items": out, "total": page.Total, "unread": page.Unread})
}

type readNotificationsJSON struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// readNotifications marks the caller's notifications read: the ones named, or all of them.
func (s *Server) readNotifications(c *gin.Context) {
	var in readNotificationsJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	marked, unread, err := s.Notifications.MarkRead(c.Request.Context(), principal(c), in.IDs, in.All)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": marked, "unread": unread})
}
