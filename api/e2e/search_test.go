package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

type searchView struct {
	Q         string              `json:"q"`
	Corrected map[string][]string `json:"corrected"`
	Results   []struct {
		Kind   string `json:"kind"`
		Total  int64  `json:"total"`
		Capped bool   `json:"capped"`
		Items  []struct {
			Kind      string `json:"kind"`
			ID        string `json:"id"`
			CaseID    string `json:"case_id"`
			CaseCode  string `json:"case_code"`
			Title     string `json:"title"`
			Cite      string `json:"cite"`
			Highlight []struct {
				Text  string `json:"text"`
				Match bool   `json:"match"`
			} `json:"highlight"`
		} `json:"items"`
	} `json:"results"`
}

func (e *env) search(tok, q string, kinds ...string) searchView {
	e.t.Helper()
	path := v1 + "/search?q=" + url.QueryEscape(q)
	for _, k := range kinds {
		path += "&kind=" + k
	}
	r := e.get(path, tok)
	if r.Status != http.StatusOK {
		e.t.Fatalf("search %q: %d %s", q, r.Status, r.Body)
	}
	var v searchView
	r.decode(e.t, &v)
	return v
}

// ids lists the ids of one kind's hits, in order.
func (v searchView) ids(kind string) []string {
	out := []string{}
	for _, p := range v.Results {
		if p.Kind == kind {
			for _, it := range p.Items {
				out = append(out, it.ID)
			}
		}
	}
	return out
}

func (v searchView) total(kind string) int64 {
	for _, p := range v.Results {
		if p.Kind == kind {
			return p.Total
		}
	}
	return -1
}

// marked is every matched piece of the hits' highlights, lower case.
func (v searchView) marked() string {
	var b strings.Builder
	for _, p := range v.Results {
		for _, it := range p.Items {
			for _, h := range it.Highlight {
				if h.Match {
					b.WriteString(strings.ToLower(h.Text) + " ")
				}
			}
		}
	}
	return b.String()
}

func TestSearchAccentsTyposAndRanking(t *testing.T) {
	e := newEnv(t)
	clerk := e.login("hnkv1.thuky").AccessToken
	chief := e.login("hnkv1.vientruong").AccessToken
	kv1 := e.units["VKS-HNI-KV01"].ID

	// Two records whose names differ only by diacritics: "Nguyễn Văn Đức" and "Nguyên Văn Dục".
	exact := e.dupRegister(clerk, e.dupBody(kv1, "Tố giác hành vi chiếm giữ trái phép chiếc xe máy.", dupParty("suspect", "Nguyễn Văn Đức", "")))
	other := e.dupRegister(clerk, e.dupBody(kv1, "Tố giác hành vi hủy hoại tài sản của hàng xóm.", dupParty("suspect", "Nguyên Văn Dục", "")))

	plain := e.search(chief, "nguyen van duc", "case")
	accented := e.search(chief, "Nguyễn Văn Đức", "case")
	if got := plain.ids("case"); !sameSet(got, []string{exact.ID, other.ID}) {
		t.Fatalf("nguyen van duc found %v, want both records %s and %s", got, exact.ID, other.ID)
	}
	if !sameSet(plain.ids("case"), accented.ids("case")) {
		t.Errorf("with and without diacritics found %v and %v", accented.ids("case"), plain.ids("case"))
	}
	// Typed with its diacritics, the exact spelling comes first; the other spelling puts the other first.
	if got := accented.ids("case"); got[0] != exact.ID {
		t.Errorf("Nguyễn Văn Đức ranked %v, want %s first", got, exact.ID)
	}
	if got := e.search(chief, "Nguyên Văn Dục", "case").ids("case"); got[0] != other.ID {
		t.Errorf("Nguyên Văn Dục ranked %v, want %s first", got, other.ID)
	}
	if !strings.Contains(accented.marked(), "đức") {
		t.Errorf("the highlight marks %q, want the name", accented.marked())
	}

	// A typo still finds the person: "Nguyen Thi Hoaa" is Nguyễn Thị Hòa of the demo data.
	hoa, _ := e.caseBySummary("lấy trộm xe máy Honda Vision")
	typo := e.search(chief, "Nguyen Thi Hoaa", "case")
	if !contains2(typo.ids("case"), hoa) {
		t.Errorf("Nguyen Thi Hoaa found %v, want %s", typo.ids("case"), hoa)
	}
	if len(typo.Corrected["hoaa"]) == 0 || !contains2(typo.Corrected["hoaa"], "hoa") {
		t.Errorf("corrected %v, want hoaa → hoa", typo.Corrected)
	}
	// An exact number, a charge's article and a decision's number are searched too.
	if got := e.search(chief, "điều 134 khoản 2", "case").ids("case"); len(got) == 0 {
		t.Error("no case for điều 134 khoản 2")
	}

	// The law: the Penal Code catalog and the deadline rules, without diacritics.
	law := e.search(chief, "tam giam", "law")
	var cites []string
	for _, p := range law.Results {
		for _, it := range p.Items {
			cites = append(cites, it.ID)
		}
	}
	if !contains2(cites, "rule:detention_period") {
		t.Errorf("tam giam found the law passages %v, want rule:detention_period", cites)
	}
	if got := e.search(chief, "trom cap tai san", "law").ids("law"); !contains2(got, "BLHS:173:1") {
		t.Errorf("trom cap tai san found %v, want BLHS:173:1", got)
	}
}

func TestSearchScope(t *testing.T) {
	e := newEnv(t)
	ksv2 := e.login("hnkv1.ksv2").AccessToken // not on the team of the secret drug case
	ksv1 := e.login("hnkv1.ksv1").AccessToken // its lead prosecutor
	hcm := e.login("hcm.vientruong").AccessToken
	hn := e.login("hn.vientruong").AccessToken
	drug, _ := e.caseBySummary("mua bán trái phép chất ma túy")
	theft, _ := e.caseBySummary("đột nhập nhà dân ở phường Nghĩa Đô")

	if got := e.search(ksv1, "heroin bến xe Mỹ Đình", "case").ids("case"); !contains2(got, drug) {
		t.Errorf("the lead prosecutor's search found %v, want the secret case %s", got, drug)
	}
	// The secret case is not found, nor counted, by a prosecutor of the unit outside its team.
	v := e.search(ksv2, "heroin bến xe Mỹ Đình", "case")
	if contains2(v.ids("case"), drug) || v.total("case") != 0 {
		t.Errorf("a prosecutor outside the team found %v (total %d)", v.ids("case"), v.total("case"))
	}
	// Another province sees nothing of Hà Nội, not even a count.
	v = e.search(hcm, "Nghĩa Đô", "case", "document")
	if v.total("case") != 0 || v.total("document") != 0 || contains2(v.ids("case"), theft) {
		t.Errorf("hcm.vientruong found %+v", v)
	}
	if got := e.search(hn, "Nghĩa Đô", "case").ids("case"); !contains2(got, theft) {
		t.Errorf("the province found %v, want %s", got, theft)
	}
	// Every case any of them finds for a common word is one they may open.
	for _, tok := range []string{ksv2, ksv1, hcm, hn} {
		for _, id := range e.search(tok, "tài sản", "case").ids("case") {
			if r := e.get(v1+"/cases/"+id, tok); r.Status != http.StatusOK {
				t.Errorf("search returned case %s its caller cannot read: %d", id, r.Status)
			}
		}
	}
}

// vietnamesePDF is a one-page PDF of text set in DejaVu Sans (Debian's fonts-dejavu-core), as a
// word processor would embed a Unicode TrueType font.
func vietnamesePDF(t *testing.T, text string) []byte {
	t.Helper()
	ttf, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
	if err != nil {
		t.Fatalf("the PDF test needs DejaVu Sans (apt-get install fonts-dejavu-core): %v", err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("dejavu", "", ttf)
	p.AddPage()
	p.SetFont("dejavu", "", 12)
	p.MultiCell(0, 6, text, "", "", false)
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSearchDocuments(t *testing.T) {
	e := newEnv(t)
	clerk := e.login("hnkv1.thuky").AccessToken
	ksv2 := e.login("hnkv1.ksv2").AccessToken
	chief := e.login("hnkv1.vientruong").AccessToken
	hn := e.login("hn.vientruong").AccessToken
	hcm := e.login("hcm.vientruong").AccessToken
	caseID, _ := e.caseBySummary("trộm cắp tài sản tại siêu thị")     // led by hnkv1.ksv2
	other, _ := e.caseBySummary("đột nhập nhà dân ở phường Nghĩa Đô") // led by hnkv1.ksv1
	files := v1 + "/cases/" + caseID + "/files"

	pdf := vietnamesePDF(t, "Biên bản ghi lời khai của bị can Hoàng Quốc Khánh về việc lấy trộm hàng hóa tại siêu thị Hòa Bình.")
	if r := e.upload(files, clerk, docFields("statements", "Biên bản ghi lời khai", "normal"), "loi-khai.pdf", pdf); r.Status != http.StatusCreated {
		t.Fatalf("upload pdf: %d %s", r.Status, r.Body)
	}
	note := []byte("Bản tường trình của người làm chứng Lý Thị Quyên: nhìn thấy đối tượng giấu hàng trong áo khoác.")
	if r := e.upload(files, clerk, docFields("statements", "Bản tường trình", "normal"), "tuong-trinh.txt", note); r.Status != http.StatusCreated {
		t.Fatalf("upload text: %d %s", r.Status, r.Body)
	}
	// A confidential note on another case: its team and the chiefs read it, others of the unit do not.
	conf := []byte("Báo cáo đề xuất mật: xác minh nguồn tin trinh sát Tạ Đình Phong.")
	if r := e.upload(v1+"/cases/"+other+"/files", e.login("hnkv1.ksv1").AccessToken, docFields("procuracy", "Báo cáo đề xuất", "confidential"), "bao-cao.txt", conf); r.Status != http.StatusCreated {
		t.Fatalf("upload confidential: %d %s", r.Status, r.Body)
	}
	// Nothing is searchable before the extractor has read the files.
	if got := e.search(chief, "Hoang Quoc Khanh", "document").ids("document"); len(got) != 0 {
		t.Fatalf("found %v before extraction", got)
	}
	n, err := e.svc.Files.ExtractTexts(context.Background(), 10)
	if err != nil || n != 3 {
		t.Fatalf("extracted %d, %v; want 3", n, err)
	}
	if n, _ := e.svc.Files.ExtractTexts(context.Background(), 10); n != 0 {
		t.Fatalf("a second pass read %d versions again", n)
	}
	if st := e.count(`SELECT count(*) FROM case_document_texts WHERE status = 'extracted'`); st != 3 {
		t.Fatalf("%d texts extracted, want 3", st)
	}

	// The PDF's Vietnamese text is found without diacritics, with the name highlighted.
	v := e.search(chief, "Hoang Quoc Khanh", "document")
	if len(v.ids("document")) != 1 || !strings.Contains(v.marked(), "hoàng") || !strings.Contains(v.marked(), "khánh") {
		t.Fatalf("the PDF: %+v", v)
	}
	if got := e.search(ksv2, "nguoi lam chung Ly Thi Quyen", "document").ids("document"); len(got) != 1 {
		t.Errorf("the text file: %v", got)
	}
	// The confidential note: the chief of the unit and the province find it, a prosecutor of the
	// unit outside its team and another province do not.
	for who, tok := range map[string]string{"hnkv1.vientruong": chief, "hn.vientruong": hn} {
		if got := e.search(tok, "Ta Dinh Phong", "document").ids("document"); len(got) != 1 {
			t.Errorf("%s found %v, want the confidential note", who, got)
		}
	}
	for who, tok := range map[string]string{"hnkv1.ksv2": ksv2, "hcm.vientruong": hcm} {
		if v := e.search(tok, "Ta Dinh Phong", "document"); v.total("document") != 0 {
			t.Errorf("%s found the confidential note: %+v", who, v)
		}
	}
	if v := e.search(hcm, "Hoang Quoc Khanh", "document"); v.total("document") != 0 {
		t.Errorf("hcm.vientruong found a Hà Nội document: %+v", v)
	}
}

func TestSearchAndAssistantBadInput(t *testing.T) {
	e := newEnv(t)
	tok := e.login("hnkv1.ksv1").AccessToken
	long := strings.Repeat("a", 201)
	wantDetail(t, e.get(v1+"/search", tok), http.StatusUnprocessableEntity, "invalid", "q", "required")
	wantDetail(t, e.get(v1+"/search?q="+long, tok), http.StatusUnprocessableEntity, "invalid", "q", "length")
	wantDetail(t, e.get(v1+"/search?q=%21%21%21", tok), http.StatusUnprocessableEntity, "invalid", "q", "terms")
	wantDetail(t, e.get(v1+"/search?q=abc&kind=people", tok), http.StatusUnprocessableEntity, "invalid", "kind", "enum")
	wantDetail(t, e.get(v1+"/search?q=abc&limit=51", tok), http.StatusUnprocessableEntity, "invalid", "limit", "range")
	wantError(t, e.get(v1+"/search?q=abc", ""), http.StatusUnauthorized, "unauthenticated")

	before := e.count(`SELECT count(*) FROM assistant_questions`)
	ask := func(body any) response {
		return e.send(req{Method: "POST", Path: v1 + "/assistant/ask", Token: tok, Body: body})
	}
	wantDetail(t, ask(map[string]any{"question": "  "}), http.StatusUnprocessableEntity, "invalid", "question", "required")
	wantDetail(t, ask(map[string]any{"question": strings.Repeat("á", 1001)}), http.StatusUnprocessableEntity, "invalid", "question", "length")
	wantDetail(t, ask(map[string]any{"question": "vụ này?", "case_id": "12"}), http.StatusUnprocessableEntity, "invalid", "case_id", "format")
	wantError(t, ask(map[string]any{"question": 5}), http.StatusBadRequest, "bad_request")
	wantDetail(t, e.get(v1+"/assistant/history?limit=500", tok), http.StatusUnprocessableEntity, "invalid", "limit", "max")
	if after := e.count(`SELECT count(*) FROM assistant_questions`); after != before {
		t.Errorf("refused questions were kept: %d → %d", before, after)
	}
	// A case that does not exist is answered like one out of scope: refused, nothing told.
	a := e.ask(tok, "Vụ này còn mấy ngày hết hạn điều tra?", "01234567-89ab-7def-8123-456789abcdef")
	if a.Answered || len(a.Citations) != 0 {
		t.Errorf("an unknown case: %+v", a)
	}
}

func TestAssistantHistoryIsOwnAndFollowsAccess(t *testing.T) {
	e := newEnv(t)
	ksv1 := e.login("hnkv1.ksv1").AccessToken
	ksv2 := e.login("hnkv1.ksv2").AccessToken
	caseID, _ := e.caseBySummary("đột nhập nhà dân ở phường Nghĩa Đô")
	a := e.ask(ksv1, "Hồ sơ này đang ở giai đoạn nào?", caseID)
	if !a.Answered {
		t.Fatalf("not answered: %+v", a)
	}
	e.clock.Advance(time.Minute)
	e.ask(ksv1, "Thời hạn tạm giữ là bao lâu?", "")
	var h struct {
		Items []answerView `json:"items"`
		Total int          `json:"total"`
	}
	e.get(v1+"/assistant/history", ksv1).decode(t, &h)
	if h.Total != 2 || len(h.Items) != 2 || h.Items[0].Question != "Thời hạn tạm giữ là bao lâu?" || h.Items[1].ID != a.ID {
		t.Fatalf("history: %+v", h)
	}
	// Both questions are audited; the one about the case also as a read of the case.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'assistant.ask' AND user_id = $1`, e.userID("hnkv1.ksv1")); n != 2 {
		t.Errorf("%d assistant.ask audit rows, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.assistant' AND target_id = $1`, caseID); n != 1 {
		t.Errorf("%d case.assistant audit rows, want 1", n)
	}
	var other struct {
		Total int `json:"total"`
	}
	e.get(v1+"/assistant/history", ksv2).decode(t, &other)
	if other.Total != 0 {
		t.Errorf("another user's history shows %d questions", other.Total)
	}
	// Once ksv1 leaves the case's unit and team, the answer about it is withheld; the other stays.
	e.exec(`UPDATE case_assignments SET ended_at = now(), ended_by = user_id WHERE user_id = $1 AND ended_at IS NULL`, e.userID("hnkv1.ksv1"))
	e.exec(`UPDATE grants SET unit_id = (SELECT id FROM units WHERE code = 'VKS-HCM-KV01') WHERE user_id = $1`, e.userID("hnkv1.ksv1"))
	e.get(v1+"/assistant/history", e.login("hnkv1.ksv1").AccessToken).decode(t, &h)
	if len(h.Items) != 2 || strings.Contains(h.Items[1].Answer, "xét xử") || len(h.Items[1].Citations) != 0 || h.Items[0].Answer == "" {
		t.Errorf("history after losing access: %+v", h.Items)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func contains2(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}
