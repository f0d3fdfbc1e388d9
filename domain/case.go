package domain

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CaseKind tells a crime report from a criminal case. Both live in one registry because a report
// becomes a case by a decision and must keep its history.
type CaseKind string

// Case kinds.
const (
	KindReport CaseKind = "report" // nguồn tin về tội phạm: tố giác, tin báo, kiến nghị khởi tố
	KindCase   CaseKind = "case"   // vụ án hình sự
)

// Valid reports whether k is a known kind.
func (k CaseKind) Valid() bool { return k == KindReport || k == KindCase }

// NumberTag is the short tag in human-readable numbers: TB (tin báo) for reports, VA (vụ án) for cases.
func (k CaseKind) NumberTag() string {
	if k == KindReport {
		return "TB"
	}
	return "VA"
}

// Stage is where a case stands in criminal procedure (Criminal Procedure Code 2015, reference §4).
// Registration sets the first stage; every later change goes through the transition table of the
// workflow package, never by assignment in a handler.
type Stage string

// The stages and the side states real cases live in. Suspension has one state per stage it can
// happen at, so that resumption returns exactly where the case was.
const (
	StageReportResolution  Stage = "report_resolution"           // giải quyết nguồn tin về tội phạm
	StageReportSuspended   Stage = "report_suspended"            // tạm đình chỉ việc giải quyết nguồn tin (Điều 148)
	StageNotInstituted     Stage = "not_instituted"              // không khởi tố vụ án (Điều 158)
	StageInstitution       Stage = "institution"                 // khởi tố vụ án: quyết định chờ Viện kiểm sát kiểm sát, phân công
	StageInvestigation     Stage = "investigation"               // điều tra, dưới sự kiểm sát của Viện kiểm sát
	StageInvestigationSusp Stage = "investigation_suspended"     // tạm đình chỉ điều tra (Điều 229)
	StageSupplementary     Stage = "supplementary_investigation" // điều tra bổ sung (Điều 174(2))
	StageProsecution       Stage = "prosecution"                 // truy tố
	StageProsecutionSusp   Stage = "prosecution_suspended"       // tạm đình chỉ vụ án ở giai đoạn truy tố (Điều 247)
	StageFirstInstance     Stage = "first_instance"              // xét xử sơ thẩm
	StageTrialSuspended    Stage = "trial_suspended"             // tạm đình chỉ vụ án ở giai đoạn xét xử (Điều 281)
	StageAppeal            Stage = "appeal"                      // phúc thẩm
	StageCassation         Stage = "cassation"                   // giám đốc thẩm, tái thẩm
	StageExecution         Stage = "execution"                   // thi hành án
	StageClosed            Stage = "closed"                      // kết thúc
	StageTerminated        Stage = "terminated"                  // đình chỉ điều tra / đình chỉ vụ án
	StageJoined            Stage = "joined"                      // đã nhập vào vụ án khác (Điều 170)
)

// Stages lists every stage in procedural order.
var Stages = []Stage{StageReportResolution, StageReportSuspended, StageNotInstituted, StageInstitution, StageInvestigation,
	StageInvestigationSusp, StageSupplementary, StageProsecution, StageProsecutionSusp, StageFirstInstance, StageTrialSuspended,
	StageAppeal, StageCassation, StageExecution, StageClosed, StageTerminated, StageJoined}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return oneOf(s, Stages) }

// Final reports whether no procedural step leads out of the stage except an extraordinary review.
func (s Stage) Final() bool {
	return s == StageClosed || s == StageTerminated || s == StageNotInstituted || s == StageJoined
}

// InitialStage is where a newly registered record starts: a report awaits resolution; a case
// arrives with its institution decision (QĐ khởi tố vụ án) already made, which the procuracy
// must check and take in charge before the investigation is supervised (Điều 154(2), 159).
func InitialStage(k CaseKind) Stage {
	if k == KindReport {
		return StageReportResolution
	}
	return StageInstitution
}

// Channel is how a report or case reached the unit.
type Channel string

// Channels.
const (
	ChannelInPerson   Channel = "in_person"  // trực tiếp
	ChannelPhone      Channel = "phone"      // điện thoại
	ChannelMail       Channel = "mail"       // bưu chính
	ChannelElectronic Channel = "electronic" // thư điện tử, cổng dịch vụ công
	ChannelAgency     Channel = "agency"     // cơ quan, tổ chức chuyển đến
	ChannelMedia      Channel = "media"      // phương tiện thông tin đại chúng
)

// Channels lists every channel.
var Channels = []Channel{ChannelInPerson, ChannelPhone, ChannelMail, ChannelElectronic, ChannelAgency, ChannelMedia}

// SourceType is the legal nature of the record's source (CPC Art. 144).
type SourceType string

// Source types.
const (
	SourceDenunciation        SourceType = "denunciation"         // tố giác về tội phạm (cá nhân)
	SourceCrimeInformation    SourceType = "crime_information"    // tin báo về tội phạm (cơ quan, tổ chức)
	SourceProsecutionPetition SourceType = "prosecution_petition" // kiến nghị khởi tố (cơ quan nhà nước)
	SourceInstitutionDecision SourceType = "institution_decision" // QĐ khởi tố vụ án của cơ quan điều tra
	SourceTransferred         SourceType = "transferred"          // vụ án chuyển đến từ đơn vị khác
	SourceProcuracyInstituted SourceType = "procuracy_instituted" // VKS tự khởi tố (Điều 153(3))
	// SourceSplit is a case separated from another by a decision (tách vụ án, Điều 170); it is
	// never registered directly, only created by that decision.
	SourceSplit SourceType = "split"
)

// sourcesByKind says which sources fit which kind of record.
var sourcesByKind = map[CaseKind][]SourceType{
	KindReport: {SourceDenunciation, SourceCrimeInformation, SourceProsecutionPetition},
	KindCase:   {SourceInstitutionDecision, SourceTransferred, SourceProcuracyInstituted},
}

// SourcesFor lists the source types allowed for a kind.
func SourcesFor(k CaseKind) []SourceType { return sourcesByKind[k] }

// ReporterKind is who reported.
type ReporterKind string

// Reporter kinds.
const (
	ReporterPerson    ReporterKind = "person"
	ReporterAgency    ReporterKind = "agency"
	ReporterAnonymous ReporterKind = "anonymous"
)

// PartyRole is a person's procedural role in a record.
type PartyRole string

// Party roles.
const (
	PartySuspect  PartyRole = "suspect"  // người bị tố giác, bị kiến nghị khởi tố
	PartyAccused  PartyRole = "accused"  // bị can
	PartyVictim   PartyRole = "victim"   // bị hại
	PartyReporter PartyRole = "reporter" // người tố giác
	PartyWitness  PartyRole = "witness"  // người làm chứng
	PartyRelated  PartyRole = "related"  // người có quyền lợi, nghĩa vụ liên quan
)

// PartyRoles lists every party role.
var PartyRoles = []PartyRole{PartySuspect, PartyAccused, PartyVictim, PartyReporter, PartyWitness, PartyRelated}

// Party is a person in a record.
type Party struct {
	ID         string
	Role       PartyRole
	FullName   string
	NationalID string // CCCD: 12 digits, where known
	BirthDate  *time.Time
	Gender     string
	Address    string
}

// Offence is a Penal Code provision (Bộ luật Hình sự): article (điều), clause (khoản), point (điểm).
type Offence struct {
	Article int
	Clause  int // 0 when only the article is known
	Point   string
}

// AssignmentRole says whether a prosecutor leads a case or supports the lead.
type AssignmentRole string

// Assignment roles.
const (
	AssignLead    AssignmentRole = "lead"    // kiểm sát viên thụ lý chính
	AssignSupport AssignmentRole = "support" // kiểm sát viên hỗ trợ
)

// Assignment records that a chief put a prosecutor on a case (phân công). A reassignment ends
// the old assignment; history is never deleted.
type Assignment struct {
	ID         string
	CaseID     string
	UserID     string
	UserName   string
	Role       AssignmentRole
	AssignedBy string
	AssignedAt time.Time
	Note       string
	EndedAt    *time.Time
	EndedBy    string
}

// Case is one record of the registry: a crime report or a criminal case.
type Case struct {
	ID              string
	Kind            CaseKind
	Number          string // human-readable, unique per unit, year and kind: "12/2026/TB"
	Seq             int
	Year            int
	Code            string // globally unique, for exchange with other agencies
	UnitID          int64
	UnitPath        UnitPath
	UnitCode        string
	Stage           Stage
	ReceivedAt      time.Time
	Channel         Channel
	SourceType      SourceType
	Summary         string
	ReporterName    string
	ReporterKind    ReporterKind
	ReporterContact string
	Offence         *Offence
	Secret          bool
	Version         int
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Parties         []Party
	Team            []Assignment
	// ReportNumber is the number the record had as a crime report, once it became a case.
	ReportNumber string
	// SummaryProcedure: the summary procedure applies (thủ tục rút gọn, Điều 456–464).
	SummaryProcedure bool
	// JoinedInto is the case this one was joined into (nhập vụ án).
	JoinedInto string
	// SplitFrom is the case this one was separated from (tách vụ án).
	SplitFrom string
	// FormerUnits handled the case before a transfer; they read its history.
	FormerUnits []UnitRef
	// PublicInterest marks a case public opinion follows (vụ án dư luận xã hội quan tâm), set
	// through Supervision.SetPublicInterest; subscriptions may ask for it.
	PublicInterest bool
}

// Ref is what scope checks need from a case, for the given user.
func (cs *Case) Ref(userID string) CaseRef {
	r := CaseRef{UnitID: cs.UnitID, UnitPath: cs.UnitPath, Secret: cs.Secret, FormerUnits: cs.FormerUnits}
	for _, a := range cs.Team {
		if a.EndedAt == nil && a.UserID == userID {
			r.OnTeam = true
		}
	}
	return r
}

// CaseInput is what a clerk supplies to register a report or a case.
type CaseInput struct {
	Kind            CaseKind
	UnitID          int64
	ReceivedAt      time.Time
	Channel         Channel
	SourceType      SourceType
	Summary         string
	ReporterName    string
	ReporterKind    ReporterKind
	ReporterContact string
	Offence         *Offence
	Secret          bool
	Parties         []Party
}

var nationalIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// ValidNationalID reports whether s looks like a citizen identity number (CCCD): 12 digits.
func ValidNationalID(s string) bool { return nationalIDRE.MatchString(s) }

// MaxSummaryLength bounds a case summary; the full facts belong in the case file.
const MaxSummaryLength = 10000

// Validate checks a registration against the rules that need no database. now bounds the
// received date: a record cannot be received in the future.
func (in CaseInput) Validate(now time.Time) error {
	var v Validation
	if !in.Kind.Valid() {
		v.Add("kind", "enum", "loại hồ sơ phải là report (nguồn tin) hoặc case (vụ án)")
	}
	if in.UnitID <= 0 {
		v.Add("unit_id", "required", "phải chọn đơn vị tiếp nhận")
	}
	switch {
	case in.ReceivedAt.IsZero():
		v.Add("received_at", "required", "phải nhập ngày tiếp nhận")
	case in.ReceivedAt.After(now.Add(5 * time.Minute)):
		v.Add("received_at", "not_future", "ngày tiếp nhận không được ở tương lai")
	case in.ReceivedAt.Year() < 1990:
		v.Add("received_at", "range", "ngày tiếp nhận không hợp lệ")
	}
	if !oneOf(in.Channel, Channels) {
		v.Add("channel", "enum", "kênh tiếp nhận không hợp lệ")
	}
	if in.Kind.Valid() && !oneOf(in.SourceType, SourcesFor(in.Kind)) {
		v.Add("source_type", "enum", "nguồn không phù hợp với loại hồ sơ")
	}
	validateSummary(&v, in.Summary)
	switch in.ReporterKind {
	case ReporterPerson, ReporterAgency:
		if strings.TrimSpace(in.ReporterName) == "" && in.Kind == KindReport {
			v.Add("reporter_name", "required", "phải nhập người hoặc cơ quan báo tin (hoặc chọn ẩn danh)")
		}
	case ReporterAnonymous:
		if in.ReporterName != "" {
			v.Add("reporter_name", "anonymous", "tố giác ẩn danh không ghi tên người tố giác")
		}
	default:
		v.Add("reporter_kind", "enum", "loại người báo tin không hợp lệ")
	}
	if len([]rune(in.ReporterName)) > 300 {
		v.Add("reporter_name", "length", "tối đa 300 ký tự")
	}
	if len([]rune(in.ReporterContact)) > 300 {
		v.Add("reporter_contact", "length", "tối đa 300 ký tự")
	}
	validateOffence(&v, "offence", in.Offence)
	if len(in.Parties) > 200 {
		v.Add("parties", "max_items", "tối đa 200 người tham gia tố tụng trong một lần đăng ký")
	}
	seen := map[string]int{}
	for i, p := range in.Parties {
		field := "parties[" + strconv.Itoa(i) + "]"
		if !oneOf(p.Role, PartyRoles) {
			v.Add(field+".role", "enum", "tư cách tố tụng không hợp lệ")
		}
		if n := len([]rune(strings.TrimSpace(p.FullName))); n < 2 || n > 200 {
			v.Add(field+".full_name", "length", "họ tên từ 2 đến 200 ký tự")
		}
		if p.NationalID != "" {
			if !ValidNationalID(p.NationalID) {
				v.Add(field+".national_id", "format", "số CCCD gồm đúng 12 chữ số")
			} else if j, dup := seen[p.NationalID+string(p.Role)]; dup {
				v.Add(field+".national_id", "duplicate", "trùng số CCCD với người thứ "+strconv.Itoa(j+1))
			} else {
				seen[p.NationalID+string(p.Role)] = i
			}
		}
		if p.BirthDate != nil && (p.BirthDate.After(now) || p.BirthDate.Year() < 1900) {
			v.Add(field+".birth_date", "range", "ngày sinh không hợp lệ")
		}
		if p.Gender != "" && p.Gender != "male" && p.Gender != "female" {
			v.Add(field+".gender", "enum", "giới tính là male hoặc female")
		}
		if len([]rune(p.Address)) > 500 {
			v.Add(field+".address", "length", "địa chỉ tối đa 500 ký tự")
		}
	}
	return v.Err()
}

func validateSummary(v *Validation, s string) {
	if n := len([]rune(strings.TrimSpace(s))); n < 10 || n > MaxSummaryLength {
		v.Add("summary", "length", "tóm tắt nội dung từ 10 đến 10.000 ký tự")
	}
}

func validateOffence(v *Validation, field string, o *Offence) {
	if o == nil {
		return
	}
	// Penal Code 2015 runs to Art. 426; clauses rarely exceed 6, but the bound is generous.
	if o.Article < 1 || o.Article > 426 {
		v.AddArticle(field+".article", "range", "BLHS 2015", "điều luật phải từ 1 đến 426 của Bộ luật Hình sự 2015")
	}
	if o.Clause < 0 || o.Clause > 20 {
		v.Add(field+".clause", "range", "khoản không hợp lệ")
	}
	if len(o.Point) > 2 {
		v.Add(field+".point", "format", "điểm là một chữ cái (a, b, c, đ, ...)")
	}
}

// CasePatch changes registration data; nil fields stay as they are. Version must equal the
// version the client read, or the change is refused as a conflict.
type CasePatch struct {
	Version         int
	Summary         *string
	Channel         *Channel
	ReceivedAt      *time.Time
	ReporterName    *string
	ReporterContact *string
	Offence         **Offence // set to a nil *Offence to clear
	Secret          *bool
}

// Validate checks the patch's fields.
func (p CasePatch) Validate(now time.Time) error {
	var v Validation
	if p.Version <= 0 {
		v.Add("version", "required", "phải gửi version của bản ghi đã đọc")
	}
	if p.Summary != nil {
		validateSummary(&v, *p.Summary)
	}
	if p.Channel != nil && !oneOf(*p.Channel, Channels) {
		v.Add("channel", "enum", "kênh tiếp nhận không hợp lệ")
	}
	if p.ReceivedAt != nil && p.ReceivedAt.After(now.Add(5*time.Minute)) {
		v.Add("received_at", "not_future", "ngày tiếp nhận không được ở tương lai")
	}
	if p.ReporterName != nil && len([]rune(*p.ReporterName)) > 300 {
		v.Add("reporter_name", "length", "tối đa 300 ký tự")
	}
	if p.ReporterContact != nil && len([]rune(*p.ReporterContact)) > 300 {
		v.Add("reporter_contact", "length", "tối đa 300 ký tự")
	}
	if p.Offence != nil {
		validateOffence(&v, "offence", *p.Offence)
	}
	return v.Err()
}

// Empty reports whether the patch changes nothing.
func (p CasePatch) Empty() bool {
	return p.Summary == nil && p.Channel == nil && p.ReceivedAt == nil && p.ReporterName == nil &&
		p.ReporterContact == nil && p.Offence == nil && p.Secret == nil
}

// CaseFilter narrows the case list. Nil fields do not filter. The caller's scope is applied on
// top of it, always.
type CaseFilter struct {
	UnitID          *int64 // with IncludeSubunits, the unit's whole subtree
	IncludeSubunits bool
	Stage           *Stage
	Kind            *CaseKind
	ProsecutorID    *string
	ReceivedFrom    *time.Time
	ReceivedTo      *time.Time // exclusive
	Text            string
	// The caseload's drill-downs (each figure of GET /caseload is the total of a list with these):
	// Open: not at a final stage; Suspended: at a suspension stage; ClosedFrom/To: reached a final
	// stage in [from, to) and still there; Clock "overdue" (a time limit run out) or "due_soon";
	// DueBefore: an open time limit ends before it; InDetention: an accused held now;
	// OpenViolations: a violation of a time limit not remedied.
	Open           *bool
	Suspended      *bool
	ClosedFrom     *time.Time
	ClosedTo       *time.Time
	Clock          string
	DueBefore      *time.Time
	InDetention    *bool
	OpenViolations *bool
	// Class: the case's severity class (phân loại tội phạm, Điều 9 BLHS) as its time limits are
	// computed by (service.GoverningClass, the timeline's class): the heaviest standing charge of the
	// accused still in the case, else the class of the offence named at registration. A case with
	// neither has no class and matches no Class filter.
	Class *SeverityClass
	// Ascending lists the oldest first (received_at ascending, then id ascending) instead of the
	// default newest first; the cursor then moves forward in that order.
	Ascending bool
	Limit     int
	Cursor    *CaseCursor
}

// CaseCursor is the keyset position after which the next page starts, in the list's stable order
// (received_at descending, then id descending; both ascending with CaseFilter.Ascending). It is a
// position only: the next page is read in the order of the filter it is passed with.
type CaseCursor struct {
	ReceivedAt time.Time
	ID         string
}

// Page limits for every list.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// CasePage is one page of the case list with the total matching the filter in scope.
type CasePage struct {
	Items      []Case
	Total      int64
	NextCursor *CaseCursor
}

// AssignmentInput is a chief's decision on a case's team.
type AssignmentInput struct {
	UserID string
	Role   AssignmentRole
	Note   string
	// Replace ends the current lead when a new lead is named, recording the reassignment.
	Replace bool
}

func oneOf[T comparable](x T, set []T) bool {
	for _, s := range set {
		if s == x {
			return true
		}
	}
	return false
}

// LeadProsecutorID is the user id of the case's lead prosecutor (kiểm sát viên thụ lý chính) now,
// or "" when none is assigned.
func (cs *Case) LeadProsecutorID() string {
	for _, a := range cs.Team {
		if a.EndedAt == nil && a.Role == AssignLead {
			return a.UserID
		}
	}
	return ""
}
