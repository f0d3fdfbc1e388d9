package e2e_test

import (
	"math"
	"net/http"
	"reflect"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// dupHint is one item of POST /cases/duplicates, as a client reads it.
type dupHint struct {
	CaseID string `json:"case_id"`
	Number string `json:"number"`
	Code   string `json:"code"`
	Kind   string `json:"kind"`
	Unit   struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	} `json:"unit"`
	Stage      string    `json:"stage"`
	ReceivedAt time.Time `json:"received_at"`
	Summary    string    `json:"summary"`
	Reason     string    `json:"reason"`
	NationalID string    `json:"national_id"`
	PartyName  string    `json:"party_name"`
	Similarity *float64  `json:"similarity"`
}

// dupCheck asks which registered records body may repeat, and fails the test unless it is a 200.
func (e *env) dupCheck(tok string, body any) []dupHint {
	e.t.Helper()
	r := e.send(req{Method: "POST", Path: v1 + "/cases/duplicates", Token: tok, Body: body})
	if r.Status != http.StatusOK {
		e.t.Fatalf("duplicate check: status %d: %s", r.Status, r.Body)
	}
	var out struct {
		Items *[]dupHint `json:"items"`
	}
	r.decode(e.t, &out)
	if out.Items == nil {
		e.t.Fatalf("duplicate check answered no items array: %s", r.Body)
	}
	return *out.Items
}

// dupRegister registers body and returns the new record.
func (e *env) dupRegister(tok string, body any) caseBody {
	e.t.Helper()
	r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok, Body: body})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("register: status %d: %s", r.Status, r.Body)
	}
	var cb caseBody
	r.decode(e.t, &cb)
	return cb
}

// dupBody is a valid crime report of unit with the given summary and parties.
func (e *env) dupBody(unit int64, summary string, parties ...map[string]any) map[string]any {
	b := e.validCase(unit)
	b["summary"] = summary
	if parties == nil {
		parties = []map[string]any{}
	}
	b["parties"] = parties
	return b
}

func dupParty(role, name, nationalID string) map[string]any {
	return map[string]any{"role": role, "full_name": name, "national_id": nationalID}
}

// dupIDs lists the hints as "reason:case id", in order.
func dupIDs(hs []dupHint) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.Reason+":"+h.CaseID)
	}
	return out
}

func wantDupIDs(t *testing.T, what string, got []dupHint, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := dupIDs(got); !reflect.DeepEqual(g, want) {
		t.Errorf("%s: hints %v, want %v", what, g, want)
	}
}

// TestDuplicateCheck: before registering, a clerk is warned of a record with a party of the same
// CCCD, or with an almost identical summary in the unit's subtree within a year, and only of
// records the caller may read.
func TestDuplicateCheck(t *testing.T) {
	e := newEnv(t)
	kv1, kv2 := e.units[seed.RegionalCode("HNI", 1)].ID, e.units[seed.RegionalCode("HNI", 2)].ID
	hni, hcm1 := e.units[seed.ProvinceCode("HNI")].ID, e.units[seed.RegionalCode("HCM", 1)].ID
	clerk := e.login("hnkv1.thuky").AccessToken
	chief := e.login("hnkv1.vientruong").AccessToken
	hnChief := e.login("hn.vientruong").AccessToken
	kv2Clerk := e.login("hnkv2.thuky").AccessToken
	hcmClerk := e.login("hcmkv1.thuky").AccessToken

	const cccd = "001099123456"
	theft := "Ông Trịnh Văn Quang tố giác bị kẻ gian đột nhập căn hộ 1203 chung cư Golden Palace, lấy trộm máy tính xách tay Dell và 20 triệu đồng tiền mặt."
	// A few words changed.
	near := "Ông Trịnh Văn Quang tố giác bị kẻ gian đột nhập căn hộ 1203 chung cư Golden Palace, lấy trộm máy tính xách tay HP và 25 triệu đồng tiền mặt."
	unrelated := "Công ty TNHH Minh Phát báo tin về việc kế toán làm giả hóa đơn giá trị gia tăng để chiếm đoạt tiền thuế được hoàn."
	victim := dupParty("victim", "Trịnh Văn Quang", cccd)

	first := e.dupBody(kv1, theft, victim)
	wantDupIDs(t, "before the first registration", e.dupCheck(clerk, first))
	c1 := e.dupRegister(clerk, first)

	// The same person in another report: a national_id hint naming the first record.
	byID := e.dupCheck(clerk, e.dupBody(kv1, "Ông Trịnh Văn Quang trình báo bị hàng xóm dùng gậy đánh gây thương tích ở tay phải sau khi cãi nhau về lối đi chung.",
		dupParty("victim", "Trịnh V. Quang", cccd)))
	wantDupIDs(t, "same CCCD", byID, "national_id:"+c1.ID)
	if len(byID) == 1 {
		h := byID[0]
		if h.Number != c1.Number || h.Code != c1.Code || h.Kind != "report" || h.Stage != "report_resolution" || h.Unit.ID != kv1 ||
			h.Unit.Code != seed.RegionalCode("HNI", 1) || h.NationalID != cccd || h.PartyName != "Trịnh Văn Quang" || h.Summary != theft ||
			h.Similarity != nil || h.ReceivedAt.IsZero() {
			t.Errorf("national_id hint %+v does not describe %+v", h, c1)
		}
	}

	// A near-identical summary, no party: a similar_summary hint, with pg_trgm's figure.
	similar := e.dupCheck(clerk, e.dupBody(kv1, near))
	wantDupIDs(t, "near-identical summary", similar, "similar_summary:"+c1.ID)
	if len(similar) == 1 {
		var want float64
		if err := e.db.QueryRow(`SELECT similarity($1, $2)`, theft, near).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if s := similar[0].Similarity; s == nil || *s < 0.6 || *s > 1 || math.Abs(*s-want) > 0.001 || similar[0].NationalID != "" {
			t.Errorf("similar_summary hint %+v, want similarity %.3f", similar[0], want)
		}
	}
	// An unrelated summary and another person: nothing.
	wantDupIDs(t, "unrelated report", e.dupCheck(clerk, e.dupBody(kv1, unrelated, dupParty("victim", "Lê Thị Mơ", "001199000777"))))
	// Another incident told in much the same words (similarity about 0.49): not a repeat.
	related := "Ông Trịnh Văn Quang tố giác bị kẻ gian đột nhập nhà riêng, lấy trộm xe máy Honda và 5 triệu đồng."
	wantDupIDs(t, "related report", e.dupCheck(clerk, e.dupBody(kv1, related)))

	// A record similar to the check's summary, and one with its CCCD: the CCCD first, each record once.
	c2 := e.dupRegister(clerk, e.dupBody(kv1, near))
	wantDupIDs(t, "both reasons", e.dupCheck(clerk, e.dupBody(kv1, theft, victim)), "national_id:"+c1.ID, "similar_summary:"+c2.ID)

	// Scope. The chief of the province reads its regional units: warned at its own unit.
	wantDupIDs(t, "province chief", e.dupCheck(hnChief, e.dupBody(hni, theft, victim)), "national_id:"+c1.ID, "similar_summary:"+c2.ID)
	// A clerk of a sibling unit, and of another province, reads none of them: no hint, same input.
	wantDupIDs(t, "sibling unit's clerk", e.dupCheck(kv2Clerk, e.dupBody(kv2, theft, victim)))
	wantDupIDs(t, "other province's clerk", e.dupCheck(hcmClerk, e.dupBody(hcm1, theft, victim)))
	// At a unit it may not register at, the check is refused like the registration.
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases/duplicates", Token: hcmClerk, Body: e.dupBody(kv1, theft, victim)}), http.StatusForbidden, "forbidden")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases", Token: hcmClerk, Body: e.dupBody(kv1, theft, victim)}), http.StatusForbidden, "forbidden")

	// A secret record: the clerk who registered it may not read it, so is not warned of it; the
	// unit's chief is; the province's chief is not.
	const secretID = "001077555444"
	secretSummary := "Nguồn tin về đường dây đánh bạc qua mạng do nhóm đối tượng ở phường Dịch Vọng tổ chức, tổng số tiền giao dịch khoảng 5 tỷ đồng."
	sb := e.dupBody(kv1, secretSummary, dupParty("suspect", "Phùng Văn Kiên", secretID))
	sb["secret"] = true
	sc := e.dupRegister(clerk, sb)
	if r := e.get(v1+"/cases/"+sc.ID, clerk); r.Status != http.StatusNotFound {
		t.Fatalf("the clerk reads the secret record: %d", r.Status)
	}
	probe := e.dupBody(kv1, secretSummary+" Đề nghị xác minh.", dupParty("suspect", "Phùng Văn Kiên", secretID))
	wantDupIDs(t, "clerk, secret record", e.dupCheck(clerk, probe))
	wantDupIDs(t, "chief, secret record", e.dupCheck(chief, probe), "national_id:"+sc.ID)
	probe["unit_id"] = hni
	wantDupIDs(t, "province chief, secret record", e.dupCheck(hnChief, probe))

	// Summaries are compared within the receiving unit's subtree only. A record of KV2 is found by
	// the province's chief checking at the province; a clerk of both KV1 and KV2 finds it checking
	// at KV2, not at KV1, though it may read it.
	fraud := "Bà Đoàn Thị Nguyệt tố giác bị đối tượng giả danh nhân viên ngân hàng lừa chuyển 180 triệu đồng vào tài khoản lạ qua điện thoại."
	c3 := e.dupRegister(kv2Clerk, e.dupBody(kv2, fraud))
	fraudNear := "Bà Đoàn Thị Nguyệt tố giác bị đối tượng giả danh nhân viên ngân hàng lừa chuyển 190 triệu đồng vào tài khoản lạ qua tin nhắn."
	wantDupIDs(t, "province chief at the province", e.dupCheck(hnChief, e.dupBody(hni, fraudNear)), "similar_summary:"+c3.ID)
	if r := e.send(req{Method: "POST", Path: v1 + "/users/" + e.userID("hnkv1.thuky") + "/grants", Token: e.login("hn.quantri").AccessToken,
		Body: map[string]any{"role": "clerk", "unit_id": kv2}}); r.Status != http.StatusCreated {
		t.Fatalf("grant clerk at KV2: %d %s", r.Status, r.Body)
	}
	if r := e.get(v1+"/cases/"+c3.ID, clerk); r.Status != http.StatusOK {
		t.Fatalf("the clerk of KV1 and KV2 reads the KV2 record: %d", r.Status)
	}
	wantDupIDs(t, "clerk of both at KV2", e.dupCheck(clerk, e.dupBody(kv2, fraudNear)), "similar_summary:"+c3.ID)
	wantDupIDs(t, "clerk of both at KV1", e.dupCheck(clerk, e.dupBody(kv1, fraudNear)))

	// The window: a record received 400 days ago is still found by CCCD, no longer by summary.
	const oldID = "001066333222"
	robbery := "Anh Kiều Minh Đức trình báo bị hai đối tượng đi xe máy áp sát giật điện thoại di động trên đường Phạm Văn Đồng lúc rạng sáng."
	old := e.dupBody(kv1, robbery, dupParty("victim", "Kiều Minh Đức", oldID))
	old["received_at"] = e.clock.Now().AddDate(0, 0, -400).Format(time.RFC3339)
	c4 := e.dupRegister(clerk, old)
	robberyNear := "Anh Kiều Minh Đức trình báo bị hai đối tượng đi xe máy áp sát giật điện thoại di động trên đường Phạm Văn Đồng lúc chiều tối."
	wantDupIDs(t, "old record by summary", e.dupCheck(clerk, e.dupBody(kv1, robberyNear)))
	wantDupIDs(t, "old record by CCCD", e.dupCheck(clerk, e.dupBody(kv1, robberyNear, dupParty("victim", "Kiều Minh Đức", oldID))), "national_id:"+c4.ID)

	// Short summaries are not compared, even when identical.
	short := "Mất trộm xe đạp." // 16 runes
	e.dupRegister(clerk, e.dupBody(kv1, short))
	wantDupIDs(t, "short summary", e.dupCheck(clerk, e.dupBody(kv1, short)))

	// At most ten hints, the newest first.
	const busyID = "001055444333"
	var busy []string
	for i := 0; i < 11; i++ {
		b := e.dupBody(kv1, "Tố giác số "+itoa(int64(i))+" của cùng một người về các vụ việc khác nhau trên địa bàn.", dupParty("witness", "Tạ Văn Bền", busyID))
		b["received_at"] = e.clock.Now().Add(-time.Duration(100-i) * time.Hour).Format(time.RFC3339)
		busy = append(busy, e.dupRegister(clerk, b).ID)
	}
	var want []string
	for i := 10; i >= 1; i-- {
		want = append(want, "national_id:"+busy[i])
	}
	wantDupIDs(t, "eleven records of one person", e.dupCheck(clerk, e.dupBody(kv1, unrelated, dupParty("witness", "Tạ Văn Bền", busyID))), want...)
}

// TestDuplicateCheckBadInput: the check answers a bad body exactly as the registration does, and
// writes nothing, neither the record nor an audit row.
func TestDuplicateCheckBadInput(t *testing.T) {
	e := newEnv(t)
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	clerk := e.login("hnkv1.thuky").AccessToken
	// A user who may not register (a unit admin) may not check either.
	admin := e.login("hn.quantri").AccessToken
	snapshot := func() [3]int {
		return [3]int{e.count(`SELECT count(*) FROM cases`), e.count(`SELECT count(*) FROM case_parties`), e.count(`SELECT count(*) FROM audit_log`)}
	}
	before := snapshot()

	badID := e.validCase(kv1)
	badID["parties"] = []map[string]any{dupParty("victim", "Nguyễn Văn An", "12345")}
	noSummary := e.validCase(kv1)
	delete(noSummary, "summary")
	noUnit := e.validCase(kv1)
	noUnit["unit_id"] = 987654321
	bodies := map[string]any{
		"truncated":     raw(`{"kind":"report",`),
		"not json":      raw(`not json`),
		"unknown field": raw(`{"kind":"report","zz_unknown":1}`),
		"wrong type":    raw(`{"kind":"report","unit_id":"một"}`),
		"party id":      raw(`{"kind":"report","parties":[{"id":"x","role":"victim","full_name":"Ab"}]}`),
		"bad CCCD":      badID,
		"no summary":    noSummary,
		"no unit":       noUnit,
	}
	for name, b := range bodies {
		check := e.send(req{Method: "POST", Path: v1 + "/cases/duplicates", Token: clerk, Body: b})
		create := e.send(req{Method: "POST", Path: v1 + "/cases", Token: clerk, Body: b})
		if check.Status < 400 || check.Status >= 500 || check.Status != create.Status {
			t.Errorf("%s: check answers %d, registration %d: %s", name, check.Status, create.Status, check.Body)
			continue
		}
		ce, re := check.err(t), create.err(t)
		if ce.Error.Code != re.Error.Code || !reflect.DeepEqual(ce.Error.Details, re.Error.Details) {
			t.Errorf("%s: check answers %+v, registration %+v", name, ce.Error, re.Error)
		}
	}
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases/duplicates", Token: admin, Body: e.validCase(kv1)}), http.StatusForbidden, "forbidden")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases/duplicates", Body: e.validCase(kv1)}), http.StatusUnauthorized, "unauthenticated")

	if got := snapshot(); got[0] != before[0] || got[1] != before[1] {
		t.Errorf("refused bodies wrote records: before %v, after %v", before, got)
	}

	// A good check writes nothing, not even an audit row.
	before = snapshot()
	e.dupCheck(clerk, e.validCase(kv1))
	if got := snapshot(); got != before {
		t.Errorf("a check wrote to the database: before %v, after %v", before, got)
	}
}
