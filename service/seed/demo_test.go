package seed_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type noTokens struct{}

func (noTokens) Issue(service.AccessClaims, time.Time) (string, error) { return "", nil }
func (noTokens) TTL() time.Duration                                    { return time.Minute }

// The demo data puts at least one case in every stage of the lifecycle, with real decisions,
// accused, charges and custody measures, all recorded through the transition table; and seeding
// twice changes nothing.
func TestDemoCoversEveryStage(t *testing.T) {
	ctx := context.Background()
	store, err := repository.Open(ctx, pgtest.NewDatabase(t), repository.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	policy, err := repository.NewPolicy(ctx, store, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(policy.Close)
	hasher := service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	clock := service.SystemClock{}
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: noTokens{}, Hasher: hasher, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := seed.Demo(ctx, seed.DepsOf(store, svc, hasher, clock), "Demo-mat-khau-2026", false); err != nil {
			t.Fatal(err)
		}
	}
	db := store.SQL()
	stages := map[domain.Stage]int{}
	rows, err := db.QueryContext(ctx, `SELECT stage, count(*) FROM cases GROUP BY stage`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		stages[domain.Stage(s)] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range domain.Stages {
		if stages[s] == 0 {
			t.Errorf("no demo case in stage %s", s)
		}
	}
	count := func(q string) int {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM measures WHERE kind = 'detention' AND status = 'active'`); n < 3 {
		t.Errorf("%d active detentions in the demo, want at least 3", n)
	}
	// The demo is lawful: nobody is held past the end date of their order.
	if n := count(`SELECT count(*) FROM measures WHERE status = 'active' AND kind IN ('custody', 'detention') AND ordered_end < current_date`); n != 0 {
		t.Errorf("%d demo custody or detention orders are still in force past their end date", n)
	}
	if n := count(`SELECT count(*) FROM measures WHERE kind = 'custody'`); n < 5 {
		t.Errorf("%d custody orders in the demo, want at least 5", n)
	}
	if n := count(`SELECT count(*) FROM accused WHERE status = 'instituted'`); n < 10 {
		t.Errorf("%d instituted accused, want at least 10", n)
	}
	if n := count(`SELECT count(*) FROM case_unit_history`); n != 1 {
		t.Errorf("%d transfers in the demo, want 1", n)
	}
	// Seeding again added no case and no decision.
	if n := count(`SELECT count(*) FROM cases`); n != 21 {
		t.Errorf("%d demo cases, want 21", n)
	}
	if n := count(`SELECT count(DISTINCT case_id) FROM case_decisions`); n < 16 {
		t.Errorf("only %d demo cases have decisions", n)
	}
}
