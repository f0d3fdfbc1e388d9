// Package bench_test measures the case registry end to end on a real PostgreSQL filled by the
// generator (BENCH_CASES cases, 20000 by default): the list and read endpoints through the whole
// API stack, and the list's SQL alone through pgx, so that the two results show what the layers
// above the database cost.
//
//	TEST_DATABASE_URL=... go test -run '^$' -bench . -benchmem ./api/bench/
package bench_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"kiemsat/api"
	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/gen"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
	"kiemsat/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	benchUser     = "hn.vientruong" // chief of the Hà Nội provincial procuracy: reads its whole subtree
	benchPassword = "Bench@2026"
)

type benchEnv struct {
	handler  http.Handler
	pool     *pgxpool.Pool
	token    string
	unitIDs  []int64 // the units the chief's scope reaches
	ownUnit  []int64 // where the chief may also read secret cases
	caseIDs  []string
	total    int64 // cases in scope
	generate time.Duration
	store    *repository.Store
	svc      *service.Services
	jwt      *api.JWT
	// recomputeCase is the case with the most decisions when the data was made, chosen before any
	// benchmark records more decisions on a case.
	recomputeCase string
}

var (
	envOnce sync.Once
	env     *benchEnv
	envErr  error
)

// setup builds the application as cmd/kiemsat does, on the package database, seeds the demo
// organisation and users, and generates the cases, once for all benchmarks.
func setup(b *testing.B) *benchEnv {
	b.Helper()
	envOnce.Do(func() { env, envErr = build(context.Background()) })
	if envErr != nil {
		b.Fatal(envErr)
	}
	return env
}

func build(ctx context.Context) (*benchEnv, error) {
	n := 20000
	if v := os.Getenv("BENCH_CASES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			return nil, fmt.Errorf("BENCH_CASES=%q: want a positive number", v)
		}
	}
	// BENCH_DATABASE_URL names a database already filled by `kiemsat gen` (after seed-demo): the
	// benchmarks read it as it is, without generating, and sign in as the demo chief directly.
	url, given := os.LookupEnv("BENCH_DATABASE_URL")
	if !given {
		url = pgtest.URL()
	}
	store, err := repository.Open(ctx, url, repository.Options{MaxOpenConns: 16})
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy, err := repository.NewPolicy(ctx, store, log, 0)
	if err != nil {
		return nil, err
	}
	hasher := service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	clock := service.SystemClock{}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	jwt := api.NewJWT(key, "kiemsat", "kiemsat-api", 24*time.Hour, time.Now) // outlives any benchmark run
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: jwt, Hasher: hasher, Clock: clock})
	if err != nil {
		return nil, err
	}
	srv := api.NewServer(api.Deps{Log: log, JWT: jwt, Services: svc, Auditor: store,
		Ready: func(context.Context) error { return nil }, Version: "bench"})
	ui, err := web.New(web.Deps{Log: log, Services: svc, Tokens: jwt, Version: "bench"})
	if err != nil {
		return nil, err
	}
	e := &benchEnv{handler: web.Routes(srv.Handler(), ui.Handler()), store: store, svc: svc, jwt: jwt}
	if e.pool, err = pgxpool.New(ctx, url); err != nil {
		return nil, err
	}
	units := map[string]domain.Unit{}
	if given {
		all, err := store.ListUnits(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range all {
			units[u.Code] = u
		}
		cred, err := store.GetCredentials(ctx, benchUser)
		if err != nil {
			return nil, fmt.Errorf("BENCH_DATABASE_URL: %s: %w (run seed-demo before gen)", benchUser, err)
		}
		if e.token, err = jwt.Issue(service.AccessClaims{UserID: cred.User.ID, PasswordEpoch: cred.User.PasswordChangedAt.Unix()}, time.Now()); err != nil {
			return nil, err
		}
		var n int64
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "bench: %d cases in the given database\n", n)
	} else {
		if units, err = seed.Demo(ctx, seed.DepsOf(store, svc, hasher, clock), benchPassword, false); err != nil {
			return nil, err
		}
		creator, err := gen.Prepare(ctx, store, e.pool, hasher, time.Now())
		if err != nil {
			return nil, err
		}
		res, err := gen.Run(ctx, e.pool, gen.Config{Cases: n, Seed: 1, Batch: 10000, Now: time.Now(), CreatorID: creator})
		if err != nil {
			return nil, err
		}
		e.generate = res.Elapsed
		fmt.Fprintf(os.Stderr, "bench: generated %d cases (%d parties, %d leads) in %s\n", res.Cases, res.Parties, res.Assignments, res.Elapsed.Round(time.Millisecond))

		// Log in through the API, as a client would.
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, benchUser, benchPassword)))
		req.Header.Set("Content-Type", "application/json")
		e.handler.ServeHTTP(rec, req)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tok) != nil || tok.AccessToken == "" {
			return nil, fmt.Errorf("login as %s: HTTP %d %s", benchUser, rec.Code, rec.Body.String())
		}
		e.token = tok.AccessToken
	}

	hn := units[seed.ProvinceCode("HNI")]
	e.ownUnit = []int64{hn.ID}
	rows, err := e.pool.Query(ctx, `SELECT id FROM units WHERE path <@ $1::ltree ORDER BY id`, string(hn.Path))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		e.unitIDs = append(e.unitIDs, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cases WHERE unit_id = ANY($1) AND NOT secret`, e.unitIDs).Scan(&e.total); err != nil {
		return nil, err
	}
	idRows, err := e.pool.Query(ctx, `SELECT id::text FROM cases WHERE unit_id = ANY($1) AND NOT secret ORDER BY id LIMIT 1000`, e.unitIDs)
	if err != nil {
		return nil, err
	}
	for idRows.Next() {
		var id string
		if err := idRows.Scan(&id); err != nil {
			return nil, err
		}
		e.caseIDs = append(e.caseIDs, id)
	}
	if err := idRows.Err(); err != nil {
		return nil, err
	}
	if len(e.caseIDs) == 0 {
		return nil, fmt.Errorf("no readable case in %s's scope", benchUser)
	}
	if err := e.pool.QueryRow(ctx, `SELECT case_id::text FROM case_decisions GROUP BY case_id ORDER BY count(*) DESC, case_id LIMIT 1`).
		Scan(&e.recomputeCase); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *benchEnv) get(path string) *httptest.ResponseRecorder { return e.getAs(e.token, path) }

func (e *benchEnv) getAs(token, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	e.handler.ServeHTTP(rec, req)
	return rec
}

// tokenFor signs an access token for a demo user, as the login would.
func (e *benchEnv) tokenFor(b *testing.B, username string) string {
	b.Helper()
	cred, err := e.store.GetCredentials(context.Background(), username)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := e.jwt.Issue(service.AccessClaims{UserID: cred.User.ID, PasswordEpoch: cred.User.PasswordChangedAt.Unix()}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

// BenchmarkListCasesAPI is GET /api/v1/cases?limit=50 as the Hà Nội chief through the whole
// stack: authentication, scope, SQL through gorm, the audit row, JSON.
func BenchmarkListCasesAPI(b *testing.B) {
	e := setup(b)
	rec := e.get("/api/v1/cases?limit=50")
	var page struct {
		Items []json.RawMessage `json:"items"`
		Total int64             `json:"total"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &page) != nil || len(page.Items) != 50 || page.Total < e.total {
		b.Fatalf("list: HTTP %d, %d items, total %d (want 50 items of at least %d): %.300s", rec.Code, len(page.Items), page.Total, e.total, rec.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get("/api/v1/cases?limit=50"); rec.Code != http.StatusOK {
			b.Fatalf("list: HTTP %d", rec.Code)
		}
	}
	b.ReportMetric(float64(page.Total), "cases_in_scope")
}

// BenchmarkListCasesRawPGX is the same page with the same scope condition, straight through pgx:
// the floor the API list is measured against.
func BenchmarkListCasesRawPGX(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	const scope = `c.unit_id = ANY($1) AND (NOT c.secret OR c.unit_id = ANY($2) OR EXISTS (SELECT 1 FROM case_assignments ca
		WHERE ca.case_id = c.id AND ca.user_id = $3 AND ca.ended_at IS NULL))`
	var userID string
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM users WHERE username = $1`, benchUser).Scan(&userID); err != nil {
		b.Fatal(err)
	}
	page := func() (int64, int, error) {
		var total int64
		// Planned for its arguments each time (QueryExecModeExec), as the API's statements are: a
		// generic plan of the cached statement is up to three times slower here at 1,000,000 cases.
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cases c WHERE `+scope, pgx.QueryExecModeExec, e.unitIDs, e.ownUnit, userID).Scan(&total); err != nil {
			return 0, 0, err
		}
		rows, err := e.pool.Query(ctx, `SELECT c.id, c.kind, c.number, c.code, c.unit_id, c.stage, c.received_at, c.channel, c.source_type,
			c.summary, c.reporter_name, c.offence_article, c.offence_clause, c.secret, c.version, c.created_at, c.updated_at, u.path::text, u.code
			FROM cases c JOIN units u ON u.id = c.unit_id WHERE `+scope+` ORDER BY c.received_at DESC, c.id DESC LIMIT 50`, pgx.QueryExecModeExec,
			e.unitIDs, e.ownUnit, userID)
		if err != nil {
			return 0, 0, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var (
				id                                                   [16]byte
				kind, number, code, stage, channel, source, sum, rep string
				path, unitCode                                       string
				unitID                                               int64
				received, created, updated                           time.Time
				article, clause                                      *int32
				secret                                               bool
				version                                              int32
			)
			if err := rows.Scan(&id, &kind, &number, &code, &unitID, &stage, &received, &channel, &source, &sum, &rep, &article, &clause,
				&secret, &version, &created, &updated, &path, &unitCode); err != nil {
				return 0, 0, err
			}
			n++
		}
		return total, n, rows.Err()
	}
	total, n, err := page()
	if err != nil || n != 50 || total < e.total {
		b.Fatalf("raw list: %d rows, total %d, err %v", n, total, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := page(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total), "cases_in_scope")
}

// BenchmarkGetCaseAPI is GET /api/v1/cases/:id over a thousand cases of the chief's subtree:
// the case, its parties and team, and the audit row of the read.
func BenchmarkGetCaseAPI(b *testing.B) {
	e := setup(b)
	if rec := e.get("/api/v1/cases/" + e.caseIDs[0]); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), e.caseIDs[0]) {
		b.Fatalf("get: HTTP %d: %.300s", rec.Code, rec.Body.String())
	}
	b.ReportAllocs()
	i := 0
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get("/api/v1/cases/" + e.caseIDs[i%len(e.caseIDs)]); rec.Code != http.StatusOK {
			b.Fatalf("get: HTTP %d", rec.Code)
		}
		i++
	}
}

// busiestCase is the non-secret demo case of the chief's subtree with the most decisions: the
// heaviest timeline of the demo data.
func (e *benchEnv) busiestCase(b *testing.B, stage string) (id string, decisions int) {
	b.Helper()
	err := e.pool.QueryRow(context.Background(), `SELECT c.id::text, count(d.id) FROM cases c JOIN case_decisions d ON d.case_id = c.id
		WHERE c.unit_id = ANY($1) AND NOT c.secret AND ($2 = '' OR c.stage = $2) GROUP BY c.id ORDER BY count(d.id) DESC, c.id LIMIT 1`, e.unitIDs, stage).Scan(&id, &decisions)
	if err != nil {
		b.Fatalf("busiest case: %v", err)
	}
	return id, decisions
}

// BenchmarkTimelineAPI is GET /api/v1/cases/:id/timeline of the demo case with the most decisions:
// authentication, scope, the case with parties, team and former units, the accused with charges and
// measures, the decisions with their derived statuses, the audit row, JSON.
func BenchmarkTimelineAPI(b *testing.B) {
	e := setup(b)
	id, n := e.busiestCase(b, "")
	rec := e.get("/api/v1/cases/" + id + "/timeline")
	var tl struct {
		Items []json.RawMessage `json:"items"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tl) != nil || len(tl.Items) != n {
		b.Fatalf("timeline: HTTP %d, %d items, want %d: %.300s", rec.Code, len(tl.Items), n, rec.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get("/api/v1/cases/" + id + "/timeline"); rec.Code != http.StatusOK {
			b.Fatalf("timeline: HTTP %d", rec.Code)
		}
	}
	b.ReportMetric(float64(n), "decisions")
}

// BenchmarkTimelineRawPGX reads the same rows with the same statements the store issues, straight
// through pgx and without the audit row: the floor the timeline is measured against.
func BenchmarkTimelineRawPGX(b *testing.B) {
	e := setup(b)
	id, n := e.busiestCase(b, "")
	ctx := context.Background()
	count := func(q string, args ...any) (int, error) {
		rows, err := e.pool.Query(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		k := 0
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				return 0, err
			}
			k++
		}
		return k, rows.Err()
	}
	read := func() (int, error) {
		var accused []string
		for _, q := range []string{
			`SELECT c.*, u.path::text, u.code FROM cases c JOIN units u ON u.id = c.unit_id WHERE c.id = $1`,
			`SELECT * FROM case_parties WHERE case_id = $1 ORDER BY created_at, id`,
			`SELECT a.*, us.full_name FROM case_assignments a JOIN users us ON us.id = a.user_id WHERE a.case_id = $1 ORDER BY a.assigned_at, a.id`,
			`SELECT DISTINCT u.id, u.path::text FROM case_unit_history h JOIN units u ON u.id = h.unit_id WHERE h.case_id = $1 ORDER BY u.id`,
		} {
			if _, err := count(q, id); err != nil {
				return 0, err
			}
		}
		rows, err := e.pool.Query(ctx, `SELECT id::text FROM accused WHERE case_id = $1 ORDER BY created_at, id`, id)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return 0, err
			}
			accused = append(accused, a)
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for _, q := range []string{`SELECT * FROM charges WHERE accused_id = ANY($1::uuid[]) ORDER BY created_at, id`,
			`SELECT * FROM measures WHERE accused_id = ANY($1::uuid[]) ORDER BY start_at, created_at, id`} {
			if _, err := count(q, accused); err != nil {
				return 0, err
			}
		}
		return count(`SELECT d.*, (SELECT a.outcome FROM case_decisions a WHERE a.decides_id = d.id),
			EXISTS (SELECT 1 FROM case_decisions s WHERE s.supersedes_id = d.id) FROM case_decisions d WHERE d.case_id = $1 ORDER BY d.seq`, id)
	}
	if got, err := read(); err != nil || got != n {
		b.Fatalf("raw timeline: %d decisions, want %d: %v", got, n, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := read(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "decisions")
}

// BenchmarkRecordDecisionAPI is POST /api/v1/cases/:id/decisions of a step the table allows again
// and again (the court's decision to bring a case to trial), by the regional chief: the case row
// locked and advanced, the state loaded and judged by the transition table, the decision and the
// audit row written, the outcome read back.
func BenchmarkRecordDecisionAPI(b *testing.B) {
	e := setup(b)
	id, _ := e.busiestCase(b, "first_instance")
	tok := e.login(b, "hnkv1.vientruong")
	version := func() int {
		var v int
		if err := e.pool.QueryRow(context.Background(), `SELECT version FROM cases WHERE id = $1`, id).Scan(&v); err != nil {
			b.Fatal(err)
		}
		return v
	}
	v := version()
	day := time.Now().In(service.VietnamTime).Format(time.DateOnly)
	post := func() int {
		body := fmt.Sprintf(`{"version":%d,"step":"bring_to_trial","issuer":"court","number":"99/QĐXX","issued_on":%q}`, v, day)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/cases/"+id+"/decisions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("record: HTTP %d: %.300s", rec.Code, rec.Body.String())
		}
		v++
		return rec.Code
	}
	post()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		post()
	}
}

// BenchmarkRecordDecisionRawPGX writes what a decision minimally is, with the same statements'
// shape, through pgx: lock and advance the case row, append the decision with the next sequence
// number. No state is read or judged and no audit row is chained: the floor for the API.
func BenchmarkRecordDecisionRawPGX(b *testing.B) {
	e := setup(b)
	id, _ := e.busiestCase(b, "first_instance")
	ctx := context.Background()
	var unit int64
	var userID string
	if err := e.pool.QueryRow(ctx, `SELECT unit_id FROM cases WHERE id = $1`, id).Scan(&unit); err != nil {
		b.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM users WHERE username = 'hnkv1.vientruong'`).Scan(&userID); err != nil {
		b.Fatal(err)
	}
	write := func() error {
		tx, err := e.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a committed transaction ignores the rollback
		var v int
		if err := tx.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1 FOR UPDATE`, id).Scan(&v); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET version = version + 1, updated_at = now() WHERE id = $1 AND version = $2`, id, v); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_decisions (id, case_id, seq, step, doc_type, number, issuer, issued_on, effective_on, from_stage, to_stage,
			unit_id, recorded_by, recorded_at) VALUES (gen_random_uuid(), $1, (SELECT coalesce(max(seq), 0) + 1 FROM case_decisions WHERE case_id = $1),
			'bring_to_trial', 'trial_decision', '99/QĐXX', 'court', current_date, current_date, 'first_instance', 'first_instance', $2, $3, now())`,
			id, unit, userID); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	if err := write(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := write(); err != nil {
			b.Fatal(err)
		}
	}
}

// login returns an access token for a demo user.
func (e *benchEnv) login(b *testing.B, username string) string {
	b.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, benchPassword)))
	req.Header.Set("Content-Type", "application/json")
	e.handler.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tok) != nil || tok.AccessToken == "" {
		b.Fatalf("login as %s: HTTP %d %s", username, rec.Code, rec.Body.String())
	}
	return tok.AccessToken
}
