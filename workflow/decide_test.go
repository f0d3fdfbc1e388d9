package workflow

import (
	"testing"
	"time"

	"kiemsat/domain"
)

func pendingOf(step domain.Step, accused, measure string) domain.Decision {
	return domain.Decision{ID: "p1", Seq: 9, Step: step, Status: domain.DecisionPending, IssuedOn: day0, AccusedIDs: []string{accused}, MeasureID: measure,
		RequiresApproval: true}
}

func TestDecideOutcomes(t *testing.T) {
	chief := chiefAt(domain.LevelRegional)
	cs := permissive(domain.StageInvestigation)
	cs.Accused[0].Status = domain.AccusedPending
	cs.Accused[0].Measures[0].Status = domain.MeasurePending

	res, err := Decide(cs, pendingOf(StepInstituteAccused, "a1", ""), domain.OutcomeApprove, chief, now, now)
	if err != nil || res.AccusedTo["a1"] != domain.AccusedInstituted {
		t.Fatalf("approve institution: %v %v", res.AccusedTo, err)
	}
	res, err = Decide(cs, pendingOf(StepInstituteAccused, "a1", ""), domain.OutcomeRefuse, chief, now, now)
	if err != nil || res.AccusedTo["a1"] != domain.AccusedCancelled {
		t.Fatalf("refuse institution: %v %v", res.AccusedTo, err)
	}
	// Refusing an urgent hold means release: the measure is refused.
	res, err = Decide(cs, pendingOf(StepUrgentHold, "a1", "m1"), domain.OutcomeRefuse, chief, now, now)
	if err != nil || res.MeasureTo["m1"] != domain.MeasureRefused {
		t.Fatalf("refuse urgent hold: %v %v", res.MeasureTo, err)
	}
	// Approving an extension activates the new order and ends the one it extends.
	cs.Accused[0].Measures = append(cs.Accused[0].Measures, domain.Measure{ID: "m3", AccusedID: "a1", Kind: domain.MeasureCustody, ExtendsID: "m1", ExtensionNo: 1,
		Status: domain.MeasurePending})
	res, err = Decide(cs, pendingOf(StepExtendCustody, "a1", "m3"), domain.OutcomeApprove, chief, now, now)
	if err != nil || res.MeasureTo["m3"] != domain.MeasureActive || res.MeasureTo["m1"] != domain.MeasureEnded {
		t.Fatalf("approve custody extension: %v %v", res.MeasureTo, err)
	}
	// Bad answers.
	cases := []struct {
		name     string
		pending  domain.Decision
		outcome  domain.Outcome
		actor    Actor
		issued   time.Time
		wantCode domain.ErrorCode
		wantRule string
	}{
		{"not pending", domain.Decision{Step: StepInstituteAccused, Status: domain.DecisionApproved}, domain.OutcomeApprove, chief, now, domain.CodeConflict, "not_pending"},
		{"bad outcome", pendingOf(StepInstituteAccused, "a1", ""), "maybe", chief, now, domain.CodeInvalid, "enum"},
		{"future", pendingOf(StepInstituteAccused, "a1", ""), domain.OutcomeApprove, chief, now.AddDate(0, 0, 2), domain.CodeInvalid, "not_future"},
		{"before the pending decision", pendingOf(StepInstituteAccused, "a1", ""), domain.OutcomeApprove, chief, day0.AddDate(0, 0, -1), domain.CodeInvalid, "date_order"},
		{"prosecutor", pendingOf(StepInstituteAccused, "a1", ""), domain.OutcomeApprove,
			Actor{OnTeam: true, Grants: []ActorGrant{{Role: domain.RoleProsecutor, AtCaseUnit: true}}}, now, domain.CodeForbidden, "role"},
		{"superior unit, approver is the supervising unit", pendingOf(StepInstituteAccused, "a1", ""), domain.OutcomeApprove,
			Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelProvincial, Above: true}}}, now, domain.CodeInvalid, "approver_level"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(cs, c.pending, c.outcome, c.actor, c.issued, now)
			if domain.ErrorCodeOf(err) != c.wantCode || rule(err) != c.wantRule {
				t.Fatalf("got %v, want %s/%s", err, c.wantCode, c.wantRule)
			}
		})
	}
}

func TestCustodyDaysCredited(t *testing.T) {
	d := func(m, dd, h int) time.Time { return time.Date(2026, time.Month(m), dd, h, 0, 0, 0, domain.ICT) }
	p := func(t time.Time) *time.Time { return &t }
	measures := []domain.Measure{
		// 3 days ordered, 1–3 March, ended as ordered.
		{Kind: domain.MeasureCustody, Status: domain.MeasureEnded, StartAt: d(3, 1, 22), OrderedEnd: p(d(3, 3, 0))},
		// Extension 4–6 March, released early on 5 March.
		{Kind: domain.MeasureCustody, Status: domain.MeasureEnded, StartAt: d(3, 4, 0), OrderedEnd: p(d(3, 6, 0)), EndedAt: p(d(3, 5, 9))},
		// Refused and detention orders do not count.
		{Kind: domain.MeasureCustody, Status: domain.MeasureRefused, StartAt: d(3, 7, 0), OrderedEnd: p(d(3, 9, 0))},
		{Kind: domain.MeasureDetention, Status: domain.MeasureActive, StartAt: d(3, 5, 10), OrderedEnd: p(d(7, 4, 0))},
	}
	if got := CustodyDaysCredited(measures); got != 5 {
		t.Errorf("credited %d days, want 5 (1–3 and 4–5 March)", got)
	}
	if got := CustodyDaysCredited(nil); got != 0 {
		t.Errorf("no measures: %d", got)
	}
}

// Termination of the case, or as to one accused, ends the measures in force (Điều 230(1), 248(1)).
func TestTerminationEndsMeasures(t *testing.T) {
	chief := chiefAt(domain.LevelRegional)
	cs := permissive(domain.StageInvestigation)
	res, err := Apply(cs, Request{Step: StepTerminateInvestigation, Issuer: domain.IssuerInvestigation, IssuedOn: now}, chief, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.To != domain.StageTerminated || res.AccusedTo["a1"] != domain.AccusedTerminated || res.AccusedTo["a2"] != domain.AccusedTerminated ||
		res.MeasureTo["m1"] != domain.MeasureEnded || res.MeasureTo["m2"] != domain.MeasureEnded {
		t.Fatalf("termination: %+v", res)
	}
	res, err = Apply(cs, Request{Step: StepTerminateAccused, Issuer: domain.IssuerInvestigation, IssuedOn: now, AccusedIDs: []string{"a1"}}, chief, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.To != domain.StageInvestigation || res.AccusedTo["a1"] != domain.AccusedTerminated || len(res.MeasureTo) != 2 || res.AccusedTo["a2"] != "" {
		t.Fatalf("termination as to a1: %+v", res)
	}
	// A suspension changes no measure.
	res, err = Apply(cs, Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerInvestigation, IssuedOn: now}, chief, now)
	if err != nil || len(res.MeasureTo) != 0 || len(res.AccusedTo) != 0 {
		t.Fatalf("suspension: %+v %v", res, err)
	}
}
