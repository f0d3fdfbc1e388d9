package workflow

import (
	"slices"
	"testing"
	"time"

	"kiemsat/domain"
)

// A clock is judged by the version of its rule in force when it started (reference §6; a law
// shortens or lengthens what starts after it). With a hypothetical amendment of Điều 240(1) in
// force from 01/07/2026 giving 40 days to decide on prosecution, a file received on 20/06/2026
// keeps the 20 days of the old text and one received on 06/07/2026 gets 40; warnings follow the
// version too.
func TestRuleVersionInForceAtTheStart(t *testing.T) {
	saved := Rules
	t.Cleanup(func() { Rules = saved })
	old, _ := RuleByID(RuleProsecutionDecision)
	amended := old
	amended.Length = ByClass{everyClass: d(40)}
	amended.WarnDays = 9
	amended.EffectiveFrom = time.Date(2026, 7, 1, 0, 0, 0, 0, domain.ICT)
	Rules = append(slices.Clone(saved), amended)

	if r, _ := RuleByID(RuleProsecutionDecision); !r.EffectiveFrom.Equal(amended.EffectiveFrom) {
		t.Fatalf("RuleByID gives the version of %s, want the newest", r.EffectiveFrom)
	}
	cal := NewCalendar(DefaultCalendarDays(), true)
	for _, c := range []struct {
		concluded time.Time
		want      int
		warn      time.Duration
	}{
		{time.Date(2026, 6, 20, 9, 0, 0, 0, domain.ICT), 20, 5 * 24 * time.Hour},
		{time.Date(2026, 7, 6, 9, 0, 0, 0, domain.ICT), 40, 9 * 24 * time.Hour},
	} {
		cs := &CaseState{ID: "c1", Stage: domain.StageProsecution, Kind: domain.KindCase, Class: domain.ClassLessSerious, RegisteredAs: domain.KindCase,
			ReceivedAt: c.concluded.AddDate(0, -2, 0), Decisions: []domain.Decision{{ID: "d1", Seq: 1, Step: StepConcludeInvestigation,
				Status: domain.DecisionEffective, IssuedOn: domain.DateOf(c.concluded), EffectiveOn: domain.DateOf(c.concluded),
				FromStage: domain.StageInvestigation, ToStage: domain.StageProsecution}}}
		var got []Clock
		for _, k := range Clocks(cs, cal, c.concluded.AddDate(0, 0, 1)) {
			if k.Rule == RuleProsecutionDecision {
				got = append(got, k)
			}
		}
		if len(got) != 1 || got[0].Length.N != c.want {
			t.Fatalf("file received %s: %d prosecution clocks %+v, want one of %d days", c.concluded.Format(time.DateOnly), len(got), got, c.want)
		}
		if w := got[0].Due.Earliest.Deadline.Sub(WarnAt(got[0])); w != c.warn {
			t.Errorf("file received %s: warning %s before the earliest reading, want %s", c.concluded.Format(time.DateOnly), w, c.warn)
		}
	}
}

// The date a request reached the procuracy is recorded only with an extension, and not after the
// extension it asked for.
func TestRequestedOnDates(t *testing.T) {
	cs := permissive(domain.StageInvestigation)
	req := requestFor(mustStep(t, StepSuspendInvestigation), cs)
	req.RequestedOn = ptr(now)
	if _, err := Apply(cs, req, chiefAt(domain.LevelRegional), now); rule(err) != "not_extension" {
		t.Fatalf("requested_on on a suspension: %v", err)
	}
	cs = permissive(domain.StageInvestigation)
	req = requestFor(mustStep(t, StepExtendDetention), cs)
	req.RequestedOn = ptr(req.IssuedOn.AddDate(0, 0, 1))
	if _, err := Apply(cs, req, chiefAt(domain.LevelRegional), now.AddDate(0, 0, 2)); rule(err) != "date_order" {
		t.Fatalf("requested after the extension: %v", err)
	}
}

func mustStep(t *testing.T, step domain.Step) Transition {
	t.Helper()
	tr, ok := ByStep(step)
	if !ok {
		t.Fatalf("no step %s", step)
	}
	return tr
}
