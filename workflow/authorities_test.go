package workflow

import (
	"testing"

	"kiemsat/domain"
)

// A case of a particularly serious crime under investigation whose period was extended n times.
func dbntInvestigation(n int) *CaseState {
	cs := &CaseState{ID: "c1", Stage: domain.StageInvestigation, Kind: domain.KindCase, UnitID: 7, ReceivedAt: day0, HasLead: true,
		Class: domain.ClassParticularlySerious, RegisteredAs: domain.KindCase}
	cs.Decisions = append(cs.Decisions, domain.Decision{ID: "d1", Seq: 1, Step: StepAcceptInstitution, Status: domain.DecisionEffective, IssuedOn: day0,
		EffectiveOn: day0, FromStage: domain.StageInstitution, ToStage: domain.StageInvestigation})
	for i := range n {
		cs.Decisions = append(cs.Decisions, domain.Decision{ID: "e" + string(rune('1'+i)), Seq: i + 2, Step: StepExtendInvestigation,
			Status: domain.DecisionEffective, IssuedOn: day0, EffectiveOn: day0, FromStage: domain.StageInvestigation, ToStage: domain.StageInvestigation})
	}
	return cs
}

func extendInvestigation() Request {
	return Request{Step: StepExtendInvestigation, Issuer: domain.IssuerProcuracy, IssuedOn: now, EffectiveOn: now}
}

// The most specific row applies: a rung-and-class row before a rung row before a class row before
// a general one; a row for another power, step, rung or class does not.
func TestAuthoritiesLookup(t *testing.T) {
	a := NewAuthorities([]domain.Authority{
		{Step: StepExtendInvestigation, Power: domain.PowerRecord, Article: "general"},
		{Step: StepExtendInvestigation, Power: domain.PowerRecord, Class: domain.ClassSerious, Article: "class"},
		{Step: StepExtendInvestigation, Power: domain.PowerRecord, Rung: 2, Article: "rung"},
		{Step: StepExtendInvestigation, Power: domain.PowerRecord, Rung: 2, Class: domain.ClassSerious, Article: "rung+class"},
		{Step: StepDetention, Power: domain.PowerApprove, Article: "other step"},
	})
	for _, c := range []struct {
		rung  int
		class domain.SeverityClass
		want  string
	}{{1, domain.ClassLessSerious, "general"}, {1, domain.ClassSerious, "class"}, {2, domain.ClassLessSerious, "rung"}, {2, domain.ClassSerious, "rung+class"}} {
		if got, ok := a.Lookup(StepExtendInvestigation, domain.PowerRecord, c.rung, c.class); !ok || got.Article != c.want {
			t.Errorf("rung %d class %s: %q %v, want %q", c.rung, c.class, got.Article, ok, c.want)
		}
	}
	if _, ok := a.Lookup(StepExtendInvestigation, domain.PowerApprove, 1, ""); ok {
		t.Error("a record row answered for approve")
	}
	if _, ok := (*Authorities)(nil).Lookup(StepDetention, domain.PowerApprove, 0, ""); ok {
		t.Error("nil authorities answered")
	}
}

// Điều 172(5) BLTTHS (default row, unconfirmed after 2025): the third extension of the
// investigation of a particularly serious crime is the Supreme Procuracy's. A regional chief may
// grant the first two but not the third; the Supreme chief, above the case's unit, may. Without
// the table the transition table's own rule (the unit in charge) applies.
func TestThirdDBNTExtensionNeedsTheSupremeProcuracy(t *testing.T) {
	def := NewAuthorities(DefaultAuthorities())
	regional := chiefAt(domain.LevelRegional)
	supreme := Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelSupreme, Above: true}}}
	for n := range 2 {
		cs := dbntInvestigation(n)
		cs.Authorities = def
		if _, err := Apply(cs, extendInvestigation(), regional, now); err != nil {
			t.Fatalf("extension %d by the regional chief: %v", n+1, err)
		}
	}
	cs := dbntInvestigation(2)
	cs.Authorities = def
	_, err := Apply(cs, extendInvestigation(), regional, now)
	if rule(err) != "unit_level" || article(err) != "Điều 172(5) BLTTHS" || domain.ErrorCodeOf(err) != domain.CodeInvalid {
		t.Fatalf("third extension by the regional chief: %v", err)
	}
	if _, err := Apply(cs, extendInvestigation(), supreme, now); err != nil {
		t.Fatalf("third extension by the Supreme chief: %v", err)
	}
	cs.Authorities = nil
	if _, err := Apply(cs, extendInvestigation(), regional, now); err != nil {
		t.Fatalf("without the table the unit in charge grants it: %v", err)
	}
	// A serious case has no such row: its second extension stays with the unit in charge.
	cs = dbntInvestigation(1)
	cs.Class, cs.Authorities = domain.ClassSerious, def
	if _, err := Apply(cs, extendInvestigation(), regional, now); err != nil {
		t.Fatalf("second NT extension by the regional chief: %v", err)
	}
}

// An administrator's row replaces the approver levels: with detention orders approved at the
// provincial level (Điều 119(5) BLTTHS as an administrator might set it), the regional chief's
// approval is refused with the row's article and the provincial chief's is accepted.
func TestApproverLevelsFromTheTable(t *testing.T) {
	cs := permissive(domain.StageInvestigation)
	cs.Accused[0].Measures[1].Status = domain.MeasurePending
	pending := pendingOf(StepDetention, "a1", "m2")
	cs.Authorities = NewAuthorities([]domain.Authority{{Step: StepDetention, Power: domain.PowerApprove, Levels: []domain.UnitLevel{domain.LevelProvincial},
		Article: "Điều 119(5) BLTTHS"}})
	_, err := Decide(cs, pending, domain.OutcomeApprove, chiefAt(domain.LevelRegional), now, now)
	if rule(err) != "approver_level" || article(err) != "Điều 119(5) BLTTHS" {
		t.Fatalf("regional approval: %v", err)
	}
	provincial := Actor{Grants: []ActorGrant{{Role: domain.RoleChief, Level: domain.LevelProvincial, Above: true}}}
	if _, err := Decide(cs, pending, domain.OutcomeApprove, provincial, now, now); err != nil {
		t.Fatalf("provincial approval: %v", err)
	}
	// The default rows keep what the transition table says: the regional chief in charge approves.
	cs.Authorities = NewAuthorities(DefaultAuthorities())
	if _, err := Decide(cs, pending, domain.OutcomeApprove, chiefAt(domain.LevelRegional), now, now); err != nil {
		t.Fatalf("regional approval under the defaults: %v", err)
	}
}

// The shipped rows are valid, and the validator refuses what an administrator might get wrong.
func TestValidateAuthority(t *testing.T) {
	for _, a := range DefaultAuthorities() {
		if err := ValidateAuthority(a); err != nil {
			t.Errorf("default row %+v: %v", a, err)
		}
	}
	for _, c := range []struct {
		a           domain.Authority
		field, rule string
	}{
		{domain.Authority{Step: "no_such_step", Power: domain.PowerRecord}, "step", "unknown_step"},
		{domain.Authority{Step: StepExtendInvestigation, Power: "grant"}, "power", "enum"},
		{domain.Authority{Step: StepIndict, Power: domain.PowerApprove}, "power", "no_approval"},
		{domain.Authority{Step: StepIndict, Power: domain.PowerRecord, Rung: 2}, "rung", "not_extension"},
		{domain.Authority{Step: StepExtendInvestigation, Power: domain.PowerRecord, Rung: -1}, "rung", "range"},
		{domain.Authority{Step: StepExtendInvestigation, Power: domain.PowerRecord, Class: "grave"}, "class", "enum"},
		{domain.Authority{Step: StepExtendInvestigation, Power: domain.PowerRecord, Levels: []domain.UnitLevel{"district"}}, "levels[0]", "enum"},
	} {
		err := ValidateAuthority(c.a)
		e, ok := domain.AsError(err)
		if !ok || e.Code != domain.CodeInvalid || len(e.Details) == 0 || e.Details[0].Field != c.field || e.Details[0].Rule != c.rule {
			t.Errorf("%+v: %v, want %s/%s", c.a, err, c.field, c.rule)
		}
	}
}
