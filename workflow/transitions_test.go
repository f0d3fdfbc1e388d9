package workflow

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"kiemsat/domain"
)

var update = flag.Bool("update", false, "rewrite docs/lifecycle.md from the transition table")

func TestLifecycleDoc(t *testing.T) {
	const path = "../docs/lifecycle.md"
	want := LifecycleMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./workflow -run TestLifecycleDoc -update)", err)
	}
	if string(got) != want {
		t.Fatal("docs/lifecycle.md is stale: run go test ./workflow -run TestLifecycleDoc -update")
	}
}

func validState(subject domain.Subject, s State) bool {
	switch subject {
	case domain.SubjectCase:
		return domain.Stage(s).Valid()
	case domain.SubjectAccused:
		return s == StateNew || slices.Contains(domain.AccusedStatuses, domain.AccusedStatus(s))
	case domain.SubjectMeasure:
		_, ok := MeasureStatusNames[domain.MeasureStatus(s)]
		return s == StateNew || ok
	}
	return false
}

// The table is internally consistent: unique steps, named documents, defined guards, valid
// states, every stage reachable and every open stage with a way out.
func TestTableIsConsistent(t *testing.T) {
	seen := map[domain.Step]bool{}
	reached := map[domain.Stage]bool{domain.InitialStage(domain.KindReport): true, domain.InitialStage(domain.KindCase): true}
	leaves := map[domain.Stage]bool{}
	for _, tr := range Transitions {
		if seen[tr.Step] {
			t.Errorf("step %s appears twice", tr.Step)
		}
		seen[tr.Step] = true
		if _, ok := DocNames[tr.Doc]; !ok {
			t.Errorf("%s: document %s has no name", tr.Step, tr.Doc)
		}
		if tr.NameVI == "" || tr.NameEN == "" || tr.Article == "" || len(tr.Issuers) == 0 || len(tr.Roles) == 0 || len(tr.From) == 0 {
			t.Errorf("%s: incomplete row %+v", tr.Step, tr)
		}
		for _, g := range tr.Guards {
			if _, ok := guards[g]; !ok {
				t.Errorf("%s: guard %s is not defined", tr.Step, g)
			}
		}
		for _, f := range tr.From {
			if !validState(tr.Subject, f) {
				t.Errorf("%s: from state %q is not a %s state", tr.Step, f, tr.Subject)
			}
		}
		if tr.To != "" && !validState(tr.Subject, tr.To) {
			t.Errorf("%s: to state %q is not a %s state", tr.Step, tr.To, tr.Subject)
		}
		if tr.Approval != nil && tr.Approval.Article == "" {
			t.Errorf("%s: approval without article", tr.Step)
		}
		for _, s := range tr.CaseStages {
			if !s.Valid() {
				t.Errorf("%s: case stage %q invalid", tr.Step, s)
			}
		}
		if tr.Subject == domain.SubjectCase && tr.To != "" {
			reached[domain.Stage(tr.To)] = true
			for _, f := range tr.From {
				if domain.Stage(f) != domain.Stage(tr.To) {
					leaves[domain.Stage(f)] = true
				}
			}
		}
	}
	for _, s := range domain.Stages {
		if !reached[s] {
			t.Errorf("stage %s cannot be reached", s)
		}
		if !s.Final() && !leaves[s] {
			t.Errorf("open stage %s has no way out", s)
		}
		if _, ok := StageNames[s]; !ok {
			t.Errorf("stage %s has no name", s)
		}
	}
	for id := range guards {
		used := false
		for _, tr := range Transitions {
			used = used || slices.Contains(tr.Guards, id)
		}
		if !used {
			t.Errorf("guard %s is defined but no transition uses it", id)
		}
	}
}

var (
	day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, domain.ICT)
	now  = time.Date(2026, 11, 20, 10, 0, 0, 0, domain.ICT)
)

// chiefAt is the chief of the case's own unit, of the given level.
func chiefAt(level domain.UnitLevel) Actor {
	return Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: level, AtCaseUnit: true}}}
}

// permissive is a case at stage s where every history guard of a step starting there holds.
func permissive(s domain.Stage) *CaseState {
	cs := &CaseState{ID: "c1", Stage: s, Kind: domain.KindCase, UnitID: 7, ReceivedAt: day0, HasLead: true, Class: domain.ClassLessSerious,
		Accused: []domain.Accused{{ID: "a1", FullName: "Nguyễn Văn A", Status: domain.AccusedInstituted, OffenceDate: day0,
			Measures: []domain.Measure{
				{ID: "m1", AccusedID: "a1", Kind: domain.MeasureCustody, Status: domain.MeasureActive, StartAt: day0, OrderedEnd: ptr(day0.AddDate(0, 0, 3))},
				{ID: "m2", AccusedID: "a1", Kind: domain.MeasureDetention, Stage: domain.MeasureForInvestigation, Status: domain.MeasureActive,
					StartAt: day0.AddDate(0, 0, 4), OrderedEnd: ptr(day0.AddDate(0, 2, 4))}}},
			{ID: "a2", FullName: "Lê Thị B", Status: domain.AccusedInstituted, OffenceDate: day0}}}
	for i, step := range []domain.Step{StepConcludeInvestigation, StepBringToTrial, StepPronounce} {
		cs.Decisions = append(cs.Decisions, domain.Decision{Seq: i + 1, Step: step, Status: domain.DecisionEffective, IssuedOn: day0, FromStage: s, ToStage: s})
	}
	return cs
}

func ptr[T any](v T) *T { return &v }

// withCalendar gives a permissive case the legal calendar and a fresh history: registered on
// day0 as kind, with no decision yet, so that its first period runs from day0.
func withCalendar(cs *CaseState, kind domain.CaseKind) {
	cs.Calendar = NewCalendar(DefaultCalendarDays(), true)
	cs.RegisteredAs, cs.Decisions = kind, nil
}

// tenOn is 10:00 on a Vietnamese calendar day.
func tenOn(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, domain.ICT) }

// requestFor builds a request that satisfies a step's non-history guards.
func requestFor(tr Transition, cs *CaseState) Request {
	r := Request{Step: tr.Step, Issuer: tr.Issuers[0], IssuedOn: now, EffectiveOn: now, TargetUnitID: 99,
		TargetCase: &TargetCase{ID: "c2", UnitID: cs.UnitID, Stage: domain.StageInvestigation}, ReturnedBy: ReturnedByJudge,
		Charges: []ChargeInput{{Article: "173", Clause: 1, Class: domain.ClassLessSerious}}}
	if tr.Step == StepSplit {
		r.AccusedIDs = []string{"a2"}
	}
	switch tr.Subject {
	case domain.SubjectAccused:
		if !tr.FromState(StateNew) {
			r.AccusedIDs = []string{"a1"}
		}
	case domain.SubjectMeasure:
		r.AccusedIDs = []string{"a1"}
		r.Measure = &MeasureInput{Stage: domain.MeasureForInvestigation, StartAt: now.Add(-time.Hour), OrderedEnd: ptr(now.AddDate(0, 0, 2))}
		switch tr.Step {
		case StepExtendDetention:
			r.MeasureID = "m2"
			r.Measure.OrderedEnd = ptr(day0.AddDate(0, 3, 4))
		case StepExtendCustody:
			r.MeasureID = "m1"
			r.Measure.OrderedEnd = ptr(day0.AddDate(0, 0, 5))
		case StepEndMeasure:
			r.MeasureID, r.Measure = "m1", nil
		}
	}
	return r
}

func levelFor(tr Transition) domain.UnitLevel {
	if len(tr.Levels) > 0 {
		return tr.Levels[0]
	}
	return domain.LevelRegional
}

// Every case step against every stage: it is refused with rule from_stage exactly when the
// table does not list the stage; otherwise no from_stage refusal, and with the permissive
// history the step passes unless one of its own guards is designed to fail on that history.
func TestEveryStageStepPair(t *testing.T) {
	for _, tr := range Transitions {
		if tr.Subject != domain.SubjectCase {
			continue
		}
		for _, s := range domain.Stages {
			t.Run(fmt.Sprintf("%s/%s", tr.Step, s), func(t *testing.T) {
				cs := permissive(s)
				req := requestFor(tr, cs)
				res, err := Apply(cs, req, chiefAt(levelFor(tr)), now)
				allowed := tr.FromState(State(s))
				if !allowed {
					if rule(err) != "from_stage" {
						t.Fatalf("from %s: want refusal from_stage, got %v", s, err)
					}
					return
				}
				if rule(err) == "from_stage" {
					t.Fatalf("from %s: refused although the table allows it: %v", s, err)
				}
				if err != nil {
					// Only the history guards that contradict the permissive history may fail.
					if !slices.Contains([]string{string(GuardLastReturnByCourt), string(GuardLastReturnByProcuracy), string(GuardSummaryApplied)}, rule(err)) {
						t.Fatalf("from %s: unexpected refusal %v", s, err)
					}
					return
				}
				want := s
				if tr.To != "" {
					want = domain.Stage(tr.To)
				}
				if res.To != want || res.From != s {
					t.Fatalf("from %s: moved to %s, want %s", s, res.To, want)
				}
			})
		}
	}
}

// Accused and measure steps: allowed only in their case stages and from their subject states.
func TestAccusedAndMeasureStepsByCaseStage(t *testing.T) {
	for _, tr := range Transitions {
		if tr.Subject == domain.SubjectCase {
			continue
		}
		for _, s := range domain.Stages {
			cs := permissive(s)
			req := requestFor(tr, cs)
			if slices.Contains(tr.Guards, GuardIssuerOfStage) {
				switch s {
				case domain.StageProsecution:
					req.Issuer = domain.IssuerProcuracy
				case domain.StageFirstInstance:
					req.Issuer = domain.IssuerCourt
				}
			}
			_, err := Apply(cs, req, chiefAt(domain.LevelRegional), now)
			want := !s.Final() && (len(tr.CaseStages) == 0 || slices.Contains(tr.CaseStages, s))
			if got := rule(err) != "case_stage"; got != want {
				t.Errorf("%s at %s: allowed=%v want %v (%v)", tr.Step, s, got, want, err)
			}
			if want && err != nil && rule(err) != "from_status" {
				t.Errorf("%s at %s: unexpected refusal %v", tr.Step, s, err)
			}
		}
	}
}

func rule(err error) string {
	de, ok := domain.AsError(err)
	if !ok || len(de.Details) == 0 {
		if err != nil {
			return "?" + err.Error()
		}
		return ""
	}
	return de.Details[0].Rule
}

func article(err error) string {
	de, ok := domain.AsError(err)
	if !ok || len(de.Details) == 0 {
		return ""
	}
	return de.Details[0].Article
}

func TestUnknownStepAndBadInput(t *testing.T) {
	cs := permissive(domain.StageInvestigation)
	actor := chiefAt(domain.LevelRegional)
	cases := []struct {
		name      string
		req       Request
		wantRule  string
		wantField string
	}{
		{"unknown step", Request{Step: "fly_to_moon", Issuer: domain.IssuerProcuracy, IssuedOn: now}, "unknown_step", "step"},
		{"future date", Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerInvestigation, IssuedOn: now.AddDate(0, 0, 1)}, "not_future", "issued_on"},
		{"effective before issued", Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerInvestigation, IssuedOn: now, EffectiveOn: now.AddDate(0, 0, -1)}, "date_order", "effective_on"},
		{"before last decision", Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerInvestigation, IssuedOn: day0.AddDate(0, 0, -1)}, "date_order", "issued_on"},
		{"missing date", Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerInvestigation}, "required", "issued_on"},
		{"wrong issuer", Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerCourt, IssuedOn: now}, "issuer", "issuer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Apply(cs, c.req, actor, now)
			de, ok := domain.AsError(err)
			if !ok || de.Code != domain.CodeInvalid || de.Details[0].Rule != c.wantRule || de.Details[0].Field != c.wantField {
				t.Fatalf("got %v, want invalid %s/%s", err, c.wantField, c.wantRule)
			}
		})
	}
}

func TestActorChecks(t *testing.T) {
	cs := permissive(domain.StageInvestigation)
	req := Request{Step: StepSuspendInvestigation, Issuer: domain.IssuerInvestigation, IssuedOn: now}
	prosecutor := Actor{Grants: []ActorGrant{{Role: domain.RoleProsecutor, Level: domain.LevelRegional, AtCaseUnit: true}}}
	if _, err := Apply(cs, req, prosecutor, now); domain.ErrorCodeOf(err) != domain.CodeForbidden {
		t.Errorf("prosecutor off the team: %v, want forbidden", err)
	}
	prosecutor.OnTeam = true
	if _, err := Apply(cs, req, prosecutor, now); err != nil {
		t.Errorf("prosecutor on the team: %v", err)
	}
	clerk := Actor{Grants: []ActorGrant{{Role: domain.RoleClerk, Level: domain.LevelRegional, AtCaseUnit: true}}}
	if _, err := Apply(cs, req, clerk, now); domain.ErrorCodeOf(err) != domain.CodeForbidden {
		t.Errorf("clerk: %v, want forbidden", err)
	}
	superior := Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelProvincial, Above: true}}}
	if _, err := Apply(cs, req, superior, now); domain.ErrorCodeOf(err) != domain.CodeForbidden || rule(err) != "own_unit" {
		t.Errorf("superior chief on an own-unit step: %v, want forbidden own_unit", err)
	}
	// A cassation protest belongs to the Supreme level: a regional chief gets 422 naming Điều 373.
	ex := permissive(domain.StageExecution)
	preq := Request{Step: StepProtestCassation, Issuer: domain.IssuerProcuracy, IssuedOn: now}
	_, err := Apply(ex, preq, chiefAt(domain.LevelRegional), now)
	if domain.ErrorCodeOf(err) != domain.CodeInvalid || rule(err) != "unit_level" || article(err) != "Điều 373, 400 BLTTHS" {
		t.Errorf("regional cassation protest: %v, want invalid unit_level with the article", err)
	}
	supreme := Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelSupreme, Above: true}}}
	if res, err := Apply(ex, preq, supreme, now); err != nil || res.To != domain.StageCassation {
		t.Errorf("supreme cassation protest: %v %v", res.To, err)
	}
}

// Each guard both passes and fails.
func TestGuards(t *testing.T) {
	actor := chiefAt(domain.LevelRegional)
	type tc struct {
		name  string
		setup func(cs *CaseState, r *Request)
		stage domain.Stage
		step  domain.Step
		fail  GuardID // "" means must pass
	}
	addDecision := func(cs *CaseState, step domain.Step, returnedBy string) {
		cs.Decisions = append(cs.Decisions, domain.Decision{Seq: len(cs.Decisions) + 1, Step: step, Status: domain.DecisionEffective, IssuedOn: day0,
			FromStage: cs.Stage, ToStage: cs.Stage, ReturnedBy: returnedBy})
	}
	cases := []tc{
		{"report extension once", func(cs *CaseState, r *Request) {}, domain.StageReportResolution, StepExtendReport, ""},
		{"report extension twice", func(cs *CaseState, r *Request) { addDecision(cs, StepExtendReport, "") }, domain.StageReportResolution, StepExtendReport, GuardReportExtensionOnce},
		{"no lead", func(cs *CaseState, r *Request) { cs.HasLead = false }, domain.StageInstitution, StepAcceptInstitution, GuardLeadAssigned},
		{"class unknown", func(cs *CaseState, r *Request) { cs.Class = "" }, domain.StageInvestigation, StepExtendInvestigation, GuardClassKnown},
		{"ÍNT one extension left", func(cs *CaseState, r *Request) {}, domain.StageInvestigation, StepExtendInvestigation, ""},
		{"ÍNT second extension", func(cs *CaseState, r *Request) { addDecision(cs, StepExtendInvestigation, "") }, domain.StageInvestigation, StepExtendInvestigation, GuardInvestigationLadder},
		{"ĐBNT third extension", func(cs *CaseState, r *Request) {
			cs.Class = domain.ClassParticularlySerious
			addDecision(cs, StepExtendInvestigation, "")
			addDecision(cs, StepExtendInvestigation, "")
		}, domain.StageInvestigation, StepExtendInvestigation, ""},
		{"ĐBNT fourth extension", func(cs *CaseState, r *Request) {
			cs.Class = domain.ClassParticularlySerious
			for range 3 {
				addDecision(cs, StepExtendInvestigation, "")
			}
		}, domain.StageInvestigation, StepExtendInvestigation, GuardInvestigationLadder},
		{"no instituted accused", func(cs *CaseState, r *Request) {
			cs.Accused[0].Status = domain.AccusedSuspended
			cs.Accused[1].Status = domain.AccusedTerminated
		}, domain.StageInvestigation, StepConcludeInvestigation, GuardHasActiveAccused},
		{"transfer to itself", func(cs *CaseState, r *Request) { r.TargetUnitID = cs.UnitID }, domain.StageInvestigation, StepTransfer, GuardTransferTarget},
		{"join into itself", func(cs *CaseState, r *Request) { r.TargetCase.ID = cs.ID }, domain.StageInvestigation, StepJoin, GuardJoinTarget},
		{"join into other unit", func(cs *CaseState, r *Request) { r.TargetCase.UnitID = 8 }, domain.StageInvestigation, StepJoin, GuardJoinTarget},
		{"join into closed case", func(cs *CaseState, r *Request) { r.TargetCase.Stage = domain.StageClosed }, domain.StageInvestigation, StepJoin, GuardJoinTarget},
		{"prosecution extension twice", func(cs *CaseState, r *Request) { addDecision(cs, StepExtendProsecution, "") }, domain.StageProsecution, StepExtendProsecution, GuardProsecutionExtensionOnce},
		{"indict without conclusion", func(cs *CaseState, r *Request) { cs.Decisions = nil }, domain.StageProsecution, StepIndict, GuardInvestigationConcluded},
		{"third procuracy return", func(cs *CaseState, r *Request) {
			addDecision(cs, StepReturnByProcuracy, "")
			addDecision(cs, StepReturnByProcuracy, "")
		}, domain.StageProsecution, StepReturnByProcuracy, GuardProcuracyReturns},
		{"court returns, judge twice", func(cs *CaseState, r *Request) { addDecision(cs, StepReturnByCourt, ReturnedByJudge) }, domain.StageFirstInstance, StepReturnByCourt, GuardCourtReturns},
		{"court returns, panel after judge", func(cs *CaseState, r *Request) {
			addDecision(cs, StepReturnByCourt, ReturnedByJudge)
			r.ReturnedBy = ReturnedByPanel
		}, domain.StageFirstInstance, StepReturnByCourt, ""},
		{"court return without formation", func(cs *CaseState, r *Request) { r.ReturnedBy = "" }, domain.StageFirstInstance, StepReturnByCourt, GuardCourtReturns},
		{"supplementary back to prosecution after court return", func(cs *CaseState, r *Request) { addDecision(cs, StepReturnByCourt, ReturnedByJudge) }, domain.StageSupplementary, StepConcludeSupplementary, GuardLastReturnByProcuracy},
		{"supplementary back to court after procuracy return", func(cs *CaseState, r *Request) { addDecision(cs, StepReturnByProcuracy, "") }, domain.StageSupplementary, StepResubmitToCourt, GuardLastReturnByCourt},
		{"summary procedure for a serious crime", func(cs *CaseState, r *Request) { cs.Class = domain.ClassSerious }, domain.StageInvestigation, StepApplySummary, GuardSummaryConditions},
		{"summary procedure twice", func(cs *CaseState, r *Request) { cs.SummaryProcedure = true }, domain.StageInvestigation, StepApplySummary, GuardSummaryConditions},
		{"cancel summary not applied", func(cs *CaseState, r *Request) {}, domain.StageInvestigation, StepCancelSummary, GuardSummaryApplied},
		{"judgment without trial decision", func(cs *CaseState, r *Request) { cs.Decisions = nil }, domain.StageFirstInstance, StepPronounce, GuardTrialDecided},
		{"appeal without judgment", func(cs *CaseState, r *Request) { cs.Decisions = cs.Decisions[:2] }, domain.StageFirstInstance, StepAppeal, GuardJudgmentPronounced},
		{"accused without charges", func(cs *CaseState, r *Request) { r.Charges = nil }, domain.StageInvestigation, StepInstituteAccused, GuardChargesGiven},
		{"accused suspension by the court during investigation", func(cs *CaseState, r *Request) { r.Issuer = domain.IssuerCourt }, domain.StageInvestigation, StepSuspendAccused, GuardIssuerOfStage},
		{"detention of a suspect", func(cs *CaseState, r *Request) { cs.Accused[0].Status = domain.AccusedSuspect }, domain.StageInvestigation, StepDetention, GuardAccusedInstituted},
		{"custody of a suspect", func(cs *CaseState, r *Request) { cs.Accused[0].Status = domain.AccusedSuspect }, domain.StageInvestigation, StepCustody, ""},
		{"detention without end date", func(cs *CaseState, r *Request) { r.Measure.OrderedEnd = nil }, domain.StageInvestigation, StepDetention, GuardMeasureDates},
		{"custody of 4 days", func(cs *CaseState, r *Request) { r.Measure.OrderedEnd = ptr(r.Measure.StartAt.AddDate(0, 0, 4)) }, domain.StageInvestigation, StepCustody, GuardCustodyLength},
		{"custody extension of 3 days", func(cs *CaseState, r *Request) {
			r.Measure.OrderedEnd = ptr(cs.Accused[0].Measures[0].OrderedEnd.AddDate(0, 0, 3))
		}, domain.StageInvestigation, StepExtendCustody, ""},
		{"third custody extension", func(cs *CaseState, r *Request) {
			cs.Accused[0].Measures[0].ExtensionNo = 2
			r.Measure.OrderedEnd = ptr(cs.Accused[0].Measures[0].OrderedEnd.AddDate(0, 0, 3))
		}, domain.StageInvestigation, StepExtendCustody, GuardCustodyExtensions},
		{"split one of two accused", func(cs *CaseState, r *Request) {}, domain.StageInvestigation, StepSplit, ""},
		{"split every accused", func(cs *CaseState, r *Request) { r.AccusedIDs = []string{"a1", "a2"} }, domain.StageInvestigation, StepSplit, GuardSplitAccused},
		{"split nobody", func(cs *CaseState, r *Request) { r.AccusedIDs = nil }, domain.StageInvestigation, StepSplit, GuardSplitAccused},
		{"split a stranger", func(cs *CaseState, r *Request) { r.AccusedIDs = []string{"zz"} }, domain.StageInvestigation, StepSplit, GuardSplitAccused},
		{"detention extension of a custody order", func(cs *CaseState, r *Request) { r.MeasureID = "m1" }, domain.StageInvestigation, StepExtendDetention, GuardExtendsKind},
		// Art. 172(2): an ÍNT case registered on 02/03/2026 has 2 months: 02/05/2026 is a Saturday,
		// so the last day rolls to Monday 04/05/2026. An extension that day passes; the next is refused.
		{"Art. 172 investigation extension on the last day", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindCase)
			r.IssuedOn, r.EffectiveOn = tenOn(2026, 5, 4), tenOn(2026, 5, 4)
		}, domain.StageInvestigation, StepExtendInvestigation, ""},
		{"Art. 172 investigation extension after expiry", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindCase)
			r.IssuedOn, r.EffectiveOn = tenOn(2026, 5, 5), tenOn(2026, 5, 5)
		}, domain.StageInvestigation, StepExtendInvestigation, GuardInvestigationNotExpired},
		// Art. 172(2): the investigating body asks at least 10 days before the last day (04/05/2026).
		{"Art. 172(2) extension requested 10 days before the last day", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindCase)
			r.IssuedOn, r.EffectiveOn, r.RequestedOn = tenOn(2026, 4, 28), tenOn(2026, 4, 28), ptr(tenOn(2026, 4, 24))
		}, domain.StageInvestigation, StepExtendInvestigation, ""},
		{"Art. 172(2) extension requested 9 days before the last day", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindCase)
			r.IssuedOn, r.EffectiveOn, r.RequestedOn = tenOn(2026, 4, 28), tenOn(2026, 4, 28), ptr(tenOn(2026, 4, 25))
		}, domain.StageInvestigation, StepExtendInvestigation, GuardRequestInTime},
		// Art. 173(2): the detention order m2 ends on 06/05/2026; the request comes by 26/04/2026.
		{"Art. 173(2) detention extension requested 10 days before the order ends", func(cs *CaseState, r *Request) {
			cs.Calendar = NewCalendar(DefaultCalendarDays(), true)
			r.RequestedOn = ptr(tenOn(2026, 4, 26))
		}, domain.StageInvestigation, StepExtendDetention, ""},
		{"Art. 173(2) detention extension requested 9 days before the order ends", func(cs *CaseState, r *Request) {
			cs.Calendar = NewCalendar(DefaultCalendarDays(), true)
			r.RequestedOn = ptr(tenOn(2026, 4, 27))
		}, domain.StageInvestigation, StepExtendDetention, GuardRequestInTime},
		// Art. 147(2): the report's last day is 23/03/2026; the request comes by 18/03/2026.
		{"Art. 147(2) report extension requested 5 days before the last day", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindReport)
			r.IssuedOn, r.EffectiveOn, r.RequestedOn = tenOn(2026, 3, 20), tenOn(2026, 3, 20), ptr(tenOn(2026, 3, 18))
		}, domain.StageReportResolution, StepExtendReport, ""},
		{"Art. 147(2) report extension requested 4 days before the last day", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindReport)
			r.IssuedOn, r.EffectiveOn, r.RequestedOn = tenOn(2026, 3, 20), tenOn(2026, 3, 20), ptr(tenOn(2026, 3, 19))
		}, domain.StageReportResolution, StepExtendReport, GuardRequestInTime},
		// Điều 333(2), 337(2), 355, 361: a first-instance decision is appealed from where it put the
		// case, and the appellate court answers a decision with a decision, a judgment with a judgment.
		{"Art. 333(2) appeal of the court's termination", func(cs *CaseState, r *Request) { enteredBy(cs, StepTerminateTrial, domain.StageFirstInstance) },
			domain.StageTerminated, StepAppealDecision, ""},
		{"Art. 333(2) appeal of the investigating body's termination", func(cs *CaseState, r *Request) {
			enteredBy(cs, StepTerminateInvestigation, domain.StageInvestigation)
		}, domain.StageTerminated, StepAppealDecision, GuardCourtDecisionAppealable},
		{"Art. 355 appellate judgment on an appealed judgment", func(cs *CaseState, r *Request) { enteredBy(cs, StepProtestAppeal, domain.StageFirstInstance) },
			domain.StageAppeal, StepAppellateJudgment, ""},
		{"Art. 355 appellate judgment on an appealed termination", func(cs *CaseState, r *Request) { enteredBy(cs, StepProtestDecision, domain.StageTerminated) },
			domain.StageAppeal, StepAppellateJudgment, GuardAppealOfJudgment},
		{"Art. 361 upholding an appealed termination", func(cs *CaseState, r *Request) { enteredBy(cs, StepProtestDecision, domain.StageTerminated) },
			domain.StageAppeal, StepAppellateUpholdTermination, ""},
		{"Art. 361 upholding a termination when a suspension was appealed", func(cs *CaseState, r *Request) {
			enteredBy(cs, StepAppealDecision, domain.StageTrialSuspended)
		}, domain.StageAppeal, StepAppellateUpholdTermination, GuardAppealOfTermination},
		{"Art. 361 upholding a suspension when a termination was appealed", func(cs *CaseState, r *Request) {
			enteredBy(cs, StepAppealDecision, domain.StageTerminated)
		}, domain.StageAppeal, StepAppellateUpholdSuspension, GuardAppealOfSuspension},
		{"Art. 361 quashing an appealed suspension", func(cs *CaseState, r *Request) { enteredBy(cs, StepAppealDecision, domain.StageTrialSuspended) },
			domain.StageAppeal, StepAppellateQuashDecision, ""},
		{"Art. 361 quashing a decision when a judgment was appealed", func(cs *CaseState, r *Request) { enteredBy(cs, StepAppeal, domain.StageFirstInstance) },
			domain.StageAppeal, StepAppellateQuashDecision, GuardAppealOfDecision},
		{"investigation extension without a calendar is not judged", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindCase)
			cs.Calendar = nil
		}, domain.StageInvestigation, StepExtendInvestigation, ""},
		// Art. 147(2): a report received on 02/03/2026 has 20 days: 22/03/2026 is a Sunday, so the
		// last day is Monday 23/03/2026.
		{"Art. 147(2) report extension on the last day", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindReport)
			r.IssuedOn, r.EffectiveOn = tenOn(2026, 3, 23), tenOn(2026, 3, 23)
		}, domain.StageReportResolution, StepExtendReport, ""},
		{"Art. 147(2) report extension after expiry", func(cs *CaseState, r *Request) {
			withCalendar(cs, domain.KindReport)
			r.IssuedOn, r.EffectiveOn = tenOn(2026, 3, 24), tenOn(2026, 3, 24)
		}, domain.StageReportResolution, StepExtendReport, GuardReportNotExpired},
		// Art. 240(1): the file and conclusion received on 02/03/2026 give an ÍNT case 20 days, to
		// Sunday 22/03/2026 (the prosecution period does not roll over).
		{"Art. 240(1) prosecution extension on the last day", func(cs *CaseState, r *Request) {
			cs.Calendar = NewCalendar(DefaultCalendarDays(), true)
			cs.Decisions[0].EffectiveOn = day0
			r.IssuedOn, r.EffectiveOn = tenOn(2026, 3, 22), tenOn(2026, 3, 22)
		}, domain.StageProsecution, StepExtendProsecution, ""},
		{"Art. 240(1) prosecution extension after expiry", func(cs *CaseState, r *Request) {
			cs.Calendar = NewCalendar(DefaultCalendarDays(), true)
			cs.Decisions[0].EffectiveOn = day0
			r.IssuedOn, r.EffectiveOn = tenOn(2026, 3, 23), tenOn(2026, 3, 23)
		}, domain.StageProsecution, StepExtendProsecution, GuardProsecutionNotExpired},
	}
	// Every guard of the table is shown refusing at least once.
	refused := map[GuardID]bool{}
	for _, c := range cases {
		refused[c.fail] = true
	}
	for id := range guards {
		if !refused[id] {
			t.Errorf("guard %s has no refusing case in this table", id)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := permissive(c.stage)
			tr, _ := ByStep(c.step)
			req := requestFor(tr, cs)
			c.setup(cs, &req)
			_, err := Apply(cs, req, actor, now)
			if c.fail == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if rule(err) != string(c.fail) {
				t.Fatalf("got %v, want guard %s", err, c.fail)
			}
			if article(err) == "" {
				t.Errorf("guard %s refused without an article", c.fail)
			}
		})
	}
}

// enteredBy records the decision of step by which the case entered its current stage from from.
func enteredBy(cs *CaseState, step domain.Step, from domain.Stage) {
	cs.Decisions = append(cs.Decisions, domain.Decision{ID: "entry", Seq: len(cs.Decisions) + 1, Step: step, Status: domain.DecisionEffective,
		IssuedOn: day0, EffectiveOn: day0, FromStage: from, ToStage: cs.Stage})
}
