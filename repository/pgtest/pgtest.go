package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver for database/sql

	"kiemsat/repository"
)

// packageURL is the database Main created for the test binary; URL returns it.
var packageURL string

const (
	// templatePrefix starts the name of each migrated template database.
	templatePrefix = "kiemsat_tmpl_"
	// databasePrefix starts the name of each test database; the creation time in Unix
	// seconds follows it, so that databases left behind by a killed test binary can be
	// recognized as old and dropped.
	databasePrefix = "kiemsat_t_"
	// staleAfter is how old a test database must be before a later run drops it. It is far
	// longer than any test timeout in the Makefile, so a live run's database is never taken.
	staleAfter = 3 * time.Hour
	// lockKey is the advisory lock that serializes template building across test binaries
	// running in parallel against one server ("kiemsat" in ASCII, plus 1).
	lockKey int64 = 0x6b69656d73617401
	// setupTimeout bounds creating a database, including waiting for another binary that
	// is building the template.
	setupTimeout = 5 * time.Minute
)

// Main is the body of TestMain for packages that use the database: it creates one fresh
// migrated database for the test binary, makes it available through URL, runs the tests,
// drops the database and exits with the tests' code. Without a server it exits at once
// with a message saying how to provide one, rather than letting every test fail alone.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	base, err := baseURL()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	name, dbURL, err := createDatabase(ctx, base)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	packageURL = dbURL
	code := m.Run()
	dropSnapshots(base)
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dropDatabase(ctx, base, name); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
	}
	return code
}

// URL returns the connection URL of the database Main created for this test binary. Tests
// sharing it must not depend on each other's rows; use NewDatabase where that matters.
// It panics when TestMain does not call Main, since tests would otherwise fail later with
// an obscure connection error.
func URL() string {
	if packageURL == "" {
		panic("pgtest.URL: no database; the package's TestMain must call pgtest.Main(m)")
	}
	return packageURL
}

// NewDatabase creates a fresh migrated database for one test and returns its URL; it is
// dropped when the test and its subtests finish, even if connections are still open.
// Use it for tests that need total isolation, such as ones counting rows in a table other
// tests write to. It does not need Main.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base, err := baseURL()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name, dbURL, err := createDatabase(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	dropWhenDone(t, base, name)
	return dbURL
}

// dropWhenDone drops the test's database when the test ends.
func dropWhenDone(t testing.TB, base, name string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(ctx, base, name); err != nil {
			t.Error(err)
		}
	})
}

// baseURL returns the server to create databases on: the database in it is only used as
// the maintenance connection.
func baseURL() (string, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u, nil
	}
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	return "", errors.New("no database server for tests: run them through `make test`, which starts a private " +
		"PostgreSQL cluster, or set TEST_DATABASE_URL to a server where you may create databases, for example " +
		"TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'")
}

// TemplateName returns the name of the template database for the embedded migrations.
// It is exported so that a developer or a tool can find (and drop) the template a run
// built; databases of older migration sets stay until dropped by hand.
func TemplateName() string {
	return templatePrefix + repository.MigrationsFingerprint()[:12]
}

// createDatabase clones the migrated template into a new database.
func createDatabase(ctx context.Context, base string) (name, dbURL string, err error) {
	maint, err := sql.Open("pgx", base)
	if err != nil {
		return "", "", fmt.Errorf("opening %s: %w", redact(base), err)
	}
	defer maint.Close()
	tmpl, err := ensureTemplate(ctx, base, maint)
	if err != nil {
		return "", "", err
	}
	if name, err = newDatabaseName(); err != nil {
		return "", "", err
	}
	err = retryBusy(ctx, func() error {
		_, err := maint.ExecContext(ctx, "CREATE DATABASE "+quote(name)+" TEMPLATE "+quote(tmpl))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("creating test database %s from %s: %w", name, tmpl, err)
	}
	dbURL, err = withDatabase(base, name)
	if err != nil {
		return "", "", err
	}
	return name, dbURL, nil
}

// newDatabaseName names a test database: the prefix, the creation time (so that one a killed
// binary left behind is recognized as old and dropped) and a random suffix.
func newDatabaseName() (string, error) {
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", fmt.Errorf("random database name: %w", err)
	}
	return fmt.Sprintf("%s%d_%s", databasePrefix, time.Now().Unix(), hex.EncodeToString(suffix[:])), nil
}

// dropDatabase drops a test database, closing whatever connections the test left open.
func dropDatabase(ctx context.Context, base, name string) error {
	maint, err := sql.Open("pgx", base)
	if err != nil {
		return fmt.Errorf("opening %s: %w", redact(base), err)
	}
	defer maint.Close()
	if _, err := maint.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quote(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping test database %s: %w", name, err)
	}
	return nil
}

// ensureTemplate returns the name of the migrated template, building it first if no test
// binary has yet. Building happens under an advisory lock on the maintenance database, in
// a database with a temporary name that is renamed only once fully migrated, so a failed
// or interrupted build never leaves a half-migrated template for later runs to reuse. The
// finished template refuses connections, so cloning it never meets "source database is
// being accessed by other users".
func ensureTemplate(ctx context.Context, base string, maint *sql.DB) (string, error) {
	tmpl := TemplateName()
	conn, err := maint.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connecting to %s: %w", redact(base), err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", fmt.Errorf("taking the template lock: %w", err)
	}
	defer func() {
		// A failure here leaves the lock to be released when conn closes just after.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lockKey)
	}()

	dropStaleDatabases(ctx, conn)

	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return "", fmt.Errorf("looking for template %s: %w", tmpl, err)
	}
	if exists {
		return tmpl, nil
	}

	build := tmpl + "_build"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quote(build)+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("dropping leftover %s: %w", build, err)
	}
	// template0 rather than template1, which on a shared server may hold someone's objects.
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+quote(build)+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", fmt.Errorf("creating %s: %w", build, err)
	}
	buildURL, err := withDatabase(base, build)
	if err != nil {
		return "", err
	}
	if err := migrate(ctx, buildURL); err != nil {
		return "", fmt.Errorf("migrating template %s: %w", build, err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+quote(build)+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return "", fmt.Errorf("closing %s to connections: %w", build, err)
	}
	// The migration's connections are closed, but their server processes may take a moment
	// to go, and RENAME needs them gone.
	err = retryBusy(ctx, func() error {
		_, err := conn.ExecContext(ctx, "ALTER DATABASE "+quote(build)+" RENAME TO "+quote(tmpl))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("publishing template %s: %w", tmpl, err)
	}
	return tmpl, nil
}

// migrate applies the embedded migrations to the database at dbURL.
func migrate(ctx context.Context, dbURL string) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return repository.Migrate(ctx, db)
}

// dropStaleDatabases drops test databases that test binaries killed before their cleanup
// (a panic, a timeout, Ctrl-C) left behind. Without FORCE, so a database someone is still
// connected to, say from a debugger, stays; failures are ignored for the same reason.
func dropStaleDatabases(ctx context.Context, conn *sql.Conn) {
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, databasePrefix)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		created, _, ok := strings.Cut(strings.TrimPrefix(name, databasePrefix), "_")
		if !ok {
			continue
		}
		secs, err := strconv.ParseInt(created, 10, 64)
		if err != nil || time.Since(time.Unix(secs, 0)) < staleAfter {
			continue
		}
		stale = append(stale, name)
	}
	rows.Close()
	for _, name := range stale {
		conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quote(name))
	}
}

// retryBusy runs fn again while it fails with SQLSTATE 55006 (object in use), which
// CREATE DATABASE ... TEMPLATE and ALTER DATABASE ... RENAME report while another session
// is still connected to the database they need alone.
func retryBusy(ctx context.Context, fn func() error) error {
	const attempts = 20
	var err error
	for i := 1; i <= attempts; i++ {
		err = fn()
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(i) * 50 * time.Millisecond):
		}
	}
	return err
}

// withDatabase returns base with its database replaced by name. base may be a URL
// (postgres://...) or a keyword/value string (host=... dbname=...), the two forms pgx
// accepts; in the latter a later dbname overrides an earlier one.
func withDatabase(base, name string) (string, error) {
	if !strings.Contains(base, "://") {
		return base + " dbname=" + name, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parsing database URL %s: %w", redact(base), err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// redact hides a password in a URL before it goes into an error message.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		if strings.Contains(dsn, "password") {
			return "(connection string)"
		}
		return dsn
	}
	return u.Redacted()
}

// quote quotes a database name as an SQL identifier.
func quote(name string) string {
	return pgx.Identifier{name}.Sanitize()
}
