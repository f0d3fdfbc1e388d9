package domain

import "time"

// ChangeKind is what part of a case's record changed.
type ChangeKind string

// The kinds of change the feed carries.
const (
	ChangeCase     ChangeKind = "case"     // registration data, stage, team
	ChangeDecision ChangeKind = "decision" // a procedural decision recorded (and what it did)
	ChangeClock    ChangeKind = "clock"    // a time limit's status (running, due soon, missed, met …)
	ChangeDocument ChangeKind = "document" // a case-file document filed, versioned or withdrawn
	ChangeHearing  ChangeKind = "hearing"  // a court hearing scheduled, held, postponed, adjourned or cancelled
)

// Change is one entry of the change feed: which case, what changed, and where to read it. The feed
// carries no content: a follower reads the record through the API, with the caller's rights.
type Change struct {
	ID       int64
	At       time.Time
	CaseID   string
	Kind     ChangeKind
	Op       string // created, updated, stage, team, recorded, status, removed, version, withdrawn
	EntityID string // the decision, clock key or document; the case id for case changes
	Status   string // a clock's new status
}
