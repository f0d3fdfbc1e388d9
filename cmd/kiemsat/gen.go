package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/schollz/progressbar/v3"

	"kiemsat/domain"
	"kiemsat/repository/gen"
	"kiemsat/service"
)

// runGen fills the registry with synthetic cases for benchmarks: kiemsat gen --cases N. The cases
// come with their lifecycle (decisions, accused, charges, measures) and their stored clocks, so
// that the deadline monitor and the dashboards can be measured at full size.
func runGen(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	cases := fs.Int("cases", 0, "number of cases to generate (required)")
	seedFlag := fs.Uint64("seed", 1, "random seed; the same seed on the same day and database gives the same data")
	batch := fs.Int("batch", 10000, "cases per transaction")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
	}
	if *cases <= 0 || *batch <= 0 {
		fmt.Fprintln(os.Stderr, "gen: --cases and --batch must be positive")
		return exitCodeError(2)
	}
	app, cfg, err := openCommandApp(ctx, true)
	if err != nil {
		return err
	}
	defer app.Close()
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	// Received dates end at the start of today (Vietnam time), so a rerun the same day with
	// the same seed produces the same cases.
	now := time.Now().In(service.VietnamTime)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, service.VietnamTime)
	creator, err := gen.Prepare(ctx, app.store, pool, app.Hasher, now)
	if err != nil {
		return err
	}
	bar := progressbar.NewOptions(*cases, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("cases"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("cases"),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }))
	res, err := gen.Run(ctx, pool, gen.Config{Cases: *cases, Seed: *seedFlag, Batch: *batch, Now: today, CreatorID: creator,
		Progress: func(n int) { _ = bar.Add(n) }})
	if err != nil {
		return err
	}
	secs := res.Elapsed.Seconds()
	rows := res.Rows()
	fmt.Printf("generated %d cases, %d parties, %d lead assignments, %d decisions, %d accused, %d charges, %d measures, %d clocks, %d violations\n",
		res.Cases, res.Parties, res.Assignments, res.Decisions, res.Accused, res.Charges, res.Measures, res.Clocks, res.Violations)
	fmt.Printf("in %s (%.0f cases/s, %.0f rows/s); statistics updated\n", res.Elapsed.Round(time.Millisecond), float64(res.Cases)/secs, float64(rows)/secs)
	var stages []string
	for _, st := range domain.Stages {
		if n := res.Stages[st]; n > 0 {
			stages = append(stages, fmt.Sprintf("%s %d", st, n))
		}
	}
	fmt.Printf("stages: %s\n", strings.Join(stages, ", "))
	if res.Refused > 0 {
		// The generator plans histories the transition table should accept; a refusal means the
		// two disagree, and the cases concerned stop at the last step the table allowed.
		fmt.Fprintf(os.Stderr, "gen: warning: the transition table refused part of the history of %d cases; the first: %v\n", res.Refused, res.FirstRefusal)
	}
	return nil
}
