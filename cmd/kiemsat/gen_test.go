package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"kiemsat/api"
	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/gen"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var cheapHasher = service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}

// offsetClock is the wall clock moved forward by a controllable offset.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time            { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *offsetClock) Advance(d time.Duration)   { c.offset.Add(int64(d)) }
func (c *offsetClock) nowFunc() func() time.Time { return c.Now }

type testEnv struct {
	url   string
	store *repository.Store
	pool  *pgxpool.Pool
	svc   *service.Services
	auth  *service.Auth
	cases *service.Cases
	clock *offsetClock
	srv   *api.Server
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	e := &testEnv{url: pgtest.NewDatabase(t), clock: &offsetClock{}}
	var err error
	if e.store, err = repository.Open(ctx, e.url, repository.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.store.Close() })
	if e.pool, err = pgxpool.New(ctx, e.url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.pool.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy, err := repository.NewPolicy(ctx, e.store, log, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(policy.Close)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	jwt := api.NewJWT(key, "kiemsat", "kiemsat-api", 15*time.Minute, e.clock.nowFunc())
	svc, err := service.NewServices(e.store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: jwt, Hasher: cheapHasher, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.svc, e.auth, e.cases = svc, svc.Auth, svc.Cases
	e.srv = api.NewServer(api.Deps{Log: log, JWT: jwt, Services: svc, Auditor: e.store,
		Ready: func(context.Context) error { return nil }, Now: e.clock.Now})
	return e
}

func (e *testEnv) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// addUser creates an active user with one grant at the unit and returns its id.
func (e *testEnv) addUser(t *testing.T, username string, unit domain.Unit, role domain.Role) string {
	t.Helper()
	ctx := context.Background()
	hash, err := cheapHasher.Hash("Secret@123")
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	id := uuid.NewString()
	if err := e.store.CreateUser(ctx, domain.User{ID: id, Username: username, FullName: "Người Thử Nghiệm", UnitID: unit.ID, Active: true,
		PasswordChangedAt: now, CreatedAt: now}, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddGrant(ctx, domain.Grant{ID: uuid.NewString(), UserID: id, Role: role, UnitID: unit.ID, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestGenCases runs the command for 2000 cases and checks what it wrote: counts, numbering,
// counters, parties, assignments, and that the registry carries on after it without collisions.
func TestGenCases(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	units, err := seed.Org(ctx, e.store, e.store, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	kv1 := units[seed.RegionalCode("HNI", 1)]
	prosecutor := e.addUser(t, "kv1.ksv", kv1, domain.RoleProsecutor)
	clerkID := e.addUser(t, "kv1.thuky", kv1, domain.RoleClerk)
	chiefID := e.addUser(t, "kv1.vientruong", kv1, domain.RoleChief)

	t.Setenv("DATABASE_URL", e.url)
	if err := runGen(ctx, []string{"--cases", "2000", "--seed", "11", "--batch", "450"}); err != nil {
		t.Fatal(err)
	}

	if n := e.count(t, `SELECT count(*) FROM cases`); n != 2000 {
		t.Fatalf("%d cases, want 2000", n)
	}
	if n := e.count(t, `SELECT count(*) FROM (SELECT DISTINCT unit_id, year, kind, seq FROM cases) x`); n != 2000 {
		t.Fatalf("%d distinct numbers for 2000 cases", n)
	}
	// A report instituted as a case is numbered in the case register and keeps its report number
	// and its exchange code; everything else keeps the number and code it was registered with.
	if n := e.count(t, `SELECT count(*) FROM cases c JOIN units u ON u.id = c.unit_id
		WHERE c.number <> c.seq || '/' || c.year || '/' || CASE c.kind WHEN 'report' THEN 'TB' ELSE 'VA' END
		   OR c.code <> u.code || '-' || c.year || '-' || CASE WHEN c.report_number <> '' THEN 'TB-' || lpad(split_part(c.report_number, '/', 1), 6, '0')
		      ELSE CASE c.kind WHEN 'report' THEN 'TB' ELSE 'VA' END || '-' || lpad(c.seq::text, 6, '0') END
		   OR (c.report_number <> '' AND (c.kind <> 'case' OR c.report_number !~ ('^[0-9]+/' || c.year || '/TB$')))
		   OR u.level NOT IN ('provincial', 'regional')`); n != 0 {
		t.Fatalf("%d cases with a bad number, code or unit", n)
	}
	// Every unit, year and register has numbers 1..n without gaps, and its counter is at n.
	if n := e.count(t, `SELECT count(*) FROM (SELECT unit_id, year, kind, max(seq) AS mx, count(DISTINCT seq) AS n FROM `+genRegister+` GROUP BY 1, 2, 3) g
		LEFT JOIN case_counters cc USING (unit_id, year, kind) WHERE cc.last IS NULL OR cc.last < g.mx OR g.mx <> g.n`); n != 0 {
		t.Fatalf("%d unit/year/kind groups whose counter is behind or whose numbers have gaps", n)
	}
	// The stage is where the last decision led, or where registration put the record.
	if n := e.count(t, `SELECT count(*) FROM cases c LEFT JOIN LATERAL (SELECT d.to_stage, d.seq FROM case_decisions d WHERE d.case_id = c.id
		ORDER BY d.seq DESC LIMIT 1) last ON true
		WHERE c.stage <> coalesce(last.to_stage, CASE WHEN c.report_number <> '' OR c.kind = 'report' THEN 'report_resolution' ELSE 'institution' END)
		   OR coalesce(last.seq, 0) <> (SELECT count(*) FROM case_decisions d WHERE d.case_id = c.id)`); n != 0 {
		t.Fatalf("%d cases whose stage is not where their last decision led, or whose decisions have gaps", n)
	}
	// Lifecycle rows: decisions on most cases, accused with one charge each, measures and several
	// clocks a case, all of it in the tables the run says it wrote.
	decisions, accused, charges := e.count(t, `SELECT count(*) FROM case_decisions`), e.count(t, `SELECT count(*) FROM accused`), e.count(t, `SELECT count(*) FROM charges`)
	measures, clocks := e.count(t, `SELECT count(*) FROM measures`), e.count(t, `SELECT count(*) FROM case_clocks`)
	if decisions < 2000*3 || accused < 2000/3 || charges != accused || measures == 0 || clocks < 2000*3 {
		t.Fatalf("%d decisions, %d accused, %d charges, %d measures, %d clocks for 2000 cases", decisions, accused, charges, measures, clocks)
	}
	if n := e.count(t, `SELECT count(DISTINCT stage) FROM cases`); n < 12 {
		t.Fatalf("cases in only %d stages", n)
	}
	if n := e.count(t, `SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id)
		OR (SELECT count(*) FROM case_parties p WHERE p.case_id = c.id) > 3`); n != 0 {
		t.Fatalf("%d cases without 1–3 parties", n)
	}
	if n := e.count(t, `SELECT count(*) FROM case_parties WHERE national_id !~ '^[0-9]{12}$' OR length(full_name) < 5`); n != 0 {
		t.Fatalf("%d parties without a 12-digit CCCD or a name", n)
	}
	// Regional units get three times a province's share.
	var provAvg, regAvg float64
	if err := e.pool.QueryRow(ctx, `SELECT avg(n) FILTER (WHERE level = 'provincial'), avg(n) FILTER (WHERE level = 'regional')
		FROM (SELECT u.level, count(c.id) AS n FROM units u LEFT JOIN cases c ON c.unit_id = u.id
		      WHERE u.level IN ('provincial', 'regional') GROUP BY u.id, u.level) x`).Scan(&provAvg, &regAvg); err != nil {
		t.Fatal(err)
	}
	if regAvg < 2*provAvg || regAvg > 4*provAvg {
		t.Fatalf("average cases: regional %.1f, provincial %.1f; want about 3×", regAvg, provAvg)
	}
	// Every case the procuracy took in charge has a lead, assigned before it did; at a unit with a
	// prosecutor the lead is that prosecutor, and the chief records the leaders' steps and the
	// approvals. Records still being resolved get a lead on about 30% of the unit's cases.
	if n := e.count(t, `SELECT count(*) FROM case_decisions d WHERE d.step = 'accept_institution' AND NOT EXISTS (SELECT 1 FROM case_assignments a
		WHERE a.case_id = d.case_id AND a.role = 'lead' AND a.ended_at IS NULL AND a.assigned_at < d.recorded_at)`); n != 0 {
		t.Fatalf("%d cases taken in charge without a lead assigned first", n)
	}
	kvCases := e.count(t, `SELECT count(*) FROM cases WHERE unit_id = $1`, kv1.ID)
	if n := e.count(t, `SELECT count(*) FROM case_assignments a JOIN cases c ON c.id = a.case_id WHERE c.unit_id = $1 AND a.user_id <> $2`, kv1.ID, prosecutor); n != 0 || kvCases < 50 {
		t.Fatalf("%d leads of %s's %d cases not given to its prosecutor", n, kv1.Code, kvCases)
	}
	early := e.count(t, `SELECT count(*) FROM cases WHERE unit_id = $1 AND stage IN ('report_resolution', 'report_suspended', 'not_instituted')`, kv1.ID)
	earlyLeads := e.count(t, `SELECT count(*) FROM cases c JOIN case_assignments a ON a.case_id = c.id WHERE c.unit_id = $1
		AND c.stage IN ('report_resolution', 'report_suspended', 'not_instituted')`, kv1.ID)
	if early < 20 || earlyLeads < early*10/100 || earlyLeads > early*50/100 {
		t.Fatalf("%d leads on %d early records of %s; want about 30%%", earlyLeads, early, kv1.Code)
	}
	if n := e.count(t, `SELECT count(*) FROM case_decisions d JOIN cases c ON c.id = d.case_id WHERE c.unit_id = $1
		AND d.recorded_by NOT IN ($2, $3)`, kv1.ID, prosecutor, chiefID); n != 0 {
		t.Fatalf("%d decisions of %s recorded by someone other than its prosecutor or chief", n, kv1.Code)
	}
	if n := e.count(t, `SELECT count(*) FROM case_decisions d JOIN cases c ON c.id = d.case_id WHERE c.unit_id = $1
		AND d.step IN ('decide_approval', 'accept_institution', 'indict') AND d.recorded_by <> $2`, kv1.ID, chiefID); n != 0 {
		t.Fatalf("%d approvals or leaders' steps of %s not recorded by its chief", n, kv1.Code)
	}
	if n := e.count(t, `SELECT count(*) FROM cases WHERE unit_id = $1 AND created_by <> $2`, kv1.ID, clerkID); n != 0 {
		t.Fatalf("%d cases of %s not created by its clerk", n, kv1.Code)
	}

	// A registration through the service takes the next number after the generated ones.
	var year, last int
	var received time.Time
	if err := e.pool.QueryRow(ctx, `SELECT c.year, max(c.received_at), max(cc.last) FROM cases c JOIN case_counters cc USING (unit_id, year, kind)
		WHERE c.unit_id = $1 AND c.kind = 'report' GROUP BY c.year ORDER BY c.year DESC LIMIT 1`, kv1.ID).Scan(&year, &received, &last); err != nil {
		t.Fatal(err)
	}
	cred, err := e.store.GetCredentials(ctx, "kv1.thuky")
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := e.auth.Authenticate(ctx, service.AccessClaims{UserID: cred.User.ID, PasswordEpoch: cred.User.PasswordChangedAt.Unix()}, service.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := e.cases.Register(ctx, clerk, domain.CaseInput{Kind: domain.KindReport, UnitID: kv1.ID, ReceivedAt: received, Channel: domain.ChannelPhone,
		SourceType: domain.SourceDenunciation, Summary: "Tố giác trộm cắp xe máy sau khi sinh dữ liệu", ReporterName: "Nguyễn Văn An", ReporterKind: domain.ReporterPerson})
	if err != nil {
		t.Fatalf("register after gen: %v", err)
	}
	if cs.Seq != last+1 || cs.Number != fmt.Sprintf("%d/%d/TB", last+1, year) {
		t.Fatalf("registered %s (seq %d) after generated seq %d of %d", cs.Number, cs.Seq, last, year)
	}

	// A second run continues every counter instead of starting over.
	if err := runGen(ctx, []string{"--cases", "300", "--seed", "12"}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM cases`); n != 2301 {
		t.Fatalf("%d cases after the second run, want 2301", n)
	}
	if n := e.count(t, `SELECT count(*) FROM (SELECT unit_id, year, kind, max(seq) AS mx, count(DISTINCT seq) AS n FROM `+genRegister+` GROUP BY 1, 2, 3) g
		JOIN case_counters cc USING (unit_id, year, kind) WHERE cc.last <> g.mx OR g.mx <> g.n`); n != 0 {
		t.Fatalf("%d groups with gaps or a stale counter after the second run", n)
	}
}

// genRegister lists every number the registers hold: each record's own, and the report number an
// instituted report kept.
const genRegister = `(SELECT unit_id, year, kind, seq FROM cases
	UNION ALL SELECT unit_id, year, 'report', split_part(report_number, '/', 1)::int FROM cases WHERE report_number <> '') r`

// The clocks gen stores for a case are the ones the service itself computes when asked for the
// case's deadlines (service.Procedure.Deadlines, which reads the case through the store and runs
// the engine with the database's legal calendar) at the generator's reference time.
func TestGenClocksMatchTheService(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	units, err := seed.Org(ctx, e.store, e.store, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	kv1 := units[seed.RegionalCode("HNI", 1)]
	e.addUser(t, "kv1.ksv", kv1, domain.RoleProsecutor)
	e.addUser(t, "kv1.vientruong", kv1, domain.RoleChief)
	t.Setenv("DATABASE_URL", e.url)
	if err := runGen(ctx, []string{"--cases", "1500", "--seed", "21"}); err != nil {
		t.Fatal(err)
	}
	// The generator's reference time is the start of today in Vietnam; the service reads now from
	// the test clock, moved back there.
	now := time.Now().In(service.VietnamTime)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, service.VietnamTime)
	e.clock.Advance(time.Until(today))
	cred, err := e.store.GetCredentials(ctx, "kv1.vientruong")
	if err != nil {
		t.Fatal(err)
	}
	chief, err := e.auth.Authenticate(ctx, service.AccessClaims{UserID: cred.User.ID, PasswordEpoch: cred.User.PasswordChangedAt.Unix()}, service.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.pool.Query(ctx, `SELECT c.id::text, string_agg(k.rule || '|' || k.subject_id || '|' || k.status || '|' || extract(epoch FROM k.latest_due)::bigint,
		',' ORDER BY k.rule, k.subject_id, k.status, k.latest_due) FROM cases c JOIN case_clocks k ON k.case_id = c.id
		WHERE c.unit_id = $1 AND NOT c.secret GROUP BY c.id ORDER BY c.id`, kv1.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	for rows.Next() {
		var id, clocks string
		if err := rows.Scan(&id, &clocks); err != nil {
			t.Fatal(err)
		}
		stored[id] = clocks
	}
	rows.Close()
	if len(stored) < 20 {
		t.Fatalf("only %d cases with clocks at %s", len(stored), kv1.Code)
	}
	for id, want := range stored {
		dl, err := e.svc.Procedure.Deadlines(ctx, chief, id, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range dl.Clocks {
			got = append(got, fmt.Sprintf("%s|%s|%s|%d", c.Rule, c.SubjectID, c.Status, c.Due.Latest.Deadline.Unix()))
		}
		slices.Sort(got)
		if g := strings.Join(got, ","); g != want {
			t.Fatalf("case %s (%s): the service computes\n%s\nstored\n%s", dl.Case.Number, dl.Case.Stage, g, want)
		}
	}
}

// On a database with no organisation and no user, gen loads the organisation and creates an
// inactive gen.bot to stand as the creator.
func TestGenOnEmptyDatabase(t *testing.T) {
	e := newTestEnv(t)
	t.Setenv("DATABASE_URL", e.url)
	if err := runGen(context.Background(), []string{"--cases", "120", "--seed", "3"}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM units WHERE level = 'provincial'`); n != 34 {
		t.Fatalf("%d provinces, want the 34 of the organisation", n)
	}
	if n := e.count(t, `SELECT count(*) FROM cases c JOIN users u ON u.id = c.created_by WHERE u.username = $1 AND NOT u.active`, gen.BotUsername); n != 120 {
		t.Fatalf("%d of 120 cases created by an inactive %s", n, gen.BotUsername)
	}
	if err := runGen(context.Background(), []string{"--cases", "0"}); err == nil {
		t.Fatal("--cases 0 accepted")
	}
}

// The load command logs in, sends exactly the requested number of requests, and renews its
// token when the server starts refusing it as expired.
func TestLoadRenewsExpiredToken(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	if _, err := seed.Demo(ctx, seed.DepsOf(e.store, e.svc, cheapHasher, e.clock), "Demo@2026", false); err != nil {
		t.Fatal(err)
	}
	var listed atomic.Int64
	h := e.srv.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/cases" && listed.Add(1) == 10 {
			e.clock.Advance(16 * time.Minute) // every token issued so far has now expired
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rep, err := loadTest(ctx, loadOptions{URL: srv.URL, User: "hn.vientruong", Password: "Demo@2026", Concurrency: 4, Requests: 60,
		Duration: 10 * time.Minute, Path: "/api/v1/cases?limit=50"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count != 60 || rep.Errors != 0 || rep.Status[200] != 60 || len(rep.Latencies) != 60 {
		t.Fatalf("count %d, errors %d, statuses %v; want 60 answered 200", rep.Count, rep.Errors, rep.Status)
	}
	if rep.Refreshes < 1 {
		t.Fatal("the expired token was never renewed")
	}
	if rep.percentile(0.5) > rep.percentile(0.99) || rep.percentile(0.99) > rep.percentile(1) {
		t.Fatal("percentiles out of order")
	}
	var out strings.Builder
	rep.print(&out)
	for _, want := range []string{"requests   60", "errors     0", "HTTP 200  60", "p50", "p99", "max"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, out.String())
		}
	}

	// A wrong password is an error before any load is sent.
	if _, err := loadTest(ctx, loadOptions{URL: srv.URL, User: "hn.vientruong", Password: "wrong", Concurrency: 1, Requests: 1,
		Duration: time.Minute, Path: "/api/v1/cases"}); err == nil || !strings.Contains(err.Error(), "login") {
		t.Fatalf("wrong password: %v", err)
	}
}

// The load command never targets another machine.
func TestLoadRefusesNonLoopback(t *testing.T) {
	for _, u := range []string{"http://192.0.2.10:8080", "http://[2001:db8::1]:8080", "http://10.0.0.1", "ftp://127.0.0.1"} {
		if _, err := checkLoopback(context.Background(), u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://[::1]:8080", "https://127.0.0.2"} {
		if _, err := checkLoopback(context.Background(), u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	if err := runLoad(context.Background(), []string{"--url", "http://192.0.2.10:8080", "--password", "x"}); err == nil ||
		!strings.Contains(err.Error(), "loopback") {
		t.Fatalf("runLoad against a remote host: %v", err)
	}
}
