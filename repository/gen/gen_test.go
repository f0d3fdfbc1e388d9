package gen_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"kiemsat/repository"
	"kiemsat/repository/gen"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var cheap = service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}

var refNow = time.Date(2026, 3, 15, 0, 0, 0, 0, service.VietnamTime)

// generate runs Prepare and Run on a fresh database and returns its pool.
func generate(t *testing.T, cases int, seed uint64, before func(*pgxpool.Pool)) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	store, err := repository.Open(ctx, url, repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	creator, err := gen.Prepare(ctx, store, pool, cheap, refNow)
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(pool)
	}
	res, err := gen.Run(ctx, pool, gen.Config{Cases: cases, Seed: seed, Batch: 97, Now: refNow, CreatorID: creator, SkipAnalyze: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cases != cases || res.Parties < cases || res.Parties > 3*cases {
		t.Fatalf("result %+v for %d cases", res, cases)
	}
	if res.Refused != 0 {
		t.Fatalf("the transition table refused the planned history of %d cases; the first: %v", res.Refused, res.FirstRefusal)
	}
	lastResult = res
	return pool
}

// lastResult is the result of the latest generate, for tests that compare it with the tables.
var lastResult gen.Result

func digest(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT c.id, c.code, c.summary, c.received_at, c.reporter_name,
		(SELECT string_agg(p.full_name || p.national_id, ',' ORDER BY p.id) FROM case_parties p WHERE p.case_id = c.id) || c.stage ||
		coalesce((SELECT string_agg(d.id::text || d.step || d.issued_on || d.recorded_at, ',' ORDER BY d.seq) FROM case_decisions d WHERE d.case_id = c.id), '') ||
		coalesce((SELECT string_agg(m.id::text || m.start_at || coalesce(m.ordered_end::text, ''), ',' ORDER BY m.id) FROM measures m WHERE m.case_id = c.id), '') ||
		coalesce((SELECT string_agg(k.clock_key || k.status || k.latest_due, ',' ORDER BY k.clock_key) FROM case_clocks k WHERE k.case_id = c.id), '')
		FROM cases c ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var id, code, summary, reporter, parties string
		var at time.Time
		if err := rows.Scan(&id, &code, &summary, &at, &reporter, &parties); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, id, code, summary, at.UnixMilli(), reporter, parties)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// The same seed on the same database state gives the same cases, ids included; another seed
// gives other cases.
func TestDeterministicGivenSeed(t *testing.T) {
	a := digest(t, generate(t, 300, 42, nil))
	b := digest(t, generate(t, 300, 42, nil))
	c := digest(t, generate(t, 300, 43, nil))
	if a != b {
		t.Fatal("same seed produced different data")
	}
	if a == c {
		t.Fatal("different seeds produced the same data")
	}
}

// register lists every number a unit's registers hold: a case's own number, and for a report
// instituted as a case also the report number it kept.
const register = `(SELECT unit_id, year, kind, seq, received_at FROM cases
	UNION ALL SELECT unit_id, year, 'report', split_part(report_number, '/', 1)::int, received_at FROM cases WHERE report_number <> '') r`

// Numbers continue from case_counters: a counter already at 7 makes the first generated number
// of that unit, year and kind 8, and the counter ends at the largest number generated. Reports
// instituted as cases keep their report number, so the report register has no gaps either.
func TestContinuesCounters(t *testing.T) {
	ctx := context.Background()
	var unitID int64
	pool := generate(t, 1500, 7, func(pool *pgxpool.Pool) {
		if err := pool.QueryRow(ctx, `SELECT id FROM units WHERE code = 'VKS-HNI-KV01'`).Scan(&unitID); err != nil {
			t.Fatal(err)
		}
		// The window ends in March 2026, so 2025 surely has reports at a regional unit.
		if _, err := pool.Exec(ctx, `INSERT INTO case_counters VALUES ($1, 2025, 'report', 7)`, unitID); err != nil {
			t.Fatal(err)
		}
	})
	var minSeq, maxSeq, n, last int
	if err := pool.QueryRow(ctx, `SELECT min(seq), max(seq), count(*) FROM `+register+` WHERE unit_id = $1 AND year = 2025 AND kind = 'report'`,
		unitID).Scan(&minSeq, &maxSeq, &n); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT last FROM case_counters WHERE unit_id = $1 AND year = 2025 AND kind = 'report'`, unitID).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if n == 0 || minSeq != 8 || maxSeq != 7+n || last != maxSeq {
		t.Fatalf("seq %d..%d for %d cases, counter %d; want 8..%d and counter %d", minSeq, maxSeq, n, last, 7+n, 7+n)
	}
	// Every other register is numbered 1..n without gaps, its counter at n.
	var gaps int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT unit_id, year, kind, min(seq) AS mn, max(seq) AS mx, count(DISTINCT seq) AS n
		FROM `+register+` GROUP BY 1, 2, 3) g JOIN case_counters cc USING (unit_id, year, kind)
		WHERE cc.last <> g.mx OR g.mx - g.mn + 1 <> g.n OR (g.mn <> 1 AND NOT (g.unit_id = $1 AND g.year = 2025 AND g.kind = 'report'))`,
		unitID).Scan(&gaps); err != nil {
		t.Fatal(err)
	}
	if gaps != 0 {
		t.Fatalf("%d registers with gaps or a stale counter", gaps)
	}
	// Numbers follow received dates within a unit, year and kind.
	var disorder int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT seq, received_at, lag(received_at) OVER (PARTITION BY unit_id, year, kind ORDER BY seq) AS prev
		FROM `+register+`) x WHERE received_at < prev`).Scan(&disorder); err != nil {
		t.Fatal(err)
	}
	if disorder != 0 {
		t.Fatalf("%d cases numbered out of received order", disorder)
	}
	// Every generated record is dated inside the three-year window and lies in its number's year.
	var outside int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cases WHERE received_at > $1 OR received_at < $1 - interval '1096 days'
		OR year <> extract(year FROM received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')`, refNow).Scan(&outside); err != nil {
		t.Fatal(err)
	}
	if outside != 0 {
		t.Fatalf("%d cases outside the window or numbered in the wrong year", outside)
	}
}
