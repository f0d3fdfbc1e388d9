// Package e2e_test drives the whole HTTP API against a real PostgreSQL database: security,
// concurrency, bad input and the audit trail, each test on its own freshly migrated database.
package e2e_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kiemsat/api"
	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
	"kiemsat/workflow"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	demoPassword = "Mat-khau-thu-nghiem-2026"
	issuer       = "kiemsat"
	audience     = "kiemsat-api"
	accessTTL    = 15 * time.Minute
	v1           = "/api/v1"
)

// fakeClock is a controllable clock shared by the services and the JWT verifier.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testHasher hashes cheaply: the tests' passwords need no protection.
var testHasher = service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}

// demo is the demo data every environment starts from: the organisation, the demo users and
// cases, the authorities and the legal calendar, recorded once per test binary at demoAt through
// the services (seconds of work) and cloned into each test's own database.
var (
	demoAt = time.Now().Truncate(time.Millisecond)
	demo   = &pgtest.Snapshot{Build: buildDemo}
)

func buildDemo(ctx context.Context, url string) error {
	store, err := repository.Open(ctx, url, repository.Options{MaxOpenConns: 8})
	if err != nil {
		return err
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy, err := repository.NewPolicy(ctx, store, log, 0)
	if err != nil {
		return err
	}
	defer policy.Close()
	clock := &fakeClock{now: demoAt}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy,
		Tokens: api.NewJWT(key, issuer, audience, accessTTL, clock.Now), Hasher: testHasher, Clock: clock})
	if err != nil {
		return err
	}
	// The binary seeds the authorities table on migrate; so does the test, before the demo is
	// recorded under it, and the legal calendar from the shipped file.
	if _, err := store.SyncAuthorities(ctx, workflow.DefaultAuthorities()); err != nil {
		return err
	}
	if _, err := seed.Demo(ctx, seed.DepsOf(store, svc, testHasher, clock), demoPassword, false); err != nil {
		return err
	}
	_, err = store.SyncCalendar(ctx, workflow.DefaultCalendarDays())
	return err
}

type envOptions struct {
	auth    service.AuthConfig
	maxBody int64
	// objects keep case files: a folder of the test's by default.
	objects     func(t *testing.T) service.ObjectStore
	maxFileSize int64
	phraser     service.Phraser
}

// withPhraser gives the assistant a language-model step.
func withPhraser(p service.Phraser) envOption { return func(o *envOptions) { o.phraser = p } }

// withObjects stores case files in the store open returns (a real MinIO, a faulty wrapper).
func withObjects(open func(t *testing.T) service.ObjectStore) envOption {
	return func(o *envOptions) { o.objects = open }
}

// withMaxFileSize sets the largest case file the server accepts.
func withMaxFileSize(n int64) envOption { return func(o *envOptions) { o.maxFileSize = n } }

type envOption func(*envOptions)

func withAddressLimit(n int) envOption { return func(o *envOptions) { o.auth.AddressLimit = n } }

// env is one running API over its own database, seeded with the demo organisation and users.
type env struct {
	t      *testing.T
	db     *sql.DB
	store  *repository.Store
	clock  *fakeClock
	key    ed25519.PrivateKey
	jwt    *api.JWT
	server *api.Server
	srv    *httptest.Server
	units  map[string]domain.Unit
	svc    *service.Services
	// objects keep the case files; signer signs their manifests.
	objects service.ObjectStore
	signer  *service.ManifestSigner
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	// Every environment has its own database, server and clock, so the tests that build one run
	// side by side (up to -parallel, GOMAXPROCS by default).
	t.Parallel()
	o := envOptions{auth: service.DefaultAuthConfig, maxBody: 4 << 10}
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	url := demo.NewDatabase(t)
	store, err := repository.Open(ctx, url, repository.Options{MaxOpenConns: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy, err := repository.NewPolicy(ctx, store, log, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(policy.Close)
	// The clock starts when the demo data was recorded, as if it had just been.
	clock := &fakeClock{now: demoAt}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwt := api.NewJWT(key, issuer, audience, accessTTL, clock.Now)
	hasher := testHasher
	var objects service.ObjectStore
	if o.objects != nil {
		objects = o.objects(t)
	} else if objects, err = repository.NewDiskObjects(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	_, manifestKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer := service.NewManifestSigner(manifestKey)
	svc, err := service.NewServices(store, service.Config{Auth: o.auth, Policy: policy, Tokens: jwt, Hasher: hasher, Clock: clock,
		Objects: objects, Files: service.FilesConfig{MaxSize: o.maxFileSize, Grace: time.Hour, Signer: signer, Log: log}, Extractor: repository.NewTextExtractor(), Phraser: o.phraser})
	if err != nil {
		t.Fatal(err)
	}
	all, err := store.ListUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]domain.Unit{}
	for _, u := range all {
		units[u.Code] = u
	}
	server := api.NewServer(api.Deps{Log: log, JWT: jwt, Services: svc, Auditor: store, Idempotency: store,
		Ready: func(ctx context.Context) error { return store.Ping(ctx) }, MaxBody: o.maxBody, Version: "e2e", Now: clock.Now})
	srv := httptest.NewServer(server.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, db: store.SQL(), store: store, clock: clock, key: key, jwt: jwt, server: server, srv: srv, units: units, svc: svc,
		objects: objects, signer: signer}
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

type errDetail struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

type errEnvelope struct {
	Error struct {
		Code      string      `json:"code"`
		Message   string      `json:"message"`
		Details   []errDetail `json:"details"`
		RequestID string      `json:"request_id"`
	} `json:"error"`
}

func (r response) err(t *testing.T) errEnvelope {
	t.Helper()
	var e errEnvelope
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("status %d: body is not an error envelope: %v: %s", r.Status, err, r.Body)
	}
	return e
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("status %d: decode body: %v: %s", r.Status, err, r.Body)
	}
}

// raw is a request body sent byte for byte.
type raw string

// req describes one request. Body is marshalled as JSON unless it is raw or nil.
type req struct {
	Method  string
	Path    string
	Token   string
	Body    any
	Header  map[string]string
	Chunked bool
}

func (e *env) send(r req) response {
	e.t.Helper()
	var body []byte
	switch b := r.Body.(type) {
	case nil:
	case raw:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if r.Chunked {
			rd = io.MultiReader(bytes.NewReader(body)) // unknown length: sent chunked
		}
	}
	hr, err := http.NewRequest(r.Method, e.srv.URL+r.Path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (e *env) get(path, token string) response {
	e.t.Helper()
	return e.send(req{Method: "GET", Path: path, Token: token})
}

type tokens struct {
	AccessToken        string `json:"access_token"`
	RefreshToken       string `json:"refresh_token"`
	MustChangePassword bool   `json:"must_change_password"`
}

func (e *env) loginResp(username, password string) response {
	e.t.Helper()
	return e.send(req{Method: "POST", Path: v1 + "/auth/login", Body: map[string]string{"username": username, "password": password}})
}

// login logs a user in and fails the test unless it works.
func (e *env) login(username string) tokens {
	e.t.Helper()
	return e.loginWith(username, demoPassword)
}

func (e *env) loginWith(username, password string) tokens {
	e.t.Helper()
	r := e.loginResp(username, password)
	if r.Status != http.StatusOK {
		e.t.Fatalf("login %s: status %d: %s", username, r.Status, r.Body)
	}
	var tk tokens
	r.decode(e.t, &tk)
	if tk.AccessToken == "" || tk.RefreshToken == "" {
		e.t.Fatalf("login %s: empty tokens: %s", username, r.Body)
	}
	return tk
}

// wantError asserts status and error code, and returns the envelope.
func wantError(t *testing.T, r response, status int, code string) errEnvelope {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	e := r.err(t)
	if e.Error.Code != code {
		t.Fatalf("code %q, want %q: %s", e.Error.Code, code, r.Body)
	}
	if e.Error.RequestID == "" || e.Error.RequestID != r.Header.Get("X-Request-ID") {
		t.Fatalf("error request_id %q does not match X-Request-ID %q", e.Error.RequestID, r.Header.Get("X-Request-ID"))
	}
	return e
}

// hasDetail reports whether the envelope names field (and rule, when rule is not empty).
func hasDetail(e errEnvelope, field, rule string) bool {
	for _, d := range e.Error.Details {
		if d.Field == field && (rule == "" || d.Rule == rule) {
			return true
		}
	}
	return false
}

func wantDetail(t *testing.T, r response, status int, code, field, rule string) {
	t.Helper()
	e := wantError(t, r, status, code)
	if !hasDetail(e, field, rule) {
		t.Fatalf("no detail field=%q rule=%q in %s", field, rule, r.Body)
	}
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Exec(query, args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

func (e *env) userID(username string) string {
	e.t.Helper()
	var id string
	if err := e.db.QueryRow(`SELECT id::text FROM users WHERE username = $1`, username).Scan(&id); err != nil {
		e.t.Fatalf("user %s: %v", username, err)
	}
	return id
}

// caseOf returns the id of a case registered at the unit with the given code.
func (e *env) caseOf(unitCode string) string {
	e.t.Helper()
	var id string
	if err := e.db.QueryRow(`SELECT c.id::text FROM cases c JOIN units u ON u.id = c.unit_id WHERE u.code = $1 AND NOT c.secret ORDER BY c.received_at DESC LIMIT 1`, unitCode).Scan(&id); err != nil {
		e.t.Fatalf("case of %s: %v", unitCode, err)
	}
	return id
}

type caseBody struct {
	ID      string `json:"id"`
	Number  string `json:"number"`
	Code    string `json:"code"`
	Version int    `json:"version"`
}

// validCase is a registration body the clerk of unitID may submit.
func (e *env) validCase(unitID int64) map[string]any {
	return map[string]any{
		"kind": "report", "unit_id": unitID, "received_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339),
		"channel": "in_person", "source_type": "denunciation", "reporter_name": "Nguyễn Văn An",
		"summary": "Ông Nguyễn Văn An tố giác việc bị mất trộm tài sản tại nhà riêng.",
		"parties": []map[string]any{{"role": "victim", "full_name": "Nguyễn Văn An", "national_id": "001085000111"}},
	}
}

func contains(s string, subs ...string) string {
	l := strings.ToLower(s)
	for _, sub := range subs {
		if strings.Contains(l, strings.ToLower(sub)) {
			return sub
		}
	}
	return ""
}
