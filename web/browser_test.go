package web_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kiemsat/domain"
	"kiemsat/service/seed"
	"kiemsat/workflow"
)

// The web UI as people use it, in a real headless Chromium: logging in as each role, a clerk
// registering a crime report, the chief assigning a prosecutor, the prosecutor instituting the case
// and uploading a file, the chief's dashboard, another province refused, a refused form keeping
// what was typed, CSRF, logout and an expired session. The subtests share one server and one
// browser and run in order: each builds on the record the ones before left.
//
// Full-page screenshots of the main pages go to $KIEMSAT_ARTIFACTS (default
// .data/artifacts/screenshots). Without Chromium the test fails, unless KIEMSAT_SKIP_BROWSER=1.
func TestBrowser(t *testing.T) {
	bin := requireChrome(t)
	start := time.Now()
	env := newWebEnv(t)
	serverUp := time.Since(start)
	b := startBrowser(t, bin, env.srv.URL)
	t.Logf("server %s up in %s (case files on %s), browser up in %s, screenshots in %s", env.srv.URL, serverUp.Round(time.Millisecond),
		env.storage, (time.Since(start) - serverUp).Round(time.Millisecond), b.shots)
	s := &suite{env: env, b: b, tabs: map[string]*tab{}, kv1: env.units[seed.RegionalCode("HNI", 1)], openBefore: -1, leadBefore: -1}
	t.Cleanup(func() {
		for _, tb := range s.tabs {
			tb.cancel()
		}
	})

	t.Run("LoginEachRole", s.loginEachRole)
	t.Run("WrongPassword", s.wrongPassword)
	t.Run("ClerkRegisters", s.clerkRegisters)
	t.Run("ChiefAssigns", s.chiefAssigns)
	t.Run("ProsecutorInstitutes", s.prosecutorInstitutes)
	t.Run("ProsecutorUploads", s.prosecutorUploads)
	t.Run("ChiefDashboard", s.chiefDashboard)
	t.Run("SearchAndAssistant", s.searchAndAssistant)
	t.Run("OtherProvinceGets404", s.otherProvince)
	t.Run("FormErrorsKeepInput", s.formErrors)
	t.Run("CSRF", s.csrf)
	t.Run("Logout", s.logout)
	t.Run("SessionExpiry", s.sessionExpiry)
	t.Run("DraftSurvivesExpiry", s.draftSurvivesExpiry)

	if p := b.consoleProblems(); len(p) > 0 {
		t.Errorf("the pages logged %d console errors or exceptions:\n%s", len(p), strings.Join(p, "\n"))
	}
	t.Logf("browser suite took %s", time.Since(start).Round(time.Millisecond))
}

type suite struct {
	env  *webEnv
	b    *browser
	tabs map[string]*tab
	kv1  domain.Unit

	// What the subtests leave for the next ones.
	caseID, caseNumber, summary string
	fileHref                    string
	// openBefore is the chief's open-cases figure before the registration (-1 when unread);
	// leadBefore the open cases of hnkv1.ksv1 in the chief's prosecutor table.
	openBefore, leadBefore int
}

// The demo users, and their names as the pages show them.
const (
	clerk          = "hnkv1.thuky"
	prosecutor     = "hnkv1.ksv1"
	prosecutorName = "Bùi Văn Nam"
	chief          = "hnkv1.vientruong"
	admin          = "admin"
	auditor        = "hn.thanhtra"
	otherChief     = "hcm.vientruong"
)

func fullName(t *testing.T, username string) string {
	t.Helper()
	for _, u := range seed.DemoUsers {
		if u.Username == username {
			return u.FullName
		}
	}
	t.Fatalf("no demo user %s", username)
	return ""
}

// login returns a user's tab: a tab of its own, logged in through the login form on first use
// (and left on the page the login led to).
func (s *suite) login(t *testing.T, username string) *tab {
	t.Helper()
	if tb, ok := s.tabs[username]; ok {
		return tb
	}
	tb := s.b.newTab(t, username)
	s.tabs[username] = tb
	if st := tb.open(t, "/login"); st != http.StatusOK {
		tb.fatalf(t, "GET /login: status %d", st)
	}
	tb.typeKeys(t, "#username", username)
	tb.typeKeys(t, "#password", demoPassword)
	if st := tb.submit(t, `form[action="/login"] button[type=submit]`); st != http.StatusOK {
		tb.fatalf(t, "login %s: status %d", username, st)
	}
	if p := tb.location(t).Path; p == "/login" {
		tb.fatalf(t, "login %s: still on the login page", username)
	}
	return tb
}

func (s *suite) needCase(t *testing.T) {
	t.Helper()
	if s.caseID == "" {
		t.Fatal("no case: the registration subtest did not leave one")
	}
}

func (s *suite) loginEachRole(t *testing.T) {
	// The login page itself.
	anon := s.b.newTab(t, "anonymous")
	defer anon.cancel()
	if st := anon.open(t, "/"); st != http.StatusOK {
		anon.fatalf(t, "GET / without a session: status %d", st)
	}
	if p := anon.location(t).Path; p != "/login" {
		anon.fatalf(t, "GET / without a session: at %s, want /login", p)
	}
	if anon.has(t, "[data-testid=expired]") {
		anon.errorf(t, "a first visit shows the session-expired message")
	}
	anon.shot(t, "01-login")

	cases := []struct {
		user, shot string
		check      func(t *testing.T, tb *tab)
	}{
		{clerk, "02-home-clerk", func(t *testing.T, tb *tab) {
			if txt := tb.mustText(t, "[data-testid=register-button]"); !strings.Contains(txt, "Đăng ký") {
				tb.errorf(t, "register button reads %q", txt)
			}
			if tb.has(t, "#mine-h") {
				tb.errorf(t, "a clerk's home shows the prosecutor's cases")
			}
		}},
		{prosecutor, "03-home-prosecutor", func(t *testing.T, tb *tab) {
			if h := tb.mustText(t, "#mine-h"); !strings.Contains(h, "Hồ sơ tôi thụ lý") {
				tb.errorf(t, "prosecutor's section reads %q, want Hồ sơ tôi thụ lý", h)
			}
			if tb.has(t, "[data-testid=register-button]") {
				tb.errorf(t, "a prosecutor's home shows the clerk's register button")
			}
		}},
		{chief, "04-home-chief", func(t *testing.T, tb *tab) {
			if h := tb.mustText(t, "main h1"); !strings.Contains(h, "Tổng quan đơn vị") {
				tb.errorf(t, "chief's home h1 is %q, want the dashboard Tổng quan đơn vị", h)
			}
			s.openBefore, s.leadBefore = dashboardFigures(t, tb)
		}},
		{admin, "05-home-admin", func(t *testing.T, tb *tab) {
			if h := tb.mustText(t, "main h1"); !strings.Contains(h, fullName(t, admin)) {
				tb.errorf(t, "admin's home h1 is %q", h)
			}
			if tb.has(t, "[data-testid=register-button]") || tb.has(t, "#mine-h") {
				tb.errorf(t, "admin's home shows a clerk's or prosecutor's section")
			}
		}},
		{auditor, "06-home-auditor", func(t *testing.T, tb *tab) {
			if h := tb.mustText(t, "main h1"); !strings.Contains(h, fullName(t, auditor)) {
				tb.errorf(t, "auditor's home h1 is %q", h)
			}
			if tb.has(t, "[data-testid=register-button]") {
				tb.errorf(t, "an auditor's home shows the register button")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			tb := s.login(t, c.user)
			if p := tb.location(t).Path; p != "/" {
				tb.fatalf(t, "after login at %s, want /", p)
			}
			who := tb.mustText(t, "[data-testid=who]")
			if name := fullName(t, c.user); !strings.Contains(who, name) {
				tb.errorf(t, "[data-testid=who] reads %q, want the name %q", who, name)
			}
			c.check(t, tb)
			tb.shot(t, c.shot)
		})
	}
}

// dashboardFigures reads the chief's open-cases tile and the open cases of the prosecutor's row
// (-1 for what the page does not show).
func dashboardFigures(t *testing.T, tb *tab) (open, lead int) {
	t.Helper()
	open, lead = -1, -1
	if txt, ok := tb.text(t, "[data-testid=tile-open]"); ok {
		if n, ok := firstInt(txt); ok {
			open = n
		}
	}
	for _, row := range tb.texts(t, "[data-testid=prosecutors] tr") {
		if strings.Contains(row, prosecutorName) {
			if n, ok := firstInt(strings.ReplaceAll(row, prosecutorName, "")); ok {
				lead = n
			}
		}
	}
	return open, lead
}

func (s *suite) wrongPassword(t *testing.T) {
	tb := s.b.newTab(t, "wrong-password")
	defer tb.cancel()
	tb.open(t, "/login")
	const user = "hnkv2.thuky" // used by no other subtest, so the failed attempt locks nothing they need
	tb.typeKeys(t, "#username", user)
	tb.typeKeys(t, "#password", "not-the-password")
	if st := tb.submit(t, `form[action="/login"] button[type=submit]`); st != http.StatusUnauthorized {
		tb.errorf(t, "wrong password: status %d, want 401", st)
	}
	if p := tb.location(t).Path; p != "/login" {
		tb.errorf(t, "wrong password: at %s, want /login", p)
	}
	if msg := tb.mustText(t, "#login-problem"); !strings.Contains(msg, "không đúng") {
		tb.errorf(t, "wrong password message %q", msg)
	}
	if v := tb.value(t, "#username"); v != user {
		tb.errorf(t, "username after a refused login is %q, want %q kept", v, user)
	}
	if v := tb.value(t, "#password"); v != "" {
		tb.errorf(t, "the password is sent back into the form")
	}
	if tb.has(t, "[data-testid=who]") {
		tb.errorf(t, "a refused login shows a user")
	}
	tb.shot(t, "07-login-failed")
}

// registration is what the clerk types into the registration form.
type registration struct {
	kind, receivedAt, channel, source, reporterKind, reporterName, reporterContact, summary string
	article, clause                                                                         string
	partyRole, partyName, partyID                                                           string
}

func (s *suite) fillRegistration(t *testing.T, tb *tab, r registration) {
	t.Helper()
	tb.step(t, "choose the kind", chromedp.Click(chromedp.CSS(`input[name=kind][value="`+r.kind+`"]`)))
	tb.set(t, "#r-unit", itoa(s.kv1.ID))
	tb.set(t, "#r-received", r.receivedAt)
	tb.set(t, "#r-channel", r.channel)
	tb.set(t, "#r-source", r.source)
	tb.set(t, "#r-rkind", r.reporterKind)
	tb.typeInto(t, "#r-rname", r.reporterName)
	if r.reporterContact != "" {
		tb.typeInto(t, "#r-rcontact", r.reporterContact)
	}
	tb.typeInto(t, "#r-article", r.article)
	tb.typeInto(t, "#r-clause", r.clause)
	tb.set(t, "#r-summary", "")
	if r.summary != "" {
		tb.typeInto(t, "#r-summary", r.summary)
	}
	tb.set(t, "#p0-role", r.partyRole)
	tb.typeInto(t, "#p0-name", r.partyName)
	tb.typeInto(t, "#p0-id", r.partyID)
}

func (s *suite) clerkRegisters(t *testing.T) {
	tb := s.login(t, clerk)
	tb.open(t, "/")
	if st := tb.submit(t, "[data-testid=register-button]"); st != http.StatusOK {
		tb.fatalf(t, "open the registration form: status %d", st)
	}
	if p := tb.location(t).Path; p != "/cases/new" {
		tb.fatalf(t, "the register button leads to %s", p)
	}
	if !tb.has(t, `#r-unit option[value="`+itoa(s.kv1.ID)+`"]`) {
		tb.fatalf(t, "the unit select does not offer the clerk's unit %s", s.kv1.Code)
	}
	tb.shot(t, "08-register-form")

	// A CCCD already on a record of the unit, so the form must warn of a possible duplicate.
	knownID := s.env.query(t, `SELECT cp.national_id FROM case_parties cp JOIN cases c ON c.id = cp.case_id
		WHERE c.unit_id = $1 AND cp.national_id <> '' AND NOT c.secret ORDER BY cp.created_at LIMIT 1`, s.kv1.ID)
	s.summary = "Bà Nguyễn Thị Lan tố giác việc bị chiếm đoạt chiếc xe máy Honda tại chợ Đồng Xuân, mã " + randomToken()
	r := registration{kind: "report", receivedAt: time.Now().In(domain.ICT).Add(-time.Hour).Format("2006-01-02T15:04"),
		channel: string(domain.ChannelInPerson), source: string(domain.SourceDenunciation), reporterKind: string(domain.ReporterPerson),
		reporterName: "Nguyễn Thị Lan", reporterContact: "0912 345 678", summary: s.summary, article: "173", clause: "1",
		partyRole: string(domain.PartyVictim), partyName: "Nguyễn Thị Lan", partyID: knownID}
	s.fillRegistration(t, tb, r)
	st := tb.submit(t, "[data-testid=register-submit]")

	if tb.has(t, "[data-testid=duplicates]") {
		if st != http.StatusConflict {
			tb.errorf(t, "the duplicate warning comes with status %d, want 409", st)
		}
		if dup := tb.mustText(t, "[data-testid=duplicates]"); !strings.Contains(dup, knownID) {
			tb.errorf(t, "the duplicate warning does not name the CCCD %s: %q", knownID, dup)
		}
		// What was typed is all still there.
		for sel, want := range map[string]string{"#r-rname": r.reporterName, "#r-summary": r.summary, "#p0-name": r.partyName, "#p0-id": r.partyID,
			"#r-received": r.receivedAt, "#r-source": r.source} {
			if v := tb.value(t, sel); v != want {
				tb.errorf(t, "after the duplicate warning %s is %q, want %q", sel, v, want)
			}
		}
		tb.shot(t, "09-register-duplicates")
		tb.step(t, "confirm the duplicate", chromedp.Click(chromedp.CSS("[data-testid=confirm-duplicate]")))
		st = tb.submit(t, "[data-testid=register-submit]")
	} else {
		tb.errorf(t, "no duplicate warning for a party whose CCCD %s is already on a record of the unit", knownID)
	}
	if st != http.StatusOK {
		tb.fatalf(t, "register: status %d", st)
	}
	loc := tb.location(t)
	id, ok := strings.CutPrefix(loc.Path, "/cases/")
	if !ok || id == "" || loc.Query().Get("flash") != "registered" {
		tb.fatalf(t, "after registering at %s, want /cases/{id}?flash=registered", loc)
	}
	s.caseID = id
	s.caseNumber = s.env.query(t, `SELECT number FROM cases WHERE id = $1`, id)
	if h := tb.mustText(t, "[data-testid=case-number]"); !strings.Contains(h, s.caseNumber) || !strings.Contains(h, "Nguồn tin") {
		tb.errorf(t, "case heading %q, want the report number %s", h, s.caseNumber)
	}
	if st := tb.mustText(t, "[data-testid=case-stage]"); !strings.EqualFold(st, workflow.StageNames[domain.StageReportResolution].VI) {
		tb.errorf(t, "stage %q, want %q", st, workflow.StageNames[domain.StageReportResolution].VI)
	}
	if main := tb.mustText(t, "main"); !strings.Contains(main, s.summary) {
		tb.errorf(t, "the case page does not show the summary as typed: %q", s.summary)
	}
	if f := tb.mustText(t, ".flash"); !strings.Contains(f, "Đã đăng ký") {
		tb.errorf(t, "flash %q", f)
	}
	if rows := tb.texts(t, "[data-testid=deadlines] tbody tr"); len(rows) == 0 || strings.Contains(rows[0], "Không có") {
		tb.errorf(t, "a new report shows no time limit (report resolution, Điều 147): %q", rows)
	}
	tb.shot(t, "10-case-registered")

	// The case list shows it.
	tb.open(t, "/cases")
	if list := tb.mustText(t, "main"); !strings.Contains(list, s.caseNumber) {
		tb.errorf(t, "the case list does not show %s", s.caseNumber)
	}
	tb.shot(t, "11-case-list")
}

func (s *suite) chiefAssigns(t *testing.T) {
	s.needCase(t)
	tb := s.login(t, chief)
	if st := tb.open(t, "/cases/"+s.caseID); st != http.StatusOK {
		tb.fatalf(t, "chief opens the case: status %d", st)
	}
	if team := tb.mustText(t, "#team"); strings.Contains(team, prosecutorName) {
		tb.fatalf(t, "the team already names %s before the assignment", prosecutorName)
	}
	// Pick the prosecutor by the username the option shows.
	opt := run(t, tb, "find the prosecutor's option", chromedp.Evaluate[string](`(() => { const o = Array.from(document.querySelectorAll("#a-user option"))
		.find(o => o.textContent.includes("(`+prosecutor+`)")); return o ? o.value : ""; })()`))
	if opt == "" {
		tb.fatalf(t, "the assign form does not offer %s", prosecutor)
	}
	if want := s.env.query(t, `SELECT id::text FROM users WHERE username = $1`, prosecutor); opt != want {
		tb.errorf(t, "the option of %s has value %s, want the user id %s", prosecutor, opt, want)
	}
	tb.set(t, "#a-user", opt)
	tb.set(t, "#a-role", "lead")
	if st := tb.submit(t, "[data-testid=assign-submit]"); st != http.StatusOK {
		tb.fatalf(t, "assign: status %d", st)
	}
	if f := tb.location(t).Query().Get("flash"); f != "assigned" {
		tb.errorf(t, "after assigning: flash=%q, want assigned", f)
	}
	if team := tb.mustText(t, "#team"); !strings.Contains(team, prosecutorName) {
		tb.errorf(t, "the team reads %q, want %s", team, prosecutorName)
	}
	tb.shot(t, "12-case-assigned")
}

func (s *suite) prosecutorInstitutes(t *testing.T) {
	s.needCase(t)
	tb := s.login(t, prosecutor)
	// The case is now in the prosecutor's own list on the home page: open it from there.
	tb.open(t, "/")
	link := `a[href="/cases/` + s.caseID + `"]`
	if mine := tb.mustText(t, "main"); !strings.Contains(mine, s.caseNumber) || !tb.has(t, link) {
		tb.fatalf(t, "the prosecutor's home does not list the assigned case %s", s.caseNumber)
	}
	if st := tb.submit(t, link); st != http.StatusOK {
		tb.fatalf(t, "open the case from the home page: status %d", st)
	}
	stageBefore := tb.mustText(t, "[data-testid=case-stage]")
	clocksBefore := tb.texts(t, "[data-testid=deadlines] tbody tr td:first-child")

	step := string(workflow.StepInstituteCase)
	if !tb.has(t, `#d-step-pick option[value="`+step+`"]`) {
		tb.fatalf(t, "the decision form does not offer %s to the lead prosecutor", step)
	}
	// Choosing the step reloads the page with that step's form (app.js).
	if st := tb.navigateBy(t, "choose the step", chromedp.Evaluate[struct{}](`(() => { const s = document.querySelector("#d-step-pick");
		s.value = `+js(step)+`; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)); st != http.StatusOK {
		tb.fatalf(t, "reload with the step: status %d", st)
	}
	if q := tb.location(t).Query().Get("step"); q != step {
		tb.fatalf(t, "the step select did not reload the page with ?step=%s (query step=%q)", step, q)
	}
	if !tb.has(t, `#decide input[name=step][value="`+step+`"]`) {
		tb.fatalf(t, "the decision form is not the %s form", step)
	}
	tb.set(t, "#d-issuer", string(domain.IssuerInvestigation))
	tb.typeInto(t, "#d-number", "25/QĐ-CSĐT")
	today := time.Now().In(domain.ICT).Format(time.DateOnly)
	tb.set(t, "#d-issued", today)
	tb.typeInto(t, "#d-signer", "Trung tá Lê Văn Hải")
	if st := tb.submit(t, "[data-testid=decide-submit]"); st != http.StatusOK {
		tb.fatalf(t, "record the decision: status %d", st)
	}
	if f := tb.location(t).Query().Get("flash"); f != "decision" {
		tb.fatalf(t, "after the decision: flash=%q, want decision", f)
	}
	want := workflow.StageNames[domain.StageInstitution].VI
	if st := tb.mustText(t, "[data-testid=case-stage]"); st == stageBefore || !strings.EqualFold(st, want) {
		tb.errorf(t, "stage after instituting %q (before %q), want %q", st, stageBefore, want)
	}
	if h := tb.mustText(t, "[data-testid=case-number]"); !strings.Contains(h, "Vụ án") {
		tb.errorf(t, "after instituting, the heading %q does not call it a case (Vụ án)", h)
	}
	if tl := tb.mustText(t, "[data-testid=timeline]"); !strings.Contains(tl, "25/QĐ-CSĐT") {
		tb.errorf(t, "the timeline does not show decision 25/QĐ-CSĐT: %q", tl)
	}
	// The investigation period (Điều 172) starts with the institution: the registration named
	// the offence (Art. 173(1), less serious), so its length is known.
	clocksAfter := tb.texts(t, "[data-testid=deadlines] tbody tr td:first-child")
	investigation := ruleName(t, workflow.RuleInvestigation)
	if slices.Contains(clocksBefore, investigation) || !slices.Contains(clocksAfter, investigation) {
		tb.errorf(t, "instituting the case did not add the time limit %q; before %q, after %q", investigation, clocksBefore, clocksAfter)
	}
	t.Logf("time limits after instituting: %q", clocksAfter)
	tb.shot(t, "13-case-decided")
	tb.viewport(t, 768, 1024)
	tb.shot(t, "14-case-decided-tablet")
	tb.viewport(t, 1280, 900)
}

func (s *suite) prosecutorUploads(t *testing.T) {
	s.needCase(t)
	tb := s.login(t, prosecutor)
	tb.open(t, "/cases/"+s.caseID)
	content := make([]byte, 3000)
	copy(content, "%PDF-1.7\n")
	r := rand.New(rand.NewPCG(7, 8))
	for i := 9; i < len(content); i++ {
		content[i] = byte(r.Uint32())
	}
	path := filepath.Join(t.TempDir(), "bien-ban-tiep-nhan.pdf")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	const title = "Biên bản tiếp nhận tố giác"
	tb.typeInto(t, "#u-title", title)
	tb.step(t, "choose the file", chromedp.SetUploadFiles(chromedp.CSS("#u-file"), []string{path}))
	if st := tb.submit(t, "[data-testid=upload-submit]"); st != http.StatusOK {
		tb.fatalf(t, "upload: status %d", st)
	}
	if f := tb.location(t).Query().Get("flash"); f != "uploaded" {
		tb.fatalf(t, "after the upload: flash=%q, want uploaded", f)
	}
	if files := tb.mustText(t, "[data-testid=files]"); !strings.Contains(files, title) {
		tb.fatalf(t, "the files table does not show %q: %q", title, files)
	}
	href := run(t, tb, "the file's link", chromedp.Evaluate[string](`(() => { const a = Array.from(document.querySelectorAll("[data-testid=files] a"))
		.find(a => a.textContent.includes(`+js(title)+`)); return a ? a.getAttribute("href") : ""; })()`))
	if !strings.HasPrefix(href, "/files/") {
		tb.fatalf(t, "the file's link is %q", href)
	}
	s.fileHref = href
	// Downloaded by the page itself, with the browser's cookies.
	got := run(t, tb, "download "+href, chromedp.Evaluate[string](`fetch(`+js(href)+`).then(r => { if (!r.ok) throw new Error("status " + r.status); return r.arrayBuffer(); })
		.then(b => { let s = ""; for (const c of new Uint8Array(b)) s += String.fromCharCode(c); return btoa(s); })`, chromedp.EvalAwaitPromise))
	raw, err := base64.StdEncoding.DecodeString(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, content) {
		tb.errorf(t, "the download differs from the upload: %d bytes, want %d", len(raw), len(content))
	}
	// And by a plain client with the same cookies: the headers a browser saves the file by.
	res, err := tb.httpClient(t).Get(s.b.base + href)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Errorf("GET %s: status %d, %d bytes", href, res.StatusCode, len(body))
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("download Content-Disposition %q, want an attachment", cd)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("download Content-Type %q", ct)
	}
	tb.shot(t, "15-case-uploaded")
}

func (s *suite) chiefDashboard(t *testing.T) {
	s.needCase(t)
	tb := s.login(t, chief)
	if st := tb.open(t, "/dashboard"); st != http.StatusOK {
		tb.fatalf(t, "GET /dashboard: status %d", st)
	}
	if h := tb.mustText(t, "main h1"); !strings.Contains(h, "Tổng quan đơn vị") {
		tb.errorf(t, "dashboard h1 %q", h)
	}
	tb.shot(t, "16-dashboard")
	open, lead := dashboardFigures(t, tb)
	switch {
	case open < 0:
		tb.errorf(t, "the dashboard shows no open-cases tile [data-testid=tile-open] with a number")
	case s.openBefore < 0:
		tb.errorf(t, "the open-cases tile was not on the chief's home before the registration, so its growth cannot be checked (now %d)", open)
	case open != s.openBefore+1:
		tb.errorf(t, "open cases %d after registering one, want %d+1", open, s.openBefore)
	}
	switch {
	case lead < 0:
		tb.errorf(t, "the prosecutor table [data-testid=prosecutors] has no row for %s with a number", prosecutorName)
	case s.leadBefore >= 0 && lead != s.leadBefore+1:
		tb.errorf(t, "%s's row shows %d open cases after the assignment, want %d+1", prosecutorName, lead, s.leadBefore)
	case lead < 1:
		tb.errorf(t, "%s's row shows %d open cases after the assignment", prosecutorName, lead)
	}
	// The home page of a chief is the same dashboard.
	tb.open(t, "/")
	if h := tb.mustText(t, "main h1"); !strings.Contains(h, "Tổng quan đơn vị") {
		tb.errorf(t, "the chief's home h1 %q", h)
	}
}

// searchAndAssistant: the chief searches from the top bar of the case page without diacritics and
// finds the registered case with its words marked, then asks the assistant on the case page.
func (s *suite) searchAndAssistant(t *testing.T) {
	s.needCase(t)
	tb := s.login(t, chief)
	if st := tb.open(t, "/cases/"+s.caseID); st != http.StatusOK {
		tb.fatalf(t, "chief opens the case: status %d", st)
	}
	tb.typeInto(t, "#top-q", "xe may Honda")
	if st := tb.submit(t, "[data-testid=search-box] button"); st != http.StatusOK {
		tb.fatalf(t, "search from the top bar: status %d", st)
	}
	if loc := tb.location(t); loc.Path != "/search" || loc.Query().Get("q") != "xe may Honda" {
		tb.errorf(t, "the search went to %s", loc)
	}
	if !tb.has(t, "[data-testid=hits-case] a[href='/cases/"+s.caseID+"']") {
		tb.errorf(t, "the registered case is not among the hits")
	}
	if marks := strings.Join(tb.texts(t, "[data-testid=hits-case] mark"), " "); !strings.Contains(strings.ToLower(marks), "máy") {
		tb.errorf(t, "marked words %q, want the diacritics of the record", marks)
	}
	tb.shot(t, "20-search")
	tb.open(t, "/cases/"+s.caseID)
	tb.typeInto(t, "#as-q", "Hồ sơ này đang ở giai đoạn nào?")
	if st := tb.submit(t, "[data-testid=assistant-submit]"); st != http.StatusOK {
		tb.fatalf(t, "ask the assistant: status %d", st)
	}
	answer := tb.mustText(t, "[data-testid=answer]")
	// The report has become a case by now, with a case number of its own.
	if number := s.env.query(t, `SELECT number FROM cases WHERE id = $1`, s.caseID); !strings.Contains(answer, number) {
		tb.errorf(t, "the answer %q does not name the case %q", answer, number)
	}
	if !tb.has(t, "[data-testid=citations] a[href='/cases/"+s.caseID+"']") {
		tb.errorf(t, "the answer does not cite the case with a link")
	}
	tb.shot(t, "21-assistant")
}

func (s *suite) otherProvince(t *testing.T) {
	s.needCase(t)
	tb := s.login(t, otherChief)
	st := tb.open(t, "/cases/"+s.caseID)
	if st != http.StatusNotFound {
		tb.errorf(t, "%s opens a Hà Nội case: status %d, want 404", otherChief, st)
	}
	if tb.has(t, "[data-testid=case-number]") {
		tb.errorf(t, "%s sees the case page of a Hà Nội case", otherChief)
	}
	page := tb.mustText(t, "main")
	if strings.Contains(page, s.caseNumber) || strings.Contains(page, s.summary) {
		tb.errorf(t, "the refusal shows the case's number or summary")
	}
	if !strings.Contains(page, "Không tìm thấy") {
		tb.errorf(t, "the 404 page does not say it found nothing: %q", page)
	}
	tb.shot(t, "17-not-found-other-province")

	// The same with a plain client holding that user's cookies: the status, and no trace of the
	// case in the body; the case's file is refused alike.
	c := tb.httpClient(t)
	res, err := c.Get(s.b.base + "/cases/" + s.caseID)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /cases/{id} as %s: status %d, want 404", otherChief, res.StatusCode)
	}
	if bytes.Contains(body, []byte(s.caseNumber)) || !bytes.Contains(body, []byte(fullName(t, otherChief))) {
		t.Errorf("GET /cases/{id} as %s: the body shows the case, or is not that user's page", otherChief)
	}
	if s.fileHref != "" {
		res, err = c.Get(s.b.base + s.fileHref)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as %s: status %d, want 404", s.fileHref, otherChief, res.StatusCode)
		}
	}
}

func (s *suite) formErrors(t *testing.T) {
	tb := s.login(t, clerk)
	tb.open(t, "/cases/new")
	future := time.Now().In(domain.ICT).AddDate(0, 0, 2).Format("2006-01-02T15:04")
	r := registration{kind: "report", receivedAt: future, channel: string(domain.ChannelPhone), source: string(domain.SourceDenunciation),
		reporterKind: string(domain.ReporterPerson), reporterName: "Lê Thị Hoa", summary: "",
		partyRole: string(domain.PartySuspect), partyName: "Trần Văn Bình", partyID: "00108500011"}
	s.fillRegistration(t, tb, r)
	if st := tb.submit(t, "[data-testid=register-submit]"); st != http.StatusUnprocessableEntity {
		tb.errorf(t, "a registration with errors: status %d, want 422", st)
	}
	if p := tb.location(t).Path; !strings.HasPrefix(p, "/cases") || strings.Count(p, "/") > 1 {
		tb.fatalf(t, "a refused registration left the form: at %s", p)
	}
	for _, id := range []string{"err-summary", "err-received_at", "err-parties[0].national_id"} {
		if msg, ok := tb.text(t, `[data-testid="`+id+`"]`); !ok || msg == "" {
			tb.errorf(t, "no message %s", id)
		} else {
			t.Logf("%s: %s", id, msg)
		}
	}
	if n := len(tb.texts(t, ".field-error")); n < 3 {
		tb.errorf(t, "%d .field-error messages, want at least 3", n)
	}
	for _, sel := range []string{"#r-summary", "#r-received", "#p0-id"} {
		if v := run(t, tb, "aria-invalid of "+sel, chromedp.Evaluate[string](`document.querySelector(`+js(sel)+`).getAttribute("aria-invalid") || ""`)); v != "true" {
			tb.errorf(t, "%s is not marked aria-invalid", sel)
		}
	}
	for sel, want := range map[string]string{"#r-rname": r.reporterName, "#p0-name": r.partyName, "#p0-id": r.partyID,
		"#r-received": r.receivedAt, "#r-channel": r.channel, "#p0-role": r.partyRole} {
		if v := tb.value(t, sel); v != want {
			tb.errorf(t, "after the refusal %s is %q, want %q kept", sel, v, want)
		}
	}
	tb.shot(t, "18-register-errors")

	// A denunciation by a person needs the person's name (the rest now valid).
	tb.set(t, "#r-received", time.Now().In(domain.ICT).Add(-time.Hour).Format("2006-01-02T15:04"))
	tb.typeInto(t, "#r-summary", "Người dân gọi điện báo có người lạ đột nhập vào kho hàng.")
	tb.typeInto(t, "#p0-id", "")
	tb.set(t, "#r-rname", "")
	if st := tb.submit(t, "[data-testid=register-submit]"); st != http.StatusUnprocessableEntity {
		tb.errorf(t, "a denunciation without the reporter's name: status %d, want 422", st)
	}
	if !tb.has(t, "[data-testid=err-reporter_name]") {
		tb.errorf(t, "no message next to the reporter's name")
	}
	if tb.has(t, "[data-testid=err-summary]") || tb.has(t, "[data-testid=err-received_at]") {
		tb.errorf(t, "messages of fields now valid are still shown")
	}
	if v := tb.value(t, "#r-summary"); !strings.Contains(v, "đột nhập") {
		tb.errorf(t, "the summary typed is lost: %q", v)
	}
}

func (s *suite) csrf(t *testing.T) {
	tb := s.login(t, clerk)
	tb.open(t, "/cases/new") // a page with a form: the CSRF cookie is set
	token := tb.cookie(t, "ks_csrf")
	if len(token) != 43 {
		t.Fatalf("CSRF cookie ks_csrf %q", token)
	}
	c := tb.httpClient(t)
	form := url.Values{"kind": {"report"}, "unit_id": {itoa(s.kv1.ID)}, "summary": {"Thử gửi biểu mẫu không có mã chống giả mạo."}}
	post := func(f url.Values, hdr map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.b.base+"/cases", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	before := s.env.query(t, `SELECT count(*)::text FROM cases`)
	if st, body := post(form, nil); st != http.StatusForbidden || !strings.Contains(body, "Biểu mẫu đã hết hạn") {
		t.Errorf("POST /cases without the csrf field: status %d, want 403 with the CSRF message", st)
	}
	bad := url.Values{"csrf": {strings.Repeat("A", 43)}}
	for k, v := range form {
		bad[k] = v
	}
	if st, _ := post(bad, nil); st != http.StatusForbidden {
		t.Errorf("POST /cases with a wrong csrf token: status %d, want 403", st)
	}
	good := url.Values{"csrf": {token}}
	for k, v := range form {
		good[k] = v
	}
	if st, _ := post(good, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}); st != http.StatusForbidden {
		t.Errorf("a cross-site POST /cases with the right token: status %d, want 403", st)
	}
	// With the token the same form passes the check and meets the form's own rules.
	if st, body := post(good, nil); st != http.StatusUnprocessableEntity || !strings.Contains(body, "field-error") {
		t.Errorf("POST /cases with the csrf token and missing fields: status %d, want 422 with field errors", st)
	}
	if after := s.env.query(t, `SELECT count(*)::text FROM cases`); after != before {
		t.Errorf("cases %s before the refused posts, %s after", before, after)
	}
}

func (s *suite) logout(t *testing.T) {
	tb := s.login(t, admin)
	tb.open(t, "/")
	oldRefresh := tb.cookie(t, "ks_rt")
	if oldRefresh == "" {
		t.Fatal("no refresh cookie ks_rt while logged in")
	}
	if st := tb.submit(t, `form[action="/logout"] button`); st != http.StatusOK {
		tb.errorf(t, "logout: status %d", st)
	}
	if p := tb.location(t).Path; p != "/login" {
		tb.errorf(t, "after logout at %s, want /login", p)
	}
	if tb.cookie(t, "ks_at") != "" || tb.cookie(t, "ks_rt") != "" {
		tb.errorf(t, "the session cookies survive the logout")
	}
	tb.open(t, "/")
	if loc := tb.location(t); loc.Path != "/login" || loc.Query().Get("expired") != "" {
		tb.errorf(t, "GET / after logout: at %s, want /login without expired", loc)
	}
	// The refresh token is revoked, not only forgotten by the browser.
	tb.setCookie(t, "ks_rt", oldRefresh)
	tb.open(t, "/cases")
	if loc := tb.location(t); loc.Path != "/login" {
		tb.errorf(t, "the refresh token still works after logout: at %s", loc)
	}
	delete(s.tabs, admin)
	tb.cancel()
}

func (s *suite) sessionExpiry(t *testing.T) {
	tb := s.login(t, "hnkv1.ksv2")
	// An access token that no longer verifies, with the refresh token: renewed without a word.
	tb.setCookie(t, "ks_at", "bogus.access.token")
	tb.open(t, "/cases")
	if loc := tb.location(t); loc.Path != "/cases" {
		tb.errorf(t, "a dead access token with a live refresh token: at %s, want /cases (renewed)", loc)
	}
	if at := tb.cookie(t, "ks_at"); at == "" || at == "bogus.access.token" {
		tb.errorf(t, "the access cookie was not renewed: %q", at)
	}

	// A dead access token and no refresh token: the session existed, and has expired.
	tb.setCookie(t, "ks_at", "bogus.access.token")
	tb.deleteCookie(t, "ks_rt")
	tb.open(t, "/cases?stage=investigation")
	loc := tb.location(t)
	if loc.Path != "/login" || loc.Query().Get("expired") != "1" {
		tb.errorf(t, "an expired session: at %s, want /login?expired=1", loc)
	}
	if next := loc.Query().Get("next"); next != "/cases?stage=investigation" {
		tb.errorf(t, "an expired session: next=%q, want the page asked for", next)
	}
	if msg, ok := tb.text(t, "[data-testid=expired]"); !ok || !strings.Contains(msg, "hết hạn") {
		tb.errorf(t, "no session-expired message (%q)", msg)
	}
	tb.shot(t, "19-login-expired")
	// Logging in again goes back to the page asked for.
	tb.typeKeys(t, "#username", "hnkv1.ksv2")
	tb.typeKeys(t, "#password", demoPassword)
	tb.submit(t, `form[action="/login"] button[type=submit]`)
	if loc := tb.location(t); loc.Path != "/cases" || loc.Query().Get("stage") != "investigation" {
		tb.errorf(t, "after logging in again at %s, want /cases?stage=investigation", loc)
	}

	// No cookies at all: nothing tells a session existed, so no expired message.
	tb.deleteCookie(t, "ks_at")
	tb.deleteCookie(t, "ks_rt")
	tb.open(t, "/cases")
	if loc := tb.location(t); loc.Path != "/login" || loc.Query().Get("expired") != "" {
		tb.errorf(t, "no cookies: at %s, want /login without expired", loc)
	}
	if tb.has(t, "[data-testid=expired]") {
		tb.errorf(t, "the expired message shows for a visitor with no session")
	}
}

// draftSurvivesExpiry: a clerk types a long registration, the session dies before it is sent;
// the login page says what was typed is kept, and after logging in again it is back in the form.
func (s *suite) draftSurvivesExpiry(t *testing.T) {
	tb := s.login(t, clerk)
	tb.open(t, "/cases/new")
	const reporter, summary = "Phạm Văn Đức", "Ông Phạm Văn Đức trình báo bị lừa đảo chiếm đoạt 80 triệu đồng qua mạng xã hội."
	tb.typeInto(t, "#r-rname", reporter)
	tb.typeInto(t, "#r-summary", summary)
	tb.setCookie(t, "ks_at", "bogus.access.token")
	tb.deleteCookie(t, "ks_rt")
	tb.submit(t, "[data-testid=register-submit]")
	loc := tb.location(t)
	if loc.Path != "/login" || loc.Query().Get("expired") != "1" || loc.Query().Get("next") != "/cases/new" {
		tb.fatalf(t, "sending a form with an expired session: at %s, want /login?expired=1&next=/cases/new", loc)
	}
	tb.typeKeys(t, "#username", clerk)
	tb.typeKeys(t, "#password", demoPassword)
	tb.submit(t, `form[action="/login"] button[type=submit]`)
	if p := tb.location(t).Path; p != "/cases/new" {
		tb.fatalf(t, "after logging in again at %s, want /cases/new", p)
	}
	if v := tb.value(t, "#r-summary"); v != summary {
		tb.errorf(t, "the summary typed before the session expired is %q after logging in again, want %q", v, summary)
	}
	if v := tb.value(t, "#r-rname"); v != reporter {
		tb.errorf(t, "the reporter typed before the session expired is %q after logging in again, want %q", v, reporter)
	}
}

// ruleName is the Vietnamese name of a time-limit rule, as the case page shows it.
func ruleName(t *testing.T, id workflow.RuleID) string {
	t.Helper()
	for _, r := range workflow.Rules {
		if r.ID == id {
			return r.NameVI
		}
	}
	t.Fatalf("no rule %s", id)
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func randomToken() string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}
