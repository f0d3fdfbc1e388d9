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
	// Every case has its clocks stored, and the demo keeps the law: no violation is in force
	// (a limit recorded as missed on the way, then kept by the next decision, is withdrawn).
	if n := count(`SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id)`); n != 0 {
		t.Errorf("%d demo cases without stored clocks", n)
	}
	missed, err := db.QueryContext(ctx, `SELECT c.number, k.rule, k.latest_last_day::text FROM case_clocks k JOIN cases c ON c.id = k.case_id
		WHERE k.status IN ('missed', 'met_late') ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	for missed.Next() {
		var number, rule, last string
		if err := missed.Scan(&number, &rule, &last); err != nil {
			t.Fatal(err)
		}
		t.Errorf("demo case %s: %s ran out on %s", number, rule, last)
	}
	inForce, err := db.QueryContext(ctx, `SELECT c.number, v.rule, v.due_at::text, COALESCE(v.met_at::text, ''), k.status FROM violations v
		JOIN cases c ON c.id = v.case_id LEFT JOIN case_clocks k ON k.case_id = v.case_id AND k.clock_key = v.clock_key
		WHERE v.withdrawn_at IS NULL ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	for inForce.Next() {
		var number, rule, due, met string
		var status *string
		if err := inForce.Scan(&number, &rule, &due, &met, &status); err != nil {
			t.Fatal(err)
		}
		t.Errorf("demo case %s: violation of %s due %s (met %q), clock now %v", number, rule, due, met, deref(status))
	}
	// Seeding again added no case and no decision.
	if n := count(`SELECT count(*) FROM cases`); n != 21 {
		t.Errorf("%d demo cases, want 21", n)
	}
	if n := count(`SELECT count(DISTINCT case_id) FROM case_decisions`); n < 16 {
		t.Errorf("only %d demo cases have decisions", n)
	}
}

func deref(s *string) string {
	if s == nil {
		return "gone"
	}
	return *s
}
