package gen_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/service"
	"kiemsat/workflow"
)

func count(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Generated cases spread over the stages with the decisions, accused, charges, measures and
// clocks that go with them, and the counts the run reports are the rows it wrote.
func TestLifecycleCounts(t *testing.T) {
	pool := generate(t, 1500, 5, nil)
	res := lastResult
	for _, c := range []struct {
		table string
		want  int
	}{{"case_decisions", res.Decisions}, {"accused", res.Accused}, {"charges", res.Charges}, {"measures", res.Measures},
		{"case_clocks", res.Clocks}, {"violations", res.Violations}} {
		if n := count(t, pool, "SELECT count(*) FROM "+c.table); n != c.want || n == 0 {
			t.Errorf("%s: %d rows, the run reported %d", c.table, n, c.want)
		}
	}
	// Every generated case has its search row, equal to the one the triggers would have written
	// (the view the triggers read), tokens included: the generator copies with triggers off.
	if n, cases := count(t, pool, "SELECT count(*) FROM case_search"), count(t, pool, "SELECT count(*) FROM cases"); n != cases {
		t.Errorf("%d search rows for %d cases", n, cases)
	}
	if n := count(t, pool, `SELECT count(*) FROM case_search s JOIN case_search_source v USING (case_id)
		WHERE (s.head, s.rest, s.tokens, s.unit_id, s.secret) IS DISTINCT FROM (v.head, v.rest, v.tokens, v.unit_id, v.secret)`); n != 0 {
		t.Errorf("%d search rows differ from what the triggers compute", n)
	}
	// Several clocks a case, most open cases in an active stage, every stage of the plan present.
	if res.Clocks < 3*res.Cases {
		t.Errorf("%d clocks for %d cases; want several a case", res.Clocks, res.Cases)
	}
	for _, st := range []domain.Stage{domain.StageReportResolution, domain.StageReportSuspended, domain.StageNotInstituted, domain.StageInstitution,
		domain.StageInvestigation, domain.StageInvestigationSusp, domain.StageSupplementary, domain.StageProsecution, domain.StageFirstInstance,
		domain.StageAppeal, domain.StageExecution, domain.StageClosed, domain.StageTerminated} {
		if n := count(t, pool, "SELECT count(*) FROM cases WHERE stage = $1", st); n == 0 || n != res.Stages[st] {
			t.Errorf("%d cases in %s, the run reported %d", n, st, res.Stages[st])
		}
	}
	active := count(t, pool, `SELECT count(*) FROM cases WHERE stage IN ('report_resolution', 'institution', 'investigation',
		'supplementary_investigation', 'prosecution', 'first_instance')`)
	open := count(t, pool, `SELECT count(*) FROM cases WHERE stage NOT IN ('closed', 'terminated', 'not_instituted', 'joined')`)
	if open < res.Cases*3/4 || active < open*3/4 {
		t.Errorf("%d open cases of %d, %d of them in an active stage", open, res.Cases, active)
	}
	// Clocks of every kind of rule: case periods, approvals, custody and detention; most running.
	for _, rule := range []workflow.RuleID{workflow.RuleReportResolution, workflow.RuleInvestigation, workflow.RuleProsecutionDecision,
		workflow.RuleTrialPreparation, workflow.RuleAccusedApproval, workflow.RuleDetentionApproval, workflow.RuleCustodyPeriod, workflow.RuleDetentionPeriod} {
		if n := count(t, pool, "SELECT count(*) FROM case_clocks WHERE rule = $1", rule); n == 0 {
			t.Errorf("no %s clock", rule)
		}
	}
	running := count(t, pool, "SELECT count(*) FROM case_clocks WHERE status IN ('running', 'due_soon')")
	missed := count(t, pool, "SELECT count(*) FROM case_clocks WHERE status = 'missed'")
	if running < res.Cases/2 || missed == 0 || missed > running/3 {
		t.Errorf("%d running or due soon, %d missed clocks for %d cases", running, missed, res.Cases)
	}
	// Violations are the missed and met-late clocks, one each.
	if n := count(t, pool, `SELECT count(*) FROM case_clocks k FULL JOIN violations v USING (case_id, clock_key)
		WHERE (k.status IN ('missed', 'met_late')) IS DISTINCT FROM (v.id IS NOT NULL)`); n != 0 {
		t.Errorf("%d clocks and violations that do not match", n)
	}
	// Accused: 1–3 on every case that reached the prosecution, each with one charge whose class is
	// the catalog's on the offence date; custody lasts at most three days, and detention orders stay
	// within the class's investigation maximum.
	if n := count(t, pool, `SELECT count(*) FROM cases c WHERE c.stage IN ('prosecution', 'first_instance', 'appeal', 'execution', 'closed')
		AND (SELECT count(*) FROM accused a WHERE a.case_id = c.id) NOT BETWEEN 1 AND 3`); n != 0 {
		t.Errorf("%d cases past the investigation without 1–3 accused", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM accused a WHERE (SELECT count(*) FROM charges ch WHERE ch.accused_id = a.id) <> 1
		OR a.status NOT IN ('instituted', 'pending_approval', 'terminated')`); n != 0 {
		t.Errorf("%d accused without exactly one charge or with an unexpected status", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM measures m WHERE m.ordered_end IS NULL
		OR (m.kind = 'custody' AND m.ordered_end > (m.start_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 2)
		OR (m.kind = 'detention' AND m.ordered_end > (m.start_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 119)
		OR (m.status = 'ended') <> (m.ended_at IS NOT NULL AND m.ended_by IS NOT NULL)
		OR m.status NOT IN ('active', 'ended', 'pending_approval')`); n != 0 {
		t.Errorf("%d measures with an unlawful end date or an inconsistent status", n)
	}
	rows, err := pool.Query(context.Background(), `SELECT ch.article, ch.clause, ch.class, ch.offence_date, ch.title FROM charges ch`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cat := workflow.DefaultPenalCatalog()
	for rows.Next() {
		var article, class, title string
		var clause int
		var offence time.Time
		if err := rows.Scan(&article, &clause, &class, &offence, &title); err != nil {
			t.Fatal(err)
		}
		pc, err := cat.Lookup(article, clause, offence)
		if err != nil || string(pc.Class) != class || pc.Title != title {
			t.Fatalf("charge %s(%d) on %s: class %s, catalog %v %v", article, clause, offence.Format(time.DateOnly), class, pc.Class, err)
		}
	}
	// Detention is ordered for some accused, not all.
	detained := count(t, pool, "SELECT count(DISTINCT accused_id) FROM measures WHERE kind = 'detention'")
	if detained == 0 || detained >= res.Accused {
		t.Errorf("%d of %d accused detained", detained, res.Accused)
	}
}

// Every case's decisions follow the transition table: numbered 1..n, each starting from the stage
// the previous one left, the case standing where the last one led, with the table's document,
// issuer and legal basis, recorded for the case's unit by a user, and dated between the receipt
// and the reference time.
func TestLifecycleFollowsTheTable(t *testing.T) {
	ctx := context.Background()
	pool := generate(t, 800, 9, nil)
	if n := count(t, pool, `SELECT count(*) FROM (SELECT case_id, max(seq) AS mx, count(*) AS n FROM case_decisions GROUP BY 1) x WHERE mx <> n`); n != 0 {
		t.Fatalf("%d cases whose decisions are not numbered 1..n", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM cases c LEFT JOIN LATERAL (SELECT d.to_stage FROM case_decisions d WHERE d.case_id = c.id
		ORDER BY d.seq DESC LIMIT 1) last ON true
		WHERE c.stage <> coalesce(last.to_stage, CASE WHEN c.report_number <> '' OR c.kind = 'report' THEN 'report_resolution' ELSE 'institution' END)`); n != 0 {
		t.Fatalf("%d cases whose stage is not where their last decision led", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM case_decisions d JOIN cases c ON c.id = d.case_id
		LEFT JOIN case_decisions p ON p.case_id = d.case_id AND p.seq = d.seq - 1
		WHERE d.from_stage <> coalesce(p.to_stage, CASE WHEN c.report_number <> '' OR c.kind = 'report' THEN 'report_resolution' ELSE 'institution' END)
		   OR d.unit_id <> c.unit_id OR d.issued_on < (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date OR d.recorded_at > $1
		   OR d.issued_on >= ($1 AT TIME ZONE 'Asia/Ho_Chi_Minh')::date OR d.recorded_at < c.created_at
		   OR (p.id IS NOT NULL AND (d.issued_on < p.issued_on OR d.recorded_at < p.recorded_at))`, refNow); n != 0 {
		t.Fatalf("%d decisions out of the stage chain, the unit or date order", n)
	}
	// Reports that were instituted became cases and keep their report number; nothing else did.
	if n := count(t, pool, `SELECT count(*) FROM cases c WHERE (c.report_number <> '') <> EXISTS (SELECT 1 FROM case_decisions d
		WHERE d.case_id = c.id AND d.step = 'institute_case') OR (c.report_number <> '' AND c.kind <> 'case')`); n != 0 {
		t.Fatalf("%d cases whose kind or report number disagrees with their institution", n)
	}
	// Version counts the decisions recorded, as the service's conditional updates do.
	if n := count(t, pool, `SELECT count(*) FROM cases c WHERE c.version <> 1 + (SELECT count(*) FROM case_decisions d WHERE d.case_id = c.id)`); n != 0 {
		t.Fatalf("%d cases whose version is not 1 + their decisions", n)
	}
	// Recorders are users with a grant at the case's unit, where the unit has any.
	if n := count(t, pool, `SELECT count(*) FROM case_decisions d WHERE EXISTS (SELECT 1 FROM grants g WHERE g.unit_id = d.unit_id)
		AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.unit_id = d.unit_id AND g.user_id = d.recorded_by)`); n != 0 {
		t.Fatalf("%d decisions recorded by someone outside the unit", n)
	}
	rows, err := pool.Query(ctx, `SELECT d.step, d.doc_type, d.issuer, d.legal_basis, d.requires_approval, d.decides_id IS NOT NULL,
		coalesce(p.step, ''), coalesce(p.requires_approval, false) FROM case_decisions d LEFT JOIN case_decisions p ON p.id = d.decides_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	steps := map[string]int{}
	for rows.Next() {
		var step, doc, issuer, basis, pendingStep string
		var approval, answers, pendingNeeds bool
		if err := rows.Scan(&step, &doc, &issuer, &basis, &approval, &answers, &pendingStep, &pendingNeeds); err != nil {
			t.Fatal(err)
		}
		steps[step]++
		if domain.Step(step) == service.StepDecideApproval {
			pt, ok := workflow.ByStep(domain.Step(pendingStep))
			if !answers || !pendingNeeds || !ok || pt.Approval == nil || doc != string(workflow.DocApproval) || issuer != string(domain.IssuerProcuracy) ||
				basis != pt.Approval.Article {
				t.Fatalf("approval of %q: doc %s, issuer %s, basis %q", pendingStep, doc, issuer, basis)
			}
			continue
		}
		tr, ok := workflow.ByStep(domain.Step(step))
		if !ok || doc != string(tr.Doc) || !slices.Contains(tr.Issuers, domain.IssuerBody(issuer)) || basis != tr.Article ||
			approval != tr.NeedsApproval(domain.IssuerBody(issuer)) || answers {
			t.Fatalf("decision %s: doc %s, issuer %s, basis %q, approval %v", step, doc, issuer, basis, approval)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []domain.Step{workflow.StepInstituteCase, workflow.StepAcceptInstitution, workflow.StepInstituteAccused, service.StepDecideApproval,
		workflow.StepCustody, workflow.StepDetention, workflow.StepExtendInvestigation, workflow.StepConcludeInvestigation, workflow.StepIndict,
		workflow.StepBringToTrial, workflow.StepPronounce, workflow.StepEndMeasure, workflow.StepExtendReport} {
		if steps[string(s)] == 0 {
			t.Errorf("no %s decision in %d cases", s, 800)
		}
	}
}

// The stored clocks of every generated case are exactly what the deadline engine computes for the
// case read back through the store the service reads, with the shipped calendar at the reference
// time: the same keys, rules, subjects, dates, statuses and explanations.
func TestStoredClocksMatchTheEngine(t *testing.T) {
	ctx := context.Background()
	pool := generate(t, 600, 13, nil)
	store, err := repository.Open(ctx, pool.Config().ConnString(), repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	cal := workflow.NewCalendar(workflow.DefaultCalendarDays(), true)
	cat := workflow.DefaultPenalCatalog()
	ids, err := pool.Query(ctx, `SELECT id::text FROM cases ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var caseIDs []string
	for ids.Next() {
		var id string
		if err := ids.Scan(&id); err != nil {
			t.Fatal(err)
		}
		caseIDs = append(caseIDs, id)
	}
	ids.Close()
	compared := 0
	for _, id := range caseIDs {
		cs, err := store.GetCase(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		accused, err := store.ListAccused(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		decisions, err := store.ListDecisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := service.ClockRecords(cs, workflow.Clocks(service.CaseStateOf(cs, accused, decisions, cat), cal, refNow), refNow)
		got := storedClocks(t, pool, id)
		if len(got) != len(want) {
			t.Fatalf("case %s (%s): %d stored clocks, the engine computes %d", cs.Number, cs.Stage, len(got), len(want))
		}
		for _, w := range want {
			g, ok := got[w.Key]
			if !ok {
				t.Fatalf("case %s (%s): clock %s not stored", cs.Number, cs.Stage, w.Key)
			}
			if d := diffClock(g, w); d != "" {
				t.Fatalf("case %s (%s), clock %s: %s", cs.Number, cs.Stage, w.Key, d)
			}
			compared++
		}
	}
	if compared < 3*len(caseIDs) {
		t.Fatalf("only %d clocks compared for %d cases", compared, len(caseIDs))
	}
}

func storedClocks(t *testing.T, pool *pgxpool.Pool, caseID string) map[string]domain.ClockRecord {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT unit_id, secret, clock_key, rule, subject, subject_id, coalesce(accused_id::text, ''), article, name_vi,
		name_en, start_at, length_unit, length_n, extensions_used, extensions_left, earliest_last_day, latest_last_day, earliest_due, latest_due,
		warn_at, lapses, rolled, uncovered, status, ended_at, explanation_vi, explanation_en, computed_at, status_changed_at
		FROM case_clocks WHERE case_id = $1`, caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]domain.ClockRecord{}
	for rows.Next() {
		r := domain.ClockRecord{CaseID: caseID}
		if err := rows.Scan(&r.UnitID, &r.Secret, &r.Key, &r.Rule, &r.Subject, &r.SubjectID, &r.AccusedID, &r.Article, &r.NameVI, &r.NameEN, &r.StartAt, &r.LengthUnit,
			&r.LengthN, &r.ExtensionsUsed, &r.ExtensionsLeft, &r.EarliestLastDay, &r.LatestLastDay, &r.EarliestDue, &r.LatestDue, &r.WarnAt,
			&r.Lapses, &r.Rolled, &r.Uncovered, &r.Status, &r.EndedAt, &r.ExplanationVI, &r.ExplanationEN, &r.ComputedAt, &r.StatusChangedAt); err != nil {
			t.Fatal(err)
		}
		out[r.Key] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diffClock names the first field in which a stored clock differs from the computed one; dates
// compare as calendar days and instants as instants.
func diffClock(got, want domain.ClockRecord) string {
	day := func(t time.Time) string { return t.In(domain.ICT).Format(time.DateOnly) }
	if got.EarliestLastDay.Format(time.DateOnly) != day(want.EarliestLastDay) || got.LatestLastDay.Format(time.DateOnly) != day(want.LatestLastDay) {
		return fmt.Sprintf("last days %s..%s, want %s..%s", got.EarliestLastDay.Format(time.DateOnly), got.LatestLastDay.Format(time.DateOnly),
			day(want.EarliestLastDay), day(want.LatestLastDay))
	}
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	switch {
	case got.Rule != want.Rule || got.Subject != want.Subject || got.SubjectID != want.SubjectID || got.AccusedID != want.AccusedID:
		return fmt.Sprintf("%s %s %s %s, want %s %s %s %s", got.Rule, got.Subject, got.SubjectID, got.AccusedID, want.Rule, want.Subject, want.SubjectID, want.AccusedID)
	case got.Article != want.Article || got.NameVI != want.NameVI || got.NameEN != want.NameEN:
		return "names or article differ"
	case !got.StartAt.Equal(want.StartAt) || got.LengthUnit != want.LengthUnit || got.LengthN != want.LengthN:
		return fmt.Sprintf("start %s %d %s, want %s %d %s", got.StartAt, got.LengthN, got.LengthUnit, want.StartAt, want.LengthN, want.LengthUnit)
	case got.ExtensionsUsed != want.ExtensionsUsed || got.ExtensionsLeft != want.ExtensionsLeft:
		return fmt.Sprintf("extensions %d/%d, want %d/%d", got.ExtensionsUsed, got.ExtensionsLeft, want.ExtensionsUsed, want.ExtensionsLeft)
	case !got.EarliestDue.Equal(want.EarliestDue) || !got.LatestDue.Equal(want.LatestDue) || !got.WarnAt.Equal(want.WarnAt):
		return fmt.Sprintf("due %s..%s warn %s, want %s..%s warn %s", got.EarliestDue, got.LatestDue, got.WarnAt, want.EarliestDue, want.LatestDue, want.WarnAt)
	case got.UnitID != want.UnitID || got.Secret != want.Secret:
		return fmt.Sprintf("unit %d secret %v, want %d %v", got.UnitID, got.Secret, want.UnitID, want.Secret)
	case got.Lapses != want.Lapses:
		return fmt.Sprintf("lapses %v, want %v", got.Lapses, want.Lapses)
	case got.Rolled != want.Rolled || got.Uncovered != want.Uncovered || got.Status != want.Status || !same(got.EndedAt, want.EndedAt):
		return fmt.Sprintf("status %s ended %v rolled %v, want %s ended %v rolled %v", got.Status, got.EndedAt, got.Rolled, want.Status, want.EndedAt, want.Rolled)
	case got.ExplanationVI != want.ExplanationVI || got.ExplanationEN != want.ExplanationEN:
		return fmt.Sprintf("explanation %q, want %q", got.ExplanationEN, want.ExplanationEN)
	case !got.ComputedAt.Equal(want.ComputedAt) || !got.StatusChangedAt.Equal(want.StatusChangedAt):
		return "computed or status-changed time differs"
	}
	return ""
}
