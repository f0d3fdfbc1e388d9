package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"kiemsat/domain"
	"kiemsat/service"
)

// searchRoutes are the search page (the box in the top bar of every page sends to it) and the
// virtual assistant (trợ lý ảo): its page with the asker's history, and the questions sent from
// the panels of the home and case pages.
func (s *Server) searchRoutes(m *http.ServeMux) {
	m.Handle("GET /search", s.user(s.searchPage))
	m.Handle("GET /assistant", s.user(s.assistantPage))
	m.Handle("POST /assistant", s.user(s.assistantAsk))
}

// Hits per kind: a few of each on the page of every kind, more on the page of one.
const (
	searchAllLimit  = 10
	searchKindLimit = 50
)

// searchKinds are the tabs of the search page, "" being every kind.
var searchKinds = []string{"", string(domain.SearchCase), string(domain.SearchDocument), string(domain.SearchLaw)}

// searchData is the search page: the text and kind asked, and one page of hits per kind.
type searchData struct {
	Text  string
	Kind  string
	Kinds []string
	// Searched: a search ran (the text was not empty and was accepted).
	Searched  bool
	Pages     []domain.SearchPage
	Corrected []correction
	Units     map[int64]string
	Limit     int
}

// correction is a word of the query the lexicon replaced by the known words closest to it.
type correction struct {
	Word string
	Into []string
}

// TabLink is the same search restricted to one kind ("" for every kind).
func (d searchData) TabLink(kind string) string {
	q := url.Values{}
	if d.Text != "" {
		q.Set("q", d.Text)
	}
	if kind != "" {
		q.Set("kind", kind)
	}
	if enc := q.Encode(); enc != "" {
		return "/search?" + enc
	}
	return "/search"
}

// More reports whether a page of hits holds fewer than matched, so that the kind's own tab shows
// more of them.
func (d searchData) More(pg domain.SearchPage) bool {
	return d.Kind == "" && (pg.Capped || pg.Total > int64(len(pg.Hits)))
}

// Truncated: the page of one kind shows its most, and more matched.
func (d searchData) Truncated(pg domain.SearchPage) bool {
	return d.Kind != "" && (pg.Capped || pg.Total > int64(len(pg.Hits))) && len(pg.Hits) >= d.Limit
}

// searchPage runs the search of the box (GET /search?q=…&kind=…) in the caller's scope, as
// GET /api/v1/search does; an empty text shows the form alone.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if s.Search == nil {
		s.notFound(w, r)
		return
	}
	q := r.URL.Query()
	d := searchData{Text: q.Get("q"), Kind: q.Get("kind"), Kinds: searchKinds, Limit: searchAllLimit}
	pg := page{Title: "search.title", Nav: "search", Form: q, Errors: map[string]string{}, Data: &d}
	if strings.TrimSpace(d.Text) == "" {
		s.render(w, r, http.StatusOK, "search", pg)
		return
	}
	in := service.SearchInput{Text: d.Text, Limit: searchAllLimit}
	if d.Kind != "" {
		in.Kinds, in.Limit, d.Limit = []domain.SearchKind{domain.SearchKind(d.Kind)}, searchKindLimit, searchKindLimit
	}
	res, err := s.Search.Search(r.Context(), p, in)
	if err != nil {
		if !s.filterRefused(w, r, err, pg.Errors) {
			return
		}
		if !slices.Contains(searchKinds, d.Kind) {
			d.Kind = ""
		}
		s.render(w, r, http.StatusBadRequest, "search", pg)
		return
	}
	d.Searched, d.Pages = true, res.Pages
	for word, into := range res.Corrected {
		d.Corrected = append(d.Corrected, correction{Word: word, Into: into})
	}
	slices.SortFunc(d.Corrected, func(a, b correction) int { return strings.Compare(a.Word, b.Word) })
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Units = map[int64]string{}
	for _, u := range units {
		d.Units[u.ID] = u.Name
	}
	s.render(w, r, http.StatusOK, "search", pg)
}

// assistantHistory is how many of the asker's questions the assistant's page lists.
const assistantHistory = 20

// assistantData is the assistant's page: an answer just given, or the asker's history.
type assistantData struct {
	Answer       *domain.AssistantAnswer
	History      []domain.AssistantAnswer
	HistoryTotal int64
	ShowHistory  bool
	// Next is the page the question was asked from; CaseID the case it was asked about.
	Next   string
	CaseID string
}

// Back is the link back to the page the question was asked from, when that was another page.
func (d assistantData) Back() string {
	if d.Next == "" || d.Next == "/assistant" || strings.HasPrefix(d.Next, "/assistant?") {
		return ""
	}
	return d.Next
}

// assistantPage is the assistant's own page: the question form and the asker's recent questions.
func (s *Server) assistantPage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if s.Assistant == nil {
		s.notFound(w, r)
		return
	}
	items, total, err := s.Assistant.History(r.Context(), p, assistantHistory, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &assistantData{History: items, HistoryTotal: total, ShowHistory: true}
	s.render(w, r, http.StatusOK, "assistant", page{Title: "assistant.title", Nav: "assistant", Data: d})
}

// assistantAsk answers a question sent from a panel (or the assistant's page), as
// POST /api/v1/assistant/ask does, and shows the answer with the form to ask another.
func (s *Server) assistantAsk(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	if s.Assistant == nil {
		s.notFound(w, r)
		return
	}
	f := r.PostForm
	d := &assistantData{CaseID: strings.TrimSpace(f.Get("case_id"))}
	if n := f.Get("next"); n != "" {
		d.Next = safeNext(n)
	}
	ans, err := s.Assistant.Ask(r.Context(), p, service.AskInput{Question: f.Get("question"), CaseID: d.CaseID})
	if err != nil {
		fields, msg, status, ok := s.formErrors(w, r, err)
		if !ok {
			return
		}
		if _, bad := fields["case_id"]; bad {
			d.CaseID = ""
		}
		s.render(w, r, status, "assistant", page{Title: "assistant.title", Nav: "assistant", Errors: fields, Problem: msg, Form: f, Data: d})
		return
	}
	d.Answer = &ans
	s.render(w, r, http.StatusOK, "assistant", page{Title: "assistant.title", Nav: "assistant", Data: d})
}

// AssistantCaseID is the case the assistant's panel asks about: the case of a case page, or the
// case an answer was about on the assistant's page.
func (p page) AssistantCaseID() string {
	switch d := p.Data.(type) {
	case *caseData:
		if d != nil && d.Case != nil {
			return d.Case.ID
		}
	case *assistantData:
		if d != nil {
			return d.CaseID
		}
	}
	return ""
}

// PanelNext is the page a question is asked from, for the link back from its answer (without a
// flash message shown already).
func (p page) PanelNext() string {
	u, err := url.Parse(p.URI)
	if err != nil {
		return "/"
	}
	q := u.Query()
	if !q.Has("flash") {
		return p.URI
	}
	q.Del("flash")
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// searchMessages are the text of the search box, the search page and the assistant.
var searchMessages = map[string][2]string{
	"search.title":         {"Tìm kiếm", "Search"},
	"search.label":         {"Tìm kiếm trong hệ thống", "Search the platform"},
	"search.placeholder":   {"Tìm vụ án, tài liệu, điều luật…", "Find cases, documents, articles…"},
	"search.submit":        {"Tìm", "Search"},
	"search.text":          {"Nội dung cần tìm", "Search for"},
	"search.hint":          {"Có thể gõ không dấu, ví dụ: trom cap, dieu 173, số hoặc mã hồ sơ.", "Diacritics are optional, e.g. trom cap, dieu 173, a case number or code."},
	"search.kinds":         {"Loại kết quả", "Kinds of results"},
	"search.kind.all":      {"Tất cả", "All"},
	"search.kind.case":     {"Vụ án, tin báo", "Cases and reports"},
	"search.kind.document": {"Tài liệu trong hồ sơ", "Case-file documents"},
	"search.kind.law":      {"Điều luật, quy định", "Articles and rules"},
	"search.total":         {"%s kết quả", "%s found"},
	"search.at_least":      {"ít nhất %s kết quả", "at least %s found"},
	"search.none":          {"Không tìm thấy kết quả nào.", "Nothing found."},
	"search.more":          {"Xem thêm kết quả loại này", "See more of this kind"},
	"search.truncated":     {"Chỉ hiển thị %d kết quả phù hợp nhất; hãy thêm từ khóa để thu hẹp.", "Only the %d best results are shown; add words to narrow the search."},
	"search.corrected":     {"Đã tìm theo từ gần đúng:", "Searched with the closest known words:"},
	"search.empty":         {"Nhập số, mã hồ sơ, tên, nội dung vụ việc, tên tài liệu hoặc điều luật cần tìm.", "Type a case number or code, a name, facts, a document's title or an article to search for."},
	"search.scope_note":    {"Kết quả chỉ gồm hồ sơ, tài liệu trong phạm vi bạn được xem.", "Results include only the cases and documents you may read."},
	"search.case_of":       {"Thuộc hồ sơ", "In case"},
	"search.open_case":     {"Mở hồ sơ", "Open the case"},
	"search.download":      {"Tải tài liệu", "Download"},

	"assistant.title":         {"Trợ lý ảo", "Virtual assistant"},
	"assistant.question":      {"Câu hỏi", "Question"},
	"assistant.hint":          {"Ví dụ: Khoản 2 Điều 173 là loại tội gì? Thời hạn tạm giam để điều tra là bao lâu?", "E.g. What class of crime is clause 2 of article 173? How long may detention for investigation last?"},
	"assistant.hint_case":     {"Câu hỏi về hồ sơ này, ví dụ: Vụ này còn mấy ngày hết hạn điều tra? Có vụ án nào tương tự?", "Ask about this case, e.g. How many days are left to investigate? Are there similar cases?"},
	"assistant.ask":           {"Hỏi trợ lý", "Ask"},
	"assistant.ask_title":     {"Đặt câu hỏi cho trợ lý", "Ask the assistant"},
	"assistant.ask_again":     {"Hỏi câu khác", "Ask another question"},
	"assistant.history":       {"Lịch sử câu hỏi", "Question history"},
	"assistant.history_n":     {"Lịch sử câu hỏi: %d câu gần nhất / tổng số %s", "Question history: latest %d of %s"},
	"assistant.no_history":    {"Bạn chưa hỏi câu nào.", "You have not asked anything yet."},
	"assistant.you_asked":     {"Câu hỏi", "You asked"},
	"assistant.answer":        {"Trả lời", "Answer"},
	"assistant.unanswered":    {"Chưa trả lời được", "Not answered"},
	"assistant.confidence":    {"Độ tin cậy: %.0f%%", "Confidence: %.0f%%"},
	"assistant.phrased":       {"Câu trả lời được diễn đạt lại tự động từ các căn cứ dưới đây.", "The answer was reworded automatically from the sources below."},
	"assistant.citations":     {"Căn cứ", "Sources"},
	"assistant.cite.article":  {"Điều luật", "Article"},
	"assistant.cite.rule":     {"Quy định thời hạn", "Time-limit rule"},
	"assistant.cite.case":     {"Hồ sơ", "Case"},
	"assistant.cite.document": {"Tài liệu", "Document"},
	"assistant.similar":       {"Vụ án tương tự", "Similar cases"},
	"assistant.same_charges":  {"Cùng tội danh", "Same charges"},
	"assistant.related":       {"Quy định, điều luật gần nhất", "Closest rules and articles"},
	"assistant.back":          {"Quay lại trang đang xem", "Back to the page you were on"},
	"assistant.about_case":    {"Hỏi về hồ sơ này", "Ask about this case"},
	"assistant.case_link":     {"Câu hỏi về hồ sơ", "Asked about case"},
	"assistant.asked_at":      {"Hỏi lúc %s", "Asked at %s"},
	"assistant.note":          {"Trợ lý trả lời từ Bộ luật Hình sự, Bộ luật Tố tụng hình sự và dữ liệu hồ sơ trong phạm vi bạn được xem; hãy đối chiếu căn cứ trước khi sử dụng.", "The assistant answers from the Penal Code, the Criminal Procedure Code and the case data you may read; check the sources before relying on an answer."},
}
