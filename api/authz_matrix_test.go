package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"kiemsat/api"
	"kiemsat/domain"
	"kiemsat/service/seed"
)

// The authorization matrix: who may do what to which case, stated here as an explicit table and
// checked against the real HTTP API. Nothing below calls the product's scope code to compute an
// expectation.

var (
	unitSupreme = seed.SupremeCode
	unitHNI     = seed.ProvinceCode("HNI")
	unitHNIKV01 = seed.RegionalCode("HNI", 1)
	unitHNIKV02 = seed.RegionalCode("HNI", 2)
	unitHCM     = seed.ProvinceCode("HCM")
	unitHCMKV01 = seed.RegionalCode("HCM", 1)
)

// relation is where a case's unit stands relative to the unit of the actor's grant.
type relation string

const (
	relOwn         relation = "own"
	relSubordinate relation = "subordinate" // the case is in a unit below the actor's
	relSuperior    relation = "superior"    // the case is in a unit above the actor's
	relSibling     relation = "sibling"     // same parent, different unit
	relUnrelated   relation = "unrelated"   // another province's subtree
)

// actorUnits are the units the matrix actors hold their grants at (and belong to): a regional
// procuracy and its province, so that every relation occurs.
var actorUnits = []string{unitHNIKV01, unitHNI}

// caseUnits are the units cases are registered at.
var caseUnits = []string{unitSupreme, unitHNI, unitHNIKV01, unitHNIKV02, unitHCM, unitHCMKV01}

// relationOf is the organisation chart as the test sees it, written out by hand.
var relationOf = map[[2]string]relation{
	{unitHNIKV01, unitHNIKV01}: relOwn,
	{unitHNIKV01, unitHNI}:     relSuperior,
	{unitHNIKV01, unitSupreme}: relSuperior,
	{unitHNIKV01, unitHNIKV02}: relSibling,
	{unitHNIKV01, unitHCM}:     relUnrelated,
	{unitHNIKV01, unitHCMKV01}: relUnrelated,

	{unitHNI, unitHNI}:     relOwn,
	{unitHNI, unitHNIKV01}: relSubordinate,
	{unitHNI, unitHNIKV02}: relSubordinate,
	{unitHNI, unitSupreme}: relSuperior,
	{unitHNI, unitHCM}:     relSibling,
	{unitHNI, unitHCMKV01}: relUnrelated,
}

// actorKind is a role, with the prosecutor split by whether they are on the case's team.
type actorKind string

const (
	kClerk         actorKind = "clerk"
	kProsecutor    actorKind = "prosecutor"          // not on the team of any case
	kProsecutorAsg actorKind = "prosecutor_assigned" // on the team of every case of their own unit
	kDeputyChief   actorKind = "deputy_chief"
	kChief         actorKind = "chief"
	kUnitAdmin     actorKind = "unit_admin"
	kAuditor       actorKind = "auditor"
	kSystemAdmin   actorKind = "system_admin"
	kService       actorKind = "service"
)

var actorKinds = []actorKind{kClerk, kProsecutor, kProsecutorAsg, kDeputyChief, kChief, kUnitAdmin, kAuditor, kSystemAdmin, kService}

func (k actorKind) role() domain.Role {
	if k == kProsecutorAsg {
		return domain.RoleProsecutor
	}
	return domain.Role(k)
}

// access is what an actor may do to one case: read it, edit its registration, assign its team,
// record procedural decisions on it.
type access struct{ read, update, assign, decide bool }

var (
	none   = access{}
	ro     = access{read: true}
	rw     = access{read: true, update: true}
	rwd    = access{read: true, update: true, decide: true}
	rwad   = access{read: true, update: true, assign: true, decide: true}
	anyRel = func(a access) map[relation]access {
		return map[relation]access{relOwn: a, relSubordinate: a, relSuperior: a, relSibling: a, relUnrelated: a}
	}
)

// expectNormal is the matrix for ordinary (not secret) cases.
var expectNormal = map[actorKind]map[relation]access{
	kClerk:         {relOwn: rw, relSubordinate: none, relSuperior: none, relSibling: none, relUnrelated: none},
	kProsecutor:    {relOwn: ro, relSubordinate: none, relSuperior: none, relSibling: none, relUnrelated: none},
	kProsecutorAsg: {relOwn: rwd, relSubordinate: none, relSuperior: none, relSibling: none, relUnrelated: none},
	kDeputyChief:   {relOwn: rwad, relSubordinate: ro, relSuperior: none, relSibling: none, relUnrelated: none},
	kChief:         {relOwn: rwad, relSubordinate: ro, relSuperior: none, relSibling: none, relUnrelated: none},
	kUnitAdmin:     anyRel(none),
	kAuditor:       {relOwn: ro, relSubordinate: ro, relSuperior: none, relSibling: none, relUnrelated: none},
	kSystemAdmin:   anyRel(none),
	kService:       {relOwn: ro, relSubordinate: ro, relSuperior: none, relSibling: none, relUnrelated: none},
}

// expectSecret is the matrix for secret (mật) cases: only the team and the chiefs of the case's
// own unit, whatever the role would otherwise reach.
var expectSecret = map[actorKind]map[relation]access{
	kClerk:         anyRel(none),
	kProsecutor:    anyRel(none),
	kProsecutorAsg: {relOwn: rwd, relSubordinate: none, relSuperior: none, relSibling: none, relUnrelated: none},
	kDeputyChief:   {relOwn: rwad, relSubordinate: none, relSuperior: none, relSibling: none, relUnrelated: none},
	kChief:         {relOwn: rwad, relSubordinate: none, relSuperior: none, relSibling: none, relUnrelated: none},
	kUnitAdmin:     anyRel(none),
	kAuditor:       anyRel(none),
	kSystemAdmin:   anyRel(none),
	kService:       anyRel(none),
}

type matrixActor struct {
	kind  actorKind
	unit  string
	name  string
	token string
}

type matrixCase struct {
	id     string
	unit   string
	secret bool
}

func (c matrixCase) label() string {
	if c.secret {
		return c.unit + "/secret"
	}
	return c.unit
}

type matrixFixture struct {
	env    *testEnv
	actors []*matrixActor
	cases  []matrixCase
	// pools hold prosecutors of each case unit to assign, one per attempt, so that an
	// assignment that should be refused but is not shows as 201 and not as a conflict.
	pools    map[string][]string
	poolNext map[string]int
	// hearings are a court hearing (phiên tòa) of each case, by case id, scheduled tomorrow.
	hearings map[string]string
	// instructions (chỉ đạo) of VKS-HNI on each case, and requests of the Supreme Procuracy for
	// the file of each case below it (yêu cầu chuyển hồ sơ), by case id.
	instructions, fileRequests map[string]string
}

func actorName(unit string, k actorKind) string {
	short := map[string]string{unitHNIKV01: "hnkv01", unitHNI: "hn"}[unit]
	return short + "." + string(k)
}

// newMatrixFixture creates the actors, a normal and a secret case at every case unit, and puts
// each prosecutor_assigned actor on the team of both cases of their unit (through the API, as a
// chief of that unit).
func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	env := newTestEnv(t)
	f := &matrixFixture{env: env, pools: map[string][]string{}, poolNext: map[string]int{}, hearings: map[string]string{},
		instructions: map[string]string{}, fileRequests: map[string]string{}}

	var registrar, leader []grantSpec
	for _, u := range caseUnits {
		registrar = append(registrar, grantSpec{domain.RoleClerk, u})
	}
	for _, u := range actorUnits {
		leader = append(leader, grantSpec{domain.RoleChief, u})
	}
	env.createUser(t, "matrix.vanthu", unitHNI, registrar...)
	env.createUser(t, "matrix.lanhdao", unitHNI, leader...)

	for _, u := range actorUnits {
		for _, k := range actorKinds {
			a := &matrixActor{kind: k, unit: u, name: actorName(u, k)}
			env.createUser(t, a.name, u, grantSpec{k.role(), u})
			f.actors = append(f.actors, a)
		}
	}
	for _, u := range caseUnits {
		for i := range 2 * len(f.actors) {
			name := "pool." + strconv.Itoa(i) + "." + map[string]string{unitSupreme: "tc", unitHNI: "hn", unitHNIKV01: "hnkv01",
				unitHNIKV02: "hnkv02", unitHCM: "hcm", unitHCMKV01: "hcmkv01"}[u]
			f.pools[u] = append(f.pools[u], env.createUser(t, name, u, grantSpec{domain.RoleProsecutor, u}).ID)
		}
		for _, secret := range []bool{false, true} {
			cs := env.createCase(t, "matrix.vanthu", u, secret)
			f.cases = append(f.cases, matrixCase{id: cs.ID, unit: u, secret: secret})
		}
	}
	for _, a := range f.actors {
		a.token = env.login(t, a.name)
	}
	// A hearing of every case, written directly: the cases are crime reports, far from any court,
	// and what the matrix checks is who reaches a hearing, not when one may be scheduled.
	for _, c := range f.cases {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := env.Store.SQL().ExecContext(t.Context(), `INSERT INTO hearings (id, case_id, unit_id, level, court_name, scheduled_at,
			prosecutor_id, status, created_by, created_at, updated_at) SELECT $1, c.id, c.unit_id, 'first_instance', 'Tòa án nhân dân',
			$2::timestamptz + interval '1 day', $3, 'scheduled', $3, $2, $2 FROM cases c WHERE c.id = $4`,
			id, env.Clock.Now(), f.pools[c.unit][0], c.id); err != nil {
			t.Fatalf("setup: hearing of %s: %v", c.label(), err)
		}
		f.hearings[c.id] = id
	}
	// An instruction of VKS-HNI, issued by matrix.lanhdao, on every case, and a request of the
	// Supreme Procuracy for the file of every case below it, written directly: the matrix checks who
	// reaches them, not who may create them (that is checked below, per cell).
	lanhdao := env.user(t, "matrix.lanhdao").ID
	for _, c := range f.cases {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := env.Store.SQL().ExecContext(t.Context(), `INSERT INTO instructions (id, case_id, issuer_unit_id, addressee_unit_id, body, due_on,
			status, created_by, created_at, updated_at) SELECT $1, c.id, $2, c.unit_id, 'Báo cáo tiến độ.', ($3::timestamptz)::date + 7, 'open', $4, $3, $3
			FROM cases c WHERE c.id = $5`, id, env.unit(t, unitHNI).ID, env.Clock.Now(), lanhdao, c.id); err != nil {
			t.Fatalf("setup: instruction on %s: %v", c.label(), err)
		}
		f.instructions[c.id] = id
		if c.unit == unitSupreme {
			continue
		}
		id = uuid.Must(uuid.NewV7()).String()
		if _, err := env.Store.SQL().ExecContext(t.Context(), `INSERT INTO file_requests (id, case_id, requester_unit_id, case_unit_id, reason, due_on,
			status, requested_by, created_at, updated_at) SELECT $1, c.id, $2, c.unit_id, 'Kiểm tra hồ sơ.', ($3::timestamptz)::date + 7, 'pending', $4, $3, $3
			FROM cases c WHERE c.id = $5`, id, env.unit(t, unitSupreme).ID, env.Clock.Now(), lanhdao, c.id); err != nil {
			t.Fatalf("setup: file request on %s: %v", c.label(), err)
		}
		f.fileRequests[c.id] = id
	}
	boss := env.login(t, "matrix.lanhdao")
	for _, a := range f.actors {
		if a.kind != kProsecutorAsg {
			continue
		}
		for _, c := range f.cases {
			if c.unit != a.unit {
				continue
			}
			status, body := env.do(t, http.MethodPost, "/api/v1/cases/"+c.id+"/assignments", boss,
				map[string]any{"version": env.caseVersion(t, c.id), "user_id": env.user(t, a.name).ID, "role": "lead"})
			if status != http.StatusCreated {
				t.Fatalf("setup: assign %s to %s: %d %v", a.name, c.label(), status, body)
			}
		}
	}
	return f
}

func (f *matrixFixture) nextAssignee(t *testing.T, unit string) string {
	t.Helper()
	i := f.poolNext[unit]
	if i >= len(f.pools[unit]) {
		t.Fatalf("assignee pool of %s exhausted", unit)
	}
	f.poolNext[unit] = i + 1
	return f.pools[unit][i]
}

// listIDs returns the ids of every case GET /api/v1/cases returns to the token (the fixture
// holds fewer cases than one page).
func (f *matrixFixture) listIDs(t *testing.T, token string) map[string]bool {
	t.Helper()
	status, body := f.env.do(t, http.MethodGet, "/api/v1/cases?limit="+strconv.Itoa(domain.MaxPageSize), token, nil)
	if status != http.StatusOK {
		t.Fatalf("list cases: %d %v", status, body)
	}
	items, _ := body["items"].([]any)
	if _, more := body["next_cursor"]; more {
		t.Fatalf("list cases: unexpected second page")
	}
	ids := map[string]bool{}
	for _, it := range items {
		ids[it.(map[string]any)["id"].(string)] = true
	}
	if total, _ := body["total"].(float64); int(total) != len(ids) {
		t.Errorf("list cases: total %v but %d items", body["total"], len(ids))
	}
	return ids
}

func expected(a *matrixActor, c matrixCase) (relation, access) {
	rel, ok := relationOf[[2]string{a.unit, c.unit}]
	if !ok {
		panic("no relation for " + a.unit + " → " + c.unit)
	}
	table := expectNormal
	if c.secret {
		table = expectSecret
	}
	acc, ok := table[a.kind][rel]
	if !ok {
		panic("no expectation for " + string(a.kind) + " × " + string(rel))
	}
	return rel, acc
}

func TestAuthzMatrix(t *testing.T) {
	f := newMatrixFixture(t)
	env := f.env
	seen := map[actorKind]map[relation]bool{}
	for _, a := range f.actors {
		listed := f.listIDs(t, a.token)
		for _, c := range f.cases {
			rel, acc := expected(a, c)
			if seen[a.kind] == nil {
				seen[a.kind] = map[relation]bool{}
			}
			seen[a.kind][rel] = true
			t.Run(a.name+"/"+c.label()+"("+string(rel)+")", func(t *testing.T) {
				wantGet, wantPatch, wantAssign := http.StatusNotFound, http.StatusNotFound, http.StatusNotFound
				if acc.read {
					wantGet, wantPatch, wantAssign = http.StatusOK, http.StatusForbidden, http.StatusForbidden
					if acc.update {
						wantPatch = http.StatusOK
					}
					if acc.assign {
						wantAssign = http.StatusCreated
					}
				}
				if got := listed[c.id]; got != acc.read {
					t.Errorf("GET /cases lists it = %v, want %v", got, acc.read)
				}
				path := "/api/v1/cases/" + c.id
				if status, body := env.do(t, http.MethodGet, path, a.token, nil); status != wantGet {
					t.Errorf("GET case: %d, want %d (%v)", status, wantGet, body)
				} else if status == http.StatusOK && body["id"] != c.id {
					t.Errorf("GET case returned %v", body["id"])
				}
				// The case's deadlines are read like the case.
				if status, body := env.do(t, http.MethodGet, path+"/deadlines", a.token, nil); status != wantGet {
					t.Errorf("GET deadlines: %d, want %d (%v)", status, wantGet, body)
				} else if status == http.StatusOK && body["case_id"] != c.id {
					t.Errorf("GET deadlines returned %v", body["case_id"])
				}
				// So are its procedural defects (vi phạm tố tụng).
				if status, body := env.do(t, http.MethodGet, path+"/findings", a.token, nil); status != wantGet {
					t.Errorf("GET findings: %d, want %d (%v)", status, wantGet, body)
				} else if status == http.StatusOK && body["case_id"] != c.id {
					t.Errorf("GET findings returned %v", body["case_id"])
				}
				// So is its case file (hồ sơ vụ án).
				if status, body := env.do(t, http.MethodGet, path+"/files", a.token, nil); status != wantGet {
					t.Errorf("GET files: %d, want %d (%v)", status, wantGet, body)
				} else if status == http.StatusOK && body["case_id"] != c.id {
					t.Errorf("GET files returned %v", body["case_id"])
				}
				// Filing a document takes the right to edit the case: who may gets past
				// authorization to the refusal of the file's type (an executable), so nothing is
				// ever stored; who may read gets 403; everyone else 404.
				wantUpload := http.StatusNotFound
				switch {
				case acc.update:
					wantUpload = http.StatusUnprocessableEntity
				case acc.read:
					wantUpload = http.StatusForbidden
				}
				if status, body := env.upload(t, path+"/files", a.token, "evidence", []byte("MZ\x90\x00executable")); status != wantUpload {
					t.Errorf("POST files: %d, want %d (%v)", status, wantUpload, body)
				} else if status == http.StatusUnprocessableEntity && !strings.Contains(fmt.Sprint(body), "type") {
					t.Errorf("POST files refused for another reason than the type: %v", body)
				}
				summary := "Nội dung đã được " + a.name + " cập nhật"
				status, body := env.do(t, http.MethodPatch, path, a.token, map[string]any{"version": env.caseVersion(t, c.id), "summary": summary})
				if status != wantPatch {
					t.Errorf("PATCH case: %d, want %d (%v)", status, wantPatch, body)
				}
				if stored, err := env.Store.GetCase(t.Context(), c.id); err != nil {
					t.Fatal(err)
				} else if (stored.Summary == summary) != (wantPatch == http.StatusOK) {
					t.Errorf("after PATCH %d the stored summary is %q", status, stored.Summary)
				}
				assignee := f.nextAssignee(t, c.unit)
				status, body = env.do(t, http.MethodPost, path+"/assignments", a.token,
					map[string]any{"version": env.caseVersion(t, c.id), "user_id": assignee, "role": "support"})
				if status != wantAssign {
					t.Errorf("POST assignment: %d, want %d (%v)", status, wantAssign, body)
				}
				stored, err := env.Store.GetCase(t.Context(), c.id)
				if err != nil {
					t.Fatal(err)
				}
				onTeam := slices.ContainsFunc(stored.Team, func(x domain.Assignment) bool { return x.UserID == assignee && x.EndedAt == nil })
				if onTeam != (wantAssign == http.StatusCreated) {
					t.Errorf("after POST assignment %d the assignee on team = %v", status, onTeam)
				}
				// Recording a decision: who may gets past authorization to the date check (dated
				// before the report was received, so nothing is ever written); who may read gets
				// 403; everyone else 404.
				wantDecide := http.StatusNotFound
				switch {
				case acc.decide:
					wantDecide = http.StatusUnprocessableEntity
				case acc.read:
					wantDecide = http.StatusForbidden
				}
				status, body = env.do(t, http.MethodPost, path+"/decisions", a.token, map[string]any{"version": env.caseVersion(t, c.id),
					"step": "suspend_report", "issuer": "investigating_agency", "issued_on": "2000-01-01"})
				if status != wantDecide {
					t.Errorf("POST decision: %d, want %d (%v)", status, wantDecide, body)
				} else if status == http.StatusUnprocessableEntity && !strings.Contains(fmt.Sprint(body), "date_order") {
					t.Errorf("POST decision refused for another reason than the date: %v", body)
				}
				// Its court hearings (phiên tòa) are read like the case, and scheduled (and recorded)
				// by whoever may decide on it at its own unit: they get past authorization to the
				// stage (a report is far from a court) or the missing version; readers get 403.
				if status, body := env.do(t, http.MethodGet, path+"/hearings", a.token, nil); status != wantGet {
					t.Errorf("GET hearings: %d, want %d (%v)", status, wantGet, body)
				} else if status == http.StatusOK && (body["case_id"] != c.id || body["total"] != float64(1)) {
					t.Errorf("GET hearings returned %v", body)
				}
				if status, body := env.do(t, http.MethodGet, "/api/v1/hearings/"+f.hearings[c.id], a.token, nil); status != wantGet {
					t.Errorf("GET hearing: %d, want %d (%v)", status, wantGet, body)
				} else if status == http.StatusOK && body["id"] != f.hearings[c.id] {
					t.Errorf("GET hearing returned %v", body["id"])
				}
				status, body = env.do(t, http.MethodPost, path+"/hearings", a.token, map[string]any{"level": "first_instance"})
				if status != wantDecide {
					t.Errorf("POST hearing: %d, want %d (%v)", status, wantDecide, body)
				} else if status == http.StatusUnprocessableEntity && !strings.Contains(fmt.Sprint(body), "case_stage") {
					t.Errorf("POST hearing refused for another reason than the stage: %v", body)
				}
				status, body = env.do(t, http.MethodPost, "/api/v1/hearings/"+f.hearings[c.id]+"/cancel", a.token, map[string]any{"reason": "Nhầm lịch"})
				if status != wantDecide {
					t.Errorf("POST hearing cancel: %d, want %d (%v)", status, wantDecide, body)
				} else if status == http.StatusUnprocessableEntity && !strings.Contains(fmt.Sprint(body), "version") {
					t.Errorf("POST hearing cancel refused for another reason than the version: %v", body)
				}
				f.checkSupervision(t, a, c, acc, rel, wantGet)
				// A recommendation (kiến nghị) is written by whoever may decide on the case: they get
				// past authorization to the validation of the (empty) kind; readers get 403.
				status, body = env.do(t, http.MethodPost, path+"/recommendations", a.token, map[string]any{"addressee": "Cơ quan điều tra",
					"subject": "Kiến nghị", "body": "Nội dung"})
				if status != wantDecide {
					t.Errorf("POST recommendation: %d, want %d (%v)", status, wantDecide, body)
				} else if status == http.StatusUnprocessableEntity && !strings.Contains(fmt.Sprint(body), "kind") {
					t.Errorf("POST recommendation refused for another reason than the kind: %v", body)
				}
			})
		}
	}
	// The hearing calendar (lịch xét xử) of each case unit: whoever may read that unit's cases
	// gets its calendar with exactly the hearings of the cases they may read; everyone else the
	// 404 of a unit that does not exist.
	for _, a := range f.actors {
		for _, u := range caseUnits {
			rel, acc := expected(a, matrixCase{unit: u})
			t.Run(a.name+"/calendar/"+u+"("+string(rel)+")", func(t *testing.T) {
				status, body := env.do(t, http.MethodGet, "/api/v1/hearings?include_subunits=false&limit=200&unit_id="+strconv.FormatInt(env.unit(t, u).ID, 10), a.token, nil)
				if !acc.read {
					if status != http.StatusNotFound {
						t.Errorf("GET /hearings: %d, want 404 (%v)", status, body)
					}
					return
				}
				if status != http.StatusOK {
					t.Fatalf("GET /hearings: %d, want 200 (%v)", status, body)
				}
				got, want := map[string]bool{}, map[string]bool{}
				items, _ := body["items"].([]any)
				for _, it := range items {
					got[it.(map[string]any)["id"].(string)] = true
				}
				for _, c := range f.cases {
					if _, ca := expected(a, c); c.unit == u && ca.read {
						want[f.hearings[c.id]] = true
					}
				}
				if !mapsEqual(got, want) || body["total"] != float64(len(want)) {
					t.Errorf("calendar lists %v (total %v), want %v", got, body["total"], want)
				}
			})
		}
	}
	// The supervision lists and subscriptions, per actor: the instructions and file requests listed
	// are exactly those on the cases the actor reads; whoever reads cases may subscribe.
	for _, a := range f.actors {
		t.Run(a.name+"/supervision-lists", func(t *testing.T) { f.checkSupervisionLists(t, a) })
	}
	// Every cell of the brief's matrix is exercised: each role (both prosecutor variants) in
	// each of the five relations.
	for _, k := range actorKinds {
		for _, rel := range []relation{relOwn, relSubordinate, relSuperior, relSibling, relUnrelated} {
			if !seen[k][rel] {
				t.Errorf("matrix never exercised %s × %s", k, rel)
			}
		}
	}
}

// TestListScopeAgreesWithObjectCheck proves the SQL row filter of the list and the per-object
// check of GET /cases/{id} are the same rule: for every actor, the set of ids the list returns
// equals the set of ids GET answers 200 for. An ended assignment is included, since the list
// and the object check each decide "on the team" on their own.
func TestListScopeAgreesWithObjectCheck(t *testing.T) {
	f := newMatrixFixture(t)
	env := f.env

	// A secret case at HNI-KV01 the plain prosecutor of that unit was on the team of, then
	// taken off: they must lose it in both views.
	ended := env.createCase(t, "matrix.vanthu", unitHNIKV01, true)
	f.cases = append(f.cases, matrixCase{id: ended.ID, unit: unitHNIKV01, secret: true})
	boss := env.login(t, "matrix.lanhdao")
	plain := env.user(t, actorName(unitHNIKV01, kProsecutor))
	status, body := env.do(t, http.MethodPost, "/api/v1/cases/"+ended.ID+"/assignments", boss,
		map[string]any{"version": env.caseVersion(t, ended.ID), "user_id": plain.ID, "role": "lead"})
	if status != http.StatusCreated {
		t.Fatalf("assign: %d %v", status, body)
	}
	team, _ := body["team"].([]any)
	if len(team) != 1 {
		t.Fatalf("team after assign: %v", body["team"])
	}
	asgID := team[0].(map[string]any)["id"].(string)
	plainTok := f.actorToken(actorName(unitHNIKV01, kProsecutor))
	if status, _ := env.do(t, http.MethodGet, "/api/v1/cases/"+ended.ID, plainTok, nil); status != http.StatusOK {
		t.Fatalf("assigned prosecutor reads the secret case: %d, want 200", status)
	}
	status, body = env.do(t, http.MethodDelete, "/api/v1/cases/"+ended.ID+"/assignments/"+asgID+"?version="+strconv.Itoa(env.caseVersion(t, ended.ID)), boss, nil)
	if status != http.StatusOK {
		t.Fatalf("unassign: %d %v", status, body)
	}

	// Two cases of HNI-KV02 transferred to HCM-KV01: the former unit's subtree keeps reading
	// the normal one (and only reading it), never the secret one; both views must agree on that.
	env.createUser(t, "matrix.kv02chief", unitHNIKV02, grantSpec{domain.RoleChief, unitHNIKV02})
	kv02Chief := env.login(t, "matrix.kv02chief")
	var movedNormal string
	for _, secret := range []bool{false, true} {
		moved := env.createCase(t, "matrix.vanthu", unitHNIKV02, secret)
		status, body := env.do(t, http.MethodPost, "/api/v1/cases/"+moved.ID+"/decisions", kv02Chief, map[string]any{"version": env.caseVersion(t, moved.ID),
			"step": "transfer", "issuer": "procuracy", "issued_on": env.Clock.Now().Format(time.DateOnly), "target_unit_id": env.unit(t, unitHCMKV01).ID})
		if status != http.StatusCreated {
			t.Fatalf("transfer: %d %v", status, body)
		}
		f.cases = append(f.cases, matrixCase{id: moved.ID, unit: unitHCMKV01, secret: secret})
		if !secret {
			movedNormal = moved.ID
		}
	}
	hnChief := f.actorToken(actorName(unitHNI, kChief))
	if status, _ := env.do(t, http.MethodGet, "/api/v1/cases/"+movedNormal, hnChief, nil); status != http.StatusOK {
		t.Errorf("the former unit's provincial chief reads the transferred case: %d, want 200", status)
	}
	if status, _ := env.do(t, http.MethodPatch, "/api/v1/cases/"+movedNormal, hnChief, map[string]any{"version": env.caseVersion(t, movedNormal),
		"summary": "Sửa sau khi vụ án đã chuyển đi nơi khác"}); status != http.StatusForbidden {
		t.Errorf("the former unit's chief edits the transferred case: %d, want 403", status)
	}

	for _, a := range f.actors {
		t.Run(a.name, func(t *testing.T) {
			listed := f.listIDs(t, a.token)
			readable := map[string]bool{}
			for _, c := range f.cases {
				status, body := env.do(t, http.MethodGet, "/api/v1/cases/"+c.id, a.token, nil)
				switch status {
				case http.StatusOK:
					readable[c.id] = true
				case http.StatusNotFound:
				default:
					t.Errorf("GET %s: %d %v", c.label(), status, body)
				}
			}
			if !mapsEqual(listed, readable) {
				t.Errorf("list and object check disagree:\n list only: %v\n GET only:  %v", f.labels(minus(listed, readable)), f.labels(minus(readable, listed)))
			}
			if a.name == plain.Username && (listed[ended.ID] || readable[ended.ID]) {
				t.Errorf("prosecutor taken off a secret case still reaches it: list %v, GET %v", listed[ended.ID], readable[ended.ID])
			}
		})
	}
}

func (f *matrixFixture) actorToken(name string) string {
	for _, a := range f.actors {
		if a.name == name {
			return a.token
		}
	}
	panic("no actor " + name)
}

func (f *matrixFixture) labels(ids map[string]bool) []string {
	var out []string
	for _, c := range f.cases {
		if ids[c.id] {
			out = append(out, c.label())
		}
	}
	for id := range ids {
		if !slices.ContainsFunc(f.cases, func(c matrixCase) bool { return c.id == id }) {
			out = append(out, "unknown:"+id)
		}
	}
	sort.Strings(out)
	return out
}

func mapsEqual(a, b map[string]bool) bool {
	return len(minus(a, b)) == 0 && len(minus(b, a)) == 0
}

func minus(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range a {
		if v && !b[k] {
			out[k] = true
		}
	}
	return out
}

// TestEveryRouteHasARule: every route of the table declares a known rule, and gin serves no
// route the table does not list, so a route added without a rule fails here.
func TestEveryRouteHasARule(t *testing.T) {
	env := newTestEnv(t)
	valid := map[api.Rule]bool{api.RulePublic: true, api.RuleAuthenticated: true}
	if api.RulePublic != "public" || api.RuleAuthenticated != "authenticated" {
		t.Fatalf("rule names changed: %q, %q", api.RulePublic, api.RuleAuthenticated)
	}
	for _, act := range domain.Actions {
		valid[api.Rule(act)] = true
	}
	table := map[string]bool{}
	for _, r := range env.Server.Routes() {
		key := r.Method + " " + r.Path
		if r.Rule == "" {
			t.Errorf("%s has no rule", key)
		} else if !valid[r.Rule] {
			t.Errorf("%s has unknown rule %q", key, r.Rule)
		}
		if table[key] {
			t.Errorf("%s listed twice", key)
		}
		table[key] = true
	}
	served := map[string]bool{}
	for _, r := range env.Server.Engine().Routes() {
		key := r.Method + " " + r.Path
		served[key] = true
		if !table[key] {
			t.Errorf("gin serves %s, which is not in Routes() and so has no rule", key)
		}
	}
	for key := range table {
		if !served[key] {
			t.Errorf("Routes() lists %s but gin does not serve it", key)
		}
	}
	if len(table) < 20 {
		t.Errorf("only %d routes in the table", len(table))
	}
}

// TestUnitAdminScoping: a unit admin of a province manages users and grants of its subtree only,
// never grants system_admin, never grants to itself, never makes a peer admin of its own unit.
func TestUnitAdminScoping(t *testing.T) {
	env := newTestEnv(t)
	admin := env.createUser(t, "hn.quantri", unitHNI, grantSpec{domain.RoleUnitAdmin, unitHNI})
	tok := env.login(t, "hn.quantri")

	newUser := func(username, unit string) (int, map[string]any) {
		return env.do(t, http.MethodPost, "/api/v1/users", tok, map[string]any{"username": username, "full_name": "Cán bộ mới",
			"unit_id": env.unit(t, unit).ID, "password": testPassword, "must_change_password": false})
	}
	grant := func(userID string, role domain.Role, unit string) (int, map[string]any) {
		return env.do(t, http.MethodPost, "/api/v1/users/"+userID+"/grants", tok, map[string]any{"role": role, "unit_id": env.unit(t, unit).ID})
	}
	grantsOf := func(userID string) int {
		status, body := env.do(t, http.MethodGet, "/api/v1/users/"+userID+"/grants", tok, nil)
		if status != http.StatusOK {
			t.Fatalf("list grants: %d %v", status, body)
		}
		return int(body["total"].(float64))
	}

	status, body := newUser("kv01.canbo", unitHNIKV01)
	if status != http.StatusCreated {
		t.Fatalf("create user in %s: %d %v, want 201", unitHNIKV01, status, body)
	}
	kv01User := body["id"].(string)

	if status, body := newUser("hcm.canbo", unitHCM); status != http.StatusForbidden {
		t.Errorf("create user in %s: %d %v, want 403", unitHCM, status, body)
	}
	if _, err := env.Store.GetCredentials(t.Context(), "hcm.canbo"); domain.ErrorCodeOf(err) != domain.CodeNotFound {
		t.Errorf("refused user was created anyway: %v", err)
	}

	if status, body := grant(kv01User, domain.RoleSystemAdmin, unitHNIKV01); status != http.StatusForbidden {
		t.Errorf("grant system_admin: %d %v, want 403", status, body)
	}
	if status, body := grant(kv01User, domain.RoleClerk, unitHCM); status != http.StatusForbidden {
		t.Errorf("grant at %s: %d %v, want 403", unitHCM, status, body)
	}
	if status, body := grant(admin.ID, domain.RoleClerk, unitHNIKV01); status != http.StatusForbidden {
		t.Errorf("grant to itself: %d %v, want 403", status, body)
	}
	if status, body := grant(admin.ID, domain.RoleSystemAdmin, unitHNI); status != http.StatusForbidden {
		t.Errorf("grant system_admin to itself: %d %v, want 403", status, body)
	}
	status, body = newUser("hn.canbo", unitHNI)
	if status != http.StatusCreated {
		t.Fatalf("create user in %s: %d %v, want 201", unitHNI, status, body)
	}
	hnUser := body["id"].(string)
	if status, body := grant(hnUser, domain.RoleUnitAdmin, unitHNI); status != http.StatusForbidden {
		t.Errorf("grant unit_admin at own unit %s: %d %v, want 403", unitHNI, status, body)
	}
	if n := grantsOf(kv01User); n != 0 {
		t.Errorf("refused grants left %d grants behind", n)
	}
	if n := grantsOf(hnUser); n != 0 {
		t.Errorf("refused grants left %d grants behind", n)
	}
	if n := grantsOf(admin.ID); n != 1 {
		t.Errorf("the admin now holds %d grants, want its 1", n)
	}

	status, body = grant(kv01User, domain.RoleUnitAdmin, unitHNIKV01)
	if status != http.StatusCreated {
		t.Fatalf("grant unit_admin at child unit %s: %d %v, want 201", unitHNIKV01, status, body)
	}
	if body["role"] != string(domain.RoleUnitAdmin) || body["unit_code"] != unitHNIKV01 {
		t.Errorf("grant returned %v", body)
	}

	// The new admin of KV01 works at once and only in its subtree, not at its own peers.
	kvTok := env.login(t, "kv01.canbo")
	if status, body := env.do(t, http.MethodPost, "/api/v1/users", kvTok, map[string]any{"username": "kv02.canbo", "full_name": "Cán bộ mới",
		"unit_id": env.unit(t, unitHNIKV02).ID, "password": testPassword}); status != http.StatusForbidden {
		t.Errorf("KV01 admin creates a user in KV02: %d %v, want 403", status, body)
	}
}

// TestRevokedGrantStopsAtOnce: a revoked grant stops working on the very next request of a token
// issued before the revocation, without restarting anything.
func TestRevokedGrantStopsAtOnce(t *testing.T) {
	env := newTestEnv(t)
	env.createUser(t, "hn.quantri", unitHNI, grantSpec{domain.RoleUnitAdmin, unitHNI})
	clerk := env.createUser(t, "hnkv01.thuky", unitHNIKV01, grantSpec{domain.RoleClerk, unitHNIKV01})
	subAdmin := env.createUser(t, "hnkv01.quantri", unitHNIKV01, grantSpec{domain.RoleUnitAdmin, unitHNIKV01})
	cs := env.createCase(t, "hnkv01.thuky", unitHNIKV01, false)
	adminTok := env.login(t, "hn.quantri")
	clerkTok := env.login(t, "hnkv01.thuky")
	subTok := env.login(t, "hnkv01.quantri")

	grantID := func(userID string) string {
		status, body := env.do(t, http.MethodGet, "/api/v1/users/"+userID+"/grants", adminTok, nil)
		if status != http.StatusOK {
			t.Fatalf("list grants: %d %v", status, body)
		}
		items := body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("grants of %s: %v", userID, items)
		}
		return items[0].(map[string]any)["id"].(string)
	}
	revoke := func(userID string) {
		status, body := env.do(t, http.MethodDelete, "/api/v1/users/"+userID+"/grants/"+grantID(userID), adminTok, nil)
		if status != http.StatusNoContent {
			t.Fatalf("revoke: %d %v", status, body)
		}
	}
	newUser := func(username string) int {
		status, _ := env.do(t, http.MethodPost, "/api/v1/users", subTok, map[string]any{"username": username, "full_name": "Cán bộ mới",
			"unit_id": env.unit(t, unitHNIKV01).ID, "password": testPassword})
		return status
	}
	caseInput := map[string]any{"kind": "report", "unit_id": env.unit(t, unitHNIKV01).ID, "received_at": env.Clock.Now().Add(-time.Hour),
		"channel": "phone", "source_type": "denunciation", "summary": "Tin báo về hành vi lừa đảo", "reporter_name": "Trần Văn B"}

	if status, _ := env.do(t, http.MethodGet, "/api/v1/cases/"+cs.ID, clerkTok, nil); status != http.StatusOK {
		t.Fatalf("before revocation the clerk reads the case: %d", status)
	}
	if status := newUser("kv01.truoc"); status != http.StatusCreated {
		t.Fatalf("before revocation the KV01 admin creates a user: %d", status)
	}

	revoke(clerk.ID)
	if status, _ := env.do(t, http.MethodGet, "/api/v1/cases/"+cs.ID, clerkTok, nil); status != http.StatusNotFound {
		t.Errorf("after revocation GET case: %d, want 404", status)
	}
	status, body := env.do(t, http.MethodGet, "/api/v1/cases?limit=200", clerkTok, nil)
	if status != http.StatusOK || body["total"].(float64) != 0 {
		t.Errorf("after revocation the list: %d %v, want 200 and nothing", status, body)
	}
	if status, body := env.do(t, http.MethodPost, "/api/v1/cases", clerkTok, caseInput); status != http.StatusForbidden {
		t.Errorf("after revocation POST case: %d %v, want 403", status, body)
	}

	revoke(subAdmin.ID)
	if status := newUser("kv01.sau"); status != http.StatusForbidden {
		t.Errorf("after revocation the former KV01 admin creates a user: %d, want 403", status)
	}
	if _, err := env.Store.GetCredentials(t.Context(), "kv01.sau"); domain.ErrorCodeOf(err) != domain.CodeNotFound {
		t.Errorf("user created after revocation: %v", err)
	}
}

// checkSupervision is one cell of the matrix for supervision across levels (migration 00016):
// instructions (chỉ đạo), requests for case files (yêu cầu chuyển hồ sơ) and the public-interest
// mark. Who may act gets past authorization to a validation error, so nothing is ever written;
// who may read gets 403; everyone else 404.
func (f *matrixFixture) checkSupervision(t *testing.T, a *matrixActor, c matrixCase, acc access, rel relation, wantGet int) {
	t.Helper()
	env, path := f.env, "/api/v1/cases/"+c.id
	leader := a.kind == kChief || a.kind == kDeputyChief
	want := func(may bool) int {
		switch {
		case may:
			return http.StatusUnprocessableEntity
		case acc.read:
			return http.StatusForbidden
		}
		return http.StatusNotFound
	}
	check := func(what string, status int, body map[string]any, wantStatus int, field string) {
		t.Helper()
		if status != wantStatus {
			t.Errorf("%s: %d, want %d (%v)", what, status, wantStatus, body)
		} else if status == http.StatusUnprocessableEntity && !strings.Contains(fmt.Sprint(body), field) {
			t.Errorf("%s refused for another reason than %s: %v", what, field, body)
		}
	}
	// Instructions: read like the case; issued by the leaders of the case's unit and the units
	// above it (a due date in the past is refused after authorization).
	if status, body := env.do(t, http.MethodGet, path+"/instructions", a.token, nil); status != wantGet {
		t.Errorf("GET case instructions: %d, want %d (%v)", status, wantGet, body)
	} else if status == http.StatusOK && body["total"] != float64(1) {
		t.Errorf("GET case instructions returned %v", body)
	}
	if status, body := env.do(t, http.MethodGet, "/api/v1/instructions/"+f.instructions[c.id], a.token, nil); status != wantGet {
		t.Errorf("GET instruction: %d, want %d (%v)", status, wantGet, body)
	}
	status, body := env.do(t, http.MethodPost, path+"/instructions", a.token, map[string]any{"text": "Báo cáo.", "due_on": "2000-01-01"})
	check("POST instruction", status, body, want(acc.read && leader), "due_on")
	// The addressed unit (the case's) reports: its leaders and the prosecutors on the team.
	status, body = env.do(t, http.MethodPost, "/api/v1/instructions/"+f.instructions[c.id]+"/respond", a.token, map[string]any{"response": "Đã làm."})
	check("POST instruction respond", status, body, want(acc.decide), "version")
	// The issuing side (VKS-HNI's leaders) closes, reopens and cancels.
	for _, move := range []string{"close", "reopen", "cancel"} {
		status, body = env.do(t, http.MethodPost, "/api/v1/instructions/"+f.instructions[c.id]+"/"+move, a.token, map[string]any{"note": "Ý kiến."})
		check("POST instruction "+move, status, body, want(acc.read && leader && a.unit == unitHNI), "version")
	}
	// Requests for case files: by the leaders and prosecutors of a unit strictly above the case's,
	// who may ask for files they cannot read unless the case is secret.
	requester := leader || a.kind == kProsecutor || a.kind == kProsecutorAsg
	status, body = env.do(t, http.MethodPost, path+"/file-requests", a.token, map[string]any{"due_on": "2099-01-01"})
	check("POST file request", status, body, want(rel == relSubordinate && requester && (acc.read || !c.secret)), "reason")
	// Answered by the leaders of the unit asked (the case's).
	if id, ok := f.fileRequests[c.id]; ok {
		status, body = env.do(t, http.MethodPost, "/api/v1/file-requests/"+id+"/answer", a.token, map[string]any{"outcome": "sent"})
		check("POST file request answer", status, body, want(acc.assign), "version")
	}
	// The public-interest mark: whoever may decide on the case at its own unit.
	status, body = env.do(t, http.MethodPut, path+"/public-interest", a.token, map[string]any{"public_interest": true})
	check("PUT public interest", status, body, want(acc.decide), "version")
}

// checkSupervisionLists checks, for one actor, that GET /instructions and GET /file-requests list
// exactly the records on the cases the actor reads, and that subscribing takes the right to read
// cases.
func (f *matrixFixture) checkSupervisionLists(t *testing.T, a *matrixActor) {
	env := f.env
	for _, l := range []struct {
		path string
		ids  map[string]string
	}{{"/api/v1/instructions?limit=200", f.instructions}, {"/api/v1/file-requests?limit=200", f.fileRequests}} {
		status, body := env.do(t, http.MethodGet, l.path, a.token, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", l.path, status, body)
		}
		got, want := map[string]bool{}, map[string]bool{}
		items, _ := body["items"].([]any)
		for _, it := range items {
			got[it.(map[string]any)["id"].(string)] = true
		}
		for _, c := range f.cases {
			if _, acc := expected(a, c); acc.read && l.ids[c.id] != "" {
				want[l.ids[c.id]] = true
			}
		}
		if !mapsEqual(got, want) || body["total"] != float64(len(want)) {
			t.Errorf("GET %s lists %d (total %v), want %d", l.path, len(got), body["total"], len(want))
		}
	}
	reads := a.kind != kUnitAdmin && a.kind != kSystemAdmin
	status, body := env.do(t, http.MethodPost, "/api/v1/subscriptions", a.token, map[string]any{"public_interest": true})
	if !reads {
		if status != http.StatusForbidden {
			t.Errorf("POST subscription by an actor who reads no case: %d, want 403 (%v)", status, body)
		}
		return
	}
	if status != http.StatusCreated {
		t.Fatalf("POST subscription: %d, want 201 (%v)", status, body)
	}
	id := body["id"].(string)
	if status, body := env.do(t, http.MethodGet, "/api/v1/subscriptions/"+id+"/cases", a.token, nil); status != http.StatusOK || body["total"] != float64(0) {
		t.Errorf("GET subscription cases: %d %v, want 200 and none (no case is of public interest)", status, body)
	}
	if status, body := env.do(t, http.MethodDelete, "/api/v1/subscriptions/"+id, a.token, nil); status != http.StatusNoContent {
		t.Errorf("DELETE subscription: %d %v", status, body)
	}
}
