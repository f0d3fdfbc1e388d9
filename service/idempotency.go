package service

import (
	"context"
	"time"
)

// IdempotencyRecord is a POST request made with an Idempotency-Key, and its answer once known
// (Status 0 while it runs).
type IdempotencyRecord struct {
	UserID      string
	Key         string
	Method      string
	Path        string
	RequestHash string // hex SHA-256 of the method, path and body
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// IdempotencyStore keeps idempotency keys.
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, k IdempotencyRecord, now time.Time, ttl time.Duration) (IdempotencyRecord, bool, error)
	CompleteIdempotencyKey(ctx context.Context, k IdempotencyRecord) error
	ReleaseIdempotencyKey(ctx context.Context, userID, key string) error
	PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error)
}
