package e2e_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"kiemsat/service/seed"
)

// Service accounts: another agency's system takes a token with its client id and secret (client
// credentials) and acts as its service user, bound to that user's unit and narrowed to its scopes;
// a wrong secret or a revoked client gets nothing.
func TestServiceClients(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret, err := e.svc.Auth.CreateClient(ctx, "congan-hn", "svc.congan.hn", []string{"case.read"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Auth.CreateClient(ctx, "Bad Id", "svc.congan.hn", []string{"case.read"}); err == nil {
		t.Fatal("a malformed client id was accepted")
	}
	if _, err := e.svc.Auth.CreateClient(ctx, "congan-admin", "svc.congan.hn", []string{"user.manage"}); err == nil {
		t.Fatal("an administrative scope was given to a client")
	}
	token := func(body any, header map[string]string) response {
		return e.send(req{Method: "POST", Path: v1 + "/auth/token", Body: body, Header: header})
	}
	r := token(map[string]string{"grant_type": "client_credentials", "client_id": "congan-hn", "client_secret": secret}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	r.decode(t, &tok)
	if tok.TokenType != "Bearer" || tok.Scope != "case.read" || tok.ExpiresIn <= 0 || tok.ExpiresIn > 3600 {
		t.Fatalf("token answer: %+v", tok)
	}
	// The same as an OAuth 2.0 form with HTTP Basic.
	form := url.Values{"grant_type": {"client_credentials"}}
	r = e.send(req{Method: "POST", Path: v1 + "/auth/token", Body: raw(form.Encode()), Header: map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic " + basic("congan-hn", secret)}})
	if r.Status != http.StatusOK {
		t.Fatalf("form token: %d %s", r.Status, r.Body)
	}

	// It reads what its user may read: the Hà Nội subtree, not Hồ Chí Minh City.
	hn := e.readable(t, e.login("svc.congan.hn").AccessToken)
	got := e.readable(t, tok.AccessToken)
	if len(got) == 0 || len(got) != len(hn) {
		t.Fatalf("the client reads %d cases, its user %d", len(got), len(hn))
	}
	hcm := e.send(req{Method: "POST", Path: v1 + "/cases", Token: e.login("hcmkv1.thuky").AccessToken, Body: e.validCase(e.units[seed.RegionalCode("HCM", 1)].ID)})
	var hcmCase struct {
		ID string `json:"id"`
	}
	hcm.decode(t, &hcmCase)
	wantError(t, e.get(v1+"/cases/"+hcmCase.ID, tok.AccessToken), http.StatusNotFound, "not_found")
	// Its scopes are all it may do: registering a case (its user may) is refused, and so is any
	// change through a route open to every user.
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/cases", Token: tok.AccessToken, Body: e.validCase(e.units[seed.ProvinceCode("HNI")].ID)}),
		http.StatusForbidden, "forbidden", "scope", "insufficient_scope")
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/auth/password", Token: tok.AccessToken,
		Body: map[string]string{"current_password": demoPassword, "new_password": "Mat-khau-moi-rat-dai-2026"}}),
		http.StatusForbidden, "forbidden", "scope", "insufficient_scope")
	if r := e.get(v1+"/units", tok.AccessToken); r.Status != http.StatusOK {
		t.Errorf("reference data for a client: %d", r.Status)
	}
	// The user's own login still registers cases: the narrowing is the token's.
	if r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: e.login("svc.congan.hn").AccessToken, Body: e.validCase(e.units[seed.ProvinceCode("HNI")].ID)}); r.Status != http.StatusCreated {
		t.Fatalf("the service user itself: %d %s", r.Status, r.Body)
	}

	// Bad credentials and grants.
	wantError(t, token(map[string]string{"grant_type": "client_credentials", "client_id": "congan-hn", "client_secret": "wrong"}, nil),
		http.StatusUnauthorized, "unauthenticated")
	wantError(t, token(map[string]string{"grant_type": "client_credentials", "client_id": "nobody", "client_secret": secret}, nil),
		http.StatusUnauthorized, "unauthenticated")
	wantDetail(t, token(map[string]string{"grant_type": "password", "client_id": "congan-hn", "client_secret": secret}, nil),
		http.StatusUnprocessableEntity, "invalid", "grant_type", "enum")
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.client_token' AND outcome = 'denied'`); n < 2 {
		t.Errorf("%d refused client tokens audited", n)
	}

	// Revoked: its token stops at once, and no new one is issued.
	if err := e.store.RevokeClient(ctx, "congan-hn", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.get(v1+"/cases", tok.AccessToken), http.StatusUnauthorized, "unauthenticated")
	wantError(t, token(map[string]string{"grant_type": "client_credentials", "client_id": "congan-hn", "client_secret": secret}, nil),
		http.StatusUnauthorized, "unauthenticated")
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
