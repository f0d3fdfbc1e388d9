package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

// runMonitor runs the deadline monitor without the API: once by default (for cron or an
// operator), or every --every until interrupted. It is safe beside running servers.
func runMonitor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	every := fs.Duration("every", 0, "run on this interval until interrupted (0: once)")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
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
	start := time.Now()
	res, err := app.Monitor.Sweep(ctx, time.Now())
	if err != nil {
		return err
	}
	d, err := app.Monitor.Dispatch(ctx, time.Now(), 10000)
	if err != nil {
		return err
	}
	fmt.Printf("due soon %d, missed %d, violations %d, events %d; delivered %d, failed %d (%s)\n",
		res.DueSoon, res.Missed, res.Violations, res.Events, d.Delivered, d.Failed, time.Since(start).Round(time.Millisecond))
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
