package workflow

import (
	"slices"

	"kiemsat/domain"
)

// GuardID names a condition a transition needs besides its starting state. A refused guard is
// answered with its id as the rule and its article, so that a user learns which provision
// stopped them.
type GuardID string

// The guards.
const (
	GuardReportExtensionOnce      GuardID = "report_extension_once"
	GuardLeadAssigned             GuardID = "lead_prosecutor_assigned"
	GuardClassKnown               GuardID = "severity_class_known"
	GuardInvestigationLadder      GuardID = "investigation_extensions"
	GuardHasActiveAccused         GuardID = "has_instituted_accused"
	GuardTransferTarget           GuardID = "transfer_target"
	GuardJoinTarget               GuardID = "join_target"
	GuardProsecutionExtensionOnce GuardID = "prosecution_extension_once"
	GuardInvestigationConcluded   GuardID = "investigation_concluded"
	GuardProcuracyReturns         GuardID = "procuracy_returns_at_most_twice"
	GuardLastReturnByProcuracy    GuardID = "returned_by_procuracy"
	GuardLastReturnByCourt        GuardID = "returned_by_court"
	GuardSummaryConditions        GuardID = "summary_procedure_conditions"
	GuardSummaryApplied           GuardID = "summary_procedure_applied"
	GuardCourtReturns             GuardID = "court_returns_once_each"
	GuardTrialDecided             GuardID = "trial_decided"
	GuardJudgmentPronounced       GuardID = "judgment_pronounced"
	GuardChargesGiven             GuardID = "charges_given"
	GuardIssuerOfStage            GuardID = "issuer_of_stage"
	GuardAccusedInstituted        GuardID = "accused_instituted"
	GuardMeasureDates             GuardID = "measure_dates"
	GuardCustodyLength            GuardID = "custody_at_most_3_days"
	GuardExtendsKind              GuardID = "extends_same_kind"
	GuardCustodyExtensions        GuardID = "custody_extensions_at_most_two"
	GuardSplitAccused             GuardID = "split_some_accused"
	// The extension guards refuse an extension decided after the period it would extend has run
	// out: there is nothing left to extend.
	GuardReportNotExpired        GuardID = "report_period_not_expired"
	GuardInvestigationNotExpired GuardID = "investigation_period_not_expired"
	GuardProsecutionNotExpired   GuardID = "prosecution_period_not_expired"
	// GuardRequestInTime: the request for an extension (đề nghị gia hạn) reached the procuracy
	// early enough: 10 days before the investigation period or the detention order runs out, 5
	// before the report period.
	GuardRequestInTime GuardID = "extension_requested_in_time"
	// Appeals of first-instance decisions (Điều 333(2), 337(2)) and what the appellate court may do
	// with them, told apart by how the case came to the appellate court.
	GuardCourtDecisionAppealable GuardID = "court_decision_appealable"
	GuardAppealOfJudgment        GuardID = "appeal_of_judgment"
	GuardAppealOfTermination     GuardID = "appeal_of_termination"
	GuardAppealOfSuspension      GuardID = "appeal_of_suspension"
	GuardAppealOfDecision        GuardID = "appeal_of_decision"
)

type guard struct {
	field   string
	article string
	vi, en  string
	check   func(cs *CaseState, r Request) bool
}

// guards holds every guard's condition and explanation.
var guards = map[GuardID]guard{
	GuardReportExtensionOnce: {"step", "Điều 147(2) BLTTHS", "thời hạn giải quyết nguồn tin chỉ được gia hạn một lần", "the report period may be extended once",
		func(cs *CaseState, r Request) bool { return countSinceEntry(cs, StepExtendReport) < 1 }},
	GuardLeadAssigned: {"step", "Điều 42 BLTTHS", "phải phân công Kiểm sát viên thụ lý chính trước khi nhận kiểm sát vụ án", "a lead prosecutor must be assigned first",
		func(cs *CaseState, r Request) bool { return cs.HasLead }},
	GuardClassKnown: {"step", "Điều 9 BLHS", "chưa xác định được loại tội phạm: ghi nhận tội danh (điều, khoản) trước", "the severity class is unknown: record the charges first",
		func(cs *CaseState, r Request) bool { return cs.Class.Valid() }},
	GuardInvestigationLadder: {"step", "Điều 172, 174(1) BLTTHS", "đã hết số lần gia hạn điều tra theo loại tội phạm", "no investigation extension is left for the class",
		func(cs *CaseState, r Request) bool {
			return countSinceEntry(cs, StepExtendInvestigation) < InvestigationExtensionsAllowed(cs)
		}},
	GuardHasActiveAccused: {"step", "Điều 232, 243 BLTTHS", "vụ án chưa có bị can đang bị khởi tố (đã được phê chuẩn, không bị tạm đình chỉ)", "no accused stands instituted",
		func(cs *CaseState, r Request) bool {
			return slices.ContainsFunc(cs.Accused, func(a domain.Accused) bool { return a.Status == domain.AccusedInstituted })
		}},
	GuardTransferTarget: {"target_unit_id", "Điều 169, 239 BLTTHS", "phải chọn đơn vị nhận vụ án khác đơn vị đang thụ lý", "choose a receiving unit other than the current one",
		func(cs *CaseState, r Request) bool { return r.TargetUnitID > 0 && r.TargetUnitID != cs.UnitID }},
	GuardJoinTarget: {"target_case_id", "Điều 170 BLTTHS", "chỉ nhập vào một vụ án khác của cùng đơn vị đang ở giai đoạn điều tra hoặc truy tố", "join only into another case of the same unit under investigation or prosecution",
		func(cs *CaseState, r Request) bool {
			tc := r.TargetCase
			return tc != nil && tc.ID != cs.ID && tc.UnitID == cs.UnitID && (tc.Stage == domain.StageInvestigation || tc.Stage == domain.StageProsecution)
		}},
	GuardProsecutionExtensionOnce: {"step", "Điều 240(1) BLTTHS", "thời hạn quyết định việc truy tố chỉ được gia hạn một lần", "the prosecution period may be extended once",
		func(cs *CaseState, r Request) bool { return countSinceEntry(cs, StepExtendProsecution) < 1 }},
	GuardInvestigationConcluded: {"step", "Điều 232, 243 BLTTHS", "chưa có bản kết luận điều tra đề nghị truy tố: không thể ban hành cáo trạng", "no investigation conclusion: no indictment",
		func(cs *CaseState, r Request) bool {
			return hasInForce(cs, StepConcludeInvestigation) || hasInForce(cs, StepConcludeSupplementary)
		}},
	GuardProcuracyReturns: {"step", "Điều 174(2) BLTTHS", "Viện kiểm sát chỉ được trả hồ sơ để điều tra bổ sung tối đa hai lần", "the procuracy may return a file at most twice",
		func(cs *CaseState, r Request) bool { return countInForce(cs, StepReturnByProcuracy, "") < 2 }},
	GuardLastReturnByProcuracy: {"step", "Điều 174(2) BLTTHS", "hồ sơ do Tòa án trả: kết quả điều tra bổ sung chuyển lại cho Tòa án", "the court returned this file: send it back to the court",
		func(cs *CaseState, r Request) bool { return lastReturn(cs) == StepReturnByProcuracy }},
	GuardLastReturnByCourt: {"step", "Điều 174(2) BLTTHS", "hồ sơ do Viện kiểm sát trả: kết quả điều tra bổ sung chuyển Viện kiểm sát quyết định việc truy tố", "the procuracy returned this file: it goes back to prosecution",
		func(cs *CaseState, r Request) bool { return lastReturn(cs) == StepReturnByCourt }},
	GuardSummaryConditions: {"step", "Điều 456(1) BLTTHS", "thủ tục rút gọn chỉ áp dụng cho tội phạm ít nghiêm trọng và khi chưa áp dụng", "the summary procedure applies only to less serious crimes, once",
		func(cs *CaseState, r Request) bool {
			return !cs.SummaryProcedure && cs.Class == domain.ClassLessSerious
		}},
	GuardSummaryApplied: {"step", "Điều 458 BLTTHS", "vụ án không đang áp dụng thủ tục rút gọn", "the summary procedure is not applied",
		func(cs *CaseState, r Request) bool { return cs.SummaryProcedure }},
	GuardCourtReturns: {"returned_by", "Điều 174(2) BLTTHS", "Thẩm phán chủ tọa và Hội đồng xét xử mỗi chủ thể chỉ được trả hồ sơ để điều tra bổ sung một lần", "the presiding judge and the trial panel may each return a file once",
		func(cs *CaseState, r Request) bool {
			return (r.ReturnedBy == ReturnedByJudge || r.ReturnedBy == ReturnedByPanel) && countInForce(cs, StepReturnByCourt, r.ReturnedBy) < 1
		}},
	GuardTrialDecided: {"step", "Điều 255 BLTTHS", "chưa có quyết định đưa vụ án ra xét xử", "no decision to bring the case to trial yet",
		func(cs *CaseState, r Request) bool { return countSinceEntry(cs, StepBringToTrial) > 0 }},
	GuardJudgmentPronounced: {"step", "Điều 260, 331 BLTTHS", "chưa có bản án sơ thẩm", "no first-instance judgment yet",
		func(cs *CaseState, r Request) bool { return countSinceEntry(cs, StepPronounce) > 0 }},
	GuardChargesGiven: {"charges", "Điều 179 BLTTHS", "quyết định khởi tố bị can phải ghi rõ tội danh (điều, khoản)", "the decision must name the charges",
		func(cs *CaseState, r Request) bool { return len(r.Charges) > 0 }},
	GuardIssuerOfStage: {"issuer", "Điều 229, 247, 281 BLTTHS", "ở giai đoạn điều tra do Cơ quan điều tra, truy tố do Viện kiểm sát, xét xử do Tòa án quyết định", "the body in charge of the stage decides",
		func(cs *CaseState, r Request) bool {
			switch cs.Stage {
			case domain.StageInvestigation:
				return r.Issuer == domain.IssuerInvestigation
			case domain.StageProsecution:
				return r.Issuer == domain.IssuerProcuracy
			case domain.StageFirstInstance:
				return r.Issuer == domain.IssuerCourt
			}
			return false
		}},
	GuardAccusedInstituted: {"accused_ids[0]", "Điều 119, 121–123 BLTTHS", "biện pháp này chỉ áp dụng với bị can, bị cáo đã bị khởi tố", "this measure applies only to an instituted accused",
		func(cs *CaseState, r Request) bool {
			a := cs.AccusedByID(r.AccusedIDs[0])
			return a != nil && (a.Status == domain.AccusedInstituted || a.Status == domain.AccusedPending || a.Status == domain.AccusedSuspended)
		}},
	GuardMeasureDates: {"measure.ordered_end", "Điều 134 BLTTHS", "lệnh tạm giữ, tạm giam phải ghi ngày hết hạn", "custody and detention orders must state their end date",
		func(cs *CaseState, r Request) bool {
			t, _ := ByStep(r.Step)
			if t.Step == StepCustody || t.Step == StepExtendCustody || t.Step == StepDetention || t.Step == StepExtendDetention {
				return r.Measure != nil && r.Measure.OrderedEnd != nil
			}
			return true
		}},
	GuardCustodyLength: {"measure.ordered_end", "Điều 118 BLTTHS", "mỗi lần tạm giữ hoặc gia hạn tạm giữ không quá 3 ngày", "each custody order or extension lasts at most 3 days",
		func(cs *CaseState, r Request) bool {
			if r.Measure == nil || r.Measure.OrderedEnd == nil {
				return false
			}
			from := domain.DateOf(r.Measure.StartAt)
			if r.MeasureID != "" {
				if _, prev := cs.MeasureByID(r.MeasureID); prev != nil && prev.OrderedEnd != nil {
					from = domain.DateOf(*prev.OrderedEnd)
				}
			}
			return !domain.DateOf(*r.Measure.OrderedEnd).After(from.AddDate(0, 0, 3))
		}},
	GuardExtendsKind: {"measure_id", "Điều 118, 173 BLTTHS", "chỉ gia hạn lệnh tạm giữ bằng gia hạn tạm giữ, lệnh tạm giam bằng gia hạn tạm giam", "extend custody with custody, detention with detention",
		func(cs *CaseState, r Request) bool {
			_, m := cs.MeasureByID(r.MeasureID)
			if m == nil {
				return false
			}
			if r.Step == StepExtendCustody {
				return m.Kind == domain.MeasureCustody
			}
			return m.Kind == domain.MeasureDetention
		}},
	GuardSplitAccused: {"accused_ids", "Điều 170 BLTTHS", "phải chọn bị can được tách sang vụ án mới, và ít nhất một bị can còn lại trong vụ án này", "choose the accused to separate, leaving at least one",
		func(cs *CaseState, r Request) bool {
			if len(r.AccusedIDs) == 0 {
				return false
			}
			for _, id := range r.AccusedIDs {
				if a := cs.AccusedByID(id); a == nil || !a.InCase() {
					return false
				}
			}
			for _, a := range cs.Accused {
				if a.InCase() && !slices.Contains(r.AccusedIDs, a.ID) {
					return true
				}
			}
			return false
		}},
	GuardReportNotExpired: {"issued_on", "Điều 147(2) BLTTHS", "thời hạn giải quyết nguồn tin đã hết: không thể gia hạn sau khi hết hạn (đề nghị gia hạn phải gửi chậm nhất 05 ngày trước khi hết hạn)",
		"the report period has run out: it cannot be extended after it expired (the request comes at least 5 days before)",
		func(cs *CaseState, r Request) bool { return notExpired(cs, r, StepExtendReport) }},
	GuardInvestigationNotExpired: {"issued_on", "Điều 172(2), 174(1) BLTTHS", "thời hạn điều tra đã hết: không thể gia hạn sau khi hết hạn (đề nghị gia hạn phải gửi chậm nhất 10 ngày trước khi hết hạn)",
		"the investigation period has run out: it cannot be extended after it expired (the request comes at least 10 days before)",
		func(cs *CaseState, r Request) bool { return notExpired(cs, r, StepExtendInvestigation) }},
	GuardProsecutionNotExpired: {"issued_on", "Điều 240(1) BLTTHS", "thời hạn quyết định việc truy tố đã hết: không thể gia hạn sau khi hết hạn",
		"the prosecution period has run out: it cannot be extended after it expired",
		func(cs *CaseState, r Request) bool { return notExpired(cs, r, StepExtendProsecution) }},
	GuardRequestInTime: {"requested_on", "Điều 147(2), 172(2), 173(2) BLTTHS",
		"đề nghị gia hạn đến muộn: phải gửi chậm nhất 10 ngày trước khi hết thời hạn điều tra, thời hạn tạm giam (05 ngày với thời hạn giải quyết nguồn tin)",
		"the request for the extension came too late: at least 10 days before the investigation period or the detention order runs out (5 days for a report)",
		requestedInTime},
	GuardCourtDecisionAppealable: {"step", "Điều 333(2), 337(2) BLTTHS",
		"chỉ kháng cáo, kháng nghị quyết định đình chỉ, tạm đình chỉ vụ án của Tòa án cấp sơ thẩm",
		"only a first-instance court's decision to terminate or suspend the case is appealed here",
		func(cs *CaseState, r Request) bool {
			e := entry(cs)
			return e == nil || e.Step == StepTerminateTrial || e.Step == StepSuspendTrial
		}},
	GuardAppealOfJudgment: {"step", "Điều 355, 358 BLTTHS", "vụ án được phúc thẩm theo kháng cáo, kháng nghị quyết định sơ thẩm, không phải bản án",
		"the appeal is against a first-instance decision, not a judgment", func(cs *CaseState, r Request) bool { return appealedFrom(cs, domain.StageFirstInstance) }},
	GuardAppealOfTermination: {"step", "Điều 361, 362 BLTTHS", "quyết định bị kháng cáo, kháng nghị không phải quyết định đình chỉ vụ án",
		"the decision appealed is not a termination", func(cs *CaseState, r Request) bool { return appealedFrom(cs, domain.StageTerminated) }},
	GuardAppealOfSuspension: {"step", "Điều 361, 362 BLTTHS", "quyết định bị kháng cáo, kháng nghị không phải quyết định tạm đình chỉ vụ án",
		"the decision appealed is not a suspension", func(cs *CaseState, r Request) bool { return appealedFrom(cs, domain.StageTrialSuspended) }},
	GuardAppealOfDecision: {"step", "Điều 361, 362 BLTTHS", "vụ án được phúc thẩm theo kháng cáo, kháng nghị bản án, không phải quyết định",
		"the appeal is against a judgment, not a decision", func(cs *CaseState, r Request) bool {
			return appealedFrom(cs, domain.StageTerminated) || appealedFrom(cs, domain.StageTrialSuspended)
		}},
	GuardCustodyExtensions: {"measure_id", "Điều 118(2) BLTTHS", "tạm giữ chỉ được gia hạn tối đa hai lần (tổng cộng không quá 9 ngày)", "custody may be extended at most twice (9 days in all)",
		func(cs *CaseState, r Request) bool {
			_, m := cs.MeasureByID(r.MeasureID)
			return m != nil && m.ExtensionNo < 2
		}},
}

// InvestigationExtensionsAllowed is how many times the current investigation period may be
// extended: by class under Điều 172(2) (ÍNT once, NT and RNT twice, ĐBNT three times), and once
// for a resumed investigation (Điều 174(1)). The Supreme Chief Procurator's further extensions
// for very complex ĐBNT and national-security cases are not counted here.
func InvestigationExtensionsAllowed(cs *CaseState) int {
	if e := entry(cs); e != nil && e.Step == StepResumeInvestigation {
		return 1
	}
	switch cs.Class {
	case domain.ClassLessSerious:
		return 1
	case domain.ClassSerious, domain.ClassVerySerious:
		return 2
	case domain.ClassParticularlySerious:
		return 3
	}
	return 0
}

// inForce reports whether a decision counts: effective or approved. Pending ones count for
// "at most N" limits too, so that two requests cannot both slip under the limit.
func inForce(d domain.Decision, includePending bool) bool {
	switch d.Status {
	case domain.DecisionEffective, domain.DecisionApproved:
		return true
	case domain.DecisionPending:
		return includePending
	}
	return false
}

// entry is the decision by which the case entered its current stage; nil when it has been in it
// since registration.
func entry(cs *CaseState) *domain.Decision {
	for i := len(cs.Decisions) - 1; i >= 0; i-- {
		d := &cs.Decisions[i]
		if inForce(*d, false) && d.ToStage == cs.Stage && d.FromStage != cs.Stage {
			return d
		}
	}
	return nil
}

// countSinceEntry counts decisions of a step since the case entered its current stage.
func countSinceEntry(cs *CaseState, step domain.Step) int {
	start := 0
	if e := entry(cs); e != nil {
		start = e.Seq
	}
	n := 0
	for _, d := range cs.Decisions {
		if d.Seq > start && d.Step == step && inForce(d, true) {
			n++
		}
	}
	return n
}

// countInForce counts decisions of a step over the case's whole life; returnedBy, when set,
// narrows court returns to one formation.
func countInForce(cs *CaseState, step domain.Step, returnedBy string) int {
	n := 0
	for _, d := range cs.Decisions {
		if d.Step == step && inForce(d, true) && (returnedBy == "" || d.ReturnedBy == returnedBy) {
			n++
		}
	}
	return n
}

func hasInForce(cs *CaseState, step domain.Step) bool {
	for _, d := range cs.Decisions {
		if d.Step == step && inForce(d, false) {
			return true
		}
	}
	return false
}

// lastReturn is the step of the latest return for supplementary investigation.
func lastReturn(cs *CaseState) domain.Step {
	for i := len(cs.Decisions) - 1; i >= 0; i-- {
		d := cs.Decisions[i]
		if inForce(d, false) && (d.Step == StepReturnByProcuracy || d.Step == StepReturnByCourt) {
			return d.Step
		}
	}
	return ""
}

// notExpired reports whether the period an extension step extends is still running on the day
// the extension is issued: its open clock's latest reading (the generous one) has not passed.
// Without a calendar, or without an open clock of a rule that step extends, there is nothing to
// judge and the guard holds.
func notExpired(cs *CaseState, r Request, step domain.Step) bool {
	if cs.Calendar == nil || r.IssuedOn.IsZero() {
		return true
	}
	day := domain.DateOf(r.IssuedOn)
	for _, rule := range Rules {
		if rule.Kind != ruleKindCase || rule.Ladder == nil || rule.Ladder.Step != step {
			continue
		}
		for _, c := range caseClocks(cs, rule, cs.Calendar, r.IssuedOn) {
			if c.EndedOn == nil && day.After(c.Due.Latest.LastDay) {
				return false
			}
		}
	}
	return true
}

// requestedInTime checks the lead time of the request an extension answers, when its date is
// recorded: the investigating body asks at least RequestDaysBefore days before the last day of
// the period it wants extended (the latest reading, the generous one) or, for detention, before
// the end written in the order.
func requestedInTime(cs *CaseState, r Request) bool {
	if r.RequestedOn == nil || cs.Calendar == nil {
		return true
	}
	asked := domain.DateOf(*r.RequestedOn)
	if r.Step == StepExtendDetention {
		_, m := cs.MeasureByID(r.MeasureID)
		rule, ok := RuleByID(RuleDetentionPeriod)
		if m == nil || m.OrderedEnd == nil || !ok || rule.Ladder == nil {
			return true
		}
		return !asked.After(domain.DateOf(*m.OrderedEnd).AddDate(0, 0, -rule.Ladder.RequestDaysBefore))
	}
	for _, rule := range Rules {
		if rule.Kind != ruleKindCase || rule.Ladder == nil || rule.Ladder.Step != r.Step || rule.Ladder.RequestDaysBefore == 0 {
			continue
		}
		for _, c := range caseClocks(cs, rule, cs.Calendar, r.IssuedOn) {
			if c.EndedOn == nil && asked.After(c.Due.Latest.LastDay.AddDate(0, 0, -rule.Ladder.RequestDaysBefore)) {
				return false
			}
		}
	}
	return true
}

// appealedFrom says whether the case came to the appellate court from stage: a judgment is
// appealed from first instance, a termination or suspension decision from where it put the case.
// A case with no recorded entry into the appeal is not judged (true).
func appealedFrom(cs *CaseState, stage domain.Stage) bool {
	e := entry(cs)
	return e == nil || e.FromStage == stage
}
