package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"kiemsat/repository/pgcluster"
	"kiemsat/service/seed"
)

// runDev is what `make run` runs: the platform on embedded defaults. Without DATABASE_URL it
// starts (or reuses) a private PostgreSQL cluster under .data/pg from the system's binaries,
// installing them with apt-get where it can; then it migrates, seeds demo data, prints the URL
// and the demo logins, and serves until interrupted.
func runDev(ctx context.Context, _ []string) error {
	dataDir := ".data"
	cfg, err := loadConfig(true, dataDir)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		cl, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "pg"), Log: os.Stderr, Install: true})
		if err != nil {
			return fmt.Errorf("private PostgreSQL: %w", err)
		}
		defer func() {
			if err := cl.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
			}
		}()
		if err := ensureDatabase(ctx, cl.URL("postgres"), "kiemsat"); err != nil {
			return err
		}
		cfg.DatabaseURL = cl.URL("kiemsat")
		fmt.Fprintf(os.Stderr, "private PostgreSQL on 127.0.0.1:%d, data in %s\n", cl.Port(), cl.Dir())
	}
	cfg.MigrateOnStart = true
	if os.Getenv("KIEMSAT_SECURE_COOKIES") == "" {
		cfg.SecureCookies = false // served on plain http://127.0.0.1
	}
	if os.Getenv("KIEMSAT_FILES_DIR") == "" {
		cfg.FilesDir = filepath.Join(dataDir, "files")
	}
	app, err := NewApp(ctx, cfg, newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.seedDemo(ctx); err != nil {
		return err
	}
	printLogins(cfg)
	return app.Run(ctx)
}

func printLogins(cfg Config) {
	fmt.Printf("\nKiểm Sát Số is running at http://%s (web UI: log in in the browser)\n", cfg.Addr)
	fmt.Printf("API description: http://%s/api/v1/openapi.yaml\n\n", cfg.Addr)
	fmt.Printf("Demo logins (password for all: %s):\n", cfg.DemoPassword)
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "  username\trole\tunit")
	for _, u := range seed.DemoUsers {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", u.Username, u.Role, u.Unit)
	}
	_ = w.Flush()
	fmt.Println("\nPress Ctrl+C to stop.")
}
