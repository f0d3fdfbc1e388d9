package domain

import "time"

// Why a registration may repeat a record already registered.
const (
	// DuplicateNationalID: a party of the new registration has the CCCD of a party of the record.
	DuplicateNationalID = "national_id"
	// DuplicateSimilarSummary: the summary reads almost like the record's (trigram similarity).
	DuplicateSimilarSummary = "similar_summary"
)

// Thresholds of the duplicate check made before a registration is saved.
const (
	// DuplicateMinSummary is the shortest summary, in runes, compared by similarity: shorter ones
	// share too few trigrams for the figure to mean anything.
	DuplicateMinSummary = 20
	// DuplicateSimilarity is the trigram similarity (0..1, pg_trgm similarity()) from which a
	// summary counts as a likely repeat.
	DuplicateSimilarity = 0.6
	// DuplicateWindow is how far back, before the date received, similar summaries are looked for.
	DuplicateWindow = 365 * 24 * time.Hour
	// DuplicateLimit bounds the hints of one check.
	DuplicateLimit = 10
	// DuplicateSummaryRunes is how much of the record's summary a hint carries.
	DuplicateSummaryRunes = 200
)

// DuplicateHint is a record already registered that a new registration may repeat.
type DuplicateHint struct {
	CaseID, Number, Code string
	Kind                 CaseKind
	UnitID               int64
	UnitCode             string
	Stage                Stage
	ReceivedAt           time.Time
	Summary              string  // first DuplicateSummaryRunes runes
	Reason               string  // DuplicateNationalID or DuplicateSimilarSummary
	NationalID           string  // the matching CCCD, for national_id
	PartyName            string  // the record's party holding that CCCD, for national_id
	Similarity           float64 // 0..1, for similar_summary
}
