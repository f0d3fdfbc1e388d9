package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/service/seed"
)

// The search box, the search page and the virtual assistant, driven over HTTP like a browser
// without scripts, against the demo organisation; what the pages show is checked against what the
// services answer, and what one province may not read never appears on another's page.

// topBar is the header of a page (the brand, the menu, the search box and the tools).
func topBar(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `<header class="top">`)
	j := strings.Index(body, `</header>`)
	if i < 0 || j < i {
		t.Fatalf("no top bar on the page:\n%s", excerpt(body))
	}
	return body[i:j]
}

// section is the part of a page from the element marked data-testid=id to the end of its section.
func section(body, id string) string {
	i := strings.Index(body, `data-testid="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, `</section>`); j >= 0 {
		return rest[:j]
	}
	return rest
}

var markRe = regexp.MustCompile(`<mark>([^<]+)</mark>`)

func inputValue(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<input id="` + regexp.QuoteMeta(id) + `"[^>]*\bvalue="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no input %s on the page:\n%s", id, excerpt(body))
	}
	return html.UnescapeString(m[1])
}

func TestSearchAndAssistantPages(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	kv1 := e.units[seed.RegionalCode("HNI", 1)]
	chief := e.login("hnkv1.vientruong")
	p := e.principal("hnkv1.vientruong")

	// The theft cases of Hà Nội KV1 the search service finds for its chief.
	want, err := e.svc.Search.Search(ctx, p, service.SearchInput{Text: "trom cap", Kinds: []domain.SearchKind{domain.SearchCase}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var theft *domain.Case
	var hnIDs []string
	for _, h := range want.Pages[0].Hits {
		hnIDs = append(hnIDs, h.ID)
		if theft == nil && h.UnitID == kv1.ID {
			cs, err := e.svc.Cases.Get(ctx, p, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(cs.Summary, "trộm cắp") {
				theft = cs
			}
		}
	}
	if theft == nil {
		t.Fatalf("the search service finds no theft case of %s: %+v", kv1.Code, want.Pages)
	}

	t.Run("search box on every page", func(t *testing.T) {
		for _, path := range []string{"/", "/cases", "/cases/" + theft.ID} {
			bar := topBar(t, chief.mustGet(path))
			for _, s := range []string{`data-testid="search-box"`, `action="/search"`, `name="q"`, `for="top-q"`, `placeholder="Tìm vụ án, tài liệu, điều luật…"`} {
				if !strings.Contains(bar, s) {
					t.Errorf("GET %s: the top bar lacks %s:\n%s", path, s, bar)
				}
			}
		}
		// Nobody logged in: no box.
		anon := &pagesUser{e: e, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		if r := anon.get("/login"); strings.Contains(r.body, `data-testid="search-box"`) {
			t.Error("the login page shows the search box")
		}
	})

	t.Run("search finds the theft case in scope", func(t *testing.T) {
		body := chief.mustGet("/search?q=" + url.QueryEscape("trom cap"))
		hits := section(body, "hits-case")
		if hits == "" {
			t.Fatalf("no case results:\n%s", excerpt(body))
		}
		if !strings.Contains(hits, `href="/cases/`+theft.ID+`"`) || !strings.Contains(hits, html.EscapeString(theft.Number)) {
			t.Errorf("the case results lack a link to %s (%s):\n%s", theft.Number, theft.ID, hits)
		}
		marks := markRe.FindAllStringSubmatch(hits, -1)
		if len(marks) == 0 {
			t.Fatalf("no highlighted word in the case results:\n%s", hits)
		}
		for _, m := range marks {
			if w := strings.ToLower(html.UnescapeString(m[1])); w != "trộm" && w != "cắp" && w != "trom" && w != "cap" {
				t.Errorf("highlighted %q, not a word of the query", m[1])
			}
		}
		if got := inputValue(t, body, "top-q"); got != "trom cap" {
			t.Errorf("the top box keeps %q", got)
		}
		if got := inputValue(t, body, "s-q"); got != "trom cap" {
			t.Errorf("the page's box keeps %q", got)
		}
		for _, k := range []string{"hits-document", "hits-law"} {
			if !strings.Contains(body, `data-testid="`+k+`"`) {
				t.Errorf("the page of every kind lacks %s", k)
			}
		}
		// The case tab shows cases only.
		one := chief.mustGet("/search?q=" + url.QueryEscape("trom cap") + "&kind=case")
		if !strings.Contains(one, `href="/cases/`+theft.ID+`"`) || strings.Contains(one, `data-testid="hits-law"`) {
			t.Errorf("the case tab:\n%s", excerpt(one))
		}
	})

	t.Run("another province sees none of Hà Nội's cases", func(t *testing.T) {
		hcm := e.login("hcm.vientruong")
		body := hcm.mustGet("/search?q=" + url.QueryEscape("trom cap"))
		if !strings.Contains(body, `data-testid="hits-case"`) {
			t.Fatalf("no case results section:\n%s", excerpt(body))
		}
		for _, id := range hnIDs {
			if strings.Contains(body, id) {
				t.Errorf("Hồ Chí Minh's chief sees Hà Nội's case %s", id)
			}
		}
		if strings.Contains(body, theft.Number) || strings.Contains(body, theft.Code) {
			t.Errorf("Hồ Chí Minh's chief sees %s", theft.Number)
		}
		hcm.english()
		en := hcm.mustGet("/search?q=" + url.QueryEscape("trom cap"))
		if !strings.Contains(topBar(t, en), `placeholder="Find cases, documents, articles…"`) || !strings.Contains(en, "Cases and reports") {
			t.Errorf("the English search page:\n%s", excerpt(en))
		}
	})

	t.Run("law", func(t *testing.T) {
		body := chief.mustGet("/search?q=" + url.QueryEscape("dieu 173") + "&kind=law")
		law := section(body, "hits-law")
		if law == "" || !strings.Contains(law, "Điều 173") {
			t.Fatalf("no law hit citing Điều 173:\n%s", excerpt(body))
		}
		if strings.Contains(body, `data-testid="hits-case"`) || strings.Contains(body, `data-testid="hits-document"`) {
			t.Error("the law tab shows other kinds")
		}
		if !strings.Contains(body, `aria-current="page">Điều luật, quy định<`) {
			t.Error("the law tab is not marked current")
		}
	})

	t.Run("empty and invalid queries", func(t *testing.T) {
		r := chief.get("/search")
		if r.status != http.StatusOK || fieldError(r.body, "q") != "" || strings.Contains(r.body, `data-testid="hits-`) {
			t.Errorf("empty search: %d, error %q\n%s", r.status, fieldError(r.body, "q"), excerpt(r.body))
		}
		long := strings.Repeat("trộm ", 40) + "c"
		if utf8.RuneCountInString(long) != 201 {
			t.Fatal("the long query is not 201 characters")
		}
		r = chief.get("/search?q=" + url.QueryEscape(long))
		if r.status != http.StatusBadRequest || fieldError(r.body, "q") == "" {
			t.Fatalf("201 characters: %d, error %q\n%s", r.status, fieldError(r.body, "q"), excerpt(r.body))
		}
		if got := inputValue(t, r.body, "s-q"); got != long {
			t.Errorf("the typed text is not kept: %q", got)
		}
		if strings.Contains(r.body, `data-testid="hits-`) || strings.Contains(r.body, "<mark>") {
			t.Error("results shown for a refused query")
		}
		r = chief.get("/search?q=trom&kind=people")
		if r.status != http.StatusBadRequest || fieldError(r.body, "kind") == "" || strings.Contains(r.body, `data-testid="hits-`) {
			t.Errorf("bad kind: %d, error %q", r.status, fieldError(r.body, "kind"))
		}
	})

	const classQ = "Khoản 2 Điều 173 là loại tội gì?"
	t.Run("assistant answers from the home page", func(t *testing.T) {
		home := chief.mustGet("/")
		panel := section(home, "assistant-panel")
		if panel == "" || !strings.Contains(panel, `action="/assistant"`) || !strings.Contains(panel, `name="question"`) ||
			!strings.Contains(panel, `href="/assistant"`) || strings.Contains(panel, `name="case_id"`) {
			t.Fatalf("the home page's assistant panel:\n%s", panel)
		}
		r := chief.post("/assistant", url.Values{"question": {classQ}, "next": {"/"}})
		if r.status != http.StatusOK {
			t.Fatalf("POST /assistant: %d\n%s", r.status, excerpt(r.body))
		}
		ans := section(r.body, "assistant-answer")
		if !strings.Contains(ans, "nghiêm trọng") {
			t.Errorf("the answer does not say nghiêm trọng:\n%s", ans)
		}
		if !strings.Contains(section(r.body, "citations"), "Khoản 2 Điều 173 BLHS") {
			t.Errorf("no citation Khoản 2 Điều 173 BLHS:\n%s", ans)
		}
		if !strings.Contains(ans, `data-testid="assistant-back"`) || !strings.Contains(ans, `href="/"`) {
			t.Errorf("no link back to the home page:\n%s", ans)
		}
		if !strings.Contains(r.body, `data-testid="confidence"`) {
			t.Error("no confidence figure")
		}

		// Without the CSRF field the question is refused.
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/assistant", strings.NewReader(url.Values{"question": {classQ}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := chief.do(req); r.status != http.StatusForbidden {
			t.Errorf("POST /assistant without CSRF: %d", r.status)
		}

		// Markup in a question is text; a foreign next goes home.
		r = chief.post("/assistant", url.Values{"question": {"<b>xin chào</b> Điều 999 là tội gì?"}, "next": {"//evil.example/x"}})
		if r.status != http.StatusOK || strings.Contains(r.body, "<b>xin chào</b>") || !strings.Contains(r.body, "&lt;b&gt;xin chào&lt;/b&gt;") {
			t.Errorf("a question with markup: %d\n%s", r.status, excerpt(r.body))
		}
		if strings.Contains(r.body, "evil.example") {
			t.Error("the link back leads off the site")
		}
		// An empty question is refused next to the field.
		r = chief.post("/assistant", url.Values{"question": {"  "}})
		if r.status != http.StatusUnprocessableEntity || fieldError(r.body, "question") == "" {
			t.Errorf("an empty question: %d, error %q", r.status, fieldError(r.body, "question"))
		}

		hist := chief.mustGet("/assistant")
		list := section(hist, "history")
		if !strings.Contains(list, classQ) || !strings.Contains(list, "<details>") {
			t.Errorf("the history lacks the question:\n%s", excerpt(hist))
		}
	})

	t.Run("assistant answers about the case page's case", func(t *testing.T) {
		body := chief.mustGet("/cases/" + theft.ID)
		panel := section(body, "assistant-panel")
		if !strings.Contains(panel, `name="case_id" value="`+theft.ID+`"`) || !strings.Contains(panel, `name="next" value="/cases/`+theft.ID+`"`) {
			t.Fatalf("the case page's assistant panel:\n%s", panel)
		}
		r := chief.post("/assistant", url.Values{"question": {"Vụ này còn mấy ngày hết hạn điều tra?"}, "case_id": {theft.ID}, "next": {"/cases/" + theft.ID}})
		if r.status != http.StatusOK {
			t.Fatalf("POST /assistant: %d\n%s", r.status, excerpt(r.body))
		}
		ans := section(r.body, "assistant-answer")
		if !strings.Contains(section(r.body, "answer"), html.EscapeString(theft.Number)) {
			t.Errorf("the answer does not name %s:\n%s", theft.Number, ans)
		}
		if !strings.Contains(section(r.body, "citations"), `href="/cases/`+theft.ID+`"`) {
			t.Errorf("no link to the case among the citations:\n%s", ans)
		}
		// Asked again from the answer, the question is still about the case.
		if !strings.Contains(r.body, `name="case_id" value="`+theft.ID+`" checked`) {
			t.Error("the form under the answer forgets the case")
		}
		// Another province asking about it learns nothing of it.
		hcm := e.login("hcm.vientruong")
		r = hcm.post("/assistant", url.Values{"question": {"Vụ này còn mấy ngày hết hạn điều tra?"}, "case_id": {theft.ID}})
		if strings.Contains(r.body, theft.Number) || strings.Contains(section(r.body, "assistant-answer"), `href="/cases/`+theft.ID+`"`) {
			t.Errorf("Hồ Chí Minh's chief learns of %s: %d\n%s", theft.Number, r.status, excerpt(r.body))
		}
	})
}
