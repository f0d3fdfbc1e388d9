package pgcluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// testDir makes a data directory parent that the postgres OS user can reach when the test
// runs as root (t.TempDir's directories are mode 0700).
func testDir(t *testing.T) string {
	t.Helper()
	parent, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(parent, "pg")
}

// startCluster starts a fast cluster in dir, skipping the test only when this machine has
// no PostgreSQL and cannot install it.
func startCluster(t *testing.T, ctx context.Context, dir string, fresh bool) *Cluster {
	t.Helper()
	var log strings.Builder
	c, err := Start(ctx, Options{Dir: dir, Log: &log, Fast: true, Install: true, Fresh: fresh})
	if errors.Is(err, ErrBinariesNotFound) && cannotInstall() != "" {
		t.Skipf("no PostgreSQL server binaries and cannot install them: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v\nlog:\n%s", err, log.String())
	}
	t.Logf("%s", log.String())
	return c
}

func TestStartQueryStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := testDir(t)
	c := startCluster(t, ctx, dir, false)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			c.Stop()
		}
	})

	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	for _, ext := range []string{"ltree", "pg_trgm"} {
		if _, err := db.ExecContext(ctx, "CREATE EXTENSION "+ext); err != nil {
			t.Fatalf("CREATE EXTENSION %s: %v", ext, err)
		}
	}
	var ctype string
	if err := db.QueryRowContext(ctx, "SELECT datctype FROM pg_database WHERE datname = 'postgres'").Scan(&ctype); err != nil {
		t.Fatal(err)
	}
	t.Logf("lc_ctype %s, port %d", ctype, c.Port())
	// Vietnamese search relies on pg_trgm seeing "ộ" as a letter, which needs a UTF-8 ctype.
	// Under a C ctype, show_trgm('ộ') has no trigrams at all.
	var trgms sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT array_length(show_trgm('ộ'), 1)").Scan(&trgms); err != nil {
		t.Fatal(err)
	}
	if !trgms.Valid || trgms.Int64 == 0 {
		t.Errorf("show_trgm('ộ') is empty: non-ASCII letters are not word characters (lc_ctype %s)", ctype)
	}
	db.Close()

	// A second Start on the same directory reuses the running server.
	again := startCluster(t, ctx, dir, false)
	if again.Port() != c.Port() {
		t.Errorf("second Start: port %d, want the running server's %d", again.Port(), c.Port())
	}

	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stopped = true
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, ok := c.runningPort(ctx); ok {
		t.Error("server still running after Stop")
	}

	// Starting again keeps the data and, the port being free, the port.
	c2 := startCluster(t, ctx, dir, false)
	defer c2.Stop()
	if c2.Port() != c.Port() {
		t.Errorf("restart: port %d, want previous %d", c2.Port(), c.Port())
	}
	db, err = sql.Open("pgx", c2.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_extension WHERE extname = 'ltree'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("ltree after restart: %d, %v", n, err)
	}
}

func TestFreshWipesRunningCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := testDir(t)
	c := startCluster(t, ctx, dir, false)
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE leftover"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The first server is left running, as after a killed test run.
	fresh := startCluster(t, ctx, dir, true)
	defer fresh.Stop()
	db, err = sql.Open("pgx", fresh.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = 'leftover'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("Fresh start kept the old cluster's database")
	}
}

func TestFreshRefusesForeignDirectory(t *testing.T) {
	if _, err := FindBinaries(false, nil); err != nil {
		t.Skip(err)
	}
	dir := testDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{Dir: dir, Fresh: true})
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("Start with Fresh on a foreign directory: %v, want a refusal", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("foreign file deleted: %v", err)
	}
}

func TestParseVersionOrder(t *testing.T) {
	a, _ := parseVersion("9.6")
	b, _ := parseVersion("15")
	if !versionLess(a, b) || versionLess(b, a) {
		t.Error("9.6 must sort below 15")
	}
	if _, ok := parseVersion("lib"); ok {
		t.Error("non-numeric directory accepted as a version")
	}
}

func TestStaleLockFromForeignProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/comm"); err != nil {
		t.Skip("needs /proc")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := testDir(t)
	c := startCluster(t, ctx, dir, false)
	port := c.Port()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// After a container restart the recorded process id may belong to anything, such as
	// this test binary.
	pidFile := filepath.Join(dir, "postmaster.pid")
	stale := fmt.Sprintf("%d\n%s\n0\n%d\n\n127.0.0.1\n0 0\nready\n", os.Getpid(), dir, port)
	if err := os.WriteFile(pidFile, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.acct.chown(pidFile); err != nil {
		t.Fatal(err)
	}
	c2 := startCluster(t, ctx, dir, false)
	defer c2.Stop()
	if err := waitForPort(ctx, c2.Port(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestUnreachableDirectoryExplained(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root switches to the postgres user")
	}
	if _, err := FindBinaries(false, nil); err != nil {
		t.Skip(err)
	}
	private := t.TempDir() // mode 0700, owned by root
	_, err := Start(context.Background(), Options{Dir: filepath.Join(private, "pg")})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("Start under a 0700 root directory: %v, want an explanation", err)
	}
	t.Log(err)
}
