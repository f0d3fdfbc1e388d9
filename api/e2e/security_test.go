package e2e_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"kiemsat/api"
	"kiemsat/service"
	"kiemsat/service/seed"
)

// TestTokenAttacks presents forged, expired and malformed access tokens; every one is refused
// with 401 unauthenticated, while a correctly signed token with the same claims is accepted.
func TestTokenAttacks(t *testing.T) {
	e := newEnv(t)
	tk := e.login("hnkv1.thuky")
	if r := e.get(v1+"/me", tk.AccessToken); r.Status != http.StatusOK {
		t.Fatalf("valid token refused: %d %s", r.Status, r.Body)
	}
	claims, err := e.jwt.Parse(tk.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	mapClaims := func(iss, aud string) jwt.MapClaims {
		return jwt.MapClaims{"iss": iss, "sub": claims.UserID, "aud": []string{aud}, "iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(),
			"exp": now.Add(10 * time.Minute).Unix(), "jti": uuid.NewString(), "pwe": claims.PasswordEpoch}
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Control: the hand-built claims, properly signed, are accepted; so each refusal below is
	// caused by the one thing changed.
	if r := e.get(v1+"/me", sign(jwt.SigningMethodEdDSA, e.key, mapClaims(issuer, audience))); r.Status != http.StatusOK {
		t.Fatalf("control token refused: %d %s", r.Status, r.Body)
	}
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := e.key.Public().(ed25519.PublicKey)
	uc := service.AccessClaims{UserID: claims.UserID, PasswordEpoch: claims.PasswordEpoch}
	issue := func(j *api.JWT) string {
		s, err := j.Issue(uc, now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name   string
		header string
	}{
		{"alg none", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, mapClaims(issuer, audience))},
		{"HS256 with public key as secret", "Bearer " + sign(jwt.SigningMethodHS256, []byte(pub), mapClaims(issuer, audience))},
		{"other Ed25519 key", "Bearer " + sign(jwt.SigningMethodEdDSA, otherKey, mapClaims(issuer, audience))},
		{"other key via issuer", "Bearer " + issue(api.NewJWT(otherKey, issuer, audience, accessTTL, e.clock.Now))},
		{"wrong issuer", "Bearer " + issue(api.NewJWT(e.key, "evil-issuer", audience, accessTTL, e.clock.Now))},
		{"wrong audience", "Bearer " + issue(api.NewJWT(e.key, issuer, "other-api", accessTTL, e.clock.Now))},
		{"no subject uuid", "Bearer " + sign(jwt.SigningMethodEdDSA, e.key, func() jwt.MapClaims { c := mapClaims(issuer, audience); c["sub"] = "admin"; return c }())},
		{"no expiry", "Bearer " + sign(jwt.SigningMethodEdDSA, e.key, func() jwt.MapClaims { c := mapClaims(issuer, audience); delete(c, "exp"); return c }())},
		{"garbage", "Bearer not.a.token"},
		{"garbage single word", "Bearer abcdef"},
		{"empty bearer", "Bearer "},
		{"missing Bearer prefix", tk.AccessToken},
		{"basic scheme", "Basic aGVsbG86d29ybGQ="},
		{"no header", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if c.header != "" {
				h["Authorization"] = c.header
			}
			for _, path := range []string{v1 + "/me", v1 + "/cases"} {
				r := e.send(req{Method: "GET", Path: path, Header: h})
				wantError(t, r, http.StatusUnauthorized, "unauthenticated")
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("no WWW-Authenticate challenge: %v", r.Header)
				}
			}
		})
	}

	t.Run("expired by the clock", func(t *testing.T) {
		e.clock.Advance(accessTTL + time.Minute)
		wantError(t, e.get(v1+"/me", tk.AccessToken), http.StatusUnauthorized, "unauthenticated")
		e.clock.Advance(-(accessTTL + time.Minute))
		if r := e.get(v1+"/me", tk.AccessToken); r.Status != http.StatusOK {
			t.Fatalf("token refused after the clock came back: %d %s", r.Status, r.Body)
		}
	})
}

// TestTokenStaleAfterPasswordChange: an access token issued before a password change is refused
// after it, while the token returned by the change works.
func TestTokenStaleAfterPasswordChange(t *testing.T) {
	e := newEnv(t)
	old := e.login("hnkv1.ksv1")
	other := e.login("hnkv1.ksv1") // a second session on another device
	r := e.send(req{Method: "POST", Path: v1 + "/auth/password", Token: old.AccessToken,
		Body: map[string]string{"current_password": demoPassword, "new_password": "Mot-mat-khau-moi-dai-2026"}})
	if r.Status != http.StatusOK {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	var fresh tokens
	r.decode(t, &fresh)
	for _, tok := range []string{old.AccessToken, other.AccessToken} {
		wantError(t, e.get(v1+"/me", tok), http.StatusUnauthorized, "unauthenticated")
	}
	if r := e.get(v1+"/me", fresh.AccessToken); r.Status != http.StatusOK {
		t.Fatalf("new token refused: %d %s", r.Status, r.Body)
	}
	// The old password no longer logs in; the new one does.
	wantError(t, e.loginResp("hnkv1.ksv1", demoPassword), http.StatusUnauthorized, "unauthenticated")
	e.loginWith("hnkv1.ksv1", "Mot-mat-khau-moi-dai-2026")
}

func (e *env) refresh(rt string) response {
	e.t.Helper()
	return e.send(req{Method: "POST", Path: v1 + "/auth/refresh", Body: map[string]string{"refresh_token": rt}})
}

// TestRefreshRotation: a refresh token is spent once; replaying it revokes its whole family.
func TestRefreshRotation(t *testing.T) {
	e := newEnv(t)
	t.Run("rotation and reuse detection", func(t *testing.T) {
		first := e.login("hnkv1.thuky")
		r := e.refresh(first.RefreshToken)
		if r.Status != http.StatusOK {
			t.Fatalf("refresh: %d %s", r.Status, r.Body)
		}
		var second tokens
		r.decode(t, &second)
		if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken || second.RefreshToken == "" {
			t.Fatal("refresh did not rotate the pair")
		}
		if r := e.get(v1+"/me", second.AccessToken); r.Status != http.StatusOK {
			t.Fatalf("rotated access token refused: %d", r.Status)
		}
		// Replay of the spent token: refused, and the family dies with it.
		wantError(t, e.refresh(first.RefreshToken), http.StatusUnauthorized, "unauthenticated")
		wantError(t, e.refresh(second.RefreshToken), http.StatusUnauthorized, "unauthenticated")
		if n := e.count(`SELECT count(*) FROM refresh_tokens rt JOIN users u ON u.id = rt.user_id
			WHERE u.username = 'hnkv1.thuky' AND rt.revoked_at IS NULL`); n != 0 {
			t.Fatalf("%d refresh tokens of the family still live after reuse", n)
		}
		if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.refresh' AND outcome = 'denied' AND detail LIKE '%refresh_token_reuse%'`); n != 1 {
			t.Fatalf("reuse audited %d times, want 1", n)
		}
	})
	t.Run("reuse revokes only that family", func(t *testing.T) {
		a := e.login("hnkv1.ksv2")
		b := e.login("hnkv1.ksv2")
		r := e.refresh(a.RefreshToken)
		if r.Status != http.StatusOK {
			t.Fatalf("refresh: %d", r.Status)
		}
		wantError(t, e.refresh(a.RefreshToken), http.StatusUnauthorized, "unauthenticated")
		if r := e.refresh(b.RefreshToken); r.Status != http.StatusOK {
			t.Fatalf("other session's family was revoked too: %d %s", r.Status, r.Body)
		}
	})
	t.Run("logout revokes the family", func(t *testing.T) {
		s := e.login("hnkv1.phovt")
		r := e.refresh(s.RefreshToken)
		var s2 tokens
		r.decode(t, &s2)
		r = e.send(req{Method: "POST", Path: v1 + "/auth/logout", Token: s2.AccessToken, Body: map[string]string{"refresh_token": s2.RefreshToken}})
		if r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		wantError(t, e.refresh(s2.RefreshToken), http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("password change revokes every refresh token", func(t *testing.T) {
		a := e.login("hnkv2.thuky")
		b := e.login("hnkv2.thuky")
		r := e.send(req{Method: "POST", Path: v1 + "/auth/password", Token: a.AccessToken,
			Body: map[string]string{"current_password": demoPassword, "new_password": "Mat-khau-moi-cua-thu-ky"}})
		if r.Status != http.StatusOK {
			t.Fatalf("change password: %d %s", r.Status, r.Body)
		}
		var fresh tokens
		r.decode(t, &fresh)
		wantError(t, e.refresh(a.RefreshToken), http.StatusUnauthorized, "unauthenticated")
		wantError(t, e.refresh(b.RefreshToken), http.StatusUnauthorized, "unauthenticated")
		if r := e.refresh(fresh.RefreshToken); r.Status != http.StatusOK {
			t.Fatalf("refresh token from the change refused: %d %s", r.Status, r.Body)
		}
	})
	t.Run("unknown refresh token", func(t *testing.T) {
		wantError(t, e.refresh("bm90LWEtcmVhbC10b2tlbg"), http.StatusUnauthorized, "unauthenticated")
	})
}

// TestLoginLockout: five wrong passwords lock the account; the right password is refused while
// it is locked and accepted once the controllable clock passes the lock.
func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	const user = "hnkv1.ksv2"
	for i := 1; i <= 4; i++ {
		wantError(t, e.loginResp(user, "wrong-password-"+strconv.Itoa(i)), http.StatusUnauthorized, "unauthenticated")
	}
	r := e.loginResp(user, "wrong-password-5")
	wantError(t, r, http.StatusTooManyRequests, "account_locked")
	retryAfter := func(r response) int {
		n, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || n <= 0 || n > int(service.DefaultAuthConfig.LockFor.Seconds())+1 {
			t.Fatalf("Retry-After %q out of range", r.Header.Get("Retry-After"))
		}
		return n
	}
	retryAfter(r)
	r = e.loginResp(user, demoPassword)
	wantError(t, r, http.StatusTooManyRequests, "account_locked")
	retryAfter(r)
	// Another user is not affected.
	e.login("hnkv1.ksv1")

	e.clock.Advance(service.DefaultAuthConfig.LockFor - time.Minute)
	wantError(t, e.loginResp(user, demoPassword), http.StatusTooManyRequests, "account_locked")
	e.clock.Advance(time.Minute + time.Second)
	tk := e.login(user)
	if r := e.get(v1+"/me", tk.AccessToken); r.Status != http.StatusOK {
		t.Fatalf("me after unlock: %d", r.Status)
	}
	// The successful login reset the counter: one more wrong password is a plain 401.
	wantError(t, e.loginResp(user, "wrong-again"), http.StatusUnauthorized, "unauthenticated")

	// A lock that runs out without a successful login also starts a fresh count: the next
	// wrong password is a plain 401, not an immediate new lock.
	const other = "hnkv1.phovt"
	for i := 1; i <= 4; i++ {
		wantError(t, e.loginResp(other, "wrong-password-"+strconv.Itoa(i)), http.StatusUnauthorized, "unauthenticated")
	}
	wantError(t, e.loginResp(other, "wrong-password-5"), http.StatusTooManyRequests, "account_locked")
	e.clock.Advance(service.DefaultAuthConfig.LockFor + time.Second)
	wantError(t, e.loginResp(other, "wrong-after-lock"), http.StatusUnauthorized, "unauthenticated")
	e.login(other)
}

// TestLoginAddressLimit: with AddressLimit 3, the fourth failed login from one address is refused
// with rate_limited, whatever the account, until the window passes.
func TestLoginAddressLimit(t *testing.T) {
	e := newEnv(t, withAddressLimit(3))
	wantError(t, e.loginResp("hnkv1.ksv1", "wrong-1"), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.loginResp("no.such.user", "wrong-2"), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.loginResp("hnkv1.ksv2", "wrong-3"), http.StatusUnauthorized, "unauthenticated")
	r := e.loginResp("hnkv1.thuky", "wrong-4")
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n <= 0 || n > int(service.DefaultAuthConfig.AddressWindow.Seconds())+1 {
		t.Fatalf("Retry-After %q out of range", r.Header.Get("Retry-After"))
	}
	// Even the right password is refused from this address now.
	wantError(t, e.loginResp("hnkv1.thuky", demoPassword), http.StatusTooManyRequests, "rate_limited")
	// Spoofed X-Forwarded-For does not escape the limit: no proxy is trusted.
	r = e.send(req{Method: "POST", Path: v1 + "/auth/login", Body: map[string]string{"username": "hnkv1.thuky", "password": demoPassword},
		Header: map[string]string{"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.7"}})
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	e.clock.Advance(service.DefaultAuthConfig.AddressWindow + time.Second)
	e.login("hnkv1.thuky")
}

// TestLoginSameAnswer: an unknown user and a wrong password are indistinguishable.
func TestLoginSameAnswer(t *testing.T) {
	e := newEnv(t)
	a := wantError(t, e.loginResp("khong.ton.tai", "whatever-password"), http.StatusUnauthorized, "unauthenticated")
	b := wantError(t, e.loginResp("hnkv1.thuky", "whatever-password"), http.StatusUnauthorized, "unauthenticated")
	if a.Error.Message != b.Error.Message || len(a.Error.Details) != len(b.Error.Details) {
		t.Fatalf("answers differ: %+v vs %+v", a.Error, b.Error)
	}
	// An inactive account answers the same too.
	e.exec(`UPDATE users SET active = false WHERE username = 'hnkv2.thuky'`)
	c := wantError(t, e.loginResp("hnkv2.thuky", demoPassword), http.StatusUnauthorized, "unauthenticated")
	if c.Error.Message != a.Error.Message {
		t.Fatalf("inactive account answer differs: %q vs %q", c.Error.Message, a.Error.Message)
	}
}

// TestForcedPasswordChange: an account created by an administrator must change its password
// before it can do anything but read /me, change the password or log out.
func TestForcedPasswordChange(t *testing.T) {
	e := newEnv(t)
	admin := e.login("hn.quantri")
	kv1 := e.units[seed.RegionalCode("HNI", 1)]
	r := e.send(req{Method: "POST", Path: v1 + "/users", Token: admin.AccessToken, Body: map[string]any{
		"username": "hnkv1.moi", "full_name": "Người Dùng Mới", "email": "moi@example.vn", "unit_id": kv1.ID, "password": "Mat-khau-tam-thoi-01"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("create user: %d %s", r.Status, r.Body)
	}
	var u struct {
		ID                 string `json:"id"`
		MustChangePassword bool   `json:"must_change_password"`
	}
	r.decode(t, &u)
	if !u.MustChangePassword {
		t.Fatal("administrator-created user need not change the password")
	}
	r = e.send(req{Method: "POST", Path: v1 + "/users/" + u.ID + "/grants", Token: admin.AccessToken, Body: map[string]any{"role": "clerk", "unit_id": kv1.ID}})
	if r.Status != http.StatusCreated {
		t.Fatalf("grant: %d %s", r.Status, r.Body)
	}
	tk := e.loginWith("hnkv1.moi", "Mat-khau-tam-thoi-01")
	if !tk.MustChangePassword {
		t.Fatal("login does not say the password must change")
	}
	if r := e.get(v1+"/me", tk.AccessToken); r.Status != http.StatusOK {
		t.Fatalf("GET /me during forced change: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/cases", "/units", "/users"} {
		wantError(t, e.get(v1+path, tk.AccessToken), http.StatusForbidden, "password_change_required")
	}
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/cases", Token: tk.AccessToken, Body: e.validCase(kv1.ID)}), http.StatusForbidden, "password_change_required")
	r = e.send(req{Method: "POST", Path: v1 + "/auth/password", Token: tk.AccessToken,
		Body: map[string]string{"current_password": "Mat-khau-tam-thoi-01", "new_password": "Mat-khau-rieng-cua-toi"}})
	if r.Status != http.StatusOK {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	var fresh tokens
	r.decode(t, &fresh)
	if fresh.MustChangePassword {
		t.Fatal("still must change after changing")
	}
	if r := e.get(v1+"/cases", fresh.AccessToken); r.Status != http.StatusOK {
		t.Fatalf("GET /cases after change: %d %s", r.Status, r.Body)
	}
	// The pre-change token stays refused (stale password epoch), not merely restricted.
	wantError(t, e.get(v1+"/me", tk.AccessToken), http.StatusUnauthorized, "unauthenticated")
}

// TestConcurrentPatch: ten writers with the same version; exactly one wins.
func TestConcurrentPatch(t *testing.T) {
	e := newEnv(t)
	tk := e.login("hnkv1.thuky")
	id := e.caseOf(seed.RegionalCode("HNI", 1))
	r := e.get(v1+"/cases/"+id, tk.AccessToken)
	var before caseBody
	r.decode(t, &before)
	const n = 10
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			res := e.send(req{Method: "PATCH", Path: v1 + "/cases/" + id, Token: tk.AccessToken,
				Body: map[string]any{"version": before.Version, "summary": fmt.Sprintf("Cập nhật đồng thời số %d của hồ sơ.", i)}})
			statuses[i] = res.Status
		}(i)
	}
	close(start)
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("statuses %v: %d ok, %d conflict; want 1 and %d", statuses, ok, conflict, n-1)
	}
	var after caseBody
	e.get(v1+"/cases/"+id, tk.AccessToken).decode(t, &after)
	if after.Version != before.Version+1 {
		t.Fatalf("version %d, want %d", after.Version, before.Version+1)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.update' AND target_id = $1 AND outcome = 'success'`, id); n != 1 {
		t.Fatalf("%d successful update audit rows, want 1", n)
	}
}

// TestConcurrentRegistrations: twenty registrations at once in one unit get numbers 1..20.
func TestConcurrentRegistrations(t *testing.T) {
	e := newEnv(t)
	// The province office has no demo cases, so its counter starts at zero.
	unit := e.units[seed.ProvinceCode("HNI")]
	if n := e.count(`SELECT count(*) FROM cases WHERE unit_id = $1`, unit.ID); n != 0 {
		t.Fatalf("unit already has %d cases", n)
	}
	tk := e.login("hn.vientruong")
	const n = 20
	results := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i] = e.send(req{Method: "POST", Path: v1 + "/cases", Token: tk.AccessToken, Body: e.validCase(unit.ID)})
		}(i)
	}
	close(start)
	wg.Wait()
	seen := map[int]bool{}
	codes := map[string]bool{}
	for i, r := range results {
		if r.Status != http.StatusCreated {
			t.Fatalf("registration %d: %d %s", i, r.Status, r.Body)
		}
		var c caseBody
		r.decode(t, &c)
		seq, err := strconv.Atoi(strings.SplitN(c.Number, "/", 2)[0])
		if err != nil {
			t.Fatalf("number %q", c.Number)
		}
		if seen[seq] || codes[c.Code] {
			t.Fatalf("duplicate number %q or code %q", c.Number, c.Code)
		}
		seen[seq], codes[c.Code] = true, true
	}
	for i := 1; i <= n; i++ {
		if !seen[i] {
			t.Fatalf("number %d missing; got %v", i, seen)
		}
	}
}

// TestInternalErrorsDoNotLeak breaks the schema under the server; the client gets a generic 500
// with a request id and none of the database's words.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	e := newEnv(t)
	tk := e.login("hnkv1.thuky")
	id := e.caseOf(seed.RegionalCode("HNI", 1))
	e.exec(`ALTER TABLE case_parties RENAME TO case_parties_hidden`)
	r := e.get(v1+"/cases/"+id, tk.AccessToken)
	e.exec(`ALTER TABLE case_parties_hidden RENAME TO case_parties`)
	wantError(t, r, http.StatusInternalServerError, "internal")
	if w := contains(string(r.Body), "case_parties", "relation", "SQLSTATE", "pgx", "gorm", "select", "does not exist", ".go:"); w != "" {
		t.Fatalf("internal error leaks %q: %s", w, r.Body)
	}
	if r := e.get(v1+"/cases/"+id, tk.AccessToken); r.Status != http.StatusOK {
		t.Fatalf("after repair: %d %s", r.Status, r.Body)
	}
}
