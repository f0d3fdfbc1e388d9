package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"kiemsat/api"
	"kiemsat/repository"
	"kiemsat/service"
	"kiemsat/web"
	"kiemsat/workflow"
)

// App is the platform with every dependency built by hand in one readable place: no globals and
// no DI framework. Run serves until the context ends; Close releases everything.
type App struct {
	cfg    Config
	log    *slog.Logger
	store  *repository.Store
	policy *repository.Policy
	*service.Services
	Hasher service.PasswordHasher
	server *api.Server
	web    *web.Server
	// Objects keeps the bytes of case files: MinIO when configured, else a local folder.
	Objects service.ObjectStore
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// NewApp connects to the database, optionally migrates, and wires the services and the API.
func NewApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	store, err := repository.Open(ctx, cfg.DatabaseURL, repository.Options{MaxOpenConns: cfg.DBMaxConns})
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, store: store, Hasher: service.PasswordHasher{Params: service.DefaultArgon2}}
	// backfill: the migration to stored clocks ran now, over a database that already has cases.
	backfill := false
	if cfg.MigrateOnStart {
		before, err := repository.SchemaVersion(ctx, store.SQL())
		if err != nil {
			a.Close()
			return nil, err
		}
		if err := repository.Migrate(ctx, store.SQL()); err != nil {
			a.Close()
			return nil, err
		}
		backfill = before > 0 && before < repository.StoredClocksVersion
	}
	if a.Objects, err = openObjects(ctx, cfg, log); err != nil {
		a.Close()
		return nil, err
	}
	if a.policy, err = repository.NewPolicy(ctx, store, log, cfg.PolicyReload); err != nil {
		a.Close()
		return nil, err
	}
	clock := service.SystemClock{}
	var jwt *api.JWT
	if cfg.JWTKey != nil {
		jwt = api.NewJWT(cfg.JWTKey, cfg.Issuer, cfg.Audience, cfg.AccessTTL, time.Now)
	}
	authCfg := service.DefaultAuthConfig
	authCfg.RefreshTTL = cfg.RefreshTTL
	var tokens service.AccessTokens = noTokens{}
	if jwt != nil {
		tokens = jwt
	}
	catalog, err := penalCatalog(ctx, store, cfg.MigrateOnStart)
	if err != nil {
		a.Close()
		return nil, err
	}
	// The legal calendar is seeded like the catalog: shipped dates the table lacks are added, and
	// an administrator's edits stay as they are.
	if cfg.MigrateOnStart {
		if _, err := store.SyncCalendar(ctx, workflow.DefaultCalendarDays()); err != nil {
			a.Close()
			return nil, fmt.Errorf("legal calendar: %w", err)
		}
		// So is the authorities table: shipped rows the table lacks are added, edits stay.
		if _, err := store.SyncAuthorities(ctx, workflow.DefaultAuthorities()); err != nil {
			a.Close()
			return nil, fmt.Errorf("authorities: %w", err)
		}
	}
	var signer *service.ManifestSigner
	if cfg.ManifestKey != nil {
		signer = service.NewManifestSigner(cfg.ManifestKey)
	}
	var phraser service.Phraser
	if cfg.AssistantLLMURL != "" {
		phraser = repository.NewChatPhraser(cfg.AssistantLLMURL, cfg.AssistantLLMModel, cfg.AssistantLLMKey, cfg.AssistantLLMTimeout)
		log.Info("assistant language model", "url", cfg.AssistantLLMURL, "model", cfg.AssistantLLMModel)
	}
	extractor := repository.NewTextExtractor()
	if extractor.PDFToText == "" {
		log.Warn("pdftotext not found (apt-get install poppler-utils): PDF case files are searchable by title only")
	}
	if a.Services, err = service.NewServices(store, service.Config{Auth: authCfg, Policy: a.policy, Tokens: tokens, Hasher: a.Hasher,
		Clock: clock, Catalog: catalog, MakeUpSaturdaysOff: !cfg.MakeUpSaturdaysWork, Log: log, Objects: a.Objects,
		Files:   service.FilesConfig{MaxSize: cfg.MaxFileSize, Grace: cfg.UploadGrace, Signer: signer, Log: log},
		Phraser: phraser, Extractor: extractor}); err != nil {
		a.Close()
		return nil, err
	}
	if backfill {
		// Cases recorded before stored clocks get theirs once; later ones are computed with each change.
		start := time.Now()
		n, err := a.Procedure.RecomputeAll(ctx, 200, nil)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("compute the clocks of existing cases: %w", err)
		}
		log.Info("stored clocks computed for existing cases", "cases", n, "took", time.Since(start).Round(time.Millisecond))
	}
	if jwt != nil {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
			collectors.NewDBStatsCollector(store.SQL(), "kiemsat"))
		a.server = api.NewServer(api.Deps{Log: log, JWT: jwt, Services: a.Services, Auditor: store, Idempotency: store,
			Ready: a.ready, Registry: reg, MaxBody: cfg.MaxBodyBytes, Version: version, TrustedProxies: cfg.TrustedProxies, Now: clock.Now,
			TransferTimeout: cfg.TransferTimeout})
		if a.web, err = web.New(web.Deps{Log: log, Services: a.Services, Tokens: jwt, SecureCookies: cfg.SecureCookies, Version: version,
			Now: clock.Now, TransferTimeout: cfg.TransferTimeout, TrustedProxies: cfg.TrustedProxies}); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

// noTokens stands in for the token issuer in commands that never log anyone in.
type noTokens struct{}

func (noTokens) Issue(service.AccessClaims, time.Time) (string, error) {
	return "", errors.New("no JWT key configured")
}
func (noTokens) TTL() time.Duration { return 0 }

func (a *App) ready(ctx context.Context) error {
	if err := a.store.Ping(ctx); err != nil {
		return errors.New("database unreachable")
	}
	if m, ok := a.Objects.(*repository.MinioObjects); ok {
		if err := m.Ping(ctx); err != nil {
			return errors.New("object store unreachable")
		}
	}
	ok, err := repository.MigrationsCurrent(ctx, a.store.SQL())
	if err != nil {
		return errors.New("cannot read schema version")
	}
	if !ok {
		return errors.New("database migrations pending")
	}
	return nil
}

// Run serves HTTP until ctx ends, then drains in-flight requests for up to 15 seconds.
func (a *App) Run(ctx context.Context) error {
	if a.server == nil {
		return errors.New("server not configured")
	}
	srv := &http.Server{Addr: a.cfg.Addr, Handler: web.Routes(a.server.Handler(), a.web.Handler()), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.log.Info("serving", "addr", a.cfg.Addr, "version", version)
	// The deadline monitor runs beside the server until shutdown; several instances may run it.
	mctx, stopMonitor := context.WithCancel(ctx)
	monitorDone := make(chan struct{})
	go func() {
		defer close(monitorDone)
		if a.cfg.MonitorInterval > 0 {
			a.log.Info("deadline monitor", "interval", a.cfg.MonitorInterval)
			a.Monitor.Run(mctx, a.cfg.MonitorInterval)
		}
	}()
	defer func() { stopMonitor(); <-monitorDone }()
	// So does the sweeper of unfinished uploads.
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		if a.cfg.SweepInterval > 0 && a.Files != nil && a.store != nil {
			a.runSweeper(mctx, a.cfg.SweepInterval)
		}
	}()
	defer func() { stopMonitor(); <-sweepDone }()
	// And the reader of uploaded documents' text, for the search.
	extractDone := make(chan struct{})
	go func() {
		defer close(extractDone)
		if a.cfg.ExtractInterval > 0 && a.Files != nil {
			a.runExtractor(mctx, a.cfg.ExtractInterval)
		}
	}()
	defer func() { stopMonitor(); <-extractDone }()
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// runSweeper removes the objects of uploads never committed, the expired idempotency keys and the
// change-feed entries past their retention, every interval until ctx ends.
func (a *App) runSweeper(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.Files.SweepUploads(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("sweep unfinished uploads", "err", err, "removed", n)
		}
		if _, err := a.store.PurgeIdempotencyKeys(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.log.Warn("purge expired idempotency keys", "err", err)
		}
		if _, err := a.store.PurgeChanges(ctx, time.Now().Add(-a.cfg.ChangesRetention)); err != nil && ctx.Err() == nil {
			a.log.Warn("purge old change-feed entries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runExtractor reads the text of newly uploaded documents, a batch at a time, every interval until
// ctx ends; a full batch is followed by the next at once.
func (a *App) runExtractor(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := a.Files.ExtractTexts(ctx, 20)
		if err != nil && ctx.Err() == nil {
			a.log.Warn("read document texts", "err", err)
		}
		if n == 20 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops background work and closes the database pool.
func (a *App) Close() {
	if a.policy != nil {
		a.policy.Close()
	}
	if a.store != nil {
		_ = a.store.Close()
	}
}

// penalCatalog returns the Penal Code catalog the services classify charges by: the database's
// table, which administrators may edit, after adding any shipped clause it lacks (on migrate);
// the embedded catalog when the table is still empty.
func penalCatalog(ctx context.Context, store *repository.Store, sync bool) (*workflow.PenalCatalog, error) {
	if sync {
		if _, err := store.SyncPenalCode(ctx, workflow.DefaultPenalCatalog().Clauses()); err != nil {
			return nil, fmt.Errorf("penal code catalog: %w", err)
		}
	}
	clauses, err := store.ListPenalClauses(ctx)
	if err != nil {
		return nil, fmt.Errorf("penal code catalog: %w", err)
	}
	if len(clauses) == 0 {
		return workflow.DefaultPenalCatalog(), nil
	}
	return workflow.NewPenalCatalog(clauses), nil
}

// openObjects opens the store of case files: MinIO (its bucket created when missing) when
// MINIO_ENDPOINT is set, otherwise the local folder.
func openObjects(ctx context.Context, cfg Config, log *slog.Logger) (service.ObjectStore, error) {
	if cfg.MinioEndpoint == "" {
		if cfg.FilesDir == "" {
			return nil, nil // a command that keeps no files
		}
		return repository.NewDiskObjects(cfg.FilesDir)
	}
	m, err := repository.OpenMinio(ctx, repository.MinioConfig{Endpoint: cfg.MinioEndpoint, AccessKey: cfg.MinioAccessKey,
		SecretKey: cfg.MinioSecretKey, Bucket: cfg.MinioBucket, UseTLS: cfg.MinioTLS, SSE: cfg.MinioSSE})
	if err != nil {
		return nil, fmt.Errorf("object store: %w", err)
	}
	log.Info("case files in MinIO", "endpoint", cfg.MinioEndpoint, "bucket", cfg.MinioBucket)
	return m, nil
}
