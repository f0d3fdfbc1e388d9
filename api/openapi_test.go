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
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
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
			if form := op.RequestBody.Value.Content.Get("multipart/form-data"); form != nil && mt == nil {
				// An upload: its form schema is closed and names the file part.
				if form.Schema == nil || form.Schema.Value == nil {
					t.Errorf("%s %s: multipart body has no schema", k.method, k.path)
				} else if ap := form.Schema.Value.AdditionalProperties.Has; ap == nil || *ap {
					t.Errorf("%s %s: multipart schema must set additionalProperties: false", k.method, k.path)
				} else if f := form.Schema.Value.Properties["file"]; f == nil || f.Value.Format != "binary" {
					t.Errorf("%s %s: multipart schema has no binary file part", k.method, k.path)
				}
			} else if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
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
		"LoginRequest":           loginJSON{},
		"RefreshRequest":         refreshJSON{},
		"LogoutRequest":          refreshJSON{},
		"ChangePasswordRequest":  changePasswordJSON{},
		"UnitCreate":             createUnitJSON{},
		"UnitPatch":              patchUnitJSON{},
		"UserCreate":             createUserJSON{},
		"UserPatch":              patchUserJSON{},
		"GrantCreate":            addGrantJSON{},
		"CaseCreate":             createCaseJSON{},
		"CasePatch":              patchCaseJSON{},
		"AssignmentCreate":       assignJSON{},
		"Offence":                offenceJSON{},
		"PartyInput":             partyJSON{},
		"DecisionInput":          decisionInputJSON{},
		"AccusedDecisionInput":   decisionInputJSON{},
		"ChargeSpec":             chargeSpecJSON{},
		"PersonInput":            personJSON{},
		"MeasureInput":           measureInputJSON{},
		"ApprovalInput":          approvalInputJSON{},
		"CalendarDayInput":       calendarDayInputJSON{},
		"ReadNotificationsInput": readNotificationsJSON{},
		// Procedural defects and the recommendations written about them.
		"RecommendationDraftInput": draftFromFindingJSON{},
		"RecommendationInput":      createRecommendationJSON{},
		"RecommendationPatch":      patchRecommendationJSON{},
		"AuthorityInput":           authorityInputJSON{},
		"WithdrawInput":            withdrawJSON{},
		"ClientTokenRequest":       clientTokenJSON{},
		"StatPeriodClose":          closePeriodJSON{},
		// Supervision across levels.
		"InstructionInput":         instructionInputJSON{},
		"InstructionResponseInput": instructionResponseJSON{},
		"InstructionNoteInput":     instructionNoteJSON{},
		"FileRequestInput":         fileRequestInputJSON{},
		"FileAnswerInput":          fileAnswerJSON{},
		"PublicInterestInput":      publicInterestInputJSON{},
		"SubscriptionInput":        subscriptionInputJSON{},
		// Court hearings.
		"HearingInput":      hearingInputJSON{},
		"HearingReschedule": rescheduleJSON{},
		"HearingHeld":       hearingHeldJSON{},
		"HearingCancel":     hearingCancelJSON{},
		// The virtual assistant.
		"AskInput": askJSON{},
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

	// And each route with a body documents the schema of the struct its handler decodes.
	bodies := map[string]string{
		"POST /api/v1/statistics/periods":            "StatPeriodClose",
		"POST /api/v1/auth/login":                    "LoginRequest",
		"POST /api/v1/auth/refresh":                  "RefreshRequest",
		"POST /api/v1/auth/logout":                   "LogoutRequest",
		"POST /api/v1/auth/password":                 "ChangePasswordRequest",
		"POST /api/v1/units":                         "UnitCreate",
		"PATCH /api/v1/units/{id}":                   "UnitPatch",
		"POST /api/v1/users":                         "UserCreate",
		"PATCH /api/v1/users/{id}":                   "UserPatch",
		"POST /api/v1/users/{id}/grants":             "GrantCreate",
		"POST /api/v1/cases":                         "CaseCreate",
		"POST /api/v1/cases/duplicates":              "CaseCreate",
		"PATCH /api/v1/cases/{id}":                   "CasePatch",
		"POST /api/v1/cases/{id}/assignments":        "AssignmentCreate",
		"POST /api/v1/cases/{id}/decisions":          "DecisionInput",
		"POST /api/v1/cases/{id}/accused":            "AccusedDecisionInput",
		"POST /api/v1/accused/{id}/charges":          "AccusedDecisionInput",
		"POST /api/v1/accused/{id}/measures":         "DecisionInput",
		"POST /api/v1/decisions/{id}/approval":       "ApprovalInput",
		"PUT /api/v1/calendar/{date}":                "CalendarDayInput",
		"POST /api/v1/me/notifications/read":         "ReadNotificationsInput",
		"POST /api/v1/findings/{id}/recommendations": "RecommendationDraftInput",
		"POST /api/v1/cases/{id}/recommendations":    "RecommendationInput",
		"PATCH /api/v1/recommendations/{id}":         "RecommendationPatch",
		"PUT /api/v1/authorities":                    "AuthorityInput",
		"POST /api/v1/files/{id}/withdraw":           "WithdrawInput",
		"POST /api/v1/auth/token":                    "ClientTokenRequest",
		// Supervision across levels.
		"POST /api/v1/cases/{id}/instructions":   "InstructionInput",
		"POST /api/v1/instructions/{id}/respond": "InstructionResponseInput",
		"POST /api/v1/instructions/{id}/close":   "InstructionNoteInput",
		"POST /api/v1/instructions/{id}/reopen":  "InstructionNoteInput",
		"POST /api/v1/instructions/{id}/cancel":  "InstructionNoteInput",
		"POST /api/v1/cases/{id}/file-requests":  "FileRequestInput",
		"POST /api/v1/file-requests/{id}/answer": "FileAnswerInput",
		"PUT /api/v1/cases/{id}/public-interest": "PublicInterestInput",
		"POST /api/v1/subscriptions":             "SubscriptionInput",
		// Court hearings.
		"POST /api/v1/cases/{id}/hearings":    "HearingInput",
		"POST /api/v1/hearings/{id}/postpone": "HearingReschedule",
		"POST /api/v1/hearings/{id}/adjourn":  "HearingReschedule",
		"POST /api/v1/hearings/{id}/held":     "HearingHeld",
		"POST /api/v1/hearings/{id}/cancel":   "HearingCancel",
		// The virtual assistant.
		"POST /api/v1/assistant/ask": "AskInput",
	}
	// Uploads are multipart forms: the fields the handler accepts before the file part, and the file.
	uploadForm := []string{"file"}
	for f := range uploadFields {
		uploadForm = append(uploadForm, f)
	}
	uploads := map[string][]string{
		"POST /api/v1/cases/{id}/files":    uploadForm,
		"POST /api/v1/files/{id}/versions": {"file", "note"},
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			k := method + " " + path
			if form := op.RequestBody.Value.Content.Get("multipart/form-data"); form != nil {
				want, ok := uploads[k]
				if !ok {
					t.Errorf("%s takes an upload, but this test does not know which fields its handler reads", k)
					continue
				}
				var got []string
				for p := range form.Schema.Value.Properties {
					got = append(got, p)
				}
				sort.Strings(got)
				sort.Strings(want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: multipart schema has fields %v, the handler reads %v", k, got, want)
				}
				continue
			}
			want, ok := bodies[k]
			if !ok {
				t.Errorf("%s takes a body, but this test does not know which struct decodes it", k)
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/"+want {
				t.Errorf("%s: request body should be $ref #/components/schemas/%s", k, want)
			}
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

		"Name":               nameJSON{},
		"TransitionApproval": approvalJSON{},
		"Transition":         transitionJSON{},
		"PenalClause":        penalClauseJSON{},
		"Decision":           decisionJSON{},
		"Charge":             chargeJSON{},
		"Measure":            measureJSON{},
		"Accused":            accusedJSON{},
		"DecisionOutcome":    decisionOutcomeJSON{},
		"Timeline":           timelineJSON{},
		"PendingApproval":    pendingJSON{},
		"CalendarDay":        calendarDayJSON{},
		"Length":             lengthJSON{},
		"Due":                dueJSON{},
		"Clock":              clockJSON{},
		"Deadlines":          deadlinesJSON{},
		"ClockListItem":      clockListItemJSON{},
		"Violation":          violationJSON{},
		"Notification":       notificationJSON{},
		"Authority":          authorityJSON{},
		"RuleCounting":       countingJSON{},
		"RuleLadder":         ladderJSON{},
		"Rule":               ruleJSON{},
		"Finding":            findingJSON{},
		"CaseFindings":       caseFindingsJSON{},
		"Recommendation":     recommendationJSON{},
		"ClientToken":        clientTokenResponseJSON{},
		// The change feed.
		"Change":     changeJSON{},
		"ChangePage": changePageJSON{},
		// Automatic statistics.
		"Indicator":  indicatorJSON{},
		"StatRow":    statRowJSON{},
		"StatReport": statReportJSON{},
		"StatCase":   statCaseJSON{},
		// Closed periods and the crime trend.
		"StatPeriod":     statPeriodJSON{},
		"ClosedPeriod":   closedPeriodJSON{},
		"StatDifference": statDifferenceJSON{},
		"Trend":          trendJSON{},
		"TrendSeries":    trendSeriesJSON{},
		// The chiefs' caseload.
		"Caseload":        caseloadJSON{},
		"CaseloadFigures": caseloadFiguresJSON{},
		"UnitCaseload":    unitCaseloadJSON{},
		"ProsecutorLoad":  prosecutorLoadJSON{},
		"DetentionExpiry": detentionExpiryJSON{},
		// The digital case file.
		"Document":         documentJSON{},
		"DocumentVersion":  documentVersionJSON{},
		"DocumentList":     documentListJSON{},
		"FileLink":         fileLinkJSON{},
		"FileManifest":     fileManifestJSON{},
		"Manifest":         service.Manifest{},
		"ManifestDocument": service.ManifestDocument{},
		"ManifestVersion":  service.ManifestVersion{},
		// Supervision across levels.
		"Instruction":      instructionJSON{},
		"FileRequest":      fileRequestJSON{},
		"PublicInterest":   publicInterestJSON{},
		"Subscription":     subscriptionJSON{},
		"SubscriptionCase": subscriptionCaseJSON{},
		// Search and the virtual assistant.
		"Highlight":           highlightJSON{},
		"SearchHit":           searchHitJSON{},
		"SearchPage":          searchPageJSON{},
		"SearchResult":        searchJSON{},
		"Citation":            citationJSON{},
		"SimilarCase":         similarCaseJSON{},
		"AssistantAnswer":     answerJSON{},
		"AssistantAnswerList": answerListJSON{},
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
	lp := newLifecycleSamples(now)
	samples := map[string]any{
		"Case":     toCaseJSON(cs, true),
		"CasePage": casePageJSON{Items: []caseJSON{toCaseJSON(cs, false), toCaseJSON(&noOffence, false), toCaseJSON(lp.theft, false), toCaseJSON(lp.joined, false)}, Total: 4, NextCursor: encodeCursor(&domain.CaseCursor{ReceivedAt: now, ID: cs.ID})},
		"Unit":     toUnitJSON(domain.Unit{ID: 27, Code: "VKS-HNI-KV01", Name: "VKSND khu vực 1 - Hà Nội", Level: domain.LevelRegional, ParentID: &parent, Path: "1.4.27", Active: true, EffectiveFrom: now, EffectiveTo: &now, Version: 1}),
		"User":     toUserJSON(domain.User{ID: "0195a0f0-1111-7222-8333-444455556666", Username: "hnkv1.thuky", FullName: "Đặng Văn Tú", UnitID: 27, Active: true, Version: 1, CreatedAt: now}, now),
		"Grant":    toGrantJSON(domain.Grant{ID: "0195a0f0-1111-7222-8333-444455556669", UserID: "0195a0f0-1111-7222-8333-444455556666", Role: domain.RoleClerk, UnitID: 27, UnitCode: "VKS-HNI-KV01", CreatedAt: now}),
		"Tokens":   toTokensJSON(service.Tokens{AccessToken: "a.b.c", AccessExpiresAt: now.Add(15 * time.Minute), RefreshToken: "r", RefreshExpiresAt: now.Add(12 * time.Hour)}, now),
		"AuditEntry": auditJSON{ID: 9, At: now, UserID: "0195a0f0-1111-7222-8333-444455556666", Action: "case.read", TargetType: "case", TargetID: cs.ID,
			Outcome: string(domain.OutcomeSuccess), Detail: "{}", Hash: "00ff"},
	}
	for name, v := range samples {
		validateSample(t, doc, name, v)
	}
	for _, sm := range lp.samples() {
		validateSample(t, doc, sm.schema, sm.value)
	}
	for _, tr := range workflow.Transitions {
		validateSample(t, doc, "Transition", toTransitionJSON(tr))
	}
	for _, r := range workflow.Rules {
		validateSample(t, doc, "Rule", toRuleJSON(r))
	}
	for _, d := range lp.deadlines(now) {
		validateSample(t, doc, "Deadlines", toDeadlinesJSON(d))
		for _, c := range d.Clocks {
			validateSample(t, doc, "Clock", toClockJSON(c))
		}
	}
	cal := workflow.NewCalendar(workflow.DefaultCalendarDays(), true)
	var days []calendarDayJSON
	for _, d := range workflow.DefaultCalendarDays() {
		days = append(days, toCalendarDayJSON(d, cal.IsDayOff(d.Date)))
	}
	validateSample(t, doc, "CalendarDayList", gin.H{"items": days, "total": len(days)})
	for _, sm := range findingSamples(lp, now) {
		validateSample(t, doc, sm.schema, sm.value)
	}
	for _, sm := range statisticsSamples(now) {
		validateSample(t, doc, sm.schema, sm.value)
	}
	for _, sm := range caseloadSamples(now) {
		validateSample(t, doc, sm.schema, sm.value)
	}
	for _, sm := range fileSamples(t, now) {
		validateSample(t, doc, sm.schema, sm.value)
	}
	for _, sm := range supervisionSamples(now) {
		validateSample(t, doc, sm.schema, sm.value)
	}
	for _, sm := range searchSamples(now) {
		validateSample(t, doc, sm.schema, sm.value)
	}
}

// searchSamples are search hits of each kind and assistant answers, answered or not, as the
// handlers build them.
func searchSamples(now time.Time) []schemaSample {
	caseID, docID := "0195b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e01", "0195c1d2-0003-7a00-8b00-00000000d003"
	snippet := []domain.Highlight{{Text: "báo tin vụ "}, {Text: "trộm", Match: true}, {Text: " xe máy"}}
	caseHit := domain.SearchHit{Kind: domain.SearchCase, ID: caseID, CaseID: caseID, CaseNumber: "5/2026/VA", CaseCode: "VKS-HNI-KV01-2026-TB-000009",
		UnitID: 27, Stage: domain.StageInvestigation, ReceivedAt: now, Title: "Trộm xe máy tại phố Hàng Bài", Snippet: snippet, Rank: 0.87345}
	docHit := caseHit
	docHit.Kind, docHit.ID, docHit.Title = domain.SearchDocument, docID, "Biên bản ghi lời khai người bị hại"
	lawHit := domain.SearchHit{Kind: domain.SearchLaw, ID: "rule:detention_period", Cite: "Điều 173, 241, 278 BLTTHS", Title: "Thời hạn tạm giam", Snippet: snippet, Rank: 0.5}
	noSnippet := domain.SearchHit{Kind: domain.SearchLaw, ID: "BLHS:173:2", Cite: "Điều 173 khoản 2 BLHS", Title: "Tội trộm cắp tài sản"}
	search := searchJSON{Q: "trom cap xe may hona", Corrected: map[string][]string{"hona": {"hoa", "honda", "hong"}}, Results: []searchPageJSON{
		{Kind: "case", Total: 2000, Capped: true, Items: toSearchHitsJSON([]domain.SearchHit{caseHit})},
		{Kind: "document", Total: 1, Items: toSearchHitsJSON([]domain.SearchHit{docHit})},
		{Kind: "law", Total: 2, Items: toSearchHitsJSON([]domain.SearchHit{lawHit, noSnippet})},
		{Kind: "law", Items: toSearchHitsJSON(nil)},
	}}
	answered := toAnswerJSON(domain.AssistantAnswer{ID: "2b8f6d1c-4a7e-4c39-9e05-7d3a1f6b8c24", AskedAt: now, Question: "Có vụ án nào tương tự vụ này không?",
		CaseID: caseID, Language: "vi", Intent: service.IntentSimilar, Answered: true, Answer: "Các vụ án tương tự…", Confidence: 0.6,
		Citations: []domain.Citation{{Kind: "article", Ref: "BLHS:173:2", Label: "Khoản 2 Điều 173 BLHS"},
			{Kind: "case", Ref: "VKS-HNI-KV01-2025-VA-000017", Label: "17/2025/VA", ID: "0195a7e2-5b10-7c4d-9e2f-3a4b5c6d7e8f"},
			{Kind: "document", Ref: docID, Label: "Biên bản ghi lời khai", ID: docID}},
		Similar: []domain.SimilarCase{{CaseID: "0195a7e2-5b10-7c4d-9e2f-3a4b5c6d7e8f", Number: "17/2025/VA", Code: "VKS-HNI-KV01-2025-VA-000017", UnitID: 27,
			Stage: domain.StageExecution, Summary: "Trộm cắp xe máy", ReceivedAt: now, SameCharges: []string{"173:2"}, TextScore: 0.4123, Outcome: "judgment_effective", Score: 4.7369},
			{CaseID: "0195a7e2-5b10-7c4d-9e2f-3a4b5c6d7e90", Number: "3/2026/TB", Code: "VKS-HNI-KV01-2026-TB-000003", UnitID: 27, Stage: domain.StageReportResolution,
				Summary: "Mất trộm xe máy", ReceivedAt: now, TextScore: 0.3}}})
	unknown := toAnswerJSON(domain.AssistantAnswer{ID: "3f7b1e9c-6d2a-4b58-8c07-e4a9d3b2f160", AskedAt: now, Question: "Người bị hại có quyền gì tại phiên tòa?",
		Language: "vi", Intent: service.IntentUnknown, Answer: "Tôi chưa trả lời được câu hỏi này.", Related: []domain.SearchHit{lawHit}})
	return []schemaSample{
		{"SearchResult", search},
		{"SearchResult", searchJSON{Q: "x", Corrected: map[string][]string{}, Results: []searchPageJSON{}}},
		{"SearchHit", toSearchHitJSON(caseHit)},
		{"SearchHit", toSearchHitJSON(noSnippet)},
		{"AssistantAnswer", answered},
		{"AssistantAnswer", unknown},
		{"AssistantAnswerList", answerListJSON{Items: []answerJSON{answered, unknown}, Total: 2}},
		{"AssistantAnswerList", answerListJSON{Items: []answerJSON{}}},
	}
}

// validateSample marshals a real DTO and checks it against the named component schema.
func validateSample(t *testing.T, doc *openapi3.T, name string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var decoded any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	sr := doc.Components.Schemas[name]
	if sr == nil || sr.Value == nil {
		t.Errorf("schema %s missing", name)
		return
	}
	if err := sr.Value.VisitJSON(decoded); err != nil {
		t.Errorf("a real %s does not match its schema: %v\n%s", name, err, b)
	}
}

// lifecycleSamples is a theft case through its procedure, built from domain values the way the
// service returns them, to run through the real DTO conversions.
type lifecycleSamples struct {
	theft, joined *domain.Case
	decisions     []domain.Decision
	accused       []domain.Accused
}

func newLifecycleSamples(now time.Time) lifecycleSamples {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, domain.ICT) }
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, domain.ICT) }
	const (
		caseID   = "0195b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e01"
		ksv      = "0195a0f0-1111-7222-8333-444455556667"
		chief    = "0195a0f0-1111-7222-8333-444455556669"
		accused1 = "0195b3c6-0001-7000-8000-0000000000a1"
		accused2 = "0195b3c6-0002-7000-8000-0000000000a2"
	)
	cqdt := "Cơ quan Cảnh sát điều tra Công an TP Hà Nội"
	theft := &domain.Case{ID: caseID, Kind: domain.KindCase, Number: "5/2026/VA", ReportNumber: "9/2026/TB", Code: "VKS-HNI-KV01-2026-TB-000009",
		UnitID: 27, UnitCode: "VKS-HNI-KV01", Stage: domain.StageInvestigation, ReceivedAt: at(time.February, 27, 9, 15), Channel: domain.ChannelAgency,
		SourceType: domain.SourceCrimeInformation, Summary: "Công an phường Hoàn Kiếm báo tin vụ trộm xe máy Honda Vision trị giá 32 triệu đồng tại phố Hàng Bài.",
		ReporterName: "Công an phường Hoàn Kiếm", ReporterKind: domain.ReporterAgency, Offence: &domain.Offence{Article: 173, Clause: 1},
		Version: 8, CreatedBy: "0195a0f0-1111-7222-8333-444455556666", CreatedAt: now, UpdatedAt: now}
	joined := *theft
	joined.ID, joined.Stage, joined.JoinedInto, joined.SummaryProcedure = "0195b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e02", domain.StageJoined, caseID, true

	institution := domain.Decision{ID: "0195b3c5-0003-7000-8000-000000000003", CaseID: caseID, Seq: 3, Step: workflow.StepInstituteAccused,
		Type: workflow.DocAccusedInstitution, Number: "30/QĐ-CSĐT", Issuer: domain.IssuerInvestigation, IssuerName: cqdt, Signer: "Thượng tá Lê Văn Cường",
		IssuedOn: day(time.March, 5), EffectiveOn: day(time.March, 5), AccusedIDs: []string{accused1}, LegalBasis: "Điều 179 BLTTHS",
		RequiresApproval: true, FromStage: domain.StageInvestigation, ToStage: domain.StageInvestigation, UnitID: 27, RecordedBy: ksv,
		RecordedAt: at(time.March, 5, 14, 2), Status: domain.DecisionApproved}
	approval := domain.Decision{ID: "0195b3c5-0004-7000-8000-000000000004", CaseID: caseID, Seq: 4, Step: service.StepDecideApproval,
		Type: workflow.DocApproval, Number: "31/QĐ-VKS", Issuer: domain.IssuerProcuracy, Signer: "Vũ Đức Thắng", IssuedOn: day(time.March, 6),
		EffectiveOn: day(time.March, 6), AccusedIDs: []string{accused1}, LegalBasis: "Điều 179(3) BLTTHS", DecidesID: institution.ID,
		Outcome: domain.OutcomeApprove, FromStage: domain.StageInvestigation, ToStage: domain.StageInvestigation, UnitID: 27, RecordedBy: chief,
		RecordedAt: at(time.March, 6, 10, 5), Status: domain.DecisionEffective}
	detention := domain.Decision{ID: "0195b3c5-0007-7000-8000-000000000007", CaseID: caseID, Seq: 7, Step: workflow.StepDetention,
		Type: workflow.DocDetentionOrder, Number: "41/LTG-CSĐT", Issuer: domain.IssuerInvestigation, IssuerName: cqdt, IssuedOn: day(time.March, 6),
		EffectiveOn: day(time.March, 6), AccusedIDs: []string{accused1}, MeasureID: "0195b3c8-0001-7000-8000-0000000000d1",
		LegalBasis: "Điều 119, 173 BLTTHS", FileID: "vb-2026-000417", RequiresApproval: true, FromStage: domain.StageInvestigation,
		ToStage: domain.StageInvestigation, UnitID: 27, RecordedBy: ksv, RecordedAt: at(time.March, 6, 16, 10), Status: domain.DecisionPending}
	returned := domain.Decision{ID: "0195c9d0-0001-7000-8000-000000000011", CaseID: caseID, Seq: 11, Step: workflow.StepReturnByCourt,
		Type: workflow.DocReturnSupplementary, Number: "05/2026/HSST-QĐ", Issuer: domain.IssuerCourt, IssuerName: "Tòa án nhân dân khu vực 1 - Hà Nội",
		IssuedOn: day(time.August, 10), EffectiveOn: day(time.August, 12), LegalBasis: "Điều 174(2), 280 BLTTHS", Note: "Cần giám định bổ sung",
		ReturnedBy: workflow.ReturnedByJudge, SupersedesID: "0195c9d0-0000-7000-8000-000000000010", FromStage: domain.StageFirstInstance,
		ToStage: domain.StageSupplementary, UnitID: 27, RecordedBy: ksv, RecordedAt: at(time.August, 12, 8, 0), Status: domain.DecisionEffective}
	transfer := domain.Decision{ID: "0195c9d0-0002-7000-8000-000000000012", CaseID: caseID, Seq: 12, Step: workflow.StepTransfer,
		Type: workflow.DocTransfer, Number: "18/QĐ-VKS", Issuer: domain.IssuerProcuracy, IssuedOn: day(time.August, 20), EffectiveOn: day(time.August, 20),
		LegalBasis: "Điều 169, 239 BLTTHS", TargetUnitID: 28, FromStage: domain.StageSupplementary, ToStage: domain.StageSupplementary, UnitID: 27,
		RecordedBy: chief, RecordedAt: at(time.August, 20, 9, 30), Status: domain.DecisionEffective}
	join := domain.Decision{ID: "0195c9d0-0003-7000-8000-000000000013", CaseID: joined.ID, Seq: 5, Step: workflow.StepJoin, Type: workflow.DocJoinder,
		Number: "19/QĐ-VKS", Issuer: domain.IssuerProcuracy, IssuedOn: day(time.April, 2), EffectiveOn: day(time.April, 2), LegalBasis: "Điều 170 BLTTHS",
		TargetCaseID: caseID, FromStage: domain.StageInvestigation, ToStage: domain.StageJoined, UnitID: 27, RecordedBy: chief,
		RecordedAt: at(time.April, 2, 11, 0), Status: domain.DecisionSuperseded}

	birth := day(time.April, 2).AddDate(1995-2026, 0, 0)
	minorBirth := day(time.November, 20).AddDate(2009-2026, 0, 0)
	ordered, custodyEnd, released := day(time.May, 5), day(time.March, 9), day(time.March, 6)
	extended := day(time.June, 4)
	binh := domain.Accused{ID: accused1, CaseID: caseID, FullName: "Trần Văn Bình", NationalID: "001095012345", BirthDate: &birth, Gender: "male",
		Address: "Phường Hai Bà Trưng, Hà Nội", OffenceDate: day(time.February, 26), Status: domain.AccusedInstituted, DecisionID: institution.ID,
		Charges: []domain.Charge{
			{ID: "0195b3c7-0001-7000-8000-0000000000c1", AccusedID: accused1, Article: "173", Clause: 1, Title: "Tội trộm cắp tài sản",
				Class: domain.ClassLessSerious, OffenceDate: day(time.February, 26), DecisionID: institution.ID, EndedByID: "0195c9d0-0004-7000-8000-000000000014"},
			{ID: "0195b3c7-0002-7000-8000-0000000000c2", AccusedID: accused1, Article: "173", Clause: 2, Point: "c", Title: "Tội trộm cắp tài sản",
				Class: domain.ClassSerious, OffenceDate: day(time.February, 26), DecisionID: "0195c9d0-0004-7000-8000-000000000014"},
		},
		Measures: []domain.Measure{
			{ID: "0195b3c8-0000-7000-8000-0000000000d0", Kind: domain.MeasureCustody, Stage: domain.MeasureForInvestigation, StartAt: at(time.March, 6, 8, 30),
				OrderedEnd: &custodyEnd, DecisionID: "0195b3c5-0005-7000-8000-000000000005", Status: domain.MeasureEnded, EndedAt: &released,
				EndedByID: "0195b3c5-0006-7000-8000-000000000006"},
			{ID: "0195b3c8-0001-7000-8000-0000000000d1", Kind: domain.MeasureDetention, Stage: domain.MeasureForInvestigation, StartAt: at(time.March, 6, 16, 0),
				OrderedEnd: &ordered, DecisionID: detention.ID, Status: domain.MeasureEnded, EndedAt: &ordered, EndedByID: "0195b3c5-0009-7000-8000-000000000009"},
			{ID: "0195b3c8-0002-7000-8000-0000000000d2", Kind: domain.MeasureDetention, StartAt: day(time.May, 6), OrderedEnd: &extended,
				ExtendsID: "0195b3c8-0001-7000-8000-0000000000d1", ExtensionNo: 1, DecisionID: "0195b3c5-0009-7000-8000-000000000009", Status: domain.MeasureActive},
		}}
	sang := domain.Accused{ID: accused2, CaseID: caseID, FullName: "Lò Văn Sáng", BirthDate: &minorBirth, OffenceDate: day(time.March, 6),
		Status: domain.AccusedSuspect, Measures: []domain.Measure{{ID: "0195b3c8-0003-7000-8000-0000000000d3", Kind: domain.MeasureWanted,
			StartAt: at(time.March, 7, 9, 0), DecisionID: "0195b3c5-0010-7000-8000-000000000010", Status: domain.MeasurePending}}}
	return lifecycleSamples{theft: theft, joined: &joined, decisions: []domain.Decision{institution, approval, detention, returned, transfer, join},
		accused: []domain.Accused{binh, sang}}
}

// deadlines are the theft case's clocks as the service computes them, at a few moments, with its
// class known and unknown, so that every status and subject the samples reach runs through the
// DTO conversion.
func (lp lifecycleSamples) deadlines(now time.Time) []*service.Deadlines {
	cal := workflow.NewCalendar(workflow.DefaultCalendarDays(), true)
	var out []*service.Deadlines
	for _, class := range []domain.SeverityClass{domain.ClassSerious, ""} {
		cs := &workflow.CaseState{ID: lp.theft.ID, Kind: domain.KindCase, RegisteredAs: domain.KindCase, ReceivedAt: lp.theft.ReceivedAt, Class: class,
			Decisions: lp.decisions, Accused: lp.accused}
		for _, at := range []time.Time{now, now.AddDate(0, 3, 0), now.AddDate(1, 0, 0)} {
			clocks := workflow.Clocks(cs, cal, at)
			workflow.SortByUrgency(clocks)
			out = append(out, &service.Deadlines{Case: lp.theft, Class: class, Clocks: clocks, At: at})
		}
	}
	return out
}

type schemaSample struct {
	schema string
	value  any
}

// samples are the lifecycle DTOs as the handlers build them.
func (lp lifecycleSamples) samples() []schemaSample {
	var out []schemaSample
	var decisions []decisionJSON
	for _, d := range lp.decisions {
		decisions = append(decisions, toDecisionJSON(d))
		out = append(out, schemaSample{"Decision", toDecisionJSON(d)})
	}
	accused := []accusedJSON{}
	for _, a := range lp.accused {
		accused = append(accused, toAccusedJSON(a))
		out = append(out, schemaSample{"Accused", toAccusedJSON(a)})
	}
	d := decisions[0]
	out = append(out,
		schemaSample{"Case", toCaseJSON(lp.theft, true)},
		schemaSample{"Case", toCaseJSON(lp.joined, true)},
		schemaSample{"DecisionOutcome", decisionOutcomeJSON{Case: toCaseJSON(lp.theft, true), Decision: &d, Accused: accused}},
		// Registering a held person creates no decision.
		schemaSample{"DecisionOutcome", decisionOutcomeJSON{Case: toCaseJSON(lp.theft, true), Accused: []accusedJSON{}}},
		schemaSample{"Timeline", timelineJSON{Case: toCaseJSON(lp.theft, true), Class: string(domain.ClassSerious), Decisions: decisions, Total: len(decisions), Accused: accused}},
		schemaSample{"Timeline", timelineJSON{Case: toCaseJSON(lp.joined, true), Decisions: []decisionJSON{}, Accused: []accusedJSON{}}},
		schemaSample{"PendingApproval", pendingJSON{Decision: decisions[2], CaseNumber: lp.theft.Number, CaseCode: lp.theft.Code, Unit: unitRefJSON{ID: 27, Code: "VKS-HNI-KV01"}}},
		// listApprovals answers gin.H{"items", "total"}.
		schemaSample{"PendingApprovalList", gin.H{"items": []pendingJSON{{Decision: decisions[2], CaseNumber: lp.theft.Number, CaseCode: lp.theft.Code,
			Unit: unitRefJSON{ID: 27, Code: "VKS-HNI-KV01"}}}, "total": int64(1)}},
	)
	// The stored clocks, violations and notifications as the list handlers write them, from the
	// same computed clocks the case's deadlines come from.
	now := lp.theft.ReceivedAt.AddDate(0, 2, 0)
	for _, d := range lp.deadlines(now) {
		recs := service.ClockRecords(lp.theft, d.Clocks, d.At)
		var items []clockListItemJSON
		for i, r := range recs {
			r.ID = int64(i + 1)
			it := toClockListItemJSON(domain.ClockListItem{Clock: r, CaseNumber: lp.theft.Number, CaseCode: lp.theft.Code, CaseStage: lp.theft.Stage,
				UnitID: 27, UnitCode: "VKS-HNI-KV01", ProsecutorID: "0195a0f0-1111-7222-8333-444455556666"}, d.At)
			items = append(items, it)
			out = append(out, schemaSample{"ClockListItem", it})
			met := r.LatestDue.Add(36 * time.Hour)
			v := domain.Violation{ID: int64(i + 1), CaseID: r.CaseID, ClockKey: r.Key, Rule: r.Rule, Article: r.Article, NameVI: r.NameVI, NameEN: r.NameEN,
				Subject: r.Subject, SubjectID: r.SubjectID, AccusedID: r.AccusedID, DueAt: r.LatestDue, DetectedAt: r.LatestDue, DetectedBy: "monitor",
				UnitID: 27, CaseNumber: lp.theft.Number, CaseCode: lp.theft.Code, UnitCode: "VKS-HNI-KV01"}
			out = append(out, schemaSample{"Violation", toViolationJSON(v, d.At)})
			v.MetAt, v.WithdrawnAt = &met, &met
			out = append(out, schemaSample{"Violation", toViolationJSON(v, d.At)})
			for _, topic := range []string{service.TopicClockDueSoon, service.TopicClockMissed, service.TopicClockMetLate} {
				p, _ := json.Marshal(service.ClockEventPayload{CaseID: r.CaseID, CaseNumber: lp.theft.Number, NameVI: r.NameVI, NameEN: r.NameEN,
					Article: r.Article, LatestLastDay: "2026-05-05"})
				n, err := service.NotificationFor(domain.OutboxEvent{ID: 1, Topic: topic, UnitID: 27, Payload: p, CreatedAt: d.At})
				if err != nil {
					panic(err)
				}
				out = append(out, schemaSample{"Notification", notificationJSON{ID: 1, Kind: n.Kind, CaseID: nonEmpty(n.CaseID), Title: nameJSON{n.TitleVI, n.TitleEN},
					Body: nameJSON{n.BodyVI, n.BodyEN}, CreatedAt: ictInstant(n.CreatedAt)}})
			}
		}
		if len(items) > 0 {
			out = append(out, schemaSample{"ClockList", gin.H{"items": items, "total": int64(len(items))}})
		}
	}
	return out
}

// The reference endpoints need no database: their real answers must match the schemas.
func TestOpenAPIReferenceEndpointsMatchSchemas(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	proc := service.NewProcedure(nil, nil, nil, nil, nil, nil, nil, workflow.DefaultPenalCatalog(), nil, nil)
	s := NewServer(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Services: &service.Services{Procedure: proc}})
	call := func(h gin.HandlerFunc, target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodGet, target, nil)
		h(c)
		return rec
	}
	check := func(rec *httptest.ResponseRecorder, status int, schema string) map[string]any {
		t.Helper()
		if rec.Code != status {
			t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
		}
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if err := doc.Components.Schemas[schema].Value.VisitJSON(v); err != nil {
			t.Errorf("the answer does not match %s: %v", schema, err)
		}
		return v
	}
	v := check(call(s.listTransitions, "/api/v1/workflow/transitions"), http.StatusOK, "TransitionTable")
	if n := len(v["items"].([]any)); n != len(workflow.Transitions) {
		t.Errorf("%d transitions served, the table has %d", n, len(workflow.Transitions))
	}
	v = check(call(s.listRules, "/api/v1/rules"), http.StatusOK, "RuleTable")
	if n := len(v["items"].([]any)); n != len(workflow.Rules) {
		t.Errorf("%d rules served, the table has %d", n, len(workflow.Rules))
	}
	for _, it := range v["items"].([]any) {
		// Every rule has a length for each of the four classes: the every-class entry is expanded.
		if n := len(it.(map[string]any)["length_by_class"].(map[string]any)); n != len(domain.SeverityClasses) {
			t.Errorf("rule %v has %d class lengths, want %d", it.(map[string]any)["id"], n, len(domain.SeverityClasses))
		}
	}
	v = check(call(s.listPenalCode, "/api/v1/penal-code"), http.StatusOK, "PenalClauseList")
	if len(v["items"].([]any)) == 0 {
		t.Error("the penal code catalog is empty")
	}
	check(call(s.listPenalCode, "/api/v1/penal-code?article=256a"), http.StatusOK, "PenalClauseList")
	check(call(s.listPenalCode, "/api/v1/penal-code?article=1"), http.StatusOK, "PenalClauseList")
	check(call(s.listPenalCode, "/api/v1/penal-code?article=173-1"), http.StatusBadRequest, "Error")
}

// The enums of the description list exactly the values the domain and the transition table know.
func TestOpenAPIEnumsMatchDomain(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	enumOf := func(s *openapi3.Schema) []string {
		var out []string
		for _, v := range s.Enum {
			out = append(out, v.(string))
		}
		sort.Strings(out)
		return out
	}
	want := func(xs ...string) []string {
		out := append([]string{}, xs...)
		sort.Strings(out)
		return out
	}
	var steps, guards []string
	seenGuard := map[workflow.GuardID]bool{}
	for _, tr := range workflow.Transitions {
		steps = append(steps, string(tr.Step))
		for _, g := range tr.Guards {
			if !seenGuard[g] {
				seenGuard[g] = true
				guards = append(guards, string(g))
			}
		}
	}
	var ruleIDs, ruleKinds []string
	for _, r := range workflow.Rules {
		ruleIDs = append(ruleIDs, string(r.ID))
		if !slices.Contains(ruleKinds, r.Kind) {
			ruleKinds = append(ruleKinds, r.Kind)
		}
	}
	var docs []string
	for d := range workflow.DocNames {
		docs = append(docs, string(d))
	}
	cases := map[string][]string{
		"Step":                 want(steps...),
		"GuardID":              want(guards...),
		"DocType":              want(docs...),
		"Stage":                want(strs(domain.Stages)...),
		"Subject":              want(string(domain.SubjectCase), string(domain.SubjectAccused), string(domain.SubjectMeasure)),
		"IssuerBody":           want(strs(domain.IssuerBodies)...),
		"DecisionStatus":       want(strs([]domain.DecisionStatus{domain.DecisionEffective, domain.DecisionPending, domain.DecisionApproved, domain.DecisionRefused, domain.DecisionCancelled, domain.DecisionSuperseded})...),
		"ApprovalOutcome":      want(strs([]domain.Outcome{domain.OutcomeApprove, domain.OutcomeRefuse, domain.OutcomeCancel})...),
		"AccusedStatus":        want(strs(domain.AccusedStatuses)...),
		"MeasureKind":          want(strs(domain.MeasureKinds)...),
		"MeasureStage":         want(strs(domain.MeasureStages)...),
		"MeasureStatus":        want(strs([]domain.MeasureStatus{domain.MeasurePending, domain.MeasureActive, domain.MeasureEnded, domain.MeasureRefused})...),
		"SeverityClass":        want(strs(domain.SeverityClasses)...),
		"ReturnedBy":           want(workflow.ReturnedByJudge, workflow.ReturnedByPanel),
		"Role":                 want(strs(domain.Roles)...),
		"UnitLevel":            want(strs(domain.UnitLevels)...),
		"Channel":              want(strs(domain.Channels)...),
		"PartyRole":            want(strs(domain.PartyRoles)...),
		"DayKind":              want(strs(domain.DayKinds)...),
		"Section":              want(strs(domain.Sections)...),
		"Classification":       want(strs(domain.Classifications)...),
		"ClockStatus":          want(strs(workflow.ClockStatuses)...),
		"RuleID":               want(ruleIDs...),
		"RuleKind":             want(ruleKinds...),
		"LengthUnit":           want(strs([]workflow.Unit{workflow.Hours, workflow.Days, workflow.Months})...),
		"ClockSubject":         want("case", "decision", "measure"),
		"DefectCode":           want(strs(workflow.DefectCodes)...),
		"FindingSeverity":      want(string(workflow.SeverityViolation), string(workflow.SeverityWarning)),
		"RecommendationKind":   want(strs(domain.RecommendationKinds)...),
		"RecommendationStatus": want(strs(domain.RecommendationStatuses)...),
		"InstructionStatus":    want(strs(domain.InstructionStatuses)...),
		"FileRequestStatus":    want(strs(domain.FileRequestStatuses)...),
		"Direction":            want(string(domain.DirectionIssued), string(domain.DirectionReceived)),
		"SearchKind":           want(string(domain.SearchCase), string(domain.SearchDocument), string(domain.SearchLaw)),
	}
	for name, w := range cases {
		sr := doc.Components.Schemas[name]
		if sr == nil || sr.Value == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		if got := enumOf(sr.Value); !reflect.DeepEqual(got, w) {
			t.Errorf("schema %s enum = %v, the code knows %v", name, got, w)
		}
	}
	// The lengths and ladders by class name exactly the severity classes.
	for _, name := range []string{"LengthByClass", "RungsByClass"} {
		var got []string
		for p := range doc.Components.Schemas[name].Value.Properties {
			got = append(got, p)
		}
		sort.Strings(got)
		if w := want(strs(domain.SeverityClasses)...); !reflect.DeepEqual(got, w) {
			t.Errorf("schema %s properties = %v, the classes are %v", name, got, w)
		}
	}
	// A recorded decision's step is a table step or the procuracy's answer to a pending one.
	ds := doc.Components.Schemas["DecisionStep"]
	if ds == nil || ds.Value == nil || len(ds.Value.AnyOf) != 2 || ds.Value.AnyOf[0].Ref != "#/components/schemas/Step" ||
		!reflect.DeepEqual(enumOf(ds.Value.AnyOf[1].Value), []string{string(service.StepDecideApproval)}) {
		t.Errorf("DecisionStep must be anyOf Step and [%s]", service.StepDecideApproval)
	}
	// The accused routes accept only the steps they imply.
	acc := doc.Components.Schemas["AccusedDecisionInput"].Value.Properties["step"].Value
	if got := enumOf(acc); !reflect.DeepEqual(got, want(string(workflow.StepInstituteAccused), string(workflow.StepChangeCharges))) {
		t.Errorf("AccusedDecisionInput.step enum = %v", got)
	}
	// The assistant's intents are the service's.
	intent := doc.Components.Schemas["AssistantAnswer"].Value.Properties["intent"].Value
	if got, w := enumOf(intent), want(service.IntentProcedure, service.IntentCounting, service.IntentDocuments, service.IntentClassification,
		service.IntentCase, service.IntentSimilar, service.IntentUnknown); !reflect.DeepEqual(got, w) {
		t.Errorf("AssistantAnswer.intent enum = %v, the assistant knows %v", got, w)
	}
}
