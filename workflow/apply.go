package workflow

import (
	"fmt"
	"slices"
	"time"

	"kiemsat/domain"
)

// CaseState is what the lifecycle needs to know about a case to judge a step: its stage, its
// accused with their charges and measures, and its decisions in recording order (with statuses
// derived). The service loads it inside the transaction that records the step.
type CaseState struct {
	ID               string
	Stage            domain.Stage
	Kind             domain.CaseKind
	UnitID           int64
	ReceivedAt       time.Time
	SummaryProcedure bool
	// HasLead: a lead prosecutor is assigned (kiểm sát viên thụ lý chính).
	HasLead bool
	// Class is the governing severity class: the heaviest standing charge of any accused, or the
	// class of the offence named at institution while no accused is charged.
	Class     domain.SeverityClass
	Accused   []domain.Accused
	Decisions []domain.Decision
	// RegisteredAs is the kind the record was registered as: a report that was later instituted
	// still began as a report.
	RegisteredAs domain.CaseKind
	// Calendar is the legal calendar (lịch nghỉ lễ) that guards counting time limits use, such as
	// "no extension once the period has run out". Nil skips those checks: the service sets it
	// when it judges a step.
	Calendar *Calendar
	// Authorities, when set, give the procuracy levels that may record or approve a step (by
	// extension number and class where they differ); nil judges by the transition table alone.
	Authorities *Authorities
	// inForce caches the decisions in force while Clocks runs over every rule.
	inForce []domain.Decision
}

// AccusedByID finds an accused of the case.
func (cs *CaseState) AccusedByID(id string) *domain.Accused {
	for i := range cs.Accused {
		if cs.Accused[i].ID == id {
			return &cs.Accused[i]
		}
	}
	return nil
}

// MeasureByID finds a measure of any accused of the case.
func (cs *CaseState) MeasureByID(id string) (*domain.Accused, *domain.Measure) {
	for i := range cs.Accused {
		for j := range cs.Accused[i].Measures {
			if cs.Accused[i].Measures[j].ID == id {
				return &cs.Accused[i], &cs.Accused[i].Measures[j]
			}
		}
	}
	return nil, nil
}

// ChargeInput is a charge with its class already read from the Penal Code catalog.
type ChargeInput struct {
	Article string
	Clause  int
	Point   string
	Title   string
	Class   domain.SeverityClass
}

// MeasureInput is the content of an order for a preventive measure.
type MeasureInput struct {
	Stage      domain.MeasureStage
	StartAt    time.Time
	OrderedEnd *time.Time
}

// TargetCase is what a joinder needs to know about the case it joins into.
type TargetCase struct {
	ID     string
	UnitID int64
	Stage  domain.Stage
}

// Court return issuers (Điều 174(2)): the presiding judge while preparing the trial, the trial panel
// at the hearing; each may return a file once.
const (
	ReturnedByJudge = "presiding_judge"
	ReturnedByPanel = "trial_panel"
)

// Request is a decision someone wants to record.
type Request struct {
	Step        domain.Step
	Issuer      domain.IssuerBody
	IssuedOn    time.Time
	EffectiveOn time.Time
	// AccusedIDs: the accused an accused step concerns (one or more), or the one a measure is
	// ordered on. Empty for a new accused.
	AccusedIDs []string
	// MeasureID: the measure an extension or an end concerns.
	MeasureID    string
	ReturnedBy   string
	TargetUnitID int64
	TargetCase   *TargetCase
	Charges      []ChargeInput
	Measure      *MeasureInput
	// RequestedOn is when the request for an extension reached the procuracy; nil skips the
	// lead-time check.
	RequestedOn *time.Time
	// ReceivedAt is when a decision of another body reached the procuracy; nil when not recorded.
	ReceivedAt *time.Time
}

// ActorGrant is one grant of the person recording a step, seen from the case: its role, its
// unit's level, and whether that unit is the case's own unit or a unit above it.
type ActorGrant struct {
	Role       domain.Role
	Level      domain.UnitLevel
	AtCaseUnit bool
	// Above: the grant's unit is an ancestor of the case's unit.
	Above bool
}

// Actor is the person recording a step.
type Actor struct {
	Grants []ActorGrant
	OnTeam bool
}

// Result is what a recorded step does.
type Result struct {
	Transition Transition
	// Status of the new decision: effective, or pending the procuracy's approval.
	Status domain.DecisionStatus
	// From and To are the case's stage before and after (equal when it does not move).
	From, To domain.Stage
	// Subjects whose state changes, by id (accused and measures); the new accused of an
	// institution has the empty id.
	AccusedTo map[string]domain.AccusedStatus
	MeasureTo map[string]domain.MeasureStatus
	// Measure is the order a measure step creates, with an extension's start derived from the
	// order it extends.
	Measure *MeasureInput
}

// Apply judges a request against the transition table and the case's state and says what it
// does. It changes nothing: the service persists the result. now bounds dates (no decision in
// the future).
func Apply(cs *CaseState, req Request, actor Actor, now time.Time) (Result, error) {
	t, ok := ByStep(req.Step)
	if !ok {
		return Result{}, &domain.Error{Code: domain.CodeInvalid, Message: "thao tác tố tụng không tồn tại",
			Details: []domain.Detail{{Field: "step", Rule: "unknown_step", Message: fmt.Sprintf("không có thao tác %q trong bảng chuyển giai đoạn", req.Step)}}}
	}
	res := Result{Transition: t, From: cs.Stage, To: cs.Stage, AccusedTo: map[string]domain.AccusedStatus{}, MeasureTo: map[string]domain.MeasureStatus{}}
	t, err := admit(cs, t, req, actor)
	if err != nil {
		return res, err
	}
	if t.Effect == EffectExtendMeasure {
		// An extension runs on from the end of the order it extends, without a gap: custody and
		// detention are continuous (Điều 134; TTLT 04/2018 Art. 17).
		_, prev := cs.MeasureByID(req.MeasureID)
		m := *req.Measure
		if prev.OrderedEnd != nil {
			m.StartAt = domain.DateOf(*prev.OrderedEnd).AddDate(0, 0, 1)
		}
		if m.Stage == "" {
			m.Stage = prev.Stage
		}
		req.Measure = &m
	}
	res.Measure = req.Measure
	if !slices.Contains(t.Issuers, req.Issuer) {
		return res, invalid("issuer", "issuer", t.Article, fmt.Sprintf("%s do %s ban hành, không phải %s", DocNames[t.Doc].VI, issuersVI(t.Issuers), issuerVI(req.Issuer)))
	}
	if err := checkDates(cs, req, t.Effect == EffectExtendMeasure, now); err != nil {
		return res, err
	}
	for _, g := range t.Guards {
		gd := guards[g]
		if !gd.check(cs, req) {
			return res, &domain.Error{Code: domain.CodeInvalid, Message: gd.vi,
				Details: []domain.Detail{{Field: gd.field, Rule: string(g), Article: gd.article, Message: gd.vi}}}
		}
	}
	res.Status = domain.DecisionEffective
	if t.NeedsApproval(req.Issuer) {
		res.Status = domain.DecisionPending
	}
	applyTo(&res, cs, t, req, res.Status == domain.DecisionPending)
	return res, nil
}

// admit is the part of Apply that says whether actor may take step t on the subject req names
// in the case's current state, before the request's contents (issuer, dates, guards) are judged:
// who may record comes first, so that a caller who may not take the step learns nothing about
// why else it would fail, then the subject's state. The levels come from the authorities table
// where a row applies; t is returned with them. Offers asks the same question for every step.
func admit(cs *CaseState, t Transition, req Request, actor Actor) (Transition, error) {
	t = cs.withRecordAuthority(t, req)
	if err := checkActor(t, actor); err != nil {
		return t, err
	}
	return t, checkSubject(cs, t, req)
}

// applyTo fills the state changes of a step: the target state now, or the pending state while
// the decision awaits approval.
func applyTo(res *Result, cs *CaseState, t Transition, req Request, pending bool) {
	switch t.Subject {
	case domain.SubjectCase:
		if t.To != "" && !pending {
			res.To = domain.Stage(t.To)
		}
		if res.To == domain.StageTerminated {
			// Terminating the case terminates it as to every accused and cancels the preventive
			// measures still in force (Điều 230(1), 248(1), 282 BLTTHS).
			for _, a := range cs.Accused {
				if a.Status == domain.AccusedInstituted || a.Status == domain.AccusedSuspended || a.Status == domain.AccusedPending {
					res.AccusedTo[a.ID] = domain.AccusedTerminated
				}
				endMeasures(res, a)
			}
		}
	case domain.SubjectAccused:
		ids := req.AccusedIDs
		if t.FromState(StateNew) && len(ids) == 0 {
			ids = []string{""}
		}
		for _, id := range ids {
			switch {
			case pending && t.Step == StepInstituteAccused:
				res.AccusedTo[id] = domain.AccusedPending
			case !pending && t.To != "":
				res.AccusedTo[id] = domain.AccusedStatus(t.To)
			}
			if !pending && t.Step == StepTerminateAccused {
				if a := cs.AccusedByID(id); a != nil {
					endMeasures(res, *a)
				}
			}
		}
	case domain.SubjectMeasure:
		switch {
		case t.Effect == EffectNewMeasure && pending:
			res.MeasureTo[""] = domain.MeasurePending
		case t.Effect == EffectNewMeasure:
			res.MeasureTo[""] = domain.MeasureActive
		case t.Effect == EffectExtendMeasure && pending:
			res.MeasureTo[""] = domain.MeasurePending
		case t.Effect == EffectExtendMeasure:
			res.MeasureTo[""] = domain.MeasureActive
			res.MeasureTo[req.MeasureID] = domain.MeasureEnded
		case t.To != "":
			res.MeasureTo[req.MeasureID] = domain.MeasureStatus(t.To)
		}
	}
}

// endMeasures ends every measure of an accused that is in force or awaiting approval.
func endMeasures(res *Result, a domain.Accused) {
	for _, m := range a.Measures {
		switch m.Status {
		case domain.MeasureActive:
			res.MeasureTo[m.ID] = domain.MeasureEnded
		case domain.MeasurePending:
			res.MeasureTo[m.ID] = domain.MeasureRefused
		}
	}
}

// Decide judges the procuracy's answer to a pending decision and says what it does: approval
// carries out the step the pending decision asked for; refusal and cancellation undo what was
// provisionally recorded (the accused's institution, a new measure) as the law requires, for
// example immediate release when an urgent arrest is not approved (Điều 110(6)).
func Decide(cs *CaseState, pending domain.Decision, outcome domain.Outcome, actor Actor, issuedOn, now time.Time) (Result, error) {
	t, ok := ByStep(pending.Step)
	if !ok || pending.Status != domain.DecisionPending {
		return Result{}, &domain.Error{Code: domain.CodeConflict, Message: "quyết định này không ở trạng thái chờ phê chuẩn",
			Details: []domain.Detail{{Field: "decision_id", Rule: "not_pending"}}}
	}
	res := Result{Transition: t, From: cs.Stage, To: cs.Stage, AccusedTo: map[string]domain.AccusedStatus{}, MeasureTo: map[string]domain.MeasureStatus{}}
	if !outcome.Valid() {
		return res, invalid("outcome", "enum", "", "kết quả là approve (phê chuẩn), refuse (không phê chuẩn) hoặc cancel (hủy bỏ)")
	}
	day := domain.DateOf(issuedOn)
	switch {
	case issuedOn.IsZero():
		return res, invalid("issued_on", "required", "", "phải nhập ngày ban hành quyết định")
	case day.After(domain.DateOf(now)):
		return res, invalid("issued_on", "not_future", "", "ngày ban hành không được ở tương lai")
	case day.Before(domain.DateOf(pending.IssuedOn)):
		return res, invalid("issued_on", "date_order", t.Approval.Article, "ngày phê chuẩn không được trước ngày của quyết định được phê chuẩn")
	}
	if err := checkApprover(cs.withApproveAuthority(t, pending), actor); err != nil {
		return res, err
	}
	res.Status = domain.DecisionEffective
	if outcome == domain.OutcomeApprove {
		req := Request{Step: pending.Step, AccusedIDs: pending.AccusedIDs, MeasureID: pending.MeasureID}
		switch t.Subject {
		case domain.SubjectCase:
			if t.To != "" {
				res.To = domain.Stage(t.To)
			}
		case domain.SubjectAccused:
			for _, id := range req.AccusedIDs {
				if t.To != "" {
					res.AccusedTo[id] = domain.AccusedStatus(t.To)
				}
			}
		case domain.SubjectMeasure:
			// The pending decision created its measure; MeasureID names it, and an extension names
			// the order it extends through the measure's ExtendsID.
			res.MeasureTo[pending.MeasureID] = domain.MeasureActive
			if t.Effect == EffectExtendMeasure {
				if _, m := cs.MeasureByID(pending.MeasureID); m != nil && m.ExtendsID != "" {
					res.MeasureTo[m.ExtendsID] = domain.MeasureEnded
				}
			}
		}
		return res, nil
	}
	switch t.Step {
	case StepInstituteAccused:
		for _, id := range pending.AccusedIDs {
			res.AccusedTo[id] = domain.AccusedCancelled
		}
	}
	if t.Subject == domain.SubjectMeasure && pending.MeasureID != "" {
		res.MeasureTo[pending.MeasureID] = domain.MeasureRefused
	}
	return res, nil
}

func checkSubject(cs *CaseState, t Transition, req Request) error {
	switch t.Subject {
	case domain.SubjectCase:
		if !t.FromState(State(cs.Stage)) {
			return &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("không thể %s khi hồ sơ đang ở giai đoạn %s", lower(t.NameVI), StageNames[cs.Stage].VI),
				Details: []domain.Detail{{Field: "step", Rule: "from_stage", Article: t.Article,
					Message: fmt.Sprintf("%s chỉ thực hiện được ở giai đoạn: %s", t.NameVI, statesVI(t.From))}}}
		}
		return nil
	}
	if cs.Stage.Final() || (len(t.CaseStages) > 0 && !slices.Contains(t.CaseStages, cs.Stage)) {
		return &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("không thể %s khi hồ sơ đang ở giai đoạn %s", lower(t.NameVI), StageNames[cs.Stage].VI),
			Details: []domain.Detail{{Field: "step", Rule: "case_stage", Article: t.Article, Message: "giai đoạn của vụ án không cho phép thao tác này"}}}
	}
	if t.Subject == domain.SubjectAccused {
		if len(req.AccusedIDs) == 0 {
			if t.FromState(StateNew) {
				return nil
			}
			return invalid("accused_ids", "required", "", "phải chọn bị can")
		}
		for i, id := range req.AccusedIDs {
			a := cs.AccusedByID(id)
			field := fmt.Sprintf("accused_ids[%d]", i)
			if a == nil {
				return invalid(field, "exists", "", "bị can không thuộc vụ án này")
			}
			if !t.FromState(State(a.Status)) {
				return invalid(field, "from_status", t.Article, fmt.Sprintf("không thể %s: bị can %s đang ở trạng thái %s", lower(t.NameVI), a.FullName, AccusedStatusNames[a.Status].VI))
			}
		}
		return nil
	}
	// Measures concern exactly one accused.
	if len(req.AccusedIDs) != 1 {
		return invalid("accused_ids", "one", "", "biện pháp ngăn chặn áp dụng cho đúng một người")
	}
	a := cs.AccusedByID(req.AccusedIDs[0])
	if a == nil {
		return invalid("accused_ids[0]", "exists", "", "người bị áp dụng biện pháp không thuộc vụ án này")
	}
	if a.Status == domain.AccusedCancelled || a.Status == domain.AccusedTerminated {
		return invalid("accused_ids[0]", "from_status", t.Article, "không áp dụng biện pháp ngăn chặn với người đã được đình chỉ hoặc hủy bỏ khởi tố")
	}
	if t.FromState(StateNew) {
		if req.Measure == nil {
			return invalid("measure", "required", "", "phải nhập nội dung lệnh, quyết định")
		}
		return nil
	}
	owner, m := cs.MeasureByID(req.MeasureID)
	if m == nil || owner.ID != a.ID {
		return invalid("measure_id", "exists", "", "biện pháp ngăn chặn không thuộc người này")
	}
	if !t.FromState(State(m.Status)) {
		return invalid("measure_id", "from_status", t.Article, "biện pháp ngăn chặn không còn hiệu lực")
	}
	if t.Effect == EffectExtendMeasure && req.Measure == nil {
		return invalid("measure", "required", "", "phải nhập thời hạn gia hạn")
	}
	return nil
}

func checkDates(cs *CaseState, req Request, extension bool, now time.Time) error {
	var v domain.Validation
	today := domain.DateOf(now)
	issued, effective := domain.DateOf(req.IssuedOn), domain.DateOf(req.EffectiveOn)
	switch {
	case req.IssuedOn.IsZero():
		v.Add("issued_on", "required", "phải nhập ngày ban hành")
	case issued.After(today):
		v.Add("issued_on", "not_future", "ngày ban hành không được ở tương lai")
	case issued.Before(domain.DateOf(cs.ReceivedAt)):
		v.Add("issued_on", "date_order", "ngày ban hành không được trước ngày tiếp nhận hồ sơ")
	default:
		if last := lastInForce(cs); last != nil && issued.Before(domain.DateOf(last.IssuedOn)) {
			number := ""
			if last.Number != "" {
				number = " số " + last.Number
			}
			v.AddArticle("issued_on", "date_order", "", fmt.Sprintf("ngày ban hành không được trước quyết định gần nhất (%s%s ngày %s)",
				DocNames[last.Type].VI, number, last.IssuedOn.In(domain.ICT).Format("02/01/2006")))
		}
	}
	if !req.EffectiveOn.IsZero() && !req.IssuedOn.IsZero() && effective.Before(issued) {
		v.Add("effective_on", "date_order", "ngày có hiệu lực không được trước ngày ban hành")
	}
	if r := req.ReceivedAt; r != nil {
		switch {
		case req.Issuer == domain.IssuerProcuracy:
			v.Add("received_at", "own_decision", "quyết định của Viện kiểm sát không có ngày nhận")
		case r.After(now):
			v.Add("received_at", "not_future", "thời điểm nhận không được ở tương lai")
		case !req.IssuedOn.IsZero() && domain.DateOf(*r).Before(issued):
			v.Add("received_at", "date_order", "thời điểm nhận không được trước ngày ban hành")
		}
	}
	if req.RequestedOn != nil {
		switch t, _ := ByStep(req.Step); {
		case !slices.Contains(t.Guards, GuardRequestInTime):
			v.Add("requested_on", "not_extension", "ngày nhận đề nghị chỉ ghi cho quyết định gia hạn")
		case !req.IssuedOn.IsZero() && domain.DateOf(*req.RequestedOn).After(issued):
			v.Add("requested_on", "date_order", "ngày nhận đề nghị gia hạn không được sau ngày ban hành quyết định gia hạn")
		}
	}
	if m := req.Measure; m != nil {
		switch {
		case m.StartAt.IsZero():
			v.Add("measure.start_at", "required", "phải nhập thời điểm bắt đầu")
		case !extension && m.StartAt.After(now.Add(5*time.Minute)):
			v.Add("measure.start_at", "not_future", "thời điểm bắt đầu không được ở tương lai")
		}
		if m.OrderedEnd != nil && !m.StartAt.IsZero() && domain.DateOf(*m.OrderedEnd).Before(domain.DateOf(m.StartAt)) {
			v.Add("measure.ordered_end", "date_order", "ngày hết hạn ghi trong lệnh phải sau ngày bắt đầu")
		}
		if m.Stage != "" && !slices.Contains(domain.MeasureStages, m.Stage) {
			v.Add("measure.stage", "enum", "giai đoạn áp dụng không hợp lệ")
		}
	}
	return v.Err()
}

// lastInForce is the latest decision that moved the case or stands in force: the anchor that a
// new decision may not predate.
func lastInForce(cs *CaseState) *domain.Decision {
	var last *domain.Decision
	for i := range cs.Decisions {
		d := &cs.Decisions[i]
		if d.Status == domain.DecisionSuperseded || d.Status == domain.DecisionCancelled || d.Status == domain.DecisionRefused {
			continue
		}
		if last == nil || d.IssuedOn.After(last.IssuedOn) {
			last = d
		}
	}
	return last
}

func checkActor(t Transition, a Actor) error {
	roleOK := false
	for _, g := range a.Grants {
		if !slices.Contains(t.Roles, g.Role) || (g.Role == domain.RoleProsecutor && !a.OnTeam) {
			continue
		}
		roleOK = true
		if len(t.Levels) == 0 && g.AtCaseUnit {
			return nil
		}
		if len(t.Levels) > 0 && (g.AtCaseUnit || g.Above) && slices.Contains(t.Levels, g.Level) {
			return nil
		}
	}
	if !roleOK {
		return &domain.Error{Code: domain.CodeForbidden, Message: fmt.Sprintf("bạn không có quyền ghi nhận: %s", t.NameVI),
			Details: []domain.Detail{{Field: "step", Rule: "role", Article: t.Article, Message: "thao tác dành cho: " + rolesVI(t.Roles)}}}
	}
	if len(t.Levels) == 0 {
		return &domain.Error{Code: domain.CodeForbidden, Message: "chỉ đơn vị đang thụ lý vụ án được ghi nhận thao tác này",
			Details: []domain.Detail{{Field: "step", Rule: "own_unit", Article: t.Article}}}
	}
	return invalid("step", "unit_level", t.Article, fmt.Sprintf("%s thuộc thẩm quyền của Viện kiểm sát cấp: %s", t.NameVI, levelsVI(t.Levels)))
}

func checkApprover(t Transition, a Actor) error {
	levels := t.Approval.Levels
	roleOK := false
	for _, g := range a.Grants {
		if g.Role != domain.RoleChief && g.Role != domain.RoleDeputyChief {
			continue
		}
		roleOK = true
		if len(levels) == 0 && g.AtCaseUnit {
			return nil
		}
		if len(levels) > 0 && (g.AtCaseUnit || g.Above) && slices.Contains(levels, g.Level) {
			return nil
		}
	}
	if !roleOK {
		return &domain.Error{Code: domain.CodeForbidden, Message: "chỉ Viện trưởng, Phó Viện trưởng được phê chuẩn",
			Details: []domain.Detail{{Field: "outcome", Rule: "role", Article: t.Approval.Article}}}
	}
	if len(levels) == 0 {
		return invalid("outcome", "approver_level", t.Approval.Article, "việc phê chuẩn thuộc thẩm quyền của Viện kiểm sát đang thụ lý, kiểm sát vụ án")
	}
	return invalid("outcome", "approver_level", t.Approval.Article, "việc phê chuẩn thuộc thẩm quyền của Viện kiểm sát cấp: "+levelsVI(levels))
}

func invalid(field, rule, article, msg string) *domain.Error {
	return &domain.Error{Code: domain.CodeInvalid, Message: msg, Details: []domain.Detail{{Field: field, Rule: rule, Article: article, Message: msg}}}
}

// CheckCorrection judges a correction (đính chính) of a decision in force: the recorder must be
// one who may take the step, the issuer one who may issue its document, and the dates valid; a
// correction may move the document's date, but not before the decisions that came before the
// one it corrects, nor after decisions already built on it.
func CheckCorrection(cs *CaseState, old domain.Decision, req Request, actor Actor, now time.Time) error {
	t, ok := ByStep(old.Step)
	if !ok {
		return invalid("supersedes_id", "step", "", "không đính chính được loại quyết định này")
	}
	if err := checkActor(t, actor); err != nil {
		return err
	}
	if !slices.Contains(t.Issuers, req.Issuer) {
		return invalid("issuer", "issuer", t.Article, fmt.Sprintf("%s do %s ban hành, không phải %s", DocNames[t.Doc].VI, issuersVI(t.Issuers), issuerVI(req.Issuer)))
	}
	// Dates are judged against the history without the decision being corrected and without
	// what came after it.
	before := *cs
	before.Decisions = nil
	var later *domain.Decision
	for i := range cs.Decisions {
		d := cs.Decisions[i]
		if d.Seq < old.Seq {
			before.Decisions = append(before.Decisions, d)
		} else if d.Seq > old.Seq && inForce(d, true) && (later == nil || d.IssuedOn.Before(later.IssuedOn)) {
			later = &cs.Decisions[i]
		}
	}
	if err := checkDates(&before, req, false, now); err != nil {
		return err
	}
	if later != nil && domain.DateOf(req.IssuedOn).After(domain.DateOf(later.IssuedOn)) {
		return invalid("issued_on", "date_order", "", "ngày ban hành không được sau các quyết định đã ban hành tiếp theo quyết định được đính chính")
	}
	return nil
}
