package web

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"kiemsat/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// TokenParser verifies an access token (the API's JWT) and returns its claims; the api package's
// JWT implements it, so the browser and the API share one kind of token.
type TokenParser interface {
	Parse(token string) (service.AccessClaims, error)
}

// Deps are what the web UI needs, built by cmd.
type Deps struct {
	Log *slog.Logger
	// Services are the same use cases the API calls.
	*service.Services
	Tokens TokenParser
	// SecureCookies marks the session cookies Secure with the __Host- prefix; on by default in
	// production, off for `make run` on plain http://127.0.0.1.
	SecureCookies bool
	Version       string
	// Now is the clock of the HTTP layer (the services' clock); defaults to time.Now.
	Now func() time.Time
	// TransferTimeout bounds one upload or download, in place of the server's short timeouts.
	TransferTimeout time.Duration
	// TrustedProxies are the only peers whose X-Forwarded-For is believed (addresses or CIDR
	// prefixes, as KIEMSAT_TRUSTED_PROXIES gives the API); none by default.
	TrustedProxies []string
}

// Server is the web UI.
type Server struct {
	Deps
	log     *slog.Logger
	pages   map[Lang]*pageSet
	mux     *http.ServeMux
	static  http.Handler
	cookies cookieNames
	proxies []netip.Prefix
}

// New parses the templates (an error in one fails at start, not on first view) and builds the
// routes.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.TransferTimeout <= 0 {
		d.TransferTimeout = 2 * time.Hour
	}
	if d.Services == nil || d.Auth == nil || d.Tokens == nil {
		return nil, errors.New("web: services and token parser are required")
	}
	s := &Server{Deps: d, log: d.Log, mux: http.NewServeMux(), cookies: newCookieNames(d.SecureCookies)}
	var err error
	if s.proxies, err = parseProxies(d.TrustedProxies); err != nil {
		// As the API does: a bad list trusts no proxy rather than the wrong one.
		d.Log.Error("bad trusted proxies; trusting none", "err", err)
		s.proxies = nil
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	s.routes()
	return s, nil
}

// routes is the route table: public pages first, then the pages of a logged-in user. Every unsafe
// method passes the CSRF check in Handler before it reaches its handler.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /static/", s.cacheStatic(s.static))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.loginSubmit)
	m.HandleFunc("POST /lang", s.switchLang)
	m.HandleFunc("POST /logout", s.logout)
	m.Handle("GET /password", s.user(s.passwordPage, allowDuringPasswordChange))
	m.Handle("POST /password", s.user(s.passwordSubmit, allowDuringPasswordChange))

	m.Handle("GET /{$}", s.user(s.home))
	m.Handle("GET /cases", s.user(s.caseList))
	m.Handle("GET /cases/export", s.user(s.caseExport))
	m.Handle("GET /cases/new", s.user(s.registerPage))
	m.Handle("POST /cases", s.user(s.registerSubmit))
	m.Handle("GET /cases/{id}", s.user(s.casePage))
	m.Handle("POST /cases/{id}/decisions", s.user(s.decisionSubmit))
	m.Handle("POST /cases/{id}/assignments", s.user(s.assignSubmit))
	m.Handle("POST /cases/{id}/approvals/{decision}", s.user(s.approvalSubmit))
	m.Handle("GET /approvals", s.user(s.approvals))
	m.Handle("POST /cases/{id}/files", s.user(s.uploadSubmit))
	m.Handle("POST /cases/{id}/files/{doc}/versions", s.user(s.versionSubmit))
	m.Handle("POST /cases/{id}/files/{doc}/withdraw", s.user(s.withdrawSubmit))
	m.Handle("GET /files/{id}/content", s.user(s.download))
	s.moreRoutes(m)
	s.searchRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) })
}

// Handler is the http.Handler to serve: request ids, logs, panics caught, security headers, and
// the cross-origin and CSRF checks of every unsafe request.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.forbiddenCSRF(w, r)
	}))
	return s.observe(s.secureHeaders(cop.Handler(s.mux)))
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
	keyLang
	keyCSRF
)

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (per-request deadlines of transfers).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id (kept from X-Request-ID when sane), logs it, and turns a panic
// into the error page with the id, never the panic's text.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 64 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), keyRequestID, id))
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web panic", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.errorPage(sw, r, http.StatusInternalServerError, "error.internal")
				}
			}
			s.log.Info("web", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "took", time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(sw, r)
	})
}

// secureHeaders: no framing, no sniffing, a strict content security policy (the pages load only
// their own scripts and styles), no referrer leaving the site, and no caching of pages.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if s.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Assets are embedded in the binary: a new version changes the ?v= of their links.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}

// Routes puts the REST API (under /api/, with the health, readiness and metrics endpoints) and the
// web UI (everything else) behind one listener.
func Routes(apiHandler, webHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		mux.Handle(p, apiHandler)
	}
	mux.Handle("/", webHandler)
	return mux
}
