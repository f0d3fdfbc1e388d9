package repository

import (
	"context"
	"time"

	"kiemsat/service"
)

type refreshRow struct {
	ID         string     `gorm:"column:id"`
	UserID     string     `gorm:"column:user_id"`
	FamilyID   string     `gorm:"column:family_id"`
	TokenHash  []byte     `gorm:"column:token_hash"`
	IssuedAt   time.Time  `gorm:"column:issued_at"`
	ExpiresAt  time.Time  `gorm:"column:expires_at"`
	UsedAt     *time.Time `gorm:"column:used_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	UserAgent  string     `gorm:"column:user_agent"`
	RemoteAddr string     `gorm:"column:remote_addr"`
}

func (refreshRow) TableName() string { return "refresh_tokens" }

// InsertRefresh stores a refresh token's hash.
func (s *Store) InsertRefresh(ctx context.Context, t service.RefreshToken) error {
	r := refreshRow(t)
	return translate(s.conn(ctx).Create(&r).Error, "refresh token")
}

// GetRefreshByHash finds a refresh token by the hash of its value.
func (s *Store) GetRefreshByHash(ctx context.Context, hash []byte) (service.RefreshToken, error) {
	var r refreshRow
	if err := s.conn(ctx).Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return service.RefreshToken{}, translate(err, "refresh token")
	}
	return service.RefreshToken(r), nil
}

// MarkRefreshUsed spends a token with a conditional update, so that of two concurrent refreshes
// with the same token exactly one wins.
func (s *Store) MarkRefreshUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	res := s.conn(ctx).Exec("UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL", at, id)
	if res.Error != nil {
		return false, translate(res.Error, "refresh token")
	}
	return res.RowsAffected == 1, nil
}

// RevokeFamily revokes every token of a login's chain.
func (s *Store) RevokeFamily(ctx context.Context, familyID string, at time.Time) error {
	return translate(s.conn(ctx).Exec("UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", at, familyID).Error, "refresh token")
}

// RevokeUserTokens revokes every token of a user (password change, deactivation, logout everywhere).
func (s *Store) RevokeUserTokens(ctx context.Context, userID string, at time.Time) error {
	return translate(s.conn(ctx).Exec("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", at, userID).Error, "refresh token")
}

// AddressFailure counts one failed login for key in a fixed window, starting a new window when
// the old one has passed, and returns the count.
func (s *Store) AddressFailure(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	var n int
	err := s.conn(ctx).Raw(`INSERT INTO login_throttle AS t (key, window_start, failures) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN t.window_start <= ?::timestamptz THEN 1 ELSE t.failures + 1 END,
			window_start = CASE WHEN t.window_start <= ?::timestamptz THEN EXCLUDED.window_start ELSE t.window_start END
		RETURNING failures`, key, now, now.Add(-window), now.Add(-window)).Scan(&n).Error
	return n, translate(err, "login throttle")
}

// AddressFailures returns the failures for key in the current window and when it started.
func (s *Store) AddressFailures(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	var r struct {
		WindowStart time.Time
		Failures    int
	}
	err := s.conn(ctx).Raw("SELECT window_start, failures FROM login_throttle WHERE key = ? AND window_start > ?", key, now.Add(-window)).Scan(&r).Error
	return r.Failures, r.WindowStart, translate(err, "login throttle")
}
