package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/service/seed"
)

// A bootstrap account must change its password before anything else; the session renews its
// short-lived access token from the refresh cookie while the browser is used, and once the refresh
// token has expired the user is sent to the login page with the reason and the page they wanted.
func TestSessionPasswordChangeAndExpiry(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	admin := e.principal("admin")
	unit := e.units[seed.RegionalCode("HNI", 1)]
	const first = "Mat-khau-ban-dau-2026"
	u, err := e.svc.Admin.CreateUser(ctx, admin, domain.UserInput{Username: "ksv.moi", FullName: "Lưu Văn Mới", UnitID: unit.ID, Password: first, MustChangePassword: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Admin.AddGrant(ctx, admin, u.ID, domain.RoleProsecutor, unit.ID); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &pagesUser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	m := csrfField.FindStringSubmatch(b.get("/login").body)
	if m == nil {
		t.Fatal("no csrf field on the login page")
	}
	b.csrf = m[1]
	r := b.post("/login", url.Values{"username": {"ksv.moi"}, "password": {first}, "next": {"/cases"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/password" {
		t.Fatalf("login of an account that must change its password: %d → %q", r.status, r.header.Get("Location"))
	}
	for _, path := range []string{"/", "/cases", "/cases/new"} {
		if r := b.get(path); r.status != http.StatusSeeOther || r.header.Get("Location") != "/password" {
			t.Errorf("%s before the change: %d → %q", path, r.status, r.header.Get("Location"))
		}
	}
	if r := b.get("/password"); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="must-change"`) {
		t.Fatalf("password page: %d, notice shown: %v", r.status, strings.Contains(r.body, `data-testid="must-change"`))
	}
	// A new password too short: the message next to the field, nothing changed.
	r = b.post("/password", url.Values{"current": {first}, "next": {"ngan"}})
	if r.status != http.StatusUnprocessableEntity || fieldErrorByID(r.body, "next-err") == "" {
		t.Fatalf("short password: %d, message %q", r.status, fieldErrorByID(r.body, "next-err"))
	}
	r = b.post("/password", url.Values{"current": {"sai-mat-khau-cu-2026"}, "next": {"Mat-khau-moi-that-dai-2026"}})
	if r.status != http.StatusUnprocessableEntity || fieldErrorByID(r.body, "current-err") == "" {
		t.Fatalf("wrong current password: %d, message %q", r.status, fieldErrorByID(r.body, "current-err"))
	}
	r = b.post("/password", url.Values{"current": {first}, "next": {"Mat-khau-moi-that-dai-2026"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/") || r.header.Get("Location") == "/password" {
		t.Fatalf("change: %d → %q", r.status, r.header.Get("Location"))
	}
	if r := b.get("/cases"); r.status != http.StatusOK {
		t.Fatalf("/cases after the change: %d", r.status)
	}

	// The access token (15 minutes) has expired: the refresh cookie renews the session, with
	// new cookies, and the page is served.
	e.clock.Advance(20 * time.Minute)
	r = b.get("/cases")
	if r.status != http.StatusOK {
		t.Fatalf("/cases with an expired access token: %d → %q", r.status, r.header.Get("Location"))
	}
	renewed := false
	for _, c := range r.header.Values("Set-Cookie") {
		renewed = renewed || strings.HasPrefix(c, "ks_at=") && !strings.HasPrefix(c, "ks_at=;")
	}
	if !renewed {
		t.Errorf("no new access token cookie: %q", r.header.Values("Set-Cookie"))
	}
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "ks_") && (!strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=")) {
			t.Errorf("session cookie without HttpOnly or SameSite: %q", c)
		}
	}
	// The refresh token has expired too (12 hours unused): the login page, saying why, and
	// back to the page afterwards.
	e.clock.Advance(13 * time.Hour)
	r = b.get("/cases?stage=investigation")
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || loc == nil || loc.Path != "/login" || loc.Query().Get("expired") != "1" || loc.Query().Get("next") != "/cases?stage=investigation" {
		t.Fatalf("expired session: %d → %q", r.status, r.header.Get("Location"))
	}
	if r := b.get(loc.String()); !strings.Contains(r.body, `data-testid="expired"`) || !strings.Contains(r.body, `name="next" value="/cases?stage=investigation"`) {
		t.Errorf("the login page does not say the session expired or forgets the page: %s", excerpt(r.body))
	}
	// A next that leaves the site is not followed.
	for _, bad := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		if got := safeNext(bad); got != "/" {
			t.Errorf("safeNext(%q) = %q", bad, got)
		}
	}
}

// fieldErrorByID is the text of the element with the id.
func fieldErrorByID(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	j, k := strings.IndexByte(rest, '>'), strings.Index(rest, "</")
	if j < 0 || k < j {
		return ""
	}
	return strings.TrimSpace(rest[j+1 : k])
}
