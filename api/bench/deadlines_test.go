package bench_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"kiemsat/service"
	"kiemsat/workflow"
)

// errRollback ends a benchmark's transaction without keeping what it did.
var errRollback = errors.New("rollback")

// BenchmarkRecomputeCaseClocks recomputes and stores the clocks of the busiest case, as every
// decision does in its transaction: lock, load the case, its accused and decisions, read the
// calendar, run the engine, lock and upsert the stored clocks. Target: ≤ 5 ms.
func BenchmarkRecomputeCaseClocks(b *testing.B) {
	e := setup(b)
	id := e.recomputeCase
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := e.svc.Procedure.RecomputeCases(ctx, []string{id}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClocksEngineOnly is the engine's share of a recompute: workflow.Clocks over the same
// case, in memory.
func BenchmarkClocksEngineOnly(b *testing.B) {
	e := setup(b)
	id := e.recomputeCase
	ctx := context.Background()
	cs, err := e.store.GetCase(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	accused, err := e.store.ListAccused(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	decisions, err := e.store.ListDecisions(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	st := service.CaseStateOf(cs, accused, decisions, workflow.DefaultPenalCatalog())
	cal := workflow.NewCalendar(workflow.DefaultCalendarDays(), true)
	now := time.Now()
	if len(workflow.Clocks(st, cal, now)) == 0 {
		b.Fatal("no clocks")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		workflow.Clocks(st, cal, now)
	}
}

// sweepAt runs one full monitor sweep at t inside a transaction that is rolled back, so every
// iteration finds the same clocks to move.
func sweepAt(b *testing.B, e *benchEnv, t time.Time) (moved int64) {
	err := e.store.WithinTx(context.Background(), func(ctx context.Context) error {
		res, err := e.svc.Monitor.Sweep(ctx, t)
		if err != nil {
			return err
		}
		moved = res.DueSoon + res.Missed + res.Lapsed
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		b.Fatal(err)
	}
	return moved
}

func benchmarkSweep(b *testing.B, ahead time.Duration) {
	e := setup(b)
	t := time.Now().Add(ahead)
	moved := sweepAt(b, e, t)
	var open int64
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')`).Scan(&open); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		sweepAt(b, e, t)
	}
	b.StopTimer()
	// Every rolled-back sweep left dead row versions and index entries behind; clear them so the
	// benchmarks after this one measure a table as autovacuum keeps it.
	if _, err := e.pool.Exec(context.Background(), `VACUUM (ANALYZE) case_clocks, violations, outbox`); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(moved), "clocks_moved")
	b.ReportMetric(float64(open), "open_clocks")
}

// BenchmarkMonitorSweepDay is the monitor's sweep a day ahead: what a day of passing time does
// to every open clock of the generated cases (warnings and misses, with their violations and
// outbox events), rolled back after each iteration.
func BenchmarkMonitorSweepDay(b *testing.B) { benchmarkSweep(b, 24*time.Hour) }

// BenchmarkMonitorSweepMonth is the same a month ahead: many more clocks move.
func BenchmarkMonitorSweepMonth(b *testing.B) { benchmarkSweep(b, 30*24*time.Hour) }

// BenchmarkCountOpenClocksRawPGX is the baseline of the sweeps: a plain count of the open clocks
// the sweep looks at, through pgx.
func BenchmarkCountOpenClocksRawPGX(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		var n int64
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')`).Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListDeadlinesAPI is GET /api/v1/deadlines?limit=50 as the Hà Nội chief: the most
// urgent open clocks of the whole provincial subtree from the stored table.
func BenchmarkListDeadlinesAPI(b *testing.B) {
	e := setup(b)
	if rec := e.get("/api/v1/deadlines?limit=50"); rec.Code != http.StatusOK {
		b.Fatalf("deadlines: HTTP %d %.300s", rec.Code, rec.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get("/api/v1/deadlines?limit=50"); rec.Code != http.StatusOK {
			b.Fatalf("deadlines: HTTP %d", rec.Code)
		}
	}
}

// BenchmarkListDeadlinesRawPGX is the floor of BenchmarkListDeadlinesAPI: the same count and page
// through pgx, with the same scope condition, no authentication, audit or JSON.
func BenchmarkListDeadlinesRawPGX(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	var userID string
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM users WHERE username = $1`, benchUser).Scan(&userID); err != nil {
		b.Fatal(err)
	}
	const scope = `k.unit_id = ANY($1) AND (NOT k.secret OR k.unit_id = ANY($2) OR EXISTS (SELECT 1 FROM case_assignments ca
		WHERE ca.case_id = k.case_id AND ca.user_id = $3 AND ca.ended_at IS NULL)) AND k.status = ANY('{missed,due_soon,running}')`
	page := func() (int64, int, error) {
		var total int64
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM case_clocks k WHERE `+scope, e.unitIDs, e.ownUnit, userID).Scan(&total); err != nil {
			return 0, 0, err
		}
		rows, err := e.pool.Query(ctx, `WITH page AS (SELECT k.id FROM case_clocks k WHERE `+scope+` ORDER BY k.latest_due, k.id LIMIT 50)
			SELECT k.id, k.case_id::text, k.clock_key, k.rule, k.status, k.latest_due, k.explanation_vi, k.explanation_en, c.number, c.code, u.code
			FROM page JOIN case_clocks k ON k.id = page.id JOIN cases c ON c.id = k.case_id JOIN units u ON u.id = c.unit_id ORDER BY k.latest_due, k.id`,
			e.unitIDs, e.ownUnit, userID)
		if err != nil {
			return 0, 0, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var (
				id                                              int64
				caseID, key, rule, status, vi, en, num, code, u string
				due                                             time.Time
			)
			if err := rows.Scan(&id, &caseID, &key, &rule, &status, &due, &vi, &en, &num, &code, &u); err != nil {
				return 0, 0, err
			}
			n++
		}
		return total, n, rows.Err()
	}
	if total, n, err := page(); err != nil || n == 0 || total < int64(n) {
		b.Fatalf("raw deadlines: %d rows of %d, %v", n, total, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := page(); err != nil {
			b.Fatal(err)
		}
	}
}
