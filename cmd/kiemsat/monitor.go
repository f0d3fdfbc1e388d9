package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// runMonitor runs the deadline monitor without the API: once by default (for cron or an
// operator), or every --every until interrupted. It is safe beside running servers. --at sweeps
// as of another moment (e.g. +24h: what a day of passing time does), and --dry-run rolls the sweep
// back, which with --baseline makes it a measurement: the sweep's time beside a plain count of the
// rows it looks at, in the same run.
func runMonitor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	every := fs.Duration("every", 0, "run on this interval until interrupted (0: once)")
	at := fs.String("at", "", "sweep as of this moment: RFC 3339, or +DURATION from now (default: now)")
	dry := fs.Bool("dry-run", false, "roll the sweep back and deliver nothing")
	baseline := fs.Bool("baseline", false, "also time SELECT count(*) over the open clocks and the open cases")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
	}
	when := time.Now()
	switch {
	case strings.HasPrefix(*at, "+"):
		d, err := time.ParseDuration((*at)[1:])
		if err != nil {
			return fmt.Errorf("--at %s: %w", *at, err)
		}
		when = when.Add(d)
	case *at != "":
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("--at %s: %w", *at, err)
		}
		when = t
	}
	// A sweep ahead of time would record violations that have not happened: only a dry run may.
	if when.After(time.Now().Add(time.Minute)) && !*dry {
		return fmt.Errorf("--at %s is in the future: add --dry-run", *at)
	}
	app, _, err := openCommandApp(ctx, false)
	if err != nil {
		return err
	}
	defer app.Close()
	if *every > 0 {
		app.Monitor.Run(ctx, *every)
		return nil
	}
	if *baseline {
		for _, q := range []string{`SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')`,
			`SELECT count(*) FROM cases WHERE stage NOT IN ('closed', 'terminated', 'joined', 'not_instituted')`} {
			start := time.Now()
			var n int64
			if err := app.store.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
				return err
			}
			fmt.Printf("baseline: %d rows in %s (%s)\n", n, time.Since(start).Round(time.Millisecond), q)
		}
	}
	start := time.Now()
	err = app.store.WithinTx(ctx, func(ctx context.Context) error {
		res, err := app.Monitor.Sweep(ctx, when)
		if err != nil {
			return err
		}
		fmt.Printf("sweep at %s: due soon %d, missed %d, lapsed %d, violations %d, events %d, orders run out in %d cases (%s)\n",
			when.Format(time.RFC3339), res.DueSoon, res.Missed, res.Lapsed, res.Violations, res.Events, len(res.MeasureCases),
			time.Since(start).Round(time.Millisecond))
		if *dry {
			return errDryRun
		}
		return nil
	})
	if *dry {
		if !errors.Is(err, errDryRun) {
			return err
		}
		fmt.Println("dry run: rolled back")
		return nil
	}
	if err != nil {
		return err
	}
	start = time.Now()
	d, err := app.Monitor.Dispatch(ctx, time.Now(), 10000)
	if err != nil {
		return err
	}
	fmt.Printf("delivered %d, failed %d, obsolete %d (%s)\n", d.Delivered, d.Failed, d.Obsolete, time.Since(start).Round(time.Millisecond))
	return nil
}

// runRecomputeClocks recomputes and stores the clocks of every case.
func runRecomputeClocks(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("recompute-clocks", flag.ContinueOnError)
	batch := fs.Int("batch", 200, "cases per transaction")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
	}
	app, _, err := openCommandApp(ctx, true)
	if err != nil {
		return err
	}
	defer app.Close()
	start := time.Now()
	n, err := app.Procedure.RecomputeAll(ctx, *batch, nil)
	if err != nil {
		return err
	}
	fmt.Printf("recomputed the clocks of %d cases in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
