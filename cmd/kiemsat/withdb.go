package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"kiemsat/repository/pgcluster"
)

// exitCodeError carries the exit code of the command that with-db ran, so that main can
// exit with the same code and make, CI and shells see the test run's own result.
type exitCodeError int

// Error says which code the command exited with.
func (e exitCodeError) Error() string {
	return fmt.Sprintf("command exited with code %d", int(e))
}

// runWithDB implements `kiemsat with-db [--dir DIR] -- CMD ARGS...`: it runs CMD with
// TEST_DATABASE_URL pointing at a PostgreSQL server. An explicit TEST_DATABASE_URL or
// DATABASE_URL is used as given; otherwise a private, throwaway cluster is started in DIR
// (wiped first, so every run starts empty), installing PostgreSQL with apt-get when the
// machine lacks it, and stopped when CMD ends or with-db is interrupted.
func runWithDB(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("with-db", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: kiemsat with-db [--dir DIR] -- CMD [ARGS...]")
		fmt.Fprintln(fs.Output(), "Runs CMD with TEST_DATABASE_URL set, starting a private PostgreSQL cluster in DIR")
		fmt.Fprintln(fs.Output(), "unless TEST_DATABASE_URL or DATABASE_URL is already set.")
		fs.PrintDefaults()
	}
	dir := fs.String("dir", filepath.Join(".data", "pgtest"), "data directory of the private cluster; deleted and recreated on each run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	argv := fs.Args()
	if len(argv) == 0 {
		fs.Usage()
		return errors.New("with-db: no command given")
	}

	// Ctrl-C reaches CMD directly (same process group); with-db itself waits for CMD to
	// finish and then still stops the cluster instead of dying with it.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	env := os.Environ()
	switch {
	case os.Getenv("TEST_DATABASE_URL") != "":
		// Use the caller's server as is.
	case os.Getenv("DATABASE_URL") != "":
		env = append(env, "TEST_DATABASE_URL="+os.Getenv("DATABASE_URL"))
	default:
		dataDir := *dir
		if !flagSet(fs, "dir") {
			if err := pgcluster.CheckReachable(dataDir); err != nil {
				// Say a checkout under /root: the server cannot run there as postgres, but
				// a throwaway cluster may as well live in a temporary directory.
				tmp, err := reachableTempDir()
				if err != nil {
					return fmt.Errorf("with-db: %w", err)
				}
				defer os.RemoveAll(tmp)
				fmt.Fprintf(os.Stderr, "with-db: %s is out of the postgres user's reach, using %s instead\n", dataDir, tmp)
				dataDir = filepath.Join(tmp, "pg")
			}
		}
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{
			Dir:     dataDir,
			Log:     os.Stderr,
			Fast:    true,
			Install: true,
			Fresh:   true,
		})
		if err != nil {
			return fmt.Errorf("with-db: %w", err)
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "with-db: %v\n", err)
			}
		}()
		env = append(env, "TEST_DATABASE_URL="+cluster.URL("postgres"))
	}

	return runCommand(ctx, argv, env)
}

// runCommand runs argv with stdio attached and turns a non-zero exit into exitCodeError.
// When ctx ends (with-db got SIGINT or SIGTERM) the command gets SIGINT, which go test
// answers by stopping its test binaries, and some time to finish before it is killed.
func runCommand(ctx context.Context, argv, env []string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdin = os.Stdin
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code := exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal()) // the shell's convention for "killed by signal N"
		}
		return exitCodeError(code)
	}
	if err != nil {
		return fmt.Errorf("with-db: running %s: %w", argv[0], err)
	}
	return nil
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// reachableTempDir creates a temporary directory that the postgres user can enter.
func reachableTempDir() (string, error) {
	tmp, err := os.MkdirTemp("", "kiemsat-pgtest-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}
