package workflow

import (
	"fmt"
	"slices"
	"testing"

	"kiemsat/domain"
)

// Actors of the offers tests, seen from a case of unit 7 (a regional unit).
var (
	offerProsecutor    = Actor{OnTeam: true, Grants: []ActorGrant{{Role: domain.RoleProsecutor, Level: domain.LevelRegional, AtCaseUnit: true}}}
	offerOffTeam       = Actor{Grants: []ActorGrant{{Role: domain.RoleProsecutor, Level: domain.LevelRegional, AtCaseUnit: true}}}
	offerClerk         = Actor{Grants: []ActorGrant{{Role: domain.RoleClerk, Level: domain.LevelRegional, AtCaseUnit: true}}}
	offerDeputy        = Actor{Grants: []ActorGrant{{Role: domain.RoleDeputyChief, Level: domain.LevelRegional, AtCaseUnit: true}}}
	offerProvincial    = Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelProvincial, Above: true}}}
	offerSupreme       = Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelSupreme, Above: true}}}
	offerClerkAndChief = Actor{Grants: []ActorGrant{{Role: domain.RoleClerk, Level: domain.LevelRegional, AtCaseUnit: true},
		{Role: domain.RoleChief, Level: domain.LevelProvincial, Above: true}}}
)

func offerOf(offers []Offer, step domain.Step) *Offer {
	for i := range offers {
		if offers[i].Transition.Step == step {
			return &offers[i]
		}
	}
	return nil
}

func offerSteps(offers []Offer) []domain.Step {
	out := make([]domain.Step, len(offers))
	for i, o := range offers {
		out[i] = o.Transition.Step
	}
	return out
}

// mixedCase is a case at stage s whose accused are in every state a step may start from or not:
// a1 instituted with an active custody (m1) and detention (m2) and an ended residence ban (m5), a2
// a suspect, a3 suspended, a4 terminated (with a stale active measure that no step may touch),
// a5 whose institution awaits approval with a pending measure.
func mixedCase(s domain.Stage) *CaseState {
	cs := permissive(s)
	cs.Accused[0].Measures = append(cs.Accused[0].Measures,
		domain.Measure{ID: "m5", AccusedID: "a1", Kind: domain.MeasureResidentBan, Status: domain.MeasureEnded, StartAt: day0})
	cs.Accused[1].Status = domain.AccusedSuspect
	cs.Accused = append(cs.Accused,
		domain.Accused{ID: "a3", FullName: "Trần Văn C", Status: domain.AccusedSuspended, OffenceDate: day0},
		domain.Accused{ID: "a4", FullName: "Phạm Văn D", Status: domain.AccusedTerminated, OffenceDate: day0,
			Measures: []domain.Measure{{ID: "m6", AccusedID: "a4", Kind: domain.MeasureBail, Status: domain.MeasureActive, StartAt: day0}}},
		domain.Accused{ID: "a5", FullName: "Đỗ Thị E", Status: domain.AccusedPending, OffenceDate: day0,
			Measures: []domain.Measure{{ID: "m7", AccusedID: "a5", Kind: domain.MeasureCustody, Status: domain.MeasurePending, StartAt: day0,
				OrderedEnd: ptr(day0.AddDate(0, 0, 3))}}})
	return cs
}

// A prosecutor on the team of the case's unit is offered the institution of a report (recorders
// may record it) but not its extension (leaders only); off the team, nothing.
func TestOffersProsecutor(t *testing.T) {
	inst, _ := ByStep(StepInstituteCase)
	ext, _ := ByStep(StepExtendReport)
	if !slices.Contains(inst.Roles, domain.RoleProsecutor) || slices.Contains(ext.Roles, domain.RoleProsecutor) {
		t.Fatalf("the table changed: institute_case roles %v, extend_report_resolution roles %v", inst.Roles, ext.Roles)
	}
	cs := permissive(domain.StageReportResolution)
	offers := Offers(cs, offerProsecutor)
	if o := offerOf(offers, StepInstituteCase); o == nil || o.Transition.Article != inst.Article || o.NewPerson || len(o.AccusedIDs) > 0 || len(o.Measures) > 0 {
		t.Errorf("prosecutor on the team: institute_case offer %+v among %v", o, offerSteps(offers))
	}
	for _, step := range []domain.Step{StepExtendReport, StepAcceptInstitution, StepSuspendInvestigation, StepInstituteAccused} {
		if offerOf(offers, step) != nil {
			t.Errorf("prosecutor on the team at report resolution offered %s", step)
		}
	}
	// Measures may be ordered while a report is resolved: on both accused.
	if o := offerOf(offers, StepCustody); o == nil || !slices.Equal(o.Measures, []OfferMeasure{{AccusedID: "a1"}, {AccusedID: "a2"}}) {
		t.Errorf("custody offer %+v", o)
	}
	if got := Offers(cs, offerOffTeam); len(got) != 0 {
		t.Errorf("prosecutor off the team offered %v", offerSteps(got))
	}
	if got := Offers(cs, Actor{OnTeam: true}); got == nil || len(got) != 0 {
		t.Errorf("no grants: %#v, want an empty list", got)
	}
}

// A clerk records no procedural step; one who is also a chief above is offered only what the
// chief's grant allows.
func TestOffersClerk(t *testing.T) {
	for _, s := range domain.Stages {
		for _, o := range Offers(mixedCase(s), offerClerk) {
			if !slices.Contains(o.Transition.Roles, domain.RoleClerk) {
				t.Errorf("%s: clerk offered %s (roles %v)", s, o.Transition.Step, o.Transition.Roles)
			}
		}
	}
	fi := permissive(domain.StageFirstInstance)
	got := offerSteps(Offers(fi, offerClerkAndChief))
	if !slices.Equal(got, []domain.Step{StepProtestAppeal}) || !slices.Equal(got, offerSteps(Offers(fi, offerProvincial))) {
		t.Errorf("clerk and provincial chief above at first instance: %v, want the chief's appellate protest alone", got)
	}
	ex := permissive(domain.StageExecution)
	if offerOf(Offers(ex, offerSupreme), StepProtestCassation) == nil || offerOf(Offers(ex, offerClerkAndChief), StepProtestCassation) != nil {
		t.Errorf("cassation protest: the Supreme chief's, not the provincial one's")
	}
}

// A case in a final stage offers no accused or measure step, to anyone.
func TestOffersFinalStage(t *testing.T) {
	for _, s := range domain.Stages {
		if !s.Final() {
			continue
		}
		for _, a := range []Actor{chiefAt(domain.LevelRegional), offerProsecutor, offerSupreme} {
			for _, o := range Offers(mixedCase(s), a) {
				if o.Transition.Subject != domain.SubjectCase {
					t.Errorf("%s: offered %s", s, o.Transition.Step)
				}
			}
		}
	}
	// A sentence served may still be protested by the Supreme Procuracy.
	if got := offerSteps(Offers(permissive(domain.StageClosed), offerSupreme)); !slices.Equal(got, []domain.Step{StepProtestCassation}) {
		t.Errorf("closed case, Supreme chief: %v", got)
	}
}

// The subjects of accused and measure steps: each accused and measure in a state the step may
// start from, a new person where the step creates one.
func TestOffersSubjects(t *testing.T) {
	cs := mixedCase(domain.StageInvestigation)
	offers := Offers(cs, chiefAt(domain.LevelRegional))
	accused := []struct {
		step      domain.Step
		ids       []string
		newPerson bool
	}{
		{StepInstituteAccused, []string{"a2"}, true},
		{StepChangeCharges, []string{"a1", "a3"}, false},
		{StepSuspendAccused, []string{"a1"}, false},
		{StepResumeAccused, []string{"a3"}, false},
		{StepTerminateAccused, []string{"a1", "a3"}, false},
	}
	for _, c := range accused {
		o := offerOf(offers, c.step)
		if o == nil || !slices.Equal(o.AccusedIDs, c.ids) || o.NewPerson != c.newPerson || len(o.Measures) > 0 {
			t.Errorf("%s: %+v, want accused %v new %v", c.step, o, c.ids, c.newPerson)
		}
	}
	newOn := []OfferMeasure{{AccusedID: "a1"}, {AccusedID: "a2"}, {AccusedID: "a3"}, {AccusedID: "a5"}}
	measures := []struct {
		step domain.Step
		want []OfferMeasure
	}{
		{StepCustody, newOn},
		{StepDetention, newOn},
		{StepWanted, newOn},
		// The kind of the order extended is a guard, judged on submit.
		{StepExtendCustody, []OfferMeasure{{"a1", "m1"}, {"a1", "m2"}}},
		{StepExtendDetention, []OfferMeasure{{"a1", "m1"}, {"a1", "m2"}}},
		{StepEndMeasure, []OfferMeasure{{"a1", "m1"}, {"a1", "m2"}}},
	}
	for _, c := range measures {
		o := offerOf(offers, c.step)
		if o == nil || !slices.Equal(o.Measures, c.want) || len(o.AccusedIDs) > 0 || o.NewPerson {
			t.Errorf("%s: %+v, want measures %v", c.step, o, c.want)
		}
	}
	// In prosecution no accused may be instituted, and only leaders extend detention.
	pr := Offers(mixedCase(domain.StageProsecution), offerProsecutor)
	if offerOf(pr, StepInstituteAccused) != nil || offerOf(pr, StepExtendDetention) != nil || offerOf(pr, StepEndMeasure) == nil {
		t.Errorf("prosecution, prosecutor: %v", offerSteps(pr))
	}
	// Offers follow the table's order.
	var idx []int
	for _, o := range offers {
		idx = append(idx, slices.IndexFunc(Transitions, func(t Transition) bool { return t.Step == o.Transition.Step }))
	}
	if !slices.IsSorted(idx) || len(idx) < 10 {
		t.Errorf("offers out of the table's order: %v", offerSteps(offers))
	}
}

// The levels come from the authorities table, by extension number: the third extension of a
// particularly serious investigation is offered to the Supreme chief with the table's article,
// not to the regional chief in charge.
func TestOffersAuthorities(t *testing.T) {
	def := NewAuthorities(DefaultAuthorities())
	cs := dbntInvestigation(1)
	cs.Authorities = def
	if o := offerOf(Offers(cs, chiefAt(domain.LevelRegional)), StepExtendInvestigation); o == nil || o.Transition.Article != "Điều 172 BLTTHS" {
		t.Errorf("second extension, regional chief: %+v", o)
	}
	cs = dbntInvestigation(2)
	cs.Authorities = def
	if o := offerOf(Offers(cs, chiefAt(domain.LevelRegional)), StepExtendInvestigation); o != nil {
		t.Errorf("third extension offered to the regional chief: %+v", o)
	}
	o := offerOf(Offers(cs, offerSupreme), StepExtendInvestigation)
	if o == nil || o.Transition.Article != "Điều 172(5) BLTTHS" || !slices.Contains(o.Transition.Levels, domain.LevelSupreme) {
		t.Errorf("third extension, Supreme chief: %+v", o)
	}

	// A measure's extension is judged by its own number: with the second extension of detention
	// reserved to the provincial level, the regional chief may extend a first order but not an
	// order already extended once, and the provincial chief the reverse.
	ms := permissive(domain.StageInvestigation)
	ms.Accused[0].Measures[1].ExtensionNo = 1
	ms.Accused[1].Measures = []domain.Measure{{ID: "m3", AccusedID: "a2", Kind: domain.MeasureDetention, Stage: domain.MeasureForInvestigation,
		Status: domain.MeasureActive, StartAt: day0, OrderedEnd: ptr(day0.AddDate(0, 2, 0))}}
	ms.Authorities = NewAuthorities([]domain.Authority{{Step: StepExtendDetention, Power: domain.PowerRecord, Rung: 2,
		Levels: []domain.UnitLevel{domain.LevelProvincial}, Article: "Điều 173(2)(b) BLTTHS"}})
	if o := offerOf(Offers(ms, chiefAt(domain.LevelRegional)), StepExtendDetention); o == nil ||
		!slices.Equal(o.Measures, []OfferMeasure{{"a1", "m1"}, {"a2", "m3"}}) || o.Transition.Article != "Điều 173, 241, 278 BLTTHS" {
		t.Errorf("regional chief: %+v", o)
	}
	if o := offerOf(Offers(ms, offerProvincial), StepExtendDetention); o == nil ||
		!slices.Equal(o.Measures, []OfferMeasure{{"a1", "m2"}}) || o.Transition.Article != "Điều 173(2)(b) BLTTHS" || !slices.Equal(o.Transition.Levels, []domain.UnitLevel{domain.LevelProvincial}) {
		t.Errorf("provincial chief: %+v", o)
	}
	// One who holds both grants may extend every order; the offer carries the authority of the
	// first (the measures keep their own, judged again on submit).
	both := Actor{Grants: append(slices.Clone(chiefAt(domain.LevelRegional).Grants), offerProvincial.Grants...)}
	ms.Accused[1].Measures = nil
	if o := offerOf(Offers(ms, both), StepExtendDetention); o == nil ||
		!slices.Equal(o.Measures, []OfferMeasure{{"a1", "m1"}, {"a1", "m2"}}) || o.Transition.Article != "Điều 173, 241, 278 BLTTHS" {
		t.Errorf("regional and provincial chief: %+v", o)
	}
}

// admissionRefused: Apply refused the request for who records it or for the state of the case or
// the subject, not for what the request says (issuer, dates, guards).
func admissionRefused(err error) bool {
	de, ok := domain.AsError(err)
	if !ok || len(de.Details) == 0 {
		return err != nil && domain.ErrorCodeOf(err) == domain.CodeForbidden
	}
	if de.Code == domain.CodeForbidden {
		return true
	}
	d := de.Details[0]
	switch d.Rule {
	case "role", "own_unit", "unit_level", "from_stage", "case_stage", "from_status", "exists", "one":
		return true
	case "required":
		return d.Field == "accused_ids" || d.Field == "measure"
	}
	return false
}

// The property: a step is offered for a subject exactly when Apply, given a plausible request
// for that subject, does not refuse it for the actor or for the state of the case or subject;
// and nothing offered is refused as forbidden. Checked for every step, every stage, cases with
// accused and measures in every state, with and without the authorities table, and actors of
// every kind.
func TestOffersAgreeWithApply(t *testing.T) {
	actors := map[string]Actor{
		"regional chief": chiefAt(domain.LevelRegional), "deputy": offerDeputy, "prosecutor": offerProsecutor, "off team": offerOffTeam,
		"clerk": offerClerk, "provincial above": offerProvincial, "supreme above": offerSupreme, "clerk+provincial": offerClerkAndChief,
		"supreme at unit": chiefAt(domain.LevelSupreme), "none": {OnTeam: true},
		"unrelated chief": {Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelProvincial}}},
	}
	var states []*CaseState
	for _, s := range domain.Stages {
		states = append(states, permissive(s), mixedCase(s))
		withTable := mixedCase(s)
		withTable.Authorities = NewAuthorities(append(DefaultAuthorities(),
			domain.Authority{Step: StepExtendDetention, Power: domain.PowerRecord, Rung: 1, Levels: []domain.UnitLevel{domain.LevelProvincial}},
			domain.Authority{Step: StepInstituteCase, Power: domain.PowerRecord, Levels: []domain.UnitLevel{domain.LevelRegional}},
			domain.Authority{Step: StepSuspendAccused, Power: domain.PowerRecord, Levels: []domain.UnitLevel{domain.LevelSupreme}}))
		states = append(states, withTable)
	}
	for n := range 3 {
		cs := dbntInvestigation(n)
		cs.Authorities = NewAuthorities(DefaultAuthorities())
		states = append(states, cs)
	}
	offered, refused := 0, 0
	for i, cs := range states {
		for name, actor := range actors {
			got := map[string]bool{}
			for _, o := range Offers(cs, actor) {
				step := o.Transition.Step
				switch {
				case o.Transition.Subject == domain.SubjectCase:
					got[string(step)] = true
				case o.NewPerson:
					got[string(step)+"/new"] = true
				}
				for _, id := range o.AccusedIDs {
					got[string(step)+"/"+id] = true
				}
				for _, m := range o.Measures {
					got[string(step)+"/"+m.AccusedID+"/"+m.MeasureID] = true
				}
			}
			for _, tr := range Transitions {
				for key, req := range candidates(tr, cs) {
					_, err := Apply(cs, req, actor, now)
					want := !admissionRefused(err)
					if want {
						offered++
					} else {
						refused++
					}
					if got[key] != want {
						t.Errorf("state %d (%s), %s: %s offered=%v, Apply says %v", i, cs.Stage, name, key, got[key], err)
					}
					if got[key] && domain.ErrorCodeOf(err) == domain.CodeForbidden {
						t.Errorf("state %d (%s), %s: %s offered but forbidden: %v", i, cs.Stage, name, key, err)
					}
					delete(got, key)
				}
			}
			for key := range got {
				t.Errorf("state %d (%s), %s: offered %s, which is no subject of the case", i, cs.Stage, name, key)
			}
		}
	}
	if offered < 1000 || refused < 1000 {
		t.Errorf("the property was hardly exercised: %d admitted, %d refused", offered, refused)
	}
}

// candidates are the plausible requests for a step on a case, by the key Offers' subjects are
// named with: the case; a new person and each accused; each accused for a new measure and each
// measure of each accused for a step on an existing one.
func candidates(tr Transition, cs *CaseState) map[string]Request {
	out := map[string]Request{}
	base := requestFor(tr, cs)
	switch tr.Subject {
	case domain.SubjectCase:
		out[string(tr.Step)] = base
	case domain.SubjectAccused:
		if tr.FromState(StateNew) {
			r := base
			r.AccusedIDs = nil
			out[string(tr.Step)+"/new"] = r
		}
		for _, a := range cs.Accused {
			r := base
			r.AccusedIDs = []string{a.ID}
			out[string(tr.Step)+"/"+a.ID] = r
		}
	case domain.SubjectMeasure:
		for _, a := range cs.Accused {
			r := base
			r.AccusedIDs = []string{a.ID}
			if tr.FromState(StateNew) {
				r.MeasureID = ""
				out[fmt.Sprintf("%s/%s/", tr.Step, a.ID)] = r
				continue
			}
			for _, m := range a.Measures {
				r.MeasureID = m.ID
				out[fmt.Sprintf("%s/%s/%s", tr.Step, a.ID, m.ID)] = r
			}
		}
	}
	return out
}
