package e2e_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// findingView is a finding (vi phạm tố tụng) as the API returns it.
type findingView struct {
	ID          int64    `json:"id"`
	CaseID      string   `json:"case_id"`
	Key         string   `json:"key"`
	Code        string   `json:"code"`
	Article     string   `json:"article"`
	Severity    string   `json:"severity"`
	DecisionIDs []string `json:"decision_ids"`
	MeasureID   *string  `json:"measure_id"`
	AccusedID   *string  `json:"accused_id"`
	Remedy      *string  `json:"remedy"`
	Open        bool     `json:"open"`
	FoundAt     string   `json:"found_at"`
	ResolvedAt  *string  `json:"resolved_at"`
	Message     struct {
		VI string `json:"vi"`
		EN string `json:"en"`
	} `json:"message"`
}

// recView is a recommendation (kiến nghị) or request (yêu cầu) as the API returns it.
type recView struct {
	ID           string   `json:"id"`
	CaseID       string   `json:"case_id"`
	FindingID    *int64   `json:"finding_id"`
	FindingCode  *string  `json:"finding_code"`
	Kind         string   `json:"kind"`
	Addressee    string   `json:"addressee"`
	Subject      string   `json:"subject"`
	Body         string   `json:"body"`
	Status       string   `json:"status"`
	NextStatuses []string `json:"next_statuses"`
	Number       *string  `json:"number"`
	SentOn       *string  `json:"sent_on"`
	DueOn        *string  `json:"due_on"`
	AnswerNote   *string  `json:"answer_note"`
	AnsweredAt   *string  `json:"answered_at"`
	ClosedAt     *string  `json:"closed_at"`
	Version      int      `json:"version"`
}

// caseFindings reads a case's findings and fails the test unless the read works.
func (s *story) findings(token string, includeResolved bool) []findingView {
	s.t.Helper()
	r := s.e.get(v1+"/cases/"+s.id+"/findings?include_resolved="+strconv.FormatBool(includeResolved), token)
	if r.Status != http.StatusOK {
		s.t.Fatalf("findings: %d %s", r.Status, r.Body)
	}
	var out struct {
		CaseID string        `json:"case_id"`
		Items  []findingView `json:"items"`
		Total  int           `json:"total"`
	}
	r.decode(s.t, &out)
	if out.CaseID != s.id || out.Total != len(out.Items) {
		s.t.Fatalf("findings of %s answered %s with total %d for %d items", s.id, out.CaseID, out.Total, len(out.Items))
	}
	return out.Items
}

func findingOf(t *testing.T, fs []findingView, code string) findingView {
	t.Helper()
	for _, f := range fs {
		if f.Code == code {
			return f
		}
	}
	t.Fatalf("no finding %s in %+v", code, fs)
	return findingView{}
}

func (e *env) findingList(token, query string) ([]findingView, int64) {
	e.t.Helper()
	r := e.get(v1+"/findings?"+query, token)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET /findings?%s: %d %s", query, r.Status, r.Body)
	}
	var l struct {
		Items []findingView `json:"items"`
		Total int64         `json:"total"`
	}
	r.decode(e.t, &l)
	return l.Items, l.Total
}

func (e *env) recList(token, query string) ([]recView, int64) {
	e.t.Helper()
	r := e.get(v1+"/recommendations?"+query, token)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET /recommendations?%s: %d %s", query, r.Status, r.Body)
	}
	var l struct {
		Items []recView `json:"items"`
		Total int64     `json:"total"`
	}
	r.decode(e.t, &l)
	return l.Items, l.Total
}

func wantRec(t *testing.T, r response, status int) recView {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	var v recView
	r.decode(t, &v)
	return v
}

func dayOf(e *env, days int) string {
	return e.clock.Now().In(ict).AddDate(0, 0, days).Format(time.DateOnly)
}

// A decision that takes effect before the decision it rests on is a procedural defect the moment
// it is recorded: an indictment (cáo trạng) taking effect before the investigation conclusion it
// rests on. It is stored with the decision; the procuracy's own act suggests no remedy, so a draft
// needs its kind chosen; the draft carries the article in its text and goes through the whole
// lifecycle; the correction of the date resolves the finding, which keeps its id. Scope,
// leadership, stale versions and illegal moves are refused with the codes the API promises.
func TestFindingRecommendationLifecycle(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	s.addAccused(tm, "Trần Văn Bình", "001095012345")
	// The conclusion is dated today but takes effect in two days; the indictment takes effect today.
	conclusion := s.decide(tm.ksv, s.cqdt("conclude_investigation", "number", "50/KLĐT", "effective_on", dayOf(e, 2)))
	s.wantStage(conclusion, "prosecution")
	if fs := s.findings(tm.ksv, true); len(fs) != 0 {
		t.Fatalf("findings before any defect: %+v", fs)
	}
	indictment := s.decide(tm.chief, s.vks("indict", "number", "60/CT-VKS"))
	s.wantStage(indictment, "first_instance")

	// The defect is there as soon as the decision is recorded.
	f := findingOf(t, s.findings(tm.ksv, false), "date_before_prerequisite")
	if !f.Open || f.Severity != "violation" || f.Remedy != nil || f.Article == "" || f.ResolvedAt != nil {
		t.Fatalf("finding: %+v", f)
	}
	if len(f.DecisionIDs) != 2 || f.DecisionIDs[0] != indictment.Decision.ID || f.DecisionIDs[1] != conclusion.Decision.ID {
		t.Fatalf("finding names decisions %v, want the indictment then the conclusion", f.DecisionIDs)
	}
	if !strings.Contains(strings.ToLower(f.Message.VI), "cáo trạng") || !strings.Contains(f.Message.VI, dayOfDMY(e, 2)) {
		t.Errorf("message: %q", f.Message.VI)
	}
	// Another recompute of the case (an edit of its registration) finds the same defect: same row.
	r := e.send(req{Method: "PATCH", Path: v1 + "/cases/" + s.id, Token: tm.clerk, Body: map[string]any{"version": s.version,
		"summary": "Công an phường Hàng Bài báo tin vụ trộm xe máy trị giá 30 triệu đồng, bổ sung lời khai nhân chứng."}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch case: %d %s", r.Status, r.Body)
	}
	var cv caseView
	r.decode(t, &cv)
	s.version = cv.Version
	if again := findingOf(t, s.findings(tm.ksv, false), "date_before_prerequisite"); again.ID != f.ID || again.FoundAt != f.FoundAt {
		t.Fatalf("the recompute made a new finding: %+v, was %+v", again, f)
	}
	if n := e.count(`SELECT count(*) FROM case_findings WHERE case_id = $1`, s.id); n != 1 {
		t.Fatalf("%d stored findings, want 1", n)
	}

	// Scope: another unit's chief does not see the finding, nor may draft from it.
	other := e.login("hnkv2.vientruong").AccessToken
	fpath := v1 + "/findings/" + strconv.FormatInt(f.ID, 10) + "/recommendations"
	wantError(t, e.get(v1+"/cases/"+s.id+"/findings", other), http.StatusNotFound, "not_found")
	wantError(t, e.send(req{Method: "POST", Path: fpath, Token: other, Body: map[string]any{}}), http.StatusNotFound, "not_found")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/findings/999999999/recommendations", Token: tm.ksv, Body: map[string]any{}}), http.StatusNotFound, "not_found")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/findings/abc/recommendations", Token: tm.ksv, Body: map[string]any{}}), http.StatusNotFound, "not_found")
	// The clerk and a prosecutor not on the team read it but may not write: 403, even with a bad body.
	ksv2 := e.login("hnkv1.ksv2").AccessToken
	for _, tok := range []string{tm.clerk, ksv2} {
		if fs := s.findings(tok, false); len(fs) != 1 {
			t.Errorf("a reader of the case sees %d findings", len(fs))
		}
		wantError(t, e.send(req{Method: "POST", Path: fpath, Token: tok, Body: map[string]any{"kind": "bogus"}}), http.StatusForbidden, "forbidden")
	}
	// A past reply date is refused, and nothing is written.
	wantDetail(t, e.send(req{Method: "POST", Path: fpath, Token: tm.ksv, Body: map[string]any{"due_on": dayOf(e, -1)}}), http.StatusUnprocessableEntity, "invalid", "due_on", "not_past")
	wantDetail(t, e.send(req{Method: "POST", Path: fpath, Token: tm.ksv, Body: map[string]any{"due_on": "20/03/2026"}}), http.StatusUnprocessableEntity, "invalid", "due_on", "format")
	if n := e.count(`SELECT count(*) FROM recommendations WHERE case_id = $1`, s.id); n != 0 {
		t.Fatalf("%d recommendations after refused drafts", n)
	}

	// The defect is the procuracy's own: no remedy is suggested, so the kind must be chosen.
	wantDetail(t, e.send(req{Method: "POST", Path: fpath, Token: tm.ksv, Body: map[string]any{}}), http.StatusUnprocessableEntity, "invalid", "kind", "required")
	// The lead prosecutor drafts a recommendation from the finding: the addressee defaults to the
	// investigating body, the text names the case, the defect and its article.
	d := wantRec(t, e.send(req{Method: "POST", Path: fpath, Token: tm.ksv, Body: map[string]any{"kind": "recommendation"}}), http.StatusCreated)
	if d.Kind != "recommendation" || d.Status != "draft" || d.Version != 1 || d.FindingID == nil || *d.FindingID != f.ID ||
		d.FindingCode == nil || *d.FindingCode != "date_before_prerequisite" || d.Addressee != "Cơ quan điều tra" {
		t.Fatalf("draft: %+v", d)
	}
	for _, want := range []string{f.Article, "Kính gửi: Cơ quan điều tra", "kiến nghị", "Điều 166", strings.TrimSpace(f.Message.VI)} {
		if !strings.Contains(d.Body, want) {
			t.Errorf("draft body lacks %q:\n%s", want, d.Body)
		}
	}
	if !strings.HasPrefix(d.Subject, "Kiến nghị khắc phục vi phạm") || strings.Join(d.NextStatuses, ",") != "sent,withdrawn" {
		t.Errorf("draft subject %q, next %v", d.Subject, d.NextStatuses)
	}
	// One in progress per finding.
	wantDetail(t, e.send(req{Method: "POST", Path: fpath, Token: tm.chief, Body: map[string]any{"kind": "request"}}), http.StatusConflict, "conflict", "finding_id", "open_recommendation")

	rpath := v1 + "/recommendations/" + d.ID
	patch := func(tok string, body map[string]any) response {
		return e.send(req{Method: "PATCH", Path: rpath, Token: tok, Body: body})
	}
	wantError(t, e.get(rpath, other), http.StatusNotFound, "not_found")
	wantError(t, patch(other, map[string]any{"version": 1, "body": "x"}), http.StatusNotFound, "not_found")
	wantError(t, patch(tm.clerk, map[string]any{"version": 1, "body": "x"}), http.StatusForbidden, "forbidden")
	if g := wantRec(t, e.get(rpath, tm.clerk), http.StatusOK); g.ID != d.ID || g.Body != d.Body {
		t.Fatalf("GET recommendation: %+v", g)
	}

	// Editing the draft.
	body := d.Body + "\n\nĐề nghị thông báo kết quả trước ngày 25."
	d = wantRec(t, patch(tm.ksv, map[string]any{"version": 1, "body": body, "due_on": dayOf(e, 15)}), http.StatusOK)
	if d.Version != 2 || d.Body != body || d.DueOn == nil || *d.DueOn != dayOf(e, 15) || d.Status != "draft" {
		t.Fatalf("after the edit: %+v", d)
	}
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 1, "subject": "Phiên bản cũ"}), http.StatusConflict, "conflict", "version", "stale")
	wantDetail(t, patch(tm.ksv, map[string]any{"subject": "Không có version"}), http.StatusUnprocessableEntity, "invalid", "version", "required")
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 2}), http.StatusUnprocessableEntity, "invalid", "", "empty_patch")
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 2, "status": "answered", "answer_note": "x"}), http.StatusUnprocessableEntity, "invalid", "status", "transition")
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 2, "number": "15/KN-VKS"}), http.StatusUnprocessableEntity, "invalid", "number", "only_when_sending")
	// Only a leader sends; a leader must give the number and the date.
	wantError(t, patch(tm.ksv, map[string]any{"version": 2, "status": "sent", "number": "15/KN-VKS", "sent_on": today(e)}), http.StatusForbidden, "forbidden")
	wantDetail(t, patch(tm.chief, map[string]any{"version": 2, "status": "sent", "sent_on": today(e)}), http.StatusUnprocessableEntity, "invalid", "number", "required")
	wantDetail(t, patch(tm.chief, map[string]any{"version": 2, "status": "sent", "number": "15/KN-VKS", "sent_on": dayOf(e, 1)}), http.StatusUnprocessableEntity, "invalid", "sent_on", "not_future")
	d = wantRec(t, patch(tm.chief, map[string]any{"version": 2, "status": "sent", "number": "15/KN-VKS", "sent_on": today(e)}), http.StatusOK)
	if d.Status != "sent" || d.Version != 3 || d.Number == nil || *d.Number != "15/KN-VKS" || d.SentOn == nil || *d.SentOn != today(e) {
		t.Fatalf("after sending: %+v", d)
	}
	// What was sent is not edited any more.
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 3, "body": "Sửa sau khi gửi"}), http.StatusUnprocessableEntity, "invalid", "body", "not_draft")
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 3, "status": "resolved"}), http.StatusUnprocessableEntity, "invalid", "status", "transition")
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 3, "status": "answered"}), http.StatusUnprocessableEntity, "invalid", "answer_note", "required")
	d = wantRec(t, patch(tm.ksv, map[string]any{"version": 3, "status": "answered", "answer_note": "Cơ quan CSĐT đã đính chính ngày của bản kết luận điều tra."}), http.StatusOK)
	if d.Status != "answered" || d.AnsweredAt == nil || d.AnswerNote == nil || strings.Join(d.NextStatuses, ",") != "resolved" {
		t.Fatalf("after the answer: %+v", d)
	}
	wantDetail(t, patch(tm.ksv, map[string]any{"version": 4, "status": "withdrawn"}), http.StatusUnprocessableEntity, "invalid", "status", "transition")

	// The investigating body's conclusion is corrected (đính chính) to take effect the day it was
	// issued: the defect is gone, the finding resolved, not deleted.
	s.decide(tm.ksv, s.cqdt("conclude_investigation", "number", "50/KLĐT", "supersedes_id", conclusion.Decision.ID))
	if fs := s.findings(tm.ksv, false); len(fs) != 0 {
		t.Fatalf("open findings after the correction: %+v", fs)
	}
	gone := findingOf(t, s.findings(tm.ksv, true), "date_before_prerequisite")
	if gone.ID != f.ID || gone.Open || gone.ResolvedAt == nil {
		t.Fatalf("the corrected finding: %+v", gone)
	}
	d = wantRec(t, patch(tm.chief, map[string]any{"version": 4, "status": "resolved"}), http.StatusOK)
	if d.Status != "resolved" || d.ClosedAt == nil || len(d.NextStatuses) != 0 {
		t.Fatalf("after resolving: %+v", d)
	}
	wantDetail(t, patch(tm.chief, map[string]any{"version": 5, "status": "withdrawn"}), http.StatusUnprocessableEntity, "invalid", "status", "transition")

	// A free draft, then withdrawn; and the lists with their filters.
	free := wantRec(t, e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/recommendations", Token: tm.ksv, Body: map[string]any{
		"kind": "request", "addressee": "Cơ quan CSĐT Công an TP Hà Nội", "subject": "Yêu cầu điều tra bổ sung",
		"body": "Viện kiểm sát yêu cầu lấy lời khai bổ sung của người làm chứng."}}), http.StatusCreated)
	if free.FindingID != nil || free.Status != "draft" || free.Kind != "request" {
		t.Fatalf("free draft: %+v", free)
	}
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/recommendations", Token: tm.ksv, Body: map[string]any{
		"kind": "request", "addressee": "Cơ quan điều tra", "subject": "Thiếu nội dung"}}), http.StatusUnprocessableEntity, "invalid", "body", "required")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/recommendations", Token: other, Body: map[string]any{}}), http.StatusNotFound, "not_found")
	free = wantRec(t, e.send(req{Method: "PATCH", Path: v1 + "/recommendations/" + free.ID, Token: tm.ksv, Body: map[string]any{"version": 1, "status": "withdrawn"}}), http.StatusOK)
	if free.Status != "withdrawn" || free.ClosedAt == nil {
		t.Fatalf("withdrawn: %+v", free)
	}

	q := "case_id=" + s.id
	if _, n := e.findingList(tm.chief, q); n != 0 {
		t.Errorf("%d open findings listed after the correction", n)
	}
	if items, n := e.findingList(tm.chief, q+"&open=false"); n != 1 || items[0].ID != f.ID {
		t.Errorf("resolved findings: %d %+v", n, items)
	}
	if _, n := e.findingList(tm.chief, q+"&open=false&code=date_before_prerequisite,too_many_returns&severity=violation"); n != 1 {
		t.Errorf("code and severity filters: %d", n)
	}
	if _, n := e.findingList(tm.chief, q+"&open=false&code=too_many_returns"); n != 0 {
		t.Errorf("code filter lets another code through: %d", n)
	}
	if _, n := e.findingList(tm.chief, q+"&open=false&severity=warning"); n != 0 {
		t.Errorf("severity filter lets a violation through: %d", n)
	}
	kv1 := strconv.FormatInt(e.units[seed.RegionalCode("HNI", 1)].ID, 10)
	if _, n := e.findingList(tm.chief, q+"&open=false&unit_id="+kv1); n != 1 {
		t.Errorf("unit filter: %d", n)
	}
	if _, n := e.findingList(other, q+"&open=false"); n != 0 {
		t.Errorf("another unit lists %d findings of this case", n)
	}
	if items, n := e.recList(tm.chief, q); n != 2 || items[0].ID != free.ID {
		t.Errorf("recommendations of the case: %d %+v", n, items)
	}
	for query, want := range map[string]int64{"&status=resolved": 1, "&status=draft,sent": 0, "&status=withdrawn,resolved": 2, "&kind=request": 1,
		"&kind=recommendation&status=resolved": 1, "&unit_id=" + kv1: 2} {
		if _, n := e.recList(tm.chief, q+query); n != want {
			t.Errorf("recommendations?%s: %d, want %d", query, n, want)
		}
	}
	if _, n := e.recList(other, q); n != 0 {
		t.Errorf("another unit lists %d recommendations of this case", n)
	}
	kv2 := strconv.FormatInt(e.units[seed.RegionalCode("HNI", 2)].ID, 10)
	for path, want := range map[string][2]string{
		"/findings?code=bogus":                 {"code", "enum"},
		"/findings?severity=fatal":             {"severity", "enum"},
		"/findings?limit=500":                  {"limit", "max"},
		"/findings?case_id=nope":               {"case_id", "format"},
		"/recommendations?status=lost":         {"status", "enum"},
		"/recommendations?kind=advice":         {"kind", "enum"},
		"/recommendations?unit_id=987654321":   {"unit_id", "exists"},
		"/cases/" + s.id + "/findings?x=1&y=2": {"", ""},
	} {
		r := e.get(v1+path, tm.chief)
		if want[0] == "" {
			if r.Status != http.StatusOK {
				t.Errorf("GET %s: %d", path, r.Status)
			}
			continue
		}
		wantDetail(t, r, http.StatusUnprocessableEntity, "invalid", want[0], want[1])
	}
	wantDetail(t, e.get(v1+"/findings?open=maybe", tm.chief), http.StatusBadRequest, "bad_request", "open", "")
	wantDetail(t, e.get(v1+"/cases/"+s.id+"/findings?include_resolved=2", tm.chief), http.StatusBadRequest, "bad_request", "include_resolved", "")
	wantError(t, e.get(v1+"/findings?unit_id="+kv2, tm.chief), http.StatusNotFound, "not_found")

	// Every read and write is on the audit trail.
	for action, min := range map[string]int{"case.findings": 5, "finding.list": 6, "recommendation.create": 2, "recommendation.update": 5,
		"recommendation.read": 1, "recommendation.list": 7} {
		if n := e.count(`SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = 'success'`, action); n < min {
			t.Errorf("%d %s audit rows, want at least %d", n, action, min)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('recommendation.create', 'recommendation.update', 'case.findings') AND outcome = 'denied'`); n < 4 {
		t.Errorf("only %d denied recommendation attempts audited", n)
	}
}

func dayOfDMY(e *env, days int) string {
	return e.clock.Now().In(ict).AddDate(0, 0, days).Format("02/01/2006")
}

// A person held past the end written in the custody order is a defect that time alone creates:
// no decision is recorded when it happens. The monitor's sweep recomputes such cases, so the
// finding appears with its request (yêu cầu) to the investigating body, and the release resolves it.
func TestFindingHeldPastOrderedEnd(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	accused := s.addAccused(tm, "Trần Văn Bình", "001095012345")
	o := s.ok(v1+"/accused/"+accused+"/measures", tm.ksv, s.cqdt("order_custody", "number", "40/QĐ-CSĐT",
		"measure", map[string]any{"stage": "investigation", "start_at": e.clock.Now().Add(-2 * time.Hour).Format(time.RFC3339), "ordered_end": dayOf(e, 3)}))
	custody := findAccused(t, o.Accused, accused).Measures[0]
	if custody.Kind != "custody" || custody.Status != "active" {
		t.Fatalf("custody: %+v", custody)
	}
	if fs := s.findings(tm.ksv, true); len(fs) != 0 {
		t.Fatalf("findings while the custody runs: %+v", fs)
	}

	// Five days on, the custody ran out three days after it started; nobody recorded anything.
	e.clock.Advance(5 * 24 * time.Hour)
	tm = loginKV1(e)
	if fs := s.findings(tm.ksv, false); len(fs) != 0 {
		t.Fatalf("findings appeared without a recompute: %+v", fs)
	}
	ctx := context.Background()
	res, err := e.svc.Monitor.Sweep(ctx, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.MeasureCases) != 1 || res.MeasureCases[0] != s.id {
		t.Fatalf("the sweep found %v with a custody run out, want %s", res.MeasureCases, s.id)
	}
	// The finding comes with the delivery of the custody's clock.missed event (the findings channel).
	if fs := s.findings(tm.ksv, false); len(fs) != 0 {
		t.Fatalf("findings before the outbox was delivered: %+v", fs)
	}
	if _, err := e.svc.Monitor.Dispatch(ctx, e.clock.Now(), 100); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM outbox_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.case_id = $1 AND d.channel = 'findings'
		AND d.receipt = 'recomputed'`, s.id); n != 1 {
		t.Fatalf("%d findings receipts for the case, want 1", n)
	}
	f := findingOf(t, s.findings(tm.ksv, false), "held_past_ordered_end")
	if f.Article != "Điều 134(2) BLTTHS" || f.Remedy == nil || *f.Remedy != "request" || f.MeasureID == nil || *f.MeasureID != custody.ID ||
		f.AccusedID == nil || *f.AccusedID != accused || !strings.Contains(f.Message.VI, dayOfDMY(e, -2)) {
		t.Fatalf("finding: %+v", f)
	}
	// The next round leaves a case whose finding is already open alone.
	e.svc.Monitor.Tick(ctx)
	if n := e.count(`SELECT count(*) FROM case_findings WHERE case_id = $1`, s.id); n != 1 {
		t.Fatalf("%d findings after a second sweep, want 1", n)
	}
	if items, n := e.findingList(tm.chief, "code=held_past_ordered_end&case_id="+s.id); n != 1 || items[0].ID != f.ID {
		t.Fatalf("held past end across the scope: %d %+v", n, items)
	}

	// The draft is a request to the body that ordered the custody, citing Điều 134(2).
	d := wantRec(t, e.send(req{Method: "POST", Path: v1 + "/findings/" + strconv.FormatInt(f.ID, 10) + "/recommendations", Token: tm.ksv,
		Body: map[string]any{"due_on": dayOf(e, 2)}}), http.StatusCreated)
	if d.Kind != "request" || !strings.Contains(d.Body, "Điều 134(2) BLTTHS") || !strings.Contains(d.Body, "yêu cầu Cơ quan CSĐT Công an TP Hà Nội") ||
		!strings.Contains(d.Body, "trước ngày "+dayOfDMY(e, 2)) || !strings.HasPrefix(d.Subject, "Yêu cầu khắc phục vi phạm") {
		t.Fatalf("request draft: %+v", d)
	}

	// The release is recorded: the finding is resolved; the request stays, to be tracked.
	s.ok(v1+"/accused/"+accused+"/measures", tm.ksv, s.cqdt("end_measure", "measure_id", custody.ID))
	if fs := s.findings(tm.ksv, false); len(fs) != 0 {
		t.Fatalf("open findings after the release: %+v", fs)
	}
	if items, n := e.findingList(tm.chief, "open=false&code=held_past_ordered_end&case_id="+s.id); n != 1 || items[0].ID != f.ID || items[0].ResolvedAt == nil {
		t.Fatalf("resolved: %d %+v", n, items)
	}
	if g := wantRec(t, e.get(v1+"/recommendations/"+d.ID, tm.chief), http.StatusOK); g.Status != "draft" {
		t.Fatalf("the request after the release: %+v", g)
	}
}
