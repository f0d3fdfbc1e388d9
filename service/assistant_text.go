package service

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"kiemsat/domain"
)

// How the assistant reads a question: folded to lower case without diacritics, so that
// "Thời hạn tạm giam" and "thoi han tam giam" read alike, then matched against phrases.

var foldMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// fold lowers s, takes its diacritics off (đ becomes d) and keeps letters and digits separated by
// single spaces, with a space at each end so that phrases match whole words.
func fold(s string) string {
	s = strings.NewReplacer("đ", "d", "Đ", "d").Replace(s)
	out, _, err := transform.String(foldMarks, s)
	if err != nil {
		out = s
	}
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(out) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// question is a question as the assistant reads it.
type question struct {
	raw    string
	folded string
	en     bool
}

func readQuestion(raw string) question {
	q := question{raw: raw, folded: fold(raw)}
	q.en = isEnglish(raw, q.folded)
	return q
}

// has reports whether any of the phrases (folded, whole words) occurs in the question.
func (q question) has(phrases ...string) bool {
	for _, p := range phrases {
		if strings.Contains(q.folded, " "+p+" ") {
			return true
		}
	}
	return false
}

var (
	viStopwords = []string{"la", "bao", "lau", "gi", "nao", "cua", "vu", "toi", "han", "thoi", "may", "ngay", "co", "khong", "duoc", "ai", "nay", "bi", "can", "thi", "va", "de", "lan"}
	enStopwords = []string{"the", "what", "how", "long", "is", "which", "who", "for", "of", "a", "an", "does", "many", "when", "this", "case", "article", "clause", "can", "are", "days", "it", "be"}
)

// isEnglish: a question with Vietnamese letters is Vietnamese; without, the one of the two
// languages whose common words it uses more.
func isEnglish(raw, folded string) bool {
	for _, r := range raw {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return false
		}
	}
	count := func(words []string) int {
		n := 0
		for _, w := range words {
			n += strings.Count(folded, " "+w+" ")
		}
		return n
	}
	return count(enStopwords) > count(viStopwords)
}

var (
	reArticle  = regexp.MustCompile(` (?:dieu|article|art) (\d{1,3}[a-z]?) `)
	reClause   = regexp.MustCompile(` (?:khoan|clause) (\d{1,2}) `)
	rePoint    = regexp.MustCompile(` (?:diem|point) ([a-z]) `)
	reArtParen = regexp.MustCompile(`(?i)(?:điều|dieu|article|art\.?)\s*(\d{1,3}[a-z]?)\s*\((\d{1,2})\)`)
	reCaseCode = regexp.MustCompile(`VKS-[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{4}-(?:TB|VA)-\d{6}`)
)

// articleRef is an article of a code named in a question, with its clause and point when given.
type articleRef struct {
	Article string
	Clause  int
	Point   string
}

// articleRef finds the first article named ("Điều 173 khoản 2", "khoản 2 Điều 173", "article
// 173(2)", "clause 2 of article 173").
func (q question) articleRef() (articleRef, bool) {
	text := q.folded
	if m := reArtParen.FindStringSubmatch(q.raw); m != nil {
		return articleRef{Article: strings.ToLower(m[1]), Clause: atoiOr(m[2])}, true
	}
	m := reArticle.FindStringSubmatch(text)
	if m == nil {
		return articleRef{}, false
	}
	ref := articleRef{Article: m[1]}
	if c := reClause.FindStringSubmatch(text); c != nil {
		ref.Clause = atoiOr(c[1])
	}
	if p := rePoint.FindStringSubmatch(text); p != nil {
		ref.Point = p[1]
	}
	return ref, true
}

func atoiOr(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// classIn is the severity class a question names, if any.
func (q question) classIn() domain.SeverityClass {
	switch {
	case q.has("dac biet nghiem trong", "dbnt", "particularly serious", "especially serious"):
		return domain.ClassParticularlySerious
	case q.has("rat nghiem trong", "rnt", "very serious"):
		return domain.ClassVerySerious
	case q.has("it nghiem trong", "less serious", "minor crime", "minor offence"):
		return domain.ClassLessSerious
	case q.has("nghiem trong", "nt", "serious"):
		return domain.ClassSerious
	}
	return ""
}

// similarStopwords are the words of a question that ask rather than describe.
var similarStopwords = map[string]bool{
	"tim": true, "vu": true, "an": true, "tuong": true, "tu": true, "giong": true, "nhu": true, "cac": true, "nhung": true, "co": true,
	"khong": true, "nao": true, "gi": true, "ve": true, "hay": true, "cho": true, "toi": true, "biet": true, "da": true, "xu": true,
	"ly": true, "the": true, "find": true, "similar": true, "cases": true, "case": true, "to": true, "like": true, "show": true,
	"me": true, "with": true, "of": true, "a": true, "this": true, "nay": true, "dieu": true, "khoan": true, "article": true,
	"clause": true, "la": true, "va": true, "cung": true, "loai": true,
}

// describingWords are the words of the raw question that describe facts, for the text side of the
// similar-case search.
func (q question) describingWords() string {
	var keep []string
	for _, w := range strings.Fields(q.raw) {
		f := strings.TrimSpace(fold(w))
		if f == "" || similarStopwords[f] || atoiOr(f) > 0 {
			continue
		}
		keep = append(keep, w)
	}
	return strings.Join(keep, " ")
}
