package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// pageSet is every page's template for one language: the layout plus the page, with t bound to
// the language, so templates say {{t "key"}} and never branch on the language.
type pageSet struct {
	lang  Lang
	pages map[string]*template.Template
}

func parsePages() (map[Lang]*pageSet, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[Lang]*pageSet{}
	for _, lang := range []Lang{LangVI, LangEN} {
		ps := &pageSet{lang: lang, pages: map[string]*template.Template{}}
		for _, n := range names {
			base := path.Base(n)
			if base == "layout.html" || strings.HasPrefix(base, "_") {
				continue
			}
			t := template.New("layout.html").Funcs(funcs(lang))
			files := []string{"templates/layout.html", n}
			partials, _ := fs.Glob(templateFS, "templates/_*.html")
			files = append(files, partials...)
			if _, err := t.ParseFS(templateFS, files...); err != nil {
				return nil, fmt.Errorf("web template %s: %w", base, err)
			}
			ps.pages[strings.TrimSuffix(base, ".html")] = t
		}
		out[lang] = ps
	}
	return out, nil
}

// page is what every template receives.
type page struct {
	Title string
	Lang  Lang
	// URI is the page's path and query, where the language switch returns to.
	URI  string
	User *service.Principal
	// Can says which parts of the menu the caller may use (the services still decide each act).
	Can     menu
	CSRF    string
	Nav     string
	Path    string
	Flash   string
	Version string
	// Errors are the field errors of a refused form, by field name; Form the values typed.
	Errors map[string]string
	Form   url.Values
	// Problem is the message of a refused form that names no field.
	Problem string
	Data    any
}

// menu is what the top bar offers a user: an entry whose use case would refuse them all is hidden.
type menu struct {
	Register, Dashboard, Admin, Approvals bool
}

func (s *Server) menuOf(p *service.Principal) menu {
	has := func(act domain.Action) bool { return !s.Cases.Scope(p, act).Empty() }
	return menu{
		Register:  has(domain.ActCaseCreate),
		Dashboard: isChief(p) || hasRole(p, domain.RoleAuditor),
		Admin:     has(domain.ActUserRead) || has(domain.ActUnitManage) || has(domain.ActCalendarManage),
		Approvals: has(domain.ActCaseApprove),
	}
}

// Err is the error of a field, for templates.
func (p page) Err(field string) string { return p.Errors[field] }

// Val is the value typed in a field, for templates.
func (p page) Val(field string) string { return p.Form.Get(field) }

// Has reports whether a multi-valued field holds v (checkboxes).
func (p page) Has(field, v string) bool {
	for _, x := range p.Form[field] {
		if x == v {
			return true
		}
	}
	return false
}

// render writes a page; the template runs into a buffer first, so a failing template gives the
// error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	lang := s.lang(r)
	pg.Lang = lang
	pg.Version = s.Version
	pg.Path = r.URL.Path
	pg.URI = r.URL.RequestURI()
	if pg.User == nil {
		pg.User = principalOf(r)
	}
	if pg.User != nil {
		pg.Can = s.menuOf(pg.User)
	}
	pg.CSRF = s.csrfToken(w, r)
	if pg.Title != "" {
		pg.Title = tr(lang, pg.Title)
	}
	t := s.pages[lang].pages[name]
	if t == nil {
		s.log.Error("web: no template", "name", name, "request_id", requestID(r))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		s.log.Error("web template", "name", name, "request_id", requestID(r), "err", err)
		if name != "error" {
			s.errorPage(w, r, http.StatusInternalServerError, "error.internal")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type errorData struct {
	Status    int
	Message   string
	RequestID string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := s.lang(r)
	s.render(w, r, status, "error", page{Title: "error.title", Data: errorData{Status: status, Message: tr(lang, key), RequestID: requestID(r)}})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "error.not_found")
}

// fail answers a service error on a page that is not a form: not found and forbidden get their
// pages, an internal error is logged with the request id and never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch domain.ErrorCodeOf(err) {
	case domain.CodeNotFound:
		s.notFound(w, r)
	case domain.CodeForbidden:
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
	case domain.CodeUnauthenticated:
		s.toLogin(w, r, true)
	case domain.CodeInvalid:
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
	case domain.CodeConflict:
		s.errorPage(w, r, http.StatusConflict, "error.conflict")
	default:
		s.log.Error("web internal error", "request_id", requestID(r), "path", r.URL.Path, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "error.internal")
	}
}

// formErrors turns a refused use case into the messages shown next to the fields. ok is false
// for an error that is not the user's to fix (it was answered already).
func (s *Server) formErrors(w http.ResponseWriter, r *http.Request, err error) (map[string]string, string, int, bool) {
	de, isDomain := domain.AsError(err)
	if !isDomain {
		s.fail(w, r, err)
		return nil, "", 0, false
	}
	status := http.StatusUnprocessableEntity
	message := upperFirst(de.Message)
	switch de.Code {
	case domain.CodeInvalid:
		if len(de.Details) > 0 {
			message = tr(s.lang(r), "form.invalid")
		}
	case domain.CodeConflict:
		status = http.StatusConflict
	case domain.CodeForbidden:
		status = http.StatusForbidden
	default:
		s.fail(w, r, err)
		return nil, "", 0, false
	}
	fields := map[string]string{}
	for _, d := range de.Details {
		if d.Field == "" {
			continue
		}
		msg := d.Message
		if msg == "" {
			msg = de.Message
		}
		if d.Article != "" && !strings.Contains(msg, d.Article) {
			msg += " (" + d.Article + ")"
		}
		if _, dup := fields[d.Field]; !dup {
			fields[d.Field] = upperFirst(msg)
		}
	}
	return fields, message, status, true
}

func funcs(lang Lang) template.FuncMap {
	name := func(n workflow.Name, ok bool, fallback string) string {
		if !ok {
			return fallback
		}
		if lang == LangEN && n.EN != "" {
			return upperFirst(n.EN)
		}
		return upperFirst(n.VI)
	}
	return template.FuncMap{
		"t": func(key string, args ...any) string {
			msg := tr(lang, key)
			if len(args) > 0 {
				return fmt.Sprintf(msg, args...)
			}
			return msg
		},
		"date":     formatDate,
		"datetime": formatDateTime,
		"dateISO": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(domain.ICT).Format("2006-01-02")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.In(domain.ICT).Format("2006-01-02")
			}
			return ""
		},
		"stage": func(st domain.Stage) string { n, ok := workflow.StageNames[st]; return name(n, ok, string(st)) },
		"role":  func(r domain.Role) string { n, ok := workflow.RoleNames[r]; return name(n, ok, string(r)) },
		"level": func(l domain.UnitLevel) string { n, ok := workflow.LevelNames[l]; return name(n, ok, string(l)) },
		"issuer": func(i domain.IssuerBody) string {
			n, ok := workflow.IssuerNames[i]
			return name(n, ok, string(i))
		},
		"accusedStatus": func(a domain.AccusedStatus) string {
			n, ok := workflow.AccusedStatusNames[a]
			return name(n, ok, string(a))
		},
		"measureStatus": func(m domain.MeasureStatus) string {
			n, ok := workflow.MeasureStatusNames[m]
			return name(n, ok, string(m))
		},
		"doc": func(d domain.DocType) string {
			n, ok := workflow.DocNames[d]
			if !ok {
				return string(d)
			}
			if lang == LangEN && n.EN != "" {
				return n.EN
			}
			return n.VI
		},
		"class": func(c domain.SeverityClass) string { return tr(lang, "class."+string(c)) },
		"step": func(t workflow.Transition) string {
			if lang == LangEN && t.NameEN != "" {
				return t.NameEN
			}
			return t.NameVI
		},
		"clockName": func(vi, en string) string {
			if lang == LangEN && en != "" {
				return en
			}
			return vi
		},
		"num": func(n any) string { return groupDigits(fmt.Sprint(n), lang) },
		"add": func(a, b int) int { return a + b },
		"query": func(base url.Values, kv ...string) string {
			q := url.Values{}
			for k, v := range base {
				q[k] = append([]string(nil), v...)
			}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					q.Del(kv[i])
				} else {
					q.Set(kv[i], kv[i+1])
				}
			}
			q.Del("cursor")
			return q.Encode()
		},
		"abs": func(n int) int {
			if n < 0 {
				return -n
			}
			return n
		},
		"itoa": strconv.Itoa,
		"pct":  func(f float64) float64 { return f * 100 },
	}
}

// formatDate writes a date as dd/mm/yyyy in Vietnam's time.
func formatDate(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(domain.ICT).Format("02/01/2006")
	case *time.Time:
		if v == nil || v.IsZero() {
			return ""
		}
		return v.In(domain.ICT).Format("02/01/2006")
	}
	return ""
}

// formatDateTime writes a moment as dd/mm/yyyy hh:mm in Vietnam's time.
func formatDateTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(domain.ICT).Format("02/01/2006 15:04")
	case *time.Time:
		if v == nil || v.IsZero() {
			return ""
		}
		return v.In(domain.ICT).Format("02/01/2006 15:04")
	}
	return ""
}

// groupDigits writes 1234567 as 1.234.567 in Vietnamese and 1,234,567 in English.
func groupDigits(s string, lang Lang) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= 3 || strings.ContainsAny(s, ".e") {
		if neg {
			return "-" + s
		}
		return s
	}
	sep := "."
	if lang == LangEN {
		sep = ","
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// upperFirst capitalises the first letter (the law's names are lower case inside sentences).
func upperFirst(s string) string {
	for i, r := range s {
		if i == 0 {
			return strings.ToUpper(string(r)) + s[len(string(r)):]
		}
	}
	return s
}

// filterRefused merges into errs the messages of a list's filters the use case refused (shown
// next to each filter) and reports true; any other error is answered with the error page, and
// false is reported.
func (s *Server) filterRefused(w http.ResponseWriter, r *http.Request, err error, errs map[string]string) bool {
	if domain.ErrorCodeOf(err) != domain.CodeInvalid {
		s.fail(w, r, err)
		return false
	}
	fields, _, _, _ := s.formErrors(w, r, err)
	for k, v := range fields {
		errs[k] = v
	}
	return true
}
