package e2e_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kiemsat/workflow"
)

type clockView struct {
	Rule      string `json:"rule"`
	Article   string `json:"article"`
	Subject   string `json:"subject"`
	SubjectID string `json:"subject_id"`
	AccusedID string `json:"accused_id"`
	Start     string `json:"start"`
	Length    struct {
		Unit string `json:"unit"`
		N    int    `json:"n"`
	} `json:"length"`
	ExtensionsLeft int `json:"extensions_left"`
	Due            struct {
		EarliestLastDay  string `json:"earliest_last_day"`
		LatestLastDay    string `json:"latest_last_day"`
		EarliestDeadline string `json:"earliest_deadline"`
		LatestDeadline   string `json:"latest_deadline"`
		Rolled           bool   `json:"rolled"`
	} `json:"due"`
	Status      string  `json:"status"`
	EndedOn     *string `json:"ended_on"`
	DaysLeft    int     `json:"days_left"`
	Explanation struct {
		VI string `json:"vi"`
		EN string `json:"en"`
	} `json:"explanation"`
}

type deadlinesView struct {
	CaseID     string      `json:"case_id"`
	Class      *string     `json:"class"`
	ComputedAt string      `json:"computed_at"`
	Items      []clockView `json:"items"`
	Total      int         `json:"total"`
}

func (s *story) deadlines(token string) deadlinesView {
	s.t.Helper()
	r := s.e.get(v1+"/cases/"+s.id+"/deadlines", token)
	if r.Status != http.StatusOK {
		s.t.Fatalf("deadlines: %d %s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
		s.t.Errorf("deadlines Cache-Control %q", cc)
	}
	var d deadlinesView
	r.decode(s.t, &d)
	if d.CaseID != s.id || d.Total != len(d.Items) {
		s.t.Fatalf("deadlines of %s: case %s, total %d for %d items", s.id, d.CaseID, d.Total, len(d.Items))
	}
	return d
}

// clock finds the one clock of a rule (on a subject, when subjectID is given).
func (d deadlinesView) clock(t *testing.T, rule, subjectID string) clockView {
	t.Helper()
	var found []clockView
	for _, c := range d.Items {
		if c.Rule == rule && (subjectID == "" || c.SubjectID == subjectID) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d clocks of %s %s among %+v", len(found), rule, subjectID, d.Items)
	}
	return found[0]
}

func dayAfter(t *testing.T, date string, days int) string {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, date, ict)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, days).Format(time.DateOnly)
}

// A theft case received with its institution decision: the investigation runs from the
// registration and is met by the conclusion, which starts the procuracy's 20 days to decide on
// prosecution (less serious, Điều 240(1)); custody and detention are timed to the end written in
// their orders; a detention order awaiting approval has its 3 days (Điều 119(5)). Each read is
// audited, and an unrelated province does not see the clocks.
func TestCaseDeadlines(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, asInstitutedCase)
	day := today(e)
	s.wantStage(s.decide(tm.chief, s.vks("accept_institution", "number", "20/QĐ-VKS")), "investigation")

	// Under investigation, before anyone is charged: the class comes from the offence registered.
	d := s.deadlines(tm.ksv)
	if d.Class == nil || *d.Class != "less_serious" {
		t.Fatalf("class %v, want less_serious", d.Class)
	}
	inv := d.clock(t, "investigation_initial", s.id)
	if inv.Status != "running" || inv.Subject != "case" || inv.Length.Unit != "months" || inv.Length.N != 2 || inv.ExtensionsLeft != 1 || inv.EndedOn != nil {
		t.Fatalf("investigation before the conclusion: %+v", inv)
	}

	// Two accused prosecuted by the procuracy itself (no approval needed).
	var accused []string
	for i, name := range []string{"Nguyễn Văn Tâm", "Lê Thị Hoa"} {
		o := s.ok(v1+"/cases/"+s.id+"/accused", tm.chief, s.vks("", "number", fmt.Sprintf("%02d/QĐ-VKS-KTBC", i+1),
			"person", person(name, fmt.Sprintf("00109001234%d", i+5), day), "charges", []map[string]any{charge("173", 1)}))
		accused = append(accused, o.Accused[len(o.Accused)-1].ID)
	}

	// Custody, released, then detention ordered by the procuracy until a date 45 days on.
	now := e.clock.Now()
	o := s.ok(v1+"/accused/"+accused[0]+"/measures", tm.ksv, s.cqdt("order_custody", "number", "40/QĐ-CSĐT",
		"measure", map[string]any{"stage": "investigation", "start_at": now.Add(-2 * time.Hour).Format(time.RFC3339),
			"ordered_end": now.AddDate(0, 0, 2).In(ict).Format(time.DateOnly)}))
	custody := findAccused(t, o.Accused, accused[0]).Measures[0].ID
	s.ok(v1+"/accused/"+accused[0]+"/measures", tm.ksv, s.cqdt("end_measure", "measure_id", custody))
	end := now.AddDate(0, 0, 45).In(ict).Format(time.DateOnly)
	o = s.ok(v1+"/accused/"+accused[0]+"/measures", tm.chief, s.vks("order_detention", "number", "41/LTG-VKS",
		"measure", map[string]any{"stage": "investigation", "start_at": now.Add(-time.Hour).Format(time.RFC3339), "ordered_end": end}))
	if o.Decision.Status != "effective" {
		t.Fatalf("the procuracy's detention order: %+v", o.Decision)
	}
	detention := o.Decision.MeasureID

	// The investigating agency orders the second accused detained: pending the procuracy's approval.
	o = s.ok(v1+"/accused/"+accused[1]+"/measures", tm.ksv, s.cqdt("order_detention", "number", "42/LTG-CSĐT",
		"measure", map[string]any{"stage": "investigation", "start_at": now.Add(-time.Hour).Format(time.RFC3339), "ordered_end": end}))
	if o.Decision.Status != "pending_approval" {
		t.Fatalf("the agency's detention order: %+v", o.Decision)
	}
	pending := o.Decision.ID

	s.prosecute(tm)
	d = s.deadlines(tm.ksv)

	// The investigation is met by the conclusion.
	inv = d.clock(t, "investigation_initial", s.id)
	if inv.Status != "met" || inv.EndedOn == nil || !strings.HasPrefix(*inv.EndedOn, day+"T") {
		t.Errorf("investigation after the conclusion: %+v", inv)
	}
	// Less serious: the procuracy decides on prosecution within 20 days of the conclusion (no roll-over).
	p := d.clock(t, "prosecution_decision", s.id)
	if p.Status != "running" || p.Article != "Điều 240(1) BLTTHS" || p.Length.Unit != "days" || p.Length.N != 20 ||
		p.Due.LatestLastDay != dayAfter(t, day, 20) || p.Due.EarliestLastDay != dayAfter(t, day, 19) || p.Due.Rolled ||
		p.Due.LatestDeadline != dayAfter(t, day, 21)+"T00:00:00+07:00" || p.DaysLeft != 20 || p.ExtensionsLeft != 1 || p.EndedOn != nil {
		t.Errorf("prosecution decision: %+v", p)
	}
	if !strings.Contains(p.Explanation.VI, "Điều 240(1)") || !strings.Contains(p.Explanation.VI, "Điều 134") || !strings.Contains(p.Explanation.EN, "Art. 134") {
		t.Errorf("prosecution explanation: %+v", p.Explanation)
	}
	// The detention runs out at 24:00 of the end written in the order, both readings alike.
	dt := d.clock(t, "detention_period", detention)
	if dt.Subject != "measure" || dt.AccusedID != accused[0] || dt.Status != "running" || dt.Due.LatestLastDay != end ||
		dt.Due.EarliestLastDay != end || dt.Due.LatestDeadline != dayAfter(t, end, 1)+"T00:00:00+07:00" || dt.EndedOn != nil {
		t.Errorf("detention: %+v", dt)
	}
	if !strings.Contains(dt.Explanation.VI, "Điều") || !strings.Contains(dt.Explanation.VI, "24 giờ") {
		t.Errorf("detention explanation: %s", dt.Explanation.VI)
	}
	if start, err := time.Parse(time.RFC3339, dt.Start); err != nil || !strings.HasSuffix(dt.Start, "+07:00") || start.Unix() != now.Add(-time.Hour).Unix() {
		t.Errorf("detention start %q (%v)", dt.Start, err)
	}
	// The custody was released on time.
	if c := d.clock(t, "custody_period", custody); c.Status != "met" || c.EndedOn == nil {
		t.Errorf("custody: %+v", c)
	}
	// The pending order has its 3 days from its receipt by the procuracy.
	a := d.clock(t, "detention_order_approval", pending)
	if a.Subject != "decision" || a.AccusedID != accused[1] || a.Status != "running" || a.Due.LatestLastDay != dayAfter(t, day, 3) ||
		!strings.Contains(a.Explanation.VI, "Điều 119(5)") {
		t.Errorf("detention approval: %+v", a)
	}
	// The pending order is not executed, so it has no detention clock.
	for _, c := range d.Items {
		if c.Rule == "detention_period" && c.AccusedID == accused[1] {
			t.Errorf("a detention clock for an order not yet approved: %+v", c)
		}
		if !strings.Contains(c.Explanation.VI, "Điều") {
			t.Errorf("%s: the explanation cites no article: %s", c.Rule, c.Explanation.VI)
		}
	}
	// Most urgent first: open clocks by latest deadline, then ended ones.
	open := func(s string) bool { return s == "missed" || s == "due_soon" || s == "running" }
	for i := 1; i < len(d.Items); i++ {
		prev, cur := d.Items[i-1], d.Items[i]
		if !open(prev.Status) && open(cur.Status) {
			t.Errorf("open clock %s after ended %s", cur.Rule, prev.Rule)
		}
		if open(prev.Status) && open(cur.Status) && prev.Due.LatestDeadline > cur.Due.LatestDeadline {
			t.Errorf("%s (%s) before %s (%s)", prev.Rule, prev.Due.LatestDeadline, cur.Rule, cur.Due.LatestDeadline)
		}
	}
	if _, err := time.Parse(time.RFC3339, d.ComputedAt); err != nil || !strings.HasSuffix(d.ComputedAt, "+07:00") {
		t.Errorf("computed_at %q", d.ComputedAt)
	}

	// Approving the order meets the approval clock and starts the second detention's clock.
	s.approve(tm.chief, pending)
	d = s.deadlines(tm.chief)
	if a := d.clock(t, "detention_order_approval", pending); a.Status != "met" {
		t.Errorf("approval clock after the approval: %+v", a)
	}
	if n := len(slices.DeleteFunc(slices.Clone(d.Items), func(c clockView) bool { return c.Rule != "detention_period" })); n != 2 {
		t.Errorf("%d detention clocks after the approval, want 2", n)
	}

	// An unrelated province's chief gets a 404, as for the case itself; reads and the refusal are audited.
	wantError(t, e.get(v1+"/cases/"+s.id+"/deadlines", e.login("hcm.vientruong").AccessToken), http.StatusNotFound, "not_found")
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.deadlines' AND target_id = $1 AND outcome = 'success'`, s.id); n != 3 {
		t.Errorf("%d audited deadline reads, want 3", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.deadlines' AND target_id = $1 AND outcome = 'denied'`, s.id); n != 1 {
		t.Errorf("%d denied deadline reads on record, want 1", n)
	}
	// A case that does not exist, or a malformed id, is a 404 too.
	wantError(t, e.get(v1+"/cases/0195b3c4-1a2b-7c3d-8e4f-5a6b7c8d9eff/deadlines", tm.chief), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/cases/x/deadlines", tm.chief), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/cases/"+s.id+"/deadlines", ""), http.StatusUnauthorized, "unauthenticated")
}

// The rule table lists every rule the engine computes, with its lengths for the four classes.
func TestDeadlineRuleTable(t *testing.T) {
	e := newEnv(t)
	r := e.get(v1+"/rules", e.login("hnkv1.thuky").AccessToken)
	if r.Status != http.StatusOK {
		t.Fatalf("rules: %d %s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("rules Cache-Control %q", cc)
	}
	var table struct {
		Items []struct {
			ID            string `json:"id"`
			Article       string `json:"article"`
			LengthByClass map[string]struct {
				Unit string `json:"unit"`
				N    int    `json:"n"`
			} `json:"length_by_class"`
			Ladder *struct {
				RungsByClass map[string][]struct {
					N int `json:"n"`
				} `json:"rungs_by_class"`
			} `json:"ladder"`
		} `json:"items"`
		Total int `json:"total"`
	}
	r.decode(t, &table)
	var got, want []string
	for _, it := range table.Items {
		got = append(got, it.ID)
		if len(it.LengthByClass) != 4 || !strings.Contains(it.Article, "Điều") {
			t.Errorf("rule %s: %+v", it.ID, it)
		}
	}
	for _, rule := range workflow.Rules {
		want = append(want, string(rule.ID))
	}
	if !slices.Equal(got, want) || table.Total != len(want) {
		t.Fatalf("rules served %v (total %d), the table has %v", got, table.Total, want)
	}
	for _, it := range table.Items {
		if it.ID == "investigation_initial" && (it.Ladder == nil || len(it.Ladder.RungsByClass["particularly_serious"]) != 3 || it.LengthByClass["serious"].N != 3) {
			t.Errorf("investigation rule: %+v", it)
		}
	}
	wantError(t, e.get(v1+"/rules", ""), http.StatusUnauthorized, "unauthenticated")
}
