package service

import (
	"context"
	"io"
	"time"
)

// ObjectInfo describes a stored object (a case file's bytes).
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// ObjectStore keeps the bytes of case files (hồ sơ vụ án): MinIO (any S3-compatible server) in
// production, a folder on local disk for `make run` without MinIO. Objects are written once under
// keys made of ids, never names, and are not transactional: a use case stores the object first and
// then commits the row that points to it, and a sweeper removes objects no row references.
// Not-found errors are domain not_found errors; an unreachable store is a domain unavailable error.
type ObjectStore interface {
	// Put stores r under key, streaming: size is the length when known, or -1. The whole body is
	// never held in memory.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error)
	// Get opens an object, or its n bytes from off when n > 0 (a Range request).
	Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, ObjectInfo, error)
	// Stat describes an object.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes an object; removing one that is not there is not an error (the sweeper may
	// race another sweeper).
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix, in key order.
	List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
}
