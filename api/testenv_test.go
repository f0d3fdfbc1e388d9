package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"kiemsat/api"
	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// testPassword is the password of every user the test environment creates.
const testPassword = "mat-khau-kiem-thu-2026"

// testClock is a controllable service.Clock; the JWT issuer and verifier read it too.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testEnv is the real application (store, policy, services, API) on a fresh migrated database
// seeded with the organisation (seed.Org), served over httptest. Users are added per test.
type testEnv struct {
	URL    string
	Server *api.Server
	Store  *repository.Store
	Clock  *testClock
	Units  map[string]domain.Unit // by unit code
	Cases  *service.Cases
	Admin  *service.Admin
	Auth   *service.Auth

	hash   string // argon2 hash of testPassword, shared by every created user
	client *http.Client
	mu     sync.Mutex
	users  map[string]domain.User // by username
}

// newTestEnv builds the environment; everything is torn down when t ends.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	store, err := repository.Open(ctx, pgtest.NewDatabase(t), repository.Options{MaxOpenConns: 8})
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

	clock := &testClock{now: time.Date(2026, 11, 20, 9, 0, 0, 0, service.VietnamTime)}
	hasher := service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwt := api.NewJWT(key, "kiemsat", "kiemsat-api", 15*time.Minute, clock.Now)
	objects, err := repository.NewDiskObjects(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: jwt, Hasher: hasher, Clock: clock,
		Objects: objects, Files: service.FilesConfig{Signer: service.NewManifestSigner(key)}})
	if err != nil {
		t.Fatal(err)
	}
	cases, admin, auth := svc.Cases, svc.Admin, svc.Auth
	srv := api.NewServer(api.Deps{Log: log, JWT: jwt, Services: svc, Auditor: store, Idempotency: store,
		Ready: func(ctx context.Context) error { return store.Ping(ctx) }, Version: "test", Now: clock.Now})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	units, err := seed.Org(ctx, store, store, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	hash, err := hasher.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{URL: hs.URL, Server: srv, Store: store, Clock: clock, Units: units, Cases: cases, Admin: admin, Auth: auth,
		hash: hash, client: hs.Client(), users: map[string]domain.User{}}
}

// unit returns a seeded unit by code.
func (e *testEnv) unit(t *testing.T, code string) domain.Unit {
	t.Helper()
	u, ok := e.Units[code]
	if !ok {
		t.Fatalf("no unit %s in the seeded organisation", code)
	}
	return u
}

// grantSpec is a role at a unit (by code).
type grantSpec struct {
	Role domain.Role
	Unit string
}

// createUser adds an active user of unitCode with password testPassword and the given grants,
// straight through the store (no authorization involved).
func (e *testEnv) createUser(t *testing.T, username, unitCode string, grants ...grantSpec) domain.User {
	t.Helper()
	ctx := context.Background()
	now := e.Clock.Now()
	u := domain.User{ID: uuid.Must(uuid.NewV7()).String(), Username: username, FullName: "Cán bộ " + username,
		UnitID: e.unit(t, unitCode).ID, Active: true, PasswordChangedAt: now, Version: 1, CreatedAt: now}
	if err := e.Store.CreateUser(ctx, u, e.hash); err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	for _, g := range grants {
		e.addGrant(t, u.ID, g.Role, g.Unit)
	}
	e.mu.Lock()
	e.users[username] = u
	e.mu.Unlock()
	return u
}

// addGrant gives a user a role at a unit through the store.
func (e *testEnv) addGrant(t *testing.T, userID string, role domain.Role, unitCode string) domain.Grant {
	t.Helper()
	g, err := e.Store.AddGrant(context.Background(), domain.Grant{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, Role: role,
		UnitID: e.unit(t, unitCode).ID, CreatedAt: e.Clock.Now()})
	if err != nil {
		t.Fatalf("grant %s at %s: %v", role, unitCode, err)
	}
	return g
}

// user returns a user created by createUser.
func (e *testEnv) user(t *testing.T, username string) domain.User {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[username]
	if !ok {
		t.Fatalf("no test user %s", username)
	}
	return u
}

// login logs a user in through the API and returns the access token.
func (e *testEnv) login(t *testing.T, username string) string {
	t.Helper()
	status, body := e.do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": testPassword})
	if status != http.StatusOK {
		t.Fatalf("login %s: status %d, body %v", username, status, body)
	}
	tok, _ := body["access_token"].(string)
	if tok == "" {
		t.Fatalf("login %s: no access_token in %v", username, body)
	}
	return tok
}

// do sends a request to the API. token may be empty; body may be nil, a []byte or string sent
// as is, or a value marshalled to JSON. It returns the status and the decoded JSON object
// (nil when the response has no body).
// upload posts a document with the given bytes to a case file as a multipart form.
func (e *testEnv) upload(t *testing.T, path, token, section string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("section", section)
	_ = w.WriteField("title", "Tài liệu thử")
	fw, err := w.CreateFormFile("file", "a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, e.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *testEnv) do(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return resp.StatusCode, nil
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: status %d, body is not a JSON object: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// createCase registers a report at unitCode through the service as the given user (who must be
// allowed to create cases there) and returns it.
func (e *testEnv) createCase(t *testing.T, username, unitCode string, secret bool) *domain.Case {
	t.Helper()
	ctx := context.Background()
	u := e.user(t, username)
	p, err := e.Auth.Authenticate(ctx, service.AccessClaims{UserID: u.ID, PasswordEpoch: u.PasswordChangedAt.Unix()}, service.Meta{RequestID: "test-setup"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := e.Cases.Register(ctx, p, domain.CaseInput{Kind: domain.KindReport, UnitID: e.unit(t, unitCode).ID,
		ReceivedAt: e.Clock.Now().Add(-24 * time.Hour), Channel: domain.ChannelInPerson, SourceType: domain.SourceDenunciation,
		Summary: "Tố giác hành vi trộm cắp tài sản tại " + unitCode, ReporterName: "Nguyễn Văn A", ReporterKind: domain.ReporterPerson, Secret: secret})
	if err != nil {
		t.Fatalf("register case at %s: %v", unitCode, err)
	}
	return cs
}

// caseVersion reads a case's current version straight from the store.
func (e *testEnv) caseVersion(t *testing.T, id string) int {
	t.Helper()
	cs, err := e.Store.GetCase(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return cs.Version
}
