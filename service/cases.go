package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
)

// Cases holds the use cases of the case registry.
type Cases struct {
	tx    TxRunner
	cases CaseStore
	units UnitStore
	users UserStore
	authz *Authz
	audit Auditor
	clock Clock
	// recompute stores a case's clocks in the transaction that registers or edits it: the date
	// received starts the report's resolution period, and the offence named gives the class
	// until someone is charged.
	recompute func(ctx context.Context, caseID string, now time.Time) error
	// caseload reads the chiefs' caseload figures.
	caseload CaseloadStore
}

// NewCases wires the case registry.
func NewCases(tx TxRunner, cases CaseStore, units UnitStore, users UserStore, authz *Authz, audit Auditor, clock Clock) *Cases {
	return &Cases{tx: tx, cases: cases, units: units, users: users, authz: authz, audit: audit, clock: clock}
}

// Register records a new crime report or case at a unit the caller may register at. It gets the
// next number of its unit, year and kind, and a code unique across the whole system.
func (s *Cases) Register(ctx context.Context, p *Principal, in domain.CaseInput) (*domain.Case, error) {
	now := s.clock.Now()
	unit, allowed, err := s.admitRegistration(ctx, p, in, now)
	if err != nil {
		return nil, err
	}
	if !allowed {
		e := p.audit(now, "case.create", "unit", fmt.Sprint(unit.ID), unit.ID, domain.OutcomeDenied, "")
		if err := recordDenied(ctx, s.audit, e); err != nil {
			return nil, err
		}
		return nil, errNoRegisterRight()
	}
	received := in.ReceivedAt.In(VietnamTime)
	cs := &domain.Case{
		ID: mustUUIDv7(), Kind: in.Kind, UnitID: unit.ID, UnitPath: unit.Path, UnitCode: unit.Code,
		Stage: domain.InitialStage(in.Kind), ReceivedAt: in.ReceivedAt, Channel: in.Channel, SourceType: in.SourceType,
		Summary: strings.TrimSpace(in.Summary), ReporterName: strings.TrimSpace(in.ReporterName), ReporterKind: in.ReporterKind,
		ReporterContact: in.ReporterContact, Offence: in.Offence, Secret: in.Secret, Version: 1,
		CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Year: received.Year(),
	}
	for _, pt := range in.Parties {
		pt.ID = mustUUIDv7()
		pt.FullName = strings.TrimSpace(pt.FullName)
		cs.Parties = append(cs.Parties, pt)
	}
	err = s.tx.WithinTx(ctx, func(ctx context.Context) error {
		seq, err := s.cases.NextCaseSeq(ctx, unit.ID, cs.Year, cs.Kind)
		if err != nil {
			return err
		}
		cs.Seq = seq
		cs.Number = fmt.Sprintf("%d/%d/%s", seq, cs.Year, cs.Kind.NumberTag())
		cs.Code = CaseCode(unit.Code, cs.Year, cs.Kind, seq)
		if err := s.cases.InsertCase(ctx, cs); err != nil {
			return err
		}
		if s.recompute != nil {
			if err := s.recompute(ctx, cs.ID, now); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, p.audit(now, "case.create", "case", cs.ID, unit.ID, domain.OutcomeSuccess,
			fmt.Sprintf(`{"number":%q,"code":%q}`, cs.Number, cs.Code)))
	})
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// CaseCode is the globally unique exchange code of a record: the registering unit's code, the
// year, the kind tag and the sequence number. Unit codes are unique and never reused, so the code
// is unique across the system, and it never changes, even when the case moves to another unit.
func CaseCode(unitCode string, year int, kind domain.CaseKind, seq int) string {
	return fmt.Sprintf("%s-%d-%s-%06d", unitCode, year, kind.NumberTag(), seq)
}

// Get returns a case the caller may read, and audits the read in the same transaction: if the
// audit row cannot be written, the case is not served. A case outside the caller's scope is
// reported as not found, exactly like a case that does not exist.
func (s *Cases) Get(ctx context.Context, p *Principal, id string) (*domain.Case, error) {
	if !validUUID(id) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var cs *domain.Case
	denied := false
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		cs, err = s.cases.GetCase(ctx, id)
		if err != nil {
			return err
		}
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cs.Ref(p.User.ID)) {
			denied = true
			return nil
		}
		return s.audit.Record(ctx, p.audit(now, "case.read", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, ""))
	})
	if err != nil {
		return nil, err
	}
	if denied {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.read", "case", cs.ID, cs.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, domain.NotFound("hồ sơ")
	}
	return cs, nil
}

// List returns one page of the cases the caller may read, filtered. The scope is applied in SQL
// by the store; nothing outside it is ever loaded. The list request itself is audited.
func (s *Cases) List(ctx context.Context, p *Principal, f domain.CaseFilter) (domain.CasePage, error) {
	if f.Limit <= 0 {
		f.Limit = domain.DefaultPageSize
	}
	if f.Limit > domain.MaxPageSize {
		return domain.CasePage{}, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	if f.ReceivedFrom != nil && f.ReceivedTo != nil && !f.ReceivedFrom.Before(*f.ReceivedTo) {
		return domain.CasePage{}, domain.Invalid("received_to", "after_from", "received_to phải sau received_from")
	}
	if f.Stage != nil && !f.Stage.Valid() {
		return domain.CasePage{}, domain.Invalid("stage", "enum", "giai đoạn không hợp lệ")
	}
	if f.Kind != nil && !f.Kind.Valid() {
		return domain.CasePage{}, domain.Invalid("kind", "enum", "loại hồ sơ không hợp lệ")
	}
	if f.Class != nil && !f.Class.Valid() {
		return domain.CasePage{}, domain.Invalid("class", "enum", "loại tội phạm phải là less_serious, serious, very_serious hoặc particularly_serious")
	}
	if f.Clock != "" && f.Clock != "overdue" && f.Clock != "due_soon" {
		return domain.CasePage{}, domain.Invalid("clock", "enum", "clock phải là overdue hoặc due_soon")
	}
	if f.ClosedFrom != nil && f.ClosedTo != nil && !f.ClosedFrom.Before(*f.ClosedTo) {
		return domain.CasePage{}, domain.Invalid("closed_to", "after_from", "closed_to không được trước closed_from")
	}
	if f.ProsecutorID != nil && !validUUID(*f.ProsecutorID) {
		return domain.CasePage{}, domain.Invalid("prosecutor_id", "format", "mã kiểm sát viên không hợp lệ")
	}
	if len(f.Text) > 200 {
		return domain.CasePage{}, domain.Invalid("q", "length", "chuỗi tìm kiếm tối đa 200 ký tự")
	}
	scope := s.authz.Scope(p, domain.ActCaseRead)
	if f.UnitID != nil {
		u, err := s.units.GetUnit(ctx, *f.UnitID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return domain.CasePage{}, domain.Invalid("unit_id", "exists", "đơn vị không tồn tại")
		} else if err != nil {
			return domain.CasePage{}, err
		}
		if !scope.PermitsUnit(u.ID, u.Path) && !reachesBelow(scope, u.Path) {
			return domain.CasePage{}, domain.NotFound("đơn vị")
		}
	}
	page, err := s.cases.ListCases(ctx, scope, f)
	if err != nil {
		return domain.CasePage{}, err
	}
	detail, _ := json.Marshal(map[string]any{"returned": len(page.Items), "total": page.Total, "unit_id": f.UnitID, "stage": f.Stage, "q": f.Text})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "case.list", "case", "", p.User.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return domain.CasePage{}, err
	}
	return page, nil
}

// reachesBelow reports whether any entry of the scope lies inside the subtree at path, so that a
// filter on a superior unit still lists the part of it the caller may see.
func reachesBelow(s domain.Scope, path domain.UnitPath) bool {
	for _, e := range s.Entries {
		if path.Contains(e.UnitPath) {
			return true
		}
	}
	return false
}

// Update changes a case's registration data if the caller may write it and the version they read
// is still current. A caller who may read but not write gets 403; one who may not read gets 404.
func (s *Cases) Update(ctx context.Context, p *Principal, id string, patch domain.CasePatch) (*domain.Case, error) {
	now := s.clock.Now()
	if !validUUID(id) {
		return nil, domain.NotFound("hồ sơ")
	}
	if err := patch.Validate(now); err != nil {
		return nil, err
	}
	if patch.Empty() {
		return nil, domain.Invalid("", "empty_patch", "không có trường nào để thay đổi")
	}
	var out *domain.Case
	var deniedCase *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, id)
		if err != nil {
			return err
		}
		ref := cs.Ref(p.User.ID)
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(ref) {
			return domain.NotFound("hồ sơ")
		}
		if !s.authz.Scope(p, domain.ActCaseUpdate).PermitsCase(ref) {
			deniedCase = cs
			return nil
		}
		if patch.Secret != nil && *patch.Secret != cs.Secret && !s.authz.Scope(p, domain.ActCaseAssign).PermitsCase(ref) {
			return &domain.Error{Code: domain.CodeForbidden, Message: "chỉ lãnh đạo đơn vị được thay đổi độ mật của hồ sơ",
				Details: []domain.Detail{{Field: "secret", Rule: "chief_only"}}}
		}
		if err := s.cases.UpdateCase(ctx, id, patch, now); err != nil {
			return err
		}
		if s.recompute != nil {
			if err := s.recompute(ctx, id, now); err != nil {
				return err
			}
		}
		if out, err = s.cases.GetCase(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "case.update", "case", id, cs.UnitID, domain.OutcomeSuccess, patchDetail(patch)))
	})
	if err != nil {
		return nil, err
	}
	if deniedCase != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.update", "case", id, deniedCase.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, domain.Forbidden("bạn chỉ được sửa hồ sơ được phân công cho mình")
	}
	return out, nil
}

func patchDetail(p domain.CasePatch) string {
	var fields []string
	add := func(set bool, name string) {
		if set {
			fields = append(fields, name)
		}
	}
	add(p.Summary != nil, "summary")
	add(p.Channel != nil, "channel")
	add(p.ReceivedAt != nil, "received_at")
	add(p.ReporterName != nil, "reporter_name")
	add(p.ReporterContact != nil, "reporter_contact")
	add(p.Offence != nil, "offence")
	add(p.Secret != nil, "secret")
	b, _ := json.Marshal(map[string]any{"fields": fields, "from_version": p.Version})
	return string(b)
}

// Assign puts a prosecutor on a case's team (phân công). Only the leaders of the case's unit may
// assign, only people of that unit who hold a prosecuting role there may be assigned, and a case
// has one lead at a time: naming a new lead with Replace ends the old lead's assignment, which
// stays in the history.
func (s *Cases) Assign(ctx context.Context, p *Principal, caseID string, version int, in domain.AssignmentInput) (*domain.Case, error) {
	now := s.clock.Now()
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	var v domain.Validation
	if !validUUID(in.UserID) {
		v.Add("user_id", "format", "mã cán bộ không hợp lệ")
	}
	if in.Role != domain.AssignLead && in.Role != domain.AssignSupport {
		v.Add("role", "enum", "vai trò là lead (thụ lý chính) hoặc support (hỗ trợ)")
	}
	if len([]rune(in.Note)) > 1000 {
		v.Add("note", "length", "ghi chú tối đa 1.000 ký tự")
	}
	if version <= 0 {
		v.Add("version", "required", "phải gửi version của hồ sơ đã đọc")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *domain.Case
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		ref := cs.Ref(p.User.ID)
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(ref) {
			return domain.NotFound("hồ sơ")
		}
		if !s.authz.Scope(p, domain.ActCaseAssign).PermitsCase(ref) {
			denied = cs
			return nil
		}
		if err := s.checkAssignee(ctx, cs, in.UserID); err != nil {
			return err
		}
		for _, a := range cs.Team {
			if a.EndedAt != nil {
				continue
			}
			if a.UserID == in.UserID {
				return &domain.Error{Code: domain.CodeConflict, Message: "kiểm sát viên này đã được phân công cho hồ sơ",
					Details: []domain.Detail{{Field: "user_id", Rule: "already_assigned"}}}
			}
			if in.Role == domain.AssignLead && a.Role == domain.AssignLead {
				if !in.Replace {
					return &domain.Error{Code: domain.CodeConflict, Message: "hồ sơ đã có kiểm sát viên thụ lý chính; gửi replace=true để thay",
						Details: []domain.Detail{{Field: "replace", Rule: "one_lead"}}}
				}
				if err := s.cases.EndAssignment(ctx, a.ID, p.User.ID, now); err != nil {
					return err
				}
			}
		}
		if err := s.cases.TouchCase(ctx, caseID, version, now); err != nil {
			return err
		}
		a := domain.Assignment{ID: mustUUIDv7(), CaseID: caseID, UserID: in.UserID, Role: in.Role, AssignedBy: p.User.ID, AssignedAt: now, Note: in.Note}
		if err := s.cases.InsertAssignment(ctx, a); err != nil {
			return err
		}
		if out, err = s.cases.GetCase(ctx, caseID); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"assignee": in.UserID, "role": in.Role, "replace": in.Replace})
		return s.audit.Record(ctx, p.audit(now, "case.assign", "case", caseID, cs.UnitID, domain.OutcomeSuccess, string(detail)))
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.assign", "case", caseID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, domain.Forbidden("chỉ lãnh đạo đơn vị thụ lý được phân công kiểm sát viên")
	}
	return out, nil
}

// Unassign ends one assignment of a case's team; the row stays as history.
func (s *Cases) Unassign(ctx context.Context, p *Principal, caseID, assignmentID string, version int) (*domain.Case, error) {
	now := s.clock.Now()
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	if !validUUID(assignmentID) {
		return nil, domain.NotFound("phân công")
	}
	if version <= 0 {
		return nil, domain.Invalid("version", "required", "phải gửi version của hồ sơ đã đọc")
	}
	var out *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		ref := cs.Ref(p.User.ID)
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(ref) {
			return domain.NotFound("hồ sơ")
		}
		if !s.authz.Scope(p, domain.ActCaseAssign).PermitsCase(ref) {
			return domain.Forbidden("chỉ lãnh đạo đơn vị thụ lý được thay đổi phân công")
		}
		found := false
		for _, a := range cs.Team {
			if a.ID == assignmentID && a.EndedAt == nil {
				found = true
			}
		}
		if !found {
			return domain.NotFound("phân công")
		}
		if err := s.cases.TouchCase(ctx, caseID, version, now); err != nil {
			return err
		}
		if err := s.cases.EndAssignment(ctx, assignmentID, p.User.ID, now); err != nil {
			return err
		}
		if out, err = s.cases.GetCase(ctx, caseID); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "case.unassign", "case", caseID, cs.UnitID, domain.OutcomeSuccess, fmt.Sprintf(`{"assignment":%q}`, assignmentID)))
	})
	return out, err
}

// checkAssignee makes sure the person belongs to the case's unit and holds a prosecuting role there.
func (s *Cases) checkAssignee(ctx context.Context, cs *domain.Case, userID string) error {
	return checkProsecutorOf(ctx, s.users, cs.UnitID, userID, "user_id", "cán bộ",
		"chỉ phân công kiểm sát viên hoặc lãnh đạo của đơn vị thụ lý hồ sơ")
}

// checkProsecutorOf makes sure a user exists, is active and is a prosecutor, deputy chief or chief
// of a unit: who may be put on a case's team or be sent an instruction about it. field names the
// input in errors, who the person ("cán bộ"), notOfUnit the refusal when they are not of the unit.
func checkProsecutorOf(ctx context.Context, users UserStore, unitID int64, userID, field, who, notOfUnit string) error {
	u, err := users.GetUser(ctx, userID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Invalid(field, "exists", who+" không tồn tại")
	} else if err != nil {
		return err
	}
	if !u.Active {
		return domain.Invalid(field, "active", who+" đã bị vô hiệu hóa")
	}
	grants, err := users.GrantsOf(ctx, userID)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.UnitID == unitID && (g.Role == domain.RoleProsecutor || g.Role == domain.RoleDeputyChief || g.Role == domain.RoleChief) {
			return nil
		}
	}
	return domain.Invalid(field, "prosecutor_of_unit", notOfUnit)
}

func validUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// mustUUIDv7 returns a time-ordered UUID, which keeps primary-key indexes compact.
func mustUUIDv7() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// Scope exposes the caller's scope for an action, for /me.
func (s *Cases) Scope(p *Principal, act domain.Action) domain.Scope { return s.authz.Scope(p, act) }

// Assignees are the people a caller who may assign the case's team could put on it: the active
// prosecutors, deputy chiefs and chiefs of the case's unit, as checkAssignee accepts them. A caller
// who may not assign gets none; one who may not read the case, not found.
func (s *Cases) Assignees(ctx context.Context, p *Principal, cs *domain.Case) ([]domain.User, error) {
	ref := cs.Ref(p.User.ID)
	if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(ref) {
		return nil, domain.NotFound("hồ sơ")
	}
	if !s.authz.Scope(p, domain.ActCaseAssign).PermitsCase(ref) {
		return nil, nil
	}
	unitID := cs.UnitID
	all := domain.Scope{UserID: p.User.ID, Action: domain.ActUserRead, Entries: []domain.ScopeEntry{{UnitID: cs.UnitID, UnitPath: cs.UnitPath}}}
	page, err := s.users.ListUsers(ctx, all, UserFilter{UnitID: &unitID, Limit: domain.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var out []domain.User
	for _, u := range page.Items {
		if !u.Active {
			continue
		}
		if err := s.checkAssignee(ctx, cs, u.ID); err == nil {
			out = append(out, u)
		} else if domain.ErrorCodeOf(err) != domain.CodeInvalid {
			return nil, err
		}
	}
	return out, nil
}

// admitRegistration checks a registration as Register and Duplicates both judge it: the input,
// the receiving unit (exists, active) and whether the caller may register there (allowed false:
// a refusal the caller answers with errNoRegisterRight, Register auditing it first).
func (s *Cases) admitRegistration(ctx context.Context, p *Principal, in domain.CaseInput, now time.Time) (domain.Unit, bool, error) {
	if err := in.Validate(now); err != nil {
		return domain.Unit{}, false, err
	}
	unit, err := s.units.GetUnit(ctx, in.UnitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return unit, false, domain.Invalid("unit_id", "exists", "đơn vị tiếp nhận không tồn tại")
	} else if err != nil {
		return unit, false, err
	}
	if !unit.Active {
		return unit, false, domain.Invalid("unit_id", "active", "đơn vị tiếp nhận đã ngừng hoạt động")
	}
	return unit, s.authz.Scope(p, domain.ActCaseCreate).PermitsUnit(unit.ID, unit.Path), nil
}

func errNoRegisterRight() error {
	return &domain.Error{Code: domain.CodeForbidden, Message: "bạn không có quyền đăng ký hồ sơ tại đơn vị này",
		Details: []domain.Detail{{Field: "unit_id", Rule: "scope", Message: "ngoài phạm vi được giao"}}}
}
