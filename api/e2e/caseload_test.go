package e2e_test

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/service/seed"
)

// The chiefs' caseload review (kiểm tra tình hình thụ lý): a superior's figures are the sum of its
// units', every figure is the total of the case list behind it, the scope is the case list's, and
// what people do shows in the figures exactly.

type figuresView struct {
	ByStage            map[string]int64 `json:"by_stage"`
	Open               int64            `json:"open"`
	Suspended          int64            `json:"suspended"`
	Received           int64            `json:"received"`
	Closed             int64            `json:"closed"`
	OverdueClocks      int64            `json:"overdue_clocks"`
	OverdueCases       int64            `json:"overdue_cases"`
	DueSoonClocks      int64            `json:"due_soon_clocks"`
	DueSoonCases       int64            `json:"due_soon_cases"`
	InDetention        int64            `json:"in_detention"`
	InDetentionCases   int64            `json:"in_detention_cases"`
	OpenViolations     int64            `json:"open_violations"`
	OpenViolationCases int64            `json:"open_violation_cases"`
}

func (f figuresView) add(o figuresView) figuresView {
	by := map[string]int64{}
	for k, v := range f.ByStage {
		by[k] += v
	}
	for k, v := range o.ByStage {
		by[k] += v
	}
	return figuresView{ByStage: by, Open: f.Open + o.Open, Suspended: f.Suspended + o.Suspended, Received: f.Received + o.Received,
		Closed: f.Closed + o.Closed, OverdueClocks: f.OverdueClocks + o.OverdueClocks, OverdueCases: f.OverdueCases + o.OverdueCases,
		DueSoonClocks: f.DueSoonClocks + o.DueSoonClocks, DueSoonCases: f.DueSoonCases + o.DueSoonCases, InDetention: f.InDetention + o.InDetention,
		InDetentionCases: f.InDetentionCases + o.InDetentionCases, OpenViolations: f.OpenViolations + o.OpenViolations,
		OpenViolationCases: f.OpenViolationCases + o.OpenViolationCases}
}

// byFigure names each figure that has a case list behind it.
func (f figuresView) byFigure() map[string]int64 {
	return map[string]int64{"open": f.Open, "suspended": f.Suspended, "received": f.Received, "closed": f.Closed, "overdue_cases": f.OverdueCases,
		"due_soon_cases": f.DueSoonCases, "in_detention_cases": f.InDetentionCases, "open_violation_cases": f.OpenViolationCases}
}

func sameFigures(a, b figuresView) bool {
	if len(a.ByStage) != len(b.ByStage) {
		return false
	}
	for k, v := range a.ByStage {
		if b.ByStage[k] != v {
			return false
		}
	}
	a.ByStage, b.ByStage = nil, nil
	return a.Open == b.Open && a.Suspended == b.Suspended && a.Received == b.Received && a.Closed == b.Closed &&
		a.OverdueClocks == b.OverdueClocks && a.OverdueCases == b.OverdueCases && a.DueSoonClocks == b.DueSoonClocks &&
		a.DueSoonCases == b.DueSoonCases && a.InDetention == b.InDetention && a.InDetentionCases == b.InDetentionCases &&
		a.OpenViolations == b.OpenViolations && a.OpenViolationCases == b.OpenViolationCases
}

type caseloadView struct {
	UnitID int64             `json:"unit_id"`
	Totals figuresView       `json:"totals"`
	Cases  map[string]string `json:"cases"`
	Units  []struct {
		Unit struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"unit"`
		Figures figuresView `json:"figures"`
	} `json:"units"`
	Prosecutors []struct {
		UserID      string `json:"user_id"`
		OpenCases   int64  `json:"open_cases"`
		LeadCases   int64  `json:"lead_cases"`
		Overdue     int64  `json:"overdue"`
		DueThisWeek int64  `json:"due_this_week"`
		Cases       string `json:"cases"`
	} `json:"prosecutors"`
	Expiries []struct {
		CaseID      string  `json:"case_id"`
		AccusedName string  `json:"accused_name"`
		OrderedEnd  *string `json:"ordered_end"`
	} `json:"detention_expiries"`
}

func (e *env) caseload(t *testing.T, token string, unitID int64, subunits bool) caseloadView {
	t.Helper()
	r := e.get(v1+"/caseload?unit_id="+strconv.FormatInt(unitID, 10)+"&include_subunits="+strconv.FormatBool(subunits)+
		"&period="+strconv.Itoa(e.clock.Now().In(ict).Year()), token)
	if r.Status != http.StatusOK {
		t.Fatalf("caseload of %d: %d %s", unitID, r.Status, r.Body)
	}
	var cl caseloadView
	r.decode(t, &cl)
	return cl
}

func (e *env) listTotal(t *testing.T, token, path string) int64 {
	t.Helper()
	r := e.get(path+"&limit=1", token)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	var page struct {
		Total int64 `json:"total"`
	}
	r.decode(t, &page)
	return page.Total
}

func TestCaseloadSumsScopeAndDrillDowns(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	// Something in every figure of VKS-HNI-KV01: a held accused, a closed report, a fresh one.
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	accused := s.addAccused(tm, "Trần Văn Bình", "001095012345")
	s.detain(tm, accused, "41/LTG-VKS", 45)
	closed := newStory(t, e, tm, nil)
	closed.decide(tm.ksv, closed.cqdt("decline_institution", "number", "16/QĐ-CSĐT"))
	newStory(t, e, tm, nil)

	hn := e.login("hn.vientruong").AccessToken
	hni := e.units[seed.ProvinceCode("HNI")].ID
	tree := e.caseload(t, hn, hni, true)
	if tree.Totals.Open == 0 || tree.Totals.InDetention == 0 || tree.Totals.Closed == 0 || tree.Totals.Received == 0 {
		t.Fatalf("the province's caseload misses the story's cases: %+v", tree.Totals)
	}
	// The province's figures are its own plus each unit's below it, asked one by one.
	sum := e.caseload(t, hn, hni, false).Totals
	var rows figuresView
	for _, u := range tree.Units {
		rows = rows.add(u.Figures)
		if u.Unit.ID != hni {
			sum = sum.add(e.caseload(t, hn, u.Unit.ID, false).Totals)
		}
	}
	if !sameFigures(sum, tree.Totals) || !sameFigures(rows, tree.Totals) {
		t.Fatalf("province %+v\n own + units asked one by one %+v\n its unit rows %+v", tree.Totals, sum, rows)
	}
	// Every figure is the total of the case list behind it.
	for name, n := range tree.Totals.byFigure() {
		if link, ok := tree.Cases[name]; !ok {
			t.Errorf("no case list for %s", name)
		} else if got := e.listTotal(t, hn, link); got != n {
			t.Errorf("%s: caseload says %d, %s lists %d", name, n, link, got)
		}
	}
	// The prosecutors are those of the unit asked for: KV01's, as its province's chief sees them.
	var open int64
	for _, p := range e.caseload(t, hn, e.units[seed.RegionalCode("HNI", 1)].ID, false).Prosecutors {
		if got := e.listTotal(t, hn, p.Cases); got != p.OpenCases {
			t.Errorf("prosecutor %s: %d open cases, the list says %d", p.UserID, p.OpenCases, got)
		}
		if p.UserID == e.userID("hnkv1.ksv1") {
			open = p.OpenCases
		}
	}
	if open < 2 {
		t.Errorf("hnkv1.ksv1 carries %d open cases, want at least the story's two open ones", open)
	}
	found := false
	for _, x := range tree.Expiries {
		found = found || (x.CaseID == s.id && x.AccusedName == "Trần Văn Bình" && x.OrderedEnd != nil)
	}
	if !found {
		t.Errorf("the story's detention is not among the nearest expiries: %+v", tree.Expiries)
	}

	// A regional chief sees their own unit; a sibling, another province and a unit that does not
	// exist are all the same 404. Asked for the province, they get the part they may see: their own.
	kv1Chief := tm.chief
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	own := e.caseload(t, kv1Chief, kv1, true)
	for _, id := range []int64{e.units[seed.RegionalCode("HNI", 2)].ID, e.units[seed.ProvinceCode("HCM")].ID, 987654} {
		r := e.get(v1+"/caseload?unit_id="+strconv.FormatInt(id, 10), kv1Chief)
		wantError(t, r, http.StatusNotFound, "not_found")
	}
	if part := e.caseload(t, kv1Chief, hni, true); !sameFigures(part.Totals, own.Totals) {
		t.Errorf("the regional chief's view of the province %+v differs from their own unit %+v", part.Totals, own.Totals)
	}
	if e.get(v1+"/caseload?unit_id="+strconv.FormatInt(hni, 10)+"&include_subunits=false", kv1Chief).Status != http.StatusNotFound {
		t.Error("the regional chief reads the province's own caseload")
	}

	// Bad periods.
	wantDetail(t, e.get(v1+"/caseload?from=2026-12-01&to=2026-11-01", hn), http.StatusUnprocessableEntity, "invalid", "to", "after_from")
	wantError(t, e.get(v1+"/caseload?period=2026-13", hn), http.StatusBadRequest, "bad_request")
	wantError(t, e.get(v1+"/caseload?period=2026&from=2026-01-01", hn), http.StatusBadRequest, "bad_request")
	wantDetail(t, e.get(v1+"/cases?clock=late", hn), http.StatusUnprocessableEntity, "invalid", "clock", "enum")
}

// What people do moves the figures by exactly as much: counted by hand.
func TestCaseloadCountsByHand(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	before := e.caseload(t, tm.chief, kv1, false).Totals

	a := newStory(t, e, tm, nil) // a report, received today
	b := newStory(t, e, tm, nil) // another, declined: closed today
	b.decide(tm.ksv, b.cqdt("decline_institution", "number", "16/QĐ-CSĐT"))
	c := newStory(t, e, tm, nil) // a third, instituted, with one accused detained
	c.investigate(tm)
	acc := c.addAccused(tm, "Lê Văn Ba", "001095099999")
	c.detain(tm, acc, "42/LTG-VKS", 30)
	_ = a

	after := e.caseload(t, tm.chief, kv1, false).Totals
	delta := map[string][2]int64{
		"received":           {before.Received + 3, after.Received},
		"open":               {before.Open + 2, after.Open},
		"closed":             {before.Closed + 1, after.Closed},
		"in_detention":       {before.InDetention + 1, after.InDetention},
		"in_detention_cases": {before.InDetentionCases + 1, after.InDetentionCases},
		"report_resolution":  {before.ByStage["report_resolution"] + 1, after.ByStage["report_resolution"]},
		"not_instituted":     {before.ByStage["not_instituted"] + 1, after.ByStage["not_instituted"]},
		"investigation":      {before.ByStage["investigation"] + 1, after.ByStage["investigation"]},
	}
	for name, d := range delta {
		if d[0] != d[1] {
			t.Errorf("%s: %d, want %d", name, d[1], d[0])
		}
	}
	// Five years ago nothing was received or closed; what is open now is open whatever the period.
	r := e.get(v1+"/caseload?unit_id="+strconv.FormatInt(kv1, 10)+"&include_subunits=false&period="+strconv.Itoa(e.clock.Now().In(ict).Year()-5), tm.chief)
	var last caseloadView
	r.decode(t, &last)
	if r.Status != http.StatusOK || last.Totals.Received != 0 || last.Totals.Closed != 0 || last.Totals.Open != after.Open ||
		last.Totals.InDetention != after.InDetention {
		t.Errorf("the caseload of five years ago: %d %+v", r.Status, last.Totals)
	}
	if got := e.listTotal(t, tm.chief, last.Cases["received"]); got != 0 {
		t.Errorf("the received list of five years ago has %d cases", got)
	}
}

// The rollups kept by triggers and a count case by case agree for every reader, after a story
// that moves every figure and the monitor moving clocks.
func TestCaseloadRollupsAgreeWithCases(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	acc := s.addAccused(tm, "Trần Văn Bình", "001095012345")
	s.detain(tm, acc, "41/LTG-VKS", 45)
	closed := newStory(t, e, tm, nil)
	closed.decide(tm.ksv, closed.cqdt("decline_institution", "number", "16/QĐ-CSĐT"))
	secret := e.validCase(e.units[seed.RegionalCode("HNI", 1)].ID)
	secret["secret"] = true
	if r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tm.clerk, Body: secret}); r.Status != http.StatusCreated {
		t.Fatalf("secret: %d %s", r.Status, r.Body)
	}
	e.clock.Advance(30 * 24 * time.Hour)
	if _, err := e.svc.Monitor.Sweep(context.Background(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	year := e.clock.Now().In(ict).Year()
	from, to := time.Date(year-1, 1, 1, 0, 0, 0, 0, ict), time.Date(year+1, 1, 1, 0, 0, 0, 0, ict)
	for _, who := range []string{"tc.vientruong", "hn.vientruong", "hnkv1.vientruong", "hnkv1.ksv1", "hnkv1.thuky", "hn.thanhtra"} {
		prosecutorsSeen := false
		p := e.principal(t, who)
		scope := e.svc.Authz.Scope(p, "case.read")
		for _, unit := range []int64{e.units[seed.SupremeCode].ID, e.units[seed.ProvinceCode("HNI")].ID, e.units[seed.RegionalCode("HNI", 1)].ID} {
			f := domain.CaseloadFilter{UnitID: unit, IncludeSubunits: true, From: from, To: to, Now: e.clock.Now(), DueBefore: e.clock.Now().AddDate(0, 0, 7)}
			fast, err := e.store.Caseload(ctx, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			f.CaseByCase = true
			slow, err := e.store.Caseload(ctx, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			a, b := toView(fast.Totals), toView(slow.Totals)
			if !sameFigures(a, b) {
				t.Errorf("%s at unit %d: rollups %+v\n case by case %+v", who, unit, a, b)
			}
			if !reflect.DeepEqual(fast.Prosecutors, slow.Prosecutors) {
				t.Errorf("%s at unit %d: prosecutors from facts %+v\n case by case %+v", who, unit, fast.Prosecutors, slow.Prosecutors)
			}
			prosecutorsSeen = prosecutorsSeen || len(slow.Prosecutors) > 0
			if b.Open == 0 && who != "hnkv1.thuky" && unit != e.units[seed.SupremeCode].ID {
				t.Errorf("%s at unit %d: nothing open, the comparison proves nothing", who, unit)
			}
		}
		if !prosecutorsSeen && who != "hnkv1.thuky" {
			t.Errorf("%s: no prosecutor load anywhere, the comparison proves nothing", who)
		}
	}
}

func toView(f domain.CaseloadFigures) figuresView {
	by := map[string]int64{}
	for s, n := range f.ByStage {
		if n != 0 {
			by[string(s)] = n
		}
	}
	return figuresView{ByStage: by, Open: f.Open, Suspended: f.Suspended, Received: f.Received, Closed: f.Closed, OverdueClocks: f.OverdueClocks,
		OverdueCases: f.OverdueCases, DueSoonClocks: f.DueSoonClocks, DueSoonCases: f.DueSoonCases, InDetention: f.InDetention,
		InDetentionCases: f.InDetentionCases, OpenViolations: f.OpenViolations, OpenViolationCases: f.OpenViolationCases}
}

// principal builds the principal of a user as the API does for a request.
func (e *env) principal(t *testing.T, username string) *service.Principal {
	t.Helper()
	ctx := context.Background()
	cred, err := e.store.GetCredentials(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	grants, err := e.store.GrantsOf(ctx, cred.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	unit, err := e.store.GetUnit(ctx, cred.User.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	return &service.Principal{User: cred.User, Unit: unit, Grants: grants}
}

// detain has the chief of VKS-HNI-KV01 order an accused detained by the procuracy from an hour
// ago for the given number of days (effective at once).
func (s *story) detain(tm kv1Team, accusedID, number string, days int) {
	s.t.Helper()
	now := s.e.clock.Now()
	s.ok(v1+"/accused/"+accusedID+"/measures", tm.chief, s.vks("order_detention", "number", number,
		"measure", map[string]any{"stage": "investigation", "start_at": now.Add(-time.Hour).Format(time.RFC3339),
			"ordered_end": now.AddDate(0, 0, days).In(ict).Format(time.DateOnly)}))
}
