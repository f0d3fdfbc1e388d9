package api

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// query helpers: a malformed parameter is a 400 naming the parameter.

func queryInt64(c *gin.Context, name string) (*int64, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return nil, badRequest("tham số "+name+" phải là số nguyên dương", name)
	}
	return &v, nil
}

func queryInt(c *gin.Context, name string, def int) (int, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, badRequest("tham số "+name+" phải là số nguyên không âm", name)
	}
	return v, nil
}

// queryPage reads limit (default domain.DefaultPageSize) and offset (default 0).
func queryPage(c *gin.Context) (limit, offset int, err error) {
	if limit, err = queryInt(c, "limit", domain.DefaultPageSize); err != nil {
		return 0, 0, err
	}
	offset, err = queryInt(c, "offset", 0)
	return limit, offset, err
}

func queryBool(c *gin.Context, name string, def bool) (bool, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("tham số "+name+" phải là true hoặc false", name)
	}
	return v, nil
}

// queryTime accepts RFC 3339 or a date (YYYY-MM-DD, read in Vietnam time).
func queryTime(c *gin.Context, name string) (*time.Time, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, service.VietnamTime); err == nil {
		return &t, nil
	}
	return nil, badRequest("tham số "+name+" phải là ngày YYYY-MM-DD hoặc thời điểm RFC 3339", name)
}

func pathInt64(c *gin.Context, name string) (int64, error) {
	v, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.NotFound("đơn vị")
	}
	return v, nil
}

func (s *Server) fail(c *gin.Context, err error) { writeError(c, s.log, err) }

// --- auth ---

type loginJSON struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	var in loginJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.auth.Login(c.Request.Context(), strings.TrimSpace(in.Username), in.Password, s.meta(c))
	if err != nil {
		c.Set("kiemsat.audited", true)
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toTokensJSON(t, s.Now()))
}

type refreshJSON struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) refresh(c *gin.Context) {
	var in refreshJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.auth.Refresh(c.Request.Context(), in.RefreshToken, s.meta(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toTokensJSON(t, s.Now()))
}

func (s *Server) logout(c *gin.Context) {
	var in refreshJSON
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := s.auth.Logout(c.Request.Context(), principal(c), in.RefreshToken); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type changePasswordJSON struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(c *gin.Context) {
	var in changePasswordJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.auth.ChangePassword(c.Request.Context(), principal(c), in.CurrentPassword, in.NewPassword, s.meta(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toTokensJSON(t, s.Now()))
}

type scopeEntryJSON struct {
	Role     string `json:"role"`
	UnitID   int64  `json:"unit_id"`
	Subtree  bool   `json:"subtree"`
	Assigned bool   `json:"assigned_only,omitempty"`
	Secret   bool   `json:"secret_cases_of_unit,omitempty"`
}

func (s *Server) me(c *gin.Context) {
	p := principal(c)
	grants := make([]grantJSON, len(p.Grants))
	for i, g := range p.Grants {
		grants[i] = toGrantJSON(g)
	}
	scope := map[string][]scopeEntryJSON{}
	for _, act := range domain.Actions {
		entries := []scopeEntryJSON{}
		for _, e := range s.Cases.Scope(p, act).Entries {
			entries = append(entries, scopeEntryJSON{Role: string(e.Role), UnitID: e.UnitID, Subtree: e.Subtree, Assigned: e.Cond == domain.CondAssigned, Secret: e.SecretUnit})
		}
		if len(entries) > 0 {
			scope[string(act)] = entries
		}
	}
	roles := []string{}
	seen := map[domain.Role]bool{}
	for _, g := range p.Grants {
		if !seen[g.Role] {
			seen[g.Role] = true
			roles = append(roles, string(g.Role))
		}
	}
	c.JSON(http.StatusOK, gin.H{"user": toUserJSON(p.User, s.Now()), "unit": toUnitJSON(p.Unit), "roles": roles, "grants": grants, "scope": scope})
}

// --- units ---

func (s *Server) listUnits(c *gin.Context) {
	units, err := s.Admin.Units(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]unitJSON, len(units))
	for i, u := range units {
		items[i] = toUnitJSON(u)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

func (s *Server) getUnit(c *gin.Context) {
	id, err := pathInt64(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.Admin.Unit(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUnitJSON(u))
}

type createUnitJSON struct {
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	NameEN        string  `json:"name_en"`
	Level         string  `json:"level"`
	ParentID      *int64  `json:"parent_id"`
	EffectiveFrom *string `json:"effective_from"`
}

func (s *Server) createUnit(c *gin.Context) {
	var in createUnitJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	ui := domain.UnitInput{Code: in.Code, Name: in.Name, NameEN: in.NameEN, Level: domain.UnitLevel(in.Level), ParentID: in.ParentID}
	if in.EffectiveFrom != nil {
		t, err := time.Parse(time.DateOnly, *in.EffectiveFrom)
		if err != nil {
			s.fail(c, domain.Invalid("effective_from", "format", "ngày hiệu lực theo dạng YYYY-MM-DD"))
			return
		}
		ui.EffectiveFrom = &t
	}
	u, err := s.Admin.CreateUnit(c.Request.Context(), principal(c), ui)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/units/"+strconv.FormatInt(u.ID, 10))
	c.JSON(http.StatusCreated, toUnitJSON(u))
}

type patchUnitJSON struct {
	Version     int     `json:"version"`
	Name        *string `json:"name"`
	NameEN      *string `json:"name_en"`
	Active      *bool   `json:"active"`
	ParentID    *int64  `json:"parent_id"`
	EffectiveTo *string `json:"effective_to"`
}

func (s *Server) updateUnit(c *gin.Context) {
	id, err := pathInt64(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in patchUnitJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	p := domain.UnitPatch{Version: in.Version, Name: in.Name, NameEN: in.NameEN, Active: in.Active, ParentID: in.ParentID}
	if in.EffectiveTo != nil {
		t, err := time.Parse(time.DateOnly, *in.EffectiveTo)
		if err != nil {
			s.fail(c, domain.Invalid("effective_to", "format", "ngày hết hiệu lực theo dạng YYYY-MM-DD"))
			return
		}
		p.EffectiveTo = &t
	}
	u, err := s.Admin.UpdateUnit(c.Request.Context(), principal(c), id, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUnitJSON(u))
}

// --- users and grants ---

// unitPage reads the unit and page parameters of the offset-paged lists: unit_id,
// include_subunits, limit and offset.
func unitPage(c *gin.Context, subunitsByDefault bool) (unitID *int64, subunits bool, limit, offset int, err error) {
	if unitID, err = queryInt64(c, "unit_id"); err != nil {
		return
	}
	if subunits, err = queryBool(c, "include_subunits", subunitsByDefault); err != nil {
		return
	}
	if limit, err = queryInt(c, "limit", domain.DefaultPageSize); err != nil {
		return
	}
	offset, err = queryInt(c, "offset", 0)
	return
}

func (s *Server) listUsers(c *gin.Context) {
	var f service.UserFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Limit, f.Offset, err = unitPage(c, false); err != nil {
		s.fail(c, err)
		return
	}
	f.Text = c.Query("q")
	page, err := s.Admin.Users(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]userJSON, len(page.Items))
	for i, u := range page.Items {
		items[i] = toUserJSON(u, s.Now())
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": page.Total})
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.Admin.User(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(u, s.Now()))
}

type createUserJSON struct {
	Username           string `json:"username"`
	FullName           string `json:"full_name"`
	Email              string `json:"email"`
	UnitID             int64  `json:"unit_id"`
	Password           string `json:"password"`
	MustChangePassword *bool  `json:"must_change_password"`
}

func (s *Server) createUser(c *gin.Context) {
	var in createUserJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	must := true // an administrator chose this password; the user should replace it
	if in.MustChangePassword != nil {
		must = *in.MustChangePassword
	}
	u, err := s.Admin.CreateUser(c.Request.Context(), principal(c), domain.UserInput{Username: in.Username, FullName: in.FullName, Email: in.Email,
		UnitID: in.UnitID, Password: in.Password, MustChangePassword: must})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/users/"+u.ID)
	c.JSON(http.StatusCreated, toUserJSON(u, s.Now()))
}

type patchUserJSON struct {
	Version  int     `json:"version"`
	FullName *string `json:"full_name"`
	Email    *string `json:"email"`
	Active   *bool   `json:"active"`
	UnitID   *int64  `json:"unit_id"`
}

func (s *Server) updateUser(c *gin.Context) {
	var in patchUserJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.Admin.UpdateUser(c.Request.Context(), principal(c), c.Param("id"), domain.UserPatch{Version: in.Version, FullName: in.FullName,
		Email: in.Email, Active: in.Active, UnitID: in.UnitID})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(u, s.Now()))
}

func (s *Server) listGrants(c *gin.Context) {
	gs, err := s.Admin.Grants(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]grantJSON, len(gs))
	for i, g := range gs {
		items[i] = toGrantJSON(g)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

type addGrantJSON struct {
	Role   string `json:"role"`
	UnitID int64  `json:"unit_id"`
}

func (s *Server) addGrant(c *gin.Context) {
	var in addGrantJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	g, err := s.Admin.AddGrant(c.Request.Context(), principal(c), c.Param("id"), domain.Role(in.Role), in.UnitID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toGrantJSON(g))
}

func (s *Server) revokeGrant(c *gin.Context) {
	if err := s.Admin.RevokeGrant(c.Request.Context(), principal(c), c.Param("id"), c.Param("grantId")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// --- cases ---

// caseInput reads the body of POST /cases (and of its duplicate check); on failure the answer is
// written and ok is false.
func (s *Server) caseInput(c *gin.Context) (domain.CaseInput, bool) {
	var in createCaseJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return domain.CaseInput{}, false
	}
	ci, err := in.toDomain()
	if err != nil {
		s.fail(c, err)
		return domain.CaseInput{}, false
	}
	return ci, true
}

func (s *Server) createCase(c *gin.Context) {
	ci, ok := s.caseInput(c)
	if !ok {
		return
	}
	cs, err := s.Cases.Register(c.Request.Context(), principal(c), ci)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/cases/"+cs.ID)
	c.Header("ETag", strconv.Quote(strconv.Itoa(cs.Version)))
	c.JSON(http.StatusCreated, toCaseJSON(cs, true))
}

func (s *Server) listCases(c *gin.Context) {
	var f domain.CaseFilter
	var err error
	fail := func(e error) bool {
		if e != nil {
			s.fail(c, e)
			return true
		}
		return false
	}
	if f.UnitID, err = queryInt64(c, "unit_id"); fail(err) {
		return
	}
	if f.IncludeSubunits, err = queryBool(c, "include_subunits", true); fail(err) {
		return
	}
	if v := c.Query("stage"); v != "" {
		st := domain.Stage(v)
		f.Stage = &st
	}
	if v := c.Query("kind"); v != "" {
		k := domain.CaseKind(v)
		f.Kind = &k
	}
	if v := c.Query("prosecutor_id"); v != "" {
		f.ProsecutorID = &v
	}
	if v := c.Query("class"); v != "" {
		cl := domain.SeverityClass(v)
		f.Class = &cl
	}
	if f.Ascending, err = querySort(c); fail(err) {
		return
	}
	if f.ReceivedFrom, err = queryTime(c, "received_from"); fail(err) {
		return
	}
	if f.ReceivedTo, err = queryTime(c, "received_to"); fail(err) {
		return
	}
	if fail(drillDownQuery(c, &f)) {
		return
	}
	if f.Limit, err = queryInt(c, "limit", domain.DefaultPageSize); fail(err) {
		return
	}
	if v := c.Query("cursor"); v != "" {
		if f.Cursor, err = decodeCursor(v); fail(err) {
			return
		}
	}
	f.Text = c.Query("q")
	page, err := s.Cases.List(c.Request.Context(), principal(c), f)
	if fail(err) {
		return
	}
	out := casePageJSON{Items: make([]caseJSON, len(page.Items)), Total: page.Total, NextCursor: encodeCursor(page.NextCursor)}
	for i := range page.Items {
		out.Items[i] = toCaseJSON(&page.Items[i], false)
	}
	c.JSON(http.StatusOK, out)
}

// querySort reads the case list's order: sort=-received_at (the default, newest first) or
// sort=received_at (oldest first); it reports whether the order is ascending.
func querySort(c *gin.Context) (bool, error) {
	switch c.Query("sort") {
	case "", "-received_at":
		return false, nil
	case "received_at":
		return true, nil
	}
	return false, domain.Invalid("sort", "enum", "sort phải là received_at (cũ nhất trước) hoặc -received_at (mới nhất trước)")
}

func (s *Server) getCase(c *gin.Context) {
	cs, err := s.Cases.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(cs.Version)))
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toCaseJSON(cs, true))
}

func (s *Server) updateCase(c *gin.Context) {
	var in patchCaseJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	cs, err := s.Cases.Update(c.Request.Context(), principal(c), c.Param("id"), in.toDomain())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(cs.Version)))
	c.JSON(http.StatusOK, toCaseJSON(cs, true))
}

// ifMatchVersion reads the version from an If-Match header ("3" or W/"3"), for clients that use
// ETags instead of the version field.
func ifMatchVersion(c *gin.Context) int {
	h := strings.TrimPrefix(c.GetHeader("If-Match"), "W/")
	v, _ := strconv.Atoi(strings.Trim(h, `"`))
	return v
}

type assignJSON struct {
	Version int    `json:"version"`
	UserID  string `json:"user_id"`
	Role    string `json:"role"`
	Note    string `json:"note"`
	Replace bool   `json:"replace"`
}

func (s *Server) assign(c *gin.Context) {
	var in assignJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	cs, err := s.Cases.Assign(c.Request.Context(), principal(c), c.Param("id"), in.Version,
		domain.AssignmentInput{UserID: in.UserID, Role: domain.AssignmentRole(in.Role), Note: in.Note, Replace: in.Replace})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(cs.Version)))
	c.JSON(http.StatusCreated, toCaseJSON(cs, true))
}

func (s *Server) unassign(c *gin.Context) {
	version := ifMatchVersion(c)
	if v, ok := c.GetQuery("version"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			s.fail(c, badRequest("tham số version phải là số nguyên dương", "version"))
			return
		}
		version = n
	}
	cs, err := s.Cases.Unassign(c.Request.Context(), principal(c), c.Param("id"), c.Param("assignmentId"), version)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(cs.Version)))
	c.JSON(http.StatusOK, toCaseJSON(cs, true))
}

// --- audit ---

func (s *Server) listAudit(c *gin.Context) {
	var f domain.AuditFilter
	var err error
	if f.Limit, err = queryInt(c, "limit", domain.DefaultPageSize); err != nil {
		s.fail(c, err)
		return
	}
	if v := c.Query("before"); v != "" {
		if f.BeforeID, err = strconv.ParseInt(v, 10, 64); err != nil || f.BeforeID <= 0 {
			s.fail(c, badRequest("tham số before phải là số nguyên dương", "before"))
			return
		}
	}
	for name, dst := range map[string]**string{"user_id": &f.UserID, "target_type": &f.TargetType, "target_id": &f.TargetID, "action": &f.Action} {
		if v := c.Query(name); v != "" {
			v := v
			*dst = &v
		}
	}
	if f.From, err = queryTime(c, "from"); err != nil {
		s.fail(c, err)
		return
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.Audit.List(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]auditJSON, len(page.Items))
	for i, e := range page.Items {
		items[i] = auditJSON{ID: e.ID, At: e.At, UserID: e.UserID, Username: e.Username, UnitID: e.UnitID, Action: e.Action, TargetType: e.TargetType,
			TargetID: e.TargetID, TargetUnit: e.TargetUnit, RequestID: e.RequestID, RemoteAddr: e.RemoteAddr, Outcome: string(e.Outcome),
			Detail: e.Detail, Hash: hex.EncodeToString(e.Hash)}
	}
	out := gin.H{"items": items, "total": page.Total}
	if page.NextBefore > 0 {
		out["next_before"] = page.NextBefore
	}
	c.JSON(http.StatusOK, out)
}
