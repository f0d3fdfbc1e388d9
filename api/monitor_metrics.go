package api

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kiemsat/service"
)

// monitorCollector exposes the deadline monitor and the notification outbox in /metrics: the
// backlog of undelivered events and the age of the oldest (read from the database at each scrape,
// so every instance reports the shared outbox), and what this process's monitor changed.
type monitorCollector struct {
	monitor        *service.Monitor
	backlog, age   *prometheus.Desc
	moved, outcome *prometheus.Desc
}

func newMonitorCollector(m *service.Monitor) *monitorCollector {
	return &monitorCollector{monitor: m,
		backlog: prometheus.NewDesc("kiemsat_outbox_backlog", "Outbox events not delivered yet.", nil, nil),
		age:     prometheus.NewDesc("kiemsat_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox event (0 when none).", nil, nil),
		moved: prometheus.NewDesc("kiemsat_deadline_monitor_changes_total", "What this process's deadline monitor did, by kind.",
			[]string{"kind"}, nil),
		outcome: prometheus.NewDesc("kiemsat_outbox_dispatch_total", "Outbox events this process dispatched, by result.", []string{"result"}, nil),
	}
}

func (c *monitorCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.backlog
	ch <- c.age
	ch <- c.moved
	ch <- c.outcome
}

func (c *monitorCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, oldest, err := c.monitor.Backlog(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(n))
		age := 0.0
		if oldest != nil {
			age = time.Since(*oldest).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
	}
	t := c.monitor.Totals()
	for kind, v := range map[string]int64{"due_soon": t.DueSoon, "missed": t.Missed, "violation": t.Violations, "event": t.Events} {
		ch <- prometheus.MustNewConstMetric(c.moved, prometheus.CounterValue, float64(v), kind)
	}
	ch <- prometheus.MustNewConstMetric(c.outcome, prometheus.CounterValue, float64(t.Delivered), "delivered")
	ch <- prometheus.MustNewConstMetric(c.outcome, prometheus.CounterValue, float64(t.Failed), "failed")
}
