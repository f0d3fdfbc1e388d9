package e2e_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiemsat/service"
	"kiemsat/service/seed"
)

// Supervision across levels (kiểm sát, chỉ đạo của cấp trên) through the HTTP API: instructions
// (chỉ đạo), requests for case files (yêu cầu chuyển hồ sơ), the public-interest mark and
// subscriptions (theo dõi), on cases the tests register at VKS-HNI-KV01 themselves.

type unitRefView struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
}

// instructionView is an instruction as the API returns it.
type instructionView struct {
	ID            string      `json:"id"`
	CaseID        string      `json:"case_id"`
	Unit          unitRefView `json:"unit"`
	IssuerUnit    unitRefView `json:"issuer_unit"`
	AddresseeUnit unitRefView `json:"addressee_unit"`
	AddresseeID   *string     `json:"addressee_id"`
	Text          string      `json:"text"`
	DueOn         string      `json:"due_on"`
	Status        string      `json:"status"`
	NextStatuses  []string    `json:"next_statuses"`
	Overdue       bool        `json:"overdue"`
	Response      *string     `json:"response"`
	RespondedBy   *string     `json:"responded_by"`
	Note          *string     `json:"note"`
	Reopened      int         `json:"reopened"`
	ClosedAt      *string     `json:"closed_at"`
	Version       int         `json:"version"`
}

// fileRequestView is a request for a case file as the API returns it.
type fileRequestView struct {
	ID            string      `json:"id"`
	CaseID        string      `json:"case_id"`
	Unit          unitRefView `json:"unit"`
	RequesterUnit unitRefView `json:"requester_unit"`
	Reason        string      `json:"reason"`
	DueOn         string      `json:"due_on"`
	Status        string      `json:"status"`
	Overdue       bool        `json:"overdue"`
	AnswerNote    *string     `json:"answer_note"`
	Version       int         `json:"version"`
}

// matchView is a case a subscription matches.
type matchView struct {
	ID             string  `json:"id"`
	Class          *string `json:"class"`
	PublicInterest bool    `json:"public_interest"`
	DetentionDays  int     `json:"detention_days"`
	Stage          string  `json:"stage"`
}

func decodeAs[T any](t *testing.T, r response, status int) T {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	var v T
	r.decode(t, &v)
	return v
}

type page[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

func listOf[T any](t *testing.T, e *env, path, token string) page[T] {
	t.Helper()
	return decodeAs[page[T]](t, e.get(path, token), http.StatusOK)
}

func (e *env) post(path, token string, body any) response {
	e.t.Helper()
	return e.send(req{Method: "POST", Path: path, Token: token, Body: body})
}

// notificationKinds lists the kinds of the user's notifications about a case.
func notificationKinds(t *testing.T, e *env, token, caseID string) []string {
	t.Helper()
	l := listOf[struct {
		Kind   string  `json:"kind"`
		CaseID *string `json:"case_id"`
	}](t, e, v1+"/me/notifications?limit=200", token)
	var out []string
	for _, n := range l.Items {
		if n.CaseID != nil && *n.CaseID == caseID {
			out = append(out, n.Kind)
		}
	}
	return out
}

// The provincial chief instructs on a case of a regional unit and follows it to its end: the
// named prosecutor and the unit's chief are told; the report is sent back once and accepted the
// second time; who may do each step is checked at every step, and a stale version is a 409.
func TestSupervisionInstructionLifecycle(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	hnChief := e.login("hn.vientruong").AccessToken
	hnKSV := e.login("hn.ksv").AccessToken
	kv2Chief := e.login("hnkv2.vientruong").AccessToken
	hcmChief := e.login("hcm.vientruong").AccessToken
	ksv2 := e.login("hnkv1.ksv2").AccessToken
	ksv1ID := e.userID("hnkv1.ksv1")
	path := v1 + "/cases/" + s.id + "/instructions"
	body := map[string]any{"text": "Yêu cầu báo cáo tiến độ điều tra và việc lấy lời khai bị hại trước khi gia hạn.",
		"due_on": dayOf(e, 7), "addressee_id": ksv1ID}

	// A sibling unit's chief and another province's chief do not see the case: 404 as if absent.
	wantError(t, e.post(path, kv2Chief, body), http.StatusNotFound, "not_found")
	wantError(t, e.post(path, hcmChief, body), http.StatusNotFound, "not_found")
	// The unit's clerk and its prosecutor read the case but do not instruct: 403.
	wantError(t, e.post(path, tm.clerk, body), http.StatusForbidden, "forbidden")
	wantError(t, e.post(path, tm.ksv, body), http.StatusForbidden, "forbidden")
	if n := e.count(`SELECT count(*) FROM instructions`); n != 0 {
		t.Fatalf("%d instructions after refusals", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'instruction.create' AND outcome = 'denied'`); n != 2 {
		t.Errorf("%d denied instruction.create rows, want 2 (the two 403s)", n)
	}

	in := decodeAs[instructionView](t, e.post(path, hnChief, body), http.StatusCreated)
	kv1, hn := e.units[seed.RegionalCode("HNI", 1)], e.units[seed.ProvinceCode("HNI")]
	if in.IssuerUnit.ID != hn.ID || in.AddresseeUnit.ID != kv1.ID || in.Unit.ID != kv1.ID || in.Status != "open" || in.Overdue ||
		in.AddresseeID == nil || *in.AddresseeID != ksv1ID || in.DueOn != dayOf(e, 7) || in.Version != 1 ||
		!slices.Equal(in.NextStatuses, []string{"answered", "cancelled"}) {
		t.Fatalf("issued instruction: %+v", in)
	}
	// The unit's own chief instructs too, as the issuing unit itself.
	own := decodeAs[instructionView](t, e.post(path, tm.chief, map[string]any{"text": "Phân công thêm kiểm sát viên hỗ trợ.",
		"due_on": dayOf(e, 3)}), http.StatusCreated)
	if own.IssuerUnit.ID != kv1.ID {
		t.Errorf("the unit's own chief issued as unit %d, want %d", own.IssuerUnit.ID, kv1.ID)
	}
	// The named prosecutor and the unit's chief were told in the same transaction; the issuer was not.
	if k := notificationKinds(t, e, tm.ksv, s.id); !slices.Contains(k, "instruction.issued") {
		t.Errorf("the named prosecutor's notifications: %v", k)
	}
	if k := notificationKinds(t, e, tm.chief, s.id); !slices.Contains(k, "instruction.issued") {
		t.Errorf("the addressed unit's chief's notifications: %v", k)
	}
	if k := notificationKinds(t, e, hnChief, s.id); len(k) != 0 {
		t.Errorf("the issuer notified of their own instruction: %v", k)
	}

	one := v1 + "/instructions/" + in.ID
	// Reading follows the case: the sibling's chief and the provincial prosecutor get 404.
	wantError(t, e.get(one, kv2Chief), http.StatusNotFound, "not_found")
	wantError(t, e.get(one, hnKSV), http.StatusNotFound, "not_found")
	if got := decodeAs[instructionView](t, e.get(one, tm.ksv), http.StatusOK); got.ID != in.ID {
		t.Fatalf("GET instruction: %+v", got)
	}
	if l := listOf[instructionView](t, e, path, tm.clerk); l.Total != 2 || len(l.Items) != 2 {
		t.Errorf("the case's instructions as its clerk: %+v", l)
	}
	wantError(t, e.get(path, kv2Chief), http.StatusNotFound, "not_found")

	// Responding: the addressed unit's prosecutor not named nor on the team and its clerk are
	// refused, a missing version is a 422, a stale one a 409.
	respond := func(token string, version int, text string) response {
		return e.post(one+"/respond", token, map[string]any{"version": version, "response": text})
	}
	report := "Đã lấy lời khai bị hại ngày hôm qua; Cơ quan điều tra dự kiến kết thúc điều tra trong tháng."
	wantError(t, respond(kv2Chief, 1, report), http.StatusNotFound, "not_found")
	wantError(t, respond(ksv2, 1, report), http.StatusForbidden, "forbidden")
	wantError(t, respond(tm.clerk, 1, report), http.StatusForbidden, "forbidden")
	wantDetail(t, respond(tm.ksv, 0, report), http.StatusUnprocessableEntity, "invalid", "version", "required")
	wantDetail(t, respond(tm.ksv, 7, report), http.StatusConflict, "conflict", "version", "stale")
	wantDetail(t, respond(tm.ksv, 1, "  "), http.StatusUnprocessableEntity, "invalid", "response", "required")
	in = decodeAs[instructionView](t, respond(tm.ksv, 1, report), http.StatusOK)
	if in.Status != "answered" || in.Response == nil || *in.Response != report || in.RespondedBy == nil || *in.RespondedBy != ksv1ID || in.Version != 2 {
		t.Fatalf("after the report: %+v", in)
	}
	// A second report of an answered instruction is not a step it allows.
	wantDetail(t, respond(tm.ksv, 2, report), http.StatusUnprocessableEntity, "invalid", "status", "transition")
	if k := notificationKinds(t, e, hnChief, s.id); !slices.Contains(k, "instruction.answered") {
		t.Errorf("the issuer was not told of the report: %v", k)
	}

	// The issuing side sends it back (with its reason) or accepts it; the addressed unit's chief
	// is not the issuing side of the province's instruction.
	step := func(move, token string, version int, note string) response {
		return e.post(one+"/"+move, token, map[string]any{"version": version, "note": note})
	}
	wantError(t, step("close", tm.chief, 2, ""), http.StatusForbidden, "forbidden")
	wantError(t, step("close", hcmChief, 2, ""), http.StatusNotFound, "not_found")
	wantDetail(t, step("reopen", hnChief, 2, ""), http.StatusUnprocessableEntity, "invalid", "note", "required")
	in = decodeAs[instructionView](t, step("reopen", hnChief, 2, "Chưa nêu kết quả giám định; đề nghị báo cáo bổ sung."), http.StatusOK)
	if in.Status != "open" || in.Reopened != 1 || in.Note == nil || in.Version != 3 {
		t.Fatalf("after reopening: %+v", in)
	}
	in = decodeAs[instructionView](t, respond(tm.ksv, 3, report+" Đã có kết luận giám định."), http.StatusOK)
	wantDetail(t, step("close", hnChief, 3, ""), http.StatusConflict, "conflict", "version", "stale")
	in = decodeAs[instructionView](t, step("close", hnChief, in.Version, "Chấp nhận báo cáo."), http.StatusOK)
	if in.Status != "closed" || in.ClosedAt == nil || len(in.NextStatuses) != 0 {
		t.Fatalf("after closing: %+v", in)
	}
	// Closed is final: neither cancelled nor reopened.
	wantDetail(t, step("cancel", hnChief, in.Version, "Không cần nữa."), http.StatusUnprocessableEntity, "invalid", "status", "transition")
	wantDetail(t, step("reopen", hnChief, in.Version, "Làm lại."), http.StatusUnprocessableEntity, "invalid", "status", "transition")

	// The unit's own instruction is cancelled by its issuer.
	cancelled := decodeAs[instructionView](t, e.post(v1+"/instructions/"+own.ID+"/cancel", tm.chief,
		map[string]any{"version": own.Version, "note": "Đã phân công ở quyết định khác."}), http.StatusOK)
	if cancelled.Status != "cancelled" || cancelled.ClosedAt == nil {
		t.Fatalf("after cancelling: %+v", cancelled)
	}
	// Every step is audited with the case as its target.
	for action, want := range map[string]int{"instruction.create": 2, "instruction.respond": 2, "instruction.reopen": 1, "instruction.close": 1,
		"instruction.cancel": 1} {
		if n := e.count(`SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = 'success' AND target_id = $2`, action, s.id); n != want {
			t.Errorf("%d %s audit rows, want %d", n, action, want)
		}
	}
}

// Instructions past their due date while still open are overdue; the worklists by direction and
// status find them, and bad filters are refused with the field.
func TestSupervisionInstructionOverdueLists(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	hnChief := e.login("hn.vientruong").AccessToken
	path := v1 + "/cases/" + s.id + "/instructions"
	soon := decodeAs[instructionView](t, e.post(path, hnChief, map[string]any{"text": "Báo cáo việc tạm giữ.", "due_on": dayOf(e, 2)}), http.StatusCreated)
	later := decodeAs[instructionView](t, e.post(path, hnChief, map[string]any{"text": "Báo cáo kết quả giám định.", "due_on": dayOf(e, 10)}), http.StatusCreated)
	answered := decodeAs[instructionView](t, e.post(path, hnChief, map[string]any{"text": "Báo cáo nhân thân bị can.", "due_on": dayOf(e, 1)}), http.StatusCreated)
	decodeAs[instructionView](t, e.post(v1+"/instructions/"+answered.ID+"/respond", tm.ksv, map[string]any{"version": 1,
		"response": "Đã xác minh nhân thân."}), http.StatusOK)

	// Four days on, the first is overdue; the answered one, though past its date, is not.
	e.clock.Advance(4 * 24 * time.Hour)
	tm = loginKV1(e)
	hnChief = e.login("hn.vientruong").AccessToken
	got := decodeAs[instructionView](t, e.get(v1+"/instructions/"+soon.ID, tm.chief), http.StatusOK)
	if !got.Overdue {
		t.Fatalf("an open instruction past its due date is not overdue: %+v", got)
	}
	ids := func(l page[instructionView]) []string {
		var out []string
		for _, it := range l.Items {
			out = append(out, it.ID)
		}
		return out
	}
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	hn := e.units[seed.ProvinceCode("HNI")].ID
	for _, tc := range []struct {
		name, token, query string
		want               []string
	}{
		{"received by KV01, overdue", tm.chief, "direction=received&overdue=true", []string{soon.ID}},
		{"received by KV01, not overdue", tm.chief, "direction=received&overdue=false", []string{later.ID, answered.ID}},
		{"received by KV01, all, waiting first", tm.chief, "direction=received", []string{soon.ID, later.ID, answered.ID}},
		{"issued by HNI", hnChief, "direction=issued", []string{soon.ID, later.ID, answered.ID}},
		{"issued by HNI, overdue", hnChief, "direction=issued&overdue=true", []string{soon.ID}},
		{"received by HNI itself", hnChief, "direction=received&include_subunits=false", nil},
		{"received in HNI's subtree", hnChief, "direction=received&unit_id=" + itoa(hn), []string{soon.ID, later.ID, answered.ID}},
		{"answered only", hnChief, "status=answered", []string{answered.ID}},
		{"open and answered of KV01", tm.ksv, "unit_id=" + itoa(kv1) + "&status=open,answered", []string{soon.ID, later.ID, answered.ID}},
		{"a sibling's chief sees none", e.login("hnkv2.vientruong").AccessToken, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listOf[instructionView](t, e, v1+"/instructions?"+tc.query, tc.token)
			if !slices.Equal(ids(l), tc.want) || l.Total != int64(len(tc.want)) {
				t.Errorf("got %v (total %d), want %v", ids(l), l.Total, tc.want)
			}
		})
	}
	// Pages are bounded and stable: two pages of one give the first two in order.
	p1 := listOf[instructionView](t, e, v1+"/instructions?direction=issued&limit=1", hnChief)
	p2 := listOf[instructionView](t, e, v1+"/instructions?direction=issued&limit=1&offset=1", hnChief)
	if len(p1.Items) != 1 || len(p2.Items) != 1 || p1.Total != 3 || p1.Items[0].ID != soon.ID || p2.Items[0].ID != later.ID {
		t.Errorf("pages: %v %v", ids(p1), ids(p2))
	}

	// Bad filters: 422 naming the parameter; a unit outside the scope is 404, a malformed one 400.
	wantDetail(t, e.get(v1+"/instructions?status=pending", tm.chief), http.StatusUnprocessableEntity, "invalid", "status", "enum")
	wantDetail(t, e.get(v1+"/instructions?direction=sideways", tm.chief), http.StatusUnprocessableEntity, "invalid", "direction", "enum")
	wantDetail(t, e.get(v1+"/instructions?limit=500", tm.chief), http.StatusUnprocessableEntity, "invalid", "limit", "max")
	wantDetail(t, e.get(v1+"/instructions?case_id=abc", tm.chief), http.StatusUnprocessableEntity, "invalid", "case_id", "format")
	wantDetail(t, e.get(v1+"/instructions?unit_id=999999", tm.chief), http.StatusUnprocessableEntity, "invalid", "unit_id", "exists")
	wantError(t, e.get(v1+"/instructions?unit_id="+itoa(e.units[seed.ProvinceCode("HCM")].ID), tm.chief), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/instructions?overdue=maybe", tm.chief), http.StatusBadRequest, "bad_request")
}

// Bad input when issuing: every problem is a 422 naming the field, and nothing is written.
func TestSupervisionInstructionBadInput(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	hnChief := e.login("hn.vientruong").AccessToken
	path := v1 + "/cases/" + s.id + "/instructions"
	for _, tc := range []struct {
		name        string
		body        any
		field, rule string
	}{
		{"missing text", map[string]any{"due_on": dayOf(e, 5)}, "text", "required"},
		{"blank text", map[string]any{"text": "   ", "due_on": dayOf(e, 5)}, "text", "required"},
		{"missing due date", map[string]any{"text": "Báo cáo."}, "due_on", "required"},
		{"due date in the past", map[string]any{"text": "Báo cáo.", "due_on": dayOf(e, -1)}, "due_on", "not_past"},
		{"malformed due date", map[string]any{"text": "Báo cáo.", "due_on": "31/12/2026"}, "due_on", "format"},
		{"addressee of another unit", map[string]any{"text": "Báo cáo.", "due_on": dayOf(e, 5), "addressee_id": e.userID("hnkv2.vientruong")},
			"addressee_id", "prosecutor_of_unit"},
		{"addressee not a user id", map[string]any{"text": "Báo cáo.", "due_on": dayOf(e, 5), "addressee_id": "ksv1"}, "addressee_id", "format"},
		{"addressee a clerk", map[string]any{"text": "Báo cáo.", "due_on": dayOf(e, 5), "addressee_id": e.userID("hnkv1.thuky")},
			"addressee_id", "prosecutor_of_unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantDetail(t, e.post(path, hnChief, tc.body), http.StatusUnprocessableEntity, "invalid", tc.field, tc.rule)
		})
	}
	wantError(t, e.post(path, hnChief, map[string]any{"text": "Báo cáo.", "due_on": dayOf(e, 5), "priority": "high"}), http.StatusBadRequest, "bad_request")
	wantError(t, e.post(v1+"/cases/not-a-case/instructions", hnChief, map[string]any{"text": "Báo cáo.", "due_on": dayOf(e, 5)}), http.StatusNotFound, "not_found")
	if n := e.count(`SELECT count(*) FROM instructions`); n != 0 {
		t.Fatalf("%d instructions written by refused requests", n)
	}
	// Today is a valid due date.
	decodeAs[instructionView](t, e.post(path, hnChief, map[string]any{"text": "Báo cáo ngay trong ngày.", "due_on": dayOf(e, 0)}), http.StatusCreated)
}

// A superior unit asks for a subordinate unit's case file and the unit asked answers through its
// leaders; a request from the case's own unit is refused, one from below cannot see the case.
func TestSupervisionFileRequests(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	other := newStory(t, e, tm, nil)
	hnChief := e.login("hn.vientruong").AccessToken
	hnKSV := e.login("hn.ksv").AccessToken
	tcChief := e.login("tc.vientruong").AccessToken
	kv2Chief := e.login("hnkv2.vientruong").AccessToken
	kv1, hn := e.units[seed.RegionalCode("HNI", 1)], e.units[seed.ProvinceCode("HNI")]
	path := v1 + "/cases/" + s.id + "/file-requests"
	body := map[string]any{"reason": "Kiểm tra việc áp dụng biện pháp tạm giam theo đơn của người bào chữa.", "due_on": dayOf(e, 5)}

	// The case's own unit is not above itself: its chief reads the case but is refused (403).
	wantDetail(t, e.post(path, tm.chief, body), http.StatusForbidden, "forbidden", "case_id", "superior_unit")
	wantError(t, e.post(path, tm.ksv, body), http.StatusForbidden, "forbidden")
	wantError(t, e.post(path, kv2Chief, body), http.StatusNotFound, "not_found")
	// From below: a case of the province asked for by the regional chief is not even visible.
	provCase := decodeAs[caseView](t, e.post(v1+"/cases", hnChief, e.validCase(hn.ID)), http.StatusCreated)
	wantError(t, e.post(v1+"/cases/"+provCase.ID+"/file-requests", tm.chief, body), http.StatusNotFound, "not_found")
	// Bad input, after authorization.
	wantDetail(t, e.post(path, hnChief, map[string]any{"due_on": dayOf(e, 5)}), http.StatusUnprocessableEntity, "invalid", "reason", "required")
	wantDetail(t, e.post(path, hnChief, map[string]any{"reason": "Kiểm tra.", "due_on": dayOf(e, -2)}), http.StatusUnprocessableEntity, "invalid", "due_on", "not_past")
	if n := e.count(`SELECT count(*) FROM file_requests`); n != 0 {
		t.Fatalf("%d file requests after refusals", n)
	}

	fr := decodeAs[fileRequestView](t, e.post(path, hnChief, body), http.StatusCreated)
	if fr.RequesterUnit.ID != hn.ID || fr.Unit.ID != kv1.ID || fr.Status != "pending" || fr.Version != 1 || fr.DueOn != dayOf(e, 5) {
		t.Fatalf("request: %+v", fr)
	}
	// One pending request per unit and case; the Supreme Procuracy, two levels up, asks on its own.
	wantDetail(t, e.post(path, hnChief, body), http.StatusConflict, "conflict", "case_id", "pending_request")
	top := decodeAs[fileRequestView](t, e.post(path, tcChief, body), http.StatusCreated)
	if top.RequesterUnit.ID != e.units[seed.SupremeCode].ID {
		t.Errorf("the Supreme chief requested as unit %d", top.RequesterUnit.ID)
	}
	// A provincial prosecutor, who cannot read the regional case, may still ask for its file and
	// sees their own request in the list.
	wantError(t, e.get(v1+"/cases/"+other.id, hnKSV), http.StatusNotFound, "not_found")
	mine := decodeAs[fileRequestView](t, e.post(v1+"/cases/"+other.id+"/file-requests", hnKSV, body), http.StatusCreated)
	if l := listOf[fileRequestView](t, e, v1+"/file-requests", hnKSV); l.Total != 1 || l.Items[0].ID != mine.ID {
		t.Errorf("the provincial prosecutor's requests: %+v", l)
	}
	if k := notificationKinds(t, e, tm.chief, s.id); !slices.Contains(k, "file_request.created") {
		t.Errorf("the unit asked was not told: %v", k)
	}

	// Answering: the leaders of the unit asked only.
	answer := func(token string, b map[string]any) response {
		return e.post(v1+"/file-requests/"+fr.ID+"/answer", token, b)
	}
	wantError(t, answer(tm.ksv, map[string]any{"version": 1, "outcome": "sent"}), http.StatusForbidden, "forbidden")
	wantError(t, answer(hnChief, map[string]any{"version": 1, "outcome": "sent"}), http.StatusForbidden, "forbidden")
	wantError(t, answer(kv2Chief, map[string]any{"version": 1, "outcome": "sent"}), http.StatusNotFound, "not_found")
	wantDetail(t, answer(tm.chief, map[string]any{"version": 1, "outcome": "refused"}), http.StatusUnprocessableEntity, "invalid", "note", "required")
	wantDetail(t, answer(tm.chief, map[string]any{"version": 1, "outcome": "lost"}), http.StatusUnprocessableEntity, "invalid", "outcome", "enum")
	wantDetail(t, answer(tm.chief, map[string]any{"version": 2, "outcome": "sent"}), http.StatusConflict, "conflict", "version", "stale")
	fr = decodeAs[fileRequestView](t, answer(tm.chief, map[string]any{"version": 1, "outcome": "sent", "note": "Đã chuyển bản sao hồ sơ ngày hôm nay."}), http.StatusOK)
	if fr.Status != "sent" || fr.AnswerNote == nil || fr.Version != 2 {
		t.Fatalf("after the answer: %+v", fr)
	}
	wantDetail(t, answer(tm.chief, map[string]any{"version": 2, "outcome": "refused", "note": "Nhầm."}), http.StatusUnprocessableEntity, "invalid",
		"status", "transition")
	if k := notificationKinds(t, e, hnChief, s.id); !slices.Contains(k, "file_request.answered") {
		t.Errorf("the requester was not told of the answer: %v", k)
	}
	refused := decodeAs[fileRequestView](t, e.post(v1+"/file-requests/"+top.ID+"/answer", tm.chief, map[string]any{"version": 1, "outcome": "refused",
		"note": "Hồ sơ đang được Tòa án thụ lý."}), http.StatusOK)
	if refused.Status != "refused" {
		t.Fatalf("refusal: %+v", refused)
	}

	// Overdue: the provincial prosecutor's request is still pending past its date.
	e.clock.Advance(6 * 24 * time.Hour)
	chief := e.login("hnkv1.vientruong").AccessToken
	l := listOf[fileRequestView](t, e, v1+"/file-requests?direction=received&overdue=true", chief)
	if l.Total != 1 || l.Items[0].ID != mine.ID || !l.Items[0].Overdue {
		t.Errorf("overdue requests received by KV01: %+v", l)
	}
	if l := listOf[fileRequestView](t, e, v1+"/file-requests?direction=issued&status=sent,refused", e.login("hn.vientruong").AccessToken); l.Total != 1 {
		t.Errorf("answered requests issued by HNI: %+v", l)
	}
	wantDetail(t, e.get(v1+"/file-requests?status=answered", chief), http.StatusUnprocessableEntity, "invalid", "status", "enum")
	for action, want := range map[string]int{"file_request.create": 3, "file_request.answer": 2} {
		if n := e.count(`SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = 'success'`, action); n != want {
			t.Errorf("%d %s audit rows, want %d", n, action, want)
		}
	}
}

// The public-interest mark is an edit of the case: its prosecutors on the team and its leaders set
// it at the version they read; the version moves and the change feed and audit log record it.
func TestSupervisionPublicInterest(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	path := v1 + "/cases/" + s.id + "/public-interest"
	put := func(token string, b map[string]any) response {
		return e.send(req{Method: "PUT", Path: path, Token: token, Body: b})
	}
	changes := func() int { return e.count(`SELECT count(*) FROM changes WHERE case_id = $1`, s.id) }
	before := changes()
	wantError(t, put(e.login("hnkv2.vientruong").AccessToken, map[string]any{"version": s.version, "public_interest": true}), http.StatusNotFound, "not_found")
	wantError(t, put(tm.clerk, map[string]any{"version": s.version, "public_interest": true}), http.StatusForbidden, "forbidden")
	wantError(t, put(e.login("hnkv1.ksv2").AccessToken, map[string]any{"version": s.version, "public_interest": true}), http.StatusForbidden, "forbidden")
	wantError(t, put(e.login("hn.vientruong").AccessToken, map[string]any{"version": s.version, "public_interest": true}), http.StatusForbidden, "forbidden")
	wantDetail(t, put(tm.ksv, map[string]any{"version": s.version}), http.StatusUnprocessableEntity, "invalid", "public_interest", "required")
	wantDetail(t, put(tm.ksv, map[string]any{"public_interest": true}), http.StatusUnprocessableEntity, "invalid", "version", "required")
	wantDetail(t, put(tm.ksv, map[string]any{"version": s.version - 1, "public_interest": true}), http.StatusConflict, "conflict", "version", "stale")
	if changes() != before || e.count(`SELECT count(*) FROM cases WHERE id = $1 AND public_interest`, s.id) != 0 {
		t.Fatal("refused requests changed the case")
	}
	type markView struct {
		CaseID         string `json:"case_id"`
		PublicInterest bool   `json:"public_interest"`
		Version        int    `json:"version"`
	}
	m := decodeAs[markView](t, put(tm.ksv, map[string]any{"version": s.version, "public_interest": true, "note": "Báo chí đưa tin nhiều ngày."}), http.StatusOK)
	if !m.PublicInterest || m.Version != s.version+1 || m.CaseID != s.id {
		t.Fatalf("after marking: %+v", m)
	}
	if changes() != before+1 {
		t.Errorf("change feed entries: %d, want %d", changes(), before+1)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.public_interest' AND outcome = 'success' AND target_id = $1`, s.id); n != 1 {
		t.Errorf("%d audit rows of the mark", n)
	}
	if got := decodeAs[caseView](t, e.get(v1+"/cases/"+s.id, tm.chief), http.StatusOK); got.Version != m.Version {
		t.Errorf("the case's version is %d, the mark answered %d", got.Version, m.Version)
	}
}

// Subscriptions match the cases meeting their criteria now — serious and above, detained longer
// than N days, public interest — within what the subscriber may read.
func TestSupervisionSubscriptions(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	// A theft of great value (Điều 173 khoản 3: very serious) with its accused charged so, a minor
	// theft whose accused is detained, and a minor theft public opinion follows.
	serious := newStory(t, e, tm, nil)
	serious.investigate(tm)
	o := serious.ok(v1+"/cases/"+serious.id+"/accused", tm.ksv, serious.cqdt("", "person", person("Lê Văn Cường", "001095054321", today(e)),
		"charges", []map[string]any{charge("173", 3)}))
	serious.approve(tm.chief, o.Decision.ID)
	detained := newStory(t, e, tm, nil)
	detained.investigate(tm)
	acc := detained.addAccused(tm, "Trần Văn Bình", "001095012345")
	detained.detain(tm, acc, "41/LTG-VKS", 60)
	// The detention goes on under an extension starting five days from now, written directly (the
	// query is what is tested here): the days count from the first order of the chain, so 15 days
	// on the person has been held 15 days, not the extension's 10.
	e.exec(`UPDATE measures SET status = 'ended', ended_at = $2 WHERE case_id = $1 AND kind = 'detention'`, detained.id, e.clock.Now().Add(5*24*time.Hour))
	e.exec(`INSERT INTO measures (id, case_id, accused_id, kind, stage, start_at, ordered_end, extends_id, extension_no, decision_id, status, created_at)
		SELECT gen_random_uuid(), m.case_id, m.accused_id, 'detention', m.stage, $2, m.ordered_end + 30, m.id, 1, m.decision_id, 'active', $2
		FROM measures m WHERE m.case_id = $1 AND m.kind = 'detention'`, detained.id, e.clock.Now().Add(5*24*time.Hour))
	e.clock.Advance(15 * 24 * time.Hour)
	tm = loginKV1(e)
	public := newStory(t, e, tm, nil)
	r := e.send(req{Method: "PUT", Path: v1 + "/cases/" + public.id + "/public-interest", Token: tm.ksv,
		Body: map[string]any{"version": public.version, "public_interest": true}})
	if r.Status != http.StatusOK {
		t.Fatalf("mark public interest: %d %s", r.Status, r.Body)
	}
	hnChief := e.login("hn.vientruong").AccessToken
	kv2 := e.units[seed.RegionalCode("HNI", 2)].ID

	type subView struct {
		ID                string  `json:"id"`
		MinClass          *string `json:"min_class"`
		DetentionOverDays *int    `json:"detention_over_days"`
		PublicInterest    bool    `json:"public_interest"`
		IncludeSubunits   bool    `json:"include_subunits"`
	}
	subscribe := func(token string, b map[string]any) subView {
		t.Helper()
		return decodeAs[subView](t, e.post(v1+"/subscriptions", token, b), http.StatusCreated)
	}
	matches := func(token, id string) map[string]matchView {
		t.Helper()
		l := listOf[matchView](t, e, v1+"/subscriptions/"+id+"/cases?limit=200", token)
		out := map[string]matchView{}
		for _, m := range l.Items {
			out[m.ID] = m
		}
		if int64(len(out)) != l.Total {
			t.Fatalf("total %d for %d cases", l.Total, len(out))
		}
		return out
	}
	rank := map[string]int{"less_serious": 1, "serious": 2, "very_serious": 3, "particularly_serious": 4}

	bySeverity := subscribe(hnChief, map[string]any{"name": "Án rất nghiêm trọng trở lên", "min_class": "very_serious"})
	got := matches(hnChief, bySeverity.ID)
	if _, ok := got[serious.id]; !ok || got[serious.id].Class == nil || *got[serious.id].Class != "very_serious" {
		t.Errorf("the very serious theft is not matched: %+v", got[serious.id])
	}
	for _, id := range []string{detained.id, public.id} {
		if _, ok := got[id]; ok {
			t.Errorf("a minor theft matched min_class very_serious: %+v", got[id])
		}
	}
	for id, m := range got {
		if m.Class == nil || rank[*m.Class] < 3 {
			t.Errorf("case %s of class %v matched min_class very_serious", id, m.Class)
		}
	}

	byDetention := subscribe(hnChief, map[string]any{"detention_over_days": 10})
	got = matches(hnChief, byDetention.ID)
	if m, ok := got[detained.id]; !ok || m.DetentionDays < 14 || m.DetentionDays > 15 {
		t.Errorf("the case detained 15 days: %+v (matched %v)", m, ok)
	}
	for id, m := range got {
		if m.DetentionDays <= 10 {
			t.Errorf("case %s held %d days matched detention over 10 days", id, m.DetentionDays)
		}
	}
	if got := matches(hnChief, subscribe(hnChief, map[string]any{"detention_over_days": 20}).ID); got[detained.id].ID != "" {
		t.Errorf("the case detained 15 days matched detention over 20 days: %+v", got[detained.id])
	}
	for _, id := range []string{serious.id, public.id} {
		if m, ok := got[id]; ok {
			t.Errorf("a case with nobody detained matched: %+v", m)
		}
	}

	byInterest := subscribe(hnChief, map[string]any{"public_interest": true})
	got = matches(hnChief, byInterest.ID)
	if len(got) != 1 || !got[public.id].PublicInterest {
		t.Errorf("public interest: %v", got)
	}
	// Criteria combine: public interest and very serious is nothing here; a unit narrows them.
	if got := matches(hnChief, subscribe(hnChief, map[string]any{"public_interest": true, "min_class": "very_serious"}).ID); len(got) != 0 {
		t.Errorf("public interest and very serious: %v", got)
	}
	if got := matches(hnChief, subscribe(hnChief, map[string]any{"public_interest": true, "unit_id": kv2}).ID); len(got) != 0 {
		t.Errorf("public interest at KV02: %v", got)
	}
	// The sibling unit's chief does not see KV01's cases, whatever they subscribe to; the unit's
	// clerk sees its own.
	kv2Chief := e.login("hnkv2.vientruong").AccessToken
	if got := matches(kv2Chief, subscribe(kv2Chief, map[string]any{"public_interest": true}).ID); len(got) != 0 {
		t.Errorf("a sibling's chief matched %v", got)
	}
	if got := matches(tm.clerk, subscribe(tm.clerk, map[string]any{"public_interest": true}).ID); len(got) != 1 {
		t.Errorf("the unit's clerk matched %v", got)
	}

	// The subscriber's own list; another user's subscription is 404 to read and to delete.
	l := listOf[subView](t, e, v1+"/subscriptions", hnChief)
	if l.Total != 6 || len(l.Items) != 6 || l.Items[0].ID != bySeverity.ID {
		t.Errorf("the chief's subscriptions: %+v", l)
	}
	wantError(t, e.get(v1+"/subscriptions/"+bySeverity.ID+"/cases", kv2Chief), http.StatusNotFound, "not_found")
	wantError(t, e.send(req{Method: "DELETE", Path: v1 + "/subscriptions/" + bySeverity.ID, Token: kv2Chief}), http.StatusNotFound, "not_found")
	if r := e.send(req{Method: "DELETE", Path: v1 + "/subscriptions/" + bySeverity.ID, Token: hnChief}); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	wantError(t, e.get(v1+"/subscriptions/"+bySeverity.ID+"/cases", hnChief), http.StatusNotFound, "not_found")

	// Bad input: 422 with the field; a unit outside the scope 404; an administrator reads no case.
	for _, tc := range []struct {
		name        string
		body        map[string]any
		field, rule string
	}{
		{"no criterion", map[string]any{"name": "Tất cả"}, "criteria", "required"},
		{"unknown class", map[string]any{"min_class": "grave"}, "min_class", "enum"},
		{"zero days", map[string]any{"detention_over_days": 0}, "detention_over_days", "range"},
		{"ten thousand days", map[string]any{"detention_over_days": 10000}, "detention_over_days", "range"},
		{"unknown unit", map[string]any{"public_interest": true, "unit_id": 999999}, "unit_id", "exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantDetail(t, e.post(v1+"/subscriptions", hnChief, tc.body), http.StatusUnprocessableEntity, "invalid", tc.field, tc.rule)
		})
	}
	wantError(t, e.post(v1+"/subscriptions", hnChief, map[string]any{"public_interest": true, "unit_id": e.units[seed.ProvinceCode("HCM")].ID}),
		http.StatusNotFound, "not_found")
	wantError(t, e.post(v1+"/subscriptions", e.login("hn.quantri").AccessToken, map[string]any{"public_interest": true}), http.StatusForbidden, "forbidden")
	wantDetail(t, e.get(v1+"/subscriptions/"+byInterest.ID+"/cases?limit=201", hnChief), http.StatusUnprocessableEntity, "invalid", "limit", "max")
}

// A subscription tells its owner in the app, once, of each case that starts matching it after it
// was made: the sweep of the deadline monitor evaluates it. The cases matching when it is made are
// its baseline (no notification); a case the owner cannot read is never told; a second sweep, or
// the case unmarked and marked again, tells nothing more; many new cases at once make one summary.
// The case itself shows its public-interest mark.
func TestSupervisionSubscriptionNotifications(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tm := loginKV1(e)
	hnChief := e.login("hn.vientruong").AccessToken
	kv2Chief := e.login("hnkv2.vientruong").AccessToken
	mark := func(s *story, on bool) {
		t.Helper()
		r := e.send(req{Method: "PUT", Path: v1 + "/cases/" + s.id + "/public-interest", Token: tm.ksv,
			Body: map[string]any{"version": s.version, "public_interest": on}})
		if r.Status != http.StatusOK {
			t.Fatalf("mark public interest %v: %d %s", on, r.Status, r.Body)
		}
		var m struct {
			Version int `json:"version"`
		}
		r.decode(t, &m)
		s.version = m.Version
	}
	sweep := func() {
		t.Helper()
		if _, err := e.svc.Monitor.Sweep(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	told := func(token, caseID string) int {
		t.Helper()
		n := 0
		for _, k := range notificationKinds(t, e, token, caseID) {
			if k == "subscription.matched" {
				n++
			}
		}
		return n
	}
	type publicView struct {
		ID             string `json:"id"`
		PublicInterest *bool  `json:"public_interest"`
	}

	before := newStory(t, e, tm, nil)
	mark(before, true)
	sub := decodeAs[struct {
		ID string `json:"id"`
	}](t, e.post(v1+"/subscriptions", hnChief, map[string]any{"name": "Dư luận quan tâm", "public_interest": true}), http.StatusCreated)
	// The sibling unit's chief subscribes too, but reads none of KV01's cases.
	decodeAs[struct {
		ID string `json:"id"`
	}](t, e.post(v1+"/subscriptions", kv2Chief, map[string]any{"public_interest": true}), http.StatusCreated)
	sweep()
	if n := told(hnChief, before.id); n != 0 {
		t.Errorf("a case matching when the subscription was made was told %d times", n)
	}
	if n := e.count(`SELECT count(*) FROM subscription_matches WHERE subscription_id = $1 AND case_id = $2 AND NOT notified`, sub.ID, before.id); n != 1 {
		t.Errorf("the baseline case is recorded %d times", n)
	}

	later := newStory(t, e, tm, nil)
	got := decodeAs[publicView](t, e.get(v1+"/cases/"+later.id, tm.chief), http.StatusOK)
	if got.PublicInterest == nil || *got.PublicInterest {
		t.Fatalf("a new case's public_interest: %v", got.PublicInterest)
	}
	mark(later, true)
	got = decodeAs[publicView](t, e.get(v1+"/cases/"+later.id, tm.chief), http.StatusOK)
	if got.PublicInterest == nil || !*got.PublicInterest {
		t.Errorf("after marking, GET /cases/{id} shows public_interest %v", got.PublicInterest)
	}
	listed := false
	for _, c := range listOf[publicView](t, e, v1+"/cases?limit=100", tm.chief).Items {
		if c.ID == later.id {
			listed = c.PublicInterest != nil && *c.PublicInterest
		}
	}
	if !listed {
		t.Error("the case list does not show the mark")
	}

	sweep()
	if n := told(hnChief, later.id); n != 1 {
		t.Errorf("the case that started matching was told %d times, want 1", n)
	}
	if n := told(kv2Chief, later.id); n != 0 {
		t.Errorf("a chief who cannot read the case was told %d times", n)
	}
	sweep()
	// Unmarked and marked again, the case was told already for this subscription.
	mark(later, false)
	sweep()
	mark(later, true)
	e.clock.Advance(time.Minute)
	sweep()
	if n := told(hnChief, later.id); n != 1 {
		t.Errorf("after more sweeps the case was told %d times, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM notifications WHERE kind = 'subscription.matched'`); n != 1 {
		t.Errorf("%d subscription notifications in all, want 1", n)
	}

	// More than service.SubscriptionNoticeLimit new cases in one sweep: one summary, no case named.
	var many []string
	for range service.SubscriptionNoticeLimit + 1 {
		many = append(many, newStory(t, e, tm, nil).id)
	}
	e.exec(`UPDATE cases SET public_interest = true WHERE id = ANY($1::uuid[])`, "{"+strings.Join(many, ",")+"}")
	sweep()
	sweep()
	if n := e.count(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.kind = 'subscription.matched' AND n.case_id IS NULL AND u.username = 'hn.vientruong'`); n != 1 {
		t.Errorf("%d summary notifications, want 1", n)
	}
	for _, id := range many {
		if n := told(hnChief, id); n != 0 {
			t.Errorf("case %s of the batch was told one by one (%d)", id, n)
		}
	}
	if n := e.count(`SELECT count(*) FROM subscription_matches WHERE subscription_id = $1 AND notified`, sub.ID); n != len(many)+1 {
		t.Errorf("%d cases recorded as told, want %d", n, len(many)+1)
	}
	// Deleting the subscription deletes what it saw.
	if r := e.send(req{Method: "DELETE", Path: v1 + "/subscriptions/" + sub.ID, Token: hnChief}); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if n := e.count(`SELECT count(*) FROM subscription_matches WHERE subscription_id = $1`, sub.ID); n != 0 {
		t.Errorf("%d matches left after the subscription was deleted", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
