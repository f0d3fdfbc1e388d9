package workflow

import "kiemsat/domain"

// IndicatorID names a statistical indicator (chỉ tiêu thống kê).
type IndicatorID string

// IndicatorSource says which records an indicator counts.
type IndicatorSource string

// The sources.
const (
	// SourceReceived counts cases registered (thụ lý) in the period, of one kind.
	SourceReceived IndicatorSource = "received"
	// SourceDecision counts cases, or accused, named by an effective decision of one of the steps,
	// effective in the period.
	SourceDecision IndicatorSource = "decision"
	// SourceDetention counts accused held in detention (tạm giam) at some time in the period.
	SourceDetention IndicatorSource = "detention"
	// SourceViolationFound and SourceViolationRemedied count violations of time limits found, or
	// remedied (the act done late), in the period.
	SourceViolationFound    IndicatorSource = "violation_found"
	SourceViolationRemedied IndicatorSource = "violation_remedied"
)

// Counted is what an indicator counts.
type Counted string

// What indicators count.
const (
	CountCases     Counted = "case"
	CountAccused   Counted = "accused"
	CountViolation Counted = "violation"
)

// Indicator is one named, versioned definition of a statistic, computed from what is recorded and
// never typed in. A change of meaning is a new version, so a closed period's figures can say which
// definition they were made by.
type Indicator struct {
	ID      IndicatorID
	Version int
	NameVI  string
	NameEN  string
	// DescriptionVI says exactly what is counted, for the people who read the figures.
	DescriptionVI string
	Counts        Counted
	Source        IndicatorSource
	Kind          domain.CaseKind // SourceReceived
	Steps         []domain.Step   // SourceDecision
}

// Indicators are every indicator, in the order a report lists them.
var Indicators = []Indicator{
	{ID: "reports_received", Version: 1, NameVI: "Nguồn tin về tội phạm đã thụ lý", NameEN: "Crime reports received",
		DescriptionVI: "Tố giác, tin báo về tội phạm, kiến nghị khởi tố được thụ lý trong kỳ (theo ngày tiếp nhận).",
		Counts:        CountCases, Source: SourceReceived, Kind: domain.KindReport},
	{ID: "cases_received", Version: 1, NameVI: "Vụ án thụ lý kèm quyết định khởi tố", NameEN: "Cases received with their institution",
		DescriptionVI: "Vụ án được thụ lý trong kỳ cùng quyết định khởi tố vụ án của cơ quan khác, vụ án chuyển đến.",
		Counts:        CountCases, Source: SourceReceived, Kind: domain.KindCase},
	{ID: "reports_resolved", Version: 1, NameVI: "Nguồn tin đã giải quyết", NameEN: "Crime reports resolved",
		DescriptionVI: "Nguồn tin có quyết định khởi tố vụ án hoặc quyết định không khởi tố vụ án có hiệu lực trong kỳ (Điều 147 BLTTHS).",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepInstituteCase, StepDeclineInstitution}},
	{ID: "cases_instituted", Version: 1, NameVI: "Vụ án khởi tố", NameEN: "Cases instituted",
		DescriptionVI: "Vụ án mà Viện kiểm sát nhận quyết định khởi tố và thụ lý kiểm sát điều tra trong kỳ.",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepAcceptInstitution}},
	{ID: "accused_instituted", Version: 1, NameVI: "Bị can bị khởi tố", NameEN: "Accused instituted",
		DescriptionVI: "Bị can có quyết định khởi tố bị can có hiệu lực trong kỳ (đã được Viện kiểm sát phê chuẩn khi cần, Điều 179 BLTTHS).",
		Counts:        CountAccused, Source: SourceDecision, Steps: []domain.Step{StepInstituteAccused}},
	{ID: "cases_prosecuted", Version: 1, NameVI: "Vụ án truy tố", NameEN: "Cases prosecuted",
		DescriptionVI: "Vụ án có bản cáo trạng (quyết định truy tố) trong kỳ (Điều 243 BLTTHS).",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepIndict}},
	{ID: "cases_tried", Version: 1, NameVI: "Vụ án đã xét xử sơ thẩm", NameEN: "Cases tried at first instance",
		DescriptionVI: "Vụ án có bản án sơ thẩm tuyên trong kỳ.",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepPronounce}},
	{ID: "cases_suspended", Version: 1, NameVI: "Vụ án tạm đình chỉ", NameEN: "Cases suspended",
		DescriptionVI: "Vụ án có quyết định tạm đình chỉ điều tra, tạm đình chỉ vụ án ở giai đoạn truy tố hoặc xét xử trong kỳ.",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepSuspendInvestigation, StepSuspendProsecution, StepSuspendTrial}},
	{ID: "cases_terminated", Version: 1, NameVI: "Vụ án đình chỉ", NameEN: "Cases terminated",
		DescriptionVI: "Vụ án có quyết định đình chỉ điều tra, đình chỉ vụ án ở giai đoạn truy tố hoặc xét xử trong kỳ.",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepTerminateInvestigation, StepTerminateProsecution, StepTerminateTrial}},
	{ID: "returned_by_procuracy", Version: 1, NameVI: "Viện kiểm sát trả hồ sơ điều tra bổ sung", NameEN: "Returned for supplementary investigation by the procuracy",
		DescriptionVI: "Lần Viện kiểm sát trả hồ sơ để điều tra bổ sung trong kỳ, tính theo vụ án (Điều 174, 245 BLTTHS).",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepReturnByProcuracy}},
	{ID: "returned_by_court", Version: 1, NameVI: "Tòa án trả hồ sơ điều tra bổ sung", NameEN: "Returned for supplementary investigation by the court",
		DescriptionVI: "Vụ án Tòa án trả hồ sơ để điều tra bổ sung trong kỳ (Điều 280 BLTTHS).",
		Counts:        CountCases, Source: SourceDecision, Steps: []domain.Step{StepReturnByCourt}},
	{ID: "accused_in_detention", Version: 1, NameVI: "Bị can bị tạm giam", NameEN: "Accused in detention",
		DescriptionVI: "Người bị tạm giam vào bất kỳ lúc nào trong kỳ (lệnh tạm giam đang thi hành hoặc đã thi hành xong).",
		Counts:        CountAccused, Source: SourceDetention},
	{ID: "violations_found", Version: 1, NameVI: "Vi phạm thời hạn tố tụng phát hiện", NameEN: "Violations of time limits found",
		DescriptionVI: "Vi phạm thời hạn tố tụng được phát hiện trong kỳ (không tính vi phạm đã rút vì đính chính).",
		Counts:        CountViolation, Source: SourceViolationFound},
	{ID: "violations_remedied", Version: 1, NameVI: "Vi phạm thời hạn đã khắc phục", NameEN: "Violations of time limits remedied",
		DescriptionVI: "Vi phạm thời hạn tố tụng mà hành vi tố tụng đã được thực hiện (muộn) trong kỳ.",
		Counts:        CountViolation, Source: SourceViolationRemedied},
}

// IndicatorByID finds an indicator's definition.
func IndicatorByID(id IndicatorID) (Indicator, bool) {
	for _, in := range Indicators {
		if in.ID == id {
			return in, true
		}
	}
	return Indicator{}, false
}

// PenalChapter is a chapter of the special part of the Penal Code 2015 (Bộ luật Hình sự, phần các
// tội phạm), the grouping statistics use for offences.
type PenalChapter struct {
	Number   string // XIII … XXVI
	TitleVI  string
	From, To int // articles, inclusive
}

// PenalChapters are the chapters of crimes of the Penal Code 2015 (amended 2017).
var PenalChapters = []PenalChapter{
	{"XIII", "Các tội xâm phạm an ninh quốc gia", 108, 122},
	{"XIV", "Các tội xâm phạm tính mạng, sức khỏe, nhân phẩm, danh dự của con người", 123, 156},
	{"XV", "Các tội xâm phạm quyền tự do của con người, quyền tự do, dân chủ của công dân", 157, 167},
	{"XVI", "Các tội xâm phạm sở hữu", 168, 180},
	{"XVII", "Các tội xâm phạm chế độ hôn nhân và gia đình", 181, 187},
	{"XVIII", "Các tội xâm phạm trật tự quản lý kinh tế", 188, 234},
	{"XIX", "Các tội phạm về môi trường", 235, 246},
	{"XX", "Các tội phạm về ma túy", 247, 259},
	{"XXI", "Các tội xâm phạm an toàn công cộng, trật tự công cộng", 260, 329},
	{"XXII", "Các tội xâm phạm trật tự quản lý hành chính", 330, 351},
	{"XXIII", "Các tội phạm về chức vụ", 352, 366},
	{"XXIV", "Các tội xâm phạm hoạt động tư pháp", 367, 391},
	{"XXV", "Các tội xâm phạm nghĩa vụ, trách nhiệm của quân nhân và trách nhiệm của người phối thuộc với quân đội", 392, 420},
	{"XXVI", "Các tội phá hoại hòa bình, chống loài người và tội phạm chiến tranh", 421, 425},
}

// ChapterOf returns the chapter of an article ("173", "256a"), or "" outside the special part.
func ChapterOf(article string) string {
	n := 0
	for _, r := range article {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	for _, c := range PenalChapters {
		if n >= c.From && n <= c.To {
			return c.Number
		}
	}
	return ""
}
