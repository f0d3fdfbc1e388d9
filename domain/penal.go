package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SeverityClass is the class of a crime (phân loại tội phạm, Penal Code 2015 Art. 9). It is taken
// from the maximum of the penalty bracket (khung hình phạt) of the article and clause charged, not
// from the sentence imposed, and it selects most procedural time limits: investigation, detention,
// prosecution and trial preparation all run longer for a heavier class.
type SeverityClass string

// The four classes of Art. 9(1), lightest first.
const (
	ClassLessSerious         SeverityClass = "less_serious"         // tội phạm ít nghiêm trọng (ÍNT)
	ClassSerious             SeverityClass = "serious"              // tội phạm nghiêm trọng (NT)
	ClassVerySerious         SeverityClass = "very_serious"         // tội phạm rất nghiêm trọng (RNT)
	ClassParticularlySerious SeverityClass = "particularly_serious" // tội phạm đặc biệt nghiêm trọng (ĐBNT)
)

// SeverityClasses lists the classes in ascending order of gravity, so that a slice index plus one
// is the class's rank.
var SeverityClasses = []SeverityClass{ClassLessSerious, ClassSerious, ClassVerySerious, ClassParticularlySerious}

// Valid reports whether c is one of the four classes of Art. 9.
func (c SeverityClass) Valid() bool { return c.Rank() > 0 }

// Rank orders the classes from 1 (less serious) to 4 (particularly serious); it is 0 for an
// unknown value, so that an unknown class never outranks a known one.
func (c SeverityClass) Rank() int {
	for i, x := range SeverityClasses {
		if x == c {
			return i + 1
		}
	}
	return 0
}

// NameVI is the class's name as the Penal Code writes it, for documents and the user interface.
func (c SeverityClass) NameVI() string {
	switch c {
	case ClassLessSerious:
		return "ít nghiêm trọng"
	case ClassSerious:
		return "nghiêm trọng"
	case ClassVerySerious:
		return "rất nghiêm trọng"
	case ClassParticularlySerious:
		return "đặc biệt nghiêm trọng"
	}
	return ""
}

// NameEN is the class's English name, for logs and English documentation.
func (c SeverityClass) NameEN() string {
	switch c {
	case ClassLessSerious:
		return "less serious"
	case ClassSerious:
		return "serious"
	case ClassVerySerious:
		return "very serious"
	case ClassParticularlySerious:
		return "particularly serious"
	}
	return ""
}

// Abbrev is the abbreviation procuracy staff write in tables and reports (ÍNT, NT, RNT, ĐBNT).
func (c SeverityClass) Abbrev() string {
	switch c {
	case ClassLessSerious:
		return "ÍNT"
	case ClassSerious:
		return "NT"
	case ClassVerySerious:
		return "RNT"
	case ClassParticularlySerious:
		return "ĐBNT"
	}
	return ""
}

// SeverityClassFromAbbrev reads an abbreviation written by Abbrev back into a class, so that tables
// kept by staff in that notation can be checked against the catalog.
func SeverityClassFromAbbrev(s string) (SeverityClass, bool) {
	for _, c := range SeverityClasses {
		if c.Abbrev() == s {
			return c, true
		}
	}
	return "", false
}

// HeaviestClass returns the gravest of the given classes, because with several charges the
// heaviest one governs the time limits. Unknown values are ignored; it returns "" when no known
// class is given.
func HeaviestClass(classes ...SeverityClass) SeverityClass {
	var best SeverityClass
	for _, c := range classes {
		if c.Rank() > best.Rank() {
			best = c
		}
	}
	return best
}

// PenaltyKind is a principal penalty (hình phạt chính) of Penal Code Art. 32(1) that can bound a
// bracket. Expulsion is left out: it never bounds a bracket of a clause.
type PenaltyKind string

// The kinds, lightest first.
const (
	PenaltyWarning PenaltyKind = "warning" // cảnh cáo (Art. 34)
	PenaltyFine    PenaltyKind = "fine"    // phạt tiền (Art. 35)
	PenaltyReform  PenaltyKind = "reform"  // cải tạo không giam giữ: non-custodial reform (Art. 36)
	PenaltyPrison  PenaltyKind = "prison"  // tù có thời hạn: imprisonment for a term (Art. 38)
	PenaltyLife    PenaltyKind = "life"    // tù chung thân: life imprisonment (Art. 39)
	PenaltyDeath   PenaltyKind = "death"   // tử hình: the death penalty (Art. 40)
)

// penaltyKinds orders the kinds from lightest to gravest, for Compare.
var penaltyKinds = []PenaltyKind{PenaltyWarning, PenaltyFine, PenaltyReform, PenaltyPrison, PenaltyLife, PenaltyDeath}

// The lengths the Penal Code allows for the penalties with a duration: non-custodial reform from
// 6 months to 3 years (Art. 36(1)), imprisonment for a term from 3 months to 20 years (Art. 38(1)).
const (
	minReformMonths = 6
	maxReformMonths = 36
	minPrisonMonths = 3
	maxPrisonMonths = 240
)

// Penalty is one end of a penalty bracket. Months is the length for reform and prison (for a
// range such as reform of 1 to 2 years it is the upper bound, since Art. 9 looks at the maximum),
// and zero for the other kinds.
type Penalty struct {
	Kind   PenaltyKind
	Months int
}

// ParsePenalty reads a bracket token of the penal-code data file: "canhcao" (warning), "fine",
// "caitao_2y", "caitao_18m" or "caitao_1-2y" (non-custodial reform up to that length), "6m" or
// "3y" (prison), "life", "death". Lengths outside what the Penal Code allows for the kind are
// refused, so that a typo cannot shift a clause into another class.
func ParsePenalty(token string) (Penalty, error) {
	switch token {
	case "canhcao":
		return Penalty{Kind: PenaltyWarning}, nil
	case "fine":
		return Penalty{Kind: PenaltyFine}, nil
	case "life":
		return Penalty{Kind: PenaltyLife}, nil
	case "death":
		return Penalty{Kind: PenaltyDeath}, nil
	}
	if rest, ok := strings.CutPrefix(token, "caitao_"); ok {
		// A range "1-2y" keeps its unit on the upper bound only; the lower bound must be smaller.
		lower, upper, isRange := strings.Cut(rest, "-")
		if isRange {
			rest = upper
		}
		months, err := parseLength(rest)
		if err != nil {
			return Penalty{}, fmt.Errorf("penalty %q: %w", token, err)
		}
		if isRange {
			lo, err := parseLength(lower + rest[len(rest)-1:])
			if err != nil || lo >= months {
				return Penalty{}, fmt.Errorf("penalty %q: the lower bound of a range must be a shorter length in the same unit", token)
			}
		}
		if months < minReformMonths || months > maxReformMonths {
			return Penalty{}, fmt.Errorf("penalty %q: non-custodial reform runs from 6 months to 3 years (Art. 36)", token)
		}
		return Penalty{Kind: PenaltyReform, Months: months}, nil
	}
	months, err := parseLength(token)
	if err != nil {
		return Penalty{}, fmt.Errorf("penalty %q: %w", token, err)
	}
	if months < minPrisonMonths || months > maxPrisonMonths {
		return Penalty{}, fmt.Errorf("penalty %q: imprisonment for a term runs from 3 months to 20 years (Art. 38)", token)
	}
	return Penalty{Kind: PenaltyPrison, Months: months}, nil
}

// parseLength reads "<n>m" or "<n>y" into months; n has no sign and no leading zero.
func parseLength(s string) (int, error) {
	if len(s) < 2 || s[0] < '1' || s[0] > '9' {
		return 0, fmt.Errorf("want a length such as 6m or 3y")
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n > 1000 {
		return 0, fmt.Errorf("want a length such as 6m or 3y")
	}
	switch s[len(s)-1] {
	case 'm':
		return n, nil
	case 'y':
		return 12 * n, nil
	}
	return 0, fmt.Errorf("want a length such as 6m or 3y")
}

// String gives the canonical token of p, which ParsePenalty reads back to the same value: whole
// years as "3y", other lengths in months; a reform range keeps only its upper bound.
func (p Penalty) String() string {
	switch p.Kind {
	case PenaltyWarning:
		return "canhcao"
	case PenaltyFine, PenaltyLife, PenaltyDeath:
		return string(p.Kind)
	case PenaltyReform:
		return "caitao_" + formatLength(p.Months)
	case PenaltyPrison:
		return formatLength(p.Months)
	}
	return fmt.Sprintf("invalid(%s,%d)", p.Kind, p.Months)
}

func formatLength(months int) string {
	if months > 0 && months%12 == 0 {
		return strconv.Itoa(months/12) + "y"
	}
	return strconv.Itoa(months) + "m"
}

// Compare orders penalties by gravity: first by kind (warning < fine < reform < prison < life <
// death), then by length. It returns -1, 0 or +1, and is how a bracket's minimum is checked not to
// exceed its maximum.
func (p Penalty) Compare(q Penalty) int {
	if a, b := kindRank(p.Kind), kindRank(q.Kind); a != b {
		if a < b {
			return -1
		}
		return 1
	}
	switch {
	case p.Months < q.Months:
		return -1
	case p.Months > q.Months:
		return 1
	}
	return 0
}

func kindRank(k PenaltyKind) int {
	for i, x := range penaltyKinds {
		if x == k {
			return i + 1
		}
	}
	return 0
}

// The upper limits, in months of imprisonment, of the first three classes of Art. 9(1).
const (
	lessSeriousMaxMonths = 36  // prison up to 3 years
	seriousMaxMonths     = 84  // over 3 up to 7 years
	verySeriousMaxMonths = 180 // over 7 up to 15 years
)

// ClassFromMaximum applies Penal Code Art. 9(1) to the maximum of a bracket: a fine, non-custodial
// reform or prison up to 3 years is less serious; over 3 up to 7 years serious; over 7 up to 15
// years very serious; over 15 years, life imprisonment or death particularly serious. A warning,
// lighter than a fine, is less serious too. It returns "" for a penalty of no known kind.
func ClassFromMaximum(max Penalty) SeverityClass {
	switch max.Kind {
	case PenaltyWarning, PenaltyFine, PenaltyReform:
		return ClassLessSerious
	case PenaltyLife, PenaltyDeath:
		return ClassParticularlySerious
	case PenaltyPrison:
		switch {
		case max.Months <= 0:
			return ""
		case max.Months <= lessSeriousMaxMonths:
			return ClassLessSerious
		case max.Months <= seriousMaxMonths:
			return ClassSerious
		case max.Months <= verySeriousMaxMonths:
			return ClassVerySerious
		default:
			return ClassParticularlySerious
		}
	}
	return ""
}

// vietnamZone is Indochina Time (UTC+7, no daylight saving), the zone in which the law's calendar
// dates are read.
var vietnamZone = time.FixedZone("ICT", 7*3600)

// PenalClause is one version of one clause (khoản) of an article (điều) of the Penal Code 2015
// (Bộ luật Hình sự, BLHS): its bracket, the class that bracket gives, and the calendar dates
// between which that text was in force. An amendment that changes a bracket closes the old
// version and opens a new one, because an act is judged by the text in force when it was
// committed (Art. 7) and a harsher amendment does not reach back.
type PenalClause struct {
	Article string // "173", or "256a" for an article inserted by an amendment
	Clause  int    // 1-based
	Title   string // the crime's name as the article heads it: "Tội trộm cắp tài sản"
	// Min and Max bound the bracket (khung hình phạt); Max decides Class.
	Min, Max Penalty
	Class    SeverityClass
	// EffectiveFrom and EffectiveTo are calendar dates, both inclusive; only their year, month and
	// day count. EffectiveTo is nil while the version is in force.
	EffectiveFrom time.Time
	EffectiveTo   *time.Time
	// Note says where the version comes from or what changed, in the data file's words.
	Note string
}

// InForce reports whether this version applies to an act committed at on. The comparison is by
// calendar date in Vietnam, since the law takes effect from the start of a day there: an act at
// 23:30 UTC on 30 June 2025 happened on 1 July in Hanoi.
func (c PenalClause) InForce(on time.Time) bool {
	day := civilDate(on.In(vietnamZone))
	if day < civilDate(c.EffectiveFrom) {
		return false
	}
	return c.EffectiveTo == nil || day <= civilDate(*c.EffectiveTo)
}

// civilDate packs a time's own year, month and day into a number that orders like the dates.
func civilDate(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// Ref is the clause's citation in the form documents use: "khoản 2 Điều 173".
func (c PenalClause) Ref() string {
	return "khoản " + strconv.Itoa(c.Clause) + " Điều " + c.Article
}

// MaxPenalCodeArticle is the last article of the Penal Code 2015.
const MaxPenalCodeArticle = 426

var articleRefPattern = regexp.MustCompile(`^[1-9][0-9]{0,2}[a-z]?$`)

// ValidArticleRef reports whether s names an article of the Penal Code 2015: a number from 1 to
// 426, optionally followed by one lower-case letter for an article inserted by an amendment
// ("256a").
func ValidArticleRef(s string) bool {
	if !articleRefPattern.MatchString(s) {
		return false
	}
	n, _ := strconv.Atoi(strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz"))
	return n <= MaxPenalCodeArticle
}

// ArticleNumber splits a valid article reference into its number and its letter suffix ("256a" →
// 256, "a"), the order in which articles follow each other in the Code. ok is false when s is not
// a valid reference.
func ArticleNumber(s string) (n int, suffix string, ok bool) {
	if !ValidArticleRef(s) {
		return 0, "", false
	}
	digits := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz")
	n, _ = strconv.Atoi(digits)
	return n, s[len(digits):], true
}
