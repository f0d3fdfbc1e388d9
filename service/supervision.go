package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kiemsat/domain"
)

// SupervisionStore keeps the records of supervision across levels: instructions (chỉ đạo),
// requests for case files (yêu cầu chuyển hồ sơ), the public-interest flag of cases and each
// user's subscriptions (theo dõi). Every method joins the caller's transaction.
type SupervisionStore interface {
	InsertInstruction(ctx context.Context, in *domain.Instruction) error
	GetInstruction(ctx context.Context, id string) (domain.Instruction, error)
	// UpdateInstruction writes in over the row if it is still at version; otherwise a conflict.
	UpdateInstruction(ctx context.Context, in *domain.Instruction, version int) error
	ListInstructions(ctx context.Context, scope domain.Scope, f domain.InstructionFilter) ([]domain.Instruction, int64, error)
	// InsertFileRequest adds a request; a second pending one of the same unit and case conflicts.
	InsertFileRequest(ctx context.Context, r *domain.FileRequest) error
	GetFileRequest(ctx context.Context, id string) (domain.FileRequest, error)
	UpdateFileRequest(ctx context.Context, r *domain.FileRequest, version int) error
	// ListFileRequests lists the requests on the cases in scope and those userID made.
	ListFileRequests(ctx context.Context, scope domain.Scope, userID string, f domain.FileRequestFilter) ([]domain.FileRequest, int64, error)
	CasePublicInterest(ctx context.Context, caseID string) (domain.PublicInterestMark, error)
	// SetCasePublicInterest sets the flag on the case at version (else a conflict), with its
	// change-feed entry.
	SetCasePublicInterest(ctx context.Context, caseID string, on bool, version int, now time.Time) error
	// InsertSubscription adds a subscription unless its owner keeps max already (422).
	InsertSubscription(ctx context.Context, sub *domain.Subscription, max int) error
	GetSubscription(ctx context.Context, userID, id string) (domain.Subscription, error)
	ListSubscriptions(ctx context.Context, userID string, limit, offset int) ([]domain.Subscription, int64, error)
	DeleteSubscription(ctx context.Context, userID, id string) error
	// MatchSubscription lists the cases in scope that meet the criteria at now.
	MatchSubscription(ctx context.Context, scope domain.Scope, sub domain.Subscription, now time.Time, limit, offset int) ([]domain.SubscriptionMatch, int64, error)
	// SubscriptionsToCheck returns up to limit subscriptions, the least recently checked first.
	SubscriptionsToCheck(ctx context.Context, limit int) ([]domain.Subscription, error)
	// LockSubscription locks a subscription for the caller's transaction; ok is false when it is
	// gone or another sweep holds it.
	LockSubscription(ctx context.Context, id string) (sub domain.Subscription, ok bool, err error)
	// UnseenSubscriptionMatches is MatchSubscription's first page without the cases already
	// recorded for the subscription.
	UnseenSubscriptionMatches(ctx context.Context, scope domain.Scope, sub domain.Subscription, now time.Time, limit int) ([]domain.SubscriptionMatch, error)
	// RecordSubscriptionMatches records cases as seen by a subscription and returns those not
	// recorded before.
	RecordSubscriptionMatches(ctx context.Context, subscriptionID string, caseIDs []string, notified bool, at time.Time) ([]string, error)
	// MarkSubscriptionChecked records a sweep's evaluation, and that the baseline is done.
	MarkSubscriptionChecked(ctx context.Context, id string, at time.Time, baselineDone bool) error
	// NotifySupervision writes an in-app notification of ev to the users named and the leaders of
	// a unit, never to the actor, with the event recorded as delivered.
	NotifySupervision(ctx context.Context, ev domain.OutboxEvent, n domain.Notification, users []string, leadersOf int64, actor string) (int, error)
}

// Topics of supervision events; they are also the kinds of the notifications they make.
const (
	TopicInstructionIssued    = "instruction.issued"
	TopicInstructionAnswered  = "instruction.answered"
	TopicInstructionReopened  = "instruction.reopened"
	TopicInstructionClosed    = "instruction.closed"
	TopicInstructionCancelled = "instruction.cancelled"
	TopicFileRequested        = "file_request.created"
	TopicFileRequestAnswered  = "file_request.answered"
	// TopicSubscriptionMatched tells a subscriber of a case that newly matches a subscription (or,
	// past SubscriptionNoticeLimit in one sweep, of how many did).
	TopicSubscriptionMatched = "subscription.matched"
)

// Supervision holds the use cases of supervision across levels: a superior unit's leaders
// instruct on a case and follow the instruction to its end, a superior unit asks for a case file,
// a case's people mark it as followed by public opinion, and anyone who reads cases subscribes to
// those meeting criteria.
type Supervision struct {
	tx    TxRunner
	store SupervisionStore
	cases CaseStore
	units UnitStore
	users UserStore
	authz *Authz
	audit Auditor
	clock Clock
	// SweepSubscriptions bounds how many subscriptions one sweep evaluates, SweepMatches how many
	// new cases it records per subscription; the rest wait for the next sweep.
	SweepSubscriptions, SweepMatches int
}

// NewSupervision wires the supervision use cases.
func NewSupervision(tx TxRunner, store SupervisionStore, cases CaseStore, units UnitStore, users UserStore, authz *Authz, audit Auditor, clock Clock) *Supervision {
	return &Supervision{tx: tx, store: store, cases: cases, units: units, users: users, authz: authz, audit: audit, clock: clock,
		SweepSubscriptions: 200, SweepMatches: 200}
}

// readable reports whether the caller may read the case: the rule every supervision record of a
// case follows first, so that an unreadable case answers 404 whatever else is asked.
func (s *Supervision) readable(p *Principal, cs *domain.Case) bool {
	return s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cs.Ref(p.User.ID))
}

// entries returns the caller's entries of act that reach the case by unit and condition. Secrecy
// is left to case.read, which every use case checks first: the supervision actions carry no
// secret-unit reach of their own.
func (s *Supervision) entries(p *Principal, act domain.Action, cs *domain.Case) []domain.ScopeEntry {
	ref := cs.Ref(p.User.ID)
	ref.Secret, ref.FormerUnits = false, nil
	var out []domain.ScopeEntry
	for _, e := range s.authz.Scope(p, act).Entries {
		if (domain.Scope{Entries: []domain.ScopeEntry{e}}).PermitsCase(ref) {
			out = append(out, e)
		}
	}
	return out
}

// nearest picks, of the entries, the one at the deepest unit: a leader holding grants at several
// levels acts for the unit closest to the case.
func nearest(es []domain.ScopeEntry, keep func(domain.ScopeEntry) bool) (domain.ScopeEntry, bool) {
	var best domain.ScopeEntry
	found := false
	for _, e := range es {
		if keep != nil && !keep(e) {
			continue
		}
		if !found || e.UnitPath.Depth() > best.UnitPath.Depth() {
			best, found = e, true
		}
	}
	return best, found
}

// checkUnit refuses a unit filter naming a unit that does not exist (422) or that the caller's
// case scope reaches neither at nor below (404, as if it did not exist).
func (s *Supervision) checkUnit(ctx context.Context, p *Principal, unitID *int64) error {
	if unitID == nil {
		return nil
	}
	u, err := s.units.GetUnit(ctx, *unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Invalid("unit_id", "exists", "đơn vị không tồn tại")
	} else if err != nil {
		return err
	}
	scope := s.authz.Scope(p, domain.ActCaseRead)
	if !scope.PermitsUnit(u.ID, u.Path) && !reachesBelow(scope, u.Path) {
		return domain.NotFound("đơn vị")
	}
	return nil
}

func checkStatuses[T ~string](field string, vals []string, valid func(T) bool, known []T) error {
	for _, v := range vals {
		if !valid(T(v)) {
			return domain.Invalid(field, "enum", "trạng thái là một trong: "+strings.Join(strs(known), ", "))
		}
	}
	return nil
}

// checkVersion refuses a missing version (422) and a stale one (409) before anything else about a
// change is judged: a caller who read an older state is told so, not told what else is wrong.
func checkVersion(version, current int, what string) error {
	if version <= 0 {
		return domain.Invalid("version", "required", "phải gửi version của "+what+" đã đọc")
	}
	if version != current {
		return &domain.Error{Code: domain.CodeConflict, Message: what + " đã được người khác cập nhật; hãy tải lại và thử lại",
			Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
	}
	return nil
}

// notify writes an in-app notification of a supervision event in the change's transaction, so the
// message exists exactly when the change does.
func (s *Supervision) notify(ctx context.Context, p *Principal, topic, entityID string, version int, cs *domain.Case, unitID int64,
	users []string, leadersOf int64, titleVI, titleEN, bodyVI, bodyEN string, now time.Time) error {
	payload, _ := json.Marshal(map[string]any{"id": entityID, "case_id": cs.ID, "case_number": cs.Number})
	ev := domain.OutboxEvent{DedupKey: fmt.Sprintf("%s:%s:v%d", topic, entityID, version), Topic: topic, CaseID: cs.ID, UnitID: unitID,
		Payload: payload, CreatedAt: now}
	n := domain.Notification{CaseID: cs.ID, UnitID: unitID, Kind: topic, TitleVI: titleVI, TitleEN: titleEN, BodyVI: bodyVI, BodyEN: bodyEN, CreatedAt: now}
	var named []string
	for _, u := range users {
		if u != "" {
			named = append(named, u)
		}
	}
	_, err := s.store.NotifySupervision(ctx, ev, n, named, leadersOf, p.User.ID)
	return err
}

// excerpt shortens a text for a notification's body.
func excerpt(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

func viDate(t time.Time) string { return t.In(domain.ICT).Format("02/01/2006") }

// --- instructions (chỉ đạo) ---

var errNoInstructRight = domain.Forbidden("chỉ Viện trưởng, Phó Viện trưởng của đơn vị thụ lý hoặc đơn vị cấp trên được chỉ đạo về hồ sơ này")

// Issue records an instruction of a chief or deputy chief on a case of their unit or of a unit
// below it, addressed to the unit in charge of the case (and, if named, one of its prosecutors or
// leaders), with a due date not before today. The issuing unit is the caller's nearest unit above
// or at the case's. The addressees are notified in the same transaction.
func (s *Supervision) Issue(ctx context.Context, p *Principal, caseID string, in domain.InstructionInput) (*domain.Instruction, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out *domain.Instruction
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) {
			return domain.NotFound("hồ sơ")
		}
		issuer, ok := nearest(s.entries(p, domain.ActInstructionIssue, cs), nil)
		if !ok {
			denied = cs
			return nil
		}
		if err := in.Validate(now); err != nil {
			return err
		}
		if in.AddresseeUserID != "" {
			if err := s.checkAddressee(ctx, cs, in.AddresseeUserID); err != nil {
				return err
			}
		}
		ins := &domain.Instruction{ID: mustUUIDv7(), CaseID: cs.ID, IssuerUnitID: issuer.UnitID, AddresseeUnitID: cs.UnitID,
			AddresseeUserID: in.AddresseeUserID, Text: strings.TrimSpace(in.Text), DueOn: domain.DateOf(*in.DueOn), Status: domain.InstrOpen,
			CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.InsertInstruction(ctx, ins); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"instruction": ins.ID, "issuer_unit": ins.IssuerUnitID, "addressee_unit": ins.AddresseeUnitID,
			"addressee": in.AddresseeUserID, "due_on": ins.DueOn.Format(time.DateOnly)})
		if err := s.audit.Record(ctx, p.audit(now, "instruction.create", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		if err := s.notify(ctx, p, TopicInstructionIssued, ins.ID, ins.Version, cs, cs.UnitID, []string{ins.AddresseeUserID}, cs.UnitID,
			"Chỉ đạo về hồ sơ "+cs.Number, "Instruction on case "+cs.Number,
			fmt.Sprintf("%s — thời hạn thực hiện đến ngày %s.", excerpt(ins.Text, 200), viDate(ins.DueOn)),
			fmt.Sprintf("%s — due by %s.", excerpt(ins.Text, 200), viDate(ins.DueOn)), now); err != nil {
			return err
		}
		r, err := s.store.GetInstruction(ctx, ins.ID)
		out = &r
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "instruction.create", "case", denied.ID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, errNoInstructRight
	}
	return out, nil
}

// checkAddressee makes sure a named addressee is an active prosecutor, deputy chief or chief of
// the case's unit: an instruction goes to the unit in charge, not to anyone.
func (s *Supervision) checkAddressee(ctx context.Context, cs *domain.Case, userID string) error {
	if !validUUID(userID) {
		return domain.Invalid("addressee_id", "format", "mã cán bộ nhận chỉ đạo không hợp lệ")
	}
	return checkProsecutorOf(ctx, s.users, cs.UnitID, userID, "addressee_id", "cán bộ nhận chỉ đạo",
		"chỉ đạo gửi kiểm sát viên hoặc lãnh đạo của đơn vị thụ lý hồ sơ")
}

// InstructionMove is a step of an instruction's lifecycle after its issue.
type InstructionMove string

// The steps: the addressed unit responds; the issuing side closes (accepts), reopens (sends the
// report back) or cancels.
const (
	MoveRespond InstructionMove = "respond"
	MoveClose   InstructionMove = "close"
	MoveReopen  InstructionMove = "reopen"
	MoveCancel  InstructionMove = "cancel"
)

// moveTarget is the status each step leads to.
var moveTarget = map[InstructionMove]domain.InstructionStatus{
	MoveRespond: domain.InstrAnswered, MoveClose: domain.InstrClosed, MoveReopen: domain.InstrOpen, MoveCancel: domain.InstrCancelled,
}

// respondsFor reports whether the caller answers for the addressed unit: the person named, or a
// holder of instruction.respond at that unit (its leaders, a prosecutor on the case's team).
func (s *Supervision) respondsFor(p *Principal, in domain.Instruction, cs *domain.Case) bool {
	if in.AddresseeUserID != "" && in.AddresseeUserID == p.User.ID {
		return true
	}
	onTeam := cs.Ref(p.User.ID).OnTeam
	for _, e := range s.authz.Scope(p, domain.ActInstructionRespond).Entries {
		if e.UnitID == in.AddresseeUnitID && (e.Cond != domain.CondAssigned || onTeam) {
			return true
		}
	}
	return false
}

// issuingSide reports whether the caller speaks for the issuing side: the issuer, or a leader of
// the issuing unit (a successor takes over their predecessor's instructions).
func (s *Supervision) issuingSide(p *Principal, in domain.Instruction) bool {
	if in.CreatedBy == p.User.ID {
		return true
	}
	for _, e := range s.authz.Scope(p, domain.ActInstructionIssue).Entries {
		if e.UnitID == in.IssuerUnitID {
			return true
		}
	}
	return false
}

// MoveInstruction takes a step of an instruction's lifecycle: respond (the addressed unit reports
// what it did, text required; open → answered), close (the issuing side accepts the report;
// answered → closed), reopen (the issuing side sends it back with its reason; answered → open) or
// cancel (the issuing side withdraws it with its reason; open or answered → cancelled). The
// caller names the version they read: a stale one is a 409, never an overwrite; a step the status
// does not allow is a 422 naming status and the rule transition.
func (s *Supervision) MoveInstruction(ctx context.Context, p *Principal, id string, move InstructionMove, version int, text string) (*domain.Instruction, error) {
	to, known := moveTarget[move]
	if !known {
		return nil, fmt.Errorf("unknown instruction move %q", move)
	}
	if !validUUID(id) {
		return nil, domain.NotFound("chỉ đạo")
	}
	now := s.clock.Now()
	action := "instruction." + string(move)
	var out *domain.Instruction
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		in, err := s.store.GetInstruction(ctx, id)
		if err != nil {
			return err
		}
		cs, err := s.cases.GetCase(ctx, in.CaseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) {
			return domain.NotFound("chỉ đạo")
		}
		if (move == MoveRespond && !s.respondsFor(p, in, cs)) || (move != MoveRespond && !s.issuingSide(p, in)) {
			denied = cs
			return nil
		}
		if err := checkVersion(version, in.Version, "chỉ đạo"); err != nil {
			return err
		}
		var v domain.Validation
		if !in.Status.CanMoveTo(to) {
			msg := fmt.Sprintf("không thể %s chỉ đạo đang ở trạng thái %s", moveVI[move], in.Status)
			if next := strs(in.Status.MovesFrom()); len(next) > 0 {
				msg += "; chỉ có thể chuyển sang " + strings.Join(next, ", ")
			}
			v.Add("status", "transition", msg)
		}
		switch move {
		case MoveRespond:
			domain.CheckText(&v, "response", text, true, domain.MaxInstructionText)
		case MoveReopen, MoveCancel:
			domain.CheckText(&v, "note", text, true, domain.MaxSupervisionNote)
		default:
			domain.CheckText(&v, "note", text, false, domain.MaxSupervisionNote)
		}
		if err := v.Err(); err != nil {
			return err
		}
		from := in.Status
		text = strings.TrimSpace(text)
		switch move {
		case MoveRespond:
			in.Response, in.RespondedBy, in.RespondedAt = text, p.User.ID, &now
		case MoveReopen:
			in.Note, in.Reopened = text, in.Reopened+1
		default:
			in.Note, in.ClosedAt = text, &now
		}
		in.Status, in.UpdatedAt = to, now
		if err := s.store.UpdateInstruction(ctx, &in, version); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"instruction": in.ID, "from": from, "to": in.Status, "version": in.Version})
		if err := s.audit.Record(ctx, p.audit(now, action, "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		if err := s.notifyMove(ctx, p, move, in, cs, now); err != nil {
			return err
		}
		r, err := s.store.GetInstruction(ctx, in.ID)
		out = &r
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, action, "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"instruction":%q}`, id))); err != nil {
			return nil, err
		}
		if move == MoveRespond {
			return nil, domain.Forbidden("chỉ kiểm sát viên được phân công hoặc lãnh đạo của đơn vị nhận chỉ đạo được báo cáo kết quả")
		}
		return nil, domain.Forbidden("chỉ người ra chỉ đạo hoặc lãnh đạo đơn vị ra chỉ đạo được " + moveVI[move] + " chỉ đạo")
	}
	return out, nil
}

var moveVI = map[InstructionMove]string{MoveRespond: "báo cáo kết quả", MoveClose: "kết thúc", MoveReopen: "yêu cầu thực hiện lại", MoveCancel: "hủy"}

// notifyMove tells the other side of a step: the issuer of a report; the addressees of a
// reopening or a cancellation; the responder of an acceptance.
func (s *Supervision) notifyMove(ctx context.Context, p *Principal, move InstructionMove, in domain.Instruction, cs *domain.Case, now time.Time) error {
	due := viDate(in.DueOn)
	switch move {
	case MoveRespond:
		return s.notify(ctx, p, TopicInstructionAnswered, in.ID, in.Version, cs, in.IssuerUnitID, []string{in.CreatedBy}, 0,
			"Đã báo cáo kết quả chỉ đạo về hồ sơ "+cs.Number, "Instruction on case "+cs.Number+" answered",
			excerpt(in.Response, 200), excerpt(in.Response, 200), now)
	case MoveReopen:
		return s.notify(ctx, p, TopicInstructionReopened, in.ID, in.Version, cs, in.AddresseeUnitID, []string{in.AddresseeUserID, in.RespondedBy},
			in.AddresseeUnitID, "Chỉ đạo về hồ sơ "+cs.Number+" cần thực hiện lại", "Instruction on case "+cs.Number+" sent back",
			fmt.Sprintf("%s — thời hạn %s.", excerpt(in.Note, 200), due), fmt.Sprintf("%s — due by %s.", excerpt(in.Note, 200), due), now)
	case MoveCancel:
		return s.notify(ctx, p, TopicInstructionCancelled, in.ID, in.Version, cs, in.AddresseeUnitID, []string{in.AddresseeUserID, in.RespondedBy},
			in.AddresseeUnitID, "Hủy chỉ đạo về hồ sơ "+cs.Number, "Instruction on case "+cs.Number+" cancelled",
			excerpt(in.Note, 200), excerpt(in.Note, 200), now)
	default:
		return s.notify(ctx, p, TopicInstructionClosed, in.ID, in.Version, cs, in.AddresseeUnitID, []string{in.RespondedBy}, 0,
			"Chỉ đạo về hồ sơ "+cs.Number+" đã kết thúc", "Instruction on case "+cs.Number+" closed",
			"Đơn vị ra chỉ đạo đã chấp nhận báo cáo kết quả.", "The issuing unit accepted the report.", now)
	}
}

// Instruction returns one instruction of a case the caller may read; the read is audited.
func (s *Supervision) Instruction(ctx context.Context, p *Principal, id string) (*domain.Instruction, error) {
	return readCaseRecord(ctx, s.tx, s.cases, s.audit, p, s.clock.Now(), func(cs *domain.Case) bool { return s.readable(p, cs) },
		"chỉ đạo", "instruction.read", "instruction", id, func(ctx context.Context) (domain.Instruction, string, error) {
			in, err := s.store.GetInstruction(ctx, id)
			return in, in.CaseID, err
		})
}

// CaseInstructions returns a page of the instructions on one case the caller may read; the read is
// audited like the case's.
func (s *Supervision) CaseInstructions(ctx context.Context, p *Principal, caseID string, limit, offset int) ([]domain.Instruction, int64, error) {
	if !validUUID(caseID) {
		return nil, 0, domain.NotFound("hồ sơ")
	}
	if err := checkPage(&limit, &offset); err != nil {
		return nil, 0, err
	}
	now := s.clock.Now()
	var items []domain.Instruction
	var total int64
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) {
			denied = cs
			return nil
		}
		f := domain.InstructionFilter{CaseID: &caseID, Now: now, Limit: limit, Offset: offset}
		if items, total, err = s.store.ListInstructions(ctx, s.authz.Scope(p, domain.ActCaseRead), f); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "case.instructions", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess,
			fmt.Sprintf(`{"returned":%d,"total":%d}`, len(items), total)))
	})
	if err != nil {
		return nil, 0, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.instructions", "case", caseID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, 0, err
		}
		return nil, 0, domain.NotFound("hồ sơ")
	}
	return items, total, nil
}

// checkSideFilter checks the filters every supervision list shares; a direction without a unit
// looks from the caller's own unit.
func (s *Supervision) checkSideFilter(ctx context.Context, p *Principal, unitID **int64, dir domain.Direction, caseID *string, limit, offset *int) error {
	if err := checkPage(limit, offset); err != nil {
		return err
	}
	if !dir.Valid() {
		return domain.Invalid("direction", "enum", "direction là issued (đã gửi) hoặc received (đã nhận)")
	}
	if caseID != nil && !validUUID(*caseID) {
		return domain.Invalid("case_id", "format", "mã hồ sơ không hợp lệ")
	}
	if dir != "" && *unitID == nil {
		own := p.User.UnitID
		*unitID = &own
	}
	return s.checkUnit(ctx, p, *unitID)
}

// ListInstructions lists the instructions on the cases the caller may read: what still waits first
// by due date. With a direction, those its unit (unit_id, or the caller's own) issued or received;
// overdue=true gives those past due while open. The list is audited like a case list.
func (s *Supervision) ListInstructions(ctx context.Context, p *Principal, f domain.InstructionFilter) ([]domain.Instruction, int64, error) {
	if err := checkStatuses("status", f.Statuses, domain.InstructionStatus.Valid, domain.InstructionStatuses); err != nil {
		return nil, 0, err
	}
	if err := s.checkSideFilter(ctx, p, &f.UnitID, f.Direction, f.CaseID, &f.Limit, &f.Offset); err != nil {
		return nil, 0, err
	}
	f.Now = s.clock.Now()
	var items []domain.Instruction
	var total int64
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if items, total, err = s.store.ListInstructions(ctx, s.authz.Scope(p, domain.ActCaseRead), f); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"unit_id": f.UnitID, "direction": f.Direction, "status": f.Statuses, "overdue": f.Overdue,
			"returned": len(items), "total": total})
		return s.audit.Record(ctx, p.audit(f.Now, "instruction.list", "case", "", p.User.UnitID, domain.OutcomeSuccess, string(detail)))
	})
	return items, total, err
}

// --- requests for case files (yêu cầu chuyển hồ sơ) ---

// FileRequestInput is what a superior unit writes when asking for a case file.
type FileRequestInput struct {
	Reason string
	DueOn  *time.Time
}

// RequestFile records a superior unit's request for a case file of a unit below it: the caller
// needs file_request.create through a grant at a unit strictly above the case's unit (a request
// to one's own unit, or from below, is refused: 403 at one's own unit, 404 from where the case
// cannot be seen). The unit asked is notified in the same transaction.
func (s *Supervision) RequestFile(ctx context.Context, p *Principal, caseID string, in FileRequestInput) (*domain.FileRequest, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out *domain.FileRequest
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		// A superior unit's prosecutor may ask for a file they cannot read; secrecy still hides it.
		if !s.readable(p, cs) && !s.authz.Scope(p, domain.ActFileRequestCreate).PermitsCase(cs.Ref(p.User.ID)) {
			return domain.NotFound("hồ sơ")
		}
		from, ok := nearest(s.entries(p, domain.ActFileRequestCreate, cs), func(e domain.ScopeEntry) bool {
			return e.UnitID != cs.UnitID && e.UnitPath.Contains(cs.UnitPath)
		})
		if !ok {
			denied = cs
			return nil
		}
		var v domain.Validation
		domain.CheckText(&v, "reason", in.Reason, true, domain.MaxSupervisionNote)
		domain.CheckDueOn(&v, "due_on", in.DueOn, now)
		if err := v.Err(); err != nil {
			return err
		}
		r := &domain.FileRequest{ID: mustUUIDv7(), CaseID: cs.ID, RequesterUnitID: from.UnitID, CaseUnitID: cs.UnitID, Reason: strings.TrimSpace(in.Reason),
			DueOn: domain.DateOf(*in.DueOn), Status: domain.FileReqPending, RequestedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.InsertFileRequest(ctx, r); err != nil {
			if domain.ErrorCodeOf(err) == domain.CodeConflict {
				return &domain.Error{Code: domain.CodeConflict, Message: "đơn vị đã có yêu cầu chuyển hồ sơ này đang chờ trả lời",
					Details: []domain.Detail{{Field: "case_id", Rule: "pending_request"}}, Err: err}
			}
			return err
		}
		detail, _ := json.Marshal(map[string]any{"file_request": r.ID, "requester_unit": r.RequesterUnitID, "due_on": r.DueOn.Format(time.DateOnly)})
		if err := s.audit.Record(ctx, p.audit(now, "file_request.create", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		if err := s.notify(ctx, p, TopicFileRequested, r.ID, r.Version, cs, cs.UnitID, nil, cs.UnitID,
			"Yêu cầu chuyển hồ sơ "+cs.Number, "Case file "+cs.Number+" requested",
			fmt.Sprintf("%s — hạn chuyển đến ngày %s.", excerpt(r.Reason, 200), viDate(r.DueOn)),
			fmt.Sprintf("%s — due by %s.", excerpt(r.Reason, 200), viDate(r.DueOn)), now); err != nil {
			return err
		}
		got, err := s.store.GetFileRequest(ctx, r.ID)
		out = &got
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "file_request.create", "case", denied.ID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, &domain.Error{Code: domain.CodeForbidden, Message: "chỉ đơn vị cấp trên của đơn vị thụ lý được yêu cầu chuyển hồ sơ",
			Details: []domain.Detail{{Field: "case_id", Rule: "superior_unit", Message: "đơn vị của bạn không ở cấp trên đơn vị thụ lý hồ sơ"}}}
	}
	return out, nil
}

// FileAnswerInput is the answer of the unit asked: sent, or refused with the reason.
type FileAnswerInput struct {
	Version int
	Outcome domain.FileRequestStatus
	Note    string
}

// AnswerFileRequest records the answer of the unit asked for its case file, by its leaders: sent
// (with an optional note: how and when) or refused (with the reason, required). Only a pending
// request is answered; the version read must still be current.
func (s *Supervision) AnswerFileRequest(ctx context.Context, p *Principal, id string, in FileAnswerInput) (*domain.FileRequest, error) {
	if !validUUID(id) {
		return nil, domain.NotFound(whatFileRequestVI)
	}
	now := s.clock.Now()
	var out *domain.FileRequest
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		r, err := s.store.GetFileRequest(ctx, id)
		if err != nil {
			return err
		}
		cs, err := s.cases.GetCase(ctx, r.CaseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) && r.RequestedBy != p.User.ID {
			return domain.NotFound(whatFileRequestVI)
		}
		answers := false
		for _, e := range s.authz.Scope(p, domain.ActFileRequestAnswer).Entries {
			answers = answers || e.UnitID == r.CaseUnitID
		}
		if !answers {
			denied = cs
			return nil
		}
		if err := checkVersion(in.Version, r.Version, whatFileRequestVI); err != nil {
			return err
		}
		var v domain.Validation
		if r.Status != domain.FileReqPending {
			v.Add("status", "transition", "yêu cầu chuyển hồ sơ đã được trả lời ("+string(r.Status)+")")
		}
		switch in.Outcome {
		case domain.FileReqSent:
			domain.CheckText(&v, "note", in.Note, false, domain.MaxSupervisionNote)
		case domain.FileReqRefused:
			domain.CheckText(&v, "note", in.Note, true, domain.MaxSupervisionNote)
		case "":
			v.Add("outcome", "required", "phải chọn outcome là sent (đã chuyển) hoặc refused (từ chối)")
		default:
			v.Add("outcome", "enum", "outcome là sent (đã chuyển) hoặc refused (từ chối)")
		}
		if err := v.Err(); err != nil {
			return err
		}
		r.Status, r.AnswerNote, r.AnsweredBy, r.AnsweredAt, r.UpdatedAt = in.Outcome, strings.TrimSpace(in.Note), p.User.ID, &now, now
		if err := s.store.UpdateFileRequest(ctx, &r, in.Version); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"file_request": r.ID, "outcome": r.Status, "version": r.Version})
		if err := s.audit.Record(ctx, p.audit(now, "file_request.answer", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		titleVI, titleEN := "Hồ sơ "+cs.Number+" đã được chuyển", "Case file "+cs.Number+" sent"
		if r.Status == domain.FileReqRefused {
			titleVI, titleEN = "Từ chối chuyển hồ sơ "+cs.Number, "Case file "+cs.Number+" refused"
		}
		if err := s.notify(ctx, p, TopicFileRequestAnswered, r.ID, r.Version, cs, r.RequesterUnitID, []string{r.RequestedBy}, 0, titleVI, titleEN,
			excerpt(r.AnswerNote, 200), excerpt(r.AnswerNote, 200), now); err != nil {
			return err
		}
		got, err := s.store.GetFileRequest(ctx, r.ID)
		out = &got
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "file_request.answer", "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"file_request":%q}`, id))); err != nil {
			return nil, err
		}
		return nil, domain.Forbidden("chỉ lãnh đạo đơn vị được yêu cầu chuyển hồ sơ được trả lời")
	}
	return out, nil
}

const whatFileRequestVI = "yêu cầu chuyển hồ sơ"

// ListFileRequests lists the requests for case files on the cases the caller may read and those
// the caller made, pending first by due date; with a direction, those its unit made (issued) or
// was asked (received). The list is audited like a case list.
func (s *Supervision) ListFileRequests(ctx context.Context, p *Principal, f domain.FileRequestFilter) ([]domain.FileRequest, int64, error) {
	if err := checkStatuses("status", f.Statuses, domain.FileRequestStatus.Valid, domain.FileRequestStatuses); err != nil {
		return nil, 0, err
	}
	if err := s.checkSideFilter(ctx, p, &f.UnitID, f.Direction, f.CaseID, &f.Limit, &f.Offset); err != nil {
		return nil, 0, err
	}
	f.Now = s.clock.Now()
	var items []domain.FileRequest
	var total int64
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if items, total, err = s.store.ListFileRequests(ctx, s.authz.Scope(p, domain.ActCaseRead), p.User.ID, f); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"unit_id": f.UnitID, "direction": f.Direction, "status": f.Statuses, "overdue": f.Overdue,
			"returned": len(items), "total": total})
		return s.audit.Record(ctx, p.audit(f.Now, "file_request.list", "case", "", p.User.UnitID, domain.OutcomeSuccess, string(detail)))
	})
	return items, total, err
}

// --- public interest (dư luận xã hội quan tâm) ---

// SetPublicInterest marks a case as followed by public opinion, or clears the mark: the case's
// prosecutors on its team and its leaders (case.mark_public_interest). It is an edit of the case
// like any other: the version read must be current (else 409), the version moves, and the change
// feed and the audit log record it in the same transaction.
func (s *Supervision) SetPublicInterest(ctx context.Context, p *Principal, caseID string, version int, on bool, note string) (domain.PublicInterestMark, error) {
	if !validUUID(caseID) {
		return domain.PublicInterestMark{}, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out domain.PublicInterestMark
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) {
			return domain.NotFound("hồ sơ")
		}
		if len(s.entries(p, domain.ActCaseMarkPublicInterest, cs)) == 0 {
			denied = cs
			return nil
		}
		if err := checkVersion(version, cs.Version, "hồ sơ"); err != nil {
			return err
		}
		var v domain.Validation
		domain.CheckText(&v, "note", note, false, 1000)
		if err := v.Err(); err != nil {
			return err
		}
		prev, err := s.store.CasePublicInterest(ctx, caseID)
		if err != nil {
			return err
		}
		if err := s.store.SetCasePublicInterest(ctx, caseID, on, version, now); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"fields": []string{"public_interest"}, "from": prev.PublicInterest, "to": on,
			"from_version": version, "note": strings.TrimSpace(note)})
		if err := s.audit.Record(ctx, p.audit(now, "case.public_interest", "case", caseID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		out, err = s.store.CasePublicInterest(ctx, caseID)
		return err
	})
	if err != nil {
		return domain.PublicInterestMark{}, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.public_interest", "case", caseID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return domain.PublicInterestMark{}, err
		}
		return domain.PublicInterestMark{}, domain.Forbidden("chỉ kiểm sát viên được phân công hoặc lãnh đạo đơn vị thụ lý được đánh dấu hồ sơ dư luận xã hội quan tâm")
	}
	return out, nil
}

// --- subscriptions (theo dõi) ---

// Subscribe keeps a subscription of the caller to the cases meeting its criteria. Its unit, if
// any, must lie within the caller's case scope (404 otherwise, as for every unit filter); one user
// keeps at most domain.MaxSubscriptions.
func (s *Supervision) Subscribe(ctx context.Context, p *Principal, sub domain.Subscription) (*domain.Subscription, error) {
	if s.authz.Scope(p, domain.ActCaseRead).Empty() {
		return nil, errNoCaseScope
	}
	if err := sub.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkUnit(ctx, p, sub.UnitID); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sub.ID, sub.UserID, sub.Name, sub.CreatedAt = mustUUIDv7(), p.User.ID, strings.TrimSpace(sub.Name), now
	if sub.UnitID == nil {
		sub.IncludeSubunits = true
	}
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.store.InsertSubscription(ctx, &sub, domain.MaxSubscriptions); err != nil {
			return err
		}
		// The cases matching now are its baseline, recorded without notifications: the owner sees
		// them in its list; only cases matching from now on are told.
		if err := s.recordBaseline(ctx, s.authz.Scope(p, domain.ActCaseRead), sub, now); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"unit_id": sub.UnitID, "include_subunits": sub.IncludeSubunits, "min_class": sub.MinClass,
			"detention_over_days": sub.DetentionOverDays, "public_interest": sub.PublicInterest})
		return s.audit.Record(ctx, p.audit(now, "subscription.create", "subscription", sub.ID, p.User.UnitID, domain.OutcomeSuccess, string(detail)))
	})
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// errNoCaseScope refuses a subscription to someone who reads no case at all (an administrator):
// it could never match anything.
var errNoCaseScope = domain.Forbidden("bạn không được đọc hồ sơ nào nên không thể theo dõi hồ sơ")

// Subscriptions returns a page of the caller's own subscriptions, oldest first.
func (s *Supervision) Subscriptions(ctx context.Context, p *Principal, limit, offset int) ([]domain.Subscription, int64, error) {
	if err := checkPage(&limit, &offset); err != nil {
		return nil, 0, err
	}
	return s.store.ListSubscriptions(ctx, p.User.ID, limit, offset)
}

// Unsubscribe removes one of the caller's subscriptions; another user's is not found.
func (s *Supervision) Unsubscribe(ctx context.Context, p *Principal, id string) error {
	if !validUUID(id) {
		return domain.NotFound("theo dõi")
	}
	now := s.clock.Now()
	return s.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.store.DeleteSubscription(ctx, p.User.ID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "subscription.delete", "subscription", id, p.User.UnitID, domain.OutcomeSuccess, ""))
	})
}

// SubscriptionCases lists the cases one of the caller's subscriptions matches now, among those the
// caller may read now, the most recently received first. The list is audited like a case list.
func (s *Supervision) SubscriptionCases(ctx context.Context, p *Principal, id string, limit, offset int) ([]domain.SubscriptionMatch, int64, error) {
	if !validUUID(id) {
		return nil, 0, domain.NotFound("theo dõi")
	}
	if err := checkPage(&limit, &offset); err != nil {
		return nil, 0, err
	}
	now := s.clock.Now()
	var items []domain.SubscriptionMatch
	var total int64
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		sub, err := s.store.GetSubscription(ctx, p.User.ID, id)
		if err != nil {
			return err
		}
		if items, total, err = s.store.MatchSubscription(ctx, s.authz.Scope(p, domain.ActCaseRead), sub, now, limit, offset); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"subscription": id, "returned": len(items), "total": total})
		return s.audit.Record(ctx, p.audit(now, "subscription.cases", "case", "", p.User.UnitID, domain.OutcomeSuccess, string(detail)))
	})
	return items, total, err
}

// --- notifications of subscriptions ---

// SubscriptionNoticeLimit is how many cases newly matching one subscription a sweep tells one by
// one; past it, the subscriber gets one summary notification of how many matched.
const SubscriptionNoticeLimit = 10

// systemActor stands for the monitor where a notification names the actor it is never sent to.
const systemActor = "00000000-0000-0000-0000-000000000000"

// NotifySubscriptions evaluates up to SweepSubscriptions subscriptions at now, the least recently
// checked first, and tells each owner in the app of the cases that newly match: a case is told
// once per subscription (subscription_matches keeps what was seen), even if it stops matching and
// matches again. The cases matching when the subscription is made are its baseline, recorded
// by Subscribe (and, past SweepMatches of them or for subscriptions older than the table, by the
// next sweeps) without notifications, since its owner sees them in GET /subscriptions/{id}/cases;
// only cases matching later are told. A case is evaluated within what the owner may read at now, so nobody is told of a case they
// cannot read; an inactive owner is told nothing. It returns how many notifications it wrote.
// The deadline monitor's sweep calls it.
func (s *Supervision) NotifySubscriptions(ctx context.Context, now time.Time) (int, error) {
	subs, err := s.store.SubscriptionsToCheck(ctx, s.SweepSubscriptions)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, sub := range subs {
		n, err := s.checkSubscription(ctx, sub.ID, now)
		if err != nil {
			// One subscription that fails (a unit gone from its criteria) must not stop the others.
			errs = append(errs, fmt.Errorf("subscription %s: %w", sub.ID, err))
			continue
		}
		total += n
	}
	return total, errors.Join(errs...)
}

// checkSubscription evaluates one subscription in its own transaction, holding its row so that two
// monitors never evaluate it at once; the cases recorded and their notifications commit together.
func (s *Supervision) checkSubscription(ctx context.Context, id string, now time.Time) (int, error) {
	sent := 0
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		sent = 0
		sub, ok, err := s.store.LockSubscription(ctx, id)
		if err != nil || !ok {
			return err
		}
		scope, err := s.ownerScope(ctx, sub.UserID)
		if err != nil {
			return err
		}
		if scope.Empty() {
			return s.store.MarkSubscriptionChecked(ctx, sub.ID, now, false)
		}
		if !sub.BaselineDone {
			return s.recordBaseline(ctx, scope, sub, now)
		}
		matches, err := s.store.UnseenSubscriptionMatches(ctx, scope, sub, now, s.SweepMatches)
		if err != nil {
			return err
		}
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = m.CaseID
		}
		added, err := s.store.RecordSubscriptionMatches(ctx, sub.ID, ids, true, now)
		if err != nil {
			return err
		}
		if len(added) > 0 {
			if sent, err = s.notifyMatches(ctx, sub, matches, added, now); err != nil {
				return err
			}
		}
		return s.store.MarkSubscriptionChecked(ctx, sub.ID, now, false)
	})
	return sent, err
}

// recordBaseline records up to SweepMatches of the cases a subscription matches now without
// notifications; when that was all of them (fewer than a full batch), its baseline is done and
// later sweeps notify. A subscription matching more is continued by the next sweeps, silently.
func (s *Supervision) recordBaseline(ctx context.Context, scope domain.Scope, sub domain.Subscription, now time.Time) error {
	matches, err := s.store.UnseenSubscriptionMatches(ctx, scope, sub, now, s.SweepMatches)
	if err != nil {
		return err
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.CaseID
	}
	if _, err := s.store.RecordSubscriptionMatches(ctx, sub.ID, ids, false, now); err != nil {
		return err
	}
	return s.store.MarkSubscriptionChecked(ctx, sub.ID, now, len(matches) < s.SweepMatches)
}

// ownerScope is where a subscription's owner may read cases now, from their current grants; an
// owner who is gone or inactive reads nothing.
func (s *Supervision) ownerScope(ctx context.Context, userID string) (domain.Scope, error) {
	u, err := s.users.GetUser(ctx, userID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Scope{UserID: userID, Action: domain.ActCaseRead}, nil
	} else if err != nil {
		return domain.Scope{}, err
	}
	if !u.Active {
		return domain.Scope{UserID: userID, Action: domain.ActCaseRead}, nil
	}
	grants, err := s.users.GrantsOf(ctx, u.ID)
	if err != nil {
		return domain.Scope{}, err
	}
	return s.authz.Scope(&Principal{User: u, Grants: grants}, domain.ActCaseRead), nil
}

// notifyMatches tells a subscriber of the cases just recorded: one notification per case, or one
// summary past SubscriptionNoticeLimit. It returns how many notifications it wrote.
func (s *Supervision) notifyMatches(ctx context.Context, sub domain.Subscription, matches []domain.SubscriptionMatch, added []string, now time.Time) (int, error) {
	isNew := make(map[string]bool, len(added))
	for _, id := range added {
		isNew[id] = true
	}
	var fresh []domain.SubscriptionMatch
	for _, m := range matches {
		if isNew[m.CaseID] {
			fresh = append(fresh, m)
		}
	}
	nameVI, nameEN := "không tên", "unnamed"
	if sub.Name != "" {
		nameVI, nameEN = sub.Name, sub.Name
	}
	tell := func(dedup, caseID string, unitID int64, payload map[string]any, titleVI, titleEN, bodyVI, bodyEN string) (int, error) {
		payload["subscription_id"] = sub.ID
		body, _ := json.Marshal(payload)
		ev := domain.OutboxEvent{DedupKey: dedup, Topic: TopicSubscriptionMatched, CaseID: caseID, UnitID: unitID, Payload: body, CreatedAt: now}
		n := domain.Notification{CaseID: caseID, UnitID: unitID, Kind: TopicSubscriptionMatched, TitleVI: titleVI, TitleEN: titleEN,
			BodyVI: bodyVI, BodyEN: bodyEN, CreatedAt: now}
		return s.store.NotifySupervision(ctx, ev, n, []string{sub.UserID}, 0, systemActor)
	}
	if len(fresh) > SubscriptionNoticeLimit {
		ids := make([]string, len(fresh))
		for i, m := range fresh {
			ids[i] = m.CaseID
		}
		// The first case of a batch is recorded for the first time now, so the key is new.
		n, err := tell(fmt.Sprintf("%s:%s:batch:%s", TopicSubscriptionMatched, sub.ID, fresh[0].CaseID), "", 0,
			map[string]any{"case_ids": ids, "count": len(fresh)},
			"Có hồ sơ mới khớp tiêu chí theo dõi: "+nameVI, "New cases match your subscription: "+nameEN,
			fmt.Sprintf("%d hồ sơ nay khớp tiêu chí theo dõi \"%s\"; xem danh sách trong mục theo dõi.", len(fresh), nameVI),
			fmt.Sprintf("%d cases now match the subscription \"%s\"; see its list of cases.", len(fresh), nameEN))
		return min(n, 1), err
	}
	sent := 0
	for _, m := range fresh {
		n, err := tell(fmt.Sprintf("%s:%s:%s", TopicSubscriptionMatched, sub.ID, m.CaseID), m.CaseID, m.UnitID,
			map[string]any{"case_id": m.CaseID, "case_number": m.Number},
			"Hồ sơ khớp tiêu chí theo dõi: "+nameVI, "A case matches your subscription: "+nameEN,
			fmt.Sprintf("Hồ sơ %s (%s) nay khớp tiêu chí theo dõi \"%s\".", m.Number, m.UnitCode, nameVI),
			fmt.Sprintf("Case %s (%s) now matches the subscription \"%s\".", m.Number, m.UnitCode, nameEN))
		if err != nil {
			return sent, err
		}
		sent += n
	}
	return sent, nil
}
