package domain

import "time"

// SearchKind is what a search hit is: a case (vụ án, tin báo), a document of a case file (văn bản
// trong hồ sơ) or a passage of the law (điều luật, quy tắc thời hạn).
type SearchKind string

// The kinds of search hits.
const (
	SearchCase     SearchKind = "case"
	SearchDocument SearchKind = "document"
	SearchLaw      SearchKind = "law"
)

// Valid reports whether k is a known kind.
func (k SearchKind) Valid() bool { return k == SearchCase || k == SearchDocument || k == SearchLaw }

// SearchTerms is a query as the database reads it: the plain (unaccented) tsquery every record
// is matched with, the accented one that ranks exact spellings first, and the words the lexicon
// corrected (a typo replaced by the known words closest to it).
type SearchTerms struct {
	Plain     string
	Accented  string
	Corrected map[string][]string
	// Any joins the words with OR instead of AND (the assistant's retrieval of similar facts).
	Any bool
}

// Empty reports whether the query has no word to search for.
func (t SearchTerms) Empty() bool { return t.Plain == "" }

// Highlight is a piece of a snippet; Match marks the words the query matched.
type Highlight struct {
	Text  string
	Match bool
}

// SearchHit is one record found. Case hits fill the case fields; document hits the case fields and
// the document's; law hits Cite (article and clause, or rule id) and Title.
type SearchHit struct {
	Kind       SearchKind
	ID         string // case id, document id, or law passage id
	CaseID     string
	CaseNumber string
	CaseCode   string
	UnitID     int64
	Stage      Stage
	ReceivedAt time.Time
	Title      string
	Cite       string
	Snippet    []Highlight
	Rank       float64
}

// SearchPage is the hits of one kind, best first, with the number of matches in scope.
type SearchPage struct {
	Kind  SearchKind
	Hits  []SearchHit
	Total int64
	// Capped: more matched than the ranking reads (Total is then a lower bound).
	Capped bool
}

// LawPassage is a passage the law search and the assistant read besides the Penal Code catalog:
// a deadline rule or a fact of the reference (how time is counted, which documents move a case).
type LawPassage struct {
	ID    string // BLHS:<article>:<clause>, rule:<rule id> or fact:<name>
	Cite  string // the article it comes from
	Title string
	Body  string
	// ValidFrom and ValidTo bound a clause version's days in force (inclusive); nil for a
	// passage always shown.
	ValidFrom, ValidTo *time.Time
}

// SimilarCase is a case found like another: why it is similar, and how it ended.
type SimilarCase struct {
	CaseID     string
	Number     string
	Code       string
	UnitID     int64
	Stage      Stage
	Summary    string
	ReceivedAt time.Time
	// SameCharges are the article/clause pairs both cases are charged under; SamePoints the
	// points (điểm) of those clauses both name, which often are the aggravating circumstances.
	SameCharges []string
	SamePoints  []string
	// TextScore is the similarity of the facts (0..1).
	TextScore float64
	Outcome   string // the last decision's step, when the case has one
	Score     float64
}

// Citation is what an assistant answer rests on: an article and clause of a code, a deadline rule,
// a case or a document. Ref is the machine-readable reference the evaluation set checks.
type Citation struct {
	Kind  string // article, rule, case, document
	Ref   string // "BLTTHS:173", "BLHS:173:2", "rule:detention_period", case number, document id
	Label string
	ID    string // the case or document id, for links
}

// AssistantAnswer is one question and its answer, as kept in the asker's history.
type AssistantAnswer struct {
	ID         string
	UserID     string
	AskedAt    time.Time
	Question   string
	CaseID     string
	Language   string
	Intent     string
	Answered   bool
	Answer     string
	Citations  []Citation
	Confidence float64
	Phrased    bool
	Similar    []SimilarCase
	Related    []SearchHit
}

// DocumentText is the text extracted from one version of a document.
type DocumentText struct {
	VersionID  string
	DocumentID string
	CaseID     string
	Status     string // extracted, empty, unsupported, failed
	Detail     string
	Body       string
	At         time.Time
}

// PendingText is a document version whose text has not been read yet.
type PendingText struct {
	VersionID   string
	DocumentID  string
	CaseID      string
	ObjectKey   string
	ContentType string
	FileName    string
	Size        int64
}

// ChargeRef names an offence by article, clause and point of the Penal Code (điều, khoản, điểm).
type ChargeRef struct {
	Article string
	Clause  int
	Point   string
}

// DocumentScope is who may read which documents: the cases of Read, and beyond the normal ones
// those the caller is on the team of, the confidential ones of the units of Confidential and the
// secret ones of the units of Secret (the case file's classification rule, stated set-wise).
type DocumentScope struct {
	Read, Confidential, Secret Scope
}

// SimilarQuery is what similar cases are looked for by: the charges (article, clause, point) of
// a case, the words of its facts, and the case itself to leave out.
type SimilarQuery struct {
	ExcludeID string
	Charges   []ChargeRef
	Terms     SearchTerms
	// Text is the facts to compare summaries with.
	Text  string
	Limit int
}
