package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// The stories below each register their own case at VKS-HNI-KV01 through the API, as its clerk
// would, and drive it through the lifecycle: they never read the demo cases' contents.

var ict = time.FixedZone("ICT", 7*3600)

// kv1Team are the tokens of the people of VKS-HNI-KV01 who drive a story.
type kv1Team struct{ clerk, chief, ksv string }

func loginKV1(e *env) kv1Team {
	return kv1Team{clerk: e.login("hnkv1.thuky").AccessToken, chief: e.login("hnkv1.vientruong").AccessToken, ksv: e.login("hnkv1.ksv1").AccessToken}
}

// ruleDetail is one detail of an error envelope, with the article of the law that imposed it.
type ruleDetail struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Article string `json:"article"`
	Message string `json:"message"`
}

// wantRule asserts the status, the code and a detail naming field and rule, and returns that
// detail so that the caller can check the article it cites.
func wantRule(t *testing.T, r response, status int, code, field, rule string) ruleDetail {
	t.Helper()
	wantDetail(t, r, status, code, field, rule)
	var env struct {
		Error struct {
			Details []ruleDetail `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("decode error details: %v: %s", err, r.Body)
	}
	for _, d := range env.Error.Details {
		if d.Field == field && d.Rule == rule {
			return d
		}
	}
	t.Fatalf("no detail field=%q rule=%q in %s", field, rule, r.Body)
	return ruleDetail{}
}

func wantArticle(t *testing.T, d ruleDetail, article string) {
	t.Helper()
	if d.Article != article {
		t.Fatalf("detail %s/%s cites %q, want %q", d.Field, d.Rule, d.Article, article)
	}
}

// newStory registers a crime report of theft (Điều 173 khoản 1) at VKS-HNI-KV01 as its clerk,
// and has the chief assign hnkv1.ksv1 as lead prosecutor. mod may change the registration body.
func newStory(t *testing.T, e *env, tm kv1Team, mod func(map[string]any)) *story {
	t.Helper()
	body := e.validCase(e.units[seed.RegionalCode("HNI", 1)].ID)
	body["offence"] = map[string]any{"article": 173, "clause": 1}
	if mod != nil {
		mod(body)
	}
	r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tm.clerk, Body: body})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var cs caseView
	r.decode(t, &cs)
	s := &story{t: t, e: e, id: cs.ID, version: cs.Version}
	r = e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/assignments", Token: tm.chief,
		Body: map[string]any{"version": s.version, "user_id": e.userID("hnkv1.ksv1"), "role": "lead"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	r.decode(t, &cs)
	s.version = cs.Version
	return s
}

// decisionsPath is where the story's case takes its decisions.
func (s *story) decisionsPath() string { return v1 + "/cases/" + s.id + "/decisions" }

// doc is a decision body of a step issued by issuer today; kv are further fields.
func (s *story) doc(issuer, step string, kv ...any) map[string]any {
	m := map[string]any{"issuer": issuer, "issued_on": today(s.e)}
	if step != "" {
		m["step"] = step
	}
	switch issuer {
	case "investigating_agency":
		m["issuer_name"] = "Cơ quan CSĐT Công an TP Hà Nội"
	case "court":
		m["issuer_name"] = "Tòa án nhân dân khu vực 1 - Hà Nội"
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func (s *story) cqdt(step string, kv ...any) map[string]any {
	return s.doc("investigating_agency", step, kv...)
}
func (s *story) vks(step string, kv ...any) map[string]any   { return s.doc("procuracy", step, kv...) }
func (s *story) court(step string, kv ...any) map[string]any { return s.doc("court", step, kv...) }

// refuse posts a decision that must be refused and returns the detail naming field and rule.
func (s *story) refuse(path, token string, body map[string]any, status int, code, field, rule string) ruleDetail {
	s.t.Helper()
	return wantRule(s.t, s.post(path, token, body), status, code, field, rule)
}

// refuseStep is refuse on the case's decisions with a 422.
func (s *story) refuseStep(token string, body map[string]any, field, rule string) ruleDetail {
	s.t.Helper()
	return s.refuse(s.decisionsPath(), token, body, http.StatusUnprocessableEntity, "invalid", field, rule)
}

func (s *story) wantStage(o outcomeView, stage string) {
	s.t.Helper()
	if o.Case.Stage != stage {
		s.t.Fatalf("stage %s after %s, want %s", o.Case.Stage, o.Decision.Step, stage)
	}
}

// investigate institutes the case (the investigating agency's decision, recorded by the lead
// prosecutor) and has the chief take it in charge: the case is under investigation.
func (s *story) investigate(tm kv1Team) {
	s.t.Helper()
	s.wantStage(s.decide(tm.ksv, s.cqdt("institute_case", "number", "15/QĐ-CSĐT")), "institution")
	s.wantStage(s.decide(tm.chief, s.vks("accept_institution", "number", "20/QĐ-VKS")), "investigation")
}

func person(name, nationalID, offenceDate string) map[string]any {
	return map[string]any{"full_name": name, "national_id": nationalID, "birth_date": "1990-03-15", "gender": "male", "offence_date": offenceDate}
}

func charge(article string, clause int) map[string]any {
	return map[string]any{"article": article, "clause": clause}
}

// addAccused has the investigating agency prosecute a person for theft and the chief approve
// it; it returns the accused's id.
func (s *story) addAccused(tm kv1Team, name, nationalID string) string {
	s.t.Helper()
	o := s.ok(v1+"/cases/"+s.id+"/accused", tm.ksv, s.cqdt("", "person", person(name, nationalID, today(s.e)),
		"charges", []map[string]any{charge("173", 1)}))
	if o.Decision.Status != "pending_approval" || len(o.Decision.AccusedID) != 1 {
		s.t.Fatalf("institution of %s: %+v", name, o.Decision)
	}
	id := o.Decision.AccusedID[0]
	o = s.approve(tm.chief, o.Decision.ID)
	if a := findAccused(s.t, o.Accused, id); a.Status != "instituted" {
		s.t.Fatalf("%s after approval: %+v", name, a)
	}
	return id
}

func (s *story) approve(token, decisionID string) outcomeView {
	s.t.Helper()
	return s.ok(v1+"/decisions/"+decisionID+"/approval", token, map[string]any{"outcome": "approve", "number": "31/QĐ-VKS", "issued_on": today(s.e)})
}

// prosecute concludes the investigation: the file goes to the procuracy.
func (s *story) prosecute(tm kv1Team) {
	s.t.Helper()
	s.wantStage(s.decide(tm.ksv, s.cqdt("conclude_investigation", "number", "50/KLĐT")), "prosecution")
}

// indict issues the indictment: the case goes to the first-instance court.
func (s *story) indict(tm kv1Team) {
	s.t.Helper()
	s.wantStage(s.decide(tm.chief, s.vks("indict", "number", "60/CT-VKS")), "first_instance")
}

func findAccused(t *testing.T, as []accusedView, id string) accusedView {
	t.Helper()
	for _, a := range as {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("accused %s not in %+v", id, as)
	return accusedView{}
}

type timelineView struct {
	Case  caseView       `json:"case"`
	Class string         `json:"class"`
	Items []decisionView `json:"items"`
	Total int            `json:"total"`
	// Accused with their charges and measures.
	Accused []accusedView `json:"accused"`
}

func (s *story) timeline(token string) timelineView {
	s.t.Helper()
	r := s.e.get(v1+"/cases/"+s.id+"/timeline", token)
	if r.Status != http.StatusOK {
		s.t.Fatalf("timeline: %d %s", r.Status, r.Body)
	}
	var tl timelineView
	r.decode(s.t, &tl)
	return tl
}

func steps(ds []decisionView) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Step
	}
	return out
}

func (s *story) decisionCount() int {
	s.t.Helper()
	return s.e.count(`SELECT count(*) FROM case_decisions WHERE case_id = $1`, s.id)
}

// TestSupplementaryInvestigationReturns: the procuracy may return a file for supplementary
// investigation at most twice, the presiding judge once and the trial panel once (Điều 174(2)
// BLTTHS); what the investigating agency finds goes back to whoever returned the file.
func TestSupplementaryInvestigationReturns(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	s.addAccused(tm, "Trần Văn Bình", "001095012345")
	s.prosecute(tm)

	for i := 1; i <= 2; i++ {
		o := s.decide(tm.chief, s.vks("return_for_supplementary", "number", fmt.Sprintf("%d/QĐ-VKS-TBS", i)))
		s.wantStage(o, "supplementary_investigation")
		if o.Decision.FromStage != "prosecution" || o.Decision.ToStage != "supplementary_investigation" || o.Decision.Status != "effective" {
			t.Fatalf("return %d: %+v", i, o.Decision)
		}
		// The procuracy returned it: the results go to the procuracy, not to a court.
		d := s.refuseStep(tm.chief, s.vks("resubmit_to_court"), "step", "returned_by_court")
		wantArticle(t, d, "Điều 174(2) BLTTHS")
		s.wantStage(s.decide(tm.ksv, s.cqdt("conclude_supplementary", "number", fmt.Sprintf("%d/KLĐTBS", i))), "prosecution")
	}
	d := s.refuseStep(tm.chief, s.vks("return_for_supplementary", "number", "3/QĐ-VKS-TBS"), "step", "procuracy_returns_at_most_twice")
	wantArticle(t, d, "Điều 174(2) BLTTHS")
	if tl := s.timeline(tm.chief); tl.Case.Stage != "prosecution" || tl.Case.Version != s.version {
		t.Fatalf("the refused third return moved the case: %+v", tl.Case)
	}

	// At trial: the presiding judge returns the file once; the results go back to the court.
	s.indict(tm)
	s.wantStage(s.decide(tm.ksv, s.court("court_return_for_supplementary", "returned_by", "presiding_judge", "number", "01/QĐ-TA-TBS")), "supplementary_investigation")
	d = s.refuseStep(tm.ksv, s.cqdt("conclude_supplementary"), "step", "returned_by_procuracy")
	wantArticle(t, d, "Điều 174(2) BLTTHS")
	s.wantStage(s.decide(tm.chief, s.vks("resubmit_to_court", "number", "61/VKS-CHS")), "first_instance")
	d = s.refuseStep(tm.ksv, s.court("court_return_for_supplementary", "returned_by", "presiding_judge"), "returned_by", "court_returns_once_each")
	wantArticle(t, d, "Điều 174(2) BLTTHS")
	// A court return must say which formation returned the file.
	s.refuseStep(tm.ksv, s.court("court_return_for_supplementary"), "returned_by", "court_returns_once_each")
	s.refuseStep(tm.ksv, s.court("court_return_for_supplementary", "returned_by", "chief_judge"), "returned_by", "enum")

	// The trial panel has a return of its own, once.
	s.wantStage(s.decide(tm.ksv, s.court("court_return_for_supplementary", "returned_by", "trial_panel", "number", "02/QĐ-TA-TBS")), "supplementary_investigation")
	s.wantStage(s.decide(tm.chief, s.vks("resubmit_to_court", "number", "62/VKS-CHS")), "first_instance")
	s.refuseStep(tm.ksv, s.court("court_return_for_supplementary", "returned_by", "trial_panel"), "returned_by", "court_returns_once_each")
	// Not in supplementary investigation: nothing to send back.
	s.refuseStep(tm.chief, s.vks("resubmit_to_court"), "step", "from_stage")

	tl := s.timeline(tm.chief)
	want := []string{"institute_case", "accept_institution", "institute_accused", "decide_approval", "conclude_investigation",
		"return_for_supplementary", "conclude_supplementary", "return_for_supplementary", "conclude_supplementary", "indict",
		"court_return_for_supplementary", "resubmit_to_court", "court_return_for_supplementary", "resubmit_to_court"}
	if got := steps(tl.Items); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	if tl.Case.Stage != "first_instance" {
		t.Fatalf("stage %s, want first_instance", tl.Case.Stage)
	}
}

// TestSuspendAndResumeInvestigation: a suspended investigation (Điều 229 BLTTHS) moves only by
// its resumption (Điều 235), its termination (Điều 230) or a transfer; a resumed investigation
// has one extension (Điều 174(1)).
func TestSuspendAndResumeInvestigation(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)

	d := s.refuseStep(tm.ksv, s.cqdt("resume_investigation"), "step", "from_stage")
	wantArticle(t, d, "Điều 235 BLTTHS")
	o := s.decide(tm.ksv, s.cqdt("suspend_investigation", "number", "25/QĐ-TĐCĐT"))
	s.wantStage(o, "investigation_suspended")
	if o.Decision.FromStage != "investigation" || o.Decision.ToStage != "investigation_suspended" {
		t.Fatalf("suspension decision: %+v", o.Decision)
	}

	// Every other step on the case is refused while it is suspended, whoever records it.
	var table struct {
		Items []struct {
			Step    string   `json:"step"`
			Subject string   `json:"subject"`
			From    []string `json:"from"`
			Issuers []string `json:"issuers"`
			Levels  []string `json:"levels"`
			Article string   `json:"article"`
		} `json:"items"`
	}
	e.get(v1+"/workflow/transitions", tm.chief).decode(t, &table)
	// Authority is judged first: a step reserved to higher procuracies is tried by the Supreme
	// Procuracy's chief, so that what refuses it is the stage.
	supreme := e.login("tc.vientruong").AccessToken
	before := s.decisionCount()
	var allowed []string
	for _, tr := range table.Items {
		if tr.Subject != "case" {
			continue
		}
		if slices.Contains(tr.From, "investigation_suspended") {
			allowed = append(allowed, tr.Step)
			continue
		}
		tok := tm.chief
		if len(tr.Levels) > 0 && !slices.Contains(tr.Levels, "regional") {
			tok = supreme
		}
		d := wantRule(t, s.post(s.decisionsPath(), tok, s.doc(tr.Issuers[0], tr.Step)), http.StatusUnprocessableEntity, "invalid", "step", "from_stage")
		if d.Article != tr.Article {
			t.Errorf("%s refused citing %q, want %q", tr.Step, d.Article, tr.Article)
		}
	}
	slices.Sort(allowed)
	if want := []string{"resume_investigation", "terminate_investigation", "transfer"}; !slices.Equal(allowed, want) {
		t.Fatalf("steps allowed from a suspended investigation %v, want %v", allowed, want)
	}
	if n := s.decisionCount(); n != before {
		t.Fatalf("%d decisions after refused steps, want %d", n, before)
	}

	o = s.decide(tm.ksv, s.cqdt("resume_investigation", "number", "26/QĐ-PHĐT"))
	s.wantStage(o, "investigation")
	if o.Decision.FromStage != "investigation_suspended" || o.Decision.ToStage != "investigation" {
		t.Fatalf("resumption decision: %+v", o.Decision)
	}
	s.refuseStep(tm.ksv, s.cqdt("resume_investigation"), "step", "from_stage")
	// The resumed investigation may be extended once.
	s.decide(tm.chief, s.vks("extend_investigation", "number", "27/QĐ-VKS-GH"))
	s.refuseStep(tm.chief, s.vks("extend_investigation"), "step", "investigation_extensions")

	// Suspended again, then terminated: the case is over.
	s.wantStage(s.decide(tm.ksv, s.cqdt("suspend_investigation", "number", "28/QĐ-TĐCĐT")), "investigation_suspended")
	s.wantStage(s.decide(tm.ksv, s.cqdt("terminate_investigation", "number", "29/QĐ-ĐCĐT")), "terminated")
	s.refuseStep(tm.ksv, s.cqdt("resume_investigation"), "step", "from_stage")

	want := []string{"institute_case", "accept_institution", "suspend_investigation", "resume_investigation", "extend_investigation",
		"suspend_investigation", "terminate_investigation"}
	if got := steps(s.timeline(tm.chief).Items); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
}

// TestOneAccusedSuspended: an investigation, prosecution or trial may be suspended as to one
// accused while it goes on for the others; the body in charge of the stage decides (Điều 229,
// 247, 281 BLTTHS).
func TestOneAccusedSuspended(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	a := s.addAccused(tm, "Nguyễn Văn Một", "001090000001")
	b := s.addAccused(tm, "Nguyễn Văn Hai", "001090000002")
	c := s.addAccused(tm, "Nguyễn Văn Ba", "001090000003")

	// During the investigation the investigating agency decides, not the court.
	d := s.refuseStep(tm.ksv, s.court("suspend_accused", "accused_ids", []string{a}), "issuer", "issuer_of_stage")
	wantArticle(t, d, "Điều 229, 247, 281 BLTTHS")
	o := s.decide(tm.ksv, s.cqdt("suspend_accused", "number", "35/QĐ-TĐCBC", "accused_ids", []string{a}))
	s.wantStage(o, "investigation")
	wantStatuses := func(as []accusedView, want map[string]string) {
		t.Helper()
		for id, st := range want {
			if got := findAccused(t, as, id).Status; got != st {
				t.Fatalf("accused %s is %s, want %s", id, got, st)
			}
		}
	}
	wantStatuses(o.Accused, map[string]string{a: "suspended", b: "instituted", c: "instituted"})
	s.refuseStep(tm.ksv, s.cqdt("suspend_accused", "accused_ids", []string{a}), "accused_ids[0]", "from_status")

	// The case goes on for the other two.
	s.prosecute(tm)
	s.indict(tm)
	tl := s.timeline(tm.chief)
	wantStatuses(tl.Accused, map[string]string{a: "suspended", b: "instituted", c: "instituted"})

	// At trial the court resumes; the procuracy may not.
	d = s.refuseStep(tm.ksv, s.vks("resume_accused", "accused_ids", []string{a}), "issuer", "issuer_of_stage")
	wantArticle(t, d, "Điều 229, 247, 281 BLTTHS")
	o = s.decide(tm.ksv, s.court("resume_accused", "number", "10/QĐ-TA-PH", "accused_ids", []string{a}))
	s.wantStage(o, "first_instance")
	wantStatuses(o.Accused, map[string]string{a: "instituted", b: "instituted", c: "instituted"})
	s.refuseStep(tm.ksv, s.court("resume_accused", "accused_ids", []string{a}), "accused_ids[0]", "from_status")
}

// TestTransferToProvince: a regional procuracy transfers a case to its provincial procuracy
// (Điều 169, 239 BLTTHS). The receiving unit takes it over; the former unit keeps reading its
// history but records nothing more; a sibling unit sees nothing.
func TestTransferToProvince(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	hn, kv2 := e.login("hn.vientruong").AccessToken, e.login("hnkv2.vientruong").AccessToken
	kv1ID, hniID := e.units[seed.RegionalCode("HNI", 1)].ID, e.units[seed.ProvinceCode("HNI")].ID
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	path := s.decisionsPath()

	// Before the transfer the province's chief supervises but does not record the unit's steps.
	wantDetail(t, s.post(path, hn, s.vks("change_institution")), http.StatusForbidden, "forbidden", "step", "own_unit")
	d := s.refuseStep(tm.chief, s.vks("transfer", "target_unit_id", kv1ID), "target_unit_id", "transfer_target")
	wantArticle(t, d, "Điều 169, 239 BLTTHS")
	s.refuseStep(tm.chief, s.vks("transfer"), "target_unit_id", "transfer_target")
	s.refuseStep(tm.chief, s.vks("transfer", "target_unit_id", 987654321), "target_unit_id", "exists")
	wantError(t, s.post(path, tm.ksv, s.vks("transfer", "target_unit_id", hniID)), http.StatusForbidden, "forbidden")

	o := s.decide(tm.chief, s.vks("transfer", "number", "05/QĐ-VKS-CVA", "target_unit_id", hniID))
	if o.Case.Unit.ID != hniID || o.Case.Stage != "investigation" || o.Decision.Step != "transfer" {
		t.Fatalf("after transfer: %+v / %+v", o.Case, o.Decision)
	}
	transferID := o.Decision.ID

	var full struct {
		Unit struct {
			ID int64 `json:"id"`
		} `json:"unit"`
		Team []struct {
			UserID  string     `json:"user_id"`
			EndedAt *time.Time `json:"ended_at"`
		} `json:"team"`
	}
	r := e.get(v1+"/cases/"+s.id, hn)
	if r.Status != http.StatusOK {
		t.Fatalf("receiving chief reads the case: %d %s", r.Status, r.Body)
	}
	r.decode(t, &full)
	if full.Unit.ID != hniID || len(full.Team) == 0 {
		t.Fatalf("case after transfer: %s", r.Body)
	}
	for _, a := range full.Team {
		if a.EndedAt == nil {
			t.Fatalf("assignment of %s still current after the transfer", a.UserID)
		}
	}

	// The receiving unit records decisions now.
	s.decide(hn, s.vks("extend_investigation", "number", "12/QĐ-VKSHN-GH"))

	// The former unit reads the case and its whole history, and records nothing.
	r = e.get(v1+"/cases/"+s.id, tm.chief)
	if r.Status != http.StatusOK {
		t.Fatalf("former unit reads the case: %d %s", r.Status, r.Body)
	}
	tl := s.timeline(tm.chief)
	want := []string{"institute_case", "accept_institution", "transfer", "extend_investigation"}
	if got := steps(tl.Items); !slices.Equal(got, want) {
		t.Fatalf("former unit's timeline %v, want %v", got, want)
	}
	if tl.Items[2].ID != transferID {
		t.Fatalf("transfer decision %s, want %s", tl.Items[2].ID, transferID)
	}
	before := s.decisionCount()
	wantError(t, s.post(path, tm.chief, s.vks("change_institution")), http.StatusForbidden, "forbidden")
	wantError(t, s.post(path, tm.chief, s.vks("transfer", "target_unit_id", kv1ID)), http.StatusForbidden, "forbidden")
	if n := s.decisionCount(); n != before {
		t.Fatalf("the former unit wrote %d decisions", n-before)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	for who, tok := range map[string]string{"hnkv1.vientruong": tm.chief, "hn.vientruong": hn} {
		r = e.get(v1+"/cases?limit=200", tok)
		if r.Status != http.StatusOK {
			t.Fatalf("%s lists cases: %d %s", who, r.Status, r.Body)
		}
		r.decode(t, &list)
		if !slices.ContainsFunc(list.Items, func(c struct {
			ID string `json:"id"`
		}) bool {
			return c.ID == s.id
		}) {
			t.Errorf("the transferred case is not in %s's case list", who)
		}
	}

	// A sibling regional unit never handled it: not found, whatever it asks.
	wantError(t, e.get(v1+"/cases/"+s.id, kv2), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/cases/"+s.id+"/timeline", kv2), http.StatusNotFound, "not_found")
	wantError(t, s.post(path, kv2, s.vks("change_institution")), http.StatusNotFound, "not_found")

	// The receiving unit's audit trail shows the arrival.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.transfer_in' AND target_id = $1 AND target_unit = $2`, s.id, hniID); n != 1 {
		t.Errorf("%d transfer_in audit rows at the receiving unit, want 1", n)
	}
}

// TestChargesAndClass: charges are read from the Penal Code catalog in force on the offence date;
// a change of charges by the investigating agency waits for the procuracy's approval (Điều 180(3)
// BLTTHS), and the case's severity class follows the standing charges.
func TestChargesAndClass(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	day := today(e)
	accusedPath := v1 + "/cases/" + s.id + "/accused"

	// The procuracy's own decision to prosecute needs nobody's approval.
	o := s.ok(accusedPath, tm.chief, s.vks("", "number", "40/QĐ-VKS-KTBC", "person", person("Lê Văn Cường", "001094000333", day),
		"charges", []map[string]any{charge("173", 1)}))
	if o.Decision.Status != "effective" || o.Decision.Step != "institute_accused" || len(o.Decision.AccusedID) != 1 {
		t.Fatalf("institution by the procuracy: %+v", o.Decision)
	}
	id := o.Decision.AccusedID[0]
	a := findAccused(t, o.Accused, id)
	if a.Status != "instituted" || len(a.Charges) != 1 || !a.Charges[0].Active || a.Class != "less_serious" {
		t.Fatalf("accused instituted by the procuracy: %+v", a)
	}
	if n := e.count(`SELECT count(*) FROM case_decisions WHERE case_id = $1 AND requires_approval`, s.id); n != 0 {
		t.Fatalf("%d decisions await approval, want none", n)
	}

	// The investigating agency changes the charge to clause 3: pending; the old charge stands.
	o = s.ok(v1+"/accused/"+id+"/charges", tm.ksv, s.cqdt("change_charges", "number", "41/QĐ-CSĐT-TĐ", "replace_charges", true,
		"charges", []map[string]any{charge("173", 3)}))
	if o.Decision.Status != "pending_approval" || o.Decision.Step != "change_charges" {
		t.Fatalf("change of charges: %+v", o.Decision)
	}
	pending := o.Decision.ID
	active := func(a accusedView) []string {
		var out []string
		for _, c := range a.Charges {
			if c.Active {
				out = append(out, fmt.Sprintf("%s/%d", c.Article, c.Clause))
			}
		}
		return out
	}
	a = findAccused(t, o.Accused, id)
	if got := active(a); !slices.Equal(got, []string{"173/1"}) || len(a.Charges) != 2 || a.Class != "less_serious" {
		t.Fatalf("charges while the change is pending: active %v, %+v", got, a)
	}
	if tl := s.timeline(tm.chief); tl.Class != "less_serious" {
		t.Fatalf("case class %q while the change is pending, want less_serious", tl.Class)
	}

	o = s.approve(tm.chief, pending)
	a = findAccused(t, o.Accused, id)
	if got := active(a); !slices.Equal(got, []string{"173/3"}) || a.Class != "very_serious" {
		t.Fatalf("charges after approval: active %v, %+v", got, a)
	}
	if tl := s.timeline(tm.chief); tl.Class != "very_serious" {
		t.Fatalf("case class %q after approval, want very_serious", tl.Class)
	}

	// Charges that the catalog does not know, or that were not law on the offence date.
	before := e.count(`SELECT count(*) FROM charges`)
	institute := func(p map[string]any, ch ...map[string]any) response {
		return s.post(accusedPath, tm.ksv, s.cqdt("", "person", p, "charges", ch))
	}
	wantRule(t, institute(person("Phạm Văn Dũng", "001094000444", day), charge("999", 1)), http.StatusUnprocessableEntity, "invalid", "charges[0].article", "format")
	wantRule(t, institute(person("Phạm Văn Dũng", "001094000444", day), charge("173", 1), charge("2", 1)), http.StatusUnprocessableEntity, "invalid", "charges[1].article", "unknown_article")
	wantRule(t, institute(person("Phạm Văn Dũng", "001094000444", day), charge("173", 9)), http.StatusUnprocessableEntity, "invalid", "charges[0].clause", "unknown_clause")
	d := wantRule(t, institute(person("Phạm Văn Dũng", "001094000444", "2025-06-30"), charge("256a", 1)), http.StatusUnprocessableEntity, "invalid", "charges[0].article", "not_in_force")
	if !strings.Contains(d.Article, "256a") {
		t.Fatalf("not_in_force cites %q", d.Article)
	}
	// The same act a day later is an offence under Điều 256a.
	o = s.ok(accusedPath, tm.chief, s.vks("", "person", person("Phạm Văn Dũng", "001094000444", "2025-07-01"), "charges", []map[string]any{charge("256a", 1)}))
	if a := findAccused(t, o.Accused, o.Decision.AccusedID[0]); a.Class != "less_serious" || len(a.Charges) != 1 || !a.Charges[0].Active {
		t.Fatalf("256a accused: %+v", a)
	}
	if n := e.count(`SELECT count(*) FROM charges`); n != before+1 {
		t.Fatalf("%d charges written, want 1", n-before)
	}

	// A person under 18 on the offence date is a minor (người dưới 18 tuổi), at 18 not any more.
	offence := e.clock.Now().In(ict).AddDate(0, 0, -1)
	for _, tc := range []struct {
		years int
		minor bool
	}{{17, true}, {18, false}} {
		p := person(fmt.Sprintf("Người %d tuổi", tc.years), "", offence.Format(time.DateOnly))
		delete(p, "national_id")
		p["birth_date"] = offence.AddDate(-tc.years, 0, 0).Format(time.DateOnly)
		o = s.ok(accusedPath, tm.chief, s.vks("", "person", p, "charges", []map[string]any{charge("173", 1)}))
		if a := findAccused(t, o.Accused, o.Decision.AccusedID[0]); a.Minor != tc.minor {
			t.Errorf("born %s, offence %s: minor %v, want %v", p["birth_date"], p["offence_date"], a.Minor, tc.minor)
		}
	}
}

// TestApprovalLevelsAndRefusal: a refused urgent hold ends the measure (Điều 110(6) BLTTHS); a
// cassation protest belongs to the Supreme Procuracy, not to the regional one (Điều 373).
func TestApprovalLevelsAndRefusal(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	day := today(e)

	// A person held in an urgent case while the report is being resolved.
	o := s.ok(v1+"/cases/"+s.id+"/accused", tm.ksv, map[string]any{"person": person("Đỗ Văn Hải", "001093000555", day)})
	if len(o.Accused) != 1 || o.Accused[0].Status != "suspect" {
		t.Fatalf("suspect: %+v", o.Accused)
	}
	suspect := o.Accused[0].ID
	o = s.ok(v1+"/accused/"+suspect+"/measures", tm.ksv, s.cqdt("order_urgent_hold", "number", "01/LGKC-CSĐT",
		"measure", map[string]any{"start_at": e.clock.Now().Add(-3 * time.Hour).Format(time.RFC3339)}))
	if o.Decision.Status != "pending_approval" {
		t.Fatalf("urgent hold: %+v", o.Decision)
	}
	hold := o.Decision.ID
	holdMeasure := o.Decision.MeasureID
	if m := findAccused(t, o.Accused, suspect).Measures; len(m) != 1 || m[0].ID != holdMeasure || m[0].Status != "pending_approval" || m[0].Kind != "urgent_hold" {
		t.Fatalf("urgent hold measure: %+v", m)
	}
	o = s.ok(v1+"/decisions/"+hold+"/approval", tm.chief, map[string]any{"outcome": "refuse", "number": "02/QĐ-VKS-KPC", "issued_on": day})
	if m := findAccused(t, o.Accused, suspect).Measures; len(m) != 1 || m[0].Status != "refused" {
		t.Fatalf("urgent hold after refusal: %+v", m)
	}
	tl := s.timeline(tm.chief)
	if d := tl.Items[len(tl.Items)-2]; d.ID != hold || d.Status != "refused" {
		t.Fatalf("the refused hold reads %+v", d)
	}
	// A refused measure is not in force: nothing to end.
	s.refuse(v1+"/accused/"+suspect+"/measures", tm.ksv, s.cqdt("end_measure", "measure_id", holdMeasure), http.StatusUnprocessableEntity, "invalid", "measure_id", "from_status")

	// The case is instituted and the person prosecuted, tried and sentenced.
	s.investigate(tm)
	o = s.ok(v1+"/cases/"+s.id+"/accused", tm.ksv, s.cqdt("", "number", "30/QĐ-CSĐT", "accused_ids", []string{suspect},
		"charges", []map[string]any{charge("173", 1)}))
	if o.Decision.Status != "pending_approval" || findAccused(t, o.Accused, suspect).Status != "pending_approval" {
		t.Fatalf("institution of the suspect: %+v", o.Decision)
	}
	s.approve(tm.chief, o.Decision.ID)
	s.prosecute(tm)
	s.indict(tm)
	s.decide(tm.ksv, s.court("bring_to_trial", "number", "70/QĐXX"))
	s.decide(tm.ksv, s.court("pronounce_judgment", "number", "80/HSST"))
	s.wantStage(s.decide(tm.ksv, s.court("judgment_effective", "number", "90/QĐTHA")), "execution")

	// Cassation: neither the regional nor the provincial procuracy, the Supreme Procuracy.
	d := s.refuseStep(tm.chief, s.vks("protest_cassation"), "step", "unit_level")
	wantArticle(t, d, "Điều 373, 400 BLTTHS")
	s.refuseStep(e.login("hn.vientruong").AccessToken, s.vks("protest_cassation"), "step", "unit_level")
	wantError(t, s.post(s.decisionsPath(), e.login("hcm.vientruong").AccessToken, s.vks("protest_cassation")), http.StatusNotFound, "not_found")
	o = s.decide(e.login("tc.vientruong").AccessToken, s.vks("protest_cassation", "number", "01/QĐ-VKSTC-V7"))
	s.wantStage(o, "cassation")
	if o.Decision.FromStage != "execution" || o.Case.Unit.ID != e.units[seed.RegionalCode("HNI", 1)].ID {
		t.Fatalf("cassation protest: %+v / %+v", o.Decision, o.Case)
	}
}

// TestDecisionBadInput: malformed and rule-breaking decisions are refused with the field and
// rule, and a refused decision writes nothing.
func TestDecisionBadInput(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	now := e.clock.Now().In(ict)
	daysAgo := func(n int) string { return now.AddDate(0, 0, -n).Format(time.DateOnly) }
	s := newStory(t, e, tm, func(b map[string]any) { b["received_at"] = now.AddDate(0, 0, -10).Format(time.RFC3339) })
	s.decide(tm.ksv, s.cqdt("institute_case", "number", "15/QĐ-CSĐT", "issued_on", daysAgo(5)))
	s.decide(tm.chief, s.vks("accept_institution", "number", "20/QĐ-VKS", "issued_on", daysAgo(5)))
	accused := s.addAccused(tm, "Trần Văn Bình", "001095012345")

	type counts struct{ decisions, accused, charges, measures, version, audits int }
	snapshot := func() counts {
		return counts{
			decisions: e.count(`SELECT count(*) FROM case_decisions`),
			accused:   e.count(`SELECT count(*) FROM accused`),
			charges:   e.count(`SELECT count(*) FROM charges`),
			measures:  e.count(`SELECT count(*) FROM measures`),
			version:   e.count(`SELECT version FROM cases WHERE id = $1`, s.id),
			audits:    e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.decide' AND outcome = 'success'`),
		}
	}
	before := snapshot()

	s.refuseStep(tm.ksv, s.cqdt("arrest_everyone"), "step", "unknown_step")
	s.refuseStep(tm.ksv, s.cqdt(""), "step", "required")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "issued_on", now.AddDate(0, 0, 1).Format(time.DateOnly)), "issued_on", "not_future")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "issued_on", "", "effective_on", daysAgo(1)), "issued_on", "required")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "effective_on", daysAgo(1)), "effective_on", "date_order")
	d := s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "issued_on", daysAgo(7)), "issued_on", "date_order")
	// The latest decision is the accused's institution, today.
	if !strings.Contains(d.Message, now.Format("02/01/2006")) {
		t.Errorf("date_order does not name the latest decision's date: %q", d.Message)
	}
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "issued_on", daysAgo(20)), "issued_on", "date_order")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "issued_on", "20/11/2026"), "issued_on", "format")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "effective_on", "2026-02-30"), "effective_on", "format")
	d = s.refuseStep(tm.ksv, s.vks("suspend_investigation"), "issuer", "issuer")
	wantArticle(t, d, "Điều 229 BLTTHS")
	s.refuseStep(tm.ksv, s.doc("police", "suspend_investigation"), "issuer", "enum")
	d = s.refuseStep(tm.chief, s.vks("indict"), "step", "from_stage")
	wantArticle(t, d, "Điều 243 BLTTHS")
	s.refuseStep(tm.ksv, s.cqdt("suspend_accused", "accused_ids", []string{"not-a-uuid"}), "accused_ids[0]", "format")
	s.refuseStep(tm.ksv, s.cqdt("suspend_accused", "accused_ids", []string{"0196c0de-0000-7000-8000-000000000000"}), "accused_ids[0]", "exists")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "version", 0), "version", "required")
	s.refuseStep(tm.ksv, s.cqdt("suspend_investigation", "number", strings.Repeat("9", 101)), "number", "length")
	// A measure without its order's content, a detention order without its end date.
	s.refuse(v1+"/accused/"+accused+"/measures", tm.ksv, s.cqdt("order_detention"), http.StatusUnprocessableEntity, "invalid", "measure", "required")
	s.refuse(v1+"/accused/"+accused+"/measures", tm.ksv, s.cqdt("order_detention", "measure", map[string]any{"start_at": now.Add(-time.Hour).Format(time.RFC3339)}),
		http.StatusUnprocessableEntity, "invalid", "measure.ordered_end", "measure_dates")
	// The accused routes take only their own steps.
	s.refuse(v1+"/accused/"+accused+"/charges", tm.ksv, s.cqdt("suspend_investigation"), http.StatusUnprocessableEntity, "invalid", "step", "route")
	s.refuse(v1+"/cases/"+s.id+"/accused", tm.ksv, s.cqdt("suspend_accused"), http.StatusUnprocessableEntity, "invalid", "step", "route")
	s.refuse(v1+"/cases/"+s.id+"/accused", tm.ksv, s.cqdt("", "person", map[string]any{"full_name": "Lê B", "national_id": "12345", "offence_date": today(e)},
		"charges", []map[string]any{charge("173", 1)}), http.StatusUnprocessableEntity, "invalid", "person.national_id", "format")
	s.refuse(v1+"/cases/"+s.id+"/accused", tm.ksv, s.cqdt("", "charges", []map[string]any{charge("173", 1)}), http.StatusUnprocessableEntity, "invalid", "person", "required")

	// Unknown cases, accused and decisions are not found.
	const nobody = "0196c0de-0000-7000-8000-000000000000"
	for _, p := range []string{v1 + "/cases/" + nobody + "/decisions", v1 + "/cases/not-a-uuid/decisions", v1 + "/accused/" + nobody + "/measures",
		v1 + "/accused/" + nobody + "/charges", v1 + "/accused/not-a-uuid/charges"} {
		wantError(t, s.post(p, tm.chief, s.cqdt("suspend_investigation")), http.StatusNotFound, "not_found")
	}
	wantError(t, s.post(v1+"/cases/"+nobody+"/accused", tm.chief, s.cqdt("", "person", person("Lê Văn Bốn", "", today(e)),
		"charges", []map[string]any{charge("173", 1)})), http.StatusNotFound, "not_found")
	for _, id := range []string{nobody, "not-a-uuid"} {
		wantError(t, s.post(v1+"/decisions/"+id+"/approval", tm.chief, map[string]any{"outcome": "approve", "issued_on": today(e)}), http.StatusNotFound, "not_found")
	}

	if got := snapshot(); got != before {
		t.Fatalf("refused decisions wrote something: before %+v, after %+v", before, got)
	}
	// The case is untouched: the same version still records.
	s.wantStage(s.decide(tm.ksv, s.cqdt("suspend_investigation", "number", "25/QĐ-TĐCĐT")), "investigation_suspended")
}

// TestConcurrentDecisions: eight people record the same step on the same version at once;
// exactly one decision is written, the others are told the case changed.
func TestConcurrentDecisions(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	for _, tc := range []struct {
		token string
		body  map[string]any
	}{
		// An extension leaves the case where it is: only the version tells the writers apart.
		{tm.chief, s.vks("extend_investigation", "number", "27/QĐ-VKS-GH")},
		{tm.ksv, s.cqdt("suspend_investigation", "number", "25/QĐ-TĐCĐT")},
	} {
		step := tc.body["step"].(string)
		before := s.decisionCount()
		tc.body["version"] = s.version
		const n = 8
		results := make([]response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				results[i] = e.send(req{Method: "POST", Path: s.decisionsPath(), Token: tc.token, Body: tc.body})
			}(i)
		}
		close(start)
		wg.Wait()
		created, conflict := 0, 0
		for _, r := range results {
			switch r.Status {
			case http.StatusCreated:
				created++
				var o outcomeView
				r.decode(t, &o)
				s.version = o.Case.Version
			case http.StatusConflict:
				if env := r.err(t); !hasDetail(env, "version", "stale") {
					t.Errorf("%s: conflict without the stale version: %s", step, r.Body)
				}
				conflict++
			default:
				t.Errorf("%s: status %d: %s", step, r.Status, r.Body)
			}
		}
		if created != 1 || conflict != n-1 {
			t.Fatalf("%s: %d created, %d conflicts; want 1 and %d", step, created, conflict, n-1)
		}
		if got := s.decisionCount(); got != before+1 {
			t.Fatalf("%s: %d decisions written, want 1", step, got-before)
		}
		if got := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.decide' AND target_id = $1 AND outcome = 'success' AND detail LIKE $2`,
			s.id, `%"step":"`+step+`"%`); got != 1 {
			t.Fatalf("%s: %d success audit rows, want 1", step, got)
		}
	}
	if tl := s.timeline(tm.chief); tl.Case.Stage != "investigation_suspended" || tl.Case.Version != s.version {
		t.Fatalf("case after the races: %+v (version %d)", tl.Case, s.version)
	}
}
