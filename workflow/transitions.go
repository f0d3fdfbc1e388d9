package workflow

import "kiemsat/domain"

// The procedural steps. Each one is a row of Transitions.
const (
	StepExtendReport           domain.Step = "extend_report_resolution"
	StepInstituteCase          domain.Step = "institute_case"
	StepDeclineInstitution     domain.Step = "decline_institution"
	StepSuspendReport          domain.Step = "suspend_report"
	StepResumeReport           domain.Step = "resume_report"
	StepAcceptInstitution      domain.Step = "accept_institution"
	StepChangeInstitution      domain.Step = "change_institution"
	StepCancelInstitution      domain.Step = "cancel_institution"
	StepExtendInvestigation    domain.Step = "extend_investigation"
	StepSuspendInvestigation   domain.Step = "suspend_investigation"
	StepResumeInvestigation    domain.Step = "resume_investigation"
	StepTerminateInvestigation domain.Step = "terminate_investigation"
	StepConcludeInvestigation  domain.Step = "conclude_investigation"
	StepTransfer               domain.Step = "transfer"
	StepJoin                   domain.Step = "join_into"
	StepSplit                  domain.Step = "split_case"
	StepExtendProsecution      domain.Step = "extend_prosecution"
	StepIndict                 domain.Step = "indict"
	StepDeliverIndictment      domain.Step = "deliver_indictment"
	StepSendFileToCourt        domain.Step = "send_file_to_court"
	StepReturnByProcuracy      domain.Step = "return_for_supplementary"
	StepConcludeSupplementary  domain.Step = "conclude_supplementary"
	StepResubmitToCourt        domain.Step = "resubmit_to_court"
	StepSuspendProsecution     domain.Step = "suspend_prosecution"
	StepResumeProsecution      domain.Step = "resume_prosecution"
	StepTerminateProsecution   domain.Step = "terminate_prosecution"
	StepApplySummary           domain.Step = "apply_summary_procedure"
	StepCancelSummary          domain.Step = "cancel_summary_procedure"
	StepBringToTrial           domain.Step = "bring_to_trial"
	StepReturnByCourt          domain.Step = "court_return_for_supplementary"
	StepSuspendTrial           domain.Step = "suspend_trial"
	StepResumeTrial            domain.Step = "resume_trial"
	StepTerminateTrial         domain.Step = "terminate_trial"
	StepPronounce              domain.Step = "pronounce_judgment"
	StepAppeal                 domain.Step = "appeal"
	StepProtestAppeal          domain.Step = "protest_appeal"
	StepJudgmentEffective      domain.Step = "judgment_effective"
	StepAppellateJudgment      domain.Step = "appellate_judgment"
	StepAppellateRemand        domain.Step = "appellate_remand"
	// Appeals against a first-instance court's decision to terminate or suspend the case (kháng
	// cáo, kháng nghị quyết định sơ thẩm, Điều 333(2), 337(2)) and the appellate court's answer.
	StepAppealDecision             domain.Step = "appeal_decision"
	StepProtestDecision            domain.Step = "protest_decision"
	StepAppellateUpholdTermination domain.Step = "appellate_uphold_termination"
	StepAppellateUpholdSuspension  domain.Step = "appellate_uphold_suspension"
	StepAppellateQuashDecision     domain.Step = "appellate_quash_decision"
	StepProtestCassation           domain.Step = "protest_cassation"
	StepCassationUphold            domain.Step = "cassation_uphold"
	StepCassationRetrial           domain.Step = "cassation_retrial"
	StepCassationReinvestigate     domain.Step = "cassation_reinvestigate"
	StepCloseCase                  domain.Step = "close_case"

	StepInstituteAccused domain.Step = "institute_accused"
	StepChangeCharges    domain.Step = "change_charges"
	StepSuspendAccused   domain.Step = "suspend_accused"
	StepResumeAccused    domain.Step = "resume_accused"
	StepTerminateAccused domain.Step = "terminate_accused"

	StepUrgentHold      domain.Step = "order_urgent_hold"
	StepArrest          domain.Step = "order_arrest"
	StepCustody         domain.Step = "order_custody"
	StepExtendCustody   domain.Step = "extend_custody"
	StepDetention       domain.Step = "order_detention"
	StepExtendDetention domain.Step = "extend_detention"
	StepBail            domain.Step = "order_bail"
	StepCashSurety      domain.Step = "order_cash_surety"
	StepResidenceBan    domain.Step = "order_residence_ban"
	StepWanted          domain.Step = "issue_wanted_notice"
	StepEndMeasure      domain.Step = "end_measure"
)

// State is a value of a transition's subject: a case stage, an accused status or a measure
// status. StateNew is the state of a subject that does not exist yet (a new accused, a new
// measure).
type State string

// StateNew is the "from" state of steps that create their subject.
const StateNew State = "new"

// Effect is what a step does besides moving its subject, carried out by the service in the
// same transaction as the decision.
type Effect string

// Effects.
const (
	EffectNone          Effect = ""
	EffectBecomeCase    Effect = "become_case"    // a report becomes a case: it takes a case number
	EffectTransfer      Effect = "transfer"       // the receiving unit takes over the case
	EffectJoin          Effect = "join"           // the case is joined into another
	EffectSplit         Effect = "split"          // some accused are separated into a new case
	EffectSummaryOn     Effect = "summary_on"     // the summary procedure applies
	EffectSummaryOff    Effect = "summary_off"    // the summary procedure is cancelled
	EffectNewAccused    Effect = "new_accused"    // an accused and their charges are recorded
	EffectCharges       Effect = "charges"        // charges are replaced or added
	EffectNewMeasure    Effect = "new_measure"    // a preventive measure is ordered
	EffectExtendMeasure Effect = "extend_measure" // a custody or detention order is extended
	EffectEndMeasure    Effect = "end_measure"    // a measure ends
)

// Approval says that a decision issued by one of Issuers reaches the procuracy for approval
// (phê chuẩn) before it takes effect.
type Approval struct {
	Issuers []domain.IssuerBody
	Article string
	// Levels, when set, are the unit levels whose chief may approve; empty means the procuracy
	// in charge of the case. Approvers are data because the 2025 reform changed the levels and
	// the new wording was not seen (reference §6).
	Levels []domain.UnitLevel
}

// Transition is one row of the lifecycle table: from which states a step may be taken, where it
// leads, the document that causes it, who issues that document, who may record it, the guards
// that must hold, and the article of the Criminal Procedure Code it rests on.
type Transition struct {
	Step    domain.Step
	Subject domain.Subject
	NameVI  string
	NameEN  string
	From    []State
	// To is the state the subject moves to; empty means it stays where it is.
	To       State
	Doc      domain.DocType
	Issuers  []domain.IssuerBody
	Article  string
	Approval *Approval
	// CaseStages limits accused and measure steps to cases in these stages; empty means any
	// stage that is not final.
	CaseStages []domain.Stage
	// Roles may record the step. A prosecutor must be on the case's team.
	Roles []domain.Role
	// Levels, when set, are the unit levels at which the step is taken: the recorder's grant must
	// be at a unit of one of these levels that covers the case. Empty means the case's own unit.
	Levels []domain.UnitLevel
	Guards []GuardID
	Effect Effect
}

func st(ss ...domain.Stage) []State {
	out := make([]State, len(ss))
	for i, s := range ss {
		out[i] = State(s)
	}
	return out
}

var (
	recorders     = []domain.Role{domain.RoleProsecutor, domain.RoleDeputyChief, domain.RoleChief}
	leaders       = []domain.Role{domain.RoleDeputyChief, domain.RoleChief}
	cqdt          = []domain.IssuerBody{domain.IssuerInvestigation}
	vks           = []domain.IssuerBody{domain.IssuerProcuracy}
	court         = []domain.IssuerBody{domain.IssuerCourt}
	cqdtVKS       = []domain.IssuerBody{domain.IssuerInvestigation, domain.IssuerProcuracy}
	cqdtVKSCt     = []domain.IssuerBody{domain.IssuerInvestigation, domain.IssuerProcuracy, domain.IssuerCourt}
	vksCourt      = []domain.IssuerBody{domain.IssuerProcuracy, domain.IssuerCourt}
	measureStages = []domain.Stage{domain.StageReportResolution, domain.StageInstitution, domain.StageInvestigation, domain.StageInvestigationSusp,
		domain.StageSupplementary, domain.StageProsecution, domain.StageProsecutionSusp, domain.StageFirstInstance, domain.StageTrialSuspended,
		domain.StageAppeal, domain.StageCassation, domain.StageExecution}
	// cassationLevels are the procuracies that may protest a judgment in force (Điều 373, 400),
	// since 2025 the Supreme Procuracy and, by delegation under the reform, the appellate institutes;
	// kept as data (reference §6).
	cassationLevels = []domain.UnitLevel{domain.LevelSupreme, domain.LevelAppellateInstitute, domain.LevelMilitaryCentral}
)

// Transitions is the case lifecycle as law: the only way a case's stage, an accused's status or
// a measure's status changes. docs/lifecycle.md is generated from it.
var Transitions = []Transition{
	// Crime report resolution (giải quyết nguồn tin, Điều 145–150).
	{Step: StepExtendReport, Subject: domain.SubjectCase, NameVI: "Gia hạn thời hạn giải quyết nguồn tin", NameEN: "Extend the report resolution period",
		From: st(domain.StageReportResolution), Doc: DocReportExtension, Issuers: vks, Article: "Điều 147(2) BLTTHS", Roles: leaders,
		Guards: []GuardID{GuardReportExtensionOnce, GuardReportNotExpired, GuardRequestInTime}},
	{Step: StepInstituteCase, Subject: domain.SubjectCase, NameVI: "Khởi tố vụ án", NameEN: "Institute the case",
		From: st(domain.StageReportResolution), To: State(domain.StageInstitution), Doc: DocCaseInstitution, Issuers: cqdtVKS,
		Article: "Điều 153, 154 BLTTHS", Roles: recorders, Effect: EffectBecomeCase},
	{Step: StepDeclineInstitution, Subject: domain.SubjectCase, NameVI: "Không khởi tố vụ án", NameEN: "Decline to institute",
		From: st(domain.StageReportResolution), To: State(domain.StageNotInstituted), Doc: DocNonInstitution, Issuers: cqdtVKS,
		Article: "Điều 157, 158 BLTTHS", Roles: recorders},
	{Step: StepSuspendReport, Subject: domain.SubjectCase, NameVI: "Tạm đình chỉ giải quyết nguồn tin", NameEN: "Suspend the report resolution",
		From: st(domain.StageReportResolution), To: State(domain.StageReportSuspended), Doc: DocReportSuspension, Issuers: cqdtVKS,
		Article: "Điều 148 BLTTHS", Roles: recorders},
	{Step: StepResumeReport, Subject: domain.SubjectCase, NameVI: "Phục hồi giải quyết nguồn tin", NameEN: "Resume the report resolution",
		From: st(domain.StageReportSuspended), To: State(domain.StageReportResolution), Doc: DocReportResumption, Issuers: cqdtVKS,
		Article: "Điều 149 BLTTHS", Roles: recorders},

	// Institution (khởi tố vụ án): the procuracy checks the decision and takes the case in charge.
	{Step: StepAcceptInstitution, Subject: domain.SubjectCase, NameVI: "Phân công Kiểm sát viên, kiểm sát điều tra", NameEN: "Take the case in charge",
		From: st(domain.StageInstitution), To: State(domain.StageInvestigation), Doc: DocProsecutorAssignment, Issuers: vks,
		Article: "Điều 41, 165 BLTTHS", Roles: leaders, Guards: []GuardID{GuardLeadAssigned}},
	{Step: StepChangeInstitution, Subject: domain.SubjectCase, NameVI: "Thay đổi, bổ sung quyết định khởi tố vụ án", NameEN: "Change the institution decision",
		From: st(domain.StageInstitution, domain.StageInvestigation), Doc: DocCaseInstitutionChange, Issuers: cqdtVKS,
		Article: "Điều 156 BLTTHS", Roles: recorders},
	{Step: StepCancelInstitution, Subject: domain.SubjectCase, NameVI: "Hủy bỏ quyết định khởi tố vụ án", NameEN: "Cancel the institution decision",
		From: st(domain.StageInstitution, domain.StageInvestigation), To: State(domain.StageNotInstituted), Doc: DocCaseInstitutionCancel, Issuers: vks,
		Article: "Điều 161 BLTTHS", Roles: leaders},

	// Investigation under the procuracy's supervision (điều tra, kiểm sát điều tra).
	{Step: StepExtendInvestigation, Subject: domain.SubjectCase, NameVI: "Gia hạn thời hạn điều tra", NameEN: "Extend the investigation period",
		From: st(domain.StageInvestigation), Doc: DocInvestigationExt, Issuers: vks, Article: "Điều 172 BLTTHS", Roles: leaders,
		Guards: []GuardID{GuardClassKnown, GuardInvestigationLadder, GuardInvestigationNotExpired, GuardRequestInTime}},
	{Step: StepSuspendInvestigation, Subject: domain.SubjectCase, NameVI: "Tạm đình chỉ điều tra", NameEN: "Suspend the investigation",
		From: st(domain.StageInvestigation), To: State(domain.StageInvestigationSusp), Doc: DocInvestigationSusp, Issuers: cqdt,
		Article: "Điều 229 BLTTHS", Roles: recorders},
	{Step: StepResumeInvestigation, Subject: domain.SubjectCase, NameVI: "Phục hồi điều tra", NameEN: "Resume the investigation",
		From: st(domain.StageInvestigationSusp), To: State(domain.StageInvestigation), Doc: DocInvestigationResume, Issuers: cqdt,
		Article: "Điều 235 BLTTHS", Roles: recorders},
	{Step: StepTerminateInvestigation, Subject: domain.SubjectCase, NameVI: "Đình chỉ điều tra", NameEN: "Terminate the investigation",
		From: st(domain.StageInvestigation, domain.StageInvestigationSusp), To: State(domain.StageTerminated), Doc: DocInvestigationTerm, Issuers: cqdt,
		Article: "Điều 230 BLTTHS", Roles: recorders},
	{Step: StepConcludeInvestigation, Subject: domain.SubjectCase, NameVI: "Kết thúc điều tra, đề nghị truy tố", NameEN: "Conclude the investigation",
		From: st(domain.StageInvestigation), To: State(domain.StageProsecution), Doc: DocInvestigationConcl, Issuers: cqdt,
		Article: "Điều 232, 236 BLTTHS", Roles: recorders, Guards: []GuardID{GuardHasActiveAccused}},
	{Step: StepTransfer, Subject: domain.SubjectCase, NameVI: "Chuyển vụ án cho đơn vị có thẩm quyền", NameEN: "Transfer the case to the competent unit",
		From: st(domain.StageReportResolution, domain.StageInstitution, domain.StageInvestigation, domain.StageInvestigationSusp, domain.StageSupplementary,
			domain.StageProsecution, domain.StageProsecutionSusp), Doc: DocTransfer, Issuers: vks, Article: "Điều 169, 239 BLTTHS", Roles: leaders,
		Guards: []GuardID{GuardTransferTarget}, Effect: EffectTransfer},
	{Step: StepJoin, Subject: domain.SubjectCase, NameVI: "Nhập vào vụ án khác", NameEN: "Join into another case",
		From: st(domain.StageInvestigation, domain.StageProsecution), To: State(domain.StageJoined), Doc: DocJoinder, Issuers: cqdtVKS,
		Article: "Điều 170 BLTTHS", Roles: leaders, Guards: []GuardID{GuardJoinTarget}, Effect: EffectJoin},
	{Step: StepSplit, Subject: domain.SubjectCase, NameVI: "Tách vụ án", NameEN: "Separate some accused into a new case",
		From: st(domain.StageInvestigation, domain.StageProsecution), Doc: DocSeparation, Issuers: cqdtVKS, Article: "Điều 170 BLTTHS",
		Roles: leaders, Guards: []GuardID{GuardSplitAccused}, Effect: EffectSplit},

	// Prosecution (truy tố).
	{Step: StepExtendProsecution, Subject: domain.SubjectCase, NameVI: "Gia hạn thời hạn quyết định việc truy tố", NameEN: "Extend the prosecution period",
		From: st(domain.StageProsecution), Doc: DocProsecutionExt, Issuers: vks, Article: "Điều 240(1) BLTTHS", Roles: leaders,
		Guards: []GuardID{GuardProsecutionExtensionOnce, GuardProsecutionNotExpired}},
	{Step: StepIndict, Subject: domain.SubjectCase, NameVI: "Truy tố bị can trước Tòa án (cáo trạng)", NameEN: "Indict",
		From: st(domain.StageProsecution), To: State(domain.StageFirstInstance), Doc: DocIndictment, Issuers: vks, Article: "Điều 243 BLTTHS",
		Roles: leaders, Guards: []GuardID{GuardInvestigationConcluded, GuardHasActiveAccused}},
	// The indictment's delivery and the file's dispatch do not move the case: they are recorded
	// so that the 3-day limits of Điều 240(2)–(3) and 244 can be seen to be kept.
	{Step: StepDeliverIndictment, Subject: domain.SubjectCase, NameVI: "Giao bản cáo trạng cho bị can", NameEN: "Deliver the indictment to the accused",
		From: st(domain.StageFirstInstance), Doc: DocIndictmentDelivery, Issuers: vks, Article: "Điều 240(2)–(3) BLTTHS", Roles: recorders},
	{Step: StepSendFileToCourt, Subject: domain.SubjectCase, NameVI: "Chuyển hồ sơ vụ án và bản cáo trạng đến Tòa án", NameEN: "Send the file and the indictment to the court",
		From: st(domain.StageFirstInstance), Doc: DocFileToCourt, Issuers: vks, Article: "Điều 244 BLTTHS", Roles: recorders},
	{Step: StepReturnByProcuracy, Subject: domain.SubjectCase, NameVI: "Trả hồ sơ để điều tra bổ sung", NameEN: "Return the file for supplementary investigation",
		From: st(domain.StageProsecution), To: State(domain.StageSupplementary), Doc: DocReturnSupplementary, Issuers: vks,
		Article: "Điều 174(2), 245 BLTTHS", Roles: leaders, Guards: []GuardID{GuardProcuracyReturns}},
	{Step: StepConcludeSupplementary, Subject: domain.SubjectCase, NameVI: "Kết thúc điều tra bổ sung, chuyển Viện kiểm sát", NameEN: "Conclude the supplementary investigation",
		From: st(domain.StageSupplementary), To: State(domain.StageProsecution), Doc: DocSupplementaryConcl, Issuers: cqdt,
		Article: "Điều 174(2) BLTTHS", Roles: recorders, Guards: []GuardID{GuardLastReturnByProcuracy}},
	{Step: StepResubmitToCourt, Subject: domain.SubjectCase, NameVI: "Chuyển lại hồ sơ cho Tòa án sau điều tra bổ sung", NameEN: "Send the file back to the court",
		From: st(domain.StageSupplementary), To: State(domain.StageFirstInstance), Doc: DocSupplementaryConcl, Issuers: vks,
		Article: "Điều 174(2), 280 BLTTHS", Roles: leaders, Guards: []GuardID{GuardLastReturnByCourt}},
	{Step: StepSuspendProsecution, Subject: domain.SubjectCase, NameVI: "Tạm đình chỉ vụ án (truy tố)", NameEN: "Suspend the case at prosecution",
		From: st(domain.StageProsecution), To: State(domain.StageProsecutionSusp), Doc: DocCaseSuspension, Issuers: vks, Article: "Điều 247 BLTTHS", Roles: leaders},
	{Step: StepResumeProsecution, Subject: domain.SubjectCase, NameVI: "Phục hồi vụ án (truy tố)", NameEN: "Resume the case at prosecution",
		From: st(domain.StageProsecutionSusp), To: State(domain.StageProsecution), Doc: DocCaseResumption, Issuers: vks, Article: "Điều 249 BLTTHS", Roles: leaders},
	{Step: StepTerminateProsecution, Subject: domain.SubjectCase, NameVI: "Đình chỉ vụ án (truy tố)", NameEN: "Terminate the case at prosecution",
		From: st(domain.StageProsecution, domain.StageProsecutionSusp), To: State(domain.StageTerminated), Doc: DocCaseTermination, Issuers: vks,
		Article: "Điều 248 BLTTHS", Roles: leaders},
	{Step: StepApplySummary, Subject: domain.SubjectCase, NameVI: "Áp dụng thủ tục rút gọn", NameEN: "Apply the summary procedure",
		From: st(domain.StageInvestigation, domain.StageProsecution, domain.StageFirstInstance), Doc: DocSummaryProcedure, Issuers: cqdtVKSCt,
		Article: "Điều 456, 457 BLTTHS", Roles: recorders, Guards: []GuardID{GuardSummaryConditions}, Effect: EffectSummaryOn},
	{Step: StepCancelSummary, Subject: domain.SubjectCase, NameVI: "Hủy bỏ thủ tục rút gọn", NameEN: "Cancel the summary procedure",
		From: st(domain.StageInvestigation, domain.StageProsecution, domain.StageFirstInstance), Doc: DocSummaryCancel, Issuers: cqdtVKSCt,
		Article: "Điều 458 BLTTHS", Roles: recorders, Guards: []GuardID{GuardSummaryApplied}, Effect: EffectSummaryOff},

	// First-instance trial (xét xử sơ thẩm).
	{Step: StepBringToTrial, Subject: domain.SubjectCase, NameVI: "Đưa vụ án ra xét xử", NameEN: "Bring the case to trial",
		From: st(domain.StageFirstInstance), Doc: DocTrialDecision, Issuers: court, Article: "Điều 255, 277 BLTTHS", Roles: recorders},
	{Step: StepReturnByCourt, Subject: domain.SubjectCase, NameVI: "Tòa án trả hồ sơ để điều tra bổ sung", NameEN: "Court returns the file for supplementary investigation",
		From: st(domain.StageFirstInstance), To: State(domain.StageSupplementary), Doc: DocReturnSupplementary, Issuers: court,
		Article: "Điều 174(2), 280, 326 BLTTHS", Roles: recorders, Guards: []GuardID{GuardCourtReturns}},
	{Step: StepSuspendTrial, Subject: domain.SubjectCase, NameVI: "Tạm đình chỉ vụ án (xét xử)", NameEN: "Suspend the case at trial",
		From: st(domain.StageFirstInstance), To: State(domain.StageTrialSuspended), Doc: DocCaseSuspension, Issuers: court, Article: "Điều 281 BLTTHS", Roles: recorders},
	{Step: StepResumeTrial, Subject: domain.SubjectCase, NameVI: "Phục hồi vụ án (xét xử)", NameEN: "Resume the case at trial",
		From: st(domain.StageTrialSuspended), To: State(domain.StageFirstInstance), Doc: DocCaseResumption, Issuers: court, Article: "Điều 283 BLTTHS", Roles: recorders},
	{Step: StepTerminateTrial, Subject: domain.SubjectCase, NameVI: "Đình chỉ vụ án (xét xử)", NameEN: "Terminate the case at trial",
		From: st(domain.StageFirstInstance, domain.StageTrialSuspended), To: State(domain.StageTerminated), Doc: DocCaseTermination, Issuers: court,
		Article: "Điều 282 BLTTHS", Roles: recorders},
	{Step: StepPronounce, Subject: domain.SubjectCase, NameVI: "Tuyên án sơ thẩm", NameEN: "Pronounce the first-instance judgment",
		From: st(domain.StageFirstInstance), Doc: DocFirstJudgment, Issuers: court, Article: "Điều 260 BLTTHS", Roles: recorders,
		Guards: []GuardID{GuardTrialDecided}},

	// Appeal (phúc thẩm) and the judgment taking effect.
	{Step: StepAppeal, Subject: domain.SubjectCase, NameVI: "Kháng cáo bản án sơ thẩm", NameEN: "Appeal against the judgment",
		From: st(domain.StageFirstInstance), To: State(domain.StageAppeal), Doc: DocAppeal, Issuers: []domain.IssuerBody{domain.IssuerParty},
		Article: "Điều 331, 333 BLTTHS", Roles: recorders, Guards: []GuardID{GuardJudgmentPronounced}},
	{Step: StepProtestAppeal, Subject: domain.SubjectCase, NameVI: "Kháng nghị phúc thẩm", NameEN: "Protest the judgment on appeal",
		From: st(domain.StageFirstInstance), To: State(domain.StageAppeal), Doc: DocAppealProtest, Issuers: vks, Article: "Điều 336, 337 BLTTHS",
		Roles: leaders, Levels: []domain.UnitLevel{domain.LevelRegional, domain.LevelProvincial, domain.LevelAppellateInstitute, domain.LevelSupreme,
			domain.LevelMilitaryRegional, domain.LevelMilitaryZone, domain.LevelMilitaryCentral}, Guards: []GuardID{GuardJudgmentPronounced}},
	{Step: StepJudgmentEffective, Subject: domain.SubjectCase, NameVI: "Bản án có hiệu lực, ra quyết định thi hành án", NameEN: "Judgment in force: execution ordered",
		From: st(domain.StageFirstInstance), To: State(domain.StageExecution), Doc: DocExecutionOrder, Issuers: court, Article: "Điều 343, 364 BLTTHS",
		Roles: recorders, Guards: []GuardID{GuardJudgmentPronounced}},
	{Step: StepAppellateJudgment, Subject: domain.SubjectCase, NameVI: "Xét xử phúc thẩm: bản án phúc thẩm", NameEN: "Appellate judgment",
		From: st(domain.StageAppeal), To: State(domain.StageExecution), Doc: DocAppellateJudgment, Issuers: court, Article: "Điều 355 BLTTHS",
		Roles: recorders, Guards: []GuardID{GuardAppealOfJudgment}},
	{Step: StepAppellateRemand, Subject: domain.SubjectCase, NameVI: "Hủy bản án sơ thẩm để xét xử lại", NameEN: "Quash for retrial",
		From: st(domain.StageAppeal), To: State(domain.StageFirstInstance), Doc: DocAppellateRemand, Issuers: court, Article: "Điều 358 BLTTHS",
		Roles: recorders, Guards: []GuardID{GuardAppealOfJudgment}},
	// A first-instance court's decision to terminate or suspend the case may be appealed or
	// protested (Điều 333(2), 337(2)): the case goes to the appellate court, which upholds the
	// decision (the case returns where the decision put it) or quashes it (the trial goes on).
	{Step: StepAppealDecision, Subject: domain.SubjectCase, NameVI: "Kháng cáo quyết định sơ thẩm", NameEN: "Appeal against a first-instance decision",
		From: st(domain.StageTerminated, domain.StageTrialSuspended), To: State(domain.StageAppeal), Doc: DocAppeal,
		Issuers: []domain.IssuerBody{domain.IssuerParty}, Article: "Điều 331, 333(2) BLTTHS", Roles: recorders, Guards: []GuardID{GuardCourtDecisionAppealable}},
	{Step: StepProtestDecision, Subject: domain.SubjectCase, NameVI: "Kháng nghị phúc thẩm quyết định sơ thẩm", NameEN: "Protest a first-instance decision on appeal",
		From: st(domain.StageTerminated, domain.StageTrialSuspended), To: State(domain.StageAppeal), Doc: DocAppealProtest, Issuers: vks,
		Article: "Điều 336, 337(2) BLTTHS", Roles: leaders, Levels: []domain.UnitLevel{domain.LevelRegional, domain.LevelProvincial,
			domain.LevelAppellateInstitute, domain.LevelSupreme, domain.LevelMilitaryRegional, domain.LevelMilitaryZone, domain.LevelMilitaryCentral},
		Guards: []GuardID{GuardCourtDecisionAppealable}},
	{Step: StepAppellateUpholdTermination, Subject: domain.SubjectCase, NameVI: "Phúc thẩm giữ nguyên quyết định đình chỉ vụ án",
		NameEN: "Appellate court upholds the termination", From: st(domain.StageAppeal), To: State(domain.StageTerminated), Doc: DocAppellateDecision,
		Issuers: court, Article: "Điều 361, 362 BLTTHS", Roles: recorders, Guards: []GuardID{GuardAppealOfTermination}},
	{Step: StepAppellateUpholdSuspension, Subject: domain.SubjectCase, NameVI: "Phúc thẩm giữ nguyên quyết định tạm đình chỉ vụ án",
		NameEN: "Appellate court upholds the suspension", From: st(domain.StageAppeal), To: State(domain.StageTrialSuspended), Doc: DocAppellateDecision,
		Issuers: court, Article: "Điều 361, 362 BLTTHS", Roles: recorders, Guards: []GuardID{GuardAppealOfSuspension}},
	{Step: StepAppellateQuashDecision, Subject: domain.SubjectCase, NameVI: "Phúc thẩm hủy quyết định sơ thẩm, tiếp tục giải quyết vụ án",
		NameEN: "Appellate court quashes the decision: the trial goes on", From: st(domain.StageAppeal), To: State(domain.StageFirstInstance),
		Doc: DocAppellateDecision, Issuers: court, Article: "Điều 361, 362 BLTTHS", Roles: recorders, Guards: []GuardID{GuardAppealOfDecision}},

	// Cassation and reopening (giám đốc thẩm, tái thẩm).
	{Step: StepProtestCassation, Subject: domain.SubjectCase, NameVI: "Kháng nghị giám đốc thẩm, tái thẩm", NameEN: "Protest for cassation or reopening",
		From: st(domain.StageExecution, domain.StageClosed), To: State(domain.StageCassation), Doc: DocCassationProtest, Issuers: vksCourt,
		Article: "Điều 373, 400 BLTTHS", Roles: leaders, Levels: cassationLevels},
	{Step: StepCassationUphold, Subject: domain.SubjectCase, NameVI: "Giữ nguyên bản án có hiệu lực", NameEN: "Uphold the judgment",
		From: st(domain.StageCassation), To: State(domain.StageExecution), Doc: DocCassationDecision, Issuers: court, Article: "Điều 388, 398 BLTTHS",
		Roles: recorders},
	{Step: StepCassationRetrial, Subject: domain.SubjectCase, NameVI: "Hủy bản án để xét xử lại", NameEN: "Quash for retrial",
		From: st(domain.StageCassation), To: State(domain.StageFirstInstance), Doc: DocCassationDecision, Issuers: court, Article: "Điều 388, 398 BLTTHS",
		Roles: recorders},
	{Step: StepCassationReinvestigate, Subject: domain.SubjectCase, NameVI: "Hủy bản án để điều tra lại", NameEN: "Quash for re-investigation",
		From: st(domain.StageCassation), To: State(domain.StageInvestigation), Doc: DocCassationDecision, Issuers: court,
		Article: "Điều 174(3), 388, 398 BLTTHS", Roles: recorders},

	// Execution (thi hành án), supervised by the procuracy, and the end of the case.
	{Step: StepCloseCase, Subject: domain.SubjectCase, NameVI: "Kết thúc: đã chấp hành xong bản án", NameEN: "Close: the sentence has been served",
		From: st(domain.StageExecution), To: State(domain.StageClosed), Doc: DocExecutionCompleted, Issuers: []domain.IssuerBody{domain.IssuerInvestigation, domain.IssuerCourt},
		Article: "Luật Thi hành án hình sự 2019", Roles: recorders},

	// Accused persons (bị can): a track of their own.
	{Step: StepInstituteAccused, Subject: domain.SubjectAccused, NameVI: "Khởi tố bị can", NameEN: "Prosecute an accused",
		From: []State{StateNew, State(domain.AccusedSuspect)}, To: State(domain.AccusedInstituted), Doc: DocAccusedInstitution, Issuers: cqdtVKS,
		Article: "Điều 179 BLTTHS", Approval: &Approval{Issuers: cqdt, Article: "Điều 179(3) BLTTHS"},
		CaseStages: []domain.Stage{domain.StageInstitution, domain.StageInvestigation, domain.StageSupplementary}, Roles: recorders,
		Guards: []GuardID{GuardChargesGiven}, Effect: EffectNewAccused},
	{Step: StepChangeCharges, Subject: domain.SubjectAccused, NameVI: "Thay đổi, bổ sung quyết định khởi tố bị can", NameEN: "Change or add charges",
		From: []State{State(domain.AccusedInstituted), State(domain.AccusedSuspended)}, Doc: DocAccusedChange, Issuers: cqdtVKS,
		Article: "Điều 180 BLTTHS", Approval: &Approval{Issuers: cqdt, Article: "Điều 180(3) BLTTHS"},
		CaseStages: []domain.Stage{domain.StageInvestigation, domain.StageInvestigationSusp, domain.StageSupplementary, domain.StageProsecution},
		Roles:      recorders, Guards: []GuardID{GuardChargesGiven}, Effect: EffectCharges},
	{Step: StepSuspendAccused, Subject: domain.SubjectAccused, NameVI: "Tạm đình chỉ đối với bị can", NameEN: "Suspend as to one accused",
		From: []State{State(domain.AccusedInstituted)}, To: State(domain.AccusedSuspended), Doc: DocAccusedSuspension, Issuers: cqdtVKSCt,
		Article: "Điều 229, 247, 281 BLTTHS", CaseStages: []domain.Stage{domain.StageInvestigation, domain.StageProsecution, domain.StageFirstInstance},
		Roles: recorders, Guards: []GuardID{GuardIssuerOfStage}},
	{Step: StepResumeAccused, Subject: domain.SubjectAccused, NameVI: "Phục hồi đối với bị can", NameEN: "Resume as to one accused",
		From: []State{State(domain.AccusedSuspended)}, To: State(domain.AccusedInstituted), Doc: DocAccusedResumption, Issuers: cqdtVKSCt,
		Article: "Điều 235, 249, 283 BLTTHS", CaseStages: []domain.Stage{domain.StageInvestigation, domain.StageProsecution, domain.StageFirstInstance},
		Roles: recorders, Guards: []GuardID{GuardIssuerOfStage}},
	{Step: StepTerminateAccused, Subject: domain.SubjectAccused, NameVI: "Đình chỉ đối với bị can", NameEN: "Terminate as to one accused",
		From: []State{State(domain.AccusedInstituted), State(domain.AccusedSuspended)}, To: State(domain.AccusedTerminated), Doc: DocAccusedTermination,
		Issuers: cqdtVKSCt, Article: "Điều 230, 248, 282 BLTTHS",
		CaseStages: []domain.Stage{domain.StageInvestigation, domain.StageProsecution, domain.StageFirstInstance}, Roles: recorders,
		Guards: []GuardID{GuardIssuerOfStage}},

	// Preventive measures (biện pháp ngăn chặn), one track per person.
	{Step: StepUrgentHold, Subject: domain.SubjectMeasure, NameVI: "Giữ người trong trường hợp khẩn cấp", NameEN: "Urgent holding",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocUrgentHoldOrder, Issuers: cqdt, Article: "Điều 110 BLTTHS",
		Approval: &Approval{Issuers: cqdt, Article: "Điều 110(5)–(6) BLTTHS"}, CaseStages: measureStages, Roles: recorders,
		Guards: []GuardID{GuardMeasureDates}, Effect: EffectNewMeasure},
	{Step: StepArrest, Subject: domain.SubjectMeasure, NameVI: "Bắt bị can, bị cáo để tạm giam", NameEN: "Arrest for detention",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocArrestOrder, Issuers: cqdtVKSCt, Article: "Điều 113 BLTTHS",
		Approval: &Approval{Issuers: cqdt, Article: "Điều 113(1)(a) BLTTHS"}, CaseStages: measureStages, Roles: recorders,
		Guards: []GuardID{GuardAccusedInstituted, GuardMeasureDates}, Effect: EffectNewMeasure},
	{Step: StepCustody, Subject: domain.SubjectMeasure, NameVI: "Tạm giữ", NameEN: "Custody",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocCustodyDecision, Issuers: cqdt, Article: "Điều 117, 118(1) BLTTHS",
		CaseStages: measureStages, Roles: recorders, Guards: []GuardID{GuardMeasureDates, GuardCustodyLength}, Effect: EffectNewMeasure},
	{Step: StepExtendCustody, Subject: domain.SubjectMeasure, NameVI: "Gia hạn tạm giữ", NameEN: "Extend custody",
		From: []State{State(domain.MeasureActive)}, Doc: DocCustodyExtension, Issuers: cqdt, Article: "Điều 118(2)–(3) BLTTHS",
		Approval: &Approval{Issuers: cqdt, Article: "Điều 118(3) BLTTHS"}, CaseStages: measureStages, Roles: recorders,
		Guards: []GuardID{GuardExtendsKind, GuardCustodyExtensions, GuardMeasureDates, GuardCustodyLength}, Effect: EffectExtendMeasure},
	{Step: StepDetention, Subject: domain.SubjectMeasure, NameVI: "Tạm giam", NameEN: "Detention",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocDetentionOrder, Issuers: cqdtVKSCt, Article: "Điều 119 BLTTHS",
		Approval: &Approval{Issuers: cqdt, Article: "Điều 119(5) BLTTHS"}, CaseStages: measureStages, Roles: recorders,
		Guards: []GuardID{GuardAccusedInstituted, GuardMeasureDates}, Effect: EffectNewMeasure},
	{Step: StepExtendDetention, Subject: domain.SubjectMeasure, NameVI: "Gia hạn tạm giam", NameEN: "Extend detention",
		From: []State{State(domain.MeasureActive)}, Doc: DocDetentionExtension, Issuers: vksCourt, Article: "Điều 173, 241, 278 BLTTHS",
		CaseStages: measureStages, Roles: leaders, Guards: []GuardID{GuardExtendsKind, GuardMeasureDates, GuardRequestInTime}, Effect: EffectExtendMeasure},
	{Step: StepBail, Subject: domain.SubjectMeasure, NameVI: "Bảo lĩnh", NameEN: "Bail",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocBailDecision, Issuers: cqdtVKSCt, Article: "Điều 121 BLTTHS",
		Approval: &Approval{Issuers: cqdt, Article: "Điều 121(2) BLTTHS"}, CaseStages: measureStages, Roles: recorders,
		Guards: []GuardID{GuardAccusedInstituted}, Effect: EffectNewMeasure},
	{Step: StepCashSurety, Subject: domain.SubjectMeasure, NameVI: "Đặt tiền để bảo đảm", NameEN: "Cash surety",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocSuretyDecision, Issuers: cqdtVKSCt, Article: "Điều 122 BLTTHS",
		Approval: &Approval{Issuers: cqdt, Article: "Điều 122(2) BLTTHS"}, CaseStages: measureStages, Roles: recorders,
		Guards: []GuardID{GuardAccusedInstituted}, Effect: EffectNewMeasure},
	{Step: StepResidenceBan, Subject: domain.SubjectMeasure, NameVI: "Cấm đi khỏi nơi cư trú", NameEN: "Residence ban",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocResidenceBan, Issuers: cqdtVKSCt, Article: "Điều 123 BLTTHS",
		CaseStages: measureStages, Roles: recorders, Guards: []GuardID{GuardAccusedInstituted}, Effect: EffectNewMeasure},
	{Step: StepWanted, Subject: domain.SubjectMeasure, NameVI: "Truy nã", NameEN: "Wanted notice",
		From: []State{StateNew}, To: State(domain.MeasureActive), Doc: DocWantedNotice, Issuers: cqdt, Article: "Điều 231 BLTTHS",
		CaseStages: measureStages, Roles: recorders, Guards: []GuardID{GuardAccusedInstituted}, Effect: EffectNewMeasure},
	{Step: StepEndMeasure, Subject: domain.SubjectMeasure, NameVI: "Hủy bỏ, thay thế biện pháp ngăn chặn; trả tự do", NameEN: "End a measure (release, replace)",
		From: []State{State(domain.MeasureActive)}, To: State(domain.MeasureEnded), Doc: DocMeasureEnd, Issuers: cqdtVKSCt, Article: "Điều 125 BLTTHS",
		CaseStages: measureStages, Roles: recorders, Effect: EffectEndMeasure},
}

// ByStep finds the transition of a step.
func ByStep(s domain.Step) (Transition, bool) {
	for _, t := range Transitions {
		if t.Step == s {
			return t, true
		}
	}
	return Transition{}, false
}

// FromState reports whether the transition may start from state s.
func (t Transition) FromState(s State) bool {
	for _, f := range t.From {
		if f == s {
			return true
		}
	}
	return false
}

// NeedsApproval reports whether a decision of this step issued by b arrives for the procuracy's
// approval.
func (t Transition) NeedsApproval(b domain.IssuerBody) bool {
	if t.Approval == nil {
		return false
	}
	for _, x := range t.Approval.Issuers {
		if x == b {
			return true
		}
	}
	return false
}
