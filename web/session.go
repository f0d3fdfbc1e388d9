package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// cookieNames are the session cookies. Over HTTPS they carry the __Host- prefix, which the browser
// accepts only when Secure, without Domain, on path /: no subdomain can plant or read them.
type cookieNames struct {
	access, refresh, csrf, lang string
	secure                      bool
}

func newCookieNames(secure bool) cookieNames {
	p := ""
	if secure {
		p = "__Host-"
	}
	return cookieNames{access: p + "ks_at", refresh: p + "ks_rt", csrf: p + "ks_csrf", lang: "ks_lang", secure: secure}
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, expires time.Time, sameSite http.SameSite) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cookies.secure, SameSite: sameSite}
	if value == "" {
		c.MaxAge = -1
	} else if !expires.IsZero() {
		c.Expires = expires
	}
	http.SetCookie(w, c)
}

// setSession keeps the tokens of a login or refresh in cookies. The access token is short-lived;
// the refresh token renews it while the browser is used and dies at logout or expiry.
func (s *Server) setSession(w http.ResponseWriter, t service.Tokens) {
	s.setCookie(w, s.cookies.access, t.AccessToken, t.RefreshExpiresAt, http.SameSiteLaxMode)
	s.setCookie(w, s.cookies.refresh, t.RefreshToken, t.RefreshExpiresAt, http.SameSiteLaxMode)
}

func (s *Server) clearSession(w http.ResponseWriter) {
	s.setCookie(w, s.cookies.access, "", time.Time{}, http.SameSiteLaxMode)
	s.setCookie(w, s.cookies.refresh, "", time.Time{}, http.SameSiteLaxMode)
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) meta(r *http.Request) service.Meta {
	return service.Meta{RequestID: requestID(r), RemoteAddr: clientIP(r, s.proxies), UserAgent: r.UserAgent()}
}

// clientIP is the address the login throttle and the audit log know the caller by: the peer, or,
// when the peer is a trusted proxy, the nearest address in X-Forwarded-For that is not one (as
// the API's gin engine reads it), so that one proxy's address is not everyone's.
func clientIP(r *http.Request, proxies []netip.Prefix) string {
	peer := r.RemoteAddr
	if ap, err := netip.ParseAddrPort(peer); err == nil {
		peer = ap.Addr().Unmap().String()
	}
	trusted := func(ip string) bool {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return false
		}
		for _, p := range proxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	if !trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if _, err := netip.ParseAddr(hop); err != nil {
			return peer
		}
		if !trusted(hop) {
			return hop
		}
	}
	return peer
}

// parseProxies reads the trusted proxies: addresses or CIDR prefixes.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range list {
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("web: trusted proxy %q is neither an address nor a prefix", v)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

type userOption int

const allowDuringPasswordChange userOption = 1

// user wraps a page of a logged-in user: the access token from the cookie is verified like the
// API's bearer token, renewed from the refresh cookie when it has expired, and the caller sent to
// the login page (with where they were going, and why) when neither works. An account that must
// change its password reaches only the password page.
func (s *Server) user(h func(w http.ResponseWriter, r *http.Request, p *service.Principal), opts ...userOption) http.Handler {
	allowChange := len(opts) > 0 && opts[0] == allowDuringPasswordChange
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, expired := s.session(w, r)
		if p == nil {
			s.toLogin(w, r, expired)
			return
		}
		if p.User.MustChangePassword && !allowChange {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)), p)
	})
}

// session returns the caller, or nil and whether a session existed but could not be renewed.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (*service.Principal, bool) {
	at, rt := cookieValue(r, s.cookies.access), cookieValue(r, s.cookies.refresh)
	if at == "" && rt == "" {
		return nil, false
	}
	meta := s.meta(r)
	if at != "" {
		if claims, err := s.Tokens.Parse(at); err == nil {
			p, err := s.Auth.Authenticate(r.Context(), claims, meta)
			if err == nil {
				p.RequestID = meta.RequestID
				return p, false
			}
			s.log.InfoContext(r.Context(), "web session refused", "request_id", meta.RequestID, "err", err)
		}
	}
	if rt == "" {
		s.clearSession(w)
		return nil, true
	}
	t, err := s.Auth.Refresh(r.Context(), rt, meta)
	if err != nil {
		s.log.InfoContext(r.Context(), "web session not renewed", "request_id", meta.RequestID, "err", err)
		s.clearSession(w)
		return nil, true
	}
	s.setSession(w, t)
	claims, err := s.Tokens.Parse(t.AccessToken)
	if err != nil {
		return nil, true
	}
	p, err := s.Auth.Authenticate(r.Context(), claims, meta)
	if err != nil {
		return nil, true
	}
	p.RequestID = meta.RequestID
	return p, false
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request, expired bool) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
	} else if ref := sameSiteReferer(r); ref != "" {
		q.Set("next", ref)
	}
	if expired {
		q.Set("expired", "1")
	}
	target := "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// sameSiteReferer is the path of the page a form was sent from, when it is ours.
func sameSiteReferer(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host {
		return ""
	}
	return safeNext(u.RequestURI())
}

// safeNext keeps a redirect target on this site: a path, never another host or scheme.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || strings.HasPrefix(next, "/login") {
		return "/"
	}
	return next
}

func principalOf(r *http.Request) *service.Principal {
	p, _ := r.Context().Value(keyPrincipal).(*service.Principal)
	return p
}

// csrfToken returns the caller's CSRF token, setting the cookie that holds it on first use. The
// check is the double-submit pattern: a page from this site puts the cookie's value into each
// form; another site can neither read the cookie nor set it (HttpOnly, SameSite=Strict, and
// __Host- over HTTPS), and Go's cross-origin protection refuses cross-site unsafe requests first.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if v, ok := r.Context().Value(keyCSRF).(string); ok {
		return v
	}
	if v := cookieValue(r, s.cookies.csrf); len(v) == 43 {
		return v
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	s.setCookie(w, s.cookies.csrf, v, time.Time{}, http.SameSiteStrictMode)
	return v
}

// checkCSRF compares the submitted token with the cookie in constant time.
func (s *Server) checkCSRF(r *http.Request, submitted string) bool {
	c := cookieValue(r, s.cookies.csrf)
	if len(c) != 43 {
		return false
	}
	if submitted == "" {
		submitted = r.Header.Get("X-CSRF-Token")
	}
	return subtle.ConstantTimeCompare([]byte(c), []byte(submitted)) == 1
}

// form parses a urlencoded form (bounded) and checks its CSRF token; on failure the answer is
// written and ok is false.
func (s *Server) form(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
		return false
	}
	if !s.checkCSRF(r, r.PostForm.Get("csrf")) {
		s.forbiddenCSRF(w, r)
		return false
	}
	return true
}

func (s *Server) forbiddenCSRF(w http.ResponseWriter, r *http.Request) {
	s.log.Warn("web csrf refused", "request_id", requestID(r), "path", r.URL.Path, "origin", r.Header.Get("Origin"))
	s.errorPage(w, r, http.StatusForbidden, "error.csrf")
}

// isChief reports whether a grant of the caller is a chief's or deputy chief's.
func isChief(p *service.Principal) bool {
	return hasRole(p, domain.RoleChief, domain.RoleDeputyChief)
}

func hasRole(p *service.Principal, roles ...domain.Role) bool {
	for _, g := range p.Grants {
		for _, r := range roles {
			if g.Role == r {
				return true
			}
		}
	}
	return false
}
