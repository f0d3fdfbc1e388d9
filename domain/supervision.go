package domain

import (
	"fmt"
	"strings"
	"time"
)

// Supervision across levels (kiểm sát, chỉ đạo của Viện kiểm sát cấp trên): a superior procuracy
// steers the cases of the units below it by instructions it tracks to their end, asks for their
// case files, and follows the cases that matter by criteria. These are records of their own, not
// remarks in a case's history, so that what a superior asked and what was done can be listed,
// counted and audited.

// The actions of supervision. Like every action, who may take them at which reach is policy data
// (role_permissions, migration 00016); the service adds the relation to the case's unit the
// policy cannot express (strictly above it, at the addressed unit).
const (
	// ActInstructionIssue issues an instruction (chỉ đạo) on a case of the holder's unit or of a
	// unit below it: the chiefs and deputy chiefs.
	ActInstructionIssue Action = "instruction.issue"
	// ActInstructionRespond reports what the addressed unit did about an instruction (báo cáo kết
	// quả thực hiện): its leaders, and prosecutors on the case's team.
	ActInstructionRespond Action = "instruction.respond"
	// ActFileRequestCreate asks a unit below for a case file (yêu cầu chuyển hồ sơ); the service
	// refuses it at the case's own unit or below.
	ActFileRequestCreate Action = "file_request.create"
	// ActFileRequestAnswer answers such a request (sent, or refused with the reason): the leaders
	// of the unit asked, who sign what leaves it.
	ActFileRequestAnswer Action = "file_request.answer"
	// ActCaseMarkPublicInterest marks a case as one public opinion follows (vụ án dư luận xã hội
	// quan tâm), which superiors watch more closely: the case's prosecutors and leaders.
	ActCaseMarkPublicInterest Action = "case.mark_public_interest"
)

// InstructionStatus is where an instruction stands: open (chưa thực hiện) until the addressed
// unit reports, answered (đã báo cáo) until the issuer accepts it (closed) or sends it back
// (open again); cancelled (hủy) by the issuer at any time before it is closed.
type InstructionStatus string

// Instruction statuses.
const (
	InstrOpen      InstructionStatus = "open"
	InstrAnswered  InstructionStatus = "answered"
	InstrClosed    InstructionStatus = "closed"
	InstrCancelled InstructionStatus = "cancelled"
)

// InstructionStatuses lists the statuses in the order an instruction goes through them.
var InstructionStatuses = []InstructionStatus{InstrOpen, InstrAnswered, InstrClosed, InstrCancelled}

// instructionMoves is the whole lifecycle: an open instruction is answered or cancelled, an
// answered one is accepted (closed), sent back (open) or cancelled. Closed and cancelled are final.
var instructionMoves = map[InstructionStatus][]InstructionStatus{
	InstrOpen:     {InstrAnswered, InstrCancelled},
	InstrAnswered: {InstrClosed, InstrOpen, InstrCancelled},
}

// Valid reports whether s is a known status.
func (s InstructionStatus) Valid() bool { return oneOf(s, InstructionStatuses) }

// CanMoveTo reports whether an instruction may go from s to next.
func (s InstructionStatus) CanMoveTo(next InstructionStatus) bool {
	return oneOf(next, instructionMoves[s])
}

// MovesFrom lists the statuses an instruction may go to from s, for clients and error messages.
func (s InstructionStatus) MovesFrom() []InstructionStatus {
	return append([]InstructionStatus(nil), instructionMoves[s]...)
}

// Instruction is an instruction (chỉ đạo) of a procuracy's leader on a case of its unit or of a
// unit below: what to do, by when, addressed to the unit in charge of the case and, if named, one
// of its prosecutors. The addressed unit reports what it did; the issuing side accepts the report
// or sends it back. Version is the optimistic-concurrency counter every change must name.
type Instruction struct {
	ID              string
	CaseID          string
	IssuerUnitID    int64
	AddresseeUnitID int64
	// AddresseeUserID names one prosecutor or leader of the addressed unit, or is "".
	AddresseeUserID string
	Text            string
	DueOn           time.Time // a Vietnamese calendar date
	Status          InstructionStatus
	Response        string
	RespondedBy     string
	RespondedAt     *time.Time
	// Note is the issuing side's last word: why it was sent back, accepted or cancelled.
	Note      string
	Reopened  int
	ClosedAt  *time.Time // when closed or cancelled
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
	// Read with the case and units, for lists.
	CaseNumber        string
	CaseCode          string
	CaseUnitID        int64
	CaseUnitCode      string
	IssuerUnitCode    string
	AddresseeUnitCode string
	AddresseeName     string
}

// Overdue reports whether the instruction is still waiting for the addressed unit's report after
// its due date: the due date counts whole, so it is overdue from the next day.
func (in Instruction) Overdue(now time.Time) bool {
	return in.Status == InstrOpen && DateOf(now).After(DateOf(in.DueOn))
}

// Direction says from which side a unit looks at supervision records: those it issued (made) or
// those addressed to it.
type Direction string

// Directions.
const (
	DirectionIssued   Direction = "issued"
	DirectionReceived Direction = "received"
)

// Valid reports whether d is a known direction or empty (both).
func (d Direction) Valid() bool { return d == "" || d == DirectionIssued || d == DirectionReceived }

// InstructionFilter narrows a list of instructions; empty fields do not filter. UnitID with
// Direction picks the issuing or the addressed unit; without a direction, either.
type InstructionFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	Direction       Direction
	Statuses        []string
	// Overdue: only those past due while open (true) or only the others (false).
	Overdue       *bool
	CaseID        *string
	Now           time.Time
	Limit, Offset int
}

// InstructionInput is what a leader writes when issuing an instruction.
type InstructionInput struct {
	Text            string
	DueOn           *time.Time
	AddresseeUserID string
}

// Length limits of the supervision records' texts.
const (
	MaxInstructionText = 10000
	MaxSupervisionNote = 4000
)

// Validate checks what needs no database: the text, and a due date that is given and not before
// today (an instruction cannot be due before it is issued).
func (in InstructionInput) Validate(now time.Time) error {
	var v Validation
	CheckText(&v, "text", in.Text, true, MaxInstructionText)
	CheckDueOn(&v, "due_on", in.DueOn, now)
	return v.Err()
}

// CheckText records a problem with a free-text field: blank when required, or too long.
func CheckText(v *Validation, field, val string, required bool, max int) {
	n := len([]rune(strings.TrimSpace(val)))
	switch {
	case required && n == 0:
		v.Add(field, "required", "không được để trống")
	case n > max:
		v.Add(field, "length", fmt.Sprintf("tối đa %d ký tự", max))
	}
}

// CheckDueOn records a missing due date or one before today.
func CheckDueOn(v *Validation, field string, due *time.Time, now time.Time) {
	switch {
	case due == nil:
		v.Add(field, "required", "phải ghi thời hạn thực hiện (YYYY-MM-DD)")
	case DateOf(*due).Before(DateOf(now)):
		v.Add(field, "not_past", "thời hạn không được trước ngày hôm nay")
	}
}

// FileRequestStatus is where a request for a case file (yêu cầu chuyển hồ sơ) stands: pending
// until the unit asked answers that it sent the file or refuses, with its reason.
type FileRequestStatus string

// File request statuses.
const (
	FileReqPending FileRequestStatus = "pending"
	FileReqSent    FileRequestStatus = "sent"
	FileReqRefused FileRequestStatus = "refused"
)

// FileRequestStatuses lists the statuses.
var FileRequestStatuses = []FileRequestStatus{FileReqPending, FileReqSent, FileReqRefused}

// Valid reports whether s is a known status.
func (s FileRequestStatus) Valid() bool { return oneOf(s, FileRequestStatuses) }

// FileRequest is a superior unit's request for a subordinate unit's case file (yêu cầu chuyển hồ
// sơ), to review it (kiểm tra) or to take it over: why, by when, and the answer.
type FileRequest struct {
	ID              string
	CaseID          string
	RequesterUnitID int64
	// CaseUnitID is the unit asked: the case's unit when the request was made.
	CaseUnitID  int64
	Reason      string
	DueOn       time.Time
	Status      FileRequestStatus
	AnswerNote  string
	AnsweredBy  string
	AnsweredAt  *time.Time
	RequestedBy string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
	// Read with the case and units, for lists.
	CaseNumber        string
	CaseCode          string
	CaseUnitCode      string
	RequesterUnitCode string
}

// Overdue reports whether the request still waits for its answer after its due date.
func (r FileRequest) Overdue(now time.Time) bool {
	return r.Status == FileReqPending && DateOf(now).After(DateOf(r.DueOn))
}

// FileRequestFilter narrows a list of file requests, as InstructionFilter does instructions
// (Direction issued: requests the unit made; received: requests made to it).
type FileRequestFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	Direction       Direction
	Statuses        []string
	Overdue         *bool
	CaseID          *string
	Now             time.Time
	Limit, Offset   int
}

// Subscription is one user's standing interest (theo dõi) in the cases that meet criteria: a
// minimum severity class, a person detained longer than a number of days, public interest, within
// a unit or its subtree. Criteria combine with AND; the cases matching are computed when asked,
// within what the user may read then, so a subscription never reveals a case its owner lost.
type Subscription struct {
	ID              string
	UserID          string
	Name            string
	UnitID          *int64
	IncludeSubunits bool
	MinClass        SeverityClass // "" does not filter
	// DetentionOverDays: someone is held in detention (tạm giam), counted from the start of the
	// order its extensions continue, for more than this many whole days; 0 does not filter.
	DetentionOverDays int
	PublicInterest    bool
	CreatedAt         time.Time
	// BaselineDone: every case the subscription matched when it was made (or, for one made
	// before notifications, at its first sweep) is recorded as seen, without a notification; from
	// then on the monitor's sweep notifies its owner of each case that newly matches.
	BaselineDone bool
}

// MaxSubscriptions bounds how many subscriptions one user keeps.
const MaxSubscriptions = 50

// Validate checks the criteria: at least one beyond the unit (a unit alone is the case list), a
// known class, a detention length between one day and ten years.
func (s Subscription) Validate() error {
	var v Validation
	if n := len([]rune(strings.TrimSpace(s.Name))); n > 200 {
		v.Add("name", "length", "tên theo dõi tối đa 200 ký tự")
	}
	if s.MinClass != "" && !s.MinClass.Valid() {
		v.Add("min_class", "enum", "min_class là less_serious, serious, very_serious hoặc particularly_serious")
	}
	if s.DetentionOverDays < 0 || s.DetentionOverDays > 3650 {
		v.Add("detention_over_days", "range", "số ngày tạm giam từ 1 đến 3.650")
	}
	if s.MinClass == "" && s.DetentionOverDays == 0 && !s.PublicInterest {
		v.Add("criteria", "required", "phải chọn ít nhất một tiêu chí: min_class, detention_over_days hoặc public_interest")
	}
	if s.UnitID != nil && *s.UnitID <= 0 {
		v.Add("unit_id", "format", "mã đơn vị không hợp lệ")
	}
	return v.Err()
}

// SubscriptionMatch is a case a subscription matches now, with the facts it matched on.
type SubscriptionMatch struct {
	CaseID         string
	Number         string
	Code           string
	UnitID         int64
	UnitCode       string
	Stage          Stage
	ReceivedAt     time.Time
	Class          SeverityClass
	PublicInterest bool
	// DetentionDays is the longest continuous detention of a person held now, in whole days.
	DetentionDays int
}

// PublicInterestMark is a case's public-interest flag as it stands after a change.
type PublicInterestMark struct {
	CaseID         string
	PublicInterest bool
	Version        int
	UpdatedAt      time.Time
}
