package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/service/seed"
)

// The monitor command: a dry run a year ahead writes nothing; a kept sweep of the future is
// refused; a real run now delivers what it causes; recompute-clocks rebuilds the stored clocks of
// every case after they were lost.
func TestMonitorAndRecomputeCommands(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	units, err := seed.Org(ctx, e.store, e.store, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	kv1 := units[seed.RegionalCode("HNI", 1)]
	e.addUser(t, "kv1.ksv", kv1, domain.RoleProsecutor)
	e.addUser(t, "kv1.thuky", kv1, domain.RoleClerk)
	e.addUser(t, "kv1.vientruong", kv1, domain.RoleChief)
	t.Setenv("DATABASE_URL", e.url)
	if err := runGen(ctx, []string{"--cases", "600", "--seed", "5"}); err != nil {
		t.Fatal(err)
	}
	open := e.count(t, `SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')`)
	violations := e.count(t, `SELECT count(*) FROM violations`)
	if open == 0 {
		t.Fatal("no open clock generated")
	}
	if err := runMonitor(ctx, []string{"--at", "+8760h", "--dry-run", "--baseline"}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')`); n != open {
		t.Fatalf("the dry run changed open clocks: %d, was %d", n, open)
	}
	// A sweep of the future that would be kept is refused; a real sweep now leaves no event behind.
	if err := runMonitor(ctx, []string{"--at", "+8760h"}); err == nil {
		t.Fatal("a kept sweep a year ahead was accepted")
	}
	if err := runMonitor(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM violations`); n < violations {
		t.Fatalf("%d violations after the sweep, were %d", n, violations)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE delivered_at IS NULL`); n != 0 {
		t.Fatalf("%d events left undelivered by the run", n)
	}
	if err := runMonitor(ctx, []string{"--at", "bad"}); err == nil {
		t.Fatal("--at bad accepted")
	}

	// Lost stored clocks come back from the record.
	keys := e.count(t, `SELECT count(*) FROM case_clocks`)
	if _, err := e.pool.Exec(ctx, `DELETE FROM case_clocks`); err != nil {
		t.Fatal(err)
	}
	if err := runRecomputeClocks(ctx, []string{"--batch", "97"}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM case_clocks`); n != keys {
		t.Fatalf("%d clocks after recompute-clocks, want %d", n, keys)
	}
	if n := e.count(t, `SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id)
		AND c.stage NOT IN ('closed', 'terminated', 'joined', 'not_instituted')`); n != 0 {
		t.Fatalf("%d open cases without clocks after recompute-clocks", n)
	}
}

// A database migrated from before stored clocks gets the clocks of its existing cases computed
// once, when the binary migrates it: the demo recorded under the new schema, rolled back to the
// schema before stored clocks (the clocks dropped), then opened by the binary, has the same
// clocks again.
func TestUpgradeComputesClocksOfExistingCases(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	if _, err := seed.Demo(ctx, seed.DepsOf(e.store, e.svc, cheapHasher, e.clock), "Demo-mat-khau-2026", false); err != nil {
		t.Fatal(err)
	}
	want := e.count(t, `SELECT count(*) FROM case_clocks`)
	if want < 40 {
		t.Fatalf("only %d demo clocks", want)
	}
	if err := repository.MigrateDownTo(ctx, e.store.SQL(), repository.StoredClocksVersion-1); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'case_clocks'`); n != 0 {
		t.Fatal("case_clocks survived the rollback")
	}
	cfg := Config{DatabaseURL: e.url, MigrateOnStart: true, DBMaxConns: 4, MakeUpSaturdaysWork: true}
	app, err := NewApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	if n := e.count(t, `SELECT count(*) FROM case_clocks`); n != want {
		t.Fatalf("%d clocks after the upgrade, want %d", n, want)
	}
	// A second start migrates nothing and computes nothing again.
	app, err = NewApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	if n := e.count(t, `SELECT count(*) FROM case_clocks`); n != want {
		t.Fatalf("%d clocks after a second start, want %d", n, want)
	}
}
