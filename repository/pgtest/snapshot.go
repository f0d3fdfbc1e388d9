package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Snapshot is a database a test binary built once (the migrated template with the rows build
// wrote) that its tests clone, each into a database of its own: a costly fixture, such as the
// demo data recorded through the services, is then paid once per binary instead of once per test.
// Main drops the snapshots when the tests end; they are never reused by a later run, whose
// fixture would be recorded at another time.
type Snapshot struct {
	once sync.Once
	name string
	err  error
	// Build fills the database at url; it must close every connection it opened before it
	// returns, since a database is cloned only when nobody is connected to it.
	Build func(ctx context.Context, url string) error
}

var (
	snapshotsMu sync.Mutex
	snapshots   []string
)

// NewDatabase clones the snapshot (building it on first use) into a fresh database for t,
// dropped when t ends, and returns its URL.
func (s *Snapshot) NewDatabase(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.name, s.err = s.build() })
	if s.err != nil {
		t.Fatalf("pgtest snapshot: %v", s.err)
	}
	base, err := baseURL()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name, dbURL, err := cloneDatabase(ctx, base, s.name)
	if err != nil {
		t.Fatal(err)
	}
	dropWhenDone(t, base, name)
	return dbURL
}

func (s *Snapshot) build() (string, error) {
	base, err := baseURL()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name, dbURL, err := createDatabase(ctx, base)
	if err != nil {
		return "", err
	}
	snapshotsMu.Lock()
	snapshots = append(snapshots, name)
	snapshotsMu.Unlock()
	if err := s.Build(ctx, dbURL); err != nil {
		return "", fmt.Errorf("building snapshot %s: %w", name, err)
	}
	maint, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer maint.Close()
	// Closed to connections, so that cloning it never meets "source database is being
	// accessed by other users".
	if _, err := maint.ExecContext(ctx, "ALTER DATABASE "+quote(name)+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return "", fmt.Errorf("closing snapshot %s to connections: %w", name, err)
	}
	return name, nil
}

// cloneDatabase copies the database source into a new test database.
func cloneDatabase(ctx context.Context, base, source string) (name, dbURL string, err error) {
	maint, err := sql.Open("pgx", base)
	if err != nil {
		return "", "", fmt.Errorf("opening %s: %w", redact(base), err)
	}
	defer maint.Close()
	name, err = newDatabaseName()
	if err != nil {
		return "", "", err
	}
	err = retryBusy(ctx, func() error {
		_, err := maint.ExecContext(ctx, "CREATE DATABASE "+quote(name)+" TEMPLATE "+quote(source))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("creating test database %s from %s: %w", name, source, err)
	}
	dbURL, err = withDatabase(base, name)
	return name, dbURL, err
}

// dropSnapshots drops the snapshots this binary built.
func dropSnapshots(base string) {
	snapshotsMu.Lock()
	defer snapshotsMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, name := range snapshots {
		if err := dropDatabase(ctx, base, name); err != nil {
			fmt.Printf("pgtest: %v\n", err)
		}
	}
	snapshots = nil
}
