package domain

import (
	"strconv"
	"time"
)

// Step is a procedural step (hành vi tố tụng) that a decision records: instituting a case,
// returning a file for supplementary investigation, ordering detention. The workflow package's
// transition table says, for every step, which state it starts from, where it leads, which
// document causes it and who may record it.
type Step string

// Subject is what a step changes: the case's stage, one accused person's status, or one
// preventive measure's status.
type Subject string

// Subjects.
const (
	SubjectCase    Subject = "case"
	SubjectAccused Subject = "accused"
	SubjectMeasure Subject = "measure"
)

// IssuerBody is the body that issued a procedural document.
type IssuerBody string

// Issuing bodies (cơ quan tiến hành tố tụng).
const (
	IssuerInvestigation IssuerBody = "investigating_agency" // Cơ quan điều tra (CQĐT) or a body with investigating powers
	IssuerProcuracy     IssuerBody = "procuracy"            // Viện kiểm sát (VKS)
	IssuerCourt         IssuerBody = "court"                // Tòa án
	IssuerParty         IssuerBody = "party"                // a participant: the accused's appeal (kháng cáo)
)

// IssuerBodies lists every issuing body.
var IssuerBodies = []IssuerBody{IssuerInvestigation, IssuerProcuracy, IssuerCourt, IssuerParty}

// Valid reports whether b is a known body.
func (b IssuerBody) Valid() bool { return oneOf(b, IssuerBodies) }

// DocType is the kind of procedural document (văn bản tố tụng) a decision is.
type DocType string

// DecisionStatus is where a recorded decision stands. Decisions are append-only: a status other
// than effective or pending comes from a later decision that decides on, or supersedes, this one.
type DecisionStatus string

// Decision statuses.
const (
	DecisionEffective  DecisionStatus = "effective"        // có hiệu lực
	DecisionPending    DecisionStatus = "pending_approval" // chờ Viện kiểm sát phê chuẩn
	DecisionApproved   DecisionStatus = "approved"         // đã được phê chuẩn
	DecisionRefused    DecisionStatus = "refused"          // không phê chuẩn
	DecisionCancelled  DecisionStatus = "cancelled"        // bị hủy bỏ
	DecisionSuperseded DecisionStatus = "superseded"       // được thay thế bằng quyết định đính chính
)

// Outcome is the procuracy's answer to a decision awaiting its approval.
type Outcome string

// Approval outcomes.
const (
	OutcomeApprove Outcome = "approve" // phê chuẩn
	OutcomeRefuse  Outcome = "refuse"  // không phê chuẩn
	OutcomeCancel  Outcome = "cancel"  // hủy bỏ
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == OutcomeApprove || o == OutcomeRefuse || o == OutcomeCancel }

// Decision is one procedural decision (quyết định tố tụng) or procedural document recorded on a
// case. Decisions are never edited: a correction is a new decision that supersedes the old one,
// and an approval is a new procuracy decision that decides on a pending one.
type Decision struct {
	ID          string
	CaseID      string
	Seq         int // order of recording within the case, from 1
	Step        Step
	Type        DocType
	Number      string
	Issuer      IssuerBody
	IssuerName  string
	Signer      string
	IssuedOn    time.Time // date of the document
	EffectiveOn time.Time // date it takes effect
	// AccusedIDs are the accused the decision concerns; empty means the whole case.
	AccusedIDs []string
	MeasureID  string
	LegalBasis string // the articles the document cites, e.g. "Điều 179 BLTTHS"
	Note       string
	FileID     string
	// RequestedOn is when the request for an extension (đề nghị gia hạn) reached the procuracy,
	// for the extensions that answer one; nil when not recorded.
	RequestedOn *time.Time
	// ReceivedAt is when a decision of another body reached the procuracy, when recorded: the
	// laws that say in how many hours or days a decision goes to the procuracy are timed by it.
	ReceivedAt *time.Time
	// RequiresApproval: the decision arrived for the procuracy's approval (phê chuẩn).
	RequiresApproval bool
	// DecidesID is the pending decision an approval, refusal or cancellation answers.
	DecidesID string
	Outcome   Outcome
	// ReturnedBy names which court formation returned a file (presiding_judge, trial_panel).
	ReturnedBy string
	// ReplaceCharges: a change of charges replaces every standing charge (thay đổi) instead of
	// adding to them (bổ sung).
	ReplaceCharges bool
	// SupersedesID is the decision this one corrects.
	SupersedesID string
	FromStage    Stage
	ToStage      Stage
	TargetUnitID int64  // transfer: the receiving unit
	TargetCaseID string // joinder: the case this one is joined into
	UnitID       int64  // the unit in charge when the decision was recorded
	RecordedBy   string
	RecordedAt   time.Time
	// Status is derived from the later decisions that answer or supersede this one.
	Status DecisionStatus
}

// AccusedStatus is where one accused person (bị can, later bị cáo) stands.
type AccusedStatus string

// Accused statuses.
const (
	AccusedSuspect    AccusedStatus = "suspect"          // người bị giữ, bị bắt, bị tạm giữ: not yet instituted
	AccusedPending    AccusedStatus = "pending_approval" // QĐ khởi tố bị can chờ phê chuẩn
	AccusedInstituted AccusedStatus = "instituted"       // bị can: the institution is in effect
	AccusedSuspended  AccusedStatus = "suspended"        // tạm đình chỉ đối với bị can
	AccusedTerminated AccusedStatus = "terminated"       // đình chỉ đối với bị can
	AccusedCancelled  AccusedStatus = "cancelled"        // QĐ khởi tố bị can bị hủy bỏ / không phê chuẩn
)

// AccusedStatuses lists every accused status.
var AccusedStatuses = []AccusedStatus{AccusedSuspect, AccusedPending, AccusedInstituted, AccusedSuspended, AccusedTerminated, AccusedCancelled}

// Charge is one article and clause of the Penal Code an accused is instituted for (tội danh). The
// class comes from the clause's bracket in force on the offence date.
type Charge struct {
	ID          string
	AccusedID   string
	Article     string // "173", "256a"
	Clause      int
	Point       string
	Title       string
	Class       SeverityClass
	OffenceDate time.Time
	// DecisionID is the decision that brought the charge; EndedByID the one that changed it.
	DecisionID string
	EndedByID  string
	// Proposed: the decision that brought the charge awaits the procuracy's approval.
	Proposed  bool
	CreatedAt time.Time
}

// Active reports whether the charge stands: approved (or needing no approval) and not changed.
func (c Charge) Active() bool { return c.EndedByID == "" && !c.Proposed }

// Ref names the provision in the law's own words: "khoản 1 Điều 173 BLHS".
func (c Charge) Ref() string {
	s := "Điều " + c.Article + " BLHS"
	if c.Clause > 0 {
		s = "khoản " + strconv.Itoa(c.Clause) + " " + s
	}
	if c.Point != "" {
		s = "điểm " + c.Point + " " + s
	}
	return s
}

// Accused is a person instituted as an accused in a case (bị can). Each has their own charges,
// preventive measures and status, so one accused can be suspended while the others go to trial.
type Accused struct {
	ID          string
	CaseID      string
	FullName    string
	NationalID  string
	BirthDate   *time.Time
	Gender      string
	Address     string
	OffenceDate time.Time // the day of the acts charged, which picks the law in force
	Status      AccusedStatus
	DecisionID  string // the QĐ khởi tố bị can
	Version     int
	CreatedAt   time.Time
	Charges     []Charge
	Measures    []Measure
}

// Minor reports whether the person was under 18 on the offence date (người dưới 18 tuổi), which
// shortens their custody and detention limits (Điều 419 BLTTHS).
func (a *Accused) Minor() bool { return IsMinorOn(a.BirthDate, a.OffenceDate) }

// IsMinorOn reports whether a person born on birth was under 18 on day. An unknown birth date
// is not a minor: the flag must rest on a recorded fact.
func IsMinorOn(birth *time.Time, day time.Time) bool {
	if birth == nil || day.IsZero() {
		return false
	}
	b, d := birth.In(ICT), day.In(ICT)
	eighteenth := time.Date(b.Year()+18, b.Month(), b.Day(), 0, 0, 0, 0, ICT)
	if b.Month() == time.February && b.Day() == 29 && eighteenth.Month() == time.March {
		eighteenth = time.Date(b.Year()+18, time.March, 1, 0, 0, 0, 0, ICT)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ICT).Before(eighteenth)
}

// ActiveCharges returns the charges that still stand.
func (a *Accused) ActiveCharges() []Charge {
	var out []Charge
	for _, c := range a.Charges {
		if c.Active() {
			out = append(out, c)
		}
	}
	return out
}

// Class is the heaviest class among the accused's standing charges (Điều 9 BLHS); "" when none.
func (a *Accused) Class() SeverityClass {
	var cs []SeverityClass
	for _, c := range a.ActiveCharges() {
		cs = append(cs, c.Class)
	}
	return HeaviestClass(cs...)
}

// InCase reports whether the accused still counts for the case's course (not cancelled).
func (a *Accused) InCase() bool { return a.Status != AccusedCancelled }

// MeasureKind is a preventive measure (biện pháp ngăn chặn) or a step of one.
type MeasureKind string

// Measure kinds (Chương VII BLTTHS).
const (
	MeasureUrgentHold  MeasureKind = "urgent_hold"   // giữ người trong trường hợp khẩn cấp (Điều 110)
	MeasureArrest      MeasureKind = "arrest"        // bắt bị can, bị cáo để tạm giam (Điều 113)
	MeasureCustody     MeasureKind = "custody"       // tạm giữ (Điều 117, 118)
	MeasureDetention   MeasureKind = "detention"     // tạm giam (Điều 119)
	MeasureBail        MeasureKind = "bail"          // bảo lĩnh (Điều 121)
	MeasureCashSurety  MeasureKind = "cash_surety"   // đặt tiền để bảo đảm (Điều 122)
	MeasureResidentBan MeasureKind = "residence_ban" // cấm đi khỏi nơi cư trú (Điều 123)
	MeasureWanted      MeasureKind = "wanted"        // truy nã (Điều 231)
)

// MeasureKinds lists every measure kind.
var MeasureKinds = []MeasureKind{MeasureUrgentHold, MeasureArrest, MeasureCustody, MeasureDetention, MeasureBail, MeasureCashSurety,
	MeasureResidentBan, MeasureWanted}

// Valid reports whether k is a known measure kind.
func (k MeasureKind) Valid() bool { return oneOf(k, MeasureKinds) }

// Custodial reports whether the measure deprives the person of liberty, so that its end date
// is a hard limit.
func (k MeasureKind) Custodial() bool {
	return k == MeasureUrgentHold || k == MeasureArrest || k == MeasureCustody || k == MeasureDetention
}

// MeasureStage is the stage of the proceedings a detention order serves, since each stage has its
// own limit (Điều 173, 241, 278, 329).
type MeasureStage string

// Measure stages.
const (
	MeasureForInvestigation MeasureStage = "investigation"
	MeasureForProsecution   MeasureStage = "prosecution"
	MeasureForTrial         MeasureStage = "trial"
	MeasureAfterVerdict     MeasureStage = "after_verdict"
)

// MeasureStages lists every measure stage.
var MeasureStages = []MeasureStage{MeasureForInvestigation, MeasureForProsecution, MeasureForTrial, MeasureAfterVerdict}

// MeasureStatus is where a measure stands.
type MeasureStatus string

// Measure statuses.
const (
	MeasurePending MeasureStatus = "pending_approval" // lệnh chờ phê chuẩn: not to be executed yet
	MeasureActive  MeasureStatus = "active"
	MeasureEnded   MeasureStatus = "ended"   // released, replaced or cancelled
	MeasureRefused MeasureStatus = "refused" // the procuracy refused approval: release at once
)

// Measure is one preventive measure on one accused. An extension of custody or detention is a
// new measure row that continues an earlier one (ExtendsID) so that each order keeps its own
// dates and approving decision.
type Measure struct {
	ID          string
	CaseID      string
	AccusedID   string
	Kind        MeasureKind
	Stage       MeasureStage
	StartAt     time.Time
	OrderedEnd  *time.Time // the end date written in the order (custody, detention)
	ExtendsID   string
	ExtensionNo int // 0 for the first order, 1 and 2 for extensions
	DecisionID  string
	Status      MeasureStatus
	EndedAt     *time.Time
	EndedByID   string
	CreatedAt   time.Time
}

// TimelineEntry is one item of a case's history, in the order it happened: a decision, with
// what it changed.
type TimelineEntry struct {
	At       time.Time // effective date of the decision, or the recording time for events
	Decision Decision
}

// ICT is Vietnam's time zone (UTC+7, no daylight saving since 1975); the law's days are
// Vietnamese calendar days.
var ICT = time.FixedZone("ICT", 7*60*60)

// DateOf is the Vietnamese calendar date of t at midnight ICT.
func DateOf(t time.Time) time.Time {
	t = t.In(ICT)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ICT)
}
