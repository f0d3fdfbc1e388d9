package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// MonitorResult counts what one pass of the deadline monitor changed.
type MonitorResult struct {
	DueSoon    int64 // running clocks that reached their warning
	Missed     int64 // open clocks whose latest reading passed
	Lapsed     int64 // windows (to appeal, to protest) that closed unused: no violation
	Violations int64 // violations recorded (or put in force again)
	Events     int64 // outbox events added
	// SubscriptionNotices counts the in-app notifications of cases newly matching subscriptions.
	SubscriptionNotices int
	// MeasureCases are the cases whose custody or detention clock ran out in this sweep with the
	// order still in force; their clock.missed events make the findings channel recompute them.
	MeasureCases []string
}

// MonitorStore applies the passing of time to stored clocks.
type MonitorStore interface {
	// AdvanceClocks moves open clocks past their warning to due soon and past their latest
	// reading to missed, with the violations and outbox events that causes, in batches; each
	// change happens once however many monitors run.
	AdvanceClocks(ctx context.Context, now time.Time, batch int) (MonitorResult, error)
}

// OutboxStore is what the dispatcher needs of the outbox.
type OutboxStore interface {
	// ClaimOutbox locks up to limit events due for delivery at now (SKIP LOCKED: another
	// dispatcher takes the others) until the caller's transaction ends.
	ClaimOutbox(ctx context.Context, now time.Time, limit int) ([]domain.OutboxEvent, error)
	// DeliveredChannels returns, per event, the channels that already took it.
	DeliveredChannels(ctx context.Context, ids []int64) (map[int64]map[string]bool, error)
	RecordDelivery(ctx context.Context, id int64, channel, receipt string, at time.Time) error
	// SettleOutbox marks an event delivered, or records a failed attempt and when to retry.
	SettleOutbox(ctx context.Context, id int64, delivered bool, attempts int, next time.Time, lastError string, at time.Time) error
	// OutboxBacklog counts events not delivered yet and gives the oldest one's creation time.
	OutboxBacklog(ctx context.Context) (int64, *time.Time, error)
	// ClockStatusNow is the stored status of a case's clock now ("" when it is gone).
	ClockStatusNow(ctx context.Context, caseID, clockKey string) (string, error)
}

// NotificationStore keeps in-app notifications.
type NotificationStore interface {
	// NotifyCase writes the notification n to each recipient of a case event: the case's team and
	// the chiefs and deputy chiefs of its unit; a user who has it already does not get it twice.
	NotifyCase(ctx context.Context, ev domain.OutboxEvent, n domain.Notification) (int, error)
	ListNotifications(ctx context.Context, userID string, unreadOnly bool, limit, offset int) ([]domain.Notification, int64, int64, error)
	// MarkNotificationsRead marks the user's notifications named by ids (or all) read and returns
	// how many changed and how many stay unread.
	MarkNotificationsRead(ctx context.Context, userID string, ids []int64, all bool, at time.Time) (int64, int64, error)
}

// Channel delivers outbox events somewhere: the in-app notifications now, email or SMS later.
// Deliver must be idempotent for one event, since an event is retried until every channel took
// it; the receipt it returns is kept.
type Channel interface {
	Name() string
	Deliver(ctx context.Context, ev domain.OutboxEvent) (receipt string, err error)
}

// Monitor is the deadline monitor (giám sát thời hạn): it runs, on a timer, the two things the
// passing of time does (clocks due soon, clocks missed with their violations) and then delivers the
// outbox. Several instances may run at once: the store claims rows with SKIP LOCKED and re-checks
// each status in its UPDATE, and events carry dedup keys, so each change, violation and
// notification happens exactly once.
type Monitor struct {
	store    MonitorStore
	outbox   OutboxStore
	tx       TxRunner
	channels []Channel
	clock    Clock
	log      *slog.Logger
	// Batch is how many clocks one statement moves; MaxAttempts bounds retries of an event.
	Batch       int
	MaxAttempts int
	totals      monitorTotals
	// subscriptions, when set, tells subscribers of the cases newly matching their subscriptions
	// at each sweep (Supervision.NotifySubscriptions).
	subscriptions SubscriptionNotifier
}

// SubscriptionNotifier evaluates subscriptions at now and tells their owners of new matches,
// bounded per call, returning how many notifications it wrote.
type SubscriptionNotifier interface {
	NotifySubscriptions(ctx context.Context, now time.Time) (int, error)
}

// NotifySubscriptionsWith makes each sweep evaluate subscriptions with n.
func (m *Monitor) NotifySubscriptionsWith(n SubscriptionNotifier) { m.subscriptions = n }

// monitorTotals are what this process's monitor did since it started, for the metrics.
type monitorTotals struct {
	dueSoon, missed, violations, events, delivered, failed atomic.Int64
}

// MonitorTotals is a snapshot of what this process's monitor did since it started.
type MonitorTotals struct {
	DueSoon, Missed, Violations, Events, Delivered, Failed int64
}

// Totals returns what this process's monitor did since it started.
func (m *Monitor) Totals() MonitorTotals {
	t := &m.totals
	return MonitorTotals{DueSoon: t.dueSoon.Load(), Missed: t.missed.Load(), Violations: t.violations.Load(), Events: t.events.Load(),
		Delivered: t.delivered.Load(), Failed: t.failed.Load()}
}

// Backlog counts the outbox events not delivered yet and gives the oldest one's creation time,
// for the metrics: a growing backlog means a channel is failing.
func (m *Monitor) Backlog(ctx context.Context) (int64, *time.Time, error) {
	return m.outbox.OutboxBacklog(ctx)
}

// NewMonitor wires the monitor with its delivery channels.
func NewMonitor(store MonitorStore, outbox OutboxStore, tx TxRunner, clock Clock, log *slog.Logger, channels ...Channel) *Monitor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Monitor{store: store, outbox: outbox, tx: tx, channels: channels, clock: clock, log: log, Batch: 5000, MaxAttempts: 20}
}

// Sweep applies the passing of time at now to every stored clock, then (when wired) evaluates a
// bounded batch of subscriptions and tells their owners of the cases newly matching them.
func (m *Monitor) Sweep(ctx context.Context, now time.Time) (MonitorResult, error) {
	res, err := m.store.AdvanceClocks(ctx, now, m.Batch)
	m.totals.dueSoon.Add(res.DueSoon)
	m.totals.missed.Add(res.Missed)
	m.totals.violations.Add(res.Violations)
	m.totals.events.Add(res.Events)
	if err != nil || m.subscriptions == nil {
		return res, err
	}
	// A subscription that fails to evaluate is logged, not returned: it must not keep Tick from
	// delivering the deadline notifications; the next sweep tries it again.
	var serr error
	if res.SubscriptionNotices, serr = m.subscriptions.NotifySubscriptions(ctx, now); serr != nil && ctx.Err() == nil {
		m.log.Error("subscription notifications failed", "error", serr)
	}
	return res, nil
}

// DispatchResult counts one dispatch pass.
type DispatchResult struct {
	Delivered int // events every channel took
	Failed    int // events left for a retry
	Obsolete  int // events no longer true when their turn came, settled without sending
}

// Dispatch delivers the outbox events due at now, up to limit, each through every channel that
// has not taken it yet. A channel that fails leaves the event for a retry with exponential
// backoff (30 s doubling, at most an hour); the channels that succeeded keep their receipts and
// are not asked again. An event that failed MaxAttempts times stays undelivered, visible in the
// backlog metric, for an operator to look at.
func (m *Monitor) Dispatch(ctx context.Context, now time.Time, limit int) (DispatchResult, error) {
	var res DispatchResult
	err := m.tx.WithinTx(ctx, func(ctx context.Context) error {
		res = DispatchResult{}
		evs, err := m.outbox.ClaimOutbox(ctx, now, limit)
		if err != nil || len(evs) == 0 {
			return err
		}
		ids := make([]int64, len(evs))
		for i, e := range evs {
			ids[i] = e.ID
		}
		done, err := m.outbox.DeliveredChannels(ctx, ids)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			// A clock event is told only if it is still true: recording a case's history decision
			// by decision shows a limit missed until the next (on-time) decision is recorded, a
			// moment later; nobody should be woken for that.
			if current, err := m.current(ctx, ev); err != nil {
				return err
			} else if !current {
				res.Obsolete++
				if err := m.outbox.RecordDelivery(ctx, ev.ID, "none", "obsolete", now); err != nil {
					return err
				}
				if err := m.outbox.SettleOutbox(ctx, ev.ID, true, ev.Attempts, now, "", now); err != nil {
					return err
				}
				continue
			}
			var failures []error
			for _, ch := range m.channels {
				if done[ev.ID][ch.Name()] {
					continue
				}
				receipt, err := ch.Deliver(ctx, ev)
				if err != nil {
					failures = append(failures, fmt.Errorf("%s: %w", ch.Name(), err))
					continue
				}
				if err := m.outbox.RecordDelivery(ctx, ev.ID, ch.Name(), receipt, now); err != nil {
					return err
				}
			}
			if len(failures) == 0 {
				res.Delivered++
				if err := m.outbox.SettleOutbox(ctx, ev.ID, true, ev.Attempts+1, now, "", now); err != nil {
					return err
				}
				continue
			}
			res.Failed++
			attempts := ev.Attempts + 1
			next := now.Add(backoff(attempts))
			if attempts >= m.MaxAttempts {
				next = now.Add(100 * 365 * 24 * time.Hour) // parked: an operator decides
			}
			msg := errors.Join(failures...).Error()
			m.log.Warn("outbox delivery failed", "event", ev.ID, "topic", ev.Topic, "attempts", attempts, "error", msg)
			if err := m.outbox.SettleOutbox(ctx, ev.ID, false, attempts, next, msg, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		m.totals.delivered.Add(int64(res.Delivered))
		m.totals.failed.Add(int64(res.Failed))
	}
	return res, err
}

// current reports whether a clock event still describes its clock: the clock exists with the
// event's status, or, for a warning, is still due soon or running late (missed).
func (m *Monitor) current(ctx context.Context, ev domain.OutboxEvent) (bool, error) {
	var p ClockEventPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil || p.ClockKey == "" {
		return true, nil // not a clock event the monitor knows: deliver it as it is
	}
	st, err := m.outbox.ClockStatusNow(ctx, p.CaseID, p.ClockKey)
	if err != nil {
		return false, err
	}
	switch ev.Topic {
	case TopicClockDueSoon:
		return st == domain.ClockStatusDueSoon, nil
	case TopicClockMissed:
		return st == domain.ClockStatusMissed || st == domain.ClockStatusMetLate, nil
	case TopicClockMetLate:
		return st == domain.ClockStatusMetLate, nil
	}
	return true, nil
}

func backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Run sweeps and dispatches every interval until ctx ends. Errors are logged and the next tick
// tries again: a database restart must not stop the monitor for good.
func (m *Monitor) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		m.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick is one round of Run: a sweep, then dispatch passes until the due backlog is empty (or a
// pass fails, or 20 passes ran).
func (m *Monitor) Tick(ctx context.Context) {
	now := m.clock.Now()
	res, err := m.Sweep(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("deadline monitor sweep failed", "error", err)
		}
		return
	}
	if res.DueSoon+res.Missed+res.Lapsed > 0 {
		m.log.Info("deadline monitor", "due_soon", res.DueSoon, "missed", res.Missed, "lapsed", res.Lapsed, "violations", res.Violations, "events", res.Events)
	}
	for range 20 {
		d, err := m.Dispatch(ctx, m.clock.Now(), 200)
		if err != nil {
			if ctx.Err() == nil {
				m.log.Error("outbox dispatch failed", "error", err)
			}
			return
		}
		if d.Delivered+d.Failed+d.Obsolete < 200 {
			return
		}
	}
}

// InAppChannel turns clock events into in-app notifications for the case's team and the leaders
// of its unit. It writes in the dispatcher's transaction, so its delivery and the receipt commit
// together.
type InAppChannel struct {
	Store NotificationStore
}

// Name is the channel's receipt name.
func (InAppChannel) Name() string { return "in_app" }

// Deliver writes the notifications of one event.
func (c InAppChannel) Deliver(ctx context.Context, ev domain.OutboxEvent) (string, error) {
	n, err := NotificationFor(ev)
	if err != nil {
		return "", err
	}
	count, err := c.Store.NotifyCase(ctx, ev, n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d recipients", count), nil
}

// NotificationFor writes the message of a clock event, in Vietnamese and English.
func NotificationFor(ev domain.OutboxEvent) (domain.Notification, error) {
	var p ClockEventPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return domain.Notification{}, fmt.Errorf("outbox event %d: %w", ev.ID, err)
	}
	last := p.LatestLastDay
	if t, err := time.Parse(time.DateOnly, last); err == nil {
		last = t.Format("02/01/2006")
	}
	n := domain.Notification{CaseID: p.CaseID, UnitID: ev.UnitID, Kind: ev.Topic, CreatedAt: ev.CreatedAt}
	switch ev.Topic {
	case TopicClockDueSoon:
		n.TitleVI = "Sắp hết thời hạn: " + p.NameVI
		n.TitleEN = "Time limit running out: " + p.NameEN
		n.BodyVI = fmt.Sprintf("Hồ sơ %s: %s (%s) hết hạn ngày %s.", p.CaseNumber, p.NameVI, p.Article, last)
		n.BodyEN = fmt.Sprintf("Case %s: %s (%s) runs out on %s.", p.CaseNumber, p.NameEN, workflow.ArticleEN(p.Article), last)
	case TopicClockMissed:
		n.TitleVI = "Vi phạm thời hạn: " + p.NameVI
		n.TitleEN = "Time limit missed: " + p.NameEN
		n.BodyVI = fmt.Sprintf("Hồ sơ %s: %s (%s) đã hết hạn ngày %s mà chưa thực hiện.", p.CaseNumber, p.NameVI, p.Article, last)
		n.BodyEN = fmt.Sprintf("Case %s: %s (%s) ran out on %s and is not done.", p.CaseNumber, p.NameEN, workflow.ArticleEN(p.Article), last)
	case TopicClockMetLate:
		n.TitleVI = "Thực hiện quá thời hạn: " + p.NameVI
		n.TitleEN = "Time limit met late: " + p.NameEN
		n.BodyVI = fmt.Sprintf("Hồ sơ %s: %s (%s) hết hạn ngày %s nhưng được thực hiện sau đó.", p.CaseNumber, p.NameVI, p.Article, last)
		n.BodyEN = fmt.Sprintf("Case %s: %s (%s) ran out on %s and was done after it.", p.CaseNumber, p.NameEN, workflow.ArticleEN(p.Article), last)
	default:
		return domain.Notification{}, fmt.Errorf("outbox event %d: unknown topic %q", ev.ID, ev.Topic)
	}
	return n, nil
}
