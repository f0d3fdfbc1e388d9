package pgtest_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"kiemsat/repository/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tableExists(t *testing.T, db *sql.DB, table string) bool {
	t.Helper()
	var exists bool
	if err := db.QueryRowContext(t.Context(), "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func currentDatabase(t *testing.T, db *sql.DB) string {
	t.Helper()
	var name string
	if err := db.QueryRowContext(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestPackageDatabaseIsMigrated(t *testing.T) {
	db := open(t, pgtest.URL())
	if !tableExists(t, db, "units") {
		t.Error("table units missing from the package database")
	}
}

func TestNewDatabaseIsolated(t *testing.T) {
	a := open(t, pgtest.NewDatabase(t))
	b := open(t, pgtest.NewDatabase(t))
	nameA, nameB := currentDatabase(t, a), currentDatabase(t, b)
	if nameA == nameB {
		t.Fatalf("both databases are %s", nameA)
	}
	for _, db := range []*sql.DB{a, b} {
		if !tableExists(t, db, "units") {
			t.Fatalf("table units missing from %s", currentDatabase(t, db))
		}
	}
	if _, err := a.ExecContext(t.Context(),
		`INSERT INTO units (code, name, level, path) VALUES ('PGTEST', 'pgtest', 'supreme', '1')`); err != nil {
		t.Fatal(err)
	}
	count := func(db *sql.DB) int {
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM units WHERE code = 'PGTEST'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(a); n != 1 {
		t.Errorf("%s: %d rows, want 1", nameA, n)
	}
	if n := count(b); n != 0 {
		t.Errorf("%s: %d rows written in %s, want 0", nameB, n, nameA)
	}
}

func TestNewDatabaseDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		db := open(t, pgtest.NewDatabase(t))
		name = currentDatabase(t, db)
		// The connection stays open on purpose: cleanup must drop the database anyway.
	})
	db := open(t, pgtest.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after its test finished", name)
	}
}

func BenchmarkNewDatabase(b *testing.B) {
	for b.Loop() {
		pgtest.NewDatabase(b)
	}
}
