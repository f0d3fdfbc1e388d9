package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http/httptest"
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

// TestApp is the whole platform for the web tests, the page tests and the browser tests alike:
// the API and the web UI behind one test server, over a freshly migrated database seeded with the
// demo organisation, users and cases. (Exported from a test file so that the browser tests of
// package web_test share it.)
type TestApp struct {
	Srv   *httptest.Server
	Store *repository.Store
	Svc   *service.Services
	JWT   *api.JWT
	Units map[string]domain.Unit
}

// TestAppOptions: the clock the services, the tokens and the pages read; the demo users'
// password; where case files go (none: no file storage); the log (none: discarded).
type TestAppOptions struct {
	Clock    service.Clock
	Password string
	Objects  service.ObjectStore
	Log      *slog.Logger
}

// NewTestApp builds the platform as cmd/kiemsat does; everything is torn down when t ends.
func NewTestApp(t *testing.T, o TestAppOptions) *TestApp {
	t.Helper()
	ctx := context.Background()
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	store, err := repository.Open(ctx, pgtest.NewDatabase(t), repository.Options{MaxOpenConns: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	policy, err := repository.NewPolicy(ctx, store, o.Log, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(policy.Close)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwt := api.NewJWT(key, "kiemsat", "kiemsat-api", 15*time.Minute, o.Clock.Now)
	hasher := service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	_, manifestKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: jwt, Hasher: hasher, Clock: o.Clock,
		Objects: o.Objects, Files: service.FilesConfig{Grace: time.Hour, Signer: service.NewManifestSigner(manifestKey), Log: o.Log}})
	if err != nil {
		t.Fatal(err)
	}
	// The binary seeds the authorities and the legal calendar on migrate; so does the test.
	if _, err := store.SyncAuthorities(ctx, workflow.DefaultAuthorities()); err != nil {
		t.Fatal(err)
	}
	units, err := seed.Demo(ctx, seed.DepsOf(store, svc, hasher, o.Clock), o.Password, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SyncCalendar(ctx, workflow.DefaultCalendarDays()); err != nil {
		t.Fatal(err)
	}
	apiServer := api.NewServer(api.Deps{Log: o.Log, JWT: jwt, Services: svc, Auditor: store, Idempotency: store,
		Ready: func(ctx context.Context) error { return store.Ping(ctx) }, MaxBody: 1 << 20, Version: "test", Now: o.Clock.Now})
	webServer, err := New(Deps{Log: o.Log, Services: svc, Tokens: jwt, Version: "test", Now: o.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Routes(apiServer.Handler(), webServer.Handler()))
	t.Cleanup(srv.Close)
	return &TestApp{Srv: srv, Store: store, Svc: svc, JWT: jwt, Units: units}
}
