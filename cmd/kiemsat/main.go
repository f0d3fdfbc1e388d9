// Command kiemsat is the Kiểm Sát Số platform: one binary with subcommands to serve the API,
// migrate the database, seed demo data, bootstrap an administrator, generate load-test data and
// verify the audit chain.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `kiemsat: Kiểm Sát Số, criminal case management for the People's Procuracy

usage: kiemsat COMMAND [flags]

commands:
  serve         serve the API (DATABASE_URL required)
  dev           what 'make run' runs: a private PostgreSQL under .data/pg unless DATABASE_URL
                is set, migrate, seed demo data, serve on 127.0.0.1:8080, print the demo logins
  migrate       apply database migrations
  seed-units    load the procuracy organisation of 1 July 2025 (idempotent)
  seed-demo     load the organisation, demo users and demo cases (idempotent; never run in production)
  create-user   create a user with a role, e.g. the first system administrator
  gen           generate N synthetic cases for benchmarks (COPY, with a progress bar)
  load          measure GET /api/v1/cases latency under concurrent clients
  monitor       run the deadline monitor once (or --every 1m) without serving: clocks due soon and
                missed, violations, notifications
  recompute-clocks
                recompute the stored clocks of every case (after an upgrade or a change of rules)
  verify-audit  re-hash the whole audit log and report the first row that does not match
  verify-files [--case ID] [--json]
                re-hash every stored case-file version against its row; list missing, changed
                and unreferenced objects (exit 1 when any)
  verify-export [--public-key B64] FILE.zip
                check an exported case file offline: the manifest's signature, every file's hash
  create-client --client-id ID --username USER [--scopes case.read,...]
                register a service account's client (client credentials); prints its secret once
  sweep-files   remove the objects of uploads never committed, older than KIEMSAT_UPLOAD_GRACE
  with-db       run a command with TEST_DATABASE_URL set (what 'make test' uses)
  version       print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	var code exitCodeError
	switch {
	case errors.As(err, &code):
		os.Exit(int(code))
	case err != nil:
		fmt.Fprintln(os.Stderr, "kiemsat:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitCodeError(2)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest)
	case "dev":
		return runDev(ctx, rest)
	case "migrate":
		return runMigrate(ctx, rest)
	case "seed-units":
		return runSeed(ctx, rest, false)
	case "seed-demo":
		return runSeed(ctx, rest, true)
	case "create-user":
		return runCreateUser(ctx, rest)
	case "gen":
		return runGen(ctx, rest)
	case "load":
		return runLoad(ctx, rest)
	case "verify-audit":
		return runVerifyAudit(ctx, rest)
	case "monitor":
		return runMonitor(ctx, rest)
	case "recompute-clocks":
		return runRecomputeClocks(ctx, rest)
	case "verify-files":
		return runVerifyFiles(ctx, rest)
	case "create-client":
		return runCreateClient(ctx, rest)
	case "verify-export":
		return runVerifyExport(ctx, rest)
	case "sweep-files":
		return runSweepFiles(ctx, rest)
	case "with-db":
		return runWithDB(ctx, rest)
	case "version":
		fmt.Println(version)
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
	return exitCodeError(2)
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func needDatabase(cfg Config) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (or use 'make run', which starts a private PostgreSQL)")
	}
	return nil
}

// openCommandApp is how the one-shot subcommands (migrate, seed-*, create-user, gen,
// verify-audit) start: configuration without a signing key, a database required, no policy
// watcher, and migrations applied first unless migrate is false.
func openCommandApp(ctx context.Context, migrate bool) (*App, Config, error) {
	cfg, err := loadConfig(false, "")
	if err != nil {
		return nil, cfg, err
	}
	if err := needDatabase(cfg); err != nil {
		return nil, cfg, err
	}
	cfg.MigrateOnStart = migrate
	cfg.PolicyReload = 0
	app, err := NewApp(ctx, cfg, newLogger(cfg.LogLevel))
	return app, cfg, err
}

func runServe(ctx context.Context, _ []string) error {
	cfg, err := loadConfig(true, "")
	if err != nil {
		return err
	}
	if err := needDatabase(cfg); err != nil {
		return err
	}
	app, err := NewApp(ctx, cfg, newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	defer app.Close()
	return app.Run(ctx)
}

func runMigrate(ctx context.Context, _ []string) error {
	app, _, err := openCommandApp(ctx, true)
	if err != nil {
		return err
	}
	app.Close()
	fmt.Println("migrations applied")
	return nil
}

func runVerifyAudit(ctx context.Context, _ []string) error {
	app, _, err := openCommandApp(ctx, false)
	if err != nil {
		return err
	}
	defer app.Close()
	rep, err := app.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	if rep.FirstBad != 0 {
		fmt.Printf("audit chain BROKEN at row %d: %s (%d rows checked)\n", rep.FirstBad, rep.Problem, rep.Rows)
		return exitCodeError(3)
	}
	fmt.Printf("audit chain intact: %d rows\n", rep.Rows)
	return nil
}
