package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

type userRow struct {
	ID                 string     `gorm:"column:id;primaryKey"`
	Username           string     `gorm:"column:username"`
	FullName           string     `gorm:"column:full_name"`
	Email              string     `gorm:"column:email"`
	UnitID             int64      `gorm:"column:unit_id"`
	PasswordHash       string     `gorm:"column:password_hash"`
	MustChangePassword bool       `gorm:"column:must_change_password"`
	Active             bool       `gorm:"column:active"`
	FailedLogins       int        `gorm:"column:failed_logins"`
	LockedUntil        *time.Time `gorm:"column:locked_until"`
	PasswordChangedAt  time.Time  `gorm:"column:password_changed_at"`
	Version            int        `gorm:"column:version"`
	CreatedAt          time.Time  `gorm:"column:created_at"`
	UpdatedAt          time.Time  `gorm:"column:updated_at"`
}

func (userRow) TableName() string { return "users" }

func (r userRow) toDomain() domain.User {
	return domain.User{ID: r.ID, Username: r.Username, FullName: r.FullName, Email: r.Email, UnitID: r.UnitID, Active: r.Active,
		MustChangePassword: r.MustChangePassword, FailedLogins: r.FailedLogins, LockedUntil: r.LockedUntil,
		PasswordChangedAt: r.PasswordChangedAt, Version: r.Version, CreatedAt: r.CreatedAt}
}

// GetUser loads a user.
func (s *Store) GetUser(ctx context.Context, id string) (domain.User, error) {
	var r userRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.User{}, translate(err, "người dùng")
	}
	return r.toDomain(), nil
}

// GetCredentials loads a user by username with the password hash.
func (s *Store) GetCredentials(ctx context.Context, username string) (service.Credentials, error) {
	var r userRow
	if err := s.conn(ctx).Where("username = ?", username).Take(&r).Error; err != nil {
		return service.Credentials{}, translate(err, "người dùng")
	}
	return service.Credentials{User: r.toDomain(), PasswordHash: r.PasswordHash}, nil
}

// CreateUser inserts a user.
func (s *Store) CreateUser(ctx context.Context, u domain.User, hash string) error {
	r := userRow{ID: u.ID, Username: u.Username, FullName: u.FullName, Email: u.Email, UnitID: u.UnitID, PasswordHash: hash,
		MustChangePassword: u.MustChangePassword, Active: u.Active, PasswordChangedAt: u.PasswordChangedAt, Version: 1,
		CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt}
	return translate(s.conn(ctx).Create(&r).Error, "tên đăng nhập")
}

// UpdateUser applies a patch if the version matches.
func (s *Store) UpdateUser(ctx context.Context, id string, p domain.UserPatch, now time.Time) (domain.User, error) {
	sets := []string{"version = version + 1", "updated_at = ?"}
	args := []any{now}
	if p.FullName != nil {
		sets, args = append(sets, "full_name = ?"), append(args, strings.TrimSpace(*p.FullName))
	}
	if p.Email != nil {
		sets, args = append(sets, "email = ?"), append(args, *p.Email)
	}
	if p.Active != nil {
		sets, args = append(sets, "active = ?"), append(args, *p.Active)
	}
	if p.UnitID != nil {
		sets, args = append(sets, "unit_id = ?"), append(args, *p.UnitID)
	}
	args = append(args, id, p.Version)
	res := s.conn(ctx).Exec("UPDATE users SET "+strings.Join(sets, ", ")+" WHERE id = ? AND version = ?", args...)
	if res.Error != nil {
		return domain.User{}, translate(res.Error, "người dùng")
	}
	if res.RowsAffected != 1 {
		if _, err := s.GetUser(ctx, id); err != nil {
			return domain.User{}, err
		}
		return domain.User{}, domain.Conflict("người dùng đã bị thay đổi bởi người khác; hãy tải lại")
	}
	return s.GetUser(ctx, id)
}

// ListUsers lists users whose unit lies in the scope.
func (s *Store) ListUsers(ctx context.Context, scope domain.Scope, f service.UserFilter) (service.UserPage, error) {
	ids, err := s.scopeUnitIDs(ctx, scope.Entries)
	if err != nil {
		return service.UserPage{}, err
	}
	q := s.conn(ctx).Model(&userRow{}).Where("unit_id = ANY(?)", int64Array(ids))
	if f.UnitID != nil {
		if f.IncludeSubunits {
			q = q.Where("unit_id IN (SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE id = ?))", *f.UnitID)
		} else {
			q = q.Where("unit_id = ?", *f.UnitID)
		}
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + escapeLike(t) + "%"
		q = q.Where("(username ILIKE ? OR full_name ILIKE ?)", like, like)
	}
	var page service.UserPage
	if err := q.Count(&page.Total).Error; err != nil {
		return page, translate(err, "người dùng")
	}
	var rows []userRow
	if err := q.Order("username").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return page, translate(err, "người dùng")
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.toDomain())
	}
	return page, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SetPassword stores a new password hash and clears the lockout.
func (s *Store) SetPassword(ctx context.Context, id, hash string, mustChange bool, now time.Time) error {
	res := s.conn(ctx).Exec(`UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, failed_logins = 0,
		locked_until = NULL, version = version + 1, updated_at = ? WHERE id = ?`, hash, mustChange, now, now, id)
	if res.Error != nil {
		return translate(res.Error, "người dùng")
	}
	if res.RowsAffected != 1 {
		return domain.NotFound("người dùng")
	}
	return nil
}

// RecordLoginFailure counts a failed login atomically and locks the account once the count
// reaches lockAfter.
func (s *Store) RecordLoginFailure(ctx context.Context, id string, lockAfter int, lockFor time.Duration, now time.Time) (int, *time.Time, error) {
	var r struct {
		FailedLogins int
		LockedUntil  *time.Time
	}
	// A lock that has run out starts a fresh count: the account gets lockAfter new tries, not one.
	err := s.conn(ctx).Raw(`WITH cur AS (
			SELECT CASE WHEN locked_until IS NOT NULL AND locked_until <= ?::timestamptz THEN 1 ELSE failed_logins + 1 END AS n
			FROM users WHERE id = ?)
		UPDATE users u SET failed_logins = cur.n,
			locked_until = CASE WHEN cur.n >= ? THEN ?::timestamptz WHEN u.locked_until <= ?::timestamptz THEN NULL ELSE u.locked_until END
		FROM cur WHERE u.id = ? RETURNING u.failed_logins, u.locked_until`, now, id, lockAfter, now.Add(lockFor), now, id).Scan(&r).Error
	if err != nil {
		return 0, nil, translate(err, "người dùng")
	}
	if r.LockedUntil != nil && !r.LockedUntil.After(now) {
		r.LockedUntil = nil
	}
	if r.FailedLogins < lockAfter {
		r.LockedUntil = nil
	}
	return r.FailedLogins, r.LockedUntil, nil
}

// ResetLoginFailures clears the failure count after a successful login.
func (s *Store) ResetLoginFailures(ctx context.Context, id string) error {
	return translate(s.conn(ctx).Exec("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", id).Error, "người dùng")
}

type grantRow struct {
	ID        string    `gorm:"column:id"`
	UserID    string    `gorm:"column:user_id"`
	Role      string    `gorm:"column:role"`
	UnitID    int64     `gorm:"column:unit_id"`
	UnitPath  string    `gorm:"column:unit_path"`
	UnitCode  string    `gorm:"column:unit_code"`
	GrantedBy *string   `gorm:"column:granted_by"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (r grantRow) toDomain() domain.Grant {
	g := domain.Grant{ID: r.ID, UserID: r.UserID, Role: domain.Role(r.Role), UnitID: r.UnitID, UnitPath: domain.UnitPath(r.UnitPath), UnitCode: r.UnitCode, CreatedAt: r.CreatedAt}
	if r.GrantedBy != nil {
		g.GrantedBy = *r.GrantedBy
	}
	return g
}

const grantSelect = `SELECT g.id, g.user_id, g.role, g.unit_id, u.path::text AS unit_path, u.code AS unit_code, g.granted_by, g.created_at
	FROM grants g JOIN units u ON u.id = g.unit_id `

// GrantsOf returns a user's grants with their units' paths. Grants at inactive units give nothing.
func (s *Store) GrantsOf(ctx context.Context, userID string) ([]domain.Grant, error) {
	var rows []grantRow
	if err := s.conn(ctx).Raw(grantSelect+"WHERE g.user_id = ? AND u.active ORDER BY g.created_at, g.id", userID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "quyền")
	}
	out := make([]domain.Grant, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// GetGrant loads one grant.
func (s *Store) GetGrant(ctx context.Context, id string) (domain.Grant, error) {
	var r grantRow
	if err := s.conn(ctx).Raw(grantSelect+"WHERE g.id = ?", id).Take(&r).Error; err != nil {
		return domain.Grant{}, translate(err, "quyền")
	}
	return r.toDomain(), nil
}

// AddGrant inserts a grant.
func (s *Store) AddGrant(ctx context.Context, g domain.Grant) (domain.Grant, error) {
	err := s.conn(ctx).Exec("INSERT INTO grants (id, user_id, role, unit_id, granted_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		g.ID, g.UserID, string(g.Role), g.UnitID, nullStr(g.GrantedBy), g.CreatedAt).Error
	if err != nil {
		return domain.Grant{}, translate(err, "quyền")
	}
	return s.GetGrant(ctx, g.ID)
}

// DeleteGrant removes a grant. The audit log keeps the record of it.
func (s *Store) DeleteGrant(ctx context.Context, id string) error {
	res := s.conn(ctx).Exec("DELETE FROM grants WHERE id = ?", id)
	if res.Error != nil {
		return translate(res.Error, "quyền")
	}
	if res.RowsAffected != 1 {
		return domain.NotFound("quyền")
	}
	return nil
}
