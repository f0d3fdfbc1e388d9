package workflow

import (
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
)

// story builds a case state from decisions dated by day offsets from a start date.
type clockStory struct {
	cs  *CaseState
	day time.Time
}

func newClockStory(class domain.SeverityClass, kind domain.CaseKind, received time.Time) *clockStory {
	return &clockStory{cs: &CaseState{ID: "c1", Kind: kind, RegisteredAs: kind, ReceivedAt: received, Class: class}, day: domain.DateOf(received)}
}

func (s *clockStory) add(on time.Time, step domain.Step) *domain.Decision {
	s.cs.Decisions = append(s.cs.Decisions, domain.Decision{ID: string(step) + on.Format("0102"), Seq: len(s.cs.Decisions) + 1, Step: step,
		IssuedOn: on, EffectiveOn: on, RecordedAt: on.Add(9 * time.Hour), Status: domain.DecisionEffective})
	return &s.cs.Decisions[len(s.cs.Decisions)-1]
}

func clockOf(t *testing.T, clocks []Clock, id RuleID, n int) Clock {
	t.Helper()
	var found []Clock
	for _, c := range clocks {
		if c.Rule == id {
			found = append(found, c)
		}
	}
	if len(found) <= n {
		t.Fatalf("no clock %d of %s among %d clocks", n, id, len(clocks))
	}
	return found[n]
}

func TestInvestigationClock(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	// Art. 172(1): a less serious case registered on 02/03/2026 has 2 months: 02/05/2026 is a
	// Saturday after the 30/4–1/5 holidays, so the last day moves to Monday 04/05/2026.
	s := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2026, 3, 2).Add(8*time.Hour))
	c := clockOf(t, Clocks(s.cs, cal, date(2026, 3, 20)), RuleInvestigation, 0)
	if !c.Due.Latest.LastDay.Equal(date(2026, 5, 4)) || c.Status != ClockRunning || c.ExtensionsLeft != 1 || c.DaysLeft != 45 {
		t.Fatalf("investigation ÍNT: last day %s status %s left %d days %d\n%s", c.Due.Latest.LastDay.Format(time.DateOnly), c.Status, c.ExtensionsLeft, c.DaysLeft, c.ExplanationVI)
	}
	if !strings.Contains(c.ExplanationVI, "Điều 172") || !strings.Contains(c.ExplanationEN, "Art. 134") {
		t.Errorf("explanation lacks the articles: %s", c.ExplanationVI)
	}
	// Art. 172(2): one extension of 2 months for ÍNT, running on from the last day.
	s.add(date(2026, 4, 20), StepExtendInvestigation)
	c = clockOf(t, Clocks(s.cs, cal, date(2026, 4, 21)), RuleInvestigation, 0)
	if !c.Due.Latest.LastDay.Equal(date(2026, 7, 6)) || c.ExtensionsLeft != 0 || len(c.Extensions) != 1 {
		t.Fatalf("after the extension: %s left %d\n%s", c.Due.Latest.LastDay.Format(time.DateOnly), c.ExtensionsLeft, c.ExplanationVI)
	}
	// Missed once the latest reading has passed without a conclusion.
	if c := clockOf(t, Clocks(s.cs, cal, date(2026, 7, 7).Add(time.Minute)), RuleInvestigation, 0); c.Status != ClockMissed || c.DaysLeft != -1 {
		t.Fatalf("after expiry: %s, %d days", c.Status, c.DaysLeft)
	}
	// Due soon inside the warning window before the earliest reading.
	if c := clockOf(t, Clocks(s.cs, cal, date(2026, 6, 25)), RuleInvestigation, 0); c.Status != ClockDueSoon {
		t.Fatalf("ten days before: %s", c.Status)
	}
	// Met on time by the conclusion; reclassification to very serious gives 4 months from the
	// same start, with the time already used (TTLT 04/2018 Art. 14).
	s.cs.Class = domain.ClassVerySerious
	c = clockOf(t, Clocks(s.cs, cal, date(2026, 4, 21)), RuleInvestigation, 0)
	if !c.Due.Latest.LastDay.Equal(date(2026, 11, 2)) || c.ExtensionsLeft != 1 {
		t.Fatalf("reclassified RNT: %s left %d\n%s", c.Due.Latest.LastDay.Format(time.DateOnly), c.ExtensionsLeft, c.ExplanationVI)
	}
	s.add(date(2026, 6, 1), StepConcludeInvestigation)
	clocks := Clocks(s.cs, cal, date(2026, 6, 2))
	if c := clockOf(t, clocks, RuleInvestigation, 0); c.Status != ClockMet || c.EndedOn == nil {
		t.Fatalf("concluded: %s", c.Status)
	}
	// Art. 240(1): the prosecution decision clock starts with the file: 30 days for RNT.
	if p := clockOf(t, clocks, RuleProsecutionDecision, 0); !p.Due.Latest.LastDay.Equal(date(2026, 7, 1)) || p.Status != ClockRunning {
		t.Fatalf("prosecution RNT: %s %s\n%s", p.Due.Latest.LastDay.Format(time.DateOnly), p.Status, p.ExplanationVI)
	}
}

// Suspension stops the investigation clock; resumption starts the Art. 174(1) clock afresh.
func TestSuspensionStopsAndResumptionRestarts(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	s := newClockStory(domain.ClassSerious, domain.KindCase, date(2026, 1, 5))
	s.add(date(2026, 2, 2), StepSuspendInvestigation)
	s.add(date(2026, 8, 3), StepResumeInvestigation)
	clocks := Clocks(s.cs, cal, date(2026, 8, 4))
	if c := clockOf(t, clocks, RuleInvestigation, 0); c.Status != ClockStopped {
		t.Fatalf("suspended investigation: %s", c.Status)
	}
	// NT resumed: 2 months from 03/08/2026 → 03/10/2026 is a Saturday → Monday 05/10/2026.
	r := clockOf(t, clocks, RuleInvestigationResumed, 0)
	if !r.Due.Latest.LastDay.Equal(date(2026, 10, 5)) || r.Status != ClockRunning || r.ExtensionsLeft != 1 {
		t.Fatalf("resumed: %s %s %d\n%s", r.Due.Latest.LastDay.Format(time.DateOnly), r.Status, r.ExtensionsLeft, r.ExplanationVI)
	}
}

// A report resolved late is met late; a report with an unknown class still has its 20 days.
func TestReportClockAndApprovals(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	s := newClockStory("", domain.KindReport, date(2026, 3, 2))
	s.cs.Kind = domain.KindCase // instituted since
	s.add(date(2026, 3, 30), StepInstituteCase)
	clocks := Clocks(s.cs, cal, date(2026, 4, 1))
	c := clockOf(t, clocks, RuleReportResolution, 0)
	if !c.Due.Latest.LastDay.Equal(date(2026, 3, 23)) || c.Status != ClockMetLate {
		t.Fatalf("report resolved after 20 days: %s %s\n%s", c.Due.Latest.LastDay.Format(time.DateOnly), c.Status, c.ExplanationVI)
	}
	for _, cl := range clocks {
		if cl.Rule == RuleInvestigation {
			t.Fatalf("an investigation clock with no class: %+v", cl)
		}
	}
	// Art. 179(3): three days to approve the prosecution of an accused; unanswered after them it
	// is missed. Art. 110(6): twelve hours for an urgent holding.
	p := s.add(date(2026, 4, 1), StepInstituteAccused)
	p.RequiresApproval, p.Status, p.AccusedIDs = true, domain.DecisionPending, []string{"a1"}
	u := s.add(date(2026, 4, 1), StepUrgentHold)
	u.RequiresApproval, u.Status, u.RecordedAt = true, domain.DecisionPending, date(2026, 4, 1).Add(21*time.Hour)
	clocks = Clocks(s.cs, cal, date(2026, 4, 2).Add(8*time.Hour))
	if a := clockOf(t, clocks, RuleAccusedApproval, 0); a.Status != ClockRunning || !a.Due.Latest.LastDay.Equal(date(2026, 4, 4)) || a.AccusedID != "a1" {
		t.Fatalf("approval clock: %s %s", a.Status, a.Due.Latest.LastDay.Format(time.DateOnly))
	}
	if h := clockOf(t, clocks, RuleUrgentArrestApproval, 0); h.Status != ClockDueSoon || !h.Due.Latest.Deadline.Equal(date(2026, 4, 2).Add(9*time.Hour)) {
		t.Fatalf("12-hour clock at 08:00 for 09:00: %s %s", h.Status, h.Due.Latest.Deadline)
	}
	if a := clockOf(t, Clocks(s.cs, cal, date(2026, 4, 6)), RuleAccusedApproval, 0); a.Status != ClockMissed {
		t.Fatalf("unanswered after 3 days: %s", a.Status)
	}
	// The answer meets it.
	s.cs.Decisions = append(s.cs.Decisions, domain.Decision{ID: "ans", Seq: 99, Step: "decide_approval", DecidesID: p.ID, Status: domain.DecisionEffective,
		IssuedOn: date(2026, 4, 3), EffectiveOn: date(2026, 4, 3), RecordedAt: date(2026, 4, 3).Add(10 * time.Hour)})
	if a := clockOf(t, Clocks(s.cs, cal, date(2026, 4, 6)), RuleAccusedApproval, 0); a.Status != ClockMet {
		t.Fatalf("answered on day 2: %s", a.Status)
	}
}

// A detention order ends at 24:00 of its ordered end date, through weekends and holidays; a
// person still held after it is a violation; custody days are credited in the explanation.
func TestMeasureClocks(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	p := func(t time.Time) *time.Time { return &t }
	s := newClockStory(domain.ClassSerious, domain.KindCase, date(2026, 3, 1))
	s.cs.Accused = []domain.Accused{{ID: "a1", Status: domain.AccusedInstituted, OffenceDate: date(2026, 2, 27), Measures: []domain.Measure{
		{ID: "m1", Kind: domain.MeasureCustody, Status: domain.MeasureEnded, StartAt: date(2026, 3, 1).Add(10 * time.Hour), OrderedEnd: p(date(2026, 3, 3)), EndedAt: p(date(2026, 3, 3).Add(16 * time.Hour))},
		{ID: "m2", Kind: domain.MeasureDetention, Status: domain.MeasureActive, StartAt: date(2026, 3, 3).Add(17 * time.Hour), OrderedEnd: p(date(2026, 5, 31))},
	}}}
	clocks := Clocks(s.cs, cal, date(2026, 5, 31).Add(20*time.Hour))
	if c := clockOf(t, clocks, RuleCustodyPeriod, 0); c.Status != ClockMet {
		t.Fatalf("custody released on its last day: %s", c.Status)
	}
	d := clockOf(t, clocks, RuleDetentionPeriod, 0)
	if d.Status != ClockDueSoon || !d.Due.Latest.Deadline.Equal(date(2026, 6, 1)) || !strings.Contains(d.ExplanationVI, "3 ngày tạm giữ") {
		t.Fatalf("detention on its last evening: %s %s\n%s", d.Status, d.Due.Latest.Deadline, d.ExplanationVI)
	}
	// 31/5/2026 is a Sunday: detention does not roll over. One minute past 24:00 it is a violation.
	if d := clockOf(t, Clocks(s.cs, cal, date(2026, 6, 1).Add(time.Minute)), RuleDetentionPeriod, 0); d.Status != ClockMissed {
		t.Fatalf("held past the order: %s", d.Status)
	}
	// Released a day late: met late.
	s.cs.Accused[0].Measures[1].Status, s.cs.Accused[0].Measures[1].EndedAt = domain.MeasureEnded, p(date(2026, 6, 1).Add(9*time.Hour))
	if d := clockOf(t, Clocks(s.cs, cal, date(2026, 6, 2)), RuleDetentionPeriod, 0); d.Status != ClockMetLate {
		t.Fatalf("released a day late: %s", d.Status)
	}
}

func TestRuleTableIsConsistent(t *testing.T) {
	seen := map[RuleID]bool{}
	for _, r := range Rules {
		if seen[r.ID] || r.NameVI == "" || r.NameEN == "" || r.Article == "" || len(r.Length) == 0 || r.EffectiveFrom.IsZero() {
			t.Errorf("rule %s incomplete or repeated", r.ID)
		}
		seen[r.ID] = true
		for _, st := range append(append(append([]domain.Step{}, r.StartsOn...), r.MetBy...), r.StoppedBy...) {
			if _, ok := ByStep(st); !ok {
				t.Errorf("rule %s names unknown step %s", r.ID, st)
			}
		}
		if r.Ladder != nil {
			if _, ok := ByStep(r.Ladder.Step); !ok {
				t.Errorf("rule %s: ladder step %s unknown", r.ID, r.Ladder.Step)
			}
		}
		for _, st := range r.ClosedBy {
			if _, ok := ByStep(st); !ok {
				t.Errorf("rule %s is closed by unknown step %s", r.ID, st)
			}
		}
		if r.Shortens != "" {
			if g, ok := RuleByID(r.Shortens); !ok || g.Shortens != "" || g.Kind != ruleKindCase || len(r.StartsOn) > 0 {
				t.Errorf("rule %s shortens %s, which must be a general case rule, and starts only with it", r.ID, r.Shortens)
			}
		}
		// Every rule has a length for each class, so that the rule table served by the API is complete.
		for _, c := range domain.SeverityClasses {
			if _, ok := r.Length.For(c); !ok {
				t.Errorf("rule %s has no length for %s", r.ID, c)
			}
		}
	}
}

// Open clocks come first, soonest latest deadline at the top; ended ones follow, most recently
// ended first.
func TestSortByUrgency(t *testing.T) {
	at := func(d int) Due { return Due{Latest: Reading{Deadline: date(2026, 5, d)}} }
	ended := func(d int) *time.Time { e := date(2026, 4, d); return &e }
	clocks := []Clock{
		{Rule: "a", Status: ClockMet, EndedOn: ended(1), Due: at(1)},
		{Rule: "b", Status: ClockRunning, Due: at(20)},
		{Rule: "c", Status: ClockStopped, EndedOn: ended(9), Due: at(2)},
		{Rule: "d", Status: ClockDueSoon, Due: at(10)},
		{Rule: "e", Status: ClockMissed, Due: at(3)},
		{Rule: "f", Status: ClockRunning, Due: at(10)},
	}
	SortByUrgency(clocks)
	var got []string
	for _, c := range clocks {
		got = append(got, string(c.Rule))
	}
	if strings.Join(got, "") != "edfbca" {
		t.Fatalf("order %v, want e d f b c a", got)
	}
}

// Art. 149: a resumed report has at most one month; the suspended 20-day clock stays stopped.
func TestResumedReportClock(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	s := newClockStory("", domain.KindReport, date(2026, 6, 1))
	s.add(date(2026, 6, 10), StepSuspendReport)
	s.add(date(2026, 9, 14), StepResumeReport)
	clocks := Clocks(s.cs, cal, date(2026, 9, 15))
	if c := clockOf(t, clocks, RuleReportResolution, 0); c.Status != ClockStopped {
		t.Fatalf("suspended report: %s", c.Status)
	}
	if c := clockOf(t, clocks, RuleReportResumed, 0); !c.Due.Latest.LastDay.Equal(date(2026, 10, 14)) || c.Status != ClockRunning {
		t.Fatalf("resumed report: %s %s", c.Due.Latest.LastDay.Format(time.DateOnly), c.Status)
	}
}

// A pending decision recorded days after it was issued is timed from its issue date, not from
// when someone typed it in.
func TestBackdatedApprovalClock(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	s := newClockStory(domain.ClassSerious, domain.KindCase, date(2026, 3, 2))
	p := s.add(date(2026, 3, 10), StepDetention)
	p.RequiresApproval, p.Status, p.RecordedAt = true, domain.DecisionPending, date(2026, 3, 20).Add(15*time.Hour)
	c := clockOf(t, Clocks(s.cs, cal, date(2026, 3, 20).Add(16*time.Hour)), RuleDetentionApproval, 0)
	if !c.Start.Equal(date(2026, 3, 10)) || c.Status != ClockMissed {
		t.Fatalf("backdated pending order: start %s status %s", c.Start, c.Status)
	}
}

// The law's maximum for one detention order follows the stage it serves (Arts. 173(1), 241, 278, 329(3)).
func TestDetentionMaximumByStage(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	p := func(t time.Time) *time.Time { return &t }
	for _, c := range []struct {
		stage   domain.MeasureStage
		class   domain.SeverityClass
		article string
		max     time.Time
	}{
		{domain.MeasureForInvestigation, domain.ClassSerious, "Điều 173(1)", date(2026, 6, 8)},  // 3 × 30 days from 10/03
		{domain.MeasureForProsecution, domain.ClassSerious, "Điều 241", date(2026, 3, 30)},      // 20 days
		{domain.MeasureForProsecution, domain.ClassVerySerious, "Điều 241", date(2026, 4, 9)},   // 30 days
		{domain.MeasureForTrial, domain.ClassSerious, "Điều 278", date(2026, 4, 24)},            // 45 days
		{domain.MeasureForTrial, domain.ClassParticularlySerious, "Điều 278", date(2026, 6, 8)}, // 3 months = 90 days
		{domain.MeasureAfterVerdict, domain.ClassLessSerious, "Điều 329(3)", date(2026, 4, 24)}, // 45 days
	} {
		s := newClockStory(c.class, domain.KindCase, date(2026, 1, 5))
		s.cs.Accused = []domain.Accused{{ID: "a1", Status: domain.AccusedInstituted, Measures: []domain.Measure{{ID: "m1", Kind: domain.MeasureDetention,
			Stage: c.stage, Status: domain.MeasureActive, StartAt: date(2026, 3, 10).Add(10 * time.Hour), OrderedEnd: p(date(2026, 3, 20))}}}}
		d := clockOf(t, Clocks(s.cs, cal, date(2026, 3, 11)), RuleDetentionPeriod, 0)
		if !strings.Contains(d.ExplanationVI, c.article) || !strings.Contains(d.ExplanationVI, c.max.Format("02/01/2006")) {
			t.Errorf("%s %s: want the maximum %s under %s in: %s", c.stage, c.class, c.max.Format(time.DateOnly), c.article, d.ExplanationVI)
		}
	}
}
