package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// The administration pages: users and their grants, the unit tree and the legal calendar, over
// the same use cases as the API's /users, /units and /calendar. The services decide who may do
// what and where; the pages only leave out the forms the caller could not use.

// adminAccess is what the caller's grants reach at all, to choose the sections and forms shown.
type adminAccess struct {
	Users, ManageUsers, Grants, Units, Calendar bool
}

// Any reports whether the caller has a part in the administration at all.
func (a adminAccess) Any() bool { return a.Users || a.ManageUsers || a.Grants || a.Units || a.Calendar }

func (s *Server) adminAccess(p *service.Principal) adminAccess {
	has := func(act domain.Action) bool { return !s.Authz.Scope(p, act).Empty() }
	return adminAccess{Users: has(domain.ActUserRead), ManageUsers: has(domain.ActUserManage), Grants: has(domain.ActGrantManage),
		Units: has(domain.ActUnitManage), Calendar: has(domain.ActCalendarManage)}
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
}

// adminFormError answers a refused form: what was typed wrong (or changed meanwhile) comes back
// next to the fields; a refusal of the caller's rights is the 403 (or 404) page.
func (s *Server) adminFormError(w http.ResponseWriter, r *http.Request, err error) (map[string]string, string, int, bool) {
	switch domain.ErrorCodeOf(err) {
	case domain.CodeInvalid, domain.CodeConflict:
		return s.formErrors(w, r, err)
	}
	s.fail(w, r, err)
	return nil, "", 0, false
}

func prefixed(prefix string, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[prefix+k] = v
	}
	return out
}

// activeUnits keeps the active units of a list.
func activeUnits(units []domain.Unit) []domain.Unit {
	var out []domain.Unit
	for _, u := range units {
		if u.Active {
			out = append(out, u)
		}
	}
	return out
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	a := s.adminAccess(p)
	if !a.Any() {
		s.forbidden(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "admin", page{Title: "admin.title", Nav: "admin", Flash: s.flashOf(r), Data: a})
}

// --- users ---

type adminUsersData struct {
	Access adminAccess
	Users  []domain.User
	Units  []domain.Unit
	ByID   map[int64]domain.Unit
	Pager  pager
	Now    time.Time
}

// Locked reports whether a user is locked out now (too many failed logins).
func (d adminUsersData) Locked(u domain.User) bool {
	return u.LockedUntil != nil && u.LockedUntil.After(d.Now)
}

func unitsByID(units []domain.Unit) map[int64]domain.Unit {
	m := make(map[int64]domain.Unit, len(units))
	for _, u := range units {
		m[u.ID] = u
	}
	return m
}

// adminUsers lists the users of the caller's scope, searched by username or name, by unit.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	a := s.adminAccess(p)
	if !a.Users {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	lang := s.lang(r)
	errs := map[string]string{}
	unit, sub := unitQuery(q, errs)
	limit, offset := pageQuery(q)
	for k, v := range errs {
		errs[k] = tr(lang, v)
	}
	text := strings.TrimSpace(q.Get("q"))
	if len([]rune(text)) > 200 {
		errs["q"] = tr(lang, "filter.too_long")
		text = ""
	}
	up, err := s.Admin.Users(r.Context(), p, service.UserFilter{UnitID: unit, IncludeSubunits: sub, Text: text, Limit: limit, Offset: offset})
	if err != nil {
		if domain.ErrorCodeOf(err) != domain.CodeInvalid {
			s.fail(w, r, err)
			return
		}
		fields, _, _, _ := s.formErrors(w, r, err)
		for k, v := range fields {
			errs[k] = v
		}
	}
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := adminUsersData{Access: a, Users: up.Items, Units: treeUnits(units, s.Authz.Scope(p, domain.ActUserRead)), ByID: unitsByID(units), Now: s.Now(),
		Pager: pager{Path: "/admin/users", Query: q, Total: up.Total, Limit: limit, Offset: offset, Shown: len(up.Items)}}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "admin_users", page{Title: "admin.users", Nav: "admin", Flash: s.flashOf(r), Form: q, Errors: errs, Data: d})
}

type adminUserNewData struct {
	Units []domain.Unit
}

func (s *Server) adminUserNewData(r *http.Request, p *service.Principal) (adminUserNewData, error) {
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		return adminUserNewData{}, err
	}
	return adminUserNewData{Units: activeUnits(treeUnits(units, s.Authz.Scope(p, domain.ActUserManage)))}, nil
}

// adminUserNew is the form that creates a user.
func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.adminAccess(p).ManageUsers {
		s.forbidden(w, r)
		return
	}
	d, err := s.adminUserNewData(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"unit_id": {formatInt(p.User.UnitID)}, "must_change_password": {"1"}}
	s.render(w, r, http.StatusOK, "admin_user_new", page{Title: "admin.new_user", Nav: "admin", Form: form, Data: d})
}

// adminUserCreate creates a user through the same use case as POST /api/v1/users: the
// administrator sets an initial password, which the user must change at first login unless the
// box is cleared. A refused form comes back with the messages next to the fields and what was
// typed, the password excepted.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	in := domain.UserInput{Username: f.Get("username"), FullName: f.Get("full_name"), Email: strings.TrimSpace(f.Get("email")),
		Password: f.Get("password"), MustChangePassword: f.Get("must_change_password") == "1"}
	var err error
	if v := f.Get("unit_id"); v != "" {
		if in.UnitID, err = strconv.ParseInt(v, 10, 64); err != nil {
			in.UnitID = 0
		}
	}
	u, err := s.Admin.CreateUser(r.Context(), p, in)
	if err != nil {
		fields, msg, status, ok := s.adminFormError(w, r, err)
		if !ok {
			return
		}
		d, err := s.adminUserNewData(r, p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		kept := url.Values{}
		for k, v := range f {
			if k != "password" && k != "csrf" {
				kept[k] = v
			}
		}
		s.render(w, r, status, "admin_user_new", page{Title: "admin.new_user", Nav: "admin", Form: kept, Errors: fields, Problem: msg, Data: d})
		return
	}
	http.Redirect(w, r, "/admin/users/"+u.ID+"?flash=user_created", http.StatusSeeOther)
}

type adminUserData struct {
	Access     adminAccess
	User       domain.User
	Unit       domain.Unit
	Grants     []domain.Grant
	GrantUnits []domain.Unit
	Roles      []domain.Role
	Self       bool
	Now        time.Time
}

// Locked reports whether the user is locked out now.
func (d adminUserData) Locked() bool {
	return d.User.LockedUntil != nil && d.User.LockedUntil.After(d.Now)
}

func (s *Server) loadAdminUser(w http.ResponseWriter, r *http.Request, p *service.Principal) (*adminUserData, bool) {
	a := s.adminAccess(p)
	if !a.Users {
		s.forbidden(w, r)
		return nil, false
	}
	ctx := r.Context()
	u, err := s.Admin.User(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	grants, err := s.Admin.Grants(ctx, p, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	units, err := s.Admin.Units(ctx)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	slices.SortStableFunc(grants, func(a, b domain.Grant) int { return comparePaths(a.UnitPath, b.UnitPath) })
	return &adminUserData{Access: a, User: u, Unit: unitsByID(units)[u.UnitID], Grants: grants, Roles: domain.Roles, Self: u.ID == p.User.ID,
		GrantUnits: activeUnits(treeUnits(units, s.Authz.Scope(p, domain.ActGrantManage))), Now: s.Now()}, true
}

// adminUser is a user's page: who they are, their grants, and the forms to grant and revoke
// roles and to deactivate or reactivate the account.
func (s *Server) adminUser(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	d, ok := s.loadAdminUser(w, r, p)
	if !ok {
		return
	}
	form := url.Values{"unit_id": {formatInt(d.User.UnitID)}}
	s.render(w, r, http.StatusOK, "admin_user", page{Title: "admin.user", Nav: "admin", Flash: s.flashOf(r), Form: form, Data: d})
}

// adminUserFormError shows the user's page again with a refused form's messages, prefixed by the
// form's name, and the values typed.
func (s *Server) adminUserFormError(w http.ResponseWriter, r *http.Request, p *service.Principal, form string, err error) {
	fields, msg, status, ok := s.adminFormError(w, r, err)
	if !ok {
		return
	}
	d, ok := s.loadAdminUser(w, r, p)
	if !ok {
		return
	}
	s.render(w, r, status, "admin_user", page{Title: "admin.user", Nav: "admin", Form: r.PostForm, Errors: prefixed(form+".", fields), Problem: msg, Data: d})
}

// adminGrantAdd gives the user a role at a unit, as POST /api/v1/users/{id}/grants.
func (s *Server) adminGrantAdd(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	unitID, _ := strconv.ParseInt(f.Get("unit_id"), 10, 64)
	id := r.PathValue("id")
	if _, err := s.Admin.AddGrant(r.Context(), p, id, domain.Role(f.Get("role")), unitID); err != nil {
		s.adminUserFormError(w, r, p, "grant", err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(id)+"?flash=grant_added#grants", http.StatusSeeOther)
}

// adminGrantRevoke removes a grant, as DELETE /api/v1/users/{id}/grants/{grantId}.
func (s *Server) adminGrantRevoke(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := s.Admin.RevokeGrant(r.Context(), p, id, r.PathValue("grant")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(id)+"?flash=grant_revoked#grants", http.StatusSeeOther)
}

// adminUserActive deactivates (ending every session) or reactivates an account, as
// PATCH /api/v1/users/{id} with active.
func (s *Server) adminUserActive(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	version, _ := strconv.Atoi(f.Get("version"))
	active := f.Get("active") == "true"
	id := r.PathValue("id")
	if _, err := s.Admin.UpdateUser(r.Context(), p, id, domain.UserPatch{Version: version, Active: &active}); err != nil {
		s.adminUserFormError(w, r, p, "active", err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(id)+"?flash=user_updated", http.StatusSeeOther)
}

// --- units ---

type adminUnitsData struct {
	Access  adminAccess
	Units   []domain.Unit
	Parents []domain.Unit
	Levels  []domain.UnitLevel
	// Manage are the units the caller may edit, by id.
	Manage map[int64]bool
}

// Depth is a unit's depth in the tree from 1, for the indentation (capped).
func (adminUnitsData) Depth(u domain.Unit) int { return min(u.Path.Depth(), 6) }

func (s *Server) adminUnitsData(r *http.Request, p *service.Principal) (adminUnitsData, error) {
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		return adminUnitsData{}, err
	}
	all := append([]domain.Unit(nil), units...)
	slices.SortStableFunc(all, func(a, b domain.Unit) int { return comparePaths(a.Path, b.Path) })
	scope := s.Authz.Scope(p, domain.ActUnitManage)
	manage := map[int64]bool{}
	for _, u := range all {
		if scope.PermitsUnit(u.ID, u.Path) {
			manage[u.ID] = true
		}
	}
	return adminUnitsData{Access: s.adminAccess(p), Units: all, Parents: activeUnits(treeUnits(units, scope)), Levels: domain.UnitLevels, Manage: manage}, nil
}

// adminUnits is the unit tree, with the form that creates a unit for those who manage units.
func (s *Server) adminUnits(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.adminAccess(p).Any() {
		s.forbidden(w, r)
		return
	}
	d, err := s.adminUnitsData(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"level": {string(domain.LevelRegional)}, "parent_id": {formatInt(p.User.UnitID)}}
	s.render(w, r, http.StatusOK, "admin_units", page{Title: "admin.units", Nav: "admin", Flash: s.flashOf(r), Form: form, Data: d})
}

// adminUnitCreate adds a unit, as POST /api/v1/units.
func (s *Server) adminUnitCreate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	in := domain.UnitInput{Code: f.Get("code"), Name: f.Get("name"), NameEN: strings.TrimSpace(f.Get("name_en")), Level: domain.UnitLevel(f.Get("level"))}
	if v := f.Get("parent_id"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.ParentID = &id
		}
	}
	u, err := s.Admin.CreateUnit(r.Context(), p, in)
	if err != nil {
		fields, msg, status, ok := s.adminFormError(w, r, err)
		if !ok {
			return
		}
		d, err := s.adminUnitsData(r, p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "admin_units", page{Title: "admin.units", Nav: "admin", Form: f, Errors: fields, Problem: msg, Data: d})
		return
	}
	http.Redirect(w, r, "/admin/units/"+formatInt(u.ID)+"?flash=unit_created", http.StatusSeeOther)
}

type adminUnitData struct {
	Unit    domain.Unit
	Parent  *domain.Unit
	CanEdit bool
}

func (s *Server) loadAdminUnit(w http.ResponseWriter, r *http.Request, p *service.Principal) (*adminUnitData, bool) {
	if !s.adminAccess(p).Any() {
		s.forbidden(w, r)
		return nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return nil, false
	}
	u, err := s.Admin.Unit(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	d := &adminUnitData{Unit: u, CanEdit: s.Authz.Scope(p, domain.ActUnitManage).PermitsUnit(u.ID, u.Path)}
	if u.ParentID != nil {
		if parent, err := s.Admin.Unit(r.Context(), *u.ParentID); err == nil {
			d.Parent = &parent
		}
	}
	return d, true
}

// adminUnit is a unit's page, with the form that renames it.
func (s *Server) adminUnit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	d, ok := s.loadAdminUnit(w, r, p)
	if !ok {
		return
	}
	form := url.Values{"name": {d.Unit.Name}, "name_en": {d.Unit.NameEN}, "version": {strconv.Itoa(d.Unit.Version)}}
	s.render(w, r, http.StatusOK, "admin_unit", page{Title: "admin.edit_unit", Nav: "admin", Flash: s.flashOf(r), Form: form, Data: d})
}

// adminUnitUpdate renames a unit, as PATCH /api/v1/units/{id} with name and name_en.
func (s *Server) adminUnitUpdate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	version, _ := strconv.Atoi(f.Get("version"))
	name, nameEN := strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("name_en"))
	if _, err := s.Admin.UpdateUnit(r.Context(), p, id, domain.UnitPatch{Version: version, Name: &name, NameEN: &nameEN}); err != nil {
		fields, msg, status, ok := s.adminFormError(w, r, err)
		if !ok {
			return
		}
		d, ok := s.loadAdminUnit(w, r, p)
		if !ok {
			return
		}
		s.render(w, r, status, "admin_unit", page{Title: "admin.edit_unit", Nav: "admin", Form: f, Errors: fields, Problem: msg, Data: d})
		return
	}
	http.Redirect(w, r, "/admin/units/"+formatInt(id)+"?flash=unit_updated", http.StatusSeeOther)
}

// --- the legal calendar ---

type calendarRow struct {
	Day     domain.CalendarDay
	Off     bool
	Weekday int
	ISO     string
}

type adminCalendarData struct {
	Access adminAccess
	Year   int
	Years  []int
	Days   []calendarRow
	Kinds  []domain.DayKind
}

// calendarData lists a year's entries, each with whether the calendar counts it as a day off.
func (s *Server) calendarData(r *http.Request, p *service.Principal, year int) (adminCalendarData, error) {
	d := adminCalendarData{Access: s.adminAccess(p), Year: year, Kinds: domain.DayKinds}
	now := s.Now().In(domain.ICT).Year()
	for y := now + 1; y >= now-3; y-- {
		d.Years = append(d.Years, y)
	}
	days, err := s.Calendar.Days(r.Context(), p, year)
	if err != nil {
		return d, err
	}
	cal := s.Calendar.Over(days)
	for _, day := range days {
		local := day.Date.In(domain.ICT)
		d.Days = append(d.Days, calendarRow{Day: day, Off: cal.IsDayOff(day.Date), Weekday: int(local.Weekday()), ISO: local.Format(time.DateOnly)})
	}
	return d, nil
}

// adminCalendar is a year of the legal calendar; a system administrator adds, changes and
// deletes its days (?date= fills the form with a listed day to change it).
func (s *Server) adminCalendar(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.adminAccess(p).Any() {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	year := s.Now().In(domain.ICT).Year()
	errs := map[string]string{}
	if v := q.Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs["year"] = tr(s.lang(r), "admin.bad_year")
		} else {
			year = n
		}
	}
	d, err := s.calendarData(r, p, year)
	if err != nil {
		if domain.ErrorCodeOf(err) != domain.CodeInvalid {
			s.fail(w, r, err)
			return
		}
		fields, _, _, _ := s.formErrors(w, r, err)
		for k, v := range fields {
			errs[k] = v
		}
	}
	form := url.Values{"year": {strconv.Itoa(year)}, "kind": {string(domain.DayStatutory)}, "confirmed": {"1"}}
	if v := q.Get("year"); v != "" {
		form.Set("year", v)
	}
	if date := q.Get("date"); date != "" {
		for _, row := range d.Days {
			if row.ISO == date {
				form.Set("date", row.ISO)
				form.Set("name_vi", row.Day.NameVI)
				form.Set("name_en", row.Day.NameEN)
				form.Set("kind", string(row.Day.Kind))
				form.Set("source", row.Day.Source)
				if !row.Day.Confirmed {
					form.Del("confirmed")
				}
			}
		}
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "admin_calendar", page{Title: "admin.calendar", Nav: "admin", Flash: s.flashOf(r), Form: form, Errors: errs, Data: d})
}

// adminCalendarPut writes a day, as PUT /api/v1/calendar/{date}: the time limits counted across
// it are recomputed in the same transaction.
func (s *Server) adminCalendarPut(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	var v domain.Validation
	date := formDate(&v, f, "date")
	if strings.TrimSpace(f.Get("date")) == "" {
		v.Add("date", "required", tr(s.lang(r), "admin.date_required"))
	}
	err := v.Err()
	if err == nil {
		_, _, err = s.Calendar.Put(r.Context(), p, domain.CalendarDay{Date: date, NameVI: f.Get("name_vi"), NameEN: f.Get("name_en"),
			Kind: domain.DayKind(f.Get("kind")), Source: f.Get("source"), Confirmed: f.Get("confirmed") == "1"})
	}
	if err != nil {
		fields, msg, status, ok := s.adminFormError(w, r, err)
		if !ok {
			return
		}
		year := s.Now().In(domain.ICT).Year()
		if n, err := strconv.Atoi(f.Get("year")); err == nil {
			year = n
		}
		if !date.IsZero() {
			year = date.Year()
		}
		d, err := s.calendarData(r, p, year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "admin_calendar", page{Title: "admin.calendar", Nav: "admin", Form: f, Errors: fields, Problem: msg, Data: d})
		return
	}
	http.Redirect(w, r, "/admin/calendar?year="+strconv.Itoa(date.Year())+"&flash=day_saved", http.StatusSeeOther)
}

// adminCalendarDelete removes a day, as DELETE /api/v1/calendar/{date}.
func (s *Server) adminCalendarDelete(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	date, err := time.ParseInLocation(time.DateOnly, r.PathValue("date"), domain.ICT)
	if err != nil {
		s.notFound(w, r)
		return
	}
	if err := s.Calendar.Delete(r.Context(), p, date); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/calendar?year="+strconv.Itoa(date.Year())+"&flash=day_deleted", http.StatusSeeOther)
}
