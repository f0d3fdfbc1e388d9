package api

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"kiemsat/domain"
	"kiemsat/service"
)

// These tests need no database: they build the server with nil services and never serve a
// request that reaches one.

func loadOpenAPI(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("load OpenAPI description: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI description does not validate: %v", err)
	}
	return doc
}

func newOpenAPITestServer(t *testing.T) *Server {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	return NewServer(Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		JWT: NewJWT(priv, "kiemsat", "kiemsat-api", 15*time.Minute, time.Now),
	})
}

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// openAPIPath turns gin's /cases/:id into OpenAPI's /cases/{id}.
func openAPIPath(ginPath string) string { return ginParam.ReplaceAllString(ginPath, "{$1}") }

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", doc.OpenAPI)
	}
	scheme := doc.Components.SecuritySchemes["bearerAuth"]
	if scheme == nil || scheme.Value == nil || scheme.Value.Type != "http" || scheme.Value.Scheme != "bearer" || scheme.Value.BearerFormat != "JWT" {
		t.Fatalf("bearerAuth security scheme missing or wrong: %+v", scheme)
	}
	if len(doc.Security) != 1 {
		t.Fatalf("global security = %v, want bearerAuth only", doc.Security)
	}
	if _, ok := doc.Security[0]["bearerAuth"]; !ok {
		t.Fatalf("global security = %v, want bearerAuth", doc.Security)
	}
	// The shared error envelope has exactly the shape writeError produces.
	errSchema := doc.Components.Schemas["Error"]
	if errSchema == nil || errSchema.Value == nil {
		t.Fatal("no Error schema")
	}
	body := errSchema.Value.Properties["error"]
	if body == nil || body.Value == nil {
		t.Fatal("Error schema has no error property")
	}
	var got []string
	for name := range body.Value.Properties {
		got = append(got, name)
	}
	sort.Strings(got)
	if want := []string{"code", "details", "message", "request_id"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Error.error properties = %v, want %v", got, want)
	}
	detail := body.Value.Properties["details"].Value.Items.Value
	got = got[:0]
	for name := range detail.Properties {
		got = append(got, name)
	}
	sort.Strings(got)
	if want := []string{"article", "field", "message", "rule"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Error detail properties = %v, want %v", got, want)
	}
	// Every error code the status table knows is a documented value.
	codes := map[string]bool{}
	for _, v := range body.Value.Properties["code"].Value.Enum {
		codes[v.(string)] = true
	}
	for code := range statusOf {
		if !codes[string(code)] {
			t.Errorf("error code %q is not in the Error schema's enum", code)
		}
	}
}

// A real error produced by the server must validate against the documented Error schema.
func TestOpenAPIErrorSchemaMatchesEnvelope(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	s := newOpenAPITestServer(t)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil)) // no token: 401 before any service
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401; body %s", rec.Code, rec.Body)
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("error body is not JSON: %v", err)
	}
	if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
		t.Errorf("401 body %s does not match the Error schema: %v", rec.Body, err)
	}
	// And the schema really is strict: an envelope with an extra field is refused.
	bad := map[string]any{"error": map[string]any{"code": "invalid", "message": "x", "details": []any{}, "request_id": "r", "extra": 1}}
	if err := doc.Components.Schemas["Error"].Value.VisitJSON(bad); err == nil {
		t.Error("Error schema accepted an unknown property")
	}
}

func TestOpenAPIMatchesRouteTable(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	s := newOpenAPITestServer(t)

	type key struct{ method, path string }
	routes := map[key]Route{}
	for _, r := range s.Routes() {
		routes[key{r.Method, openAPIPath(r.Path)}] = r
	}
	if len(routes) < 20 {
		t.Fatalf("only %d routes in the table; the test is not looking at the real table", len(routes))
	}

	ops := map[key]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[key{method, path}] = op
		}
	}

	for k, r := range routes {
		op, ok := ops[k]
		if !ok {
			t.Errorf("route %s %s is not described in openapi.yaml", k.method, k.path)
			continue
		}
		rule, ok := op.Extensions["x-kiemsat-rule"]
		if !ok {
			t.Errorf("%s %s: no x-kiemsat-rule", k.method, k.path)
		} else if rule != string(r.Rule) {
			t.Errorf("%s %s: x-kiemsat-rule = %v, route table says %q", k.method, k.path, rule, r.Rule)
		}
		during := op.Extensions["x-kiemsat-during-password-change"] == true
		if during != r.DuringPasswordChange {
			t.Errorf("%s %s: x-kiemsat-during-password-change = %v, route table says %v", k.method, k.path, during, r.DuringPasswordChange)
		}

		// Public routes opt out of the global bearerAuth; every other route inherits it.
		if r.Rule == RulePublic {
			if op.Security == nil || len(*op.Security) != 0 {
				t.Errorf("%s %s is public but does not set security: []", k.method, k.path)
			}
		} else {
			if op.Security != nil {
				t.Errorf("%s %s needs a login but overrides the global security", k.method, k.path)
			}
			if op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s %s needs a login but documents no 401", k.method, k.path)
			}
			if !r.DuringPasswordChange && op.Responses.Status(http.StatusForbidden) == nil {
				t.Errorf("%s %s can answer password_change_required but documents no 403", k.method, k.path)
			}
		}
		if op.Summary == "" || op.Description == "" || len(op.Tags) == 0 {
			t.Errorf("%s %s: summary, description and tags are required", k.method, k.path)
		}
		// Every route with a JSON body is strict about unknown fields, so it answers 400, and
		// its schema says so with additionalProperties: false.
		if op.RequestBody != nil {
			if op.Responses.Status(http.StatusBadRequest) == nil {
				t.Errorf("%s %s takes a body but documents no 400", k.method, k.path)
			}
			if op.Responses.Status(http.StatusRequestEntityTooLarge) == nil {
				t.Errorf("%s %s takes a body but documents no 413", k.method, k.path)
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				t.Errorf("%s %s: request body has no application/json schema", k.method, k.path)
			} else if ap := mt.Schema.Value.AdditionalProperties.Has; ap == nil || *ap {
				t.Errorf("%s %s: request body schema must set additionalProperties: false", k.method, k.path)
			}
		}
		// Error responses all use the shared envelope.
		for code, resp := range op.Responses.Map() {
			if code[0] != '4' && code[0] != '5' || k.path == "/readyz" {
				continue
			}
			if resp.Ref == "" || !strings.HasPrefix(resp.Ref, "#/components/responses/") {
				t.Errorf("%s %s: response %s does not reference a shared error response", k.method, k.path, code)
			}
		}
		// Path parameters of the route are declared.
		for _, m := range ginParam.FindAllStringSubmatch(r.Path, -1) {
			found := false
			for _, p := range append(append(openapi3.Parameters{}, doc.Paths.Find(k.path).Parameters...), op.Parameters...) {
				if p.Value != nil && p.Value.In == "path" && p.Value.Name == m[1] {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s: path parameter %s is not declared", k.method, k.path, m[1])
			}
		}
	}
	for k := range ops {
		if _, ok := routes[k]; !ok {
			t.Errorf("openapi.yaml describes %s %s, which the route table does not serve", k.method, k.path)
		}
	}
}

// The request schemas must accept exactly the fields the handlers decode, no more and no fewer.
func TestOpenAPIRequestSchemasMatchStructs(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	cases := map[string]any{
		"LoginRequest":          loginJSON{},
		"RefreshRequest":        refreshJSON{},
		"LogoutRequest":         refreshJSON{},
		"ChangePasswordRequest": changePasswordJSON{},
		"UnitCreate":            createUnitJSON{},
		"UnitPatch":             patchUnitJSON{},
		"UserCreate":            createUserJSON{},
		"UserPatch":             patchUserJSON{},
		"GrantCreate":           addGrantJSON{},
		"CaseCreate":            createCaseJSON{},
		"CasePatch":             patchCaseJSON{},
		"AssignmentCreate":      assignJSON{},
		"Offence":               offenceJSON{},
		"PartyInput":            partyJSON{},
	}
	for name, v := range cases {
		sr := doc.Components.Schemas[name]
		if sr == nil || sr.Value == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		want := jsonFields(reflect.TypeOf(v))
		var got []string
		for p := range sr.Value.Properties {
			got = append(got, p)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("schema %s has properties %v, the Go struct decodes %v", name, got, want)
		}
	}
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIServedJSONEqualsYAML(t *testing.T) {
	s := newOpenAPITestServer(t)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d: %s", path, rec.Code, rec.Body)
		}
		return rec
	}

	rec := get("/api/v1/openapi.json")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("openapi.json Content-Type = %q", ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatal("openapi.json is not valid JSON")
	}
	var fromJSON any
	if err := json.Unmarshal(rec.Body.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal(OpenAPIYAML, &fromYAML); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, normalizeYAML(t, fromYAML)) {
		t.Error("openapi.json differs from openapi.yaml")
	}
	// The JSON is itself a valid description with the same operations.
	docJ := loadOpenAPI(t, rec.Body.Bytes())
	docY := loadOpenAPI(t, OpenAPIYAML)
	if len(docJ.Paths.Map()) != len(docY.Paths.Map()) {
		t.Errorf("JSON has %d paths, YAML %d", len(docJ.Paths.Map()), len(docY.Paths.Map()))
	}

	y := get("/api/v1/openapi.yaml")
	if y.Body.String() != string(OpenAPIYAML) {
		t.Error("openapi.yaml is not served byte for byte")
	}
}

// normalizeYAML gives a YAML-decoded value the shapes encoding/json produces: string-keyed maps
// and float64 numbers. Any non-string key or non-JSON scalar fails the test.
func normalizeYAML(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeYAML(t, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeYAML(t, e)
		}
		return out
	case int:
		return float64(x)
	case float64, string, bool, nil:
		return x
	default:
		t.Fatalf("openapi.yaml holds a %T (%v) that JSON cannot represent; quote it", v, v)
		return nil
	}
}

// The response schemas describe exactly the fields the DTOs write, and a real marshalled DTO
// validates against its schema.
func TestOpenAPIResponseSchemasMatchDTOs(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	shapes := map[string]any{
		"Unit":        unitJSON{},
		"User":        userJSON{},
		"Grant":       grantJSON{},
		"Tokens":      tokensJSON{},
		"Case":        caseJSON{},
		"CasePage":    casePageJSON{},
		"UnitRef":     unitRefJSON{},
		"Party":       partyJSON{},
		"Assignment":  assignmentJSON{},
		"ScopeEntry":  scopeEntryJSON{},
		"AuditEntry":  auditJSON{},
		"ErrorDetail": errorDetail{},
	}
	for name, v := range shapes {
		sr := doc.Components.Schemas[name]
		if sr == nil || sr.Value == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		var got []string
		for p := range sr.Value.Properties {
			got = append(got, p)
		}
		sort.Strings(got)
		if want := jsonFields(reflect.TypeOf(v)); !reflect.DeepEqual(got, want) {
			t.Errorf("schema %s has properties %v, the DTO writes %v", name, got, want)
		}
	}

	now := time.Date(2026, 3, 2, 1, 31, 5, 0, time.UTC)
	birth := time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC)
	parent := int64(4)
	cs := &domain.Case{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", Kind: domain.KindReport, Number: "12/2026/TB", Code: "VKS-HNI-KV01-2026-TB-000012",
		UnitID: 27, UnitCode: "VKS-HNI-KV01", Stage: domain.StageReportResolution, ReceivedAt: now, Channel: domain.ChannelInPerson,
		SourceType: domain.SourceDenunciation, Summary: "Tố giác lừa đảo qua mạng xã hội", ReporterName: "Nguyễn Thị Hòa", ReporterKind: domain.ReporterPerson,
		Offence: &domain.Offence{Article: 174, Clause: 3, Point: "a"}, Version: 2, CreatedBy: "0195a0f0-1111-7222-8333-444455556666", CreatedAt: now, UpdatedAt: now,
		Parties: []domain.Party{{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5c", Role: domain.PartyVictim, FullName: "Nguyễn Thị Hòa", NationalID: "001185012345", BirthDate: &birth, Gender: "female"}},
		Team: []domain.Assignment{{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5d", UserID: "0195a0f0-1111-7222-8333-444455556667", UserName: "Bùi Văn Nam",
			Role: domain.AssignLead, AssignedBy: "0195a0f0-1111-7222-8333-444455556668", AssignedAt: now, EndedAt: &now, EndedBy: "0195a0f0-1111-7222-8333-444455556668"}}}
	noOffence := *cs
	noOffence.Offence = nil
	samples := map[string]any{
		"Case":     toCaseJSON(cs, true),
		"CasePage": casePageJSON{Items: []caseJSON{toCaseJSON(cs, false), toCaseJSON(&noOffence, false)}, Total: 2, NextCursor: encodeCursor(&domain.CaseCursor{ReceivedAt: now, ID: cs.ID})},
		"Unit":     toUnitJSON(domain.Unit{ID: 27, Code: "VKS-HNI-KV01", Name: "VKSND khu vực 1 - Hà Nội", Level: domain.LevelRegional, ParentID: &parent, Path: "1.4.27", Active: true, EffectiveFrom: now, EffectiveTo: &now, Version: 1}),
		"User":     toUserJSON(domain.User{ID: "0195a0f0-1111-7222-8333-444455556666", Username: "hnkv1.thuky", FullName: "Đặng Văn Tú", UnitID: 27, Active: true, Version: 1, CreatedAt: now}, now),
		"Grant":    toGrantJSON(domain.Grant{ID: "0195a0f0-1111-7222-8333-444455556669", UserID: "0195a0f0-1111-7222-8333-444455556666", Role: domain.RoleClerk, UnitID: 27, UnitCode: "VKS-HNI-KV01", CreatedAt: now}),
		"Tokens":   toTokensJSON(service.Tokens{AccessToken: "a.b.c", AccessExpiresAt: now.Add(15 * time.Minute), RefreshToken: "r", RefreshExpiresAt: now.Add(12 * time.Hour)}, now),
		"AuditEntry": auditJSON{ID: 9, At: now, UserID: "0195a0f0-1111-7222-8333-444455556666", Action: "case.read", TargetType: "case", TargetID: cs.ID,
			Outcome: string(domain.OutcomeSuccess), Detail: "{}", Hash: "00ff"},
	}
	for name, v := range samples {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var decoded any
		if err := json.Unmarshal(b, &decoded); err != nil {
			t.Fatal(err)
		}
		if err := doc.Components.Schemas[name].Value.VisitJSON(decoded); err != nil {
			t.Errorf("a real %s does not match its schema: %v\n%s", name, err, b)
		}
	}
}
