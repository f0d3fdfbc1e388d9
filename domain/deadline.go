package domain

import "time"

// ClockRecord is a time limit (thời hạn tố tụng) of a case as the deadline engine last computed
// it and as it is kept, so that lists, dashboards and the monitor read it with one indexed query
// instead of running the engine. The engine's own type (workflow.Clock) carries the same facts;
// this one is what the stores speak.
type ClockRecord struct {
	ID        int64
	CaseID    string
	UnitID    int64 // the case's unit and secrecy, copied for scoped lists
	Secret    bool
	Key       string // rule, subject and occurrence: stable across recomputes of the case
	Rule      string
	Subject   string // case, decision or measure
	SubjectID string
	AccusedID string
	Article   string
	NameVI    string
	NameEN    string
	StartAt   time.Time
	// LengthUnit and LengthN are the base length the class gave (before extensions).
	LengthUnit      string
	LengthN         int
	ExtensionsUsed  int
	ExtensionsLeft  int
	EarliestLastDay time.Time
	LatestLastDay   time.Time
	EarliestDue     time.Time
	LatestDue       time.Time
	// WarnAt is when an open clock becomes due soon.
	WarnAt time.Time
	// Lapses: a window (to appeal, to protest) that ends cancelled, not missed, when unused.
	Lapses          bool
	Rolled          bool
	Uncovered       bool
	Status          string
	EndedAt         *time.Time
	ExplanationVI   string
	ExplanationEN   string
	ComputedAt      time.Time
	StatusChangedAt time.Time
}

// Clock statuses as stored; workflow.ClockStatus names the same values.
const (
	ClockStatusRunning   = "running"
	ClockStatusDueSoon   = "due_soon"
	ClockStatusMet       = "met"
	ClockStatusMetLate   = "met_late"
	ClockStatusMissed    = "missed"
	ClockStatusStopped   = "stopped"
	ClockStatusCancelled = "cancelled"
)

// OpenClockStatuses are the statuses of clocks still running (a missed clock runs on until the
// act is done: the violation grows every day).
var OpenClockStatuses = []string{ClockStatusMissed, ClockStatusDueSoon, ClockStatusRunning}

// ClockListItem is a stored clock with the case it belongs to, for lists across a scope.
type ClockListItem struct {
	Clock        ClockRecord
	CaseNumber   string
	CaseCode     string
	CaseStage    Stage
	UnitID       int64
	UnitCode     string
	ProsecutorID string // the lead prosecutor (kiểm sát viên thụ lý chính), when assigned
}

// ClockFilter narrows a list of clocks; nil fields do not filter. Statuses empty means the open
// ones.
type ClockFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	Statuses        []string
	Rules           []string
	DueBefore       *time.Time
	DueAfter        *time.Time
	ProsecutorID    *string
	CaseID          *string
	Limit, Offset   int
}

// Violation (vi phạm về thời hạn tố tụng) is a time limit that ran out before the act it
// required, found by the monitor when the clock ran out or by a recompute that found it missed or
// met late. UnitID and ProsecutorID are who was responsible when it was found.
type Violation struct {
	ID           int64
	CaseID       string
	ClockKey     string
	Rule         string
	Article      string
	NameVI       string
	NameEN       string
	Subject      string
	SubjectID    string
	AccusedID    string
	DueAt        time.Time
	DetectedAt   time.Time
	DetectedBy   string // monitor or recompute
	MetAt        *time.Time
	WithdrawnAt  *time.Time
	UnitID       int64
	ProsecutorID string
	// Read with the case, for lists.
	CaseNumber string
	CaseCode   string
	UnitCode   string
}

// Late is how long past its due the limit was kept, or is at now while still not kept.
func (v Violation) Late(now time.Time) time.Duration {
	end := now
	if v.MetAt != nil {
		end = *v.MetAt
	}
	if end.Before(v.DueAt) {
		return 0
	}
	return end.Sub(v.DueAt)
}

// ViolationFilter narrows a list of violations; nil fields do not filter.
type ViolationFilter struct {
	UnitID           *int64
	IncludeSubunits  bool
	Rules            []string
	Open             *bool // not met yet (and not withdrawn)
	IncludeWithdrawn bool
	DetectedAfter    *time.Time
	DetectedBefore   *time.Time
	ProsecutorID     *string
	CaseID           *string
	Limit, Offset    int
}

// Notification (thông báo) is a message to one user in the application, made from an outbox
// event by the in-app channel.
type Notification struct {
	ID        int64
	UserID    string
	CaseID    string
	UnitID    int64
	Kind      string
	TitleVI   string
	TitleEN   string
	BodyVI    string
	BodyEN    string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// OutboxEvent is an event committed with the change it reports, delivered afterwards to each
// notification channel.
type OutboxEvent struct {
	ID            int64
	DedupKey      string
	Topic         string
	CaseID        string
	UnitID        int64
	Payload       []byte // JSON
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	DeliveredAt   *time.Time
	LastError     string
}
