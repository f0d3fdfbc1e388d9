package workflow

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
)

// penalReferenceCSV is the hand-checked source table the embedded file was built from. It lives
// beside the repository, not in it; CI checks it out there.
const penalReferenceCSV = "../../shared/reference/penal-code-brackets.csv"

var penalICT = time.FixedZone("ICT", 7*3600)

func penalDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, penalICT) }

func TestEmbeddedPenalCodeParses(t *testing.T) {
	clauses, err := ParsePenalCode(bytes.NewReader(PenalCodeData()))
	if err != nil {
		t.Fatal(err)
	}
	if len(clauses) != len(DefaultPenalCatalog().Clauses()) {
		t.Fatalf("default catalog has %d clauses, the file %d", len(DefaultPenalCatalog().Clauses()), len(clauses))
	}
	// Every clause that has a history must close it the day before the next version opens, so that
	// no date falls between two versions.
	for _, a := range DefaultPenalCatalog().Articles() {
		versions := DefaultPenalCatalog().Article(a)
		for i := 1; i < len(versions); i++ {
			prev, cur := versions[i-1], versions[i]
			if prev.Clause == cur.Clause && !prev.EffectiveTo.AddDate(0, 0, 1).Equal(cur.EffectiveFrom) {
				t.Errorf("%s: gap between %s and %s", cur.Ref(), prev.EffectiveTo.Format(time.DateOnly), cur.EffectiveFrom.Format(time.DateOnly))
			}
		}
	}
}

// The embedded catalog agrees with the reference table: the same 79 articles, and for every
// reference row a version in force today with the same bracket and class.
func TestEmbeddedPenalCodeMatchesReference(t *testing.T) {
	f, err := os.Open(penalReferenceCSV)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("reference table %s is absent (CI checks it out beside the repository)", penalReferenceCSV)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"article", "clause", "title_vi", "min_penalty", "max_penalty", "severity_class", "note"}) {
		t.Fatalf("reference header changed: %v", rows[0])
	}
	cat := DefaultPenalCatalog()
	on := penalDay(2026, 1, 1)
	articles := map[string]bool{}
	current := 0
	for _, row := range rows[1:] {
		articles[row[0]] = true
		clause, _ := strconv.Atoi(row[1])
		got, err := cat.Lookup(row[0], clause, on)
		if err != nil {
			t.Errorf("Điều %s khoản %s: %v", row[0], row[1], err)
			continue
		}
		current++
		min, err1 := domain.ParsePenalty(row[3])
		max, err2 := domain.ParsePenalty(row[4])
		class, ok := domain.SeverityClassFromAbbrev(row[5])
		if err1 != nil || err2 != nil || !ok {
			t.Errorf("reference row %v unreadable: %v %v %v", row, err1, err2, ok)
			continue
		}
		if got.Min != min || got.Max != max || got.Class != class || got.Title != row[2] || got.Note != row[6] {
			t.Errorf("%s: catalog %s..%s %s %q %q, reference %s..%s %s %q %q", got.Ref(), got.Min, got.Max, got.Class, got.Title, got.Note,
				min, max, class, row[2], row[6])
		}
		if class != domain.ClassFromMaximum(max) {
			t.Errorf("reference %v: its class disagrees with Art. 9", row)
		}
	}
	if len(articles) != 79 {
		t.Errorf("reference has %d articles, want 79", len(articles))
	}
	if got := cat.Articles(); len(got) != len(articles) {
		t.Errorf("catalog has %d articles, reference %d", len(got), len(articles))
	}
	for _, a := range cat.Articles() {
		if !articles[a] {
			t.Errorf("catalog article %s is not in the reference", a)
		}
	}
	// Every version in force on that day is one of the reference rows: nothing extra is current.
	n := 0
	for _, c := range cat.Clauses() {
		if c.InForce(on) {
			n++
		}
	}
	if n != current || current != len(rows)-1 {
		t.Errorf("%d versions in force on %s, %d reference rows found, %d rows", n, on.Format(time.DateOnly), current, len(rows)-1)
	}
}

func TestPenalCatalogLookup(t *testing.T) {
	cat := DefaultPenalCatalog()
	cases := []struct {
		article string
		clause  int
		on      time.Time
		class   domain.SeverityClass
		max     string
	}{
		{"173", 1, penalDay(2026, 1, 1), domain.ClassLessSerious, "3y"},
		{"173", 4, penalDay(2026, 1, 1), domain.ClassParticularlySerious, "20y"},
		{"134", 3, penalDay(2026, 1, 1), domain.ClassVerySerious, "10y"},
		{"248", 4, penalDay(2025, 6, 30), domain.ClassParticularlySerious, "death"},
		{"248", 4, penalDay(2025, 7, 1), domain.ClassParticularlySerious, "life"},
		{"248", 4, penalDay(2018, 1, 1), domain.ClassParticularlySerious, "death"},
		{"248", 5, penalDay(2025, 7, 1), domain.ClassParticularlySerious, "death"},
		{"249", 1, penalDay(2024, 3, 15), domain.ClassSerious, "5y"},
		{"256a", 1, penalDay(2025, 7, 1), domain.ClassLessSerious, "3y"},
		{"256a", 2, penalDay(2025, 7, 1), domain.ClassSerious, "5y"},
		// 23:30 UTC on 30 June is already 1 July in Vietnam.
		{"250", 4, time.Date(2025, 6, 30, 23, 30, 0, 0, time.UTC), domain.ClassParticularlySerious, "life"},
	}
	for _, tc := range cases {
		got, err := cat.Lookup(tc.article, tc.clause, tc.on)
		if err != nil {
			t.Errorf("Điều %s khoản %d on %s: %v", tc.article, tc.clause, tc.on, err)
			continue
		}
		if got.Class != tc.class || got.Max.String() != tc.max || got.Article != tc.article || got.Clause != tc.clause {
			t.Errorf("%s on %s: %s up to %s, want %s up to %s", got.Ref(), tc.on.Format(time.DateOnly), got.Class, got.Max, tc.class, tc.max)
		}
	}
	// The minimum raised by Law 86/2025 applies only to acts from 1 July 2025.
	before, _ := cat.Lookup("248", 1, penalDay(2025, 6, 30))
	after, _ := cat.Lookup("248", 1, penalDay(2025, 7, 1))
	if before.Min.String() != "2y" || after.Min.String() != "3y" {
		t.Errorf("248(1) minimum %s before, %s after 1 July 2025", before.Min, after.Min)
	}
}

func TestPenalCatalogLookupErrors(t *testing.T) {
	cat := DefaultPenalCatalog()
	cases := []struct {
		name    string
		article string
		clause  int
		on      time.Time
		field   string
		rule    string
		message string
	}{
		{"unknown article", "999", 1, penalDay(2026, 1, 1), "article", "unknown_article", "Điều 999 Bộ luật Hình sự 2015 không có trong danh mục điều luật"},
		{"article outside the catalog", "1", 1, penalDay(2026, 1, 1), "article", "unknown_article", "Điều 1 Bộ luật Hình sự 2015 không có trong danh mục điều luật"},
		{"unknown clause", "173", 9, penalDay(2026, 1, 1), "clause", "unknown_clause", "Điều 173 Bộ luật Hình sự 2015 không có khoản 9"},
		{"new clause before the amendment", "248", 5, penalDay(2025, 6, 30), "clause", "not_in_force",
			"khoản 5 Điều 248 Bộ luật Hình sự 2015 chưa có hiệu lực vào ngày 30/06/2025 (có hiệu lực từ ngày 01/07/2025)"},
		{"new clause of 251 before the amendment", "251", 5, penalDay(2020, 5, 5), "clause", "not_in_force",
			"khoản 5 Điều 251 Bộ luật Hình sự 2015 chưa có hiệu lực vào ngày 05/05/2020 (có hiệu lực từ ngày 01/07/2025)"},
		{"new article before the amendment", "256a", 1, penalDay(2025, 6, 30), "article", "not_in_force",
			"Điều 256a Bộ luật Hình sự 2015 chưa có hiệu lực vào ngày 30/06/2025 (có hiệu lực từ ngày 01/07/2025)"},
		{"before the Code", "173", 1, penalDay(2017, 12, 31), "article", "not_in_force",
			"Điều 173 Bộ luật Hình sự 2015 chưa có hiệu lực vào ngày 31/12/2017 (có hiệu lực từ ngày 01/01/2018)"},
		// 16:59 UTC on 30 June is still 30 June in Vietnam.
		{"Vietnam calendar", "256a", 1, time.Date(2025, 6, 30, 16, 59, 0, 0, time.UTC), "article", "not_in_force",
			"Điều 256a Bộ luật Hình sự 2015 chưa có hiệu lực vào ngày 30/06/2025 (có hiệu lực từ ngày 01/07/2025)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cat.Lookup(tc.article, tc.clause, tc.on)
			de, ok := domain.AsError(err)
			if !ok || de.Code != domain.CodeInvalid || len(de.Details) != 1 {
				t.Fatalf("want one invalid detail, got %v", err)
			}
			d := de.Details[0]
			want := domain.Detail{Field: tc.field, Rule: tc.rule, Article: "Điều " + tc.article + " BLHS 2015", Message: tc.message}
			if d != want {
				t.Fatalf("detail %+v\nwant   %+v", d, want)
			}
			if de.Message != tc.message {
				t.Fatalf("message %q", de.Message)
			}
		})
	}
}

func TestPenalCatalogOrderAndCopies(t *testing.T) {
	cat := DefaultPenalCatalog()
	articles := cat.Articles()
	i := slices.Index(articles, "256")
	if i < 0 || i+1 >= len(articles) || articles[i+1] != "256a" || articles[0] != "123" || articles[len(articles)-1] != "386" {
		t.Fatalf("article order: %v", articles)
	}
	v248 := cat.Article("248")
	var refs []string
	for _, c := range v248 {
		refs = append(refs, c.Ref()+"@"+c.EffectiveFrom.Format(time.DateOnly))
	}
	want := []string{"khoản 1 Điều 248@2018-01-01", "khoản 1 Điều 248@2025-07-01", "khoản 2 Điều 248@2018-01-01", "khoản 3 Điều 248@2018-01-01",
		"khoản 4 Điều 248@2018-01-01", "khoản 4 Điều 248@2025-07-01", "khoản 5 Điều 248@2025-07-01"}
	if !slices.Equal(refs, want) {
		t.Fatalf("Article(248) = %v", refs)
	}
	if cat.Article("999") != nil {
		t.Fatal("an unknown article has no versions")
	}
	// Results are copies: editing them leaves the catalog alone.
	*v248[0].EffectiveTo = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	articles[0] = "x"
	if cat.Article("248")[0].EffectiveTo.Year() != 2025 || cat.Articles()[0] != "123" {
		t.Fatal("the catalog was changed through a returned value")
	}
	// The catalog orders its input itself.
	clauses := cat.Clauses()
	reversed := slices.Clone(clauses)
	slices.Reverse(reversed)
	if got := NewPenalCatalog(reversed).Clauses(); !equalPenalClauses(got, clauses) {
		t.Fatal("a catalog built from reversed input lists its clauses in another order")
	}
}

func equalPenalClauses(a, b []domain.PenalClause) bool {
	return slices.EqualFunc(a, b, func(x, y domain.PenalClause) bool {
		sameTo := (x.EffectiveTo == nil) == (y.EffectiveTo == nil) && (x.EffectiveTo == nil || x.EffectiveTo.Equal(*y.EffectiveTo))
		return x.Article == y.Article && x.Clause == y.Clause && x.Title == y.Title && x.Min == y.Min && x.Max == y.Max &&
			x.Class == y.Class && x.EffectiveFrom.Equal(y.EffectiveFrom) && sameTo && x.Note == y.Note
	})
}

const penalHeaderLine = "article,clause,title_vi,min_penalty,max_penalty,severity_class,effective_from,effective_to,note\n"

func TestParsePenalCodeAcceptsAMinimalFile(t *testing.T) {
	in := penalHeaderLine +
		"248,4,Tội sản xuất trái phép chất ma túy,20y,death,particularly_serious,2018-01-01,2025-06-30,old text\n" +
		"248,4,Tội sản xuất trái phép chất ma túy,20y,life,particularly_serious,2025-07-01,,\"new, milder\"\n" +
		"138,2,Tội vô ý gây thương tích,caitao_1-2y,2y,less_serious,2018-01-01,,\n"
	got, err := ParsePenalCode(strings.NewReader("\uFEFF" + in))
	if err != nil {
		t.Fatal(err)
	}
	to := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	want := []domain.PenalClause{
		{Article: "248", Clause: 4, Title: "Tội sản xuất trái phép chất ma túy", Min: domain.Penalty{Kind: domain.PenaltyPrison, Months: 240},
			Max: domain.Penalty{Kind: domain.PenaltyDeath}, Class: domain.ClassParticularlySerious,
			EffectiveFrom: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), EffectiveTo: &to, Note: "old text"},
		{Article: "248", Clause: 4, Title: "Tội sản xuất trái phép chất ma túy", Min: domain.Penalty{Kind: domain.PenaltyPrison, Months: 240},
			Max: domain.Penalty{Kind: domain.PenaltyLife}, Class: domain.ClassParticularlySerious,
			EffectiveFrom: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Note: "new, milder"},
		{Article: "138", Clause: 2, Title: "Tội vô ý gây thương tích", Min: domain.Penalty{Kind: domain.PenaltyReform, Months: 24},
			Max: domain.Penalty{Kind: domain.PenaltyPrison, Months: 24}, Class: domain.ClassLessSerious,
			EffectiveFrom: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	if !equalPenalClauses(got, want) {
		t.Fatalf("got %+v", got)
	}
}

// The parser refuses each kind of mistake, and says on which line and for which article.
func TestParsePenalCodeRejects(t *testing.T) {
	const row = "173,1,Tội trộm cắp tài sản,caitao_3y,3y,less_serious,2018-01-01,,\n"
	cases := []struct {
		name, in string
		want     []string // substrings the error must contain
	}{
		{"empty file", "", []string{"empty file"}},
		{"header only", penalHeaderLine, []string{"no clauses"}},
		{"bad header", strings.Replace(penalHeaderLine, "title_vi", "title", 1) + row, []string{"header"}},
		{"old header without dates", "article,clause,title_vi,min_penalty,max_penalty,severity_class,note\n173,1,T,3m,3y,ÍNT,\n", []string{"header"}},
		{"wrong class column", penalHeaderLine + "173,4,Tội trộm cắp tài sản,12y,20y,very_serious,2018-01-01,,\n",
			[]string{"line 2", "Điều 173", "particularly_serious", "Art. 9"}},
		{"abbreviated class", penalHeaderLine + "173,1,Tội trộm cắp tài sản,caitao_3y,3y,ÍNT,2018-01-01,,\n", []string{"line 2", "severity_class"}},
		{"class at the 3-year boundary", penalHeaderLine + "173,1,T,6m,37m,less_serious,2018-01-01,,\n", []string{"line 2", "serious under Art. 9"}},
		{"bad max token", penalHeaderLine + "173,1,T,6m,3 years,less_serious,2018-01-01,,\n", []string{"line 2", "Điều 173", "max_penalty"}},
		{"bad min token", penalHeaderLine + "173,1,T,tu_6m,3y,less_serious,2018-01-01,,\n", []string{"line 2", "min_penalty"}},
		{"min above max", penalHeaderLine + "173,1,T,5y,3y,less_serious,2018-01-01,,\n", []string{"line 2", "heavier"}},
		{"bad article", penalHeaderLine + "427,1,T,6m,3y,less_serious,2018-01-01,,\n", []string{"line 2", "article \"427\""}},
		{"bad clause", penalHeaderLine + "173,0,T,6m,3y,less_serious,2018-01-01,,\n", []string{"line 2", "clause \"0\""}},
		{"padded clause", penalHeaderLine + "173,01,T,6m,3y,less_serious,2018-01-01,,\n", []string{"clause \"01\""}},
		{"empty title", penalHeaderLine + "173,1,,6m,3y,less_serious,2018-01-01,,\n", []string{"title_vi is empty"}},
		{"spaces", penalHeaderLine + "173,1,T, 6m,3y,less_serious,2018-01-01,,\n", []string{"surrounding spaces"}},
		{"bad date", penalHeaderLine + "173,1,T,6m,3y,less_serious,01/01/2018,,\n", []string{"effective_from"}},
		{"before the Code", penalHeaderLine + "173,1,T,6m,3y,less_serious,2017-12-31,,\n", []string{"before the Penal Code"}},
		{"end before start", penalHeaderLine + "173,1,T,6m,3y,less_serious,2020-01-01,2019-12-31,\n", []string{"effective_to 2019-12-31 is before"}},
		{"overlapping ranges", penalHeaderLine + row + "173,1,Tội trộm cắp tài sản,1y,3y,less_serious,2025-07-01,,\n",
			[]string{"line 3", "Điều 173", "khoản 1 from 2025-07-01 overlaps the version on line 2"}},
		{"overlap on the shared day", penalHeaderLine + "173,1,T,6m,3y,less_serious,2018-01-01,2025-07-01,\n" + "173,1,T,1y,3y,less_serious,2025-07-01,,\n",
			[]string{"line 3", "overlaps"}},
		{"duplicate row", penalHeaderLine + row + row, []string{"line 3", "overlaps"}},
		{"too few fields", penalHeaderLine + "173,1,T,6m,3y,less_serious,2018-01-01\n", []string{"Điều 173", "wrong number of fields"}},
		{"stray quote", penalHeaderLine + "173,1,T\"x,6m,3y,less_serious,2018-01-01,,\n", []string{"bare \""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePenalCode(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// Every problem is reported at once, not only the first.
	_, err := ParsePenalCode(strings.NewReader(penalHeaderLine + "173,1,T,6m,3y,serious,2018-01-01,,\n" + "174,1,T,6m,bad,less_serious,2018-01-01,,\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2 (Điều 173)") || !strings.Contains(err.Error(), "line 3 (Điều 174)") {
		t.Fatalf("want both lines reported, got %v", err)
	}
}
