// Package web_test drives the web UI in a real headless Chromium (chromedp) against the whole
// server: a fresh PostgreSQL database seeded with the demo organisation, the real services, the
// REST API and the web UI behind one listener, as cmd/kiemsat serves them.
//
// There is no TestMain: pgtest.NewDatabase needs none, and the package's own unit tests (package
// web) need no database.
package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/miniotest"
	"kiemsat/service"
	"kiemsat/web"
)

const (
	demoPassword = "Mat-khau-thu-nghiem-2026"
	// stepTimeout bounds one browser step (a navigation, a submit, a read), so a page that never
	// shows an element fails the test instead of hanging it.
	stepTimeout = 20 * time.Second
)

// webEnv is one running server (API and web UI) over its own database, seeded with the demo
// organisation and users, on the real clock: the browser lives in real time.
type webEnv struct {
	srv     *httptest.Server
	store   *repository.Store
	svc     *service.Services
	units   map[string]domain.Unit
	objects service.ObjectStore
	// storage says where case files go: "minio" when a MinIO server binary is at hand (as under
	// `make test`), else "disk".
	storage string
}

func newWebEnv(t *testing.T) *webEnv {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("KIEMSAT_BROWSER_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	objects, storage := openObjects(t)
	seeding := time.Now()
	app := web.NewTestApp(t, web.TestAppOptions{Clock: service.SystemClock{}, Password: demoPassword, Objects: objects, Log: log})
	t.Logf("platform built and demo data seeded in %s", time.Since(seeding).Round(time.Millisecond))
	return &webEnv{srv: app.Srv, store: app.Store, svc: app.Svc, units: app.Units, objects: objects, storage: storage}
}

// openObjects keeps case files in a real MinIO server when its binary is at hand (`make test`
// builds it and sets MINIO_BIN), else in a folder of the test's.
func openObjects(t *testing.T) (service.ObjectStore, string) {
	t.Helper()
	if _, err := miniotest.Binary(); err == nil {
		srv := miniotest.Start(t)
		m, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
			SecretKey: srv.SecretKey, Bucket: "kiemsat-files", PartSize: 5 << 20})
		if err != nil {
			t.Fatal(err)
		}
		return m, "minio"
	}
	d, err := repository.NewDiskObjects(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d, "disk"
}

func (e *webEnv) query(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := e.store.SQL().QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// chromePath finds the browser: $CHROME_BIN, then chromium (Debian's package) and its other names
// on PATH.
func chromePath() (string, error) {
	if p := os.Getenv("CHROME_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CHROME_BIN=%s: %w (unset it to use chromium from PATH, or set KIEMSAT_SKIP_BROWSER=1 to skip)", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found: install it (Debian: apt-get install -y chromium; .ci/run does), " +
		"or set CHROME_BIN to the browser, or set KIEMSAT_SKIP_BROWSER=1 to skip the browser tests")
}

// browser is one headless Chromium shared by the tests; each user works in a tab of their own
// browser context, so their cookies never mix.
type browser struct {
	ctx   context.Context
	base  string
	shots string

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions of every tab
}

// requireChrome returns the browser to run, skips the test when KIEMSAT_SKIP_BROWSER=1, and fails
// it when there is no browser: CI installs one, so a missing browser is an error, not a pass.
func requireChrome(t *testing.T) string {
	t.Helper()
	if os.Getenv("KIEMSAT_SKIP_BROWSER") == "1" {
		t.Skip("KIEMSAT_SKIP_BROWSER=1: browser tests skipped")
	}
	bin, err := chromePath()
	if err != nil {
		t.Fatalf("browser tests: %v", err)
	}
	return bin
}

func startBrowser(t *testing.T, bin, base string) *browser {
	t.Helper()
	shots, err := screenshotDir()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.Flag("accept-lang", "vi-VN,vi"),
		chromedp.Env("LANGUAGE=vi", "LANG=vi_VN.UTF-8"),
		chromedp.WindowSize(1280, 900),
	)
	// chromedp makes a fresh --user-data-dir and removes it when the browser ends.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	// The first run starts the browser, bound to bctx (never to a step's timeout).
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	// The failure screenshots of an earlier run would mislead.
	if old, _ := filepath.Glob(filepath.Join(shots, "FAIL-*.png")); len(old) > 0 {
		for _, f := range old {
			_ = os.Remove(f)
		}
	}
	return &browser{ctx: bctx, base: base, shots: shots}
}

// screenshotDir is $KIEMSAT_ARTIFACTS, or .data/artifacts/screenshots in the repository (ignored
// by git), created when missing.
func screenshotDir() (string, error) {
	dir := os.Getenv("KIEMSAT_ARTIFACTS")
	if dir == "" {
		root, err := filepath.Abs("..")
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, ".data", "artifacts", "screenshots")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// tab is one user's tab, in a browser context of its own.
type tab struct {
	b      *browser
	ctx    context.Context
	cancel context.CancelFunc
	name   string
}

func (b *browser) newTab(t *testing.T, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	// Open the tab with no timeout: the first run binds the tab's life to the context it gets.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		cancel()
		t.Fatalf("open a tab for %s: %v", name, err)
	}
	// A user's machine in Vietnam: its locale (date pickers read dd/mm/yyyy) and time zone.
	if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "vi_VN"}); err != nil {
		t.Logf("locale override: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Ho_Chi_Minh"}); err != nil {
		t.Logf("time zone override: %v", err)
	}
	tb := &tab{b: b, ctx: ctx, cancel: cancel, name: name}
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			// A refused page (403, 404) is logged by the browser as a failed resource: the tests
			// that expect one assert on its status themselves.
			if strings.Contains(m.Text, "Failed to load resource") {
				continue
			}
			b.mu.Lock()
			b.problems = append(b.problems, fmt.Sprintf("%s: %s (%s:%d)", name, m.Text, m.URL, m.Line+1))
			b.mu.Unlock()
		}
	}()
	return tb
}

// consoleProblems are the console errors and exceptions seen so far.
func (b *browser) consoleProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// step runs actions with the step timeout; on failure the test fails with a screenshot and the
// page's text.
func (tb *tab) step(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	defer traceStep(t, what, time.Now())
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.fatalf(t, "%s: %v", what, err)
	}
}

// run runs one action with a value, with the step timeout.
func run[T any](t *testing.T, tb *tab, what string, a chromedp.Action[T]) T {
	t.Helper()
	defer traceStep(t, what, time.Now())
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fatalf(t, "%s: %v", what, err)
	}
	return v
}

// traceSteps logs how long each browser step took (KIEMSAT_BROWSER_TRACE=1).
var traceSteps = os.Getenv("KIEMSAT_BROWSER_TRACE") == "1"

func traceStep(t *testing.T, what string, start time.Time) {
	if traceSteps {
		t.Logf("%6dms %s", time.Since(start).Milliseconds(), what)
	}
}

// fatalf fails the test with where the tab is, what it shows and a screenshot of it.
func (tb *tab) fatalf(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s [%s]", fmt.Sprintf(format, args...), tb.debugState(t))
}

func (tb *tab) errorf(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Errorf("%s [%s]", fmt.Sprintf(format, args...), tb.debugState(t))
}

func (tb *tab) debugState(t *testing.T) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	body = strings.Join(strings.Fields(body), " ")
	if len(body) > 1200 {
		body = body[:1200] + "…"
	}
	name := "FAIL-" + safeName(t.Name()) + ".png"
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(tb.b.shots, name), png, 0o644)
	}
	return fmt.Sprintf("%s at %s; screenshot %s; page: %s", tb.name, loc, name, body)
}

func safeName(s string) string {
	return regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(s, "_")
}

// open navigates to a path of the server and returns the status of the page.
func (tb *tab) open(t *testing.T, path string) int {
	t.Helper()
	res := run(t, tb, "open "+path, chromedp.NavigateResponse(tb.b.base+path))
	if res == nil {
		tb.fatalf(t, "open %s: no response", path)
	}
	return int(res.Status)
}

// submit clicks a button (a real mouse click) and waits for the page it leads to; it returns the
// status of that page.
func (tb *tab) submit(t *testing.T, sel string) int {
	t.Helper()
	return tb.navigateBy(t, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (tb *tab) navigateBy(t *testing.T, what string, trigger chromedp.Action[chromedp.Void]) int {
	t.Helper()
	defer traceStep(t, what, time.Now())
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, trigger)
	if err != nil {
		tb.fatalf(t, "%s: %v", what, err)
	}
	if res == nil {
		tb.fatalf(t, "%s: no response", what)
	}
	return int(res.Status)
}

// location is the path and query of the page shown.
func (tb *tab) location(t *testing.T) *url.URL {
	t.Helper()
	loc := run(t, tb, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		tb.fatalf(t, "location %q: %v", loc, err)
	}
	return u
}

// js is a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

type found struct {
	Found bool   `json:"found"`
	Text  string `json:"text"`
}

// text reads the visible text of the first element matching a CSS selector, now (the pages are
// rendered by the server: once loaded, they are complete).
func (tb *tab) text(t *testing.T, sel string) (string, bool) {
	t.Helper()
	f := run(t, tb, "read "+sel, chromedp.Evaluate[found](`(() => { const e = document.querySelector(`+js(sel)+
		`); return e ? {found: true, text: e.innerText} : {found: false, text: ""}; })()`))
	return strings.Join(strings.Fields(f.Text), " "), f.Found
}

// mustText is text, failing when the element is missing.
func (tb *tab) mustText(t *testing.T, sel string) string {
	t.Helper()
	s, ok := tb.text(t, sel)
	if !ok {
		tb.fatalf(t, "no element %s", sel)
	}
	return s
}

func (tb *tab) has(t *testing.T, sel string) bool {
	t.Helper()
	_, ok := tb.text(t, sel)
	return ok
}

// value is the current value of a form field.
func (tb *tab) value(t *testing.T, sel string) string {
	t.Helper()
	f := run(t, tb, "value of "+sel, chromedp.Evaluate[found](`(() => { const e = document.querySelector(`+js(sel)+
		`); return e ? {found: true, text: String(e.value)} : {found: false, text: ""}; })()`))
	if !f.Found {
		tb.fatalf(t, "no field %s", sel)
	}
	return f.Text
}

// texts are the texts of every element matching a selector.
func (tb *tab) texts(t *testing.T, sel string) []string {
	t.Helper()
	out := run(t, tb, "read all "+sel, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+js(sel)+
		`)).map(e => e.innerText.split(/\s+/).filter(Boolean).join(" "))`))
	return out
}

// typeKeys empties a text field and types into it, key by key.
func (tb *tab) typeKeys(t *testing.T, sel, v string) {
	t.Helper()
	tb.set(t, sel, "")
	if v != "" {
		tb.step(t, "type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
}

// typeInto empties a text field, focuses it and enters the text as an input method commits it
// (Vietnamese is typed through one, Unikey or the system's Telex): one input event for the text.
func (tb *tab) typeInto(t *testing.T, sel, v string) {
	t.Helper()
	tb.set(t, sel, "")
	if v == "" {
		return
	}
	tb.step(t, "type into "+sel, chromedp.Focus(chromedp.CSS(sel)), chromedp.Func(func(ctx context.Context, tt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tt, input.InsertText, input.InsertTextParams{Text: v})
		return err
	}))
	if got := tb.value(t, sel); got != v {
		tb.fatalf(t, "typed %q into %s, the field holds %q", v, sel, got)
	}
}

// set sets a field's value as a picker would (select, date, datetime-local) and fires its events.
func (tb *tab) set(t *testing.T, sel, v string) {
	t.Helper()
	ok := run(t, tb, "set "+sel, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+js(sel)+`); if (!e) return false;
		e.value = `+js(v)+`; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true}));
		return e.value === `+js(v)+`; })()`))
	if !ok {
		tb.fatalf(t, "cannot set %s to %q (no such field, or no such option)", sel, v)
	}
}

// shot saves a full-page PNG screenshot under the artifacts folder.
func (tb *tab) shot(t *testing.T, name string) {
	t.Helper()
	png := run(t, tb, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(tb.b.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// viewport sets the size of the tab's page.
func (tb *tab) viewport(t *testing.T, w, h int64) {
	t.Helper()
	tb.step(t, "viewport", chromedp.EmulateViewport(w, h))
}

// cookies are the tab's cookies for the server.
func (tb *tab) cookies(t *testing.T) []*network.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.b.base + "/"}})
	if err != nil {
		tb.fatalf(t, "cookies: %v", err)
	}
	return res.Cookies
}

func (tb *tab) cookie(t *testing.T, name string) string {
	t.Helper()
	for _, c := range tb.cookies(t) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (tb *tab) deleteCookie(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: tb.b.base + "/"}); err != nil {
		tb.fatalf(t, "delete cookie %s: %v", name, err)
	}
}

func (tb *tab) setCookie(t *testing.T, name, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: tb.b.base + "/", Path: "/",
		HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		tb.fatalf(t, "set cookie %s: %v", name, err)
	}
}

// httpClient is a plain Go client holding the tab's cookies (a user's session outside the
// browser); it does not follow redirects.
func (tb *tab) httpClient(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(tb.b.base + "/")
	var cs []*http.Cookie
	for _, c := range tb.cookies(t) {
		cs = append(cs, &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path})
	}
	jar.SetCookies(u, cs)
	return &http.Client{Jar: jar, Timeout: stepTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// firstInt reads the first whole number of a text, thousands separators ("1.234") allowed.
func firstInt(s string) (int, bool) {
	m := regexp.MustCompile(`\d{1,3}(?:[.,]\d{3})+|\d+`).FindString(s)
	if m == "" {
		return 0, false
	}
	n, err := strconv.Atoi(strings.NewReplacer(".", "", ",", "").Replace(m))
	return n, err == nil
}
