package domain

import (
	"testing"
	"time"
)

// Every token the penal-code data uses parses to the expected value, and its canonical form
// parses back to the same value.
func TestParsePenaltyTokens(t *testing.T) {
	cases := []struct {
		token     string
		want      Penalty
		canonical string
	}{
		{"canhcao", Penalty{Kind: PenaltyWarning}, "canhcao"},
		{"fine", Penalty{Kind: PenaltyFine}, "fine"},
		{"caitao_1y", Penalty{Kind: PenaltyReform, Months: 12}, "caitao_1y"},
		{"caitao_2y", Penalty{Kind: PenaltyReform, Months: 24}, "caitao_2y"},
		{"caitao_3y", Penalty{Kind: PenaltyReform, Months: 36}, "caitao_3y"},
		{"caitao_1-2y", Penalty{Kind: PenaltyReform, Months: 24}, "caitao_2y"},
		{"caitao_2-3y", Penalty{Kind: PenaltyReform, Months: 36}, "caitao_3y"},
		{"caitao_18m", Penalty{Kind: PenaltyReform, Months: 18}, "caitao_18m"},
		{"3m", Penalty{Kind: PenaltyPrison, Months: 3}, "3m"},
		{"6m", Penalty{Kind: PenaltyPrison, Months: 6}, "6m"},
		{"12m", Penalty{Kind: PenaltyPrison, Months: 12}, "1y"},
		{"1y", Penalty{Kind: PenaltyPrison, Months: 12}, "1y"},
		{"2y", Penalty{Kind: PenaltyPrison, Months: 24}, "2y"},
		{"3y", Penalty{Kind: PenaltyPrison, Months: 36}, "3y"},
		{"5y", Penalty{Kind: PenaltyPrison, Months: 60}, "5y"},
		{"6y", Penalty{Kind: PenaltyPrison, Months: 72}, "6y"},
		{"7y", Penalty{Kind: PenaltyPrison, Months: 84}, "7y"},
		{"8y", Penalty{Kind: PenaltyPrison, Months: 96}, "8y"},
		{"10y", Penalty{Kind: PenaltyPrison, Months: 120}, "10y"},
		{"12y", Penalty{Kind: PenaltyPrison, Months: 144}, "12y"},
		{"13y", Penalty{Kind: PenaltyPrison, Months: 156}, "13y"},
		{"14y", Penalty{Kind: PenaltyPrison, Months: 168}, "14y"},
		{"15y", Penalty{Kind: PenaltyPrison, Months: 180}, "15y"},
		{"18y", Penalty{Kind: PenaltyPrison, Months: 216}, "18y"},
		{"20y", Penalty{Kind: PenaltyPrison, Months: 240}, "20y"},
		{"life", Penalty{Kind: PenaltyLife}, "life"},
		{"death", Penalty{Kind: PenaltyDeath}, "death"},
	}
	for _, tc := range cases {
		t.Run(tc.token, func(t *testing.T) {
			got, err := ParsePenalty(tc.token)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("ParsePenalty(%q) = %+v, want %+v", tc.token, got, tc.want)
			}
			if s := got.String(); s != tc.canonical {
				t.Fatalf("String() = %q, want %q", s, tc.canonical)
			}
			back, err := ParsePenalty(got.String())
			if err != nil || back != got {
				t.Fatalf("canonical %q reads back as %+v, %v", got.String(), back, err)
			}
		})
	}
}

// Tokens that are not penalties, or lengths the Penal Code does not allow, are refused.
func TestParsePenaltyRejects(t *testing.T) {
	for _, token := range []string{
		"", "Fine", "canh cao", "warning", "prison", "y", "m", "0y", "03y", "-1y", "1.5y", "2d", "2Y", " 2y", "2y ",
		"1m", "2m", "21y", "241m", "caitao", "caitao_", "caitao_5m", "caitao_4y", "caitao_2-1y", "caitao_2-2y",
		"caitao_1y-2y", "caitao_-2y", "caitao_a-2y", "tu_2y", "99999999999999999999y",
	} {
		if p, err := ParsePenalty(token); err == nil {
			t.Errorf("ParsePenalty(%q) = %+v, want an error", token, p)
		}
	}
}

// Art. 9(1): the class boundaries sit at 3, 7 and 15 years of the bracket maximum.
func TestClassFromMaximumBoundaries(t *testing.T) {
	prison := func(m int) Penalty { return Penalty{Kind: PenaltyPrison, Months: m} }
	cases := []struct {
		name string
		max  Penalty
		want SeverityClass
	}{
		{"warning", Penalty{Kind: PenaltyWarning}, ClassLessSerious},
		{"fine", Penalty{Kind: PenaltyFine}, ClassLessSerious},
		{"reform 1y", Penalty{Kind: PenaltyReform, Months: 12}, ClassLessSerious},
		{"reform 3y", Penalty{Kind: PenaltyReform, Months: 36}, ClassLessSerious},
		{"prison 3m", prison(3), ClassLessSerious},
		{"prison 36m", prison(36), ClassLessSerious},
		{"prison 37m", prison(37), ClassSerious},
		{"prison 84m", prison(84), ClassSerious},
		{"prison 85m", prison(85), ClassVerySerious},
		{"prison 180m", prison(180), ClassVerySerious},
		{"prison 181m", prison(181), ClassParticularlySerious},
		{"prison 240m", prison(240), ClassParticularlySerious},
		{"life", Penalty{Kind: PenaltyLife}, ClassParticularlySerious},
		{"death", Penalty{Kind: PenaltyDeath}, ClassParticularlySerious},
		{"prison without a length", prison(0), ""},
		{"unknown kind", Penalty{Kind: "expulsion"}, ""},
		{"zero value", Penalty{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassFromMaximum(tc.max); got != tc.want {
				t.Fatalf("ClassFromMaximum(%+v) = %q, want %q", tc.max, got, tc.want)
			}
		})
	}
}

func TestSeverityClassNames(t *testing.T) {
	cases := []struct {
		c              SeverityClass
		rank           int
		vi, en, abbrev string
	}{
		{ClassLessSerious, 1, "ít nghiêm trọng", "less serious", "ÍNT"},
		{ClassSerious, 2, "nghiêm trọng", "serious", "NT"},
		{ClassVerySerious, 3, "rất nghiêm trọng", "very serious", "RNT"},
		{ClassParticularlySerious, 4, "đặc biệt nghiêm trọng", "particularly serious", "ĐBNT"},
		{"grave", 0, "", "", ""},
		{"", 0, "", "", ""},
	}
	for _, tc := range cases {
		if tc.c.Rank() != tc.rank || tc.c.Valid() != (tc.rank > 0) || tc.c.NameVI() != tc.vi || tc.c.NameEN() != tc.en || tc.c.Abbrev() != tc.abbrev {
			t.Errorf("%q: rank %d valid %v %q %q %q", tc.c, tc.c.Rank(), tc.c.Valid(), tc.c.NameVI(), tc.c.NameEN(), tc.c.Abbrev())
		}
		if tc.rank > 0 {
			if SeverityClasses[tc.rank-1] != tc.c {
				t.Errorf("SeverityClasses[%d] = %q, want %q", tc.rank-1, SeverityClasses[tc.rank-1], tc.c)
			}
			if back, ok := SeverityClassFromAbbrev(tc.abbrev); !ok || back != tc.c {
				t.Errorf("SeverityClassFromAbbrev(%q) = %q, %v", tc.abbrev, back, ok)
			}
		}
	}
	if _, ok := SeverityClassFromAbbrev("INT"); ok {
		t.Error("an abbreviation without its diacritic must not be read")
	}
}

func TestHeaviestClass(t *testing.T) {
	cases := []struct {
		in   []SeverityClass
		want SeverityClass
	}{
		{nil, ""},
		{[]SeverityClass{"bogus"}, ""},
		{[]SeverityClass{ClassLessSerious}, ClassLessSerious},
		{[]SeverityClass{ClassSerious, ClassLessSerious}, ClassSerious},
		{[]SeverityClass{ClassLessSerious, ClassParticularlySerious, ClassVerySerious}, ClassParticularlySerious},
		{[]SeverityClass{"bogus", ClassVerySerious, ClassSerious}, ClassVerySerious},
	}
	for _, tc := range cases {
		if got := HeaviestClass(tc.in...); got != tc.want {
			t.Errorf("HeaviestClass(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPenaltyCompare(t *testing.T) {
	order := []string{"canhcao", "fine", "caitao_1y", "caitao_3y", "3m", "2y", "20y", "life", "death"}
	for i := range order {
		for j := range order {
			a, _ := ParsePenalty(order[i])
			b, _ := ParsePenalty(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s vs %s: %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

// A version is in force from the first to the last day it names, read on Vietnam's calendar.
func TestPenalClauseInForce(t *testing.T) {
	to := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	old := PenalClause{Article: "248", Clause: 4, EffectiveFrom: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), EffectiveTo: &to}
	current := PenalClause{Article: "248", Clause: 4, EffectiveFrom: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}
	ict := time.FixedZone("ICT", 7*3600)
	cases := []struct {
		name         string
		on           time.Time
		old, current bool
	}{
		{"before the Code", time.Date(2017, 12, 31, 12, 0, 0, 0, ict), false, false},
		{"first day", time.Date(2018, 1, 1, 0, 0, 0, 0, ict), true, false},
		{"last day of the old text, late evening", time.Date(2025, 6, 30, 23, 59, 59, 0, ict), true, false},
		{"first day of the new text", time.Date(2025, 7, 1, 0, 0, 0, 0, ict), false, true},
		{"UTC evening already 1 July in Hanoi", time.Date(2025, 6, 30, 17, 30, 0, 0, time.UTC), false, true},
		{"UTC afternoon still 30 June in Hanoi", time.Date(2025, 6, 30, 16, 59, 0, 0, time.UTC), true, false},
		{"far future", time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), false, true},
	}
	for _, tc := range cases {
		if got := old.InForce(tc.on); got != tc.old {
			t.Errorf("%s: old version in force %v, want %v", tc.name, got, tc.old)
		}
		if got := current.InForce(tc.on); got != tc.current {
			t.Errorf("%s: current version in force %v, want %v", tc.name, got, tc.current)
		}
	}
	if ref := current.Ref(); ref != "khoản 4 Điều 248" {
		t.Errorf("Ref() = %q", ref)
	}
}

func TestValidArticleRef(t *testing.T) {
	for s, want := range map[string]bool{
		"1": true, "9": true, "173": true, "256a": true, "426": true, "99z": true,
		"": false, "0": false, "01": false, "427": false, "999": false, "1000": false, "256A": false,
		"256ab": false, "a": false, "a256": false, " 173": false, "173 ": false, "17.3": false, "-1": false,
	} {
		if got := ValidArticleRef(s); got != want {
			t.Errorf("ValidArticleRef(%q) = %v, want %v", s, got, want)
		}
	}
	if n, suffix, ok := ArticleNumber("256a"); !ok || n != 256 || suffix != "a" {
		t.Errorf("ArticleNumber(256a) = %d, %q, %v", n, suffix, ok)
	}
	if n, suffix, ok := ArticleNumber("173"); !ok || n != 173 || suffix != "" {
		t.Errorf("ArticleNumber(173) = %d, %q, %v", n, suffix, ok)
	}
	if _, _, ok := ArticleNumber("427"); ok {
		t.Error("ArticleNumber(427) must fail")
	}
}
