package domain

import "time"

// CaseFinding is a procedural defect (vi phạm tố tụng) the checker found in a case's record, as it
// is kept: one row per case and finding key, so that the same defect found again by a later
// recompute is the same finding, and a recommendation written about it keeps pointing at it.
// ResolvedAt is set when the checker no longer finds it (a correction, a release), and cleared if
// it comes back.
type CaseFinding struct {
	ID          int64
	CaseID      string
	Key         string
	Code        string
	Article     string
	Severity    string // violation or warning
	MessageVI   string
	MessageEN   string
	DecisionIDs []string
	MeasureID   string
	AccusedID   string
	// Remedy is the act the checker suggests: request (yêu cầu), recommendation (kiến nghị) or "".
	Remedy     string
	FoundAt    time.Time
	ResolvedAt *time.Time
	UpdatedAt  time.Time
	// Read with the case, for lists.
	CaseNumber string
	CaseCode   string
	UnitID     int64
	UnitCode   string
}

// Open reports whether the checker still finds the defect.
func (f CaseFinding) Open() bool { return f.ResolvedAt == nil }

// FindingFilter narrows a list of findings; nil fields do not filter. Open nil lists open and
// resolved findings alike.
type FindingFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	Codes           []string
	Severities      []string
	Open            *bool
	CaseID          *string
	Limit, Offset   int
}

// RecommendationKind is the act the procuracy addresses to the investigating body about a defect:
// a recommendation (kiến nghị) to remedy a breach in how the body works and prevent it, or a
// request (yêu cầu) to put right a breach in this case.
type RecommendationKind string

// Recommendation kinds; the values are those of a finding's remedy.
const (
	KindRecommendation RecommendationKind = "recommendation"
	KindRequest        RecommendationKind = "request"
)

// RecommendationKinds lists the kinds in a stable order.
var RecommendationKinds = []RecommendationKind{KindRecommendation, KindRequest}

// Valid reports whether k is a known kind.
func (k RecommendationKind) Valid() bool { return k == KindRecommendation || k == KindRequest }

// RecommendationStatus is where a recommendation stands: a draft being written, sent to the
// addressee (with its number and date), answered by it, resolved (the breach put right), or
// withdrawn by the procuracy.
type RecommendationStatus string

// Recommendation statuses.
const (
	RecDraft     RecommendationStatus = "draft"
	RecSent      RecommendationStatus = "sent"
	RecAnswered  RecommendationStatus = "answered"
	RecResolved  RecommendationStatus = "resolved"
	RecWithdrawn RecommendationStatus = "withdrawn"
)

// RecommendationStatuses lists the statuses in the order a recommendation goes through them.
var RecommendationStatuses = []RecommendationStatus{RecDraft, RecSent, RecAnswered, RecResolved, RecWithdrawn}

// recommendationMoves is the whole lifecycle of a recommendation: a draft is sent or withdrawn, a
// sent one is answered or withdrawn, an answered one is resolved. Resolved and withdrawn are final.
var recommendationMoves = map[RecommendationStatus][]RecommendationStatus{
	RecDraft:    {RecSent, RecWithdrawn},
	RecSent:     {RecAnswered, RecWithdrawn},
	RecAnswered: {RecResolved},
}

// Valid reports whether s is a known status.
func (s RecommendationStatus) Valid() bool {
	for _, x := range RecommendationStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// CanMoveTo reports whether a recommendation may go from s to next.
func (s RecommendationStatus) CanMoveTo(next RecommendationStatus) bool {
	for _, x := range recommendationMoves[s] {
		if x == next {
			return true
		}
	}
	return false
}

// MovesFrom lists the statuses a recommendation may go to from s, for error messages and clients.
func (s RecommendationStatus) MovesFrom() []RecommendationStatus {
	return append([]RecommendationStatus(nil), recommendationMoves[s]...)
}

// InProgress reports whether a recommendation still counts for its finding (a second one for the
// same finding would be a duplicate).
func (s RecommendationStatus) InProgress() bool {
	return s == RecDraft || s == RecSent || s == RecAnswered
}

// Recommendation is a recommendation (kiến nghị) or request (yêu cầu) of the procuracy to the
// investigating body, written about a finding or freely, and tracked until resolved. Version is
// the optimistic-concurrency counter every change must name.
type Recommendation struct {
	ID         string
	CaseID     string
	FindingID  *int64
	Kind       RecommendationKind
	Addressee  string
	Subject    string
	Body       string
	Status     RecommendationStatus
	Number     string
	SentOn     *time.Time // a Vietnamese calendar date
	DueOn      *time.Time // the reply date set in the letter, if any
	AnswerNote string
	AnsweredAt *time.Time
	ClosedAt   *time.Time // when resolved or withdrawn
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
	// Read with the case, for lists.
	CaseNumber  string
	CaseCode    string
	UnitID      int64
	UnitCode    string
	FindingCode string
}

// RecommendationFilter narrows a list of recommendations; empty fields do not filter.
type RecommendationFilter struct {
	Statuses        []string
	Kinds           []string
	UnitID          *int64
	IncludeSubunits bool
	CaseID          *string
	Limit, Offset   int
}

// RecommendationPatch is a change to a recommendation: pointer fields mean "change this". Status
// moves it along its lifecycle; the text fields are edited only while it is a draft.
type RecommendationPatch struct {
	Version    int
	Status     *RecommendationStatus
	Kind       *RecommendationKind
	Addressee  *string
	Subject    *string
	Body       *string
	Number     *string
	SentOn     *time.Time
	DueOn      *time.Time
	AnswerNote *string
}
