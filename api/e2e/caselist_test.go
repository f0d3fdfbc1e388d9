package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/service/seed"
	"kiemsat/workflow"
)

// The case list's class filter and order: class=X lists exactly the cases whose class (as the
// timeline gives it, the class their time limits are computed by) is X, and total counts them;
// sort=received_at is the exact reverse of the default order for every filter, and its cursor
// visits every case once.

type listedCase struct {
	ID         string    `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
}

// listAll reads every page of GET /cases?query with pages of limit, checking that total is the
// same on every page and the number of cases read.
func (e *env) listAll(t *testing.T, token, query string, limit int) []listedCase {
	t.Helper()
	var out []listedCase
	cursor, total := "", int64(-1)
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatalf("%s: the cursor does not end", query)
		}
		path := v1 + "/cases?limit=" + strconv.Itoa(limit) + "&" + query
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.get(path, token)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		var p struct {
			Items      []listedCase `json:"items"`
			Total      int64        `json:"total"`
			NextCursor string       `json:"next_cursor"`
		}
		r.decode(t, &p)
		if total >= 0 && p.Total != total {
			t.Fatalf("%s: total %d on page %d, %d before", query, p.Total, page, total)
		}
		total = p.Total
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if int64(len(out)) != total {
		t.Fatalf("%s: %d cases read, total %d", query, len(out), total)
	}
	return out
}

func ids(cs []listedCase) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// wantOrder checks that the cases are in (received_at, id) order, ascending or descending, with
// none twice.
func wantOrder(t *testing.T, what string, cs []listedCase, ascending bool) {
	t.Helper()
	seen := map[string]bool{}
	for i, c := range cs {
		if seen[c.ID] {
			t.Fatalf("%s: case %s listed twice", what, c.ID)
		}
		seen[c.ID] = true
		if i == 0 {
			continue
		}
		p := cs[i-1]
		before := p.ReceivedAt.Before(c.ReceivedAt) || (p.ReceivedAt.Equal(c.ReceivedAt) && p.ID < c.ID)
		if before != ascending {
			t.Fatalf("%s: %s (%s) then %s (%s) out of order (ascending %v)", what, p.ID, p.ReceivedAt, c.ID, c.ReceivedAt, ascending)
		}
	}
}

func reversed(cs []listedCase) []listedCase {
	out := slices.Clone(cs)
	slices.Reverse(out)
	return out
}

func TestCaseListClassAndOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The binary seeds the catalog table from the shipped file on migrate; the services of the test
	// classify by that same file.
	if _, err := e.store.SyncPenalCode(ctx, workflow.DefaultPenalCatalog().Clauses()); err != nil {
		t.Fatal(err)
	}
	tm := loginKV1(e)
	day := today(e)

	// Registered for theft, clause 1 (less serious); two accused, the heavier charged under clause 3:
	// the heaviest charge governs, not the registered offence.
	heavy := newStory(t, e, tm, nil)
	heavy.investigate(tm)
	for _, p := range []struct {
		name, id string
		clause   int
	}{{"Lê Văn Một", "001094000101", 1}, {"Lê Văn Ba", "001094000103", 3}} {
		heavy.ok(v1+"/cases/"+heavy.id+"/accused", tm.chief, heavy.vks("", "number", "40/QĐ-VKS-KTBC", "person", person(p.name, p.id, day),
			"charges", []map[string]any{charge("173", p.clause)}))
	}
	// Registered for robbery, clause 4 (particularly serious), the accused charged with theft clause
	// 1: the charge governs even when lighter.
	light := newStory(t, e, tm, func(b map[string]any) { b["offence"] = map[string]any{"article": 171, "clause": 4} })
	light.investigate(tm)
	light.ok(v1+"/cases/"+light.id+"/accused", tm.chief, light.vks("", "number", "41/QĐ-VKS-KTBC", "person", person("Trần Văn Nhẹ", "001094000201", day),
		"charges", []map[string]any{charge("173", 1)}))
	// A proposed charge does not count while it awaits approval, nor after it is refused.
	refused := newStory(t, e, tm, nil)
	refused.investigate(tm)
	o := refused.ok(v1+"/cases/"+refused.id+"/accused", tm.ksv, refused.cqdt("", "number", "42/QĐ-CSĐT", "person", person("Đỗ Văn Chờ", "001094000301", day),
		"charges", []map[string]any{charge("173", 4)}))
	if o.Decision.Status != "pending_approval" {
		t.Fatalf("institution by the investigating agency: %+v", o.Decision)
	}
	pending := o.Decision.ID
	pendingClass := refused.timeline(tm.chief).Class
	refused.ok(v1+"/decisions/"+pending+"/approval", tm.chief, map[string]any{"outcome": "refuse", "number": "43/QĐ-VKS", "issued_on": day})
	// No offence named: no class.
	none := newStory(t, e, tm, func(b map[string]any) { delete(b, "offence") })
	// Received before the Penal Code 2015 took effect: the catalog has no version of the offence in
	// force that day, so no class either (the catalog's latest version would say less serious).
	old := newStory(t, e, tm, func(b map[string]any) { b["received_at"] = "2017-06-01T09:00:00+07:00" })

	want := map[string]string{heavy.id: "very_serious", light.id: "less_serious", refused.id: "less_serious", none.id: "", old.id: ""}
	if pendingClass != "less_serious" {
		t.Errorf("class while the heavier charge awaits approval: %q, want less_serious", pendingClass)
	}

	for _, who := range []string{"hnkv1.vientruong", "hn.vientruong", "hnkv1.ksv1"} {
		t.Run(who, func(t *testing.T) {
			token := e.login(who).AccessToken
			all := e.listAll(t, token, "", 7)
			wantOrder(t, "newest first", all, false)
			if got := e.listAll(t, token, "sort=-received_at", 50); !slices.Equal(ids(got), ids(all)) {
				t.Fatalf("sort=-received_at is not the default order")
			}
			asc := e.listAll(t, token, "sort=received_at", 3)
			wantOrder(t, "oldest first", asc, true)
			if !slices.Equal(ids(asc), ids(reversed(all))) {
				t.Fatalf("oldest first %v\n is not newest first reversed %v", ids(asc), ids(reversed(all)))
			}

			// The class of every case listed, as its timeline reads it.
			classOf := map[string]string{}
			byClass := map[string][]string{}
			for _, c := range all {
				r := e.get(v1+"/cases/"+c.ID+"/timeline", token)
				if r.Status != http.StatusOK {
					t.Fatalf("timeline of %s: %d %s", c.ID, r.Status, r.Body)
				}
				var tl timelineView
				r.decode(t, &tl)
				classOf[c.ID] = tl.Class
				byClass[tl.Class] = append(byClass[tl.Class], c.ID)
			}
			for id, cl := range want {
				if got, ok := classOf[id]; ok && got != cl {
					t.Errorf("case %s: timeline class %q, want %q", id, got, cl)
				}
			}
			if who == "hnkv1.vientruong" {
				for id := range want {
					if _, ok := classOf[id]; !ok {
						t.Fatalf("the story's case %s is not listed", id)
					}
				}
			}
			classes := 0
			for _, c := range domain.SeverityClasses {
				if len(byClass[string(c)]) > 0 {
					classes++
				}
			}
			if classes < 2 || len(byClass[""]) == 0 {
				t.Fatalf("the cases listed have %d classes and %d with none: the comparison proves little", classes, len(byClass[""]))
			}

			// Each class lists exactly its cases, in both orders, with filters combined.
			for _, c := range domain.SeverityClasses {
				q := "class=" + string(c)
				desc := e.listAll(t, token, q, 2)
				got, exp := ids(desc), slices.Clone(byClass[string(c)])
				slices.Sort(got)
				slices.Sort(exp)
				if !slices.Equal(got, exp) {
					t.Errorf("%s lists %v, want %v", q, got, exp)
				}
				wantOrder(t, q, desc, false)
				asc := e.listAll(t, token, q+"&sort=received_at", 2)
				wantOrder(t, q+" oldest first", asc, true)
				if !slices.Equal(ids(asc), ids(reversed(desc))) {
					t.Errorf("%s oldest first %v is not newest first reversed %v", q, ids(asc), ids(reversed(desc)))
				}
				// Combined with another filter, the total is still the intersection's.
				open := e.listAll(t, token, q+"&open=true&sort=received_at", 50)
				var wantOpen []string
				openIDs := map[string]bool{}
				for _, x := range e.listAll(t, token, "open=true", 50) {
					openIDs[x.ID] = true
				}
				for _, x := range asc {
					if openIDs[x.ID] {
						wantOpen = append(wantOpen, x.ID)
					}
				}
				if !slices.Equal(ids(open), wantOpen) {
					t.Errorf("%s&open=true lists %v, want %v", q, ids(open), wantOpen)
				}
			}
		})
	}

	// Bad values name their parameter.
	chief := tm.chief
	for _, q := range []string{"class=bogus", "class=LESS_SERIOUS", "class=%C3%8DNT", "class=none"} {
		wantDetail(t, e.get(v1+"/cases?"+q, chief), http.StatusUnprocessableEntity, "invalid", "class", "enum")
	}
	for _, q := range []string{"sort=asc", "sort=received", "sort=%2Breceived_at", "sort=-id", "sort=received_at,id"} {
		wantDetail(t, e.get(v1+"/cases?"+q, chief), http.StatusUnprocessableEntity, "invalid", "sort", "enum")
	}
}

// The list's text search matches summaries and people's names with or without diacritics and in
// any case ("nguyen van duc" finds "Nguyễn Văn Đức"), numbers, codes and CCCD exactly, and only
// within the caller's scope.
func TestCaseListTextSearch(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	var cs struct {
		ID     string `json:"id"`
		Number string `json:"number"`
		Code   string `json:"code"`
	}
	body := e.validCase(e.units[seed.RegionalCode("HNI", 1)].ID)
	body["summary"] = "Nguyễn Văn Đức trộm xe máy của bà Hồ Thị Ánh tại phường Hoàn Kiếm."
	body["parties"] = []map[string]any{{"role": "victim", "full_name": "Hồ Thị Ánh", "national_id": "001190777888"}}
	r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tm.clerk, Body: body})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	r.decode(t, &cs)
	other := e.validCase(e.units[seed.RegionalCode("HNI", 1)].ID)
	other["summary"] = "Trần Văn Dục đánh người gây thương tích."
	if r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tm.clerk, Body: other}); r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	found := func(token, q string) []string {
		return ids(e.listAll(t, token, "q="+url.QueryEscape(q), 50))
	}
	for _, q := range []string{"Nguyễn Văn Đức", "nguyen van duc", "NGUYEN VAN DUC", "nguyễn van đuc", "trom xe may cua ba ho", "ho thi anh", "Hồ Thị Ánh", cs.Number, cs.Code, "001190777888"} {
		if got := found(tm.clerk, q); !slices.Equal(got, []string{cs.ID}) {
			t.Errorf("q=%q: %v, want only %s", q, got, cs.ID)
		}
	}
	for _, q := range []string{"Đức trộm ô tô", "001190777889", "lo van xom"} {
		if got := found(tm.clerk, q); len(got) != 0 {
			t.Errorf("q=%q: %v, want none", q, got)
		}
	}
	// "van duc" is in both summaries once diacritics are gone (Văn Đức, Văn Dục).
	if got := found(tm.clerk, "van duc"); !slices.Contains(got, cs.ID) || len(got) < 2 {
		t.Errorf("q=van duc: %v, want both cases", got)
	}
	// Another province sees nothing of Hà Nội's cases, whatever the query.
	if got := found(e.login("hcm.vientruong").AccessToken, "nguyen van duc"); len(got) != 0 {
		t.Errorf("another province's chief: %v", got)
	}
}
