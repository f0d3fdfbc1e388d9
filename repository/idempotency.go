package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"kiemsat/service"
)

type idempotencyRow struct {
	UserID      string    `gorm:"column:user_id"`
	Key         string    `gorm:"column:key"`
	Method      string    `gorm:"column:method"`
	Path        string    `gorm:"column:path"`
	RequestHash string    `gorm:"column:request_hash"`
	Status      *int      `gorm:"column:status"`
	ContentType string    `gorm:"column:content_type"`
	Location    string    `gorm:"column:location"`
	Body        []byte    `gorm:"column:body"`
	ExpiresAt   time.Time `gorm:"column:expires_at"`
}

// ClaimIdempotencyKey records a key in progress, committed at once. When the key is already there
// (and not expired) it returns the stored record instead, and claimed is false.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, k service.IdempotencyRecord, now time.Time, ttl time.Duration) (service.IdempotencyRecord, bool, error) {
	db := s.db.WithContext(ctx)
	// An expired key is forgotten first, so it can be claimed again.
	if err := db.Exec(`DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND expires_at < ?`, k.UserID, k.Key, now).Error; err != nil {
		return service.IdempotencyRecord{}, false, translate(err, "khóa lũy đẳng")
	}
	res := db.Exec(`INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING`, k.UserID, k.Key, k.Method, k.Path, k.RequestHash, now, now.Add(ttl))
	if res.Error != nil {
		return service.IdempotencyRecord{}, false, translate(res.Error, "khóa lũy đẳng")
	}
	if res.RowsAffected == 1 {
		return k, true, nil
	}
	var r idempotencyRow
	err := db.Raw(`SELECT user_id, key, method, path, request_hash, status, content_type, location, body, expires_at FROM idempotency_keys
		WHERE user_id = ? AND key = ?`, k.UserID, k.Key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Removed between the two statements (a server error on the first request): claim again.
		return s.ClaimIdempotencyKey(ctx, k, now, ttl)
	}
	if err != nil {
		return service.IdempotencyRecord{}, false, translate(err, "khóa lũy đẳng")
	}
	out := service.IdempotencyRecord{UserID: r.UserID, Key: r.Key, Method: r.Method, Path: r.Path, RequestHash: r.RequestHash,
		ContentType: r.ContentType, Location: r.Location, Body: r.Body}
	if r.Status != nil {
		out.Status = *r.Status
	}
	return out, false, nil
}

// CompleteIdempotencyKey stores the answer of a claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, k service.IdempotencyRecord) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE idempotency_keys SET status = ?, content_type = ?, location = ?, body = ? WHERE user_id = ? AND key = ?`,
		k.Status, k.ContentType, k.Location, k.Body, k.UserID, k.Key).Error
	return translate(err, "khóa lũy đẳng")
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed on the server's side.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID, key string) error {
	err := s.db.WithContext(ctx).Exec(`DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status IS NULL`, userID, key).Error
	return translate(err, "khóa lũy đẳng")
}

// PurgeIdempotencyKeys removes expired keys and returns how many.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM idempotency_keys WHERE expires_at < ?`, now)
	return res.RowsAffected, translate(res.Error, "khóa lũy đẳng")
}
