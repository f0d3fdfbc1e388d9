package e2e_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiemsat/service"
	"kiemsat/service/seed"
)

// bodyRoute is how to reach one body-taking route as a caller allowed to use it, and a field of
// its body with a JSON type to get wrong.
type bodyRoute struct {
	user      string
	path      string
	typeField string
	typeBody  string
	// invalid is a well-formed body that breaks a rule, and the field the 422 must name.
	invalid      any
	invalidField string
	invalidRule  string
	// multipart marks an upload route: it gets the multipart battery, and invalid is its form
	// fields (the file part added).
	multipart bool
	// fields are valid form fields of the upload, sent with the oversized file.
	fields [][2]string
}

type fixture struct {
	e          *env
	kv1, kv2   int64
	hni        int64
	caseID     string
	caseVer    int
	ksv1       string
	assignment string
	// A case of the fixture's own under investigation at VKS-HNI-KV01 (hnkv1.ksv1 lead), with one
	// accused whose institution by the investigating agency awaits the procuracy's approval: the
	// lifecycle routes need a case, an accused and a pending decision that the demo data may not
	// keep as they are.
	lcCase, lcAccused, lcPending string
	lcVer                        int
	// A finding (vi phạm tố tụng) on the fixture's case and a free draft recommendation (kiến
	// nghị) on it, for the recommendation routes.
	lcFinding int64
	lcRec     string
	// A document filed in the fixture's case, for the case-file routes.
	lcDoc string
	// An instruction (chỉ đạo) of VKS-HNI on the fixture's case and its request for the case's
	// file (yêu cầu chuyển hồ sơ), for the supervision routes.
	lcInstruction, lcFileRequest string
}

// fixtureMaxFile is the largest case file the fixture's server accepts, small enough that the
// battery's oversized uploads stay small.
const fixtureMaxFile = 64 << 10

func newFixture(t *testing.T) *fixture {
	e := newEnv(t, withMaxFileSize(fixtureMaxFile))
	f := &fixture{e: e, kv1: e.units[seed.RegionalCode("HNI", 1)].ID, kv2: e.units[seed.RegionalCode("HNI", 2)].ID,
		hni: e.units[seed.ProvinceCode("HNI")].ID, ksv1: e.userID("hnkv1.ksv1")}
	f.caseID = e.caseOf(seed.RegionalCode("HNI", 1))
	if err := e.db.QueryRow(`SELECT version FROM cases WHERE id = $1`, f.caseID).Scan(&f.caseVer); err != nil {
		t.Fatal(err)
	}
	if err := e.db.QueryRow(`SELECT id::text FROM case_assignments WHERE case_id = $1 AND ended_at IS NULL LIMIT 1`, f.caseID).Scan(&f.assignment); err != nil {
		t.Fatal(err)
	}
	f.lifecycleCase(t)
	return f
}

// lifecycleCase registers the fixture's own case as an instituted case (not a report, so that
// the crime-report register the other tests count is left alone) and drives it through the API
// to an accused awaiting approval.
func (f *fixture) lifecycleCase(t *testing.T) {
	e := f.e
	tm := loginKV1(e)
	s := newStory(t, e, tm, func(b map[string]any) {
		b["kind"], b["source_type"], b["channel"] = "case", "institution_decision", "agency"
		b["reporter_kind"], b["reporter_name"] = "agency", "Cơ quan CSĐT Công an TP Hà Nội"
	})
	s.wantStage(s.decide(tm.chief, s.vks("accept_institution", "number", "20/QĐ-VKS")), "investigation")
	o := s.ok(v1+"/cases/"+s.id+"/accused", tm.chief, s.cqdt("", "number", "30/QĐ-CSĐT", "person", person("Trần Văn Bình", "001095012345", today(e)),
		"charges", []map[string]any{charge("173", 1)}))
	if o.Decision.Status != "pending_approval" || len(o.Decision.AccusedID) != 1 {
		t.Fatalf("fixture accused: %+v", o.Decision)
	}
	f.lcCase, f.lcVer, f.lcAccused, f.lcPending = s.id, s.version, o.Decision.AccusedID[0], o.Decision.ID
	// The fixture's case has no defect of its own; the row below stands in for one the checker
	// would store (the bad-input cases never get past validation, so its content does not matter).
	if err := e.db.QueryRow(`INSERT INTO case_findings (case_id, finding_key, code, article, severity, message_vi, message_en, remedy, found_at, updated_at)
		VALUES ($1, 'measure_without_approval|d=|m=|a=', 'measure_without_approval', 'Điều 119(5) BLTTHS', 'violation',
		'Biện pháp tạm giam đang được thi hành nhưng chưa được Viện kiểm sát phê chuẩn.', 'The detention is executed without approval.', 'request', now(), now())
		RETURNING id`, s.id).Scan(&f.lcFinding); err != nil {
		t.Fatal(err)
	}
	r := e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + "/recommendations", Token: tm.chief, Body: map[string]any{"kind": "recommendation",
		"addressee": "Cơ quan CSĐT Công an TP Hà Nội", "subject": "Kiến nghị khắc phục vi phạm", "body": "Nội dung kiến nghị."}})
	if r.Status != http.StatusCreated {
		t.Fatalf("fixture recommendation: %d %s", r.Status, r.Body)
	}
	var rec struct {
		ID string `json:"id"`
	}
	r.decode(t, &rec)
	f.lcRec = rec.ID
	r = e.upload(v1+"/cases/"+s.id+"/files", tm.clerk, docFields("decisions", "Quyết định khởi tố vụ án", "normal"), "qd.pdf", pdfBytes(11, 3000))
	if r.Status != http.StatusCreated {
		t.Fatalf("fixture document: %d %s", r.Status, r.Body)
	}
	r.decode(t, &rec)
	f.lcDoc = rec.ID
	hn := e.login("hn.vientruong").AccessToken
	for _, x := range []struct {
		path string
		body map[string]any
		id   *string
	}{{"/instructions", map[string]any{"text": "Báo cáo tiến độ.", "due_on": dayOf(e, 7)}, &f.lcInstruction},
		{"/file-requests", map[string]any{"reason": "Kiểm tra hồ sơ.", "due_on": dayOf(e, 7)}, &f.lcFileRequest}} {
		r = e.send(req{Method: "POST", Path: v1 + "/cases/" + s.id + x.path, Token: hn, Body: x.body})
		if r.Status != http.StatusCreated {
			t.Fatalf("fixture %s: %d %s", x.path, r.Status, r.Body)
		}
		r.decode(t, &rec)
		*x.id = rec.ID
	}
}

func (f *fixture) bodyRoutes() map[string]bodyRoute {
	kv1s := strconv.FormatInt(f.kv1, 10)
	future := f.e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	badCase := f.e.validCase(f.kv1)
	badCase["parties"] = []map[string]any{{"role": "victim", "full_name": "Nguyễn Văn An", "national_id": "12345"}}
	day := today(f.e)
	cqdt := func(kv ...any) map[string]any {
		m := map[string]any{"version": f.lcVer, "issuer": "investigating_agency", "issued_on": day}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	hearing := v1 + "/hearings/0190a4c2-0000-7000-8000-000000000001"
	return map[string]bodyRoute{
		// Court hearings: bodies are read before the hearing is looked up.
		"POST " + v1 + "/cases/:id/hearings": {user: "hnkv1.vientruong", path: v1 + "/cases/" + f.lcCase + "/hearings", typeField: "scheduled_at",
			typeBody: `{"level":"first_instance","scheduled_at":20261201}`},
		"POST " + v1 + "/hearings/:id/postpone": {user: "hnkv1.vientruong", path: hearing + "/postpone", typeField: "version",
			typeBody: `{"version":"1","reason":"Bị cáo ốm"}`},
		"POST " + v1 + "/hearings/:id/adjourn": {user: "hnkv1.vientruong", path: hearing + "/adjourn", typeField: "version",
			typeBody: `{"version":"1","reason":"Cần giám định bổ sung"}`},
		"POST " + v1 + "/hearings/:id/held": {user: "hnkv1.vientruong", path: hearing + "/held", typeField: "version",
			typeBody: `{"version":"1"}`},
		"POST " + v1 + "/hearings/:id/cancel": {user: "hnkv1.vientruong", path: hearing + "/cancel", typeField: "version",
			typeBody: `{"version":"1","reason":"Vụ án đã nhập"}`},
		// Closing a statistical period.
		"POST " + v1 + "/statistics/periods": {user: "hnkv1.vientruong", path: v1 + "/statistics/periods", typeField: "unit_id",
			typeBody: `{"unit_id":"40","period":"2026-11"}`, invalid: map[string]any{"period": "2026-13"}, invalidField: "period", invalidRule: "format"},
		// The case file (hồ sơ vụ án): two uploads and the withdrawal.
		"POST " + v1 + "/cases/:id/files": {user: "hnkv1.thuky", path: v1 + "/cases/" + f.lcCase + "/files", multipart: true,
			fields:  docFields("evidence", "Video", "normal"),
			invalid: docFields("exhibits", "Tài liệu", "normal"), invalidField: "section", invalidRule: "enum"},
		"POST " + v1 + "/files/:id/versions": {user: "hnkv1.thuky", path: v1 + "/files/" + f.lcDoc + "/versions", multipart: true,
			invalid: [][2]string{{"note", strings.Repeat("x", 2001)}}, invalidField: "note", invalidRule: "max_length"},
		"POST " + v1 + "/files/:id/withdraw": {user: "hnkv1.thuky", path: v1 + "/files/" + f.lcDoc + "/withdraw", typeField: "version",
			typeBody: `{"version":"1","reason":"Nộp nhầm"}`, invalid: map[string]any{"version": 1, "reason": "  "}, invalidField: "reason", invalidRule: "required"},
		// The lifecycle routes: each invalid body breaks a rule checked before the case's state.
		"POST " + v1 + "/cases/:id/decisions": {user: "hnkv1.vientruong", path: v1 + "/cases/" + f.lcCase + "/decisions", typeField: "version",
			typeBody: `{"version":"2","step":"extend_investigation"}`,
			invalid:  cqdt("step", "suspend_investigation", "issued_on", "20/11/2026"), invalidField: "issued_on", invalidRule: "format"},
		"POST " + v1 + "/cases/:id/accused": {user: "hnkv1.vientruong", path: v1 + "/cases/" + f.lcCase + "/accused", typeField: "charges",
			typeBody: `{"charges":{"article":"173","clause":1}}`,
			invalid: cqdt("person", map[string]any{"full_name": "Lê Văn Bốn", "national_id": "12345", "offence_date": day},
				"charges", []map[string]any{charge("173", 1)}), invalidField: "person.national_id", invalidRule: "format"},
		"POST " + v1 + "/accused/:id/charges": {user: "hnkv1.vientruong", path: v1 + "/accused/" + f.lcAccused + "/charges", typeField: "replace_charges",
			typeBody: `{"replace_charges":"yes"}`,
			invalid:  cqdt("replace_charges", true, "charges", []map[string]any{charge("999", 1)}), invalidField: "charges[0].article", invalidRule: "format"},
		"POST " + v1 + "/accused/:id/measures": {user: "hnkv1.vientruong", path: v1 + "/accused/" + f.lcAccused + "/measures", typeField: "measure",
			typeBody: `{"step":"order_detention","measure":"detention"}`,
			invalid: cqdt("step", "order_detention", "measure", map[string]any{"stage": "investigation",
				"start_at": f.e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "ordered_end": "31/12/2026"}), invalidField: "measure.ordered_end", invalidRule: "format"},
		// Recommendations (kiến nghị) and requests (yêu cầu): each invalid body breaks a rule of the
		// service, checked after authorization.
		"POST " + v1 + "/findings/:id/recommendations": {user: "hnkv1.vientruong", path: v1 + "/findings/" + strconv.FormatInt(f.lcFinding, 10) + "/recommendations",
			typeField: "kind", typeBody: `{"kind":1}`, invalid: map[string]any{"kind": "advice"}, invalidField: "kind", invalidRule: "enum"},
		"POST " + v1 + "/cases/:id/recommendations": {user: "hnkv1.vientruong", path: v1 + "/cases/" + f.lcCase + "/recommendations",
			typeField: "subject", typeBody: `{"kind":"request","subject":["a"]}`,
			invalid: map[string]any{"kind": "request", "addressee": "Cơ quan điều tra", "subject": "Yêu cầu", "body": "  "}, invalidField: "body", invalidRule: "required"},
		"PATCH " + v1 + "/recommendations/:id": {user: "hnkv1.vientruong", path: v1 + "/recommendations/" + f.lcRec, typeField: "version",
			typeBody: `{"version":"1"}`, invalid: map[string]any{"version": 1, "status": "resolved"}, invalidField: "status", invalidRule: "transition"},
		"POST " + v1 + "/decisions/:id/approval": {user: "hnkv1.vientruong", path: v1 + "/decisions/" + f.lcPending + "/approval", typeField: "outcome",
			typeBody: `{"outcome":true}`,
			invalid:  map[string]any{"version": f.lcVer, "outcome": "perhaps", "issued_on": day}, invalidField: "outcome", invalidRule: "enum"},

		// Supervision across levels: each invalid body breaks a rule checked after authorization.
		"POST " + v1 + "/cases/:id/instructions": {user: "hn.vientruong", path: v1 + "/cases/" + f.lcCase + "/instructions", typeField: "text",
			typeBody: `{"text":1}`, invalid: map[string]any{"text": "Báo cáo.", "due_on": "2000-01-01"}, invalidField: "due_on", invalidRule: "not_past"},
		"POST " + v1 + "/instructions/:id/respond": {user: "hnkv1.ksv1", path: v1 + "/instructions/" + f.lcInstruction + "/respond", typeField: "version",
			typeBody: `{"version":"1"}`, invalid: map[string]any{"version": 1, "response": "  "}, invalidField: "response", invalidRule: "required"},
		"POST " + v1 + "/instructions/:id/close": {user: "hn.vientruong", path: v1 + "/instructions/" + f.lcInstruction + "/close", typeField: "note",
			typeBody: `{"version":1,"note":2}`, invalid: map[string]any{"version": 1}, invalidField: "status", invalidRule: "transition"},
		"POST " + v1 + "/instructions/:id/reopen": {user: "hn.vientruong", path: v1 + "/instructions/" + f.lcInstruction + "/reopen", typeField: "version",
			typeBody: `{"version":"1"}`, invalid: map[string]any{"version": 1, "note": "Làm lại."}, invalidField: "status", invalidRule: "transition"},
		"POST " + v1 + "/instructions/:id/cancel": {user: "hn.vientruong", path: v1 + "/instructions/" + f.lcInstruction + "/cancel", typeField: "version",
			typeBody: `{"version":true}`, invalid: map[string]any{"version": 1, "note": " "}, invalidField: "note", invalidRule: "required"},
		"POST " + v1 + "/cases/:id/file-requests": {user: "hn.vientruong", path: v1 + "/cases/" + f.lcCase + "/file-requests", typeField: "reason",
			typeBody: `{"reason":5}`, invalid: map[string]any{"reason": "Kiểm tra.", "due_on": "2000-01-01"}, invalidField: "due_on", invalidRule: "not_past"},
		"POST " + v1 + "/file-requests/:id/answer": {user: "hnkv1.vientruong", path: v1 + "/file-requests/" + f.lcFileRequest + "/answer", typeField: "outcome",
			typeBody: `{"outcome":1}`, invalid: map[string]any{"version": 1, "outcome": "lost"}, invalidField: "outcome", invalidRule: "enum"},
		"PUT " + v1 + "/cases/:id/public-interest": {user: "hnkv1.vientruong", path: v1 + "/cases/" + f.lcCase + "/public-interest",
			typeField: "public_interest", typeBody: `{"public_interest":"yes"}`,
			invalid: map[string]any{"version": f.lcVer, "public_interest": true, "note": strings.Repeat("x", 1001)}, invalidField: "note", invalidRule: "length"},
		"POST " + v1 + "/subscriptions": {user: "hnkv1.vientruong", path: v1 + "/subscriptions", typeField: "public_interest",
			typeBody: `{"public_interest":"yes"}`, invalid: map[string]any{"min_class": "grave"}, invalidField: "min_class", invalidRule: "enum"},

		"POST " + v1 + "/auth/login": {user: "", path: v1 + "/auth/login", typeField: "username", typeBody: `{"username":5,"password":"x"}`,
			invalid: map[string]string{"username": "", "password": "x"}, invalidField: "username", invalidRule: "required"},
		"POST " + v1 + "/auth/token": {user: "", path: v1 + "/auth/token", typeField: "client_id", typeBody: `{"grant_type":"client_credentials","client_id":5}`,
			invalid: map[string]string{"grant_type": "password", "client_id": "x", "client_secret": "y"}, invalidField: "grant_type", invalidRule: "enum"},
		"POST " + v1 + "/auth/refresh": {user: "", path: v1 + "/auth/refresh", typeField: "refresh_token", typeBody: `{"refresh_token":["a"]}`,
			invalid: map[string]string{"refresh_token": ""}, invalidField: "refresh_token", invalidRule: "required"},
		"POST " + v1 + "/auth/logout": {user: "hnkv1.thuky", path: v1 + "/auth/logout", typeField: "refresh_token", typeBody: `{"refresh_token":true}`},
		"POST " + v1 + "/auth/password": {user: "hnkv1.thuky", path: v1 + "/auth/password", typeField: "new_password", typeBody: `{"current_password":"x","new_password":1}`,
			invalid: map[string]string{"current_password": demoPassword, "new_password": "short"}, invalidField: "new_password", invalidRule: "min_length"},
		"POST " + v1 + "/units": {user: "admin", path: v1 + "/units", typeField: "parent_id", typeBody: `{"code":"X","parent_id":"one"}`,
			invalid: map[string]any{"code": "bad code!", "name": "Đơn vị thử nghiệm", "level": "regional", "parent_id": f.hni}, invalidField: "code", invalidRule: "format"},
		"PATCH " + v1 + "/units/:id": {user: "admin", path: v1 + "/units/" + kv1s, typeField: "version", typeBody: `{"version":"1"}`,
			invalid: map[string]any{"version": 1, "effective_to": "31/12/2026"}, invalidField: "effective_to", invalidRule: "format"},
		"POST " + v1 + "/users": {user: "hn.quantri", path: v1 + "/users", typeField: "unit_id", typeBody: `{"username":"a.b","unit_id":"kv1"}`,
			invalid: map[string]any{"username": "Bad Name", "full_name": "Người Thử", "unit_id": f.kv1, "password": "Mat-khau-tam-thoi-01"}, invalidField: "username", invalidRule: "format"},
		"PATCH " + v1 + "/users/:id": {user: "hn.quantri", path: v1 + "/users/" + f.ksv1, typeField: "active", typeBody: `{"version":1,"active":"yes"}`,
			invalid: map[string]any{"version": 1, "email": "not-an-email"}, invalidField: "email", invalidRule: "format"},
		"POST " + v1 + "/users/:id/grants": {user: "hn.quantri", path: v1 + "/users/" + f.ksv1 + "/grants", typeField: "unit_id", typeBody: `{"role":"clerk","unit_id":1.5}`,
			invalid: map[string]any{"role": "emperor", "unit_id": f.kv1}, invalidField: "role", invalidRule: "enum"},
		"POST " + v1 + "/cases": {user: "hnkv1.thuky", path: v1 + "/cases", typeField: "unit_id", typeBody: `{"kind":"report","unit_id":"` + kv1s + `"}`,
			invalid: badCase, invalidField: "parties[0].national_id", invalidRule: "format"},
		"POST " + v1 + "/cases/duplicates": {user: "hnkv1.thuky", path: v1 + "/cases/duplicates", typeField: "unit_id", typeBody: `{"kind":"report","unit_id":"` + kv1s + `"}`,
			invalid: badCase, invalidField: "parties[0].national_id", invalidRule: "format"},
		"PATCH " + v1 + "/cases/:id": {user: "hnkv1.thuky", path: v1 + "/cases/" + f.caseID, typeField: "secret", typeBody: `{"version":1,"secret":"no"}`,
			invalid: map[string]any{"version": f.caseVer, "received_at": future}, invalidField: "received_at", invalidRule: "not_future"},
		"POST " + v1 + "/cases/:id/assignments": {user: "hnkv1.vientruong", path: v1 + "/cases/" + f.caseID + "/assignments", typeField: "version", typeBody: `{"version":"2"}`,
			invalid: map[string]any{"version": f.caseVer, "user_id": f.ksv1, "role": "boss"}, invalidField: "role", invalidRule: "enum"},
		"PUT " + v1 + "/authorities": {user: "admin", path: v1 + "/authorities", typeField: "rung", typeBody: `{"step":"extend_investigation","power":"record","rung":"3"}`,
			invalid: map[string]any{"step": "extend_investigation", "power": "record", "rung": 11}, invalidField: "rung", invalidRule: "range"},
		"POST " + v1 + "/me/notifications/read": {user: "hnkv1.thuky", path: v1 + "/me/notifications/read", typeField: "ids", typeBody: `{"ids":"1"}`,
			invalid: map[string]any{"ids": []int{}}, invalidField: "ids", invalidRule: "required"},
		"POST " + v1 + "/assistant/ask": {user: "hnkv1.ksv1", path: v1 + "/assistant/ask", typeField: "question", typeBody: `{"question":["Thời hạn tạm giữ?"]}`,
			invalid: map[string]any{"question": "Thời hạn tạm giữ là bao lâu?", "case_id": "not-a-uuid"}, invalidField: "case_id", invalidRule: "format"},
		// 2026-01-12 is a Monday: a make-up working day there breaks Điều 111 BLLĐ.
		"PUT " + v1 + "/calendar/:date": {user: "admin", path: v1 + "/calendar/2026-01-12", typeField: "confirmed",
			typeBody: `{"name_vi":"Ngày nghỉ","kind":"statutory","confirmed":"yes"}`,
			invalid:  map[string]any{"name_vi": "Làm bù cho ngày nghỉ", "kind": "swap_workday", "confirmed": true}, invalidField: "date", invalidRule: "saturday"},
	}
}

// TestBadBodies sends malformed, unknown-field, wrongly typed, oversized and rule-breaking bodies
// to every route of the table that takes a body. A new body route without an entry fails here.
func TestBadBodies(t *testing.T) {
	f := newFixture(t)
	e := f.e
	routes := f.bodyRoutes()
	seen := map[string]bool{}
	toks := map[string]string{}
	token := func(user string) string {
		if user == "" {
			return ""
		}
		if _, ok := toks[user]; !ok {
			toks[user] = e.login(user).AccessToken
		}
		return toks[user]
	}
	for _, rt := range e.server.Routes() {
		if rt.Method != http.MethodPost && rt.Method != http.MethodPatch && rt.Method != http.MethodPut {
			continue
		}
		key := rt.Method + " " + rt.Path
		br, ok := routes[key]
		if !ok {
			t.Errorf("route %s takes a body but has no bad-input case", key)
			continue
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			tok := token(br.user)
			if br.multipart {
				badUploads(t, e, br, tok)
				return
			}
			send := func(body raw, mod func(*req)) response {
				r := req{Method: rt.Method, Path: br.path, Token: tok, Body: body}
				if mod != nil {
					mod(&r)
				}
				return e.send(r)
			}
			wantError(t, send(`{"username": "a",`, nil), http.StatusBadRequest, "bad_request")
			wantError(t, send(`not json at all`, nil), http.StatusBadRequest, "bad_request")
			wantError(t, send(`{} {}`, nil), http.StatusBadRequest, "bad_request")
			wantError(t, send(`[1,2]`, nil), http.StatusBadRequest, "bad_request")

			r := send(`{"zz_unknown_field": 1}`, nil)
			env := wantError(t, r, http.StatusBadRequest, "bad_request")
			if len(env.Error.Details) == 0 || env.Error.Details[0].Field != "zz_unknown_field" {
				t.Fatalf("unknown field not named: %s", r.Body)
			}
			r = send(raw(br.typeBody), nil)
			env = wantError(t, r, http.StatusBadRequest, "bad_request")
			if len(env.Error.Details) == 0 || env.Error.Details[0].Field != br.typeField {
				t.Fatalf("wrong type of %s not named: %s", br.typeField, r.Body)
			}
			wantError(t, send(`{}`, func(r *req) { r.Header = map[string]string{"Content-Type": "text/plain"} }), http.StatusBadRequest, "bad_request")

			big := raw(`{"zz":"` + strings.Repeat("x", 8<<10) + `"}`)
			wantError(t, send(big, nil), http.StatusRequestEntityTooLarge, "payload_too_large")
			wantError(t, send(big, func(r *req) { r.Chunked = true }), http.StatusRequestEntityTooLarge, "payload_too_large")

			if br.invalid != nil {
				r := e.send(req{Method: rt.Method, Path: br.path, Token: tok, Body: br.invalid})
				wantDetail(t, r, http.StatusUnprocessableEntity, "invalid", br.invalidField, br.invalidRule)
			}
		})
	}
	for k := range routes {
		if !seen[k] {
			t.Errorf("bad-input case %s matches no route", k)
		}
	}
	// None of the refused bodies wrote to the fixture's case: its two decisions, its version and
	// its pending approval are as they were.
	var ver int
	if err := e.db.QueryRow(`SELECT version FROM cases WHERE id = $1`, f.lcCase).Scan(&ver); err != nil || ver != f.lcVer {
		t.Errorf("lifecycle case version %d, want %d (%v)", ver, f.lcVer, err)
	}
	if n := e.count(`SELECT count(*) FROM case_decisions WHERE case_id = $1`, f.lcCase); n != 2 {
		t.Errorf("lifecycle case has %d decisions, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM accused WHERE case_id = $1 AND status = 'pending_approval'`, f.lcCase); n != 1 {
		t.Errorf("%d accused pending approval, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM recommendations WHERE case_id = $1`, f.lcCase); n != 1 {
		t.Errorf("%d recommendations on the fixture's case after refused bodies, want the fixture's one", n)
	}
	if n := e.count(`SELECT count(*) FROM recommendations WHERE id = $1 AND version = 1 AND status = 'draft'`, f.lcRec); n != 1 {
		t.Errorf("a refused patch changed the fixture's recommendation")
	}
	if n := e.count(`SELECT count(*) FROM legal_calendar WHERE date = '2026-01-12'`); n != 0 {
		t.Errorf("a refused calendar body wrote the date")
	}
	if n := e.count(`SELECT count(*) FROM case_documents WHERE case_id = $1 AND withdrawn_at IS NULL AND current_version = 1`, f.lcCase); n != 1 {
		t.Errorf("the fixture's case file holds %d documents in force at version 1, want its one", n)
	}
	if n := e.count(`SELECT count(*) FROM case_document_versions`) + e.count(`SELECT count(*) FROM object_uploads`); n != 1 {
		t.Errorf("refused uploads left %d versions and uploads in flight, want the fixture's one version", n)
	}
	if keys := objectKeys(t, e.objects, f.lcCase); len(keys) != 1 {
		t.Errorf("refused uploads left objects: %v", keys)
	}
}

// badUploads is the battery of an upload route: not multipart, broken multipart, an unknown
// field, no file part, a body over the limit declared or chunked, and a field breaking a rule.
func badUploads(t *testing.T, e *env, br bodyRoute, tok string) {
	t.Helper()
	file := pdfBytes(12, 2000)
	post := func(ct string, body []byte, chunked bool) response {
		n := int64(len(body))
		var rd io.Reader = bytes.NewReader(body)
		if chunked {
			n, rd = -1, io.MultiReader(rd)
		}
		return e.sendBody("POST", br.path, tok, ct, rd, n, nil)
	}
	wantDetail(t, post("application/json", []byte(`{}`), false), http.StatusBadRequest, "bad_request", "", "content_type")
	wantError(t, post("multipart/form-data; boundary=zz", []byte("not a multipart body"), false), http.StatusBadRequest, "bad_request")
	body, ct := formBody(t, [][2]string{{"zz_unknown_field", "1"}}, "a.pdf", file)
	if env := wantError(t, post(ct, body, false), http.StatusBadRequest, "bad_request"); len(env.Error.Details) == 0 || env.Error.Details[0].Field != "zz_unknown_field" {
		t.Errorf("unknown field not named: %+v", env)
	}
	body, ct = formBody(t, [][2]string{{"note", "chỉ có trường, không có tệp"}}, "", nil)
	wantDetail(t, post(ct, body, false), http.StatusUnprocessableEntity, "invalid", "file", "required")
	// Over the route's limit (the file limit and room for the form) by its Content-Length, and
	// over the file limit when chunked.
	body, ct = formBody(t, br.fields, "big.pdf", pdfBytes(13, fixtureMaxFile+(1<<20)+1))
	wantError(t, post(ct, body, false), http.StatusRequestEntityTooLarge, "payload_too_large")
	body, ct = formBody(t, br.fields, "big.pdf", pdfBytes(14, fixtureMaxFile+1))
	wantDetail(t, post(ct, body, true), http.StatusRequestEntityTooLarge, "payload_too_large", "file", "max_size")
	body, ct = formBody(t, br.invalid.([][2]string), "a.pdf", file)
	wantDetail(t, post(ct, body, false), http.StatusUnprocessableEntity, "invalid", br.invalidField, br.invalidRule)
}

// TestCaseValidation names the offending field of a registration or an update.
func TestCaseValidation(t *testing.T) {
	f := newFixture(t)
	e := f.e
	tok := e.login("hnkv1.thuky").AccessToken
	post := func(mod func(map[string]any)) response {
		b := e.validCase(f.kv1)
		mod(b)
		return e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok, Body: b})
	}
	wantDetail(t, post(func(b map[string]any) {
		b["parties"] = []map[string]any{{"role": "victim", "full_name": "Lê Văn B", "national_id": "00108500011X"}}
	}), http.StatusUnprocessableEntity, "invalid", "parties[0].national_id", "format")
	wantDetail(t, post(func(b map[string]any) {
		b["received_at"] = e.clock.Now().Add(24 * time.Hour).Format(time.RFC3339)
	}), http.StatusUnprocessableEntity, "invalid", "received_at", "not_future")
	wantDetail(t, post(func(b map[string]any) { b["received_at"] = "hôm qua" }), http.StatusBadRequest, "bad_request", "", "")
	wantDetail(t, post(func(b map[string]any) { b["kind"] = "rumour" }), http.StatusUnprocessableEntity, "invalid", "kind", "enum")
	wantDetail(t, post(func(b map[string]any) { b["source_type"] = "institution_decision" }), http.StatusUnprocessableEntity, "invalid", "source_type", "enum")
	wantDetail(t, post(func(b map[string]any) { b["summary"] = "ngắn" }), http.StatusUnprocessableEntity, "invalid", "summary", "length")
	wantDetail(t, post(func(b map[string]any) {
		b["parties"] = []map[string]any{{"role": "victim", "full_name": "Lê Văn B", "birth_date": "1990-13-45"}}
	}), http.StatusUnprocessableEntity, "invalid", "parties[0].birth_date", "format")
	wantDetail(t, post(func(b map[string]any) {
		b["parties"] = []map[string]any{{"id": "00000000-0000-0000-0000-000000000000", "role": "victim", "full_name": "Lê Văn B"}}
	}), http.StatusUnprocessableEntity, "invalid", "parties[0].id", "read_only")
	wantDetail(t, post(func(b map[string]any) { b["unit_id"] = 987654321 }), http.StatusUnprocessableEntity, "invalid", "unit_id", "exists")
	// Several mistakes are reported together.
	r := post(func(b map[string]any) { b["kind"] = "x"; b["channel"] = "pigeon"; b["summary"] = "" })
	env := wantError(t, r, http.StatusUnprocessableEntity, "invalid")
	for _, field := range []string{"kind", "channel", "summary"} {
		if !hasDetail(env, field, "") {
			t.Errorf("field %s not named in %s", field, r.Body)
		}
	}

	patch := func(body any, hdr map[string]string) response {
		return e.send(req{Method: "PATCH", Path: v1 + "/cases/" + f.caseID, Token: tok, Body: body, Header: hdr})
	}
	wantDetail(t, patch(map[string]any{"summary": "Không gửi phiên bản của hồ sơ."}, nil), http.StatusUnprocessableEntity, "invalid", "version", "required")
	wantDetail(t, patch(map[string]any{"version": f.caseVer}, nil), http.StatusUnprocessableEntity, "invalid", "", "empty_patch")
	wantDetail(t, patch(map[string]any{"version": f.caseVer, "channel": "pigeon"}, nil), http.StatusUnprocessableEntity, "invalid", "channel", "enum")
	wantError(t, patch(map[string]any{"version": f.caseVer + 5, "summary": "Phiên bản cũ hoặc không tồn tại."}, nil), http.StatusConflict, "conflict")
	wantError(t, patch(map[string]any{"summary": "Phiên bản cũ qua If-Match."}, map[string]string{"If-Match": `"` + strconv.Itoa(f.caseVer+5) + `"`}), http.StatusConflict, "conflict")
	wantError(t, patch(map[string]any{"version": f.caseVer, "offence": map[string]any{"article": 173, "zz": 1}}, nil), http.StatusBadRequest, "bad_request")
	// Unknown or malformed ids are plain 404s.
	for _, id := range []string{"not-a-uuid", "00000000-0000-7000-8000-000000000000", "' OR 1=1 --"} {
		wantError(t, e.get(v1+"/cases/"+url.PathEscape(id), tok), http.StatusNotFound, "not_found")
	}
	// Nothing changed.
	var ver int
	if err := e.db.QueryRow(`SELECT version FROM cases WHERE id = $1`, f.caseID).Scan(&ver); err != nil || ver != f.caseVer {
		t.Fatalf("case version %d after refused patches, want %d (%v)", ver, f.caseVer, err)
	}
}

// TestBadQueryParams covers every list endpoint's parameters and the assignment removal's version.
func TestBadQueryParams(t *testing.T) {
	f := newFixture(t)
	e := f.e
	clerk := e.login("hnkv1.thuky").AccessToken
	uadmin := e.login("hn.quantri").AccessToken
	auditor := e.login("hn.thanhtra").AccessToken
	chief := e.login("hnkv1.vientruong").AccessToken

	// A real cursor works; tampered ones are refused.
	r := e.get(v1+"/cases?limit=1", clerk)
	var page struct {
		Items      []caseBody `json:"items"`
		NextCursor string     `json:"next_cursor"`
	}
	r.decode(t, &page)
	if page.NextCursor == "" {
		t.Fatalf("no next cursor: %s", r.Body)
	}
	if r := e.get(v1+"/cases?limit=1&cursor="+page.NextCursor, clerk); r.Status != http.StatusOK {
		t.Fatalf("real cursor refused: %d %s", r.Status, r.Body)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	tampered := []string{page.NextCursor + "!!", page.NextCursor[:len(page.NextCursor)-4], b64([]byte("garbage")),
		b64([]byte("notanumber|0196c0de-0000-7000-8000-000000000000")), b64([]byte("1700000000000000|short")), "%00"}

	type qcase struct {
		token, path, code, field, rule string
		status                         int
	}
	var cs []qcase
	bad := func(tok, path, field string) {
		cs = append(cs, qcase{token: tok, path: path, status: http.StatusBadRequest, code: "bad_request", field: field})
	}
	invalid := func(tok, path, field, rule string) {
		cs = append(cs, qcase{token: tok, path: path, status: http.StatusUnprocessableEntity, code: "invalid", field: field, rule: rule})
	}
	for _, c := range tampered {
		bad(clerk, v1+"/cases?cursor="+url.QueryEscape(c), "cursor")
	}
	bad(clerk, v1+"/cases?limit=abc", "limit")
	bad(clerk, v1+"/cases?limit=-1", "limit")
	bad(clerk, v1+"/cases?limit=1e3", "limit")
	invalid(clerk, v1+"/cases?limit=1000", "limit", "max")
	bad(clerk, v1+"/cases?unit_id=abc", "unit_id")
	bad(clerk, v1+"/cases?unit_id=0", "unit_id")
	bad(clerk, v1+"/cases?include_subunits=maybe", "include_subunits")
	bad(clerk, v1+"/cases?received_from=yesterday", "received_from")
	bad(clerk, v1+"/cases?received_to=2026-02-30", "received_to")
	invalid(clerk, v1+"/cases?received_from=2026-05-01&received_to=2026-04-01", "received_to", "after_from")
	invalid(clerk, v1+"/cases?received_from=2026-05-01&received_to=2026-05-01", "received_to", "after_from")
	invalid(clerk, v1+"/cases?stage=bogus", "stage", "enum")
	invalid(clerk, v1+"/cases?kind=rumour", "kind", "enum")
	invalid(clerk, v1+"/cases?class=bogus", "class", "enum")
	invalid(clerk, v1+"/cases?class=%C3%8DNT", "class", "enum")
	invalid(clerk, v1+"/cases?sort=asc", "sort", "enum")
	invalid(clerk, v1+"/cases?sort=-id", "sort", "enum")
	invalid(clerk, v1+"/cases?prosecutor_id=abc", "prosecutor_id", "format")
	invalid(clerk, v1+"/cases?q="+strings.Repeat("a", 201), "q", "length")
	invalid(clerk, v1+"/cases?unit_id=987654321", "unit_id", "exists")

	bad(uadmin, v1+"/users?limit=abc", "limit")
	bad(uadmin, v1+"/users?offset=-5", "offset")
	bad(uadmin, v1+"/users?unit_id=x", "unit_id")
	bad(uadmin, v1+"/users?include_subunits=2", "include_subunits")
	invalid(uadmin, v1+"/users?limit=1000", "limit", "max")

	bad(auditor, v1+"/audit?limit=abc", "limit")
	bad(auditor, v1+"/audit?before=x", "before")
	bad(auditor, v1+"/audit?before=0", "before")
	bad(auditor, v1+"/audit?from=never", "from")
	invalid(auditor, v1+"/audit?limit=1000", "limit", "max")
	invalid(auditor, v1+"/audit?from=2026-05-01&to=2026-04-01", "to", "after_from")

	for _, c := range cs {
		t.Run(c.path, func(t *testing.T) {
			wantDetail(t, e.get(c.path, c.token), c.status, c.code, c.field, c.rule)
		})
	}

	t.Run("unassign version", func(t *testing.T) {
		p := v1 + "/cases/" + f.caseID + "/assignments/" + f.assignment
		wantDetail(t, e.send(req{Method: "DELETE", Path: p + "?version=abc", Token: chief}), http.StatusBadRequest, "bad_request", "version", "")
		wantDetail(t, e.send(req{Method: "DELETE", Path: p + "?version=-1", Token: chief}), http.StatusBadRequest, "bad_request", "version", "")
		wantDetail(t, e.send(req{Method: "DELETE", Path: p, Token: chief}), http.StatusUnprocessableEntity, "invalid", "version", "required")
		wantError(t, e.send(req{Method: "DELETE", Path: p + "?version=" + strconv.Itoa(f.caseVer+7), Token: chief}), http.StatusConflict, "conflict")
		wantError(t, e.send(req{Method: "DELETE", Path: v1 + "/cases/" + f.caseID + "/assignments/nope?version=" + strconv.Itoa(f.caseVer), Token: chief}), http.StatusNotFound, "not_found")
	})

	t.Run("path params", func(t *testing.T) {
		for _, p := range []string{v1 + "/units/abc", v1 + "/units/-1", v1 + "/units/0", v1 + "/users/not-a-uuid", v1 + "/users/not-a-uuid/grants"} {
			r := e.get(p, uadmin)
			if r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
			}
		}
	})
}

// TestFailedCreateWritesNothing: a refused registration leaves no case, party, counter step or
// success audit row, including when the database refuses it halfway through the transaction.
func TestFailedCreateWritesNothing(t *testing.T) {
	f := newFixture(t)
	e := f.e
	tok := e.login("hnkv1.thuky").AccessToken
	type counts struct{ cases, parties, counter, audits int }
	snapshot := func() counts {
		return counts{
			cases:   e.count(`SELECT count(*) FROM cases`),
			parties: e.count(`SELECT count(*) FROM case_parties`),
			counter: e.count(`SELECT coalesce(sum(last), 0) FROM case_counters`),
			audits:  e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.create' AND outcome = 'success'`),
		}
	}
	before := snapshot()
	check := func(what string) {
		t.Helper()
		if got := snapshot(); got != before {
			t.Fatalf("%s changed the registry: before %+v, after %+v", what, before, got)
		}
	}

	bad := e.validCase(f.kv1)
	bad["parties"] = []map[string]any{{"role": "victim", "full_name": "An", "national_id": "1"}}
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok, Body: bad}), http.StatusUnprocessableEntity, "invalid")
	check("a validation failure")

	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok, Body: e.validCase(f.kv2)}), http.StatusForbidden, "forbidden")
	check("an out-of-scope registration")

	// The database refuses the second party after the case row and the counter were written.
	e.exec(`ALTER TABLE case_parties ADD CONSTRAINT e2e_no_saboteur CHECK (full_name <> 'Kẻ Phá Hoại')`)
	half := e.validCase(f.kv1)
	half["parties"] = []map[string]any{{"role": "victim", "full_name": "Nguyễn Văn An"}, {"role": "suspect", "full_name": "Kẻ Phá Hoại"}}
	r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok, Body: half})
	if r.Status < 400 {
		t.Fatalf("registration with a refused party succeeded: %d %s", r.Status, r.Body)
	}
	if w := contains(string(r.Body), "e2e_no_saboteur", "SQLSTATE", "violates"); w != "" {
		t.Fatalf("error leaks %q: %s", w, r.Body)
	}
	check("a registration refused inside the transaction")
	e.exec(`ALTER TABLE case_parties DROP CONSTRAINT e2e_no_saboteur`)

	// The next good registration takes the next number: no gap was burnt by the failures.
	good := e.validCase(f.kv1)
	year := e.clock.Now().Add(-time.Hour).In(service.VietnamTime).Year()
	want := e.count(`SELECT coalesce(max(seq), 0) FROM cases WHERE unit_id = $1 AND year = $2 AND kind = 'report'`, f.kv1, year) + 1
	r = e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok, Body: good})
	if r.Status != http.StatusCreated {
		t.Fatalf("good registration: %d %s", r.Status, r.Body)
	}
	var c caseBody
	r.decode(t, &c)
	if !strings.HasPrefix(c.Number, strconv.Itoa(want)+"/") {
		t.Fatalf("number %q, want sequence %d", c.Number, want)
	}
	if n := e.count(`SELECT count(*) FROM case_parties WHERE case_id = $1`, c.ID); n != 1 {
		t.Fatalf("%d parties stored, want 1", n)
	}
}
