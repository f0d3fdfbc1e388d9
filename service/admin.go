package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"kiemsat/domain"
)

// Admin holds the use cases that manage the organisation: units, users and their grants. A unit
// admin manages only its own subtree and can never grant more than it holds.
type Admin struct {
	tx     TxRunner
	units  UnitStore
	users  UserStore
	tokens TokenStore
	authz  *Authz
	hasher PasswordHasher
	audit  Auditor
	clock  Clock
}

// NewAdmin wires the administration use cases.
func NewAdmin(tx TxRunner, units UnitStore, users UserStore, tokens TokenStore, authz *Authz, hasher PasswordHasher, audit Auditor, clock Clock) *Admin {
	return &Admin{tx: tx, units: units, users: users, tokens: tokens, authz: authz, hasher: hasher, audit: audit, clock: clock}
}

// Units lists the whole organisation tree. The directory of procuracies is public information
// that every user needs (to pick a receiving unit, to transfer a case), so any authenticated
// user may read it; nothing about a unit's cases or people comes with it.
func (a *Admin) Units(ctx context.Context) ([]domain.Unit, error) { return a.units.ListUnits(ctx) }

// Unit returns one unit.
func (a *Admin) Unit(ctx context.Context, id int64) (domain.Unit, error) {
	return a.units.GetUnit(ctx, id)
}

// CreateUnit adds a unit under a parent the caller manages.
func (a *Admin) CreateUnit(ctx context.Context, p *Principal, in domain.UnitInput) (domain.Unit, error) {
	now := a.clock.Now()
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	if err := in.Validate(); err != nil {
		return domain.Unit{}, err
	}
	if in.ParentID == nil {
		return domain.Unit{}, domain.Invalid("parent_id", "required", "đơn vị gốc chỉ được tạo khi khởi tạo hệ thống")
	}
	parent, err := a.units.GetUnit(ctx, *in.ParentID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Unit{}, domain.Invalid("parent_id", "exists", "đơn vị cấp trên không tồn tại")
	} else if err != nil {
		return domain.Unit{}, err
	}
	if !a.authz.Scope(p, domain.ActUnitManage).PermitsUnit(parent.ID, parent.Path) {
		return domain.Unit{}, a.deny(ctx, p, "unit.create", "unit", strconv.FormatInt(parent.ID, 10), parent.ID, "bạn không quản trị đơn vị cấp trên này")
	}
	var u domain.Unit
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = a.units.CreateUnit(ctx, in, now); err != nil {
			return err
		}
		return a.audit.Record(ctx, p.audit(now, "unit.create", "unit", strconv.FormatInt(u.ID, 10), u.ID, domain.OutcomeSuccess, fmt.Sprintf(`{"code":%q}`, u.Code)))
	})
	return u, err
}

// UpdateUnit renames, deactivates or moves a unit. Moving rewrites the paths of the unit's
// subtree only; cases keep pointing at unit ids and follow automatically.
func (a *Admin) UpdateUnit(ctx context.Context, p *Principal, id int64, patch domain.UnitPatch) (domain.Unit, error) {
	now := a.clock.Now()
	var v domain.Validation
	if patch.Version <= 0 {
		v.Add("version", "required", "phải gửi version của bản ghi đã đọc")
	}
	if patch.Name != nil && (len([]rune(strings.TrimSpace(*patch.Name))) < 2 || len([]rune(*patch.Name)) > 200) {
		v.Add("name", "length", "tên đơn vị từ 2 đến 200 ký tự")
	}
	if patch.NameEN != nil && len([]rune(*patch.NameEN)) > 200 {
		v.Add("name_en", "length", "English name at most 200 characters")
	}
	if err := v.Err(); err != nil {
		return domain.Unit{}, err
	}
	unit, err := a.units.GetUnit(ctx, id)
	if err != nil {
		return domain.Unit{}, err
	}
	scope := a.authz.Scope(p, domain.ActUnitManage)
	if !scope.PermitsUnit(unit.ID, unit.Path) {
		return domain.Unit{}, a.deny(ctx, p, "unit.update", "unit", strconv.FormatInt(id, 10), id, "bạn không quản trị đơn vị này")
	}
	if patch.ParentID != nil {
		if unit.ParentID == nil {
			return domain.Unit{}, domain.Invalid("parent_id", "root", "không thể chuyển đơn vị gốc")
		}
		np, err := a.units.GetUnit(ctx, *patch.ParentID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return domain.Unit{}, domain.Invalid("parent_id", "exists", "đơn vị cấp trên mới không tồn tại")
		} else if err != nil {
			return domain.Unit{}, err
		}
		if unit.Path.Contains(np.Path) {
			return domain.Unit{}, domain.Invalid("parent_id", "cycle", "không thể chuyển đơn vị vào chính cây đơn vị của nó")
		}
		if !scope.PermitsUnit(np.ID, np.Path) {
			return domain.Unit{}, a.deny(ctx, p, "unit.move", "unit", strconv.FormatInt(id, 10), id, "bạn không quản trị đơn vị cấp trên mới")
		}
	}
	// Nobody deactivates or moves the unit their own authority comes from: that would be a
	// way to lose or widen one's own scope.
	if (patch.ParentID != nil || (patch.Active != nil && !*patch.Active)) && grantsAnchoredAt(p, unit.Path) {
		return domain.Unit{}, domain.Forbidden("không thể chuyển hoặc vô hiệu hóa đơn vị mà quyền quản trị của bạn xuất phát từ đó")
	}
	var out domain.Unit
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.units.UpdateUnit(ctx, id, patch, now); err != nil {
			return err
		}
		return a.audit.Record(ctx, p.audit(now, "unit.update", "unit", strconv.FormatInt(id, 10), id, domain.OutcomeSuccess, ""))
	})
	return out, err
}

func grantsAnchoredAt(p *Principal, path domain.UnitPath) bool {
	for _, g := range p.Grants {
		if path.Contains(g.UnitPath) && (g.Role == domain.RoleUnitAdmin || g.Role == domain.RoleSystemAdmin) {
			return true
		}
	}
	return false
}

// deny records a denied administrative attempt and returns the 403 to give.
func (a *Admin) deny(ctx context.Context, p *Principal, action, targetType, targetID string, unitID int64, msg string) error {
	if err := recordDenied(ctx, a.audit, p.audit(a.clock.Now(), action, targetType, targetID, unitID, domain.OutcomeDenied, "")); err != nil {
		return err
	}
	return domain.Forbidden(msg)
}

// Users lists the users of the caller's user.read scope.
func (a *Admin) Users(ctx context.Context, p *Principal, f UserFilter) (UserPage, error) {
	if f.Limit <= 0 {
		f.Limit = domain.DefaultPageSize
	}
	if f.Limit > domain.MaxPageSize {
		return UserPage{}, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	if f.Offset < 0 || f.Offset > 100000 {
		return UserPage{}, domain.Invalid("offset", "range", "offset từ 0 đến 100000")
	}
	return a.users.ListUsers(ctx, a.authz.Scope(p, domain.ActUserRead), f)
}

// User returns one user the caller may see (always themselves).
func (a *Admin) User(ctx context.Context, p *Principal, id string) (domain.User, error) {
	if !validUUID(id) {
		return domain.User{}, domain.NotFound("người dùng")
	}
	u, err := a.users.GetUser(ctx, id)
	if err != nil {
		return domain.User{}, err
	}
	if u.ID == p.User.ID {
		return u, nil
	}
	unit, err := a.units.GetUnit(ctx, u.UnitID)
	if err != nil {
		return domain.User{}, err
	}
	if !a.authz.Scope(p, domain.ActUserRead).PermitsUnit(unit.ID, unit.Path) {
		return domain.User{}, domain.NotFound("người dùng")
	}
	return u, nil
}

// CreateUser adds a user to a unit the caller manages.
func (a *Admin) CreateUser(ctx context.Context, p *Principal, in domain.UserInput) (domain.User, error) {
	now := a.clock.Now()
	in.Username = strings.TrimSpace(in.Username)
	if err := in.Validate(); err != nil {
		return domain.User{}, err
	}
	unit, err := a.units.GetUnit(ctx, in.UnitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.User{}, domain.Invalid("unit_id", "exists", "đơn vị không tồn tại")
	} else if err != nil {
		return domain.User{}, err
	}
	if !a.authz.Scope(p, domain.ActUserManage).PermitsUnit(unit.ID, unit.Path) {
		return domain.User{}, a.deny(ctx, p, "user.create", "unit", strconv.FormatInt(unit.ID, 10), unit.ID, "bạn không quản trị người dùng của đơn vị này")
	}
	hash, err := a.hasher.Hash(in.Password)
	if err != nil {
		return domain.User{}, err
	}
	u := domain.User{ID: mustUUIDv7(), Username: in.Username, FullName: strings.TrimSpace(in.FullName), Email: in.Email, UnitID: unit.ID,
		Active: true, MustChangePassword: in.MustChangePassword, PasswordChangedAt: now, Version: 1, CreatedAt: now}
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := a.users.CreateUser(ctx, u, hash); err != nil {
			if domain.ErrorCodeOf(err) == domain.CodeConflict {
				return &domain.Error{Code: domain.CodeConflict, Message: "tên đăng nhập đã tồn tại", Details: []domain.Detail{{Field: "username", Rule: "unique"}}}
			}
			return err
		}
		return a.audit.Record(ctx, p.audit(now, "user.create", "user", u.ID, unit.ID, domain.OutcomeSuccess, fmt.Sprintf(`{"username":%q}`, u.Username)))
	})
	if err != nil {
		return domain.User{}, err
	}
	return a.users.GetUser(ctx, u.ID)
}

// UpdateUser changes a user's name, e-mail, unit or active flag. Deactivating a user ends all
// their sessions.
func (a *Admin) UpdateUser(ctx context.Context, p *Principal, id string, patch domain.UserPatch) (domain.User, error) {
	now := a.clock.Now()
	if !validUUID(id) {
		return domain.User{}, domain.NotFound("người dùng")
	}
	var v domain.Validation
	if patch.Version <= 0 {
		v.Add("version", "required", "phải gửi version của bản ghi đã đọc")
	}
	if patch.FullName != nil && (len([]rune(strings.TrimSpace(*patch.FullName))) < 2 || len([]rune(*patch.FullName)) > 200) {
		v.Add("full_name", "length", "họ và tên từ 2 đến 200 ký tự")
	}
	if patch.Email != nil && *patch.Email != "" && !strings.Contains(*patch.Email, "@") {
		v.Add("email", "format", "địa chỉ thư điện tử không hợp lệ")
	}
	if err := v.Err(); err != nil {
		return domain.User{}, err
	}
	u, err := a.User(ctx, p, id)
	if err != nil {
		return domain.User{}, err
	}
	unit, err := a.units.GetUnit(ctx, u.UnitID)
	if err != nil {
		return domain.User{}, err
	}
	scope := a.authz.Scope(p, domain.ActUserManage)
	if !scope.PermitsUnit(unit.ID, unit.Path) {
		return domain.User{}, a.deny(ctx, p, "user.update", "user", id, unit.ID, "bạn không quản trị người dùng này")
	}
	if patch.Active != nil && !*patch.Active && id == p.User.ID {
		return domain.User{}, domain.Invalid("active", "self", "không thể tự vô hiệu hóa tài khoản của mình")
	}
	if patch.UnitID != nil {
		nu, err := a.units.GetUnit(ctx, *patch.UnitID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return domain.User{}, domain.Invalid("unit_id", "exists", "đơn vị không tồn tại")
		} else if err != nil {
			return domain.User{}, err
		}
		if !scope.PermitsUnit(nu.ID, nu.Path) {
			return domain.User{}, a.deny(ctx, p, "user.update", "user", id, nu.ID, "bạn không quản trị đơn vị chuyển đến")
		}
	}
	var out domain.User
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.users.UpdateUser(ctx, id, patch, now); err != nil {
			return err
		}
		if patch.Active != nil && !*patch.Active {
			if err := a.tokens.RevokeUserTokens(ctx, id, now); err != nil {
				return err
			}
		}
		return a.audit.Record(ctx, p.audit(now, "user.update", "user", id, unit.ID, domain.OutcomeSuccess, ""))
	})
	return out, err
}

// Grants lists a user's grants.
func (a *Admin) Grants(ctx context.Context, p *Principal, userID string) ([]domain.Grant, error) {
	if _, err := a.User(ctx, p, userID); err != nil {
		return nil, err
	}
	return a.users.GrantsOf(ctx, userID)
}

// AddGrant gives a user a role at a unit. The rules that keep a unit admin from granting more
// than it holds:
//   - the unit of the grant and the user's own unit must both be inside the caller's grant.manage scope;
//   - nobody grants to themselves;
//   - system_admin is granted only by a system admin whose own grant covers the unit;
//   - unit_admin is granted only at units strictly below a unit admin's own grant, so a unit admin
//     can create admins of subordinate units but never a peer with the same reach.
func (a *Admin) AddGrant(ctx context.Context, p *Principal, userID string, role domain.Role, unitID int64) (domain.Grant, error) {
	now := a.clock.Now()
	var v domain.Validation
	if !role.Valid() {
		v.Add("role", "enum", "vai trò không hợp lệ")
	}
	if unitID <= 0 {
		v.Add("unit_id", "required", "phải chọn đơn vị")
	}
	if err := v.Err(); err != nil {
		return domain.Grant{}, err
	}
	u, err := a.User(ctx, p, userID)
	if err != nil {
		return domain.Grant{}, err
	}
	unit, err := a.units.GetUnit(ctx, unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Grant{}, domain.Invalid("unit_id", "exists", "đơn vị không tồn tại")
	} else if err != nil {
		return domain.Grant{}, err
	}
	userUnit, err := a.units.GetUnit(ctx, u.UnitID)
	if err != nil {
		return domain.Grant{}, err
	}
	scope := a.authz.Scope(p, domain.ActGrantManage)
	switch {
	case !scope.PermitsUnit(unit.ID, unit.Path) || !scope.PermitsUnit(userUnit.ID, userUnit.Path):
		return domain.Grant{}, a.deny(ctx, p, "grant.create", "user", userID, unit.ID, "đơn vị hoặc người dùng nằm ngoài phạm vi quản trị của bạn")
	case userID == p.User.ID:
		return domain.Grant{}, a.deny(ctx, p, "grant.create", "user", userID, unit.ID, "không thể tự cấp quyền cho chính mình")
	case role == domain.RoleSystemAdmin && !p.HasRoleCovering(domain.RoleSystemAdmin, unit.Path):
		return domain.Grant{}, a.deny(ctx, p, "grant.create", "user", userID, unit.ID, "chỉ quản trị hệ thống được cấp quyền quản trị hệ thống")
	case role == domain.RoleUnitAdmin && !p.HasRoleCovering(domain.RoleSystemAdmin, unit.Path) && !strictlyBelowOwnAdmin(p, unit.Path):
		return domain.Grant{}, a.deny(ctx, p, "grant.create", "user", userID, unit.ID, "quản trị đơn vị chỉ cấp quyền quản trị cho đơn vị cấp dưới")
	}
	var g domain.Grant
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		g, err = a.users.AddGrant(ctx, domain.Grant{ID: mustUUIDv7(), UserID: userID, Role: role, UnitID: unit.ID, GrantedBy: p.User.ID, CreatedAt: now})
		if domain.ErrorCodeOf(err) == domain.CodeConflict {
			return &domain.Error{Code: domain.CodeConflict, Message: "người dùng đã có vai trò này tại đơn vị này", Details: []domain.Detail{{Field: "role", Rule: "unique"}}}
		} else if err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"role": role, "unit_id": unit.ID, "grant_id": g.ID})
		return a.audit.Record(ctx, p.audit(now, "grant.create", "user", userID, unit.ID, domain.OutcomeSuccess, string(detail)))
	})
	return g, err
}

func strictlyBelowOwnAdmin(p *Principal, path domain.UnitPath) bool {
	for _, g := range p.Grants {
		if g.Role == domain.RoleUnitAdmin && g.UnitPath != path && g.UnitPath.Contains(path) {
			return true
		}
	}
	return false
}

// RevokeGrant removes a grant within the caller's grant.manage scope. The change is effective on
// the next request of the affected user, on every instance, because grants are read per request.
func (a *Admin) RevokeGrant(ctx context.Context, p *Principal, userID, grantID string) error {
	now := a.clock.Now()
	if _, err := a.User(ctx, p, userID); err != nil {
		return err
	}
	if !validUUID(grantID) {
		return domain.NotFound("quyền")
	}
	g, err := a.users.GetGrant(ctx, grantID)
	if err != nil {
		return err
	}
	if g.UserID != userID {
		return domain.NotFound("quyền")
	}
	if !a.authz.Scope(p, domain.ActGrantManage).PermitsUnit(g.UnitID, g.UnitPath) {
		return a.deny(ctx, p, "grant.delete", "user", userID, g.UnitID, "quyền này nằm ngoài phạm vi quản trị của bạn")
	}
	if g.Role == domain.RoleSystemAdmin && !p.HasRoleCovering(domain.RoleSystemAdmin, g.UnitPath) {
		return a.deny(ctx, p, "grant.delete", "user", userID, g.UnitID, "chỉ quản trị hệ thống được thu hồi quyền quản trị hệ thống")
	}
	return a.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := a.users.DeleteGrant(ctx, grantID); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"role": g.Role, "unit_id": g.UnitID, "grant_id": g.ID})
		return a.audit.Record(ctx, p.audit(now, "grant.delete", "user", userID, g.UnitID, domain.OutcomeSuccess, string(detail)))
	})
}
