package workflow

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kiemsat/domain"
)

// penalCodeCSV is the Penal Code 2015 catalog shipped with the platform: every clause of the 79
// articles the procuracy prosecutes most, each version with the dates it was in force. Current
// rows follow the official codified text with Law 86/2025/QH15 (in force 01/07/2025); the rows
// ending 30/06/2025 rebuild, from the change notes, the brackets that Law replaced, because an act
// committed before it is judged by the old text (Art. 7). The database copy seeded from it is what
// administrators edit.
//
//go:embed penalcode/brackets.csv
var penalCodeCSV string

// PenalCodeData returns a copy of the embedded catalog file, for seeding the database and for
// showing administrators where the shipped values come from.
func PenalCodeData() []byte { return []byte(penalCodeCSV) }

// penalCodeHeader is the exact first line of a catalog file.
var penalCodeHeader = []string{"article", "clause", "title_vi", "min_penalty", "max_penalty", "severity_class", "effective_from", "effective_to", "note"}

// penalCodeEntryIntoForce is when the Penal Code 2015 took effect (Resolution 41/2017/QH14); no
// version of a clause can start earlier.
var penalCodeEntryIntoForce = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

// maxPenalClause bounds clause numbers; no article of the Code has more than a handful of clauses.
const maxPenalClause = 20

// ParsePenalCode reads a catalog file strictly: the header must be exactly the nine columns, and
// every field of every row is checked, including that the severity class is the one Art. 9 gives
// the bracket maximum and that versions of one clause do not overlap in time. It reports every
// problem found, each naming its line and article, so that a broken edit is fixed in one pass.
func ParsePenalCode(r io.Reader) ([]domain.PenalClause, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(penalCodeHeader)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("penal code: empty file, want a header line")
	}
	if err != nil {
		return nil, fmt.Errorf("penal code: header: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // spreadsheets save a byte-order mark
	}
	if !slices.Equal(header, penalCodeHeader) {
		return nil, fmt.Errorf("penal code: header %q, want %q", strings.Join(header, ","), strings.Join(penalCodeHeader, ","))
	}

	var (
		clauses []domain.PenalClause
		lines   []int
		errs    []error
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A line with the wrong number of fields is reported and skipped; after any other
			// syntax error (a stray quote) the rest of the file cannot be trusted.
			if errors.Is(err, csv.ErrFieldCount) && len(rec) > 0 {
				errs = append(errs, fmt.Errorf("penal code (Điều %s): %w", rec[0], err))
				continue
			}
			errs = append(errs, fmt.Errorf("penal code: %w", err))
			return nil, errors.Join(errs...)
		}
		line, _ := cr.FieldPos(0)
		c, rowErrs := parsePenalRow(rec)
		for _, e := range rowErrs {
			errs = append(errs, fmt.Errorf("penal code line %d (Điều %s): %w", line, rec[0], e))
		}
		if len(rowErrs) == 0 {
			clauses = append(clauses, c)
			lines = append(lines, line)
		}
	}
	errs = append(errs, overlapErrors(clauses, lines)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(clauses) == 0 {
		return nil, errors.New("penal code: no clauses after the header")
	}
	return clauses, nil
}

// parsePenalRow checks and converts one record; it returns every problem of the row.
func parsePenalRow(rec []string) (domain.PenalClause, []error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for i, f := range rec {
		if !utf8.ValidString(f) {
			bad("%s is not valid UTF-8", penalCodeHeader[i])
		} else if strings.TrimSpace(f) != f {
			bad("%s %q has surrounding spaces", penalCodeHeader[i], f)
		}
	}
	var c domain.PenalClause
	c.Article = rec[0]
	if !domain.ValidArticleRef(c.Article) {
		bad("article %q: want a number from 1 to %d, optionally with a lower-case letter (256a)", rec[0], domain.MaxPenalCodeArticle)
	}
	if n, err := strconv.Atoi(rec[1]); err != nil || n < 1 || n > maxPenalClause || strconv.Itoa(n) != rec[1] {
		bad("clause %q: want a number from 1 to %d", rec[1], maxPenalClause)
	} else {
		c.Clause = n
	}
	c.Title = rec[2]
	if c.Title == "" {
		bad("title_vi is empty")
	}
	var minOK, maxOK bool
	if p, err := domain.ParsePenalty(rec[3]); err != nil {
		bad("min_penalty: %v", err)
	} else {
		c.Min, minOK = p, true
	}
	if p, err := domain.ParsePenalty(rec[4]); err != nil {
		bad("max_penalty: %v", err)
	} else {
		c.Max, maxOK = p, true
	}
	if minOK && maxOK && c.Min.Compare(c.Max) > 0 {
		bad("min_penalty %s is heavier than max_penalty %s", rec[3], rec[4])
	}
	c.Class = domain.SeverityClass(rec[5])
	switch {
	case !c.Class.Valid():
		bad("severity_class %q: want one of %v", rec[5], domain.SeverityClasses)
	case maxOK && c.Class != domain.ClassFromMaximum(c.Max):
		bad("severity_class %s, but a bracket up to %s is %s under Art. 9", c.Class, rec[4], domain.ClassFromMaximum(c.Max))
	}
	from, err := time.Parse(time.DateOnly, rec[6])
	switch {
	case err != nil:
		bad("effective_from %q: want a date YYYY-MM-DD", rec[6])
	case from.Before(penalCodeEntryIntoForce):
		bad("effective_from %s is before the Penal Code 2015 took effect (2018-01-01)", rec[6])
	default:
		c.EffectiveFrom = from
	}
	if rec[7] != "" {
		to, err := time.Parse(time.DateOnly, rec[7])
		switch {
		case err != nil:
			bad("effective_to %q: want a date YYYY-MM-DD or nothing", rec[7])
		case !c.EffectiveFrom.IsZero() && to.Before(c.EffectiveFrom):
			bad("effective_to %s is before effective_from %s", rec[7], rec[6])
		default:
			c.EffectiveTo = &to
		}
	}
	c.Note = rec[8]
	return c, errs
}

// overlapErrors reports versions of the same clause whose date ranges share a day: the catalog
// must give exactly one bracket for an act on any date.
func overlapErrors(clauses []domain.PenalClause, lines []int) []error {
	type key struct {
		article string
		clause  int
	}
	byClause := map[key][]int{}
	var order []key
	for i, c := range clauses {
		k := key{c.Article, c.Clause}
		if _, seen := byClause[k]; !seen {
			order = append(order, k)
		}
		byClause[k] = append(byClause[k], i)
	}
	var errs []error
	for _, k := range order {
		idx := byClause[k]
		slices.SortStableFunc(idx, func(a, b int) int { return clauses[a].EffectiveFrom.Compare(clauses[b].EffectiveFrom) })
		for j := 1; j < len(idx); j++ {
			prev, cur := clauses[idx[j-1]], clauses[idx[j]]
			if prev.EffectiveTo == nil || !prev.EffectiveTo.Before(cur.EffectiveFrom) {
				errs = append(errs, fmt.Errorf("penal code line %d (Điều %s): khoản %d from %s overlaps the version on line %d",
					lines[idx[j]], k.article, k.clause, cur.EffectiveFrom.Format(time.DateOnly), lines[idx[j-1]]))
			}
		}
	}
	return errs
}

// PenalCatalog answers which bracket, and so which severity class, a clause of the Penal Code had
// on the day an offence was committed. It is immutable once built, so one catalog may serve every
// request at once.
type PenalCatalog struct {
	byArticle map[string][]domain.PenalClause // each sorted by clause, then effective_from
	articles  []string                        // in the Code's order
}

// NewPenalCatalog indexes clauses, as ParsePenalCode or the database return them. It keeps its
// own copy, so later changes to the slice do not reach the catalog.
func NewPenalCatalog(clauses []domain.PenalClause) *PenalCatalog {
	pc := &PenalCatalog{byArticle: map[string][]domain.PenalClause{}}
	for _, c := range clauses {
		if _, seen := pc.byArticle[c.Article]; !seen {
			pc.articles = append(pc.articles, c.Article)
		}
		pc.byArticle[c.Article] = append(pc.byArticle[c.Article], copyPenalClause(c))
	}
	for _, list := range pc.byArticle {
		slices.SortStableFunc(list, func(a, b domain.PenalClause) int {
			if a.Clause != b.Clause {
				return a.Clause - b.Clause
			}
			return a.EffectiveFrom.Compare(b.EffectiveFrom)
		})
	}
	slices.SortFunc(pc.articles, compareArticles)
	return pc
}

// defaultPenalCatalog parses the embedded file once; the catalog is immutable, so sharing it is
// safe.
var defaultPenalCatalog = sync.OnceValue(func() *PenalCatalog {
	clauses, err := ParsePenalCode(strings.NewReader(penalCodeCSV))
	if err != nil {
		// The file is compiled in and a test parses it, so this is a broken build, not bad input.
		panic("workflow: embedded penal code catalog is broken: " + err.Error())
	}
	return NewPenalCatalog(clauses)
})

// DefaultPenalCatalog is the catalog shipped in the binary. Services should prefer the one loaded
// from the database, which administrators can correct; this one seeds it and serves tests.
func DefaultPenalCatalog() *PenalCatalog { return defaultPenalCatalog() }

// Lookup returns the version of the clause in force on the offence date. The error is an invalid
// *domain.Error whose detail says whether the article is not in the catalog (unknown_article), the
// clause does not exist in any version (unknown_clause), or the text did not apply that day
// (not_in_force: a clause or article added by a later amendment, or one since repealed).
func (pc *PenalCatalog) Lookup(article string, clause int, offenceDate time.Time) (domain.PenalClause, error) {
	cite := "Điều " + article + " BLHS 2015"
	versions, ok := pc.byArticle[article]
	if !ok {
		return domain.PenalClause{}, penalLookupError("article", "unknown_article", cite,
			fmt.Sprintf("Điều %s Bộ luật Hình sự 2015 không có trong danh mục điều luật", article))
	}
	var clauseVersions []domain.PenalClause
	articleInForce := false
	for _, c := range versions {
		if c.InForce(offenceDate) {
			articleInForce = true
		}
		if c.Clause == clause {
			clauseVersions = append(clauseVersions, c)
		}
	}
	if len(clauseVersions) == 0 {
		return domain.PenalClause{}, penalLookupError("clause", "unknown_clause", cite,
			fmt.Sprintf("Điều %s Bộ luật Hình sự 2015 không có khoản %d", article, clause))
	}
	for _, c := range clauseVersions {
		if c.InForce(offenceDate) {
			return copyPenalClause(c), nil
		}
	}
	day := offenceDate.In(penalCodeZone).Format("02/01/2006")
	first, last := clauseVersions[0], clauseVersions[len(clauseVersions)-1]
	subject, field := "khoản "+strconv.Itoa(clause)+" Điều "+article+" Bộ luật Hình sự 2015", "clause"
	if !articleInForce {
		// Nothing of the article applied that day: the whole article is what is missing.
		subject, field = "Điều "+article+" Bộ luật Hình sự 2015", "article"
	}
	var msg string
	if penalCodeDate(offenceDate).Before(first.EffectiveFrom) {
		msg = fmt.Sprintf("%s chưa có hiệu lực vào ngày %s (có hiệu lực từ ngày %s)", subject, day, first.EffectiveFrom.Format("02/01/2006"))
	} else if last.EffectiveTo != nil && penalCodeDate(offenceDate).After(*last.EffectiveTo) {
		msg = fmt.Sprintf("%s không còn hiệu lực vào ngày %s (hết hiệu lực từ ngày %s)", subject, day, last.EffectiveTo.AddDate(0, 0, 1).Format("02/01/2006"))
	} else {
		msg = fmt.Sprintf("%s không có hiệu lực vào ngày %s", subject, day)
	}
	return domain.PenalClause{}, penalLookupError(field, "not_in_force", cite, msg)
}

// penalCodeZone is the zone whose calendar dates the law counts in.
var penalCodeZone = time.FixedZone("ICT", 7*3600)

// penalCodeDate is t's calendar date in Vietnam, as a UTC midnight like the catalog's dates.
func penalCodeDate(t time.Time) time.Time {
	y, m, d := t.In(penalCodeZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func penalLookupError(field, rule, article, msg string) *domain.Error {
	return &domain.Error{Code: domain.CodeInvalid, Message: msg,
		Details: []domain.Detail{{Field: field, Rule: rule, Article: article, Message: msg}}}
}

// Article returns every version of every clause of an article, sorted by clause and then by the
// date each version took effect; nil when the article is not in the catalog.
func (pc *PenalCatalog) Article(article string) []domain.PenalClause {
	versions := pc.byArticle[article]
	if versions == nil {
		return nil
	}
	out := make([]domain.PenalClause, len(versions))
	for i, c := range versions {
		out[i] = copyPenalClause(c)
	}
	return out
}

// Articles lists the catalog's articles in the Code's order: by number, then by suffix, so that
// 256a follows 256.
func (pc *PenalCatalog) Articles() []string { return slices.Clone(pc.articles) }

// Clauses returns every version of every clause, in the order of Articles and then of Article.
func (pc *PenalCatalog) Clauses() []domain.PenalClause {
	var out []domain.PenalClause
	for _, a := range pc.articles {
		out = append(out, pc.Article(a)...)
	}
	return out
}

// copyPenalClause gives the caller its own EffectiveTo, so that no one can edit the catalog through it.
func copyPenalClause(c domain.PenalClause) domain.PenalClause {
	if c.EffectiveTo != nil {
		to := *c.EffectiveTo
		c.EffectiveTo = &to
	}
	return c
}

// compareArticles orders article references as the Code does; a malformed reference sorts last,
// by its text.
func compareArticles(a, b string) int {
	na, sa, oka := domain.ArticleNumber(a)
	nb, sb, okb := domain.ArticleNumber(b)
	switch {
	case oka && okb:
		if na != nb {
			return na - nb
		}
		return strings.Compare(sa, sb)
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}
