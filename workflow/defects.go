package workflow

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"kiemsat/domain"
)

// DefectCode names a kind of procedural defect (vi phạm tố tụng) that the procuracy looks for when
// it supervises a case (kiểm sát việc tuân theo pháp luật trong tố tụng hình sự). Codes are stable:
// they are stored with findings and compared across recomputes.
type DefectCode string

// The procedural defects the checker finds. Each code names one rule of the Criminal Procedure
// Code broken by the case's record as it stands.
const (
	// DefectDateBeforePrerequisite: a decision takes effect before the decision it rests on (an
	// indictment dated before the investigation conclusion, a resumption before the suspension).
	DefectDateBeforePrerequisite DefectCode = "date_before_prerequisite"
	// DefectMeasureEndsBeforeStart: a custody or detention order ends (as written, or by release)
	// before it starts.
	DefectMeasureEndsBeforeStart DefectCode = "measure_ends_before_start"
	// DefectApprovalBeforeDecision: the procuracy's approval (phê chuẩn) is dated before the
	// decision it approves.
	DefectApprovalBeforeDecision DefectCode = "approval_before_decision"
	// DefectMeasureWithoutApproval: a measure that needs the procuracy's approval (an arrest for
	// detention, a detention order, a custody extension, an urgent holding issued by the
	// investigating body) is executed without an approval in force.
	DefectMeasureWithoutApproval DefectCode = "measure_without_approval"
	// DefectHeldPastOrderedEnd: a person is still held in custody or detention after 24:00 of the
	// end date written in the order (Điều 134(2) BLTTHS).
	DefectHeldPastOrderedEnd DefectCode = "held_past_ordered_end"
	// DefectIndictmentWithoutConclusion: an indictment (cáo trạng) with no investigation
	// conclusion (bản kết luận điều tra) in force before it.
	DefectIndictmentWithoutConclusion DefectCode = "indictment_without_conclusion"
	// DefectTooManyReturns: more returns for supplementary investigation (trả hồ sơ để điều tra bổ
	// sung) than Điều 174(2) allows: the procuracy twice, the presiding judge once, the trial panel
	// once.
	DefectTooManyReturns DefectCode = "too_many_returns"
	// DefectUnitWithoutCompetence: a decision recorded by a unit other than the one in charge of
	// the case at the time (thẩm quyền).
	DefectUnitWithoutCompetence DefectCode = "unit_without_competence"
	// DefectLateDetentionRenewal: a detention order for the prosecution that continues an earlier
	// one came less than 5 days before the earlier one ran out (Điều 241 BLTTHS: the new order is
	// issued at the latest 5 days before).
	DefectLateDetentionRenewal DefectCode = "late_detention_renewal"
)

// DefectCodes lists every defect code; a test fails when one has no test case.
var DefectCodes = []DefectCode{DefectDateBeforePrerequisite, DefectMeasureEndsBeforeStart, DefectApprovalBeforeDecision,
	DefectMeasureWithoutApproval, DefectHeldPastOrderedEnd, DefectIndictmentWithoutConclusion, DefectTooManyReturns,
	DefectUnitWithoutCompetence, DefectLateDetentionRenewal}

// FindingSeverity says how sure the finding is: a violation (vi phạm) is a breach the record shows;
// a warning (cảnh báo) needs a person to look, because it may be a slip in recording rather than
// in the proceedings.
type FindingSeverity string

// Finding severities.
const (
	SeverityViolation FindingSeverity = "violation"
	SeverityWarning   FindingSeverity = "warning"
)

// Remedy is the act the procuracy would use against a defect of the investigating body: a request
// (yêu cầu) to remedy a breach in this case, or a recommendation (kiến nghị) where the breach is in
// how the body works. RemedyNone when the defect is not the investigating body's (the procuracy's
// or the court's own act, or a recording slip). It is a suggestion for the prosecutor, not a
// decision.
type Remedy string

// Remedies.
const (
	RemedyNone           Remedy = ""
	RemedyRequest        Remedy = "request"        // yêu cầu Cơ quan điều tra khắc phục vi phạm
	RemedyRecommendation Remedy = "recommendation" // kiến nghị Cơ quan điều tra khắc phục vi phạm
)

// Finding is one procedural defect found in a case's record: what rule, which decisions, measure
// and accused it concerns, how serious it is, what the procuracy could do, and a stable key so
// that the same defect found again is stored once.
type Finding struct {
	Code    DefectCode
	Article string
	// DecisionIDs are the decisions in force the defect concerns, the offending one first.
	DecisionIDs []string
	MeasureID   string
	AccusedID   string
	// Key is the code and the subjects' ids, with corrected decisions named by the decision they
	// correct, so a correction that leaves the defect in place keeps its key.
	Key       string
	Severity  FindingSeverity
	Remedy    Remedy
	MessageVI string
	MessageEN string
}

// defectPrerequisites says, for a step, the steps of the decision it rests on: the latest such
// decision in force recorded before it must not take effect after it. Only case-level steps are
// listed: their order is the lifecycle's own and never ambiguous.
var defectPrerequisites = map[domain.Step][]domain.Step{
	StepIndict:                 {StepConcludeInvestigation, StepConcludeSupplementary},
	StepReturnByProcuracy:      {StepConcludeInvestigation, StepConcludeSupplementary},
	StepExtendProsecution:      {StepConcludeInvestigation, StepConcludeSupplementary, StepResumeProsecution},
	StepConcludeInvestigation:  {StepInstituteCase, StepResumeInvestigation},
	StepExtendInvestigation:    {StepInstituteCase, StepResumeInvestigation},
	StepSuspendInvestigation:   {StepInstituteCase, StepResumeInvestigation},
	StepTerminateInvestigation: {StepInstituteCase},
	StepResumeInvestigation:    {StepSuspendInvestigation},
	StepConcludeSupplementary:  {StepReturnByProcuracy},
	StepResubmitToCourt:        {StepReturnByCourt},
	StepResumeProsecution:      {StepSuspendProsecution},
	StepBringToTrial:           {StepIndict, StepResubmitToCourt, StepResumeTrial},
	StepReturnByCourt:          {StepIndict, StepResubmitToCourt},
	StepResumeTrial:            {StepSuspendTrial},
	StepPronounce:              {StepBringToTrial},
	StepInstituteAccused:       {StepInstituteCase},
	StepResumeReport:           {StepSuspendReport},
}

// defectMeasureSteps gives the step that orders a measure of each kind, for its article when the
// ordering decision is not on record.
var defectMeasureSteps = map[domain.MeasureKind]domain.Step{
	domain.MeasureUrgentHold: StepUrgentHold, domain.MeasureArrest: StepArrest, domain.MeasureCustody: StepCustody,
	domain.MeasureDetention: StepDetention, domain.MeasureBail: StepBail, domain.MeasureCashSurety: StepCashSurety,
	domain.MeasureResidentBan: StepResidenceBan, domain.MeasureWanted: StepWanted,
}

// Defects checks a case's record for procedural defects at now. It is pure and total: odd data
// (missing dates, unknown steps, dangling ids, cycles of corrections) is skipped, never a panic.
// Decisions superseded by a correction, cancelled or refused produce no findings of their own;
// pending ones do, since they may still take effect. cal is the legal calendar, kept in the
// signature so that checks that count working days can join without changing callers.
func Defects(cs *CaseState, cal *Calendar, now time.Time) []Finding {
	if cs == nil {
		return nil
	}
	x := newDefectIndex(cs)
	var out []Finding
	out = append(out, x.datesOutOfOrder()...)
	out = append(out, x.approvalsBeforeDecisions()...)
	out = append(out, x.measureDates()...)
	out = append(out, x.measuresWithoutApproval()...)
	out = append(out, x.heldPastEnd(now)...)
	out = append(out, x.indictmentsWithoutConclusion()...)
	out = append(out, x.tooManyReturns()...)
	out = append(out, x.unitCompetence()...)
	out = append(out, x.lateDetentionRenewals()...)
	for i := range out {
		out[i].Key = x.key(out[i])
	}
	order := func(c DefectCode) int { return slices.Index(DefectCodes, c) }
	slices.SortStableFunc(out, func(a, b Finding) int {
		if (a.Severity == SeverityViolation) != (b.Severity == SeverityViolation) {
			if a.Severity == SeverityViolation {
				return -1
			}
			return 1
		}
		if c := order(a.Code) - order(b.Code); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// defectIndex is a case's record prepared for the checks: decisions by id, each decision's place
// in the history (a correction takes the place of the decision it corrects), and the decisions
// that stand (in force or pending), in that order.
type defectIndex struct {
	cs       *CaseState
	byID     map[string]*domain.Decision
	root     map[*domain.Decision]*domain.Decision
	standing []*domain.Decision
}

func newDefectIndex(cs *CaseState) *defectIndex {
	x := &defectIndex{cs: cs, byID: map[string]*domain.Decision{}, root: map[*domain.Decision]*domain.Decision{}}
	for i := range cs.Decisions {
		d := &cs.Decisions[i]
		if _, dup := x.byID[d.ID]; d.ID != "" && !dup {
			x.byID[d.ID] = d
		}
	}
	for i := range cs.Decisions {
		d := &cs.Decisions[i]
		x.root[d] = x.rootOf(d)
		if inForce(*d, true) {
			x.standing = append(x.standing, d)
		}
	}
	slices.SortStableFunc(x.standing, func(a, b *domain.Decision) int {
		if c := x.root[a].Seq - x.root[b].Seq; c != 0 {
			return c
		}
		return a.Seq - b.Seq
	})
	return x
}

// rootOf follows a chain of corrections back to the decision first recorded, stopping on a
// dangling id or a cycle.
func (x *defectIndex) rootOf(d *domain.Decision) *domain.Decision {
	seen := map[*domain.Decision]bool{d: true}
	for d.SupersedesID != "" {
		prev, ok := x.byID[d.SupersedesID]
		if !ok || seen[prev] {
			break
		}
		seen[prev] = true
		d = prev
	}
	return d
}

// chain is every decision linked to d by corrections, either way.
func (x *defectIndex) chain(d *domain.Decision) []*domain.Decision {
	r := x.root[d]
	var out []*domain.Decision
	for i := range x.cs.Decisions {
		if c := &x.cs.Decisions[i]; x.root[c] == r {
			out = append(out, c)
		}
	}
	return out
}

// key names a finding by its code and subjects; decisions are named by the decision they correct.
func (x *defectIndex) key(f Finding) string {
	ids := make([]string, len(f.DecisionIDs))
	for i, id := range f.DecisionIDs {
		ids[i] = id
		if d, ok := x.byID[id]; ok && x.root[d] != nil && x.root[d].ID != "" {
			ids[i] = x.root[d].ID
		}
	}
	return fmt.Sprintf("%s|d=%s|m=%s|a=%s", f.Code, strings.Join(ids, ","), f.MeasureID, f.AccusedID)
}

// defectDay is the day a decision takes effect (its issue date when no effective date is
// recorded); zero when neither is known.
func defectDay(d *domain.Decision) time.Time {
	switch {
	case !d.EffectiveOn.IsZero():
		return domain.DateOf(d.EffectiveOn)
	case !d.IssuedOn.IsZero():
		return domain.DateOf(d.IssuedOn)
	}
	return time.Time{}
}

func defectDMY(t time.Time) string { return t.In(domain.ICT).Format(dmy) }

// defectDocVI and defectDocEN name a decision's document for messages.
func defectDocVI(d *domain.Decision) string {
	if n, ok := DocNames[d.Type]; ok {
		return n.VI
	}
	if t, ok := ByStep(d.Step); ok {
		if n, ok := DocNames[t.Doc]; ok {
			return n.VI
		}
		return t.NameVI
	}
	return "Quyết định " + string(d.Step)
}

func defectDocEN(d *domain.Decision) string {
	if n, ok := DocNames[d.Type]; ok {
		return n.EN
	}
	if t, ok := ByStep(d.Step); ok {
		if n, ok := DocNames[t.Doc]; ok {
			return n.EN
		}
		return t.NameEN
	}
	return "Decision " + string(d.Step)
}

// defectRemedy suggests a request to the investigating body when it issued the offending decision
// or order: the act must be put right in this case (a person held, an order to correct).
func defectRemedy(d *domain.Decision) Remedy {
	if d != nil && d.Issuer == domain.IssuerInvestigation {
		return RemedyRequest
	}
	return RemedyNone
}

func defectAccused(d *domain.Decision) string {
	if len(d.AccusedIDs) == 1 {
		return d.AccusedIDs[0]
	}
	return ""
}

// datesOutOfOrder finds decisions that take effect before the decision they rest on: the latest
// decision in force of a prerequisite step placed before them in the history.
func (x *defectIndex) datesOutOfOrder() []Finding {
	var out []Finding
	for i, d := range x.standing {
		pre, ok := defectPrerequisites[d.Step]
		day := defectDay(d)
		if !ok || day.IsZero() {
			continue
		}
		var base *domain.Decision
		for _, p := range x.standing[:i] {
			if slices.Contains(pre, p.Step) && inForce(*p, false) {
				base = p
			}
		}
		if base == nil || defectDay(base).IsZero() || !day.Before(defectDay(base)) {
			continue
		}
		t, _ := ByStep(d.Step)
		// A misdated document of the investigating body is a flaw in how it drafts its documents,
		// which the procuracy takes up by a recommendation (kiến nghị) rather than a request.
		remedy := RemedyNone
		if d.Issuer == domain.IssuerInvestigation {
			remedy = RemedyRecommendation
		}
		out = append(out, Finding{Code: DefectDateBeforePrerequisite, Article: t.Article, DecisionIDs: []string{d.ID, base.ID},
			AccusedID: defectAccused(d), Severity: SeverityViolation, Remedy: remedy,
			MessageVI: fmt.Sprintf("%s có hiệu lực ngày %s, trước %s (ngày %s) mà nó phải dựa vào.",
				defectDocVI(d), defectDMY(day), lower(defectDocVI(base)), defectDMY(defectDay(base))),
			MessageEN: fmt.Sprintf("The %s takes effect on %s, before the %s (%s) it rests on.",
				lower(defectDocEN(d)), defectDMY(day), lower(defectDocEN(base)), defectDMY(defectDay(base)))})
	}
	return out
}

// approvalsBeforeDecisions finds approvals dated before the decision they approve (Điều 179(3),
// 119(5)... : the procuracy approves a decision it has received).
func (x *defectIndex) approvalsBeforeDecisions() []Finding {
	var out []Finding
	for _, a := range x.standing {
		if a.DecidesID == "" || (a.Outcome != "" && a.Outcome != domain.OutcomeApprove) || a.IssuedOn.IsZero() {
			continue
		}
		p, ok := x.byID[a.DecidesID]
		if !ok || p.Status != domain.DecisionApproved || p.IssuedOn.IsZero() {
			continue
		}
		if !domain.DateOf(a.IssuedOn).Before(domain.DateOf(p.IssuedOn)) {
			continue
		}
		article := "Điều 165 BLTTHS"
		if t, ok := ByStep(p.Step); ok {
			article = t.Article
			if t.Approval != nil && t.Approval.Article != "" {
				article = t.Approval.Article
			}
		}
		out = append(out, Finding{Code: DefectApprovalBeforeDecision, Article: article, DecisionIDs: []string{a.ID, p.ID}, MeasureID: p.MeasureID,
			AccusedID: defectAccused(p), Severity: SeverityViolation,
			MessageVI: fmt.Sprintf("Quyết định phê chuẩn ngày %s được ban hành trước %s được phê chuẩn (ngày %s).",
				defectDMY(a.IssuedOn), lower(defectDocVI(p)), defectDMY(p.IssuedOn)),
			MessageEN: fmt.Sprintf("The approval dated %s precedes the %s it approves (%s).",
				defectDMY(a.IssuedOn), lower(defectDocEN(p)), defectDMY(p.IssuedOn))})
	}
	return out
}

// orderOf finds the decision that ordered a measure: the one the measure names, or a measure step
// naming the measure.
func (x *defectIndex) orderOf(m *domain.Measure) *domain.Decision {
	if d, ok := x.byID[m.DecisionID]; ok && m.DecisionID != "" {
		return d
	}
	for _, d := range x.standing {
		if d.MeasureID == m.ID && d.DecidesID == "" {
			if t, ok := ByStep(d.Step); ok && t.Subject == domain.SubjectMeasure && (t.Effect == EffectNewMeasure || t.Effect == EffectExtendMeasure) {
				return d
			}
		}
	}
	return nil
}

// measureArticle is the article of the step that ordered a measure.
func (x *defectIndex) measureArticle(m *domain.Measure, order *domain.Decision) string {
	if order != nil {
		if t, ok := ByStep(order.Step); ok {
			return t.Article
		}
	}
	if t, ok := ByStep(defectMeasureSteps[m.Kind]); ok {
		return t.Article
	}
	return "Điều 134 BLTTHS"
}

var defectMeasureNames = map[domain.MeasureKind]Name{
	domain.MeasureUrgentHold: {"giữ người trong trường hợp khẩn cấp", "urgent holding"}, domain.MeasureArrest: {"bắt để tạm giam", "arrest for detention"},
	domain.MeasureCustody: {"tạm giữ", "custody"}, domain.MeasureDetention: {"tạm giam", "detention"}, domain.MeasureBail: {"bảo lĩnh", "bail"},
	domain.MeasureCashSurety: {"đặt tiền để bảo đảm", "cash surety"}, domain.MeasureResidentBan: {"cấm đi khỏi nơi cư trú", "residence ban"},
	domain.MeasureWanted: {"truy nã", "wanted notice"},
}

func defectMeasureName(k domain.MeasureKind) Name {
	if n, ok := defectMeasureNames[k]; ok {
		return n
	}
	return Name{string(k), string(k)}
}

// eachMeasure visits every measure of every accused.
func (x *defectIndex) eachMeasure(f func(a *domain.Accused, m *domain.Measure)) {
	for i := range x.cs.Accused {
		a := &x.cs.Accused[i]
		for j := range a.Measures {
			f(a, &a.Measures[j])
		}
	}
}

// measureDates finds orders that end before they start: as written in the order, or by a release
// recorded before the start. A refused order was never executed and is left alone.
func (x *defectIndex) measureDates() []Finding {
	var out []Finding
	x.eachMeasure(func(a *domain.Accused, m *domain.Measure) {
		if m.StartAt.IsZero() || m.Status == domain.MeasureRefused {
			return
		}
		order := x.orderOf(m)
		if order != nil && !x.chainStands(order) {
			return
		}
		var endVI, endEN string
		switch {
		case m.OrderedEnd != nil && !m.OrderedEnd.IsZero() && domain.DateOf(*m.OrderedEnd).Before(domain.DateOf(m.StartAt)):
			endVI = "ngày hết hạn ghi trong lệnh " + defectDMY(*m.OrderedEnd)
			endEN = "its written end date, " + defectDMY(*m.OrderedEnd) + ","
		case m.EndedAt != nil && !m.EndedAt.IsZero() && m.EndedAt.Before(m.StartAt):
			endVI = "thời điểm kết thúc " + m.EndedAt.In(domain.ICT).Format("15:04 "+dmy)
			endEN = "its recorded end, " + m.EndedAt.In(domain.ICT).Format("15:04 "+dmy) + ","
		default:
			return
		}
		f := Finding{Code: DefectMeasureEndsBeforeStart, Article: x.measureArticle(m, order), MeasureID: m.ID, AccusedID: a.ID,
			Severity: SeverityViolation, Remedy: defectRemedy(order),
			MessageVI: fmt.Sprintf("Biện pháp %s có %s trước thời điểm bắt đầu %s.", defectMeasureName(m.Kind).VI, endVI, m.StartAt.In(domain.ICT).Format("15:04 "+dmy)),
			MessageEN: fmt.Sprintf("The %s order has %s before its start, %s.", defectMeasureName(m.Kind).EN, endEN, m.StartAt.In(domain.ICT).Format("15:04 "+dmy))}
		if order != nil {
			f.DecisionIDs = []string{order.ID}
		}
		out = append(out, f)
	})
	return out
}

// chainStands reports whether a decision, or a correction of it, still stands: an order every
// version of which was superseded or cancelled produces no findings.
func (x *defectIndex) chainStands(d *domain.Decision) bool {
	for _, c := range x.chain(d) {
		if inForce(*c, true) || c.Status == domain.DecisionRefused {
			return true
		}
	}
	return false
}

// approved reports whether a decision, or a version of it, was approved by the procuracy.
func (x *defectIndex) approved(d *domain.Decision) bool {
	versions := x.chain(d)
	for _, v := range versions {
		if v.Status == domain.DecisionApproved {
			return true
		}
	}
	for _, a := range x.standing {
		if a.DecidesID == "" || !inForce(*a, false) || (a.Outcome != "" && a.Outcome != domain.OutcomeApprove) {
			continue
		}
		for _, v := range versions {
			if a.DecidesID == v.ID && v.Status != domain.DecisionRefused && v.Status != domain.DecisionCancelled {
				return true
			}
		}
	}
	return false
}

// measuresWithoutApproval finds measures in force whose order needed the procuracy's approval
// (the transition table's Approval for the order's issuer, or the decision arrived for approval)
// and has none: still pending (except an urgent holding, see below), or refused. The person must not be held on such an order (Điều
// 110(6), 113(1)(a), 118(3), 119(5) BLTTHS).
func (x *defectIndex) measuresWithoutApproval() []Finding {
	var out []Finding
	x.eachMeasure(func(a *domain.Accused, m *domain.Measure) {
		if m.Status != domain.MeasureActive {
			return
		}
		order := x.orderOf(m)
		if order == nil || !x.chainStands(order) {
			return
		}
		t, known := ByStep(order.Step)
		if !order.RequiresApproval && !(known && t.NeedsApproval(order.Issuer)) {
			return
		}
		if x.approved(order) {
			return
		}
		// A person held in an urgent case is held before the procuracy answers: the holding is
		// lawful while the 12 hours to approve it run (Điều 110(6)), which a clock watches; only a
		// refusal makes the holding a defect.
		if m.Kind == domain.MeasureUrgentHold && order.Status == domain.DecisionPending {
			return
		}
		article := x.measureArticle(m, order)
		if known && t.Approval != nil && t.Approval.Article != "" {
			article = t.Approval.Article
		}
		stateVI, stateEN := "chưa được Viện kiểm sát phê chuẩn", "has not been approved by the procuracy"
		if order.Status == domain.DecisionRefused {
			stateVI, stateEN = "đã bị Viện kiểm sát không phê chuẩn", "was refused approval by the procuracy"
		}
		out = append(out, Finding{Code: DefectMeasureWithoutApproval, Article: article, DecisionIDs: []string{order.ID}, MeasureID: m.ID, AccusedID: a.ID,
			Severity: SeverityViolation, Remedy: RemedyRequest,
			MessageVI: fmt.Sprintf("Biện pháp %s đang được thi hành nhưng %s ngày %s %s.", defectMeasureName(m.Kind).VI, lower(defectDocVI(order)),
				defectDMY(order.IssuedOn), stateVI),
			MessageEN: fmt.Sprintf("The %s is being executed but the %s of %s %s.", defectMeasureName(m.Kind).EN, lower(defectDocEN(order)),
				defectDMY(order.IssuedOn), stateEN)})
	})
	return out
}

// heldPastEnd finds custody and detention orders still in force after 24:00 of their ordered end
// date, unless an extension or a new order in force already continues them (the record of the
// old one only lags behind). An extension still awaiting approval does not continue them.
func (x *defectIndex) heldPastEnd(now time.Time) []Finding {
	continued := map[string]bool{}
	x.eachMeasure(func(_ *domain.Accused, m *domain.Measure) {
		if m.ExtendsID != "" && (m.Status == domain.MeasureActive || m.Status == domain.MeasureEnded) {
			continued[m.ExtendsID] = true
		}
	})
	var out []Finding
	x.eachMeasure(func(a *domain.Accused, m *domain.Measure) {
		if m.Status != domain.MeasureActive || (m.Kind != domain.MeasureCustody && m.Kind != domain.MeasureDetention) ||
			m.OrderedEnd == nil || m.OrderedEnd.IsZero() || continued[m.ID] {
			return
		}
		end := domain.DateOf(*m.OrderedEnd).AddDate(0, 0, 1) // 24:00 of the ordered end date
		if now.Before(end) {
			return
		}
		order := x.orderOf(m)
		if order != nil && !x.chainStands(order) {
			return
		}
		f := Finding{Code: DefectHeldPastOrderedEnd, Article: "Điều 134(2) BLTTHS", MeasureID: m.ID, AccusedID: a.ID,
			Severity: SeverityViolation, Remedy: defectRemedy(order),
			MessageVI: fmt.Sprintf("Thời hạn %s ghi trong lệnh, quyết định đã hết lúc 24 giờ ngày %s nhưng người bị %s chưa được trả tự do hoặc gia hạn.",
				defectMeasureName(m.Kind).VI, defectDMY(*m.OrderedEnd), defectMeasureName(m.Kind).VI),
			MessageEN: fmt.Sprintf("The %s order ran out at 24:00 on %s, but the person is still held without release or extension.",
				defectMeasureName(m.Kind).EN, defectDMY(*m.OrderedEnd))}
		if order != nil {
			f.DecisionIDs = []string{order.ID}
		}
		out = append(out, f)
	})
	return out
}

// indictmentsWithoutConclusion finds indictments with no investigation conclusion (nor a
// conclusion of a supplementary investigation) in force recorded before them or dated no later
// than them. A conclusion recorded before but dated after is a date-order defect instead.
func (x *defectIndex) indictmentsWithoutConclusion() []Finding {
	var out []Finding
	for i, d := range x.standing {
		if d.Step != StepIndict {
			continue
		}
		found := false
		for j, c := range x.standing {
			if (c.Step != StepConcludeInvestigation && c.Step != StepConcludeSupplementary) || !inForce(*c, false) {
				continue
			}
			if j < i || (!defectDay(c).IsZero() && !defectDay(d).IsZero() && !defectDay(c).After(defectDay(d))) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		out = append(out, Finding{Code: DefectIndictmentWithoutConclusion, Article: "Điều 240(1), 243 BLTTHS", DecisionIDs: []string{d.ID},
			Severity:  SeverityViolation,
			MessageVI: fmt.Sprintf("Bản cáo trạng ngày %s được ban hành khi chưa có bản kết luận điều tra đề nghị truy tố.", defectDMY(defectDay(d))),
			MessageEN: fmt.Sprintf("The indictment of %s was issued with no investigation conclusion recommending prosecution.", defectDMY(defectDay(d)))})
	}
	return out
}

// tooManyReturns finds returns for supplementary investigation beyond Điều 174(2): the procuracy at
// most twice, the presiding judge once, the trial panel once, counted over the case's life as the
// guard does. A court return that names neither formation counts against the court's two in all.
func (x *defectIndex) tooManyReturns() []Finding {
	var out []Finding
	vks, court := 0, 0
	byFormation := map[string]int{}
	for _, d := range x.standing {
		var over bool
		var whoVI, whoEN string
		var limit int
		switch d.Step {
		case StepReturnByProcuracy:
			vks++
			over, limit, whoVI, whoEN = vks > 2, 2, "Viện kiểm sát", "the procuracy"
		case StepReturnByCourt:
			court++
			switch d.ReturnedBy {
			case ReturnedByJudge, ReturnedByPanel:
				byFormation[d.ReturnedBy]++
				over, limit = byFormation[d.ReturnedBy] > 1 || court > 2, 1
				whoVI, whoEN = "Thẩm phán chủ tọa phiên tòa", "the presiding judge"
				if d.ReturnedBy == ReturnedByPanel {
					whoVI, whoEN = "Hội đồng xét xử", "the trial panel"
				}
			default:
				over, limit, whoVI, whoEN = court > 2, 2, "Tòa án", "the court"
			}
		default:
			continue
		}
		if !over {
			continue
		}
		out = append(out, Finding{Code: DefectTooManyReturns, Article: "Điều 174(2) BLTTHS", DecisionIDs: []string{d.ID}, Severity: SeverityViolation,
			MessageVI: fmt.Sprintf("%s ngày %s vượt quá số lần trả hồ sơ để điều tra bổ sung cho phép: %s chỉ được trả tối đa %02d lần.",
				defectDocVI(d), defectDMY(defectDay(d)), whoVI, limit),
			MessageEN: fmt.Sprintf("The %s of %s exceeds the returns for supplementary investigation allowed: %s may return a file at most %s.",
				lower(defectDocEN(d)), defectDMY(defectDay(d)), whoEN, defectTimes(limit))})
	}
	return out
}

func defectTimes(n int) string {
	if n == 1 {
		return "once"
	}
	if n == 2 {
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// unitCompetence finds decisions recorded under a unit other than the one in charge of the case at
// the time. The criterion is deliberately simple, because CaseState carries no org tree: the unit
// in charge is the case's unit, changed only by a transfer in force (to its target unit); before
// the first transfer it is the unit that recorded that transfer. A decision with no unit recorded
// (0) is not judged, and neither are the steps the transition table lets a unit above the case's
// unit take (Transition.Levels set: protests on appeal and cassation) or approvals the table gives
// to set levels (Approval.Levels), since whether the recording unit is above the case's unit cannot
// be told here. A mismatch is a warning: it is more often a recording slip than a body acting
// outside its competence (Điều 163, 239 BLTTHS), and a person has to look.
func (x *defectIndex) unitCompetence() []Finding {
	unit := x.cs.UnitID
	for _, d := range x.standing {
		if d.Step == StepTransfer && inForce(*d, false) {
			unit = d.UnitID
			break
		}
	}
	var out []Finding
	for _, d := range x.standing {
		exempt := d.UnitID == 0 || unit == 0
		if t, ok := ByStep(d.Step); ok && len(t.Levels) > 0 {
			exempt = true
		}
		if p, ok := x.byID[d.DecidesID]; ok && d.DecidesID != "" {
			if t, ok := ByStep(p.Step); ok && t.Approval != nil && len(t.Approval.Levels) > 0 {
				exempt = true
			}
		}
		if !exempt && d.UnitID != unit {
			out = append(out, Finding{Code: DefectUnitWithoutCompetence, Article: "Điều 163, 239 BLTTHS", DecisionIDs: []string{d.ID},
				AccusedID: defectAccused(d), Severity: SeverityWarning,
				MessageVI: fmt.Sprintf("%s ngày %s được ghi nhận bởi đơn vị %d, không phải đơn vị đang thụ lý vụ án lúc đó (đơn vị %d).",
					defectDocVI(d), defectDMY(defectDay(d)), d.UnitID, unit),
				MessageEN: fmt.Sprintf("The %s of %s was recorded by unit %d, not by the unit in charge of the case at the time (unit %d).",
					lower(defectDocEN(d)), defectDMY(defectDay(d)), d.UnitID, unit)})
		}
		if d.Step == StepTransfer && inForce(*d, false) && d.TargetUnitID != 0 {
			unit = d.TargetUnitID
		}
	}
	return out
}

// lateDetentionRenewals finds detention orders for the prosecution (Điều 241 BLTTHS) that continue
// an earlier detention order of the same person and were issued less than 5 days before that
// order ran out. The order stands: it is the procuracy's own lateness, to be noted, not undone.
func (x *defectIndex) lateDetentionRenewals() []Finding {
	byID := map[string]*domain.Measure{}
	x.eachMeasure(func(_ *domain.Accused, m *domain.Measure) { byID[m.ID] = m })
	var out []Finding
	x.eachMeasure(func(a *domain.Accused, m *domain.Measure) {
		if m.Kind != domain.MeasureDetention || m.Stage != domain.MeasureForProsecution || m.ExtendsID == "" ||
			m.Status == domain.MeasurePending || m.Status == domain.MeasureRefused {
			return
		}
		prev := byID[m.ExtendsID]
		order := x.orderOf(m)
		if prev == nil || prev.Kind != domain.MeasureDetention || prev.OrderedEnd == nil || order == nil || !x.chainStands(order) {
			return
		}
		latest := domain.DateOf(*prev.OrderedEnd).AddDate(0, 0, -5)
		if !domain.DateOf(order.IssuedOn).After(latest) {
			return
		}
		out = append(out, Finding{Code: DefectLateDetentionRenewal, Article: "Điều 241 BLTTHS", MeasureID: m.ID, AccusedID: a.ID,
			DecisionIDs: []string{order.ID}, Severity: SeverityViolation, Remedy: RemedyNone,
			MessageVI: fmt.Sprintf("Lệnh tạm giam để truy tố ban hành ngày %s, muộn hơn 05 ngày trước khi lệnh tạm giam trước hết hạn (%s; chậm nhất ngày %s).",
				defectDMY(order.IssuedOn), defectDMY(*prev.OrderedEnd), defectDMY(latest)),
			MessageEN: fmt.Sprintf("The detention order for the prosecution was issued on %s, later than 5 days before the earlier order ran out (%s; at the latest %s).",
				defectDMY(order.IssuedOn), defectDMY(*prev.OrderedEnd), defectDMY(latest))})
	})
	return out
}
