package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// storedClockView is an item of GET /deadlines.
type storedClockView struct {
	Explanation struct {
		VI string `json:"vi"`
		EN string `json:"en"`
	} `json:"explanation"`
	ID         int64  `json:"id"`
	CaseID     string `json:"case_id"`
	CaseNumber string `json:"case_number"`
	Unit       struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	} `json:"unit"`
	Key       string `json:"key"`
	Rule      string `json:"rule"`
	Subject   string `json:"subject"`
	SubjectID string `json:"subject_id"`
	Due       struct {
		EarliestLastDay string `json:"earliest_last_day"`
		LatestLastDay   string `json:"latest_last_day"`
		LatestDeadline  string `json:"latest_deadline"`
	} `json:"due"`
	Status   string  `json:"status"`
	EndedOn  *string `json:"ended_on"`
	DaysLeft int     `json:"days_left"`
}

type storedClockList struct {
	Items []storedClockView `json:"items"`
	Total int64             `json:"total"`
}

func (e *env) storedClocks(token, query string) storedClockList {
	e.t.Helper()
	r := e.get(v1+"/deadlines?"+query, token)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET /deadlines?%s: %d %s", query, r.Status, r.Body)
	}
	var l storedClockList
	r.decode(e.t, &l)
	return l
}

type violationView struct {
	ID         int64  `json:"id"`
	CaseID     string `json:"case_id"`
	CaseNumber string `json:"case_number"`
	Unit       struct {
		ID int64 `json:"id"`
	} `json:"unit"`
	ProsecutorID *string `json:"prosecutor_id"`
	ClockKey     string  `json:"clock_key"`
	Rule         string  `json:"rule"`
	Article      string  `json:"article"`
	DueAt        string  `json:"due_at"`
	DetectedBy   string  `json:"detected_by"`
	MetAt        *string `json:"met_at"`
	WithdrawnAt  *string `json:"withdrawn_at"`
	LateSeconds  int64   `json:"late_seconds"`
	DaysLate     int     `json:"days_late"`
}

func (e *env) violations(token, query string) ([]violationView, int64) {
	e.t.Helper()
	r := e.get(v1+"/violations?"+query, token)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET /violations?%s: %d %s", query, r.Status, r.Body)
	}
	var l struct {
		Items []violationView `json:"items"`
		Total int64           `json:"total"`
	}
	r.decode(e.t, &l)
	return l.Items, l.Total
}

// allStatuses asks for clocks in every status, not only the open ones.
const allStatuses = "status=missed,due_soon,running,met,met_late,stopped,cancelled&limit=200"

// clockSig is what a computed clock and its stored copy must agree on.
func clockSig(rule, subjectID, earliest, latest, status string) string {
	return strings.Join([]string{rule, subjectID, earliest, latest, status}, " ")
}

// demoCaseIDs are the ids of every case, by the Supreme chief's list.
func demoCaseIDs(e *env, token string) []string {
	e.t.Helper()
	r := e.get(v1+"/cases?limit=200", token)
	if r.Status != http.StatusOK {
		e.t.Fatalf("cases: %d %s", r.Status, r.Body)
	}
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	r.decode(e.t, &page)
	ids := make([]string, len(page.Items))
	for i, c := range page.Items {
		ids[i] = c.ID
	}
	if len(ids) < 15 {
		e.t.Fatalf("only %d demo cases", len(ids))
	}
	return ids
}

// assertStoredEqualsComputed checks, case by case, that the stored clocks (GET /deadlines) are
// exactly the clocks the engine computes at the moment (GET /cases/{id}/deadlines).
func assertStoredEqualsComputed(t *testing.T, e *env, token string, ids []string) (clocks int) {
	t.Helper()
	for _, id := range ids {
		r := e.get(v1+"/cases/"+id+"/deadlines", token)
		if r.Status != http.StatusOK {
			t.Fatalf("deadlines of %s: %d %s", id, r.Status, r.Body)
		}
		var d deadlinesView
		r.decode(t, &d)
		var want, got []string
		for _, c := range d.Items {
			want = append(want, clockSig(c.Rule, c.SubjectID, c.Due.EarliestLastDay, c.Due.LatestLastDay, c.Status)+" "+c.Explanation.VI+" "+c.Explanation.EN)
		}
		for _, c := range e.storedClocks(token, allStatuses+"&case_id="+id).Items {
			if c.CaseID != id {
				t.Fatalf("case_id filter %s returned a clock of %s", id, c.CaseID)
			}
			got = append(got, clockSig(c.Rule, c.SubjectID, c.Due.EarliestLastDay, c.Due.LatestLastDay, c.Status)+" "+c.Explanation.VI+" "+c.Explanation.EN)
		}
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("case %s at %s:\ncomputed:\n  %s\nstored:\n  %s", id, e.clock.Now().Format(time.RFC3339), strings.Join(want, "\n  "), strings.Join(got, "\n  "))
		}
		clocks += len(want)
	}
	return clocks
}

// The stored clocks are the engine's clocks: after the demo is recorded, and after the monitor has
// applied the passing of time at several moments (a few days, past the warnings, past most limits,
// a year on), every case's stored clocks equal the ones computed at that moment, status included.
// This is what lets lists and dashboards read the table instead of running the engine.
func TestStoredClocksFollowTheEngine(t *testing.T) {
	e := newEnv(t)
	tc := e.login("tc.vientruong").AccessToken
	ids := demoCaseIDs(e, tc)
	ctx := context.Background()
	for _, step := range []time.Duration{0, 3 * 24 * time.Hour, 12 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour, 400 * 24 * time.Hour} {
		e.clock.Advance(step)
		if _, err := e.svc.Monitor.Sweep(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		tc = e.login("tc.vientruong").AccessToken
		if n := assertStoredEqualsComputed(t, e, tc, ids); n < 40 {
			t.Fatalf("only %d clocks on the demo cases", n)
		}
	}
	// A year on, nothing open is left running: every open clock is missed.
	if n := e.count(`SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')`); n != 0 {
		t.Errorf("%d clocks still running a year on", n)
	}
	if n := e.count(`SELECT count(*) FROM case_clocks WHERE status = 'missed'`); n == 0 {
		t.Error("no clock missed a year on: the sweep did nothing")
	}
}

// Two monitors and two dispatchers running at once over the same clocks produce each status
// change, each violation, each event and each notification exactly once.
func TestTwoMonitorsExactlyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.count(`SELECT count(*) FROM violations`)
	eventsBefore := e.count(`SELECT count(*) FROM outbox WHERE topic = 'clock.missed'`)
	e.clock.Advance(200 * 24 * time.Hour)
	now := e.clock.Now()
	var wantMissed, wantDueSoon int
	if err := e.db.QueryRow(`SELECT count(*) FILTER (WHERE latest_due <= $1 AND NOT lapses),
		count(*) FILTER (WHERE status = 'running' AND warn_at <= $1 AND latest_due > $1)
		FROM case_clocks WHERE status IN ('running', 'due_soon')`, now).Scan(&wantMissed, &wantDueSoon); err != nil {
		t.Fatal(err)
	}
	if wantMissed < 10 {
		t.Fatalf("only %d clocks to miss: the test would prove little", wantMissed)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	monitors := []*service.Monitor{
		service.NewMonitor(e.store, e.store, e.store, e.clock, log, service.InAppChannel{Store: e.store}),
		service.NewMonitor(e.store, e.store, e.store, e.clock, log, service.InAppChannel{Store: e.store}),
	}
	var missed, dueSoon, violations, events atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for _, m := range monitors {
		m.Batch = 2 // small batches, so the two interleave claim by claim
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				res, err := m.Sweep(ctx, now)
				if err != nil {
					errs <- err
					return
				}
				missed.Add(res.Missed)
				dueSoon.Add(res.DueSoon)
				violations.Add(res.Violations)
				events.Add(res.Events)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if missed.Load() != int64(wantMissed) || dueSoon.Load() != int64(wantDueSoon) {
		t.Fatalf("monitors moved %d to missed and %d to due soon, want %d and %d", missed.Load(), dueSoon.Load(), wantMissed, wantDueSoon)
	}
	if got := e.count(`SELECT count(*) FROM violations`) - before; got != wantMissed || violations.Load() != int64(wantMissed) {
		t.Fatalf("%d violation rows (%d reported) for %d missed clocks", got, violations.Load(), wantMissed)
	}
	if n := e.count(`SELECT count(*) FROM violations WHERE detected_by = 'monitor' AND detected_at = $1`, now); n != wantMissed {
		t.Errorf("%d violations detected by the monitor now, want %d", n, wantMissed)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE topic = 'clock.missed'`) - eventsBefore; n != wantMissed || events.Load() != int64(wantMissed+wantDueSoon) {
		t.Fatalf("%d missed events (%d events reported), want %d", n, events.Load(), wantMissed)
	}
	// Each violation names the unit of its case and the lead prosecutor at detection.
	if n := e.count(`SELECT count(*) FROM violations v JOIN cases c ON c.id = v.case_id WHERE v.unit_id <> c.unit_id`); n != 0 {
		t.Errorf("%d violations name another unit than their case's", n)
	}
	if n := e.count(`SELECT count(*) FROM violations v WHERE v.detected_at = $1 AND v.prosecutor_id IS DISTINCT FROM
		(SELECT a.user_id FROM case_assignments a WHERE a.case_id = v.case_id AND a.role = 'lead' AND a.ended_at IS NULL)`, now); n != 0 {
		t.Errorf("%d violations name another prosecutor than the case's lead", n)
	}

	// Dispatch concurrently: every event delivered once, with one receipt, and each recipient
	// (the case's team and its unit's chiefs and deputies) notified once per event.
	pending := e.count(`SELECT count(*) FROM outbox WHERE delivered_at IS NULL`)
	var delivered atomic.Int64
	wg = sync.WaitGroup{}
	for _, m := range monitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				d, err := m.Dispatch(ctx, now, 3)
				if err != nil {
					t.Error(err)
					return
				}
				delivered.Add(int64(d.Delivered + d.Obsolete))
				if d.Delivered+d.Failed+d.Obsolete == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if delivered.Load() != int64(pending) {
		t.Fatalf("%d events delivered of %d pending", delivered.Load(), pending)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE delivered_at IS NULL`); n != 0 {
		t.Fatalf("%d events left undelivered", n)
	}
	if n := e.count(`SELECT count(*) FROM outbox_deliveries`); n != pending {
		t.Errorf("%d receipts for %d events", n, pending)
	}
	want := e.count(`SELECT count(*) FROM outbox o JOIN outbox_deliveries d ON d.outbox_id = o.id AND d.receipt <> 'obsolete' CROSS JOIN LATERAL (
			SELECT a.user_id FROM case_assignments a WHERE a.case_id = o.case_id AND a.ended_at IS NULL
			UNION SELECT g.user_id FROM grants g JOIN cases c ON c.unit_id = g.unit_id WHERE c.id = o.case_id AND g.role IN ('chief', 'deputy_chief')) r`)
	if n := e.count(`SELECT count(*) FROM notifications`); n != want || n == 0 {
		t.Fatalf("%d notifications, want %d (one per event and recipient)", n, want)
	}
	// Nothing is left to do: another round changes nothing.
	for _, m := range monitors {
		res, err := m.Sweep(ctx, now)
		if err != nil || res.DueSoon+res.Missed+res.Lapsed+res.Violations+res.Events != 0 || len(res.MeasureCases) != 0 {
			t.Fatalf("second sweep: %+v %v", res, err)
		}
		d, err := m.Dispatch(ctx, now, 100)
		if err != nil || d != (service.DispatchResult{}) {
			t.Fatalf("second dispatch: %+v %v", d, err)
		}
	}
}

// The violations and notifications the monitor produced are read through the API within the
// caller's scope, and a notification is read once marked.
func TestViolationsAndNotificationsAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.clock.Advance(200 * 24 * time.Hour)
	e.svc.Monitor.Tick(ctx)
	total := e.count(`SELECT count(*) FROM violations WHERE withdrawn_at IS NULL`)
	if total == 0 {
		t.Fatal("no violation after 200 days")
	}
	// The Supreme chief sees the violations of every case they can read (not the secret cases of
	// other units), and no other.
	tc := e.login("tc.vientruong").AccessToken
	readable := demoCaseIDs(e, tc)
	want := e.count(`SELECT count(*) FROM violations WHERE case_id::text = ANY($1) AND withdrawn_at IS NULL`, "{"+strings.Join(readable, ",")+"}")
	if _, n := e.violations(tc, "limit=200"); int(n) != want || want == 0 {
		t.Errorf("the Supreme chief sees %d violations, %d on the cases they read, %d in all", n, want, total)
	}
	// A province's chief sees only its subtree's, and each one's case is readable by them; the
	// other province's chief sees none of those.
	hn, hcm := e.login("hn.vientruong").AccessToken, e.login("hcm.vientruong").AccessToken
	hnItems, hnTotal := e.violations(hn, "limit=200")
	if hnTotal == 0 || int(hnTotal) != len(hnItems) {
		t.Fatalf("Hà Nội sees %d violations (%d items)", hnTotal, len(hnItems))
	}
	for _, v := range hnItems {
		if r := e.get(v1+"/cases/"+v.CaseID, hn); r.Status != http.StatusOK {
			t.Errorf("violation of case %s listed but the case answers %d", v.CaseID, r.Status)
		}
		if r := e.get(v1+"/cases/"+v.CaseID, hcm); r.Status != http.StatusNotFound {
			t.Errorf("case %s of Hà Nội answers %d to Hồ Chí Minh City", v.CaseID, r.Status)
		}
		if v.DaysLate < 1 || v.LateSeconds < 86400 || v.MetAt != nil || v.WithdrawnAt != nil || v.Article == "" {
			t.Errorf("violation %+v", v)
		}
	}
	hcmItems, _ := e.violations(hcm, "limit=200")
	for _, v := range hcmItems {
		for _, h := range hnItems {
			if v.ID == h.ID {
				t.Errorf("violation %d listed for both provinces", v.ID)
			}
		}
	}
	// Filters: rule, open.
	rule := hnItems[0].Rule
	items, _ := e.violations(hn, "rule="+rule+"&open=true")
	for _, v := range items {
		if v.Rule != rule {
			t.Errorf("rule filter %s returned %s", rule, v.Rule)
		}
	}
	if len(items) == 0 {
		t.Errorf("rule filter %s returned nothing", rule)
	}
	if items, _ := e.violations(hn, "open=false"); len(items) != 0 {
		t.Errorf("%d violations met late, none expected", len(items))
	}

	// The deadlines list shows the missed clocks first, within scope.
	l := e.storedClocks(hn, "limit=200")
	if l.Total == 0 || l.Items[0].Status != "missed" {
		t.Fatalf("open clocks of Hà Nội: %d, first %+v", l.Total, l.Items)
	}
	for i := 1; i < len(l.Items); i++ {
		if l.Items[i-1].Due.LatestDeadline > l.Items[i].Due.LatestDeadline {
			t.Fatalf("not sorted by urgency at %d: %s after %s", i, l.Items[i].Due.LatestDeadline, l.Items[i-1].Due.LatestDeadline)
		}
	}
	for _, c := range e.storedClocks(hcm, "limit=200").Items {
		for _, h := range l.Items {
			if c.ID == h.ID {
				t.Errorf("clock %d listed for both provinces", c.ID)
			}
		}
	}

	// The lead prosecutor of Hà Nội's regional unit 1 was told, once per event.
	ksv := e.login("hnkv1.ksv1").AccessToken
	r := e.get(v1+"/me/notifications?limit=200", ksv)
	var page struct {
		Items []struct {
			ID    int64  `json:"id"`
			Kind  string `json:"kind"`
			Title struct {
				VI string `json:"vi"`
			} `json:"title"`
			Body struct {
				VI string `json:"vi"`
				EN string `json:"en"`
			} `json:"body"`
			ReadAt *string `json:"read_at"`
		} `json:"items"`
		Total  int64 `json:"total"`
		Unread int64 `json:"unread"`
	}
	r.decode(t, &page)
	if r.Status != http.StatusOK || page.Total == 0 || page.Unread != page.Total {
		t.Fatalf("notifications: %d %s", r.Status, r.Body)
	}
	for _, n := range page.Items {
		if !strings.Contains(n.Title.VI, "thời hạn") || !strings.Contains(n.Body.VI, "Điều") || !strings.Contains(n.Body.EN, "Art.") {
			t.Errorf("notification text: %+v", n)
		}
	}
	// Marking one read, then someone else's id (nothing happens), then all.
	mark := func(token string, body map[string]any) (int64, int64) {
		r := e.send(req{Method: "POST", Path: v1 + "/me/notifications/read", Token: token, Body: body})
		if r.Status != http.StatusOK {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		var out struct{ Marked, Unread int64 }
		r.decode(t, &out)
		return out.Marked, out.Unread
	}
	if m, u := mark(ksv, map[string]any{"ids": []int64{page.Items[0].ID}}); m != 1 || u != page.Total-1 {
		t.Fatalf("marked %d, unread %d", m, u)
	}
	hcmKsvNote := e.count(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'hnkv1.ksv1' AND n.id = $1 AND n.read_at IS NOT NULL`, page.Items[0].ID)
	if hcmKsvNote != 1 {
		t.Fatal("the notification marked is not read in the table")
	}
	if m, _ := mark(hcm, map[string]any{"ids": []int64{page.Items[1].ID}}); m != 0 {
		t.Fatalf("another user marked %d of hnkv1.ksv1's notifications", m)
	}
	if _, u := mark(ksv, map[string]any{"all": true}); u != 0 {
		t.Fatalf("%d unread after marking all", u)
	}
	if r := e.get(v1+"/me/notifications?unread=true", ksv); !strings.Contains(string(r.Body), `"total":0`) {
		t.Errorf("unread list after marking all: %s", r.Body)
	}

	// The outbox backlog and the monitor's work are in /metrics.
	m := e.get("/metrics", "")
	for _, want := range []string{"kiemsat_outbox_backlog 0", "kiemsat_deadline_monitor_changes_total{kind=\"missed\"}", "kiemsat_outbox_dispatch_total{result=\"delivered\"}"} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// A decision recorded after its limit ran out reveals the violation at once, found by the
// recompute in the decision's own transaction (met late, Điều 147(1) BLTTHS: 20 days to resolve a
// report), and the monitor does not record it again.
func TestRecomputeFindsALateDecision(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	key := func() string {
		for _, c := range e.storedClocks(tm.chief, allStatuses+"&case_id="+s.id).Items {
			if c.Rule == "report_resolution" {
				if c.Status != "running" {
					t.Fatalf("report clock at registration: %+v", c)
				}
				return c.Key
			}
		}
		t.Fatal("no stored report_resolution clock after registration")
		return ""
	}()
	e.clock.Advance(26 * 24 * time.Hour)
	tm = loginKV1(e)
	s.wantStage(s.decide(tm.ksv, s.cqdt("institute_case", "number", "15/QĐ-CSĐT")), "institution")
	items, _ := e.violations(tm.chief, "rule=report_resolution&case_id="+s.id)
	var v *violationView
	for i := range items {
		if items[i].CaseID == s.id && items[i].ClockKey == key {
			v = &items[i]
		}
	}
	if v == nil {
		t.Fatalf("no violation for the late institution among %+v", items)
	}
	if v.DetectedBy != "recompute" || v.MetAt == nil || v.DaysLate < 5 || v.Article != "Điều 147(1)–(2) BLTTHS" {
		t.Fatalf("late institution: %+v", *v)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE case_id = $1 AND topic = 'clock.met_late'`, s.id); n != 1 {
		t.Errorf("%d met-late events", n)
	}
	if res, err := e.svc.Monitor.Sweep(context.Background(), e.clock.Now()); err != nil {
		t.Fatal(err)
	} else if n := e.count(`SELECT count(*) FROM violations WHERE case_id = $1`, s.id); n != 1 {
		t.Errorf("%d violations of the case after a sweep (%+v)", n, res)
	}
}

// An edit of the legal calendar recomputes, in its own transaction, the stored clocks that count
// across the date: a day off declared on the last day of an investigation period moves it to the
// next working day (Điều 134(2) BLTTHS), and withdrawing it moves it back.
func TestCalendarEditRecomputesStoredClocks(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	find := func() storedClockView {
		for _, c := range e.storedClocks(tm.chief, allStatuses+"&rule=investigation_initial&case_id="+s.id).Items {
			return c
		}
		t.Fatal("no stored investigation clock")
		return storedClockView{}
	}
	before := find()
	last, err := time.ParseInLocation(time.DateOnly, before.Due.LatestLastDay, ict)
	if err != nil {
		t.Fatal(err)
	}
	// The period's last day is a working day (it was rolled over if not); declare it a day off.
	admin := e.login("admin").AccessToken
	day := last.Format(time.DateOnly)
	r := e.send(req{Method: "PUT", Path: v1 + "/calendar/" + day, Token: admin,
		Body: map[string]any{"name_vi": "Ngày nghỉ bù thử nghiệm", "kind": "compensatory", "confirmed": true}})
	if r.Status != http.StatusOK && r.Status != http.StatusCreated {
		t.Fatalf("put %s: %d %s", day, r.Status, r.Body)
	}
	after := find()
	if after.Due.LatestLastDay <= before.Due.LatestLastDay {
		t.Fatalf("a day off on the last day %s left it at %s", before.Due.LatestLastDay, after.Due.LatestLastDay)
	}
	if r := e.send(req{Method: "DELETE", Path: v1 + "/calendar/" + day, Token: admin}); r.Status != http.StatusNoContent {
		t.Fatalf("delete %s: %d %s", day, r.Status, r.Body)
	}
	if again := find(); again.Due.LatestLastDay != before.Due.LatestLastDay {
		t.Fatalf("after withdrawing %s the last day is %s, want %s", day, again.Due.LatestLastDay, before.Due.LatestLastDay)
	}
}

// The outbox retries a failing channel with backoff, keeps the receipt of the channel that took
// the event (so it is not asked again), and shows the backlog until the event is delivered.
func TestOutboxRetriesAFailingChannel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.clock.Advance(200 * 24 * time.Hour)
	sms := &flakyChannel{fail: true}
	m := service.NewMonitor(e.store, e.store, e.store, e.clock, nil, service.InAppChannel{Store: e.store}, sms)
	if _, err := m.Sweep(ctx, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	events := e.count(`SELECT count(*) FROM outbox WHERE delivered_at IS NULL`)
	d, err := m.Dispatch(ctx, e.clock.Now(), 1000)
	live := d.Failed
	if err != nil || live == 0 || d.Failed+d.Obsolete != events || d.Delivered != 0 {
		t.Fatalf("first dispatch: %+v %v (%d events)", d, err, events)
	}
	notes := e.count(`SELECT count(*) FROM notifications`)
	if notes == 0 || e.count(`SELECT count(*) FROM outbox_deliveries WHERE channel = 'in_app'`) != live {
		t.Fatalf("in-app receipts not kept: %d notifications", notes)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE attempts = 1 AND last_error LIKE 'sms: %' AND delivered_at IS NULL`); n != live {
		t.Fatalf("%d events with one failed attempt, want %d", n, live)
	}
	if backlog, _, err := m.Backlog(ctx); err != nil || backlog != int64(live) {
		t.Fatalf("backlog %d %v, want %d", backlog, err, live)
	}
	// Before the backoff ends nothing is retried.
	if d, _ := m.Dispatch(ctx, e.clock.Now().Add(10*time.Second), 1000); d.Delivered+d.Failed+d.Obsolete != 0 {
		t.Fatalf("retried before the backoff: %+v", d)
	}
	sms.fail = false
	d, err = m.Dispatch(ctx, e.clock.Now().Add(31*time.Second), 1000)
	if err != nil || d.Delivered != live {
		t.Fatalf("retry: %+v %v", d, err)
	}
	if n := e.count(`SELECT count(*) FROM notifications`); n != notes {
		t.Fatalf("the retry notified in the app again: %d notifications, was %d", n, notes)
	}
	if int(sms.sent.Load()) != live {
		t.Fatalf("sms sent %d, want %d", sms.sent.Load(), live)
	}
	if backlog, _, _ := m.Backlog(ctx); backlog != 0 {
		t.Fatalf("backlog %d after delivery", backlog)
	}
}

// flakyChannel stands for an SMS gateway that is down until told otherwise.
type flakyChannel struct {
	fail bool
	sent atomic.Int64
}

func (c *flakyChannel) Name() string { return "sms" }

func (c *flakyChannel) Deliver(_ context.Context, ev domain.OutboxEvent) (string, error) {
	if c.fail {
		return "", errors.New("gateway unavailable")
	}
	c.sent.Add(1)
	return fmt.Sprintf("msg-%d", ev.ID), nil
}

// Bad filters get a 400 (malformed) or a 422 (well-formed but invalid) naming the parameter, and
// a unit outside the scope is not found.
func TestDeadlineListsBadInput(t *testing.T) {
	e := newEnv(t)
	hn := e.login("hn.vientruong").AccessToken
	hcmUnit := e.units["VKS-HCM"].ID
	for _, tc := range []struct {
		path, code, field string
		status            int
	}{
		{"/deadlines?status=late", "invalid", "status", 422},
		{"/deadlines?rule=no_such_rule", "invalid", "rule", 422},
		{"/deadlines?due_before=20/11/2026", "bad_request", "due_before", 400},
		{"/deadlines?due_before=2026-01-01&due_after=2026-02-01", "invalid", "due_before", 422},
		{"/deadlines?limit=500", "invalid", "limit", 422},
		{"/deadlines?offset=100001", "invalid", "offset", 422},
		{"/deadlines?prosecutor_id=abc", "invalid", "prosecutor_id", 422},
		{"/deadlines?case_id=abc", "invalid", "case_id", 422},
		{"/deadlines?unit_id=x", "bad_request", "unit_id", 400},
		{"/deadlines?unit_id=999999", "invalid", "unit_id", 422},
		{fmt.Sprintf("/deadlines?unit_id=%d", hcmUnit), "not_found", "", 404},
		{"/violations?rule=nope", "invalid", "rule", 422},
		{"/violations?open=maybe", "bad_request", "open", 400},
		{"/violations?detected_after=2026-05-01&detected_before=2026-04-01", "invalid", "detected_before", 422},
		{fmt.Sprintf("/violations?unit_id=%d", hcmUnit), "not_found", "", 404},
		{"/me/notifications?limit=201", "invalid", "limit", 422},
		{"/me/notifications?unread=sometimes", "bad_request", "unread", 400},
	} {
		r := e.get(v1+tc.path, hn)
		if tc.field == "" {
			if r.Status != tc.status || r.err(t).Error.Code != tc.code {
				t.Errorf("%s: %d %s", tc.path, r.Status, r.Body)
			}
			continue
		}
		wantDetail(t, r, tc.status, tc.code, tc.field, "")
	}
	// Unauthenticated lists are refused.
	for _, p := range []string{"/deadlines", "/violations", "/me/notifications"} {
		if r := e.get(v1+p, ""); r.Status != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d", p, r.Status)
		}
	}
	_ = url.QueryEscape
}

// "What if": GET /cases/{id}/deadlines?assume_extension=RULE shows the open period as if its next
// extension were granted, and refuses with the article what the law would refuse (Điều 172 BLTTHS:
// a less serious case's investigation of 2 months may be extended once, by up to 2 months).
func TestAssumeExtension(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	base := s.deadlines(tm.chief).clock(t, "investigation_initial", "")
	if base.ExtensionsLeft != 1 || base.Status != "running" {
		t.Fatalf("investigation before: %+v", base)
	}
	r := e.get(v1+"/cases/"+s.id+"/deadlines?assume_extension=investigation_initial", tm.chief)
	if r.Status != http.StatusOK {
		t.Fatalf("assume: %d %s", r.Status, r.Body)
	}
	var d struct {
		deadlinesView
		Assume *string `json:"assume_extension"`
		Items  []struct {
			clockView
			Assumed bool `json:"assumed"`
		} `json:"items"`
	}
	r.decode(t, &d)
	if d.Assume == nil || *d.Assume != "investigation_initial" {
		t.Fatalf("assume_extension echoed as %v", d.Assume)
	}
	found := false
	for _, c := range d.Items {
		if c.Rule != "investigation_initial" {
			if c.Assumed {
				t.Errorf("clock %s marked assumed", c.Rule)
			}
			continue
		}
		found = true
		baseLast, _ := time.ParseInLocation(time.DateOnly, base.Due.LatestLastDay, ict)
		got, _ := time.ParseInLocation(time.DateOnly, c.Due.LatestLastDay, ict)
		if !c.Assumed || c.ExtensionsLeft != 0 || got.Before(baseLast.AddDate(0, 2, -1)) || got.After(baseLast.AddDate(0, 2, 4)) ||
			!strings.Contains(c.Explanation.VI, "Giả định được gia hạn lần 1") {
			t.Fatalf("assumed investigation: %+v (base last day %s)", c, base.Due.LatestLastDay)
		}
	}
	if !found {
		t.Fatal("no investigation clock in the assumed answer")
	}
	// Nothing was written: the stored clock and the computed one without the assumption are as before.
	if again := s.deadlines(tm.chief).clock(t, "investigation_initial", ""); again.Due.LatestLastDay != base.Due.LatestLastDay {
		t.Fatalf("the what-if changed the case: %s → %s", base.Due.LatestLastDay, again.Due.LatestLastDay)
	}
	refuse := func(q, rule, article string) {
		t.Helper()
		d := wantRule(t, e.get(v1+"/cases/"+s.id+"/deadlines?assume_extension="+q, tm.chief), http.StatusUnprocessableEntity, "invalid", "assume_extension", rule)
		if article != "" {
			wantArticle(t, d, article)
		}
	}
	refuse("no_such_rule", "enum", "")
	refuse("custody_period", "no_ladder", "Điều 118 BLTTHS")
	refuse("prosecution_decision", "no_open_clock", "Điều 240(1) BLTTHS")
	// Once the one extension is granted, there is none left to assume.
	s.decide(tm.chief, s.vks("extend_investigation", "number", "40/QĐ-VKS"))
	refuse("investigation_initial", "no_extension_left", "Điều 172(2)–(6) BLTTHS")
	// A user outside the scope does not learn that the case exists.
	if r := e.get(v1+"/cases/"+s.id+"/deadlines?assume_extension=investigation_initial", e.login("hcm.vientruong").AccessToken); r.Status != http.StatusNotFound {
		t.Fatalf("out of scope: %d", r.Status)
	}
}

// An extension answers a request of the investigating body, which must reach the procuracy at
// least 10 days before the investigation period runs out (Điều 172(2) BLTTHS): recorded with a
// request that came later, the extension is refused with the rule and the article; with one in
// time it is recorded, and the decision keeps the request's date.
func TestExtensionRequestedTooLate(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	last := s.deadlines(tm.chief).clock(t, "investigation_initial", "").Due.LatestLastDay
	lastDay, err := time.ParseInLocation(time.DateOnly, last, ict)
	if err != nil {
		t.Fatal(err)
	}
	// Move to six days before the last day: a request received today is too late.
	e.clock.Advance(time.Until(lastDay.Add(-6*24*time.Hour + 10*time.Hour)))
	tm = loginKV1(e)
	late := s.vks("extend_investigation", "number", "40/QĐ-VKS", "requested_on", today(e))
	d := s.refuseStep(tm.chief, late, "requested_on", "extension_requested_in_time")
	wantArticle(t, d, "Điều 147(2), 172(2), 173(2) BLTTHS")
	inTime := lastDay.AddDate(0, 0, -10).Format(time.DateOnly)
	o := s.decide(tm.chief, s.vks("extend_investigation", "number", "41/QĐ-VKS", "requested_on", inTime))
	if o.Decision.Step != "extend_investigation" {
		t.Fatalf("extension: %+v", o.Decision)
	}
	r := e.get(v1+"/decisions/"+o.Decision.ID, tm.chief)
	if !strings.Contains(string(r.Body), `"requested_on":"`+inTime+`"`) {
		t.Fatalf("decision without its request date: %s", r.Body)
	}
	// The request date belongs to extensions only, and not after the extension.
	s.refuseStep(tm.chief, s.cqdt("suspend_investigation", "requested_on", today(e)), "requested_on", "not_extension")
	s.refuseStep(tm.chief, s.cqdt("suspend_investigation", "requested_on", "2026-13-01"), "requested_on", "format")
}

// A decision of the investigating agency recorded with the moment the procuracy received it is
// timed against the law's limit for sending it (Điều 154(2) BLTTHS: the institution decision within
// 24 hours): received at 09:00 two days after its issue day, it is 9 hours late (24 hours from the
// end of the issue day) and a violation of the agency's is
// recorded at once; malformed or impossible receipts are refused.
func TestDeliveryToTheProcuracyTimed(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	now := e.clock.Now().In(ict)
	issued := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ict).AddDate(0, 0, -3)
	received := issued.AddDate(0, 0, 2).Add(9 * time.Hour)
	// The report was received an hour before now: the institution may not be dated before it, so the
	// story's report is moved back first.
	r := e.send(req{Method: "PATCH", Path: v1 + "/cases/" + s.id, Token: tm.clerk,
		Body: map[string]any{"version": s.version, "received_at": issued.AddDate(0, 0, -5).Format(time.RFC3339)}})
	if r.Status != http.StatusOK {
		t.Fatalf("move the report back: %d %s", r.Status, r.Body)
	}
	s.version++
	body := s.cqdt("institute_case", "number", "15/QĐ-CSĐT", "issued_on", issued.Format(time.DateOnly), "received_at", received.Format(time.RFC3339))
	o := s.decide(tm.ksv, body)
	if o.Case.Stage != "institution" {
		t.Fatalf("institution: %+v", o.Case)
	}
	var c *storedClockView
	for _, k := range e.storedClocks(tm.chief, allStatuses+"&rule=institution_notice&case_id="+s.id).Items {
		c = &k
	}
	if c == nil || c.Status != "met_late" || c.Subject != "decision" || c.SubjectID != o.Decision.ID {
		t.Fatalf("institution notice clock: %+v", c)
	}
	items, _ := e.violations(tm.chief, "rule=institution_notice&case_id="+s.id)
	if len(items) != 1 || items[0].MetAt == nil || items[0].DetectedBy != "recompute" || items[0].Article != "Điều 154(2) BLTTHS" || items[0].LateSeconds != 9*3600 {
		t.Fatalf("violations: %+v", items)
	}
	// The receipt is in the decision.
	if r := e.get(v1+"/decisions/"+o.Decision.ID, tm.chief); !strings.Contains(string(r.Body), `"received_at":"`+received.Format(time.RFC3339)+`"`) {
		t.Fatalf("decision without its receipt: %s", r.Body)
	}
	// Bad receipts.
	s.refuseStep(tm.chief, s.vks("accept_institution", "received_at", now.Format(time.RFC3339)), "received_at", "own_decision")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "received_at", "hôm qua"), "received_at", "format")
}

// A first-instance court's decision to terminate the case may be protested by the procuracy
// within 7 days (Điều 337(2) BLTTHS): the protest meets the window, the case goes to the
// appellate court, which answers a decision with a decision, not a judgment (Điều 361), and its
// upholding returns the case to termination.
func TestProtestOfATerminationDecision(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	s.addAccused(tm, "Trần Văn Bình", "001095012345")
	s.prosecute(tm)
	s.indict(tm)
	s.wantStage(s.decide(tm.ksv, s.court("terminate_trial", "number", "05/QĐĐC-TA")), "terminated")
	window := s.deadlines(tm.chief).clock(t, "vks_protest_decision_same_level", "")
	if window.Status != "running" && window.Status != "due_soon" {
		t.Fatalf("protest window after the termination: %+v", window)
	}
	s.wantStage(s.decide(tm.chief, s.vks("protest_decision", "number", "10/QĐKNPT-VKS")), "appeal")
	d := s.deadlines(tm.chief)
	if c := d.clock(t, "vks_protest_decision_same_level", ""); c.Status != "met" {
		t.Fatalf("same-level window after the protest: %+v", c)
	}
	if c := d.clock(t, "appeal_period_decision", ""); c.Status != "running" && c.Status != "due_soon" {
		t.Fatalf("the parties' window: %+v", c)
	}
	wantArticle(t, s.refuseStep(tm.ksv, s.court("appellate_judgment", "number", "20/HSPT"), "step", "appeal_of_judgment"), "Điều 355, 358 BLTTHS")
	s.refuseStep(tm.ksv, s.court("appellate_uphold_suspension", "number", "20/QĐPT"), "step", "appeal_of_suspension")
	s.wantStage(s.decide(tm.ksv, s.court("appellate_uphold_termination", "number", "21/QĐPT")), "terminated")
}
