package web

import (
	"net/http"
	"time"
)

// Lang is a language of the UI: Vietnamese by default, English switchable.
type Lang string

// The languages.
const (
	LangVI Lang = "vi"
	LangEN Lang = "en"
)

// lang is the caller's language: the cookie set by the switch, else Vietnamese. The browser's
// Accept-Language is not followed: procuracy staff work in Vietnamese whatever their browser says.
func (s *Server) lang(r *http.Request) Lang {
	if l, ok := r.Context().Value(keyLang).(Lang); ok {
		return l
	}
	if cookieValue(r, s.cookies.lang) == string(LangEN) {
		return LangEN
	}
	return LangVI
}

// switchLang answers the language switch (a small form on every page) and returns to the page.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	l := LangVI
	if r.PostForm.Get("lang") == string(LangEN) {
		l = LangEN
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookies.lang, Value: string(l), Path: "/", Expires: s.Now().Add(365 * 24 * time.Hour),
		HttpOnly: true, Secure: s.cookies.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// tr is the message of a key in a language; a key missing from the catalog shows itself (and a
// test fails on any template using one).
func tr(lang Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == LangEN {
		return m[1]
	}
	return m[0]
}
