package web

import (
	"net/http"
	"net/url"
	"strings"

	"kiemsat/domain"
	"kiemsat/service"
)

type loginData struct {
	Next    string
	Expired bool
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if p, _ := s.session(w, r); p != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "login", page{Title: "login.title", Data: loginData{Next: safeNext(q.Get("next")), Expired: q.Get("expired") == "1"}})
}

// loginSubmit logs in with the same use case as POST /api/v1/auth/login (throttles, lockout and
// audit included) and keeps the tokens in cookies. A refused login keeps the username typed.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	next := safeNext(r.PostForm.Get("next"))
	t, err := s.Auth.Login(r.Context(), username, r.PostForm.Get("password"), s.meta(r))
	if err != nil {
		de, ok := domain.AsError(err)
		if !ok || de.Code == domain.CodeInternal {
			s.fail(w, r, err)
			return
		}
		status := http.StatusUnauthorized
		msg := tr(s.lang(r), "login.failed")
		if de.Code == domain.CodeRateLimited || de.Code == domain.CodeAccountLocked {
			status, msg = http.StatusTooManyRequests, de.Message
		}
		form := url.Values{"username": {username}}
		s.render(w, r, status, "login", page{Title: "login.title", Problem: msg, Form: form, Data: loginData{Next: next}})
		return
	}
	s.setSession(w, t)
	if t.MustChangePassword {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout revokes the refresh token's family (as the API's logout does) and clears the cookies.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	if p, _ := s.session(w, r); p != nil {
		if err := s.Auth.Logout(r.Context(), p, cookieValue(r, s.cookies.refresh)); err != nil {
			s.log.Warn("web logout", "request_id", requestID(r), "err", err)
		}
	}
	s.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	s.render(w, r, http.StatusOK, "password", page{Title: "password.title"})
}

// passwordSubmit changes the password; the new tokens replace the session's.
func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	t, err := s.Auth.ChangePassword(r.Context(), p, r.PostForm.Get("current"), r.PostForm.Get("next"), s.meta(r))
	if err != nil {
		fields, msg, status, ok := s.formErrors(w, r, err)
		if !ok {
			return
		}
		s.render(w, r, status, "password", page{Title: "password.title", Errors: fields, Problem: msg})
		return
	}
	s.setSession(w, t)
	http.Redirect(w, r, "/?flash=password", http.StatusSeeOther)
}
