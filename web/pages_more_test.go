package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kiemsat/api"
	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/service/seed"
)

// The supervision and administration pages, driven over HTTP like a browser without scripts
// (cookies, the CSRF field, redirects) against a real database seeded with the demo organisation,
// and checked against what the services answer for the same request.

const pagesPassword = "Mat-khau-trang-thu-2026"

type pagesClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *pagesClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *pagesClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type pagesEnv struct {
	t     *testing.T
	srv   *httptest.Server
	svc   *service.Services
	jwt   *api.JWT
	clock *pagesClock
	units map[string]domain.Unit
}

// newPagesEnv is the web UI over its own freshly migrated database, seeded with the demo
// organisation, users and cases, on a clock the test moves.
func newPagesEnv(t *testing.T) *pagesEnv {
	t.Helper()
	clock := &pagesClock{now: time.Now().Truncate(time.Millisecond)}
	app := NewTestApp(t, TestAppOptions{Clock: clock, Password: pagesPassword})
	return &pagesEnv{t: t, srv: app.Srv, svc: app.Svc, jwt: app.JWT, clock: clock, units: app.Units}
}

// principal is a user as the services see them, to ask the services what a page should show.
func (e *pagesEnv) principal(username string) *service.Principal {
	e.t.Helper()
	ctx := context.Background()
	tok, err := e.svc.Auth.Login(ctx, username, pagesPassword, service.Meta{})
	if err != nil {
		e.t.Fatalf("login %s: %v", username, err)
	}
	claims, err := e.jwt.Parse(tok.AccessToken)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := e.svc.Auth.Authenticate(ctx, claims, service.Meta{})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// pagesUser is a browser session: its own cookies, redirects not followed.
type pagesUser struct {
	e    *pagesEnv
	c    *http.Client
	csrf string
}

type pagesResp struct {
	status int
	header http.Header
	body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *pagesEnv) login(username string) *pagesUser {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &pagesUser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	r := u.get("/login")
	m := csrfField.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		e.t.Fatalf("GET /login: %d, csrf field found: %v", r.status, m != nil)
	}
	u.csrf = m[1]
	r = u.post("/login", url.Values{"username": {username}, "password": {pagesPassword}, "next": {"/"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		e.t.Fatalf("login %s: %d → %q", username, r.status, r.header.Get("Location"))
	}
	return u
}

func (u *pagesUser) do(req *http.Request) pagesResp {
	u.e.t.Helper()
	res, err := u.c.Do(req)
	if err != nil {
		u.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		u.e.t.Fatal(err)
	}
	return pagesResp{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (u *pagesUser) get(path string) pagesResp {
	u.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u.e.srv.URL+path, nil)
	if err != nil {
		u.e.t.Fatal(err)
	}
	return u.do(req)
}

// post sends a form as the page would: with the CSRF field of the session.
func (u *pagesUser) post(path string, form url.Values) pagesResp {
	u.e.t.Helper()
	form.Set("csrf", u.csrf)
	req, err := http.NewRequest(http.MethodPost, u.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		u.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req)
}

// english switches the session to English, as the language form does.
func (u *pagesUser) english() {
	u.e.t.Helper()
	if r := u.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.status != http.StatusSeeOther {
		u.e.t.Fatalf("switch to English: %d", r.status)
	}
}

// mustGet is a page that answers 200.
func (u *pagesUser) mustGet(path string) string {
	u.e.t.Helper()
	r := u.get(path)
	if r.status != http.StatusOK {
		u.e.t.Fatalf("GET %s: %d\n%s", path, r.status, excerpt(r.body))
	}
	return r.body
}

// excerpt is the main part of a page, for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

var totalBadge = regexp.MustCompile(`data-testid="total">([0-9.,]+)<`)

// badgeTotal reads the total a list page shows.
func badgeTotal(t *testing.T, body string) int64 {
	t.Helper()
	m := totalBadge.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no total on the page:\n%s", excerpt(body))
	}
	n, err := strconv.ParseInt(strings.NewReplacer(".", "", ",", "").Replace(m[1]), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fieldError reads the message shown next to a field (data-testid="err-{field}").
func fieldError(body, field string) string {
	re := regexp.MustCompile(`data-testid="err-` + regexp.QuoteMeta(field) + `">([^<]*)<`)
	if m := re.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// The chief of Hà Nội sees the violations of time limits found across the province after time
// passed, as ListViolations answers them, each linking to its case, filtered by rule and state.
func TestPagesViolations(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	e.clock.Advance(200 * 24 * time.Hour)
	e.svc.Monitor.Tick(ctx)
	chief := e.login("hn.vientruong")
	p := e.principal("hn.vientruong")
	open := true
	want, total, err := e.svc.Procedure.ListViolations(ctx, p, domain.ViolationFilter{IncludeSubunits: true, Open: &open, Limit: domain.DefaultPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 {
		t.Fatal("the demo has no open violation after 200 days: nothing to show")
	}
	body := chief.mustGet("/violations")
	if got := badgeTotal(t, body); got != total {
		t.Errorf("the page counts %d violations, the service %d", got, total)
	}
	for _, v := range want {
		row := regexp.MustCompile(`(?s)<tr class="overdue" data-violation="` + strconv.FormatInt(v.ID, 10) + `">(.*?)</tr>`).FindStringSubmatch(body)
		if row == nil {
			t.Errorf("violation %d (%s) not listed as open", v.ID, v.Rule)
			continue
		}
		for _, s := range []string{`href="/cases/` + v.CaseID + `"`, html.EscapeString(v.NameVI), html.EscapeString(v.Article), html.EscapeString(v.CaseNumber),
			">" + strconv.Itoa(service.DaysLate(v, e.clock.Now())) + "<"} {
			if !strings.Contains(row[1], s) {
				t.Errorf("violation %d: the row lacks %q:\n%s", v.ID, s, row[1])
			}
		}
	}
	// The rule filter: the count of that rule's violations, only they listed.
	rule := want[0].Rule
	_, ruleTotal, err := e.svc.Procedure.ListViolations(ctx, p, domain.ViolationFilter{IncludeSubunits: true, Open: &open, Rules: []string{rule}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	body = chief.mustGet("/violations?rule=" + rule)
	if got := badgeTotal(t, body); got != ruleTotal || got == 0 {
		t.Errorf("rule %s: the page counts %d, the service %d", rule, got, ruleTotal)
	}
	if !strings.Contains(body, `<option value="`+rule+`" selected>`) {
		t.Errorf("the rule chosen is not kept in the filter")
	}
	// Remedied ones, and all of them.
	closed := false
	_, closedTotal, err := e.svc.Procedure.ListViolations(ctx, p, domain.ViolationFilter{IncludeSubunits: true, Open: &closed, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := badgeTotal(t, chief.mustGet("/violations?open=false")); got != closedTotal {
		t.Errorf("remedied: the page counts %d, the service %d", got, closedTotal)
	}
	if got := badgeTotal(t, chief.mustGet("/violations?open=all")); got != closedTotal+total {
		t.Errorf("all: the page counts %d, want %d + %d", got, total, closedTotal)
	}
	// Paging: a page of one row, and the link to the next.
	body = chief.mustGet("/violations?limit=1&offset=1")
	if n := strings.Count(body, "data-violation="); n != 1 || total > 2 && !strings.Contains(body, `offset=2`) || !strings.Contains(body, `rel="prev"`) {
		t.Errorf("second page of one: %d rows, next link %v, prev link %v", n, strings.Contains(body, "offset=2"), strings.Contains(body, `rel="prev"`))
	}
	// A unit of the other province is not the chief's to filter by; a rule that does not exist is
	// shown next to the filter.
	if r := chief.get("/violations?unit_id=" + strconv.FormatInt(e.units[seed.ProvinceCode("HCM")].ID, 10)); r.status != http.StatusNotFound {
		t.Errorf("another province's unit: %d", r.status)
	}
	r := chief.get("/violations?rule=no_such_rule")
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="v-rule-err"`) {
		t.Errorf("an unknown rule: %d, error next to the filter: %v", r.status, strings.Contains(r.body, `id="v-rule-err"`))
	}
	// The other lists answer too.
	_, findings, err := e.svc.Procedure.ListFindings(ctx, p, domain.FindingFilter{IncludeSubunits: true, Open: &open, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := badgeTotal(t, chief.mustGet("/violations?view=findings")); got != findings {
		t.Errorf("findings: the page counts %d, the service %d", got, findings)
	}
	_, recs, err := e.svc.Procedure.ListRecommendations(ctx, p, domain.RecommendationFilter{IncludeSubunits: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := badgeTotal(t, chief.mustGet("/violations?view=recommendations")); got != recs {
		t.Errorf("recommendations: the page counts %d, the service %d", got, recs)
	}
}

var statCellRE = regexp.MustCompile(`data-indicator="([a-z0-9_]+)" data-col="([^"]*)" data-value="(-?[0-9]+)"`)

// The statistics page shows the figures of Statistics.Report for the same request, each figure
// opens the cases behind it, and the Excel export has the same numbers.
func TestPagesStatistics(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	chief := e.login("hn.vientruong")
	p := e.principal("hn.vientruong")
	// The year of a case received three days ago: the period has figures whatever today is.
	year := e.clock.Now().In(domain.ICT).AddDate(0, 0, -3).Year()
	period := strconv.Itoa(year)
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, domain.ICT), time.Date(year+1, 1, 1, 0, 0, 0, 0, domain.ICT)
	rep, err := e.svc.Statistics.Report(ctx, p, service.StatRequest{UnitID: p.User.UnitID, IncludeSubunits: true, From: from, To: to, By: []string{"unit"}})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, v := range rep.Totals {
		sum += v
	}
	if sum == 0 || len(rep.Rows) == 0 {
		t.Fatalf("the demo gives no figure for %d: nothing to compare", year)
	}
	body := chief.mustGet("/statistics?period=" + period + "&by=unit")
	cells := map[string]int64{}
	for _, m := range statCellRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[3], 10, 64)
		cells[m[1]+"|"+m[2]] = n
	}
	for _, row := range rep.Rows {
		key := row.Indicator + "|" + strconv.FormatInt(*row.UnitID, 10)
		if got, ok := cells[key]; !ok || got != row.Value {
			t.Errorf("%s of unit %d: the page shows %d (%v), the report %d", row.Indicator, *row.UnitID, got, ok, row.Value)
		}
	}
	for id, v := range rep.Totals {
		if got, ok := cells[id+"|total"]; !ok || got != v {
			t.Errorf("total of %s: the page shows %d (%v), the report %d", id, got, ok, v)
		}
	}
	var shown int64
	for k, v := range cells {
		if !strings.HasSuffix(k, "|total") {
			shown += v
		}
	}
	if shown != sum {
		t.Errorf("the page's cells add up to %d, the report's totals to %d", shown, sum)
	}
	// Without a breakdown the page shows the totals only.
	body2 := chief.mustGet("/statistics?period=" + period)
	for id, v := range rep.Totals {
		if !strings.Contains(body2, `data-indicator="`+id+`" data-col="total" data-value="`+strconv.FormatInt(v, 10)+`"`) {
			t.Errorf("no breakdown: total of %s is not %d", id, v)
		}
	}
	// A figure opens the cases behind it, as Statistics.Cases lists them.
	var drill string
	var row service.StatRow
	for _, r := range rep.Rows {
		if r.Value > 0 {
			row = r
			break
		}
	}
	link := regexp.MustCompile(`data-indicator="` + row.Indicator + `" data-col="` + strconv.FormatInt(*row.UnitID, 10) + `" data-value="[0-9]+"><a href="([^"]+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("figure %s of unit %d has no link", row.Indicator, *row.UnitID)
	}
	drill = html.UnescapeString(link[1])
	cases, caseTotal, err := e.svc.Statistics.Cases(ctx, p, service.StatRequest{UnitID: p.User.UnitID, IncludeSubunits: true, From: from, To: to,
		Indicators: []string{row.Indicator}}, domain.StatCellFilter{UnitID: row.UnitID, Limit: domain.DefaultPageSize})
	if err != nil {
		t.Fatal(err)
	}
	dbody := chief.mustGet(drill)
	if got := badgeTotal(t, dbody); got != caseTotal || caseTotal == 0 {
		t.Errorf("drill-down %s: the page counts %d cases, the service %d", drill, got, caseTotal)
	}
	for _, c := range cases {
		if !strings.Contains(dbody, `<a href="/cases/`+c.ID+`">`) {
			t.Errorf("drill-down: case %s not linked", c.Number)
		}
	}
	// The export: the same request, the same numbers, in a workbook Excel opens.
	m := regexp.MustCompile(`href="([^"]+)" data-testid="export"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no export link")
	}
	r := chief.get(html.UnescapeString(m[1]))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(r.header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d %v", r.status, r.header)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Thống kê")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Rows)+1 {
		t.Fatalf("the sheet has %d rows, the report %d", len(rows)-1, len(rep.Rows))
	}
	for i, want := range rep.Rows {
		got := rows[i+1]
		if len(got) < 6 || got[0] != want.Indicator || got[2] != rep.Units[*want.UnitID].Code || got[5] != strconv.FormatInt(want.Value, 10) {
			t.Errorf("sheet row %d %v, report %s %s %d", i+1, got, want.Indicator, rep.Units[*want.UnitID].Code, want.Value)
		}
	}
	// A period that is not one is shown next to its field.
	if r := chief.get("/statistics?period=2026-13"); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="s-period-err"`) {
		t.Errorf("a bad period: %d", r.status)
	}
	// In English, the same figures under English names.
	chief.english()
	body = chief.mustGet("/statistics?period=" + period + "&by=class")
	if !strings.Contains(body, "Automatic statistics") || !strings.Contains(body, html.EscapeString(rep.Definitions[0].NameEN)) || !strings.Contains(body, "Q3 "+period) {
		t.Errorf("the English statistics page lacks its English texts")
	}
	if body := chief.mustGet("/violations?view=findings"); !strings.Contains(body, "Procedural defects found") {
		t.Errorf("the English violations page lacks its English texts")
	}
}

// An administrator creates a user (a refused form keeps what was typed), grants and revokes a
// role, deactivates the account, creates and renames a unit, and edits the holiday calendar; a
// prosecutor reaches none of it.
func TestPagesAdmin(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	admin := e.login("admin")
	ap := e.principal("admin")
	hn := e.units[seed.ProvinceCode("HNI")]

	// The user list is the service's.
	page, err := e.svc.Admin.Users(ctx, ap, service.UserFilter{Text: "hnkv1", Limit: domain.DefaultPageSize})
	if err != nil {
		t.Fatal(err)
	}
	body := admin.mustGet("/admin/users?q=hnkv1")
	if got := badgeTotal(t, body); got != page.Total || got == 0 {
		t.Errorf("search hnkv1: the page counts %d, the service %d", got, page.Total)
	}
	for _, u := range page.Items {
		if !strings.Contains(body, `<a href="/admin/users/`+u.ID+`">`+u.Username+`</a>`) {
			t.Errorf("user %s not listed", u.Username)
		}
	}

	// A bad username: the message next to the field, the name typed kept, the password not.
	admin.mustGet("/admin/users/new")
	const fullName = "Nguyễn Thị Kiểm Thử"
	const password = "mat-khau-ban-dau-2026"
	form := url.Values{"username": {"Sai Ten!"}, "full_name": {fullName}, "email": {"kt@vks.gov.vn"}, "unit_id": {strconv.FormatInt(hn.ID, 10)},
		"password": {password}, "must_change_password": {"1"}}
	r := admin.post("/admin/users", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad username: %d\n%s", r.status, excerpt(r.body))
	}
	if msg := fieldError(r.body, "username"); !strings.Contains(strings.ToLower(msg), "tên đăng nhập") {
		t.Errorf("no message next to the username: %q", msg)
	}
	if !strings.Contains(r.body, `name="full_name" value="`+fullName+`"`) || !strings.Contains(r.body, `value="kt@vks.gov.vn"`) {
		t.Errorf("the name typed is not kept")
	}
	if strings.Contains(r.body, password) {
		t.Errorf("the password typed is written back into the page")
	}
	if !strings.Contains(r.body, `name="must_change_password" value="1" checked`) {
		t.Errorf("the box ticked is not kept")
	}
	// Created, then shown with the flash.
	form.Set("username", "hn.kiemthu")
	r = admin.post("/admin/users", form)
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/users/") || !strings.HasSuffix(loc, "?flash=user_created") {
		t.Fatalf("create: %d → %q\n%s", r.status, loc, excerpt(r.body))
	}
	userID := strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/users/"), "?flash=user_created")
	body = admin.mustGet(loc)
	if !strings.Contains(body, tr(LangVI, "flash.user_created")) || !strings.Contains(body, fullName) {
		t.Errorf("the new user's page lacks the flash or the name")
	}
	u, err := e.svc.Admin.User(ctx, ap, userID)
	if err != nil || u.Username != "hn.kiemthu" || !u.MustChangePassword || u.UnitID != hn.ID || !u.Active {
		t.Fatalf("created user %+v, %v", u, err)
	}
	// The same username again is a conflict shown next to the field.
	if r := admin.post("/admin/users", form); r.status != http.StatusConflict || fieldError(r.body, "username") == "" {
		t.Errorf("duplicate username: %d %q", r.status, fieldError(r.body, "username"))
	}

	// A grant: a bad role is refused next to its field; a good one is added, then revoked.
	grantPath := "/admin/users/" + userID + "/grants"
	r = admin.post(grantPath, url.Values{"role": {"emperor"}, "unit_id": {strconv.FormatInt(hn.ID, 10)}})
	if r.status != http.StatusUnprocessableEntity || fieldError(r.body, "grant.role") == "" {
		t.Errorf("bad role: %d %q", r.status, fieldError(r.body, "grant.role"))
	}
	r = admin.post(grantPath, url.Values{"role": {"prosecutor"}, "unit_id": {strconv.FormatInt(hn.ID, 10)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add grant: %d\n%s", r.status, excerpt(r.body))
	}
	grants, err := e.svc.Admin.Grants(ctx, ap, userID)
	if err != nil || len(grants) != 1 || grants[0].Role != domain.RoleProsecutor || grants[0].UnitID != hn.ID {
		t.Fatalf("grants after adding %+v, %v", grants, err)
	}
	body = admin.mustGet("/admin/users/" + userID)
	if !strings.Contains(body, `data-grant="`+grants[0].ID+`" data-role="prosecutor"`) {
		t.Errorf("the grant is not shown")
	}
	r = admin.post(grantPath+"/"+grants[0].ID+"/revoke", url.Values{})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "flash=grant_revoked") {
		t.Fatalf("revoke: %d %q", r.status, r.header.Get("Location"))
	}
	if grants, err := e.svc.Admin.Grants(ctx, ap, userID); err != nil || len(grants) != 0 {
		t.Errorf("grants after revoking %+v, %v", grants, err)
	}
	if body := admin.mustGet("/admin/users/" + userID); strings.Contains(body, "data-grant=") {
		t.Errorf("a revoked grant is still shown")
	}
	// Deactivated with the version read; a stale version is a conflict.
	r = admin.post("/admin/users/"+userID+"/active", url.Values{"active": {"false"}, "version": {strconv.Itoa(u.Version)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d\n%s", r.status, excerpt(r.body))
	}
	if u2, err := e.svc.Admin.User(ctx, ap, userID); err != nil || u2.Active {
		t.Errorf("after deactivating: %+v %v", u2, err)
	}
	if r := admin.post("/admin/users/"+userID+"/active", url.Values{"active": {"true"}, "version": {strconv.Itoa(u.Version)}}); r.status != http.StatusConflict {
		t.Errorf("stale version: %d", r.status)
	}

	// A unit: a bad code refused next to its field, a good one created and renamed.
	unitForm := url.Values{"code": {"vks kv9"}, "name": {"Viện kiểm sát nhân dân khu vực 9 - Hà Nội"}, "level": {"regional"}, "parent_id": {strconv.FormatInt(hn.ID, 10)}}
	r = admin.post("/admin/units", unitForm)
	if r.status != http.StatusUnprocessableEntity || fieldError(r.body, "code") == "" || !strings.Contains(r.body, `value="Viện kiểm sát nhân dân khu vực 9 - Hà Nội"`) {
		t.Errorf("bad unit code: %d %q", r.status, fieldError(r.body, "code"))
	}
	unitForm.Set("code", "VKS-HNI-KV09")
	r = admin.post("/admin/units", unitForm)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create unit: %d\n%s", r.status, excerpt(r.body))
	}
	unitPath := strings.TrimSuffix(r.header.Get("Location"), "?flash=unit_created")
	unitID, _ := strconv.ParseInt(strings.TrimPrefix(unitPath, "/admin/units/"), 10, 64)
	unit, err := e.svc.Admin.Unit(ctx, unitID)
	if err != nil || unit.Code != "VKS-HNI-KV09" || unit.ParentID == nil || *unit.ParentID != hn.ID {
		t.Fatalf("created unit %+v, %v", unit, err)
	}
	if body := admin.mustGet("/admin/units"); !strings.Contains(body, `<a href="/admin/units/`+strconv.FormatInt(unitID, 10)+`">`) {
		t.Errorf("the new unit is not in the tree")
	}
	r = admin.post(unitPath, url.Values{"name": {"Viện kiểm sát nhân dân khu vực 9 - thành phố Hà Nội"}, "name_en": {"Regional Procuracy 9, Hanoi"}, "version": {strconv.Itoa(unit.Version)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("rename unit: %d\n%s", r.status, excerpt(r.body))
	}
	if unit, err := e.svc.Admin.Unit(ctx, unitID); err != nil || unit.Name != "Viện kiểm sát nhân dân khu vực 9 - thành phố Hà Nội" || unit.NameEN != "Regional Procuracy 9, Hanoi" {
		t.Errorf("renamed unit %+v, %v", unit, err)
	}
	if r := admin.post(unitPath, url.Values{"name": {"X"}, "version": {strconv.Itoa(unit.Version + 1)}}); r.status != http.StatusUnprocessableEntity || fieldError(r.body, "name") == "" {
		t.Errorf("a one-letter name: %d %q", r.status, fieldError(r.body, "name"))
	}

	// The calendar: a make-up working day that is not a Saturday is refused with its article and
	// the values kept; a day added shows as dd/mm/yyyy, then deleted.
	const date = "2030-03-13" // a Wednesday
	dayForm := url.Values{"date": {date}, "name_vi": {"Ngày nghỉ thử nghiệm"}, "name_en": {"Test day off"}, "kind": {"swap_workday"},
		"source": {"Thông báo thử nghiệm"}, "confirmed": {"1"}, "year": {"2030"}}
	r = admin.post("/admin/calendar", dayForm)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.body, "date"), "Điều 111") || !strings.Contains(r.body, `value="Ngày nghỉ thử nghiệm"`) {
		t.Errorf("a make-up Wednesday: %d %q", r.status, fieldError(r.body, "date"))
	}
	dayForm.Set("kind", "compensatory")
	r = admin.post("/admin/calendar", dayForm)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/calendar?year=2030&flash=day_saved" {
		t.Fatalf("add a day: %d %q\n%s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	days, err := e.svc.Calendar.Days(ctx, ap, 2030)
	if err != nil || !hasDay(days, date, domain.DayCompensatory) {
		t.Fatalf("the day is not in the calendar: %v", err)
	}
	if body := admin.mustGet("/admin/calendar?year=2030&flash=day_saved"); !strings.Contains(body, tr(LangVI, "flash.day_saved")) {
		t.Errorf("no flash after saving a day")
	}
	body = admin.mustGet("/admin/calendar?year=2030")
	if !strings.Contains(body, `data-date="`+date+`"`) || !strings.Contains(body, "13/03/2030") {
		t.Errorf("the day is not shown as 13/03/2030")
	}
	// Changing it: the form is filled with the day, a new name replaces the old.
	body = admin.mustGet("/admin/calendar?year=2030&date=" + date)
	if !strings.Contains(body, `name="name_vi" value="Ngày nghỉ thử nghiệm"`) {
		t.Errorf("the form is not filled with the day to change")
	}
	dayForm.Set("name_vi", "Ngày nghỉ thử nghiệm (đã sửa)")
	if r := admin.post("/admin/calendar", dayForm); r.status != http.StatusSeeOther {
		t.Fatalf("change a day: %d", r.status)
	}
	if days, _ := e.svc.Calendar.Days(ctx, ap, 2030); !hasDayNamed(days, date, "Ngày nghỉ thử nghiệm (đã sửa)") {
		t.Errorf("the day was not changed")
	}
	r = admin.post("/admin/calendar/"+date+"/delete", url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/calendar?year=2030&flash=day_deleted" {
		t.Fatalf("delete a day: %d %q", r.status, r.header.Get("Location"))
	}
	if days, _ := e.svc.Calendar.Days(ctx, ap, 2030); hasDay(days, date, domain.DayCompensatory) {
		t.Errorf("the day is still in the calendar")
	}
	if body := admin.mustGet("/admin/calendar?year=2030"); strings.Contains(body, `data-date="`+date+`"`) {
		t.Errorf("a deleted day is still shown")
	}
	if r := admin.post("/admin/calendar/"+date+"/delete", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("deleting a day not listed: %d", r.status)
	}

	// Every administration page renders in English.
	admin.english()
	for path, want := range map[string]string{"/admin": "Holiday calendar", "/admin/users": "Create a user", "/admin/users/new": "Initial password",
		"/admin/users/" + userID: "Grants", "/admin/units": "Create a unit", unitPath: "Save the names", "/admin/calendar?year=2030": "Add or change a day"} {
		if body := admin.mustGet(path); !strings.Contains(body, want) {
			t.Errorf("English %s lacks %q", path, want)
		}
	}

	// A prosecutor has no part in the administration: every page and form is the 403 page, and
	// nothing was written.
	ksv := e.login("hnkv1.ksv1")
	for _, path := range []string{"/admin", "/admin/users", "/admin/users/new", "/admin/users/" + userID, "/admin/units", "/admin/calendar"} {
		if r := ksv.get(path); r.status != http.StatusForbidden || !strings.Contains(r.body, tr(LangVI, "error.forbidden")) {
			t.Errorf("prosecutor GET %s: %d", path, r.status)
		}
	}
	form.Set("username", "hn.kiemthu2")
	for path, f := range map[string]url.Values{
		"/admin/users":                       form,
		"/admin/users/" + userID + "/grants": {"role": {"chief"}, "unit_id": {strconv.FormatInt(hn.ID, 10)}},
		"/admin/calendar":                    dayForm,
		"/admin/units":                       unitForm,
	} {
		if r := ksv.post(path, f); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
			t.Errorf("prosecutor POST %s: %d", path, r.status)
		}
	}
	if _, err := e.svc.Auth.Login(ctx, "hn.kiemthu2", password, service.Meta{}); err == nil {
		t.Errorf("the prosecutor created a user")
	}
	if days, _ := e.svc.Calendar.Days(ctx, ap, 2030); hasDay(days, date, domain.DayCompensatory) {
		t.Errorf("the prosecutor wrote the calendar")
	}
	// A form without its CSRF field is refused before any use case.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/calendar", strings.NewReader(dayForm.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	dayForm.Del("csrf")
	req.Body = io.NopCloser(strings.NewReader(dayForm.Encode()))
	if r := admin.do(req); r.status != http.StatusForbidden {
		t.Errorf("a form without CSRF: %d", r.status)
	}
	if days, _ := e.svc.Calendar.Days(ctx, ap, 2030); hasDay(days, date, domain.DayCompensatory) {
		t.Errorf("a form without CSRF wrote the calendar")
	}
}

func hasDay(days []domain.CalendarDay, date string, kind domain.DayKind) bool {
	for _, d := range days {
		if d.Date.In(domain.ICT).Format(time.DateOnly) == date && d.Kind == kind {
			return true
		}
	}
	return false
}

func hasDayNamed(days []domain.CalendarDay, date, name string) bool {
	for _, d := range days {
		if d.Date.In(domain.ICT).Format(time.DateOnly) == date && d.NameVI == name {
			return true
		}
	}
	return false
}

// Units are listed as a tree: a parent before its subtree, siblings by id compared as numbers.
func TestComparePaths(t *testing.T) {
	paths := []domain.UnitPath{"1.10", "1.2.40", "1", "1.2", "1.10.3", "1.9"}
	slices.SortFunc(paths, comparePaths)
	want := []domain.UnitPath{"1", "1.2", "1.2.40", "1.9", "1.10", "1.10.3"}
	if !slices.Equal(paths, want) {
		t.Errorf("tree order %v, want %v", paths, want)
	}
}
