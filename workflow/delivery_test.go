package workflow

import (
	"testing"
	"time"

	"kiemsat/domain"
)

// deliveryCase is a case with one decision of step issued by issuer on issued and received by the
// procuracy at received (nil: receipt not recorded).
func deliveryCase(step domain.Step, issuer domain.IssuerBody, issued time.Time, received *time.Time) *CaseState {
	return &CaseState{ID: "c1", Stage: domain.StageInvestigation, Kind: domain.KindCase, Class: domain.ClassSerious, RegisteredAs: domain.KindCase,
		ReceivedAt: issued.AddDate(0, -1, 0), Decisions: []domain.Decision{{ID: "d1", Seq: 1, Step: step, Issuer: issuer, Status: domain.DecisionEffective,
			IssuedOn: domain.DateOf(issued), EffectiveOn: domain.DateOf(issued), ReceivedAt: received, FromStage: domain.StageInvestigation,
			ToStage: domain.StageInvestigation}}}
}

func deliveryClockOf(t *testing.T, cs *CaseState, rule RuleID, now time.Time) *Clock {
	t.Helper()
	for _, c := range Clocks(cs, NewCalendar(DefaultCalendarDays(), true), now) {
		if c.Rule == rule {
			return &c
		}
	}
	return nil
}

// The limits for sending a decision to the procuracy run from its issue, whose hour is not
// recorded (earliest reading from 00:00, latest from 24:00 of the issue day), to its receipt.
func TestDeliveryLimits(t *testing.T) {
	at := func(y int, m time.Month, d, h int) *time.Time {
		t := time.Date(y, m, d, h, 0, 0, 0, domain.ICT)
		return &t
	}
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, domain.ICT) // after every receipt below
	for _, c := range []struct {
		name           string
		step           domain.Step
		issuer         domain.IssuerBody
		issued         time.Time
		received       *time.Time
		rule           RuleID
		status         ClockStatus
		latestDeadline string
	}{
		// Điều 154(2): the institution decision reaches the procuracy within 24 hours.
		{"Art. 154(2) institution received the next evening", StepInstituteCase, domain.IssuerInvestigation, *at(2026, 3, 2, 0), at(2026, 3, 3, 20),
			RuleInstitutionNotice, ClockMet, "2026-03-04T00:00"},
		{"Art. 154(2) institution received two days on", StepInstituteCase, domain.IssuerInvestigation, *at(2026, 3, 2, 0), at(2026, 3, 4, 8),
			RuleInstitutionNotice, ClockMetLate, "2026-03-04T00:00"},
		// Điều 117(4): the custody decision within 12 hours.
		{"Art. 117(4) custody received by noon the next day", StepCustody, domain.IssuerInvestigation, *at(2026, 3, 2, 0), at(2026, 3, 3, 11),
			RuleCustodyDecisionToVKS, ClockMet, "2026-03-03T12:00"},
		{"Art. 117(4) custody received after noon the next day", StepCustody, domain.IssuerInvestigation, *at(2026, 3, 2, 0), at(2026, 3, 3, 13),
			RuleCustodyDecisionToVKS, ClockMetLate, "2026-03-03T12:00"},
		// Điều 232(4): the conclusion within 2 days; issued Wed 29/04/2026, the last day is 01/05 (a
		// holiday: these limits do not roll over).
		{"Art. 232(4) conclusion received on 1 May", StepConcludeInvestigation, domain.IssuerInvestigation, *at(2026, 4, 29, 0), at(2026, 5, 1, 18),
			RuleConclusionDelivery, ClockMet, "2026-05-02T00:00"},
		{"Art. 232(4) conclusion received on 2 May", StepConcludeInvestigation, domain.IssuerInvestigation, *at(2026, 4, 29, 0), at(2026, 5, 2, 8),
			RuleConclusionDelivery, ClockMetLate, "2026-05-02T00:00"},
		// Điều 262(1): the judgment within 10 days.
		{"Art. 262(1) judgment received on the 10th day", StepPronounce, domain.IssuerCourt, *at(2026, 5, 4, 0), at(2026, 5, 14, 16),
			RuleJudgmentDelivery, ClockMet, "2026-05-15T00:00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := deliveryClockOf(t, deliveryCase(c.step, c.issuer, c.issued, c.received), c.rule, now)
			if k == nil {
				t.Fatal("no clock")
			}
			if k.Status != c.status || k.Subject != "decision" || k.SubjectID != "d1" || k.Due.Latest.Deadline.In(domain.ICT).Format("2006-01-02T15:04") != c.latestDeadline {
				t.Fatalf("%s: status %s, latest %s (%s)", c.rule, k.Status, k.Due.Latest.Deadline.In(domain.ICT).Format("2006-01-02T15:04"), k.ExplanationVI)
			}
			if k.EndedOn == nil || !k.EndedOn.Equal(*c.received) {
				t.Fatalf("ended %v, want the receipt %v", k.EndedOn, c.received)
			}
		})
	}
	// Without a recorded receipt there is no clock; nor for the procuracy's own decisions.
	if k := deliveryClockOf(t, deliveryCase(StepInstituteCase, domain.IssuerInvestigation, *at(2026, 3, 2, 0), nil), RuleInstitutionNotice, now); k != nil {
		t.Fatalf("a clock without a receipt: %+v", k)
	}
	if k := deliveryClockOf(t, deliveryCase(StepInstituteCase, domain.IssuerProcuracy, *at(2026, 3, 2, 0), at(2026, 3, 2, 9)), RuleInstitutionNotice, now); k != nil {
		t.Fatalf("a delivery clock on the procuracy's own decision: %+v", k)
	}
}

// A receipt is recorded only for another body's decision, never in the future, never before the
// issue.
func TestReceivedAtChecks(t *testing.T) {
	cs := permissive(domain.StageInvestigation)
	for _, c := range []struct {
		issuer   domain.IssuerBody
		received time.Time
		rule     string
	}{
		{domain.IssuerProcuracy, now, "own_decision"},
		{domain.IssuerInvestigation, now.Add(time.Hour), "not_future"},
		{domain.IssuerInvestigation, now.AddDate(0, 0, -2), "date_order"},
	} {
		step := StepSuspendInvestigation
		if c.issuer == domain.IssuerProcuracy {
			step = StepExtendInvestigation // a decision the procuracy issues itself
		}
		req := requestFor(mustStep(t, step), cs)
		req.Issuer, req.ReceivedAt = c.issuer, &c.received
		if _, err := Apply(cs, req, chiefAt(domain.LevelRegional), now); rule(err) != c.rule {
			t.Errorf("received %s from %s: %v, want %s", c.received, c.issuer, err, c.rule)
		}
	}
}

// Điều 379(1) BLTTHS: a cassation protest against the convicted within one year of the judgment
// taking effect (15/01/2026 → 15/01/2027, a Friday). Protested within the year it is met; left
// unused the window closes as cancelled: the right lapsed, which is no violation.
func TestCassationProtestWindow(t *testing.T) {
	effectiveOn := time.Date(2026, 1, 15, 0, 0, 0, 0, domain.ICT)
	cs := &CaseState{ID: "c1", Stage: domain.StageExecution, Kind: domain.KindCase, Class: domain.ClassSerious, RegisteredAs: domain.KindCase,
		ReceivedAt: effectiveOn.AddDate(-1, 0, 0), Decisions: []domain.Decision{{ID: "d1", Seq: 1, Step: StepJudgmentEffective, Issuer: domain.IssuerCourt,
			Status: domain.DecisionEffective, IssuedOn: effectiveOn, EffectiveOn: effectiveOn, FromStage: domain.StageAppeal, ToStage: domain.StageExecution}}}
	k := deliveryClockOf(t, cs, RuleCassationProtest, effectiveOn.AddDate(0, 6, 0))
	if k == nil || k.Status != ClockRunning || k.Due.Latest.LastDay.Format(time.DateOnly) != "2027-01-15" {
		t.Fatalf("six months on: %+v", k)
	}
	if k := deliveryClockOf(t, cs, RuleCassationProtest, effectiveOn.AddDate(1, 1, 0)); k == nil || k.Status != ClockCancelled {
		t.Fatalf("unused a year on: %+v", k)
	}
	protest := time.Date(2026, 9, 1, 0, 0, 0, 0, domain.ICT)
	cs.Stage = domain.StageCassation
	cs.Decisions = append(cs.Decisions, domain.Decision{ID: "d2", Seq: 2, Step: StepProtestCassation, Issuer: domain.IssuerProcuracy,
		Status: domain.DecisionEffective, IssuedOn: protest, EffectiveOn: protest, FromStage: domain.StageExecution, ToStage: domain.StageCassation})
	if k := deliveryClockOf(t, cs, RuleCassationProtest, effectiveOn.AddDate(1, 1, 0)); k == nil || k.Status != ClockMet {
		t.Fatalf("protested in September: %+v", k)
	}
}
