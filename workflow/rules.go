package workflow

import (
	"time"

	"kiemsat/domain"
)

// RuleID names a statutory time limit (thời hạn tố tụng).
type RuleID string

// The rules the engine computes so far (reference §3). The rest of §3 (mostly notices and
// deliveries between agencies, and the appellate and cassation limits) is still to be added:
// RulesNotYetCovered lists it.
const (
	RuleReportResolution      RuleID = "report_resolution"
	RuleReportResumed         RuleID = "report_resumption"
	RuleInvestigation         RuleID = "investigation_initial"
	RuleInvestigationResumed  RuleID = "investigation_resumed"
	RuleSupplementaryVKS      RuleID = "supplementary_investigation_procuracy"
	RuleSupplementaryCourt    RuleID = "supplementary_investigation_court"
	RuleProsecutionDecision   RuleID = "prosecution_decision"
	RuleTrialPreparation      RuleID = "trial_preparation"
	RuleTrialOpening          RuleID = "trial_opening"
	RuleAccusedApproval       RuleID = "accused_approval"
	RuleAccusedChangeApproval RuleID = "accused_change_approval"
	RuleDetentionApproval     RuleID = "detention_order_approval"
	RuleUrgentArrestApproval  RuleID = "urgent_arrest_approval"
	RuleCustodyExtApproval    RuleID = "custody_extension_approval"
	RuleCustodyPeriod         RuleID = "custody_period"
	RuleDetentionPeriod       RuleID = "detention_period"
	// Kháng cáo, kháng nghị phúc thẩm: the windows after a first-instance judgment.
	RuleAppealJudgment       RuleID = "appeal_period_judgment"
	RuleProtestSameLevel     RuleID = "vks_protest_judgment_same_level"
	RuleProtestHigherLevel   RuleID = "vks_protest_judgment_higher_level"
	RuleTrialAfterReturn     RuleID = "trial_after_return"
	RuleIndictmentDelivery   RuleID = "indictment_delivery"
	RuleFileToCourt          RuleID = "file_to_court"
	RuleSummaryInvestigation RuleID = "summary_investigation"
	RuleSummaryProsecution   RuleID = "summary_prosecution"
	RuleSummaryTrialPrep     RuleID = "summary_trial_preparation"
	RuleSummaryTrialOpening  RuleID = "summary_trial_opening"
	ruleKindCase                    = "case"
	ruleKindPendingDecision         = "pending_decision"
	ruleKindMeasure                 = "measure"
	// ruleKindDelivery clocks time how long a decision of another body took to reach the
	// procuracy, from its issue to its receipt (received_at), when the receipt is recorded.
	ruleKindDelivery           = "delivery"
	everyClass                 = domain.SeverityClass("")
	rulesEffective2018         = "2018-01-01"
	investigationRequestBefore = 10
)

// ByClass gives a length per severity class; the empty class is the length for every class.
type ByClass map[domain.SeverityClass]Length

// For returns the length for a class, or the every-class length.
func (b ByClass) For(c domain.SeverityClass) (Length, bool) {
	if l, ok := b[c]; ok {
		return l, true
	}
	l, ok := b[everyClass]
	return l, ok
}

// Ladder is a rule's extension ladder (gia hạn): which step grants an extension, how long each
// successive extension may be by class (its count is the ladder's height), how many days before
// expiry the request must come, and who grants it. Approvers are data: the 2025 reform changed
// the levels and the new wording was not seen (reference §6).
type Ladder struct {
	Step              domain.Step
	Each              map[domain.SeverityClass][]Length
	RequestDaysBefore int
	Approver          string
	Article           string
}

// Rungs are the successive extensions the ladder allows a class.
func (l *Ladder) Rungs(c domain.SeverityClass) []Length { return ladderFor(l, c) }

// Rule is one statutory time limit: where it comes from in the law, what starts it, what meets
// or stops it, how long it is (by severity class where the law says so), how its time is counted,
// its extension ladder, when to warn, and the date this version of the rule took effect.
type Rule struct {
	ID      RuleID
	NameVI  string
	NameEN  string
	Article string
	// Kind: "case" clocks run on the case's decisions; "pending_decision" clocks run from the
	// receipt of a decision awaiting approval until it is answered; "measure" clocks run on a
	// custody or detention order until its end.
	Kind string
	// StartsOn are the steps whose decision starts (or, met before, restarts) the clock; for a
	// pending-decision rule, the steps whose pending decisions it times; for a measure rule, the
	// measure kind it times.
	StartsOn []domain.Step
	// StartsAtRegistration: the clock also starts when the record was received as this kind (a
	// crime report, or a case registered with its institution decision already made).
	StartsAtRegistration domain.CaseKind
	MetBy                []domain.Step
	StoppedBy            []domain.Step
	Measure              domain.MeasureKind
	Length               ByClass
	Counting             Counting
	Ladder               *Ladder
	// ClosedBy are steps after which the limit no longer applies although its own act was never
	// recorded (the court acting on a file whose dispatch nobody recorded): the clock closes as
	// cancelled, since the platform cannot tell whether the act came in time.
	ClosedBy []domain.Step
	// Window: the limit is a period in which a party or the procuracy may act (kháng cáo, kháng
	// nghị), not a duty to act. Running out unused is no violation: the clock then closes as
	// cancelled at its latest reading, never missed; an act after it closed does not reopen it.
	Window bool
	// Shortens names the general rule a summary-procedure rule (thủ tục rút gọn) shortens: its
	// clocks run on that rule's clocks, and only while the summary procedure applies
	// (Điều 457–458 BLTTHS).
	Shortens RuleID
	// FromApplication: when the summary procedure is applied after the general clock started, the
	// shortened limit counts from the decision applying it, since the law's own start has passed.
	FromApplication bool
	// WarnDays before the earliest reading the clock shows as due soon (hours for hour limits).
	WarnDays      int
	EffectiveFrom time.Time
	// Confidence is the reference's: "2+" two or more sources, "1" the codified text only.
	Confidence string
}

func m(n int) Length { return Length{Months, n} }
func d(n int) Length { return Length{Days, n} }
func h(n int) Length { return Length{Hours, n} }

func effective(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s, domain.ICT)
	return t
}

// investigationEnds are the steps that end an investigation period.
var investigationEnds = []domain.Step{StepConcludeInvestigation, StepTerminateInvestigation, StepJoin, StepCancelInstitution}

// courtActs are the court's decisions on a case it holds: each shows that the file and the
// indictment reached it.
var courtActs = []domain.Step{StepBringToTrial, StepReturnByCourt, StepSuspendTrial, StepTerminateTrial, StepPronounce}

// Rules is the rule table. docs/deadline-rules.md is generated from it.
var Rules = []Rule{
	{ID: RuleReportResolution, NameVI: "Thời hạn giải quyết nguồn tin về tội phạm", NameEN: "Crime report resolution", Article: "Điều 147(1)–(2) BLTTHS",
		Kind: ruleKindCase, StartsAtRegistration: domain.KindReport,
		MetBy:     []domain.Step{StepInstituteCase, StepDeclineInstitution},
		StoppedBy: []domain.Step{StepSuspendReport}, Length: ByClass{everyClass: d(20)}, Counting: Counting{RollOver: true},
		Ladder: &Ladder{Step: StepExtendReport, Each: map[domain.SeverityClass][]Length{everyClass: {m(2)}}, RequestDaysBefore: 5,
			Approver: "Viện trưởng Viện kiểm sát cùng cấp", Article: "Điều 147(2) BLTTHS"},
		WarnDays: 5, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	// A transfer is not in MetBy of any rule: the receiving unit takes the case over with the time
	// already used.
	{ID: RuleReportResumed, NameVI: "Thời hạn giải quyết nguồn tin khi phục hồi", NameEN: "Resumed crime report resolution", Article: "Điều 149 BLTTHS",
		Kind: ruleKindCase, StartsOn: []domain.Step{StepResumeReport}, MetBy: []domain.Step{StepInstituteCase, StepDeclineInstitution},
		StoppedBy: []domain.Step{StepSuspendReport}, Length: ByClass{everyClass: m(1)}, Counting: Counting{RollOver: true},
		WarnDays: 5, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},
	{ID: RuleInvestigation, NameVI: "Thời hạn điều tra", NameEN: "Investigation period", Article: "Điều 172 BLTTHS",
		Kind: ruleKindCase, StartsOn: []domain.Step{StepInstituteCase, StepCassationReinvestigate}, StartsAtRegistration: domain.KindCase,
		MetBy: investigationEnds, StoppedBy: []domain.Step{StepSuspendInvestigation},
		Length:   ByClass{domain.ClassLessSerious: m(2), domain.ClassSerious: m(3), domain.ClassVerySerious: m(4), domain.ClassParticularlySerious: m(4)},
		Counting: Counting{RollOver: true},
		Ladder: &Ladder{Step: StepExtendInvestigation, RequestDaysBefore: investigationRequestBefore, Article: "Điều 172(2)–(6) BLTTHS",
			Approver: "Viện kiểm sát kiểm sát điều tra; lần gia hạn thứ ba (ĐBNT): Viện kiểm sát nhân dân tối cao",
			Each: map[domain.SeverityClass][]Length{domain.ClassLessSerious: {m(2)}, domain.ClassSerious: {m(3), m(2)},
				domain.ClassVerySerious: {m(4), m(4)}, domain.ClassParticularlySerious: {m(4), m(4), m(4)}}},
		WarnDays: 15, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleInvestigationResumed, NameVI: "Thời hạn điều tra khi phục hồi điều tra", NameEN: "Resumed investigation", Article: "Điều 174(1) BLTTHS",
		Kind: ruleKindCase, StartsOn: []domain.Step{StepResumeInvestigation}, MetBy: investigationEnds, StoppedBy: []domain.Step{StepSuspendInvestigation},
		Length:   ByClass{domain.ClassLessSerious: m(2), domain.ClassSerious: m(2), domain.ClassVerySerious: m(3), domain.ClassParticularlySerious: m(3)},
		Counting: Counting{RollOver: true},
		Ladder: &Ladder{Step: StepExtendInvestigation, RequestDaysBefore: investigationRequestBefore, Article: "Điều 174(1) BLTTHS",
			Approver: "Viện kiểm sát kiểm sát điều tra",
			Each: map[domain.SeverityClass][]Length{domain.ClassLessSerious: {m(1)}, domain.ClassSerious: {m(2)}, domain.ClassVerySerious: {m(2)},
				domain.ClassParticularlySerious: {m(3)}}},
		WarnDays: 15, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleSupplementaryVKS, NameVI: "Thời hạn điều tra bổ sung (Viện kiểm sát trả hồ sơ)", NameEN: "Supplementary investigation (returned by the procuracy)",
		Article: "Điều 174(2) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepReturnByProcuracy},
		MetBy: []domain.Step{StepConcludeSupplementary, StepResubmitToCourt}, Length: ByClass{everyClass: m(2)}, Counting: Counting{RollOver: true},
		WarnDays: 10, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleSupplementaryCourt, NameVI: "Thời hạn điều tra bổ sung (Tòa án trả hồ sơ)", NameEN: "Supplementary investigation (returned by the court)",
		Article: "Điều 174(2) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepReturnByCourt},
		MetBy: []domain.Step{StepConcludeSupplementary, StepResubmitToCourt}, Length: ByClass{everyClass: m(1)}, Counting: Counting{RollOver: true},
		WarnDays: 7, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleProsecutionDecision, NameVI: "Thời hạn quyết định việc truy tố", NameEN: "Prosecution decision", Article: "Điều 240(1) BLTTHS",
		Kind: ruleKindCase, StartsOn: []domain.Step{StepConcludeInvestigation, StepConcludeSupplementary, StepResumeProsecution},
		MetBy:     []domain.Step{StepIndict, StepReturnByProcuracy, StepTerminateProsecution, StepJoin},
		StoppedBy: []domain.Step{StepSuspendProsecution},
		Length:    ByClass{domain.ClassLessSerious: d(20), domain.ClassSerious: d(20), domain.ClassVerySerious: d(30), domain.ClassParticularlySerious: d(30)},
		Ladder: &Ladder{Step: StepExtendProsecution, Approver: "Viện trưởng Viện kiểm sát", Article: "Điều 240(1) BLTTHS",
			Each: map[domain.SeverityClass][]Length{domain.ClassLessSerious: {d(10)}, domain.ClassSerious: {d(10)}, domain.ClassVerySerious: {d(15)},
				domain.ClassParticularlySerious: {d(30)}}},
		WarnDays: 5, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	// A file sent back to the court after supplementary investigation has the 15 days of Điều
	// 277(2) (trial_after_return), not a new preparation period.
	{ID: RuleTrialPreparation, NameVI: "Thời hạn chuẩn bị xét xử sơ thẩm", NameEN: "First-instance trial preparation", Article: "Điều 277(1) BLTTHS",
		Kind: ruleKindCase, StartsOn: []domain.Step{StepIndict, StepResumeTrial},
		MetBy:     []domain.Step{StepBringToTrial, StepReturnByCourt, StepTerminateTrial},
		StoppedBy: []domain.Step{StepSuspendTrial},
		Length:    ByClass{domain.ClassLessSerious: d(30), domain.ClassSerious: d(45), domain.ClassVerySerious: m(2), domain.ClassParticularlySerious: m(3)},
		Counting:  Counting{RollOver: true}, WarnDays: 7, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleTrialOpening, NameVI: "Thời hạn mở phiên tòa", NameEN: "Opening of the hearing", Article: "Điều 277(3) BLTTHS",
		Kind: ruleKindCase, StartsOn: []domain.Step{StepBringToTrial}, MetBy: []domain.Step{StepPronounce, StepReturnByCourt, StepTerminateTrial},
		StoppedBy: []domain.Step{StepSuspendTrial}, Length: ByClass{everyClass: d(15)}, WarnDays: 3, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleTrialAfterReturn, NameVI: "Thời hạn đưa vụ án ra xét xử sau khi nhận lại hồ sơ điều tra bổ sung", NameEN: "Bringing to trial after a supplementary investigation",
		Article: "Điều 277(2) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepResubmitToCourt},
		MetBy: []domain.Step{StepBringToTrial, StepReturnByCourt, StepTerminateTrial}, StoppedBy: []domain.Step{StepSuspendTrial},
		Length: ByClass{everyClass: d(15)}, Counting: Counting{RollOver: true}, WarnDays: 3, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	// The indictment's delivery and the file's dispatch are acts of the procuracy recorded as
	// their own steps; the complex-case 10 days of Điều 240(3) and 244 are not computed (no
	// complexity flag yet).
	{ID: RuleIndictmentDelivery, NameVI: "Thời hạn giao bản cáo trạng cho bị can", NameEN: "Delivery of the indictment to the accused",
		Article: "Điều 240(2)–(3) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepIndict}, MetBy: []domain.Step{StepDeliverIndictment},
		ClosedBy: courtActs, Length: ByClass{everyClass: d(3)}, WarnDays: 1, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleFileToCourt, NameVI: "Thời hạn chuyển hồ sơ vụ án và bản cáo trạng đến Tòa án", NameEN: "Sending the file and the indictment to the court",
		Article: "Điều 244 BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepIndict}, MetBy: []domain.Step{StepSendFileToCourt},
		ClosedBy: courtActs, Length: ByClass{everyClass: d(3)}, WarnDays: 1, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},

	// Windows after the first-instance judgment (kháng cáo, kháng nghị phúc thẩm). They are rights,
	// not duties: read generously (a last day off rolls over), they close unused without a
	// violation. Absent parties count from receipt or posting, which the platform does not record.
	{ID: RuleAppealJudgment, NameVI: "Thời hạn kháng cáo bản án sơ thẩm", NameEN: "Appeal against the first-instance judgment",
		Article: "Điều 333(1) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepPronounce}, MetBy: []domain.Step{StepAppeal}, Window: true,
		Length: ByClass{everyClass: d(15)}, Counting: Counting{RollOver: true}, WarnDays: 3, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleProtestSameLevel, NameVI: "Thời hạn kháng nghị phúc thẩm của Viện kiểm sát cùng cấp", NameEN: "Appellate protest by the same-level procuracy",
		Article: "Điều 337(1) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepPronounce}, MetBy: []domain.Step{StepProtestAppeal}, Window: true,
		Length: ByClass{everyClass: d(15)}, Counting: Counting{RollOver: true}, WarnDays: 5, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleProtestHigherLevel, NameVI: "Thời hạn kháng nghị phúc thẩm của Viện kiểm sát cấp trên trực tiếp", NameEN: "Appellate protest by the directly higher procuracy",
		Article: "Điều 337(1) BLTTHS", Kind: ruleKindCase, StartsOn: []domain.Step{StepPronounce}, MetBy: []domain.Step{StepProtestAppeal}, Window: true,
		Length: ByClass{everyClass: d(30)}, Counting: Counting{RollOver: true}, WarnDays: 7, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},

	// The summary procedure (thủ tục rút gọn, Điều 455–464) shortens the general limits while it
	// applies; each rule counts like the general rule it shortens. When it is cancelled the
	// shortened clock closes and the general one, which never stopped, continues (Điều 458).
	{ID: RuleSummaryInvestigation, NameVI: "Thời hạn điều tra theo thủ tục rút gọn", NameEN: "Investigation under the summary procedure",
		Article: "Điều 460(1) BLTTHS", Kind: ruleKindCase, Shortens: RuleInvestigation, Length: ByClass{everyClass: d(20)}, Counting: Counting{RollOver: true},
		WarnDays: 5, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleSummaryProsecution, NameVI: "Thời hạn quyết định việc truy tố theo thủ tục rút gọn", NameEN: "Prosecution decision under the summary procedure",
		Article: "Điều 461 BLTTHS", Kind: ruleKindCase, Shortens: RuleProsecutionDecision, FromApplication: true, Length: ByClass{everyClass: d(5)},
		WarnDays: 2, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},
	{ID: RuleSummaryTrialPrep, NameVI: "Thời hạn chuẩn bị xét xử sơ thẩm theo thủ tục rút gọn", NameEN: "Trial preparation under the summary procedure",
		Article: "Điều 462 BLTTHS", Kind: ruleKindCase, Shortens: RuleTrialPreparation, FromApplication: true, Length: ByClass{everyClass: d(10)},
		Counting: Counting{RollOver: true}, WarnDays: 3, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},
	{ID: RuleSummaryTrialOpening, NameVI: "Thời hạn mở phiên tòa theo thủ tục rút gọn", NameEN: "Opening of the hearing under the summary procedure",
		Article: "Điều 462 BLTTHS", Kind: ruleKindCase, Shortens: RuleTrialOpening, FromApplication: true, Length: ByClass{everyClass: d(7)},
		WarnDays: 2, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},

	{ID: RuleAccusedApproval, NameVI: "Thời hạn phê chuẩn quyết định khởi tố bị can", NameEN: "Approval of the decision to prosecute an accused",
		Article: "Điều 179(3) BLTTHS", Kind: ruleKindPendingDecision, StartsOn: []domain.Step{StepInstituteAccused}, Length: ByClass{everyClass: d(3)},
		WarnDays: 1, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleAccusedChangeApproval, NameVI: "Thời hạn phê chuẩn quyết định thay đổi, bổ sung quyết định khởi tố bị can", NameEN: "Approval of a change of charges",
		Article: "Điều 180(3) BLTTHS", Kind: ruleKindPendingDecision, StartsOn: []domain.Step{StepChangeCharges}, Length: ByClass{everyClass: d(3)},
		WarnDays: 1, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},
	{ID: RuleDetentionApproval, NameVI: "Thời hạn phê chuẩn lệnh tạm giam, lệnh bắt để tạm giam", NameEN: "Approval of a detention or arrest order",
		Article: "Điều 119(5), 113(1)(a) BLTTHS", Kind: ruleKindPendingDecision, StartsOn: []domain.Step{StepDetention, StepArrest, StepBail, StepCashSurety},
		Length: ByClass{everyClass: d(3)}, WarnDays: 1, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	{ID: RuleUrgentArrestApproval, NameVI: "Thời hạn phê chuẩn lệnh giữ người trong trường hợp khẩn cấp", NameEN: "Approval of an urgent holding",
		Article: "Điều 110(6) BLTTHS", Kind: ruleKindPendingDecision, StartsOn: []domain.Step{StepUrgentHold}, Length: ByClass{everyClass: h(12)},
		WarnDays: 0, EffectiveFrom: effective(rulesEffective2018), Confidence: "1"},
	{ID: RuleCustodyExtApproval, NameVI: "Thời hạn phê chuẩn gia hạn tạm giữ", NameEN: "Approval of a custody extension",
		Article: "Điều 118(3) BLTTHS", Kind: ruleKindPendingDecision, StartsOn: []domain.Step{StepExtendCustody}, Length: ByClass{everyClass: h(12)},
		WarnDays: 0, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},

	{ID: RuleCustodyPeriod, NameVI: "Thời hạn tạm giữ", NameEN: "Custody", Article: "Điều 118 BLTTHS", Kind: ruleKindMeasure, Measure: domain.MeasureCustody,
		Length: ByClass{everyClass: d(3)}, Counting: Counting{Continuous: true}, WarnDays: 1, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
	// The detention clock times each order to the end written in it; its explanation and LegalMax
	// give the law's maximum: the single order's (by the stage it serves), the investigation
	// ladder's total with custody days deducted (Điều 173(2)–(4)), the investigation time left
	// (Điều 173; TTLT 04/2018 Art. 14(3)), the summary procedure's (Điều 459) and 2/3 of all of
	// them for a minor (Điều 419).
	{ID: RuleDetentionPeriod, NameVI: "Thời hạn tạm giam", NameEN: "Detention", Article: "Điều 173, 241, 278 BLTTHS", Kind: ruleKindMeasure,
		Measure: domain.MeasureDetention, Counting: Counting{Continuous: true},
		Length: ByClass{domain.ClassLessSerious: m(2), domain.ClassSerious: m(3), domain.ClassVerySerious: m(4), domain.ClassParticularlySerious: m(4)},
		Ladder: &Ladder{Step: StepExtendDetention, RequestDaysBefore: investigationRequestBefore, Article: "Điều 173(2)–(4) BLTTHS",
			Approver: "Viện kiểm sát kiểm sát điều tra (cấp phê chuẩn theo Điều 173(3)–(4) là dữ liệu cấu hình)",
			Each: map[domain.SeverityClass][]Length{domain.ClassLessSerious: {m(1)}, domain.ClassSerious: {m(2)}, domain.ClassVerySerious: {m(3)},
				domain.ClassParticularlySerious: {m(4), m(4)}}},
		WarnDays: 10, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
}

// The deliveries to the procuracy of other bodies' decisions (gửi quyết định cho Viện kiểm sát):
// from the decision's issue to its receipt, as recorded with the decision (received_at).
const (
	RuleInstitutionNotice      RuleID = "institution_notice"
	RuleNonInstitutionNotice   RuleID = "non_institution_notice"
	RuleCustodyDecisionToVKS   RuleID = "custody_decision_to_vks"
	RuleAccusedDecisionToVKS   RuleID = "accused_decision_to_vks"
	RuleReportSuspensionNotice RuleID = "report_suspension_notice"
	RuleReportResumptionNotice RuleID = "report_resumption_notice"
	RuleSuspensionNotice       RuleID = "investigation_suspension_notice"
	RuleConclusionDelivery     RuleID = "investigation_conclusion_delivery"
	RuleTrialDecisionToVKS     RuleID = "trial_decision_service"
	RuleCourtReturnFile        RuleID = "court_return_file"
	RuleJudgmentDelivery       RuleID = "judgment_delivery"
	// RuleCassationProtest is the year within which a cassation protest against the convicted
	// may be made once the judgment is in force (Điều 379(1) BLTTHS); one in their favour may come
	// at any time, so the window lapsing is no violation and does not bar it.
	RuleCassationProtest RuleID = "cassation_protest"
	// The windows to appeal or protest a first-instance court's decision to terminate or suspend
	// the case (Điều 333(2), 337(2)), counted from the decision's date (for the parties the law
	// counts from its receipt, which is not recorded: the earlier start is the stricter reading).
	RuleAppealDecision        RuleID = "appeal_period_decision"
	RuleProtestDecisionSame   RuleID = "vks_protest_decision_same_level"
	RuleProtestDecisionHigher RuleID = "vks_protest_decision_higher_level"
)

// delivery is a rule timing the receipt by the procuracy of a decision of one of steps.
func delivery(id RuleID, vi, en, article string, l Length, confidence string, steps ...domain.Step) Rule {
	return Rule{ID: id, NameVI: vi, NameEN: en, Article: article, Kind: ruleKindDelivery, StartsOn: steps, Length: ByClass{everyClass: l},
		EffectiveFrom: effective(rulesEffective2018), Confidence: confidence}
}

func init() {
	Rules = append(Rules,
		delivery(RuleInstitutionNotice, "Thời hạn gửi quyết định khởi tố vụ án cho Viện kiểm sát", "Institution decision sent to the procuracy",
			"Điều 154(2) BLTTHS", h(24), "1", StepInstituteCase),
		delivery(RuleNonInstitutionNotice, "Thời hạn gửi quyết định không khởi tố, hủy bỏ quyết định khởi tố vụ án cho Viện kiểm sát",
			"Decision not to institute, or cancelling it, sent to the procuracy", "Điều 158(1) BLTTHS", h(24), "1", StepDeclineInstitution, StepCancelInstitution),
		delivery(RuleCustodyDecisionToVKS, "Thời hạn gửi quyết định tạm giữ cho Viện kiểm sát", "Custody decision sent to the procuracy",
			"Điều 117(4) BLTTHS", h(12), "1", StepCustody),
		delivery(RuleAccusedDecisionToVKS, "Thời hạn gửi quyết định khởi tố bị can cho Viện kiểm sát", "Decision to prosecute an accused sent to the procuracy",
			"Điều 179(3) BLTTHS", h(24), "2+", StepInstituteAccused),
		delivery(RuleReportSuspensionNotice, "Thời hạn gửi quyết định tạm đình chỉ giải quyết nguồn tin cho Viện kiểm sát",
			"Suspension of the report's resolution sent to the procuracy", "Điều 148 BLTTHS", h(24), "1", StepSuspendReport),
		delivery(RuleReportResumptionNotice, "Thời hạn gửi quyết định phục hồi giải quyết nguồn tin cho Viện kiểm sát",
			"Resumption of the report's resolution sent to the procuracy", "Điều 149 BLTTHS", d(3), "1", StepResumeReport),
		delivery(RuleSuspensionNotice, "Thời hạn gửi quyết định tạm đình chỉ điều tra cho Viện kiểm sát", "Suspension of the investigation sent to the procuracy",
			"Điều 229(3) BLTTHS", d(2), "1", StepSuspendInvestigation),
		delivery(RuleConclusionDelivery, "Thời hạn giao bản kết luận điều tra và hồ sơ cho Viện kiểm sát",
			"Investigation conclusion and file delivered to the procuracy", "Điều 232(4) BLTTHS", d(2), "1", StepConcludeInvestigation),
		delivery(RuleTrialDecisionToVKS, "Thời hạn gửi quyết định đưa vụ án ra xét xử cho Viện kiểm sát cùng cấp",
			"Decision to bring the case to trial sent to the same-level procuracy", "Điều 286 BLTTHS", d(2), "1", StepBringToTrial),
		delivery(RuleCourtReturnFile, "Thời hạn Tòa án chuyển hồ sơ trả để điều tra bổ sung cho Viện kiểm sát",
			"A file returned by the court for supplementary investigation sent to the procuracy", "Điều 280(3) BLTTHS", d(3), "1", StepReturnByCourt),
		delivery(RuleJudgmentDelivery, "Thời hạn gửi bản án sơ thẩm cho Viện kiểm sát", "First-instance judgment sent to the procuracy",
			"Điều 262(1) BLTTHS", d(10), "1", StepPronounce),
		Rule{ID: RuleCassationProtest, NameVI: "Thời hạn kháng nghị giám đốc thẩm theo hướng không có lợi cho người bị kết án",
			NameEN: "Cassation protest against the convicted", Article: "Điều 379(1) BLTTHS", Kind: ruleKindCase,
			StartsOn: []domain.Step{StepJudgmentEffective}, MetBy: []domain.Step{StepProtestCassation}, Window: true, Length: ByClass{everyClass: m(12)},
			Counting: Counting{RollOver: true}, WarnDays: 30, EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"},
		decisionWindow(RuleAppealDecision, "Thời hạn kháng cáo quyết định sơ thẩm", "Appeal against a first-instance decision", "Điều 333(2) BLTTHS",
			7, 2, StepAppealDecision),
		decisionWindow(RuleProtestDecisionSame, "Thời hạn kháng nghị quyết định sơ thẩm của Viện kiểm sát cùng cấp",
			"Protest of a first-instance decision by the same-level procuracy", "Điều 337(2) BLTTHS", 7, 2, StepProtestDecision),
		decisionWindow(RuleProtestDecisionHigher, "Thời hạn kháng nghị quyết định sơ thẩm của Viện kiểm sát cấp trên trực tiếp",
			"Protest of a first-instance decision by the directly higher procuracy", "Điều 337(2) BLTTHS", 15, 5, StepProtestDecision),
	)
}

// RuleByID finds the newest version of a rule.
func RuleByID(id RuleID) (Rule, bool) {
	var out Rule
	found := false
	for _, r := range Rules {
		if r.ID == id && (!found || r.EffectiveFrom.After(out.EffectiveFrom)) {
			out, found = r, true
		}
	}
	return out, found
}

// RuleAt finds the version of a rule that judges a clock started at start: the newest version in
// force on that day, or the oldest version for a clock older than every version (a law changes
// limits for what starts after it, not for what has started: reference §6).
func RuleAt(id RuleID, start time.Time) (Rule, bool) {
	var at, oldest Rule
	foundAt, foundOldest := false, false
	for _, r := range Rules {
		if r.ID != id {
			continue
		}
		if !foundOldest || r.EffectiveFrom.Before(oldest.EffectiveFrom) {
			oldest, foundOldest = r, true
		}
		if !r.EffectiveFrom.After(start) && (!foundAt || r.EffectiveFrom.After(at.EffectiveFrom)) {
			at, foundAt = r, true
		}
	}
	if foundAt {
		return at, true
	}
	return oldest, foundOldest
}

// judges says whether this version of a rule is the one that judges a clock started at start.
func (r Rule) judges(start time.Time) bool {
	v, ok := RuleAt(r.ID, start)
	return ok && v.EffectiveFrom.Equal(r.EffectiveFrom)
}

// decisionWindow is the window to appeal or protest a first-instance court's decision to terminate
// or suspend the case: it lapses unused without a violation.
func decisionWindow(id RuleID, vi, en, article string, days, warn int, metBy domain.Step) Rule {
	return Rule{ID: id, NameVI: vi, NameEN: en, Article: article, Kind: ruleKindCase, StartsOn: []domain.Step{StepTerminateTrial, StepSuspendTrial},
		MetBy: []domain.Step{metBy}, Window: true, Length: ByClass{everyClass: d(days)}, Counting: Counting{RollOver: true}, WarnDays: warn,
		EffectiveFrom: effective(rulesEffective2018), Confidence: "2+"}
}
