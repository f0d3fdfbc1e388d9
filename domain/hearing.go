package domain

import "time"

// HearingLevel is the kind of court hearing (phiên tòa) a case is heard at. The procuracy attends
// each of them: at first instance it practises prosecution (thực hành quyền công tố) and supervises
// the trial; on appeal and in cassation the procuracy at the level of the court does.
type HearingLevel string

// Hearing levels.
const (
	HearingFirstInstance HearingLevel = "first_instance" // phiên tòa sơ thẩm
	HearingAppeal        HearingLevel = "appeal"         // phiên tòa phúc thẩm
	HearingCassation     HearingLevel = "cassation"      // phiên tòa giám đốc thẩm, tái thẩm
)

// HearingLevels lists the levels in procedural order.
var HearingLevels = []HearingLevel{HearingFirstInstance, HearingAppeal, HearingCassation}

// Valid reports whether l is a known level.
func (l HearingLevel) Valid() bool { return oneOf(l, HearingLevels) }

// Stage is the case stage at which a hearing of the level is held: a case is heard at first
// instance while it is at the first-instance trial stage, and so on.
func (l HearingLevel) Stage() Stage {
	switch l {
	case HearingAppeal:
		return StageAppeal
	case HearingCassation:
		return StageCassation
	}
	return StageFirstInstance
}

// HearingStatus is where a hearing stands. A hearing is scheduled, then leaves that status once:
// held; postponed (hoãn phiên tòa) before or at its opening, to a new date; adjourned (tạm ngừng
// phiên tòa) after it opened, to resume at a new date; or cancelled (the case left the court, the
// hearing was set by mistake). A postponed or adjourned hearing's next sitting is a new hearing that
// points back to it, so a hearing's history is its chain.
type HearingStatus string

// Hearing statuses.
const (
	HearingScheduled HearingStatus = "scheduled" // đã lên lịch
	HearingHeld      HearingStatus = "held"      // đã xét xử
	HearingPostponed HearingStatus = "postponed" // hoãn phiên tòa
	HearingAdjourned HearingStatus = "adjourned" // tạm ngừng phiên tòa
	HearingCancelled HearingStatus = "cancelled" // hủy lịch
)

// HearingStatuses lists every status.
var HearingStatuses = []HearingStatus{HearingScheduled, HearingHeld, HearingPostponed, HearingAdjourned, HearingCancelled}

// Valid reports whether s is a known status.
func (s HearingStatus) Valid() bool { return oneOf(s, HearingStatuses) }

// Reschedules reports whether leaving for s sets a next sitting (postponed, adjourned).
func (s HearingStatus) Reschedules() bool { return s == HearingPostponed || s == HearingAdjourned }

// Hearing is one court hearing of a case the procuracy attends. UnitID is the case's unit when it
// was scheduled: the calendar is read by it. ProsecutorID is the prosecutor who attends (kiểm sát
// viên thực hành quyền công tố tại phiên tòa). DecisionID is the decision that set the hearing (the
// court's decision to bring the case to trial, the appeal or protest), OutcomeDecisionID the one
// that came out of it, when recorded. Version is the optimistic-concurrency counter every change
// must name.
type Hearing struct {
	ID                string
	CaseID            string
	UnitID            int64
	Level             HearingLevel
	CourtName         string
	ScheduledAt       time.Time
	ExpectedEnd       *time.Time
	Place             string
	Room              string
	ProsecutorID      string
	Note              string
	Status            HearingStatus
	StatusNote        string // why it was postponed, adjourned or cancelled; what happened at it
	StatusAt          *time.Time
	StatusBy          string
	RescheduledFrom   string // the hearing this one is the next sitting of
	DecisionID        string
	OutcomeDecisionID string
	Version           int
	CreatedBy         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Read with the hearing, for lists and calendars.
	RescheduledTo  string // the next sitting, once postponed or adjourned
	CaseNumber     string
	CaseCode       string
	UnitCode       string
	ProsecutorName string
}

// HearingFilter narrows the hearing calendar: the hearings of a unit (or of its whole subtree) in
// [From, To), of some levels and statuses, attended by one prosecutor; nil and empty fields do not
// filter. The caller's scope is applied on top, always.
type HearingFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	CaseID          *string
	From, To        *time.Time
	Levels          []HearingLevel
	Statuses        []HearingStatus
	ProsecutorID    *string
	Limit, Offset   int
}

// The hearing actions (a route names one of them).
const (
	// ActHearingRead reads court hearings and the hearing calendar (lịch xét xử): who may read a
	// case, and the chiefs over it. It is an action of its own so that a calendar can be shared (a
	// service client syncing a court's calendar) without the case files.
	ActHearingRead Action = "hearing.read"
	// ActHearingSchedule schedules a hearing and records what became of it (held, postponed,
	// adjourned, cancelled): the case's prosecutors on its team and its chiefs.
	ActHearingSchedule Action = "hearing.schedule"
)
