package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// Procedure holds the use cases of criminal procedure on a case: recording procedural decisions
// (which move the case through the transition table), instituting accused persons with their
// charges, ordering preventive measures, approving decisions that need the procuracy's approval,
// and reading the case's timeline. Every stage change happens here, through workflow.Apply.
type Procedure struct {
	tx       TxRunner
	cases    CaseStore
	proc     ProcedureStore
	units    UnitStore
	authz    *Authz
	audit    Auditor
	clock    Clock
	catalog  *workflow.PenalCatalog
	calendar *LegalCalendar
	clocks   ClockStore
	// findings, when set, keeps the procedural defects each recompute finds (service/findings.go).
	findings FindingStore
	// authorities, when set, give the levels that grant and approve (nil: the transition table's).
	authorities *Authorities
	// ref, when set, tells whether the calendar and authorities changed, so refCache can keep them.
	ref      ReferenceStore
	refCache referenceCache
}

// NewProcedure wires the lifecycle use cases. catalog is the Penal Code catalog charges are
// classified by.
func NewProcedure(tx TxRunner, cases CaseStore, proc ProcedureStore, units UnitStore, authz *Authz, audit Auditor, clock Clock,
	catalog *workflow.PenalCatalog, calendar *LegalCalendar, clocks ClockStore) *Procedure {
	return &Procedure{tx: tx, cases: cases, proc: proc, units: units, authz: authz, audit: audit, clock: clock, catalog: catalog, calendar: calendar,
		clocks: clocks}
}

// Catalog is the Penal Code catalog in use.
func (s *Procedure) Catalog() *workflow.PenalCatalog { return s.catalog }

// ChargeSpec is a charge as a user names it: article, clause, point.
type ChargeSpec struct {
	Article string
	Clause  int
	Point   string
}

// PersonInput is the identity of a new accused person.
type PersonInput struct {
	FullName    string
	NationalID  string
	BirthDate   *time.Time
	Gender      string
	Address     string
	OffenceDate time.Time
}

// DecisionInput is a procedural decision someone records on a case.
type DecisionInput struct {
	Version     int // the case version the caller read
	Step        domain.Step
	Issuer      domain.IssuerBody
	IssuerName  string
	Number      string
	Signer      string
	IssuedOn    time.Time
	EffectiveOn time.Time
	AccusedIDs  []string
	MeasureID   string
	LegalBasis  string
	Note        string
	FileID      string
	// RequestedOn is when the request for the extension reached the procuracy (đề nghị gia hạn),
	// for the extension steps; a request that came too late is refused.
	RequestedOn *time.Time
	// ReceivedAt is when a decision of another body reached the procuracy; the limits for sending
	// decisions to the procuracy are timed by it.
	ReceivedAt   *time.Time
	SupersedesID string
	ReturnedBy   string
	TargetUnitID int64
	TargetCaseID string
	// Charges and ReplaceCharges for institute_accused and change_charges.
	Charges        []ChargeSpec
	ReplaceCharges bool
	// Person for institute_accused of a new person.
	Person *PersonInput
	// Measure for measure steps.
	Measure *workflow.MeasureInput
}

// DecisionOutcome is what recording a decision produced.
type DecisionOutcome struct {
	Case     *domain.Case
	Decision domain.Decision
	Accused  []domain.Accused
}

// validate checks the free-text fields and the shape of the input.
func (in *DecisionInput) validate() error {
	var v domain.Validation
	if in.Version <= 0 {
		v.Add("version", "required", "phải gửi version của hồ sơ đã đọc")
	}
	if in.Step == "" {
		v.Add("step", "required", "phải chọn thao tác tố tụng")
	}
	if !in.Issuer.Valid() {
		v.Add("issuer", "enum", "cơ quan ban hành là investigating_agency, procuracy, court hoặc party")
	}
	for _, f := range []struct {
		name, val string
		max       int
	}{{"number", in.Number, 100}, {"issuer_name", in.IssuerName, 300}, {"signer", in.Signer, 200}, {"legal_basis", in.LegalBasis, 500},
		{"note", in.Note, 4000}, {"file_id", in.FileID, 100}} {
		if len([]rune(f.val)) > f.max {
			v.Add(f.name, "length", fmt.Sprintf("tối đa %d ký tự", f.max))
		}
	}
	for i, id := range in.AccusedIDs {
		if !validUUID(id) {
			v.Add(fmt.Sprintf("accused_ids[%d]", i), "format", "mã bị can không hợp lệ")
		}
	}
	for _, f := range []struct{ name, val string }{{"measure_id", in.MeasureID}, {"supersedes_id", in.SupersedesID}, {"target_case_id", in.TargetCaseID}} {
		if f.val != "" && !validUUID(f.val) {
			v.Add(f.name, "format", "mã không hợp lệ")
		}
	}
	switch in.ReturnedBy {
	case "", workflow.ReturnedByJudge, workflow.ReturnedByPanel:
	default:
		v.Add("returned_by", "enum", "returned_by là presiding_judge (Thẩm phán chủ tọa) hoặc trial_panel (Hội đồng xét xử)")
	}
	if (in.Step == workflow.StepInstituteAccused || in.Step == workflow.StepChangeCharges) && len(in.AccusedIDs) > 1 {
		v.Add("accused_ids", "one", "quyết định khởi tố, thay đổi quyết định khởi tố bị can ban hành riêng cho từng bị can")
	}
	if len(in.Charges) > 20 {
		v.Add("charges", "max_items", "tối đa 20 tội danh trong một quyết định")
	}
	for i, c := range in.Charges {
		if !domain.ValidArticleRef(c.Article) {
			v.AddArticle(fmt.Sprintf("charges[%d].article", i), "format", "BLHS 2015", "điều luật từ 1 đến 426 của Bộ luật Hình sự, có thể kèm chữ cái (256a)")
		}
		if c.Clause < 1 || c.Clause > 20 {
			v.Add(fmt.Sprintf("charges[%d].clause", i), "range", "phải ghi khoản của điều luật")
		}
		if len(c.Point) > 2 {
			v.Add(fmt.Sprintf("charges[%d].point", i), "format", "điểm là một chữ cái (a, b, c, đ, ...)")
		}
	}
	if p := in.Person; p != nil {
		if n := len([]rune(strings.TrimSpace(p.FullName))); n < 2 || n > 200 {
			v.Add("person.full_name", "length", "họ tên từ 2 đến 200 ký tự")
		}
		if p.NationalID != "" && !domain.ValidNationalID(p.NationalID) {
			v.Add("person.national_id", "format", "số CCCD gồm đúng 12 chữ số")
		}
		if p.Gender != "" && p.Gender != "male" && p.Gender != "female" {
			v.Add("person.gender", "enum", "giới tính là male hoặc female")
		}
		if len([]rune(p.Address)) > 500 {
			v.Add("person.address", "length", "địa chỉ tối đa 500 ký tự")
		}
		if p.OffenceDate.IsZero() {
			v.Add("person.offence_date", "required", "phải nhập ngày thực hiện hành vi phạm tội")
		}
		if p.BirthDate != nil && !p.OffenceDate.IsZero() && !p.BirthDate.Before(p.OffenceDate) {
			v.Add("person.birth_date", "date_order", "ngày sinh phải trước ngày thực hiện hành vi")
		}
	}
	return v.Err()
}

// Transitions returns the lifecycle table, for clients and the UI.
func (s *Procedure) Transitions() []workflow.Transition { return workflow.Transitions }

// Rules is the deadline rule table the engine computes clocks with.
func (s *Procedure) Rules() []workflow.Rule { return workflow.Rules }

// caseContext is a case with everything the lifecycle needs, loaded in one transaction.
type caseContext struct {
	cs    *domain.Case
	state *workflow.CaseState
}

// load reads a case with its accused and decisions. Writers lock the case row first, so that
// the state a step is judged on is the state it is written over: two recorders of the same case
// take turns, and the later one sees the earlier one's version (a 409 if it read the old one).
func (s *Procedure) load(ctx context.Context, caseID string, lock bool) (*caseContext, error) {
	if lock {
		if err := s.proc.LockCase(ctx, caseID); err != nil {
			return nil, err
		}
	}
	cs, err := s.cases.GetCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	accused, err := s.proc.ListAccused(ctx, caseID)
	if err != nil {
		return nil, err
	}
	decisions, err := s.proc.ListDecisions(ctx, caseID)
	if err != nil {
		return nil, err
	}
	st := CaseStateOf(cs, accused, decisions, s.catalog)
	// The calendar judges the guards that compare a date with a running period (an extension
	// asked for after the period ran out) and counts the clocks recomputed after the step.
	if st.Calendar, st.Authorities, err = s.reference(ctx); err != nil {
		return nil, err
	}
	return &caseContext{cs: cs, state: st}, nil
}

// begin opens a write on a case inside the caller's transaction: the case locked and loaded, a
// case the caller may not read reported as not found (what names it), and the caller's grants for
// the action seen from the case. No grants means the caller may read but not act.
func (s *Procedure) begin(ctx context.Context, p *Principal, caseID string, act domain.Action, what string) (*caseContext, workflow.Actor, error) {
	cc, err := s.load(ctx, caseID, true)
	if err != nil {
		return nil, workflow.Actor{}, err
	}
	if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cc.cs.Ref(p.User.ID)) {
		return nil, workflow.Actor{}, domain.NotFound(what)
	}
	actor, err := s.actor(ctx, p, act, cc.cs)
	return cc, actor, err
}

// actor turns the caller's scope for an action into the grants the transition table judges.
func (s *Procedure) actor(ctx context.Context, p *Principal, act domain.Action, cs *domain.Case) (workflow.Actor, error) {
	ref := cs.Ref(p.User.ID)
	a := workflow.Actor{OnTeam: ref.OnTeam}
	for _, e := range s.authz.Scope(p, act).Entries {
		one := domain.Scope{UserID: p.User.ID, Action: act, Entries: []domain.ScopeEntry{e}}
		if !one.PermitsCase(ref) {
			continue
		}
		u, err := s.units.GetUnit(ctx, e.UnitID)
		if err != nil {
			return a, err
		}
		a.Grants = append(a.Grants, workflow.ActorGrant{Role: e.Role, Level: u.Level, AtCaseUnit: e.UnitID == cs.UnitID, Above: e.UnitID != cs.UnitID})
	}
	return a, nil
}

// Record records a procedural decision on a case and applies its transition atomically: the case
// row is advanced only if it is still at the version the caller read (409 otherwise), the
// decision, the accused, charges and measures it creates or moves, and the audit row commit
// together or not at all.
func (s *Procedure) Record(ctx context.Context, p *Principal, caseID string, in DecisionInput) (*DecisionOutcome, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *DecisionOutcome
	var denied *domain.Case
	var deniedErr error = domain.Forbidden("bạn không có quyền ghi nhận quyết định tố tụng cho hồ sơ này")
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cc, actor, err := s.begin(ctx, p, caseID, domain.ActCaseDecide, "hồ sơ")
		if err != nil {
			return err
		}
		if len(actor.Grants) == 0 {
			denied = cc.cs
			return nil
		}
		if in.SupersedesID != "" {
			if cc.cs.Version != in.Version {
				return staleCase()
			}
			out, err = s.correct(ctx, p, cc, actor, &in, now)
			if domain.ErrorCodeOf(err) == domain.CodeForbidden {
				denied, deniedErr = cc.cs, err
				return nil
			}
			if err != nil {
				return err
			}
			return s.recomputeFrom(ctx, out.Case, out.Accused, now)
		}
		req, err := s.request(ctx, p, cc, &in)
		if err != nil {
			return err
		}
		res, err := workflow.Apply(cc.state, req, actor, now)
		if domain.ErrorCodeOf(err) == domain.CodeForbidden {
			denied, deniedErr = cc.cs, err
			return nil
		}
		// The step was judged against the case as it is now. A caller who read another version
		// raced a decision they have not seen: that is a conflict to reload, not a refusal on
		// grounds (a used-up extension, a stage already left) they could not know about.
		if cc.cs.Version != in.Version {
			return staleCase()
		}
		if err != nil {
			return err
		}
		if out, err = s.persist(ctx, p, cc, &in, req, res, now); err != nil {
			return err
		}
		// The clocks of the case (and of the case a separation opened) are recomputed with the
		// decision, so what lists and the monitor read is never behind the record.
		if err := s.recomputeFrom(ctx, out.Case, out.Accused, now); err != nil {
			return err
		}
		if res.Transition.Effect == workflow.EffectSplit && out.Decision.TargetCaseID != "" {
			return s.recomputeClocks(ctx, out.Decision.TargetCaseID, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.decide", "case", caseID, denied.UnitID, domain.OutcomeDenied, fmt.Sprintf(`{"step":%q}`, in.Step))); err != nil {
			return nil, err
		}
		return nil, deniedErr
	}
	return out, nil
}

// staleCase is the conflict of a caller who decided on a version of the case that is no longer
// current, the same answer as the conditional UPDATE gives.
func staleCase() error {
	return &domain.Error{Code: domain.CodeConflict, Message: "hồ sơ đã được người khác cập nhật; hãy tải lại và thử lại",
		Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
}

// request resolves the input against the database: the catalog classes of the charges, the
// target case of a joinder, the receiving unit of a transfer, the decision being corrected.
func (s *Procedure) request(ctx context.Context, p *Principal, cc *caseContext, in *DecisionInput) (workflow.Request, error) {
	effective := in.EffectiveOn
	if effective.IsZero() {
		effective = in.IssuedOn
	}
	req := workflow.Request{Step: in.Step, Issuer: in.Issuer, IssuedOn: in.IssuedOn, EffectiveOn: effective, AccusedIDs: in.AccusedIDs,
		MeasureID: in.MeasureID, ReturnedBy: in.ReturnedBy, TargetUnitID: in.TargetUnitID, Measure: in.Measure, RequestedOn: in.RequestedOn, ReceivedAt: in.ReceivedAt}
	// Without a person there is no offence date to read the charges' law by: say what is missing
	// rather than that the Penal Code was not in force in year 1.
	if in.Step == workflow.StepInstituteAccused && in.Person == nil && len(in.AccusedIDs) == 0 {
		return req, domain.Invalid("person", "required", "phải nhập thông tin người bị khởi tố hoặc chọn người đang bị tạm giữ")
	}
	var v domain.Validation
	offence := time.Time{}
	if in.Person != nil {
		offence = in.Person.OffenceDate
	} else if len(in.AccusedIDs) == 1 {
		if a := cc.state.AccusedByID(in.AccusedIDs[0]); a != nil {
			offence = a.OffenceDate
		}
	}
	for i, c := range in.Charges {
		pc, err := s.catalog.Lookup(c.Article, c.Clause, offence)
		if err != nil {
			if de, ok := domain.AsError(err); ok && len(de.Details) > 0 {
				d := de.Details[0]
				v.AddArticle(fmt.Sprintf("charges[%d].%s", i, d.Field), d.Rule, d.Article, d.Message)
				continue
			}
			return req, err
		}
		req.Charges = append(req.Charges, workflow.ChargeInput{Article: pc.Article, Clause: pc.Clause, Point: c.Point, Title: pc.Title, Class: pc.Class})
	}
	if err := v.Err(); err != nil {
		return req, err
	}
	if in.TargetUnitID > 0 {
		u, err := s.units.GetUnit(ctx, in.TargetUnitID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return req, domain.Invalid("target_unit_id", "exists", "đơn vị nhận không tồn tại")
		} else if err != nil {
			return req, err
		}
		if !u.Active {
			return req, domain.Invalid("target_unit_id", "active", "đơn vị nhận đã ngừng hoạt động")
		}
	}
	if in.TargetCaseID != "" {
		tc, err := s.cases.GetCase(ctx, in.TargetCaseID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return req, domain.Invalid("target_case_id", "exists", "vụ án được nhập vào không tồn tại")
		} else if err != nil {
			return req, err
		}
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(tc.Ref(p.User.ID)) {
			return req, domain.Invalid("target_case_id", "exists", "vụ án được nhập vào không tồn tại")
		}
		req.TargetCase = &workflow.TargetCase{ID: tc.ID, UnitID: tc.UnitID, Stage: tc.Stage}
	}
	return req, nil
}

// persist writes what a step does, in the caller's transaction.
func (s *Procedure) persist(ctx context.Context, p *Principal, cc *caseContext, in *DecisionInput, req workflow.Request, res workflow.Result, now time.Time) (*DecisionOutcome, error) {
	cs, t := cc.cs, res.Transition
	legal := strings.TrimSpace(in.LegalBasis)
	if legal == "" {
		legal = t.Article
	}
	d := domain.Decision{ID: mustUUIDv7(), CaseID: cs.ID, Step: t.Step, Type: t.Doc, Number: strings.TrimSpace(in.Number), Issuer: in.Issuer,
		IssuerName: strings.TrimSpace(in.IssuerName), Signer: strings.TrimSpace(in.Signer), IssuedOn: domain.DateOf(req.IssuedOn),
		EffectiveOn: domain.DateOf(req.EffectiveOn), AccusedIDs: in.AccusedIDs, MeasureID: in.MeasureID, LegalBasis: legal, Note: in.Note,
		FileID: in.FileID, RequestedOn: in.RequestedOn, ReceivedAt: in.ReceivedAt, RequiresApproval: res.Status == domain.DecisionPending, SupersedesID: in.SupersedesID, ReturnedBy: in.ReturnedBy,
		ReplaceCharges: in.ReplaceCharges, FromStage: res.From, ToStage: res.To, TargetUnitID: in.TargetUnitID, TargetCaseID: in.TargetCaseID,
		UnitID: cs.UnitID, RecordedBy: p.User.ID, RecordedAt: now, Status: res.Status}
	adv := CaseAdvance{Stage: res.To}
	pending := res.Status == domain.DecisionPending
	var newAccused *domain.Accused
	var newMeasure *domain.Measure

	// Subjects created by the step get their ids before the decision row, which names them.
	switch t.Effect {
	case workflow.EffectNewAccused:
		if len(in.AccusedIDs) == 0 {
			pi := in.Person
			newAccused = &domain.Accused{ID: mustUUIDv7(), CaseID: cs.ID, FullName: strings.TrimSpace(pi.FullName), NationalID: pi.NationalID,
				BirthDate: pi.BirthDate, Gender: pi.Gender, Address: strings.TrimSpace(pi.Address), OffenceDate: domain.DateOf(pi.OffenceDate),
				Status: res.AccusedTo[""], CreatedAt: now}
			d.AccusedIDs = []string{newAccused.ID}
			delete(res.AccusedTo, "")
		}
	case workflow.EffectNewMeasure, workflow.EffectExtendMeasure:
		m := domain.Measure{ID: mustUUIDv7(), CaseID: cs.ID, AccusedID: in.AccusedIDs[0], Kind: workflow.MeasureKindOf(t.Step), Stage: res.Measure.Stage,
			StartAt: res.Measure.StartAt, OrderedEnd: res.Measure.OrderedEnd, Status: res.MeasureTo[""], CreatedAt: now}
		if t.Effect == workflow.EffectExtendMeasure {
			_, prev := cc.state.MeasureByID(in.MeasureID)
			m.Kind, m.ExtendsID, m.ExtensionNo = prev.Kind, prev.ID, prev.ExtensionNo+1
		}
		delete(res.MeasureTo, "")
		newMeasure = &m
		d.MeasureID = m.ID
	}

	// The one door: the case row moves (or at least bumps its version) first, which also locks
	// it for the rest of the transaction.
	switch t.Effect {
	case workflow.EffectBecomeCase:
		if !pending && cs.Kind == domain.KindReport {
			seq, err := s.cases.NextCaseSeq(ctx, cs.UnitID, cs.Year, domain.KindCase)
			if err != nil {
				return nil, err
			}
			kind, number, report := domain.KindCase, fmt.Sprintf("%d/%d/%s", seq, cs.Year, domain.KindCase.NumberTag()), cs.Number
			adv.Kind, adv.Seq, adv.Number, adv.ReportNumber = &kind, &seq, &number, &report
		}
	case workflow.EffectSummaryOn, workflow.EffectSummaryOff:
		on := t.Effect == workflow.EffectSummaryOn
		adv.SummaryProcedure = &on
	case workflow.EffectTransfer:
		// The receiving unit enters the case in its own register under its next number; the
		// exchange code never changes, and the old number stays in the unit history.
		seq, err := s.cases.NextCaseSeq(ctx, in.TargetUnitID, cs.Year, cs.Kind)
		if err != nil {
			return nil, err
		}
		number := fmt.Sprintf("%d/%d/%s", seq, cs.Year, cs.Kind.NumberTag())
		adv.UnitID, adv.Seq, adv.Number = &in.TargetUnitID, &seq, &number
	case workflow.EffectJoin:
		adv.JoinedInto = &in.TargetCaseID
	}
	if err := s.proc.AdvanceCase(ctx, cs.ID, in.Version, adv, now); err != nil {
		return nil, err
	}
	var split *domain.Case
	if t.Effect == workflow.EffectSplit {
		var err error
		if split, err = s.splitCase(ctx, p, cs, now); err != nil {
			return nil, err
		}
		d.TargetCaseID = split.ID
	}
	if err := s.proc.InsertDecision(ctx, &d); err != nil {
		return nil, err
	}
	if split != nil {
		// The accused separated go with their charges and measures; the new case's record opens
		// with the same decision, pointing back.
		if err := s.proc.MoveAccused(ctx, d.AccusedIDs, split.ID, now); err != nil {
			return nil, err
		}
		nd := d
		nd.ID, nd.CaseID, nd.TargetCaseID, nd.FromStage, nd.ToStage, nd.Seq = mustUUIDv7(), split.ID, cs.ID, split.Stage, split.Stage, 0
		if err := s.proc.InsertDecision(ctx, &nd); err != nil {
			return nil, err
		}
		if err := s.audit.Record(ctx, p.audit(now, "case.create", "case", split.ID, cs.UnitID, domain.OutcomeSuccess,
			fmt.Sprintf(`{"number":%q,"code":%q,"split_from":%q}`, split.Number, split.Code, cs.ID))); err != nil {
			return nil, err
		}
	}
	if newAccused != nil {
		newAccused.DecisionID = d.ID
		if err := s.proc.InsertAccused(ctx, *newAccused); err != nil {
			return nil, err
		}
	}
	if len(req.Charges) > 0 {
		var charges []domain.Charge
		for _, accusedID := range d.AccusedIDs {
			offence := domain.DateOf(now)
			if newAccused != nil {
				offence = newAccused.OffenceDate
			} else if a := cc.state.AccusedByID(accusedID); a != nil {
				offence = a.OffenceDate
			}
			for _, c := range req.Charges {
				charges = append(charges, domain.Charge{ID: mustUUIDv7(), AccusedID: accusedID, Article: c.Article, Clause: c.Clause, Point: c.Point,
					Title: c.Title, Class: c.Class, OffenceDate: offence, DecisionID: d.ID, Proposed: pending, CreatedAt: now})
			}
		}
		if err := s.proc.InsertCharges(ctx, charges); err != nil {
			return nil, err
		}
		if t.Effect == workflow.EffectCharges && in.ReplaceCharges && !pending {
			for _, accusedID := range d.AccusedIDs {
				if err := s.proc.EndCharges(ctx, accusedID, d.ID, d.ID); err != nil {
					return nil, err
				}
			}
		}
	}
	for id, st := range res.AccusedTo {
		if err := s.proc.SetAccusedStatus(ctx, id, st, now); err != nil {
			return nil, err
		}
	}
	if newMeasure != nil {
		newMeasure.DecisionID = d.ID
		if err := s.proc.InsertMeasure(ctx, *newMeasure); err != nil {
			return nil, err
		}
	}
	for id, st := range res.MeasureTo {
		if err := s.setMeasure(ctx, cc.state, id, st, d, now); err != nil {
			return nil, err
		}
	}
	if t.Effect == workflow.EffectTransfer {
		if err := s.proc.RecordFormerUnit(ctx, cs.ID, cs.UnitID, cs.Number, d.ID, now); err != nil {
			return nil, err
		}
		if err := s.proc.EndTeam(ctx, cs.ID, p.User.ID, now); err != nil {
			return nil, err
		}
	}
	detail, _ := json.Marshal(map[string]any{"step": t.Step, "decision": d.ID, "from": res.From, "to": res.To, "status": d.Status,
		"accused": d.AccusedIDs, "measure": d.MeasureID, "target_unit": in.TargetUnitID})
	if err := s.audit.Record(ctx, p.audit(now, "case.decide", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return nil, err
	}
	if t.Effect == workflow.EffectTransfer {
		// The receiving unit's audit trail shows the arrival too.
		if err := s.audit.Record(ctx, p.audit(now, "case.transfer_in", "case", cs.ID, in.TargetUnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return nil, err
		}
	}
	return s.outcome(ctx, cs.ID, d.ID)
}

// correct records a correction (đính chính) of a decision in force: a new decision of the same
// step with the corrected document data (number, dates, issuer, signer, basis, note, file) that
// supersedes the old one. The step is not taken again, so nothing but the record changes: the
// case keeps its stage and the accused and measures their state.
func (s *Procedure) correct(ctx context.Context, p *Principal, cc *caseContext, actor workflow.Actor, in *DecisionInput, now time.Time) (*DecisionOutcome, error) {
	var old *domain.Decision
	for i := range cc.state.Decisions {
		if cc.state.Decisions[i].ID == in.SupersedesID {
			old = &cc.state.Decisions[i]
		}
	}
	if old == nil {
		return nil, domain.Invalid("supersedes_id", "exists", "quyết định được đính chính không thuộc hồ sơ này")
	}
	if old.Step != in.Step {
		return nil, domain.Invalid("supersedes_id", "same_step", "quyết định đính chính phải cùng loại thao tác với quyết định bị thay thế")
	}
	switch old.Status {
	case domain.DecisionSuperseded:
		return nil, &domain.Error{Code: domain.CodeConflict, Message: "quyết định này đã được đính chính; hãy đính chính quyết định mới nhất",
			Details: []domain.Detail{{Field: "supersedes_id", Rule: "superseded"}}}
	case domain.DecisionEffective, domain.DecisionApproved:
	default:
		return nil, domain.Invalid("supersedes_id", "in_force", "chỉ đính chính quyết định đang có hiệu lực; quyết định chờ phê chuẩn thì phê chuẩn hoặc hủy bỏ trước")
	}
	effective := in.EffectiveOn
	if effective.IsZero() {
		effective = in.IssuedOn
	}
	if err := workflow.CheckCorrection(cc.state, *old, workflow.Request{Step: in.Step, Issuer: in.Issuer, IssuedOn: in.IssuedOn, EffectiveOn: effective, RequestedOn: in.RequestedOn, ReceivedAt: in.ReceivedAt},
		actor, now); err != nil {
		return nil, err
	}
	legal := strings.TrimSpace(in.LegalBasis)
	if legal == "" {
		legal = old.LegalBasis
	}
	d := *old
	d.ID, d.Seq, d.Number, d.Issuer, d.IssuerName, d.Signer = mustUUIDv7(), 0, strings.TrimSpace(in.Number), in.Issuer, strings.TrimSpace(in.IssuerName), strings.TrimSpace(in.Signer)
	d.IssuedOn, d.EffectiveOn, d.LegalBasis, d.Note, d.FileID = domain.DateOf(in.IssuedOn), domain.DateOf(effective), legal, in.Note, in.FileID
	d.SupersedesID, d.RequiresApproval, d.DecidesID, d.UnitID, d.RecordedBy, d.RecordedAt = old.ID, false, "", cc.cs.UnitID, p.User.ID, now
	// A correction may give or correct the dates of the request and of the receipt.
	if in.RequestedOn != nil {
		d.RequestedOn = in.RequestedOn
	}
	if in.ReceivedAt != nil {
		d.ReceivedAt = in.ReceivedAt
	}
	if err := s.proc.AdvanceCase(ctx, cc.cs.ID, in.Version, CaseAdvance{Stage: cc.cs.Stage}, now); err != nil {
		return nil, err
	}
	if err := s.proc.InsertDecision(ctx, &d); err != nil {
		return nil, err
	}
	detail, _ := json.Marshal(map[string]any{"step": d.Step, "decision": d.ID, "supersedes": old.ID})
	if err := s.audit.Record(ctx, p.audit(now, "case.correct", "case", cc.cs.ID, cc.cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return nil, err
	}
	return s.outcome(ctx, cc.cs.ID, d.ID)
}

// splitCase opens the case that a separation (tách vụ án, Điều 170) creates: a case of the same
// unit, stage, offence and secrecy, numbered in the unit's register for the current year, whose
// summary says where it comes from. Its team is assigned afterwards by the unit's chief.
func (s *Procedure) splitCase(ctx context.Context, p *Principal, from *domain.Case, now time.Time) (*domain.Case, error) {
	year := now.In(VietnamTime).Year()
	seq, err := s.cases.NextCaseSeq(ctx, from.UnitID, year, domain.KindCase)
	if err != nil {
		return nil, err
	}
	summary := []rune("Tách từ vụ án " + from.Number + " (" + from.Code + "): " + from.Summary)
	if len(summary) > domain.MaxSummaryLength {
		summary = summary[:domain.MaxSummaryLength]
	}
	cs := &domain.Case{ID: mustUUIDv7(), Kind: domain.KindCase, UnitID: from.UnitID, UnitPath: from.UnitPath, UnitCode: from.UnitCode, Stage: from.Stage,
		ReceivedAt: now, Channel: from.Channel, SourceType: domain.SourceSplit, Summary: string(summary), ReporterName: from.ReporterName,
		ReporterKind: from.ReporterKind, ReporterContact: from.ReporterContact, Offence: from.Offence, Secret: from.Secret, Version: 1,
		CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Year: year, Seq: seq, SummaryProcedure: from.SummaryProcedure, SplitFrom: from.ID}
	cs.Number = fmt.Sprintf("%d/%d/%s", seq, year, domain.KindCase.NumberTag())
	cs.Code = CaseCode(from.UnitCode, year, domain.KindCase, seq)
	if err := s.cases.InsertCase(ctx, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// setMeasure moves a measure to a status. An end (release, replacement, refusal) is dated by the
// decision: the moment of recording when it takes effect today, otherwise the start of its
// effective day, never before the measure began.
func (s *Procedure) setMeasure(ctx context.Context, st *workflow.CaseState, id string, status domain.MeasureStatus, d domain.Decision, now time.Time) error {
	if status == domain.MeasureActive || status == domain.MeasurePending {
		return s.proc.SetMeasureStatus(ctx, id, status, nil, "")
	}
	end := d.EffectiveOn
	if end.Equal(domain.DateOf(now)) {
		end = now
	}
	if _, m := st.MeasureByID(id); m != nil && end.Before(m.StartAt) {
		end = m.StartAt
	}
	return s.proc.SetMeasureStatus(ctx, id, status, &end, d.ID)
}

func (s *Procedure) outcome(ctx context.Context, caseID, decisionID string) (*DecisionOutcome, error) {
	cs, err := s.cases.GetCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	d, err := s.proc.GetDecision(ctx, decisionID)
	if err != nil {
		return nil, err
	}
	accused, err := s.proc.ListAccused(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return &DecisionOutcome{Case: cs, Decision: d, Accused: accused}, nil
}

// AccusedCase finds the case an accused belongs to, for the accused-scoped endpoints; an accused
// of a case outside the caller's scope is not found.
func (s *Procedure) AccusedCase(ctx context.Context, p *Principal, accusedID string) (string, error) {
	if !validUUID(accusedID) {
		return "", domain.NotFound("bị can")
	}
	a, err := s.proc.GetAccused(ctx, accusedID)
	if err != nil {
		return "", err
	}
	cs, err := s.cases.GetCase(ctx, a.CaseID)
	if err != nil {
		return "", err
	}
	if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cs.Ref(p.User.ID)) {
		return "", domain.NotFound("bị can")
	}
	return a.CaseID, nil
}

// RegisterSuspect records a person held, arrested or in custody who is not yet instituted as an
// accused (người bị giữ, bị bắt, bị tạm giữ), so that their measures can be recorded.
func (s *Procedure) RegisterSuspect(ctx context.Context, p *Principal, caseID string, version int, pi PersonInput) (*DecisionOutcome, error) {
	in := DecisionInput{Version: version, Step: "register_suspect", Issuer: domain.IssuerProcuracy, Person: &pi}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	if domain.DateOf(pi.OffenceDate).After(domain.DateOf(now)) {
		return nil, domain.Invalid("person.offence_date", "not_future", "ngày thực hiện hành vi không được ở tương lai")
	}
	var out *DecisionOutcome
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cc, actor, err := s.begin(ctx, p, caseID, domain.ActCaseDecide, "hồ sơ")
		if err != nil {
			return err
		}
		own := false
		for _, g := range actor.Grants {
			own = own || g.AtCaseUnit
		}
		if !own {
			return domain.Forbidden("chỉ đơn vị đang thụ lý được ghi nhận người bị tạm giữ")
		}
		if cc.cs.Stage.Final() {
			return domain.Invalid("step", "case_stage", "hồ sơ đã kết thúc")
		}
		if err := s.proc.AdvanceCase(ctx, caseID, version, CaseAdvance{Stage: cc.cs.Stage}, now); err != nil {
			return err
		}
		a := domain.Accused{ID: mustUUIDv7(), CaseID: caseID, FullName: strings.TrimSpace(pi.FullName), NationalID: pi.NationalID, BirthDate: pi.BirthDate,
			Gender: pi.Gender, Address: strings.TrimSpace(pi.Address), OffenceDate: domain.DateOf(pi.OffenceDate), Status: domain.AccusedSuspect, CreatedAt: now}
		if err := s.proc.InsertAccused(ctx, a); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, p.audit(now, "case.register_suspect", "case", caseID, cc.cs.UnitID, domain.OutcomeSuccess, fmt.Sprintf(`{"accused":%q}`, a.ID))); err != nil {
			return err
		}
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		accused, err := s.proc.ListAccused(ctx, caseID)
		out = &DecisionOutcome{Case: cs, Accused: accused}
		return err
	})
	return out, err
}

// DecideInput is the procuracy's answer to a pending decision.
type DecideInput struct {
	Version  int
	Outcome  domain.Outcome
	Number   string
	Signer   string
	IssuedOn time.Time
	Note     string
}

// Decide approves (phê chuẩn), refuses or cancels a decision awaiting the procuracy's approval,
// with a procuracy decision of its own, and carries out what that means: the accused becomes an
// accused, the detention order may be executed, or, on refusal, the person is to be released.
func (s *Procedure) Decide(ctx context.Context, p *Principal, decisionID string, in DecideInput) (*DecisionOutcome, error) {
	if !validUUID(decisionID) {
		return nil, domain.NotFound("quyết định")
	}
	var v domain.Validation
	if in.Version <= 0 {
		v.Add("version", "required", "phải gửi version của hồ sơ đã đọc")
	}
	if !in.Outcome.Valid() {
		v.Add("outcome", "enum", "kết quả là approve (phê chuẩn), refuse (không phê chuẩn) hoặc cancel (hủy bỏ)")
	}
	if len([]rune(in.Number)) > 100 || len([]rune(in.Signer)) > 200 || len([]rune(in.Note)) > 4000 {
		v.Add("note", "length", "số tối đa 100, người ký 200, ghi chú 4.000 ký tự")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *DecisionOutcome
	var denied *domain.Case
	var deniedErr error = domain.Forbidden("chỉ Viện trưởng, Phó Viện trưởng được phê chuẩn")
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		pd, err := s.proc.GetDecision(ctx, decisionID)
		if err != nil {
			return err
		}
		cc, actor, err := s.begin(ctx, p, pd.CaseID, domain.ActCaseApprove, "quyết định")
		if err != nil {
			return err
		}
		if len(actor.Grants) == 0 {
			denied = cc.cs
			return nil
		}
		res, err := workflow.Decide(cc.state, pd, in.Outcome, actor, in.IssuedOn, now)
		if domain.ErrorCodeOf(err) == domain.CodeForbidden {
			denied, deniedErr = cc.cs, err
			return nil
		} else if err != nil {
			return err
		}
		doc := map[domain.Outcome]domain.DocType{domain.OutcomeApprove: workflow.DocApproval, domain.OutcomeRefuse: workflow.DocRefusal,
			domain.OutcomeCancel: workflow.DocCancellation}[in.Outcome]
		if err := s.proc.AdvanceCase(ctx, cc.cs.ID, in.Version, CaseAdvance{Stage: res.To}, now); err != nil {
			return err
		}
		d := domain.Decision{ID: mustUUIDv7(), CaseID: cc.cs.ID, Step: StepDecideApproval, Type: doc, Number: strings.TrimSpace(in.Number),
			Issuer: domain.IssuerProcuracy, Signer: strings.TrimSpace(in.Signer), IssuedOn: domain.DateOf(in.IssuedOn), EffectiveOn: domain.DateOf(in.IssuedOn),
			AccusedIDs: pd.AccusedIDs, MeasureID: pd.MeasureID, LegalBasis: res.Transition.Approval.Article, Note: in.Note, DecidesID: pd.ID,
			Outcome: in.Outcome, FromStage: res.From, ToStage: res.To, UnitID: cc.cs.UnitID, RecordedBy: p.User.ID, RecordedAt: now}
		if err := s.proc.InsertDecision(ctx, &d); err != nil {
			return err
		}
		switch res.Transition.Effect {
		case workflow.EffectNewAccused, workflow.EffectCharges:
			if err := s.proc.SettleProposedCharges(ctx, pd.ID, in.Outcome == domain.OutcomeApprove, d.ID); err != nil {
				return err
			}
			if in.Outcome == domain.OutcomeApprove && pd.ReplaceCharges {
				for _, id := range pd.AccusedIDs {
					if err := s.proc.EndCharges(ctx, id, d.ID, pd.ID); err != nil {
						return err
					}
				}
			}
		}
		for id, st := range res.AccusedTo {
			if err := s.proc.SetAccusedStatus(ctx, id, st, now); err != nil {
				return err
			}
		}
		for id, st := range res.MeasureTo {
			if err := s.setMeasure(ctx, cc.state, id, st, d, now); err != nil {
				return err
			}
		}
		detail, _ := json.Marshal(map[string]any{"decision": d.ID, "decides": pd.ID, "step": pd.Step, "outcome": in.Outcome})
		if err := s.audit.Record(ctx, p.audit(now, "case.approve", "case", cc.cs.ID, cc.cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		if out, err = s.outcome(ctx, cc.cs.ID, d.ID); err != nil {
			return err
		}
		return s.recomputeFrom(ctx, out.Case, out.Accused, now)
	})
	if err != nil {
		if de, ok := domain.AsError(err); ok && de.Code == domain.CodeConflict && len(de.Details) > 0 && de.Details[0].Field == "decision_id" {
			// The unique answer index: another approver answered first.
			return nil, &domain.Error{Code: domain.CodeConflict, Message: "quyết định này đã được phê chuẩn hoặc từ chối", Details: []domain.Detail{{Field: "decision_id", Rule: "answered"}}, Err: err}
		}
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.approve", "case", denied.ID, denied.UnitID, domain.OutcomeDenied, fmt.Sprintf(`{"decision":%q}`, decisionID))); err != nil {
			return nil, err
		}
		return nil, deniedErr
	}
	return out, nil
}

// Decision returns one decision of a case the caller may read; the read is audited like the case's.
func (s *Procedure) Decision(ctx context.Context, p *Principal, id string) (domain.Decision, error) {
	if !validUUID(id) {
		return domain.Decision{}, domain.NotFound("quyết định")
	}
	now := s.clock.Now()
	var d domain.Decision
	denied := false
	var unitID int64
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.proc.GetDecision(ctx, id); err != nil {
			return err
		}
		cs, err := s.cases.GetCase(ctx, d.CaseID)
		if err != nil {
			return err
		}
		unitID = cs.UnitID
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cs.Ref(p.User.ID)) {
			denied = true
			return nil
		}
		return s.audit.Record(ctx, p.audit(now, "case.decision_read", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, fmt.Sprintf(`{"decision":%q}`, id)))
	})
	if err != nil {
		return domain.Decision{}, err
	}
	if denied {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.decision_read", "case", d.CaseID, unitID, domain.OutcomeDenied, fmt.Sprintf(`{"decision":%q}`, id))); err != nil {
			return domain.Decision{}, err
		}
		return domain.Decision{}, domain.NotFound("quyết định")
	}
	return d, nil
}

// StepDecideApproval is the step of the procuracy's answers to pending decisions; it is not a row
// of the transition table because it carries out the row of the decision it answers.
const StepDecideApproval domain.Step = "decide_approval"

// Timeline is a case's history for one who may read it: every decision in recording order, with
// the accused, their charges and measures. The read is audited like a case read.
type Timeline struct {
	Case      *domain.Case
	Decisions []domain.Decision
	Accused   []domain.Accused
	Class     domain.SeverityClass
}

// readCase runs a read of a case's procedural state for one who may read the case: loaded in one
// transaction, the read audited as action in it, fn given the state and now. A case out of scope
// is not found, and the refused read is audited in its own transaction.
func (s *Procedure) readCase(ctx context.Context, p *Principal, caseID, action string, fn func(ctx context.Context, cc *caseContext, now time.Time) error) error {
	if !validUUID(caseID) {
		return domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	denied := false
	var unitID int64
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cc, err := s.load(ctx, caseID, false)
		if err != nil {
			return err
		}
		unitID = cc.cs.UnitID
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cc.cs.Ref(p.User.ID)) {
			denied = true
			return nil
		}
		if err := fn(ctx, cc, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, action, "case", caseID, cc.cs.UnitID, domain.OutcomeSuccess, ""))
	})
	if err != nil {
		return err
	}
	if denied {
		if err := recordDenied(ctx, s.audit, p.audit(now, action, "case", caseID, unitID, domain.OutcomeDenied, "")); err != nil {
			return err
		}
		return domain.NotFound("hồ sơ")
	}
	return nil
}

// Timeline returns a case's procedural history; out of scope is not found.
func (s *Procedure) Timeline(ctx context.Context, p *Principal, caseID string) (*Timeline, error) {
	var out *Timeline
	err := s.readCase(ctx, p, caseID, "case.timeline", func(_ context.Context, cc *caseContext, _ time.Time) error {
		out = &Timeline{Case: cc.cs, Decisions: cc.state.Decisions, Accused: cc.state.Accused, Class: cc.state.Class}
		return nil
	})
	return out, err
}

// Deadlines are a case's time limits at now, computed by the deadline engine from the case's
// decisions, accused and measures and the legal calendar, most urgent first.
type Deadlines struct {
	Case   *domain.Case
	Class  domain.SeverityClass
	Clocks []workflow.Clock
	At     time.Time
	// Assumed is the rule whose next extension the answer assumes granted, or "".
	Assumed workflow.RuleID
}

// Deadlines computes every time limit of a case the caller may read; the read is audited like a
// case read and out of scope is not found. They are computed at the moment of the read (the
// stored copy, for lists, is in GET /deadlines). assume, when set, names a rule whose open period
// is shown as if its next extension were granted ("what if"), or is refused with the article that
// forbids it.
func (s *Procedure) Deadlines(ctx context.Context, p *Principal, caseID string, assume workflow.RuleID) (*Deadlines, error) {
	var out *Deadlines
	err := s.readCase(ctx, p, caseID, "case.deadlines", func(ctx context.Context, cc *caseContext, now time.Time) error {
		clocks := workflow.Clocks(cc.state, cc.state.Calendar, now)
		if assume != "" {
			var err error
			if clocks, err = workflow.AssumeExtension(cc.state, clocks, assume, cc.state.Calendar, now); err != nil {
				return err
			}
		}
		workflow.SortByUrgency(clocks)
		out = &Deadlines{Case: cc.cs, Class: cc.state.Class, Clocks: clocks, At: now, Assumed: assume}
		return nil
	})
	return out, err
}

// PendingApprovals lists the decisions awaiting the caller's approval across the units they may
// approve for.
func (s *Procedure) PendingApprovals(ctx context.Context, p *Principal, f ApprovalFilter) ([]PendingApproval, int64, error) {
	if f.Limit <= 0 {
		f.Limit = domain.DefaultPageSize
	}
	if f.Limit > domain.MaxPageSize {
		return nil, 0, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	// Approval belongs to the procuracy supervising the case (no approval row names other levels):
	// list only what the caller could approve, the cases of the units of their own grants.
	scope := s.authz.Scope(p, domain.ActCaseApprove)
	for i := range scope.Entries {
		scope.Entries[i].Subtree = false
	}
	if f.Offset > 100000 {
		return nil, 0, domain.Invalid("offset", "max", "offset tối đa 100.000")
	}
	if f.UnitID != nil {
		u, err := s.units.GetUnit(ctx, *f.UnitID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound || (err == nil && !scope.PermitsUnit(u.ID, u.Path) && !reachesBelow(scope, u.Path)) {
			return nil, 0, domain.NotFound("đơn vị")
		} else if err != nil {
			return nil, 0, err
		}
	}
	items, total, err := s.proc.ListPendingApprovals(ctx, scope, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "case.approvals_list", "case", "", p.User.UnitID, domain.OutcomeSuccess, fmt.Sprintf(`{"returned":%d}`, len(items)))); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}
