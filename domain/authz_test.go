package domain

import "testing"

// The per-object check is the reference the SQL list scope is tested against, so it gets its own
// exhaustive table: every combination of entry kind, case unit relation, secret and team.
func TestScopePermitsCase(t *testing.T) {
	const (
		province = UnitPath("1.2")
		regional = UnitPath("1.2.5")
		sibling  = UnitPath("1.2.6")
		other    = UnitPath("1.3")
	)
	chiefProvince := ScopeEntry{Role: RoleChief, UnitID: 2, UnitPath: province, Subtree: true, Cond: CondAny, SecretUnit: true}
	prosecutorRegional := ScopeEntry{Role: RoleProsecutor, UnitID: 5, UnitPath: regional, Cond: CondAssigned}
	clerkRegional := ScopeEntry{Role: RoleClerk, UnitID: 5, UnitPath: regional, Cond: CondAny}

	cases := []struct {
		name  string
		entry ScopeEntry
		ref   CaseRef
		want  bool
	}{
		{"chief reads own unit", chiefProvince, CaseRef{UnitID: 2, UnitPath: province}, true},
		{"chief reads subordinate", chiefProvince, CaseRef{UnitID: 5, UnitPath: regional}, true},
		{"chief does not read other province", chiefProvince, CaseRef{UnitID: 3, UnitPath: other}, false},
		{"chief reads secret of own unit", chiefProvince, CaseRef{UnitID: 2, UnitPath: province, Secret: true}, true},
		{"chief does not read secret of subordinate", chiefProvince, CaseRef{UnitID: 5, UnitPath: regional, Secret: true}, false},
		{"chief on team reads secret of subordinate", chiefProvince, CaseRef{UnitID: 5, UnitPath: regional, Secret: true, OnTeam: true}, true},
		{"assigned-only entry refuses unassigned", prosecutorRegional, CaseRef{UnitID: 5, UnitPath: regional}, false},
		{"assigned-only entry allows assigned", prosecutorRegional, CaseRef{UnitID: 5, UnitPath: regional, OnTeam: true}, true},
		{"unit entry does not reach sibling", clerkRegional, CaseRef{UnitID: 6, UnitPath: sibling}, false},
		{"unit entry does not reach superior", clerkRegional, CaseRef{UnitID: 2, UnitPath: province}, false},
		{"clerk does not read secret", clerkRegional, CaseRef{UnitID: 5, UnitPath: regional, Secret: true}, false},
		{"path prefix is not containment", ScopeEntry{UnitID: 1, UnitPath: "1.2", Subtree: true}, CaseRef{UnitID: 20, UnitPath: "1.20"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Scope{Entries: []ScopeEntry{tc.entry}}
			if got := s.PermitsCase(tc.ref); got != tc.want {
				t.Fatalf("PermitsCase = %v, want %v", got, tc.want)
			}
		})
	}
	if (Scope{}).PermitsCase(CaseRef{UnitID: 1, UnitPath: "1"}) {
		t.Fatal("an empty scope permits nothing")
	}
}

func TestUnitPath(t *testing.T) {
	p := UnitPath("").Child(1).Child(22)
	if p != "1.22" || p.Depth() != 2 {
		t.Fatalf("got %q depth %d", p, p.Depth())
	}
	if !p.Contains("1.22.7") || !p.Contains("1.22") || p.Contains("1.2") || p.Contains("1.222") {
		t.Fatal("Contains must respect label boundaries")
	}
}
