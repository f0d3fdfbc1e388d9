package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// caseView is the part of a case the lifecycle tests read.
type caseView struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	Number       string `json:"number"`
	ReportNumber string `json:"report_number"`
	Stage        string `json:"stage"`
	Version      int    `json:"version"`
	Unit         struct {
		ID int64 `json:"id"`
	} `json:"unit"`
}

type decisionView struct {
	ID        string   `json:"id"`
	Seq       int      `json:"seq"`
	Step      string   `json:"step"`
	Status    string   `json:"status"`
	FromStage string   `json:"from_stage"`
	ToStage   string   `json:"to_stage"`
	AccusedID []string `json:"accused_ids"`
	MeasureID string   `json:"measure_id"`
}

type accusedView struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Class   string `json:"class"`
	Minor   bool   `json:"minor"`
	Charges []struct {
		Article string `json:"article"`
		Clause  int    `json:"clause"`
		Class   string `json:"class"`
		Active  bool   `json:"active"`
	} `json:"charges"`
	Measures []struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"measures"`
	CustodyDays int `json:"custody_days_credited"`
}

type outcomeView struct {
	Case     caseView      `json:"case"`
	Decision decisionView  `json:"decision"`
	Accused  []accusedView `json:"accused"`
}

// story drives one case through the API, keeping its version.
type story struct {
	t       *testing.T
	e       *env
	id      string
	version int
}

func (s *story) post(path, token string, body map[string]any) response {
	s.t.Helper()
	if _, ok := body["version"]; !ok {
		body["version"] = s.version
	}
	return s.e.send(req{Method: "POST", Path: path, Token: token, Body: body})
}

// ok records a decision that must succeed and returns its outcome.
func (s *story) ok(path, token string, body map[string]any) outcomeView {
	s.t.Helper()
	r := s.post(path, token, body)
	if r.Status != http.StatusCreated {
		s.t.Fatalf("%s %v: status %d: %s", path, body["step"], r.Status, r.Body)
	}
	var o outcomeView
	r.decode(s.t, &o)
	s.version = o.Case.Version
	return o
}

func (s *story) decide(token string, body map[string]any) outcomeView {
	s.t.Helper()
	return s.ok(v1+"/cases/"+s.id+"/decisions", token, body)
}

func today(e *env) string {
	return e.clock.Now().In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
}

// A theft reported at a regional procuracy goes from the crime report to the appeal: the report
// becomes a case with a case number, the accused's institution waits for the procuracy's
// approval, custody and detention are ordered, the case is indicted, tried and appealed; every
// step is one decision in the timeline.
func TestTheftCaseFromReportToAppeal(t *testing.T) {
	e := newEnv(t)
	clerk, chief, ksv := e.login("hnkv1.thuky").AccessToken, e.login("hnkv1.vientruong").AccessToken, e.login("hnkv1.ksv1").AccessToken
	unit := e.units["VKS-HNI-KV01"].ID
	body := e.validCase(unit)
	body["offence"] = map[string]any{"article": 173, "clause": 1}
	r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: clerk, Body: body})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var cs caseView
	r.decode(t, &cs)
	s := &story{t: t, e: e, id: cs.ID, version: cs.Version}
	day := today(e)
	cqdt := map[string]any{"issuer": "investigating_agency", "issuer_name": "Cơ quan CSĐT Công an TP Hà Nội", "issued_on": day}
	with := func(base map[string]any, kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	// The prosecutor is not on the team yet: recording is forbidden.
	wantError(t, s.post(v1+"/cases/"+s.id+"/decisions", ksv, with(cqdt, "step", "institute_case", "number", "15/QĐ-CSĐT")), http.StatusForbidden, "forbidden")
	r = e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/assignments", Token: chief,
		Body: map[string]any{"version": s.version, "user_id": e.userID("hnkv1.ksv1"), "role": "lead"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	r.decode(t, &cs)
	s.version = cs.Version

	o := s.decide(ksv, with(cqdt, "step", "institute_case", "number", "15/QĐ-CSĐT"))
	if o.Case.Stage != "institution" || o.Case.Kind != "case" || o.Case.ReportNumber == "" || o.Case.Number == o.Case.ReportNumber {
		t.Fatalf("after institution: %+v", o.Case)
	}
	// Taking the case in charge is for the unit's leaders.
	wantError(t, s.post(v1+"/cases/"+s.id+"/decisions", ksv, map[string]any{"step": "accept_institution", "issuer": "procuracy", "issued_on": day}), http.StatusForbidden, "forbidden")
	o = s.decide(chief, map[string]any{"step": "accept_institution", "issuer": "procuracy", "number": "20/QĐ-VKS", "issued_on": day})
	if o.Case.Stage != "investigation" {
		t.Fatalf("stage %s, want investigation", o.Case.Stage)
	}

	// The investigating agency prosecutes an accused: pending the procuracy's approval.
	o = s.ok(v1+"/cases/"+s.id+"/accused", ksv, with(cqdt, "number", "30/QĐ-CSĐT",
		"person", map[string]any{"full_name": "Trần Văn Bình", "national_id": "001095012345", "birth_date": "1995-04-02", "offence_date": day},
		"charges", []map[string]any{{"article": "173", "clause": 1}}))
	if len(o.Accused) != 1 || o.Accused[0].Status != "pending_approval" || o.Decision.Status != "pending_approval" || o.Accused[0].Charges[0].Active {
		t.Fatalf("accused after institution: %+v / %+v", o.Accused, o.Decision)
	}
	accused, pending := o.Accused[0].ID, o.Decision.ID
	r = s.post(v1+"/cases/"+s.id+"/decisions", ksv, with(cqdt, "step", "conclude_investigation"))
	wantDetail(t, r, http.StatusUnprocessableEntity, "invalid", "step", "has_instituted_accused")

	// The chief sees it among the approvals and approves it.
	var approvals struct {
		Items []struct {
			Decision decisionView `json:"decision"`
		} `json:"items"`
		Total int `json:"total"`
	}
	e.get(v1+"/approvals", chief).decode(t, &approvals)
	if approvals.Total != 1 || approvals.Items[0].Decision.ID != pending {
		t.Fatalf("approvals: %+v", approvals)
	}
	wantError(t, s.post(v1+"/decisions/"+pending+"/approval", ksv, map[string]any{"outcome": "approve", "issued_on": day}), http.StatusForbidden, "forbidden")
	o = s.ok(v1+"/decisions/"+pending+"/approval", chief, map[string]any{"outcome": "approve", "number": "31/QĐ-VKS", "issued_on": day})
	if o.Accused[0].Status != "instituted" || !o.Accused[0].Charges[0].Active || o.Accused[0].Class != "less_serious" {
		t.Fatalf("accused after approval: %+v", o.Accused[0])
	}
	// A second answer to the same decision is a conflict.
	wantError(t, s.post(v1+"/decisions/"+pending+"/approval", chief, map[string]any{"outcome": "refuse", "issued_on": day}), http.StatusConflict, "conflict")

	// Custody, then detention ordered by the investigating agency and approved.
	start := e.clock.Now().Add(-2 * time.Hour).Format(time.RFC3339)
	end3 := e.clock.Now().AddDate(0, 0, 3).In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
	o = s.ok(v1+"/accused/"+accused+"/measures", ksv, with(cqdt, "step", "order_custody", "number", "40/QĐ-CSĐT",
		"measure", map[string]any{"stage": "investigation", "start_at": start, "ordered_end": end3}))
	if o.Accused[0].Measures[0].Status != "active" || o.Accused[0].CustodyDays < 3 {
		t.Fatalf("custody: %+v", o.Accused[0])
	}
	custody := o.Accused[0].Measures[0].ID
	// Four days of custody break Điều 118.
	end5 := e.clock.Now().AddDate(0, 0, 5).In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
	r = s.post(v1+"/accused/"+accused+"/measures", ksv, with(cqdt, "step", "order_custody", "measure", map[string]any{"start_at": start, "ordered_end": end5}))
	wantDetail(t, r, http.StatusUnprocessableEntity, "invalid", "measure.ordered_end", "custody_at_most_3_days")
	s.ok(v1+"/accused/"+accused+"/measures", ksv, with(cqdt, "step", "end_measure", "measure_id", custody))
	end2m := e.clock.Now().AddDate(0, 2, 0).In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
	o = s.ok(v1+"/accused/"+accused+"/measures", ksv, with(cqdt, "step", "order_detention", "number", "41/LTG-CSĐT",
		"measure", map[string]any{"stage": "investigation", "start_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "ordered_end": end2m}))
	if o.Decision.Status != "pending_approval" {
		t.Fatalf("detention order: %+v", o.Decision)
	}
	o = s.ok(v1+"/decisions/"+o.Decision.ID+"/approval", chief, map[string]any{"outcome": "approve", "issued_on": day})
	var detentionActive bool
	for _, m := range o.Accused[0].Measures {
		detentionActive = detentionActive || (m.Kind == "detention" && m.Status == "active")
	}
	if !detentionActive {
		t.Fatalf("detention not active after approval: %+v", o.Accused[0].Measures)
	}

	s.decide(ksv, with(cqdt, "step", "conclude_investigation", "number", "50/KLĐT"))
	o = s.decide(chief, map[string]any{"step": "indict", "issuer": "procuracy", "number": "60/CT-VKS", "issued_on": day})
	if o.Case.Stage != "first_instance" {
		t.Fatalf("stage after indictment %s", o.Case.Stage)
	}
	court := map[string]any{"issuer": "court", "issuer_name": "Tòa án nhân dân khu vực 1 - Hà Nội", "issued_on": day}
	// No judgment, no appeal.
	wantDetail(t, s.post(v1+"/cases/"+s.id+"/decisions", ksv, map[string]any{"step": "appeal", "issuer": "party", "issued_on": day}),
		http.StatusUnprocessableEntity, "invalid", "step", "judgment_pronounced")
	s.decide(ksv, with(court, "step", "bring_to_trial", "number", "70/QĐXX"))
	s.decide(ksv, with(court, "step", "pronounce_judgment", "number", "80/HSST"))
	o = s.decide(ksv, map[string]any{"step": "appeal", "issuer": "party", "issuer_name": "Trần Văn Bình", "issued_on": day})
	if o.Case.Stage != "appeal" {
		t.Fatalf("stage after appeal %s", o.Case.Stage)
	}

	// A stale version is refused, never applied.
	r = e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/decisions", Token: ksv,
		Body: with(court, "step", "appellate_judgment", "version", s.version-1)})
	wantDetail(t, r, http.StatusConflict, "conflict", "version", "stale")

	// The timeline holds every decision in order, each with the stage it moved from and to.
	var tl struct {
		Items []decisionView `json:"items"`
		Case  caseView       `json:"case"`
	}
	e.get(v1+"/cases/"+s.id+"/timeline", chief).decode(t, &tl)
	wantSteps := []string{"institute_case", "accept_institution", "institute_accused", "decide_approval", "order_custody", "end_measure",
		"order_detention", "decide_approval", "conclude_investigation", "indict", "bring_to_trial", "pronounce_judgment", "appeal"}
	if len(tl.Items) != len(wantSteps) {
		t.Fatalf("timeline has %d decisions, want %d: %+v", len(tl.Items), len(wantSteps), tl.Items)
	}
	for i, d := range tl.Items {
		if d.Step != wantSteps[i] || d.Seq != i+1 {
			t.Errorf("timeline[%d] = %s seq %d, want %s", i, d.Step, d.Seq, wantSteps[i])
		}
	}
	if tl.Items[0].FromStage != "report_resolution" || tl.Items[0].ToStage != "institution" || tl.Items[12].ToStage != "appeal" {
		t.Errorf("timeline stages: %+v ... %+v", tl.Items[0], tl.Items[12])
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('case.decide', 'case.approve') AND target_id = $1 AND outcome = 'success'`, s.id); n != len(wantSteps) {
		t.Errorf("%d audit rows for decisions, want %d", n, len(wantSteps))
	}
	// The three refused attempts (off the team, not a leader, approving as a prosecutor) are on record too.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('case.decide', 'case.approve') AND target_id = $1 AND outcome = 'denied'`, s.id); n != 3 {
		t.Errorf("%d denied audit rows, want 3", n)
	}
	// Decisions are append-only in the database itself.
	if _, err := e.db.Exec(`UPDATE case_decisions SET number = 'x' WHERE case_id = $1`, s.id); err == nil {
		t.Error("a decision row could be updated")
	}
	// An unrelated province does not see the timeline.
	wantError(t, e.get(v1+"/cases/"+s.id+"/timeline", e.login("hcm.vientruong").AccessToken), http.StatusNotFound, "not_found")
}

// A correction (đính chính) supersedes a decision without taking its step again; a decision
// reads on its own; approvals are listed only to the procuracy that may give them; an approved
// order carries no end.
func TestCorrectionsApprovalsAndDecisionRead(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	chief, ksv := tm.chief, tm.ksv
	s := newStory(t, e, tm, asInstitutedCase)
	day := today(e)
	accept := s.decide(chief, map[string]any{"step": "accept_institution", "issuer": "procuracy", "number": "20/QĐ-VKS", "issued_on": day})

	// The number was mistyped: the correction keeps the stage and supersedes the old record.
	o := s.decide(chief, map[string]any{"step": "accept_institution", "issuer": "procuracy", "number": "21/QĐ-VKS", "issued_on": day,
		"supersedes_id": accept.Decision.ID, "note": "Đính chính số quyết định"})
	if o.Case.Stage != "investigation" || o.Decision.Status != "effective" {
		t.Fatalf("after the correction: stage %s, status %s", o.Case.Stage, o.Decision.Status)
	}
	var old struct {
		Status string `json:"status"`
		Number string `json:"number"`
	}
	if r := e.get(v1+"/decisions/"+accept.Decision.ID, ksv); r.Status != http.StatusOK {
		t.Fatalf("GET decision: %d %s", r.Status, r.Body)
	} else {
		r.decode(t, &old)
	}
	if old.Status != "superseded" || old.Number != "20/QĐ-VKS" {
		t.Errorf("corrected decision reads %+v, want superseded 20/QĐ-VKS", old)
	}
	wantError(t, e.get(v1+"/decisions/"+accept.Decision.ID, e.login("hcm.vientruong").AccessToken), http.StatusNotFound, "not_found")
	// A superseded decision is not corrected again, and a correction must be of the same step.
	wantDetail(t, s.post(v1+"/cases/"+s.id+"/decisions", chief, map[string]any{"step": "accept_institution", "issuer": "procuracy", "issued_on": day,
		"supersedes_id": accept.Decision.ID}), http.StatusConflict, "conflict", "supersedes_id", "superseded")
	wantDetail(t, s.post(v1+"/cases/"+s.id+"/decisions", chief, map[string]any{"step": "extend_investigation", "issuer": "procuracy", "issued_on": day,
		"supersedes_id": o.Decision.ID}), http.StatusUnprocessableEntity, "invalid", "supersedes_id", "same_step")
	// The prosecutor may not correct the leaders' decision.
	wantError(t, s.post(v1+"/cases/"+s.id+"/decisions", ksv, map[string]any{"step": "accept_institution", "issuer": "procuracy", "issued_on": day,
		"supersedes_id": o.Decision.ID}), http.StatusForbidden, "forbidden")

	// A detention order of the investigating agency waits for the regional procuracy; the
	// provincial chief supervises but does not approve, so it is not on his list.
	o = s.ok(v1+"/cases/"+s.id+"/accused", chief, map[string]any{"issuer": "procuracy", "number": "01/QĐ-VKS-KTBC", "issued_on": day,
		"person": map[string]any{"full_name": "Nông Văn Sơn", "offence_date": day}, "charges": []map[string]any{{"article": "173", "clause": 1}}})
	accused := o.Accused[0].ID
	end := e.clock.Now().AddDate(0, 2, 0).In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
	o = s.ok(v1+"/accused/"+accused+"/measures", ksv, map[string]any{"step": "order_detention", "issuer": "investigating_agency", "issued_on": day,
		"measure": map[string]any{"stage": "investigation", "start_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "ordered_end": end}})
	pending := o.Decision.ID
	var list struct {
		Total int `json:"total"`
	}
	e.get(v1+"/approvals", e.login("hn.vientruong").AccessToken).decode(t, &list)
	if list.Total != 0 {
		t.Errorf("the provincial chief is offered %d approvals of a regional unit", list.Total)
	}
	e.get(v1+"/approvals", chief).decode(t, &list)
	if list.Total != 1 {
		t.Errorf("the regional chief has %d approvals, want 1", list.Total)
	}
	s.ok(v1+"/decisions/"+pending+"/approval", chief, map[string]any{"outcome": "approve", "issued_on": day})
	var endedBy, endedAt *string
	if err := e.db.QueryRow(`SELECT ended_by::text, ended_at::text FROM measures WHERE decision_id = $1`, pending).Scan(&endedBy, &endedAt); err != nil {
		t.Fatal(err)
	}
	if endedBy != nil || endedAt != nil {
		t.Errorf("an approved detention carries an end: by %v at %v", endedBy, endedAt)
	}
	// Released the same day: the end is not before the start.
	var measure string
	if err := e.db.QueryRow(`SELECT id::text FROM measures WHERE decision_id = $1`, pending).Scan(&measure); err != nil {
		t.Fatal(err)
	}
	s.ok(v1+"/accused/"+accused+"/measures", ksv, map[string]any{"step": "end_measure", "issuer": "investigating_agency", "issued_on": day, "measure_id": measure})
	if n := e.count(`SELECT count(*) FROM measures WHERE id = $1 AND status = 'ended' AND ended_at >= start_at AND ended_by IS NOT NULL`, measure); n != 1 {
		t.Errorf("the released detention is not ended after its start")
	}
}

// Separating one of two accused (tách vụ án) opens a new case of the same unit with that accused,
// their charges and measures; both records show the decision. A superior procuracy's chief may not
// approve the regional unit's pending decisions (the supervising procuracy approves).
func TestSplitCaseAndApproverLevel(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	chief := tm.chief
	s := newStory(t, e, tm, asInstitutedCase)
	var cs caseView
	e.get(v1+"/cases/"+s.id, chief).decode(t, &cs)
	day := today(e)
	s.decide(chief, map[string]any{"step": "accept_institution", "issuer": "procuracy", "issued_on": day})
	var ids []string
	for _, name := range []string{"Phạm Văn Một", "Phạm Văn Hai"} {
		o := s.ok(v1+"/cases/"+s.id+"/accused", chief, map[string]any{"issuer": "procuracy", "issued_on": day,
			"person": map[string]any{"full_name": name, "offence_date": day}, "charges": []map[string]any{{"article": "173", "clause": 2}}})
		ids = append(ids, o.Accused[len(o.Accused)-1].ID)
	}
	// Pending: an order of the investigating agency. The provincial chief may read it but not approve it.
	end := e.clock.Now().AddDate(0, 1, 0).In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
	o := s.ok(v1+"/accused/"+ids[1]+"/measures", chief, map[string]any{"step": "order_detention", "issuer": "investigating_agency", "issued_on": day,
		"measure": map[string]any{"start_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "ordered_end": end}})
	r := s.post(v1+"/decisions/"+o.Decision.ID+"/approval", e.login("hn.vientruong").AccessToken, map[string]any{"outcome": "approve", "issued_on": day})
	wantDetail(t, r, http.StatusUnprocessableEntity, "invalid", "outcome", "approver_level")
	if ee := r.err(t); ee.Error.Details[0].Message == "" || !strings.Contains(string(r.Body), "Điều 119(5) BLTTHS") {
		t.Errorf("approver_level refusal without the article: %s", r.Body)
	}
	s.ok(v1+"/decisions/"+o.Decision.ID+"/approval", chief, map[string]any{"outcome": "approve", "issued_on": day})

	// Separating every accused, or nobody, is refused.
	wantDetail(t, s.post(v1+"/cases/"+s.id+"/decisions", chief, map[string]any{"step": "split_case", "issuer": "investigating_agency", "issued_on": day,
		"accused_ids": ids}), http.StatusUnprocessableEntity, "invalid", "accused_ids", "split_some_accused")
	o = s.decide(chief, map[string]any{"step": "split_case", "issuer": "investigating_agency", "number": "05/QĐ-TVA", "issued_on": day,
		"accused_ids": []string{ids[1]}})
	if len(o.Accused) != 1 || o.Accused[0].ID != ids[0] || o.Decision.Step != "split_case" {
		t.Fatalf("after the split the case keeps %+v", o.Accused)
	}
	var tl struct {
		Case    caseView       `json:"case"`
		Items   []decisionView `json:"items"`
		Accused []accusedView  `json:"accused"`
	}
	var target struct {
		TargetCaseID string `json:"target_case_id"`
	}
	e.get(v1+"/decisions/"+o.Decision.ID, chief).decode(t, &target)
	e.get(v1+"/cases/"+target.TargetCaseID+"/timeline", chief).decode(t, &tl)
	if tl.Case.Stage != "investigation" || tl.Case.Kind != "case" || tl.Case.Unit.ID != cs.Unit.ID || tl.Case.Number == cs.Number {
		t.Errorf("the separated case: %+v", tl.Case)
	}
	if len(tl.Accused) != 1 || tl.Accused[0].ID != ids[1] || len(tl.Accused[0].Measures) != 1 || len(tl.Accused[0].Charges) != 1 {
		t.Errorf("the separated case's accused: %+v", tl.Accused)
	}
	if len(tl.Items) != 1 || tl.Items[0].Step != "split_case" {
		t.Errorf("the separated case's timeline: %+v", tl.Items)
	}
	if n := e.count(`SELECT count(*) FROM cases WHERE id = $1 AND split_from = $2 AND source_type = 'split'`, target.TargetCaseID, s.id); n != 1 {
		t.Errorf("the separated case does not point back to its origin")
	}
}

// asInstitutedCase turns the story's registration into a case received with the investigating
// agency's decision to institute it.
func asInstitutedCase(body map[string]any) {
	body["kind"], body["source_type"], body["channel"] = "case", "institution_decision", "agency"
	body["reporter_kind"], body["reporter_name"] = "agency", "Cơ quan CSĐT Công an TP Hà Nội"
}
