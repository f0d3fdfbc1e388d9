package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// The change feed (dòng thay đổi): a follower replaying from zero learns exactly the cases it may
// read, in commit order, with every kind of change; a changed cursor is refused, and one older than
// what the feed keeps sends the follower back to a snapshot.

type changeView struct {
	Seq      int64  `json:"seq"`
	CaseID   string `json:"case_id"`
	Kind     string `json:"kind"`
	Op       string `json:"op"`
	EntityID string `json:"entity_id"`
	Status   string `json:"status"`
}

// follow reads the whole feed from cursor (empty: from the beginning) in pages of seven.
func (e *env) follow(t *testing.T, token, cursor string) ([]changeView, string) {
	t.Helper()
	var all []changeView
	for range 10000 {
		r := e.get(v1+"/changes?limit=7&after="+url.QueryEscape(cursor), token)
		if r.Status != http.StatusOK {
			t.Fatalf("changes after %q: %d %s", cursor, r.Status, r.Body)
		}
		var page struct {
			Items      []changeView `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}
		r.decode(t, &page)
		all = append(all, page.Items...)
		if page.NextCursor == cursor {
			return all, cursor
		}
		cursor = page.NextCursor
	}
	t.Fatal("the feed did not end")
	return nil, ""
}

// readable lists the ids of every case the token may read, through the case list.
func (e *env) readable(t *testing.T, token string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	cursor := ""
	for {
		r := e.get(v1+"/cases?limit=200&cursor="+url.QueryEscape(cursor), token)
		if r.Status != http.StatusOK {
			t.Fatalf("cases: %d %s", r.Status, r.Body)
		}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		r.decode(t, &page)
		for _, it := range page.Items {
			out[it.ID] = true
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
}

func TestChangeFeed(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	// A story with every kind of change: registration, team, stage, decisions, clocks, documents.
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	r := e.upload(v1+"/cases/"+s.id+"/files", tm.clerk, docFields("decisions", "Quyết định khởi tố", "normal"), "qd.pdf", pdfBytes(31, 2000))
	var doc documentView
	r.decode(t, &doc)
	if r := e.send(req{Method: "POST", Path: v1 + "/files/" + doc.ID + "/withdraw", Token: tm.clerk,
		Body: map[string]any{"version": doc.Version, "reason": "Nộp nhầm"}}); r.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", r.Status, r.Body)
	}
	// A secret case of the unit, and a case of another province.
	secret := e.validCase(e.units[seed.RegionalCode("HNI", 1)].ID)
	secret["secret"] = true
	if r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tm.clerk, Body: secret}); r.Status != http.StatusCreated {
		t.Fatalf("secret case: %d %s", r.Status, r.Body)
	}
	hcmClerk := e.login("hcmkv1.thuky").AccessToken
	if r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: hcmClerk, Body: e.validCase(e.units[seed.RegionalCode("HCM", 1)].ID)}); r.Status != http.StatusCreated {
		t.Fatalf("HCM case: %d %s", r.Status, r.Body)
	}
	// Time passes: the monitor moves clocks, and those moves are changes too.
	e.clock.Advance(40 * 24 * time.Hour)
	if _, err := e.svc.Monitor.Sweep(context.Background(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tm = loginKV1(e)

	for _, who := range []string{"hn.vientruong", "hnkv1.ksv2", "hcm.vientruong", "hnkv1.thuky"} {
		tok := e.login(who).AccessToken
		changes, _ := e.follow(t, tok, "")
		seen := map[string]bool{}
		var last int64
		for _, ch := range changes {
			if ch.Seq <= last {
				t.Fatalf("%s: the feed goes back from %d to %d", who, last, ch.Seq)
			}
			last = ch.Seq
			seen[ch.CaseID] = true
		}
		want := e.readable(t, tok)
		for id := range want {
			if !seen[id] {
				t.Errorf("%s: readable case %s never appears in the feed", who, id)
			}
		}
		for id := range seen {
			if !want[id] {
				t.Errorf("%s: the feed shows case %s, which they may not read", who, id)
			}
		}
		if len(want) == 0 {
			t.Errorf("%s reads no case: the test proves nothing", who)
		}
	}

	// The story's own changes, as the lead prosecutor sees them.
	changes, head := e.follow(t, tm.ksv, "")
	kinds := map[string]bool{}
	for _, ch := range changes {
		if ch.CaseID == s.id {
			kinds[ch.Kind+"/"+ch.Op] = true
		}
	}
	for _, k := range []string{"case/created", "case/team", "case/stage", "decision/recorded", "clock/status", "document/version", "document/withdrawn"} {
		if !kinds[k] {
			t.Errorf("the story's changes miss %s: %v", k, kinds)
		}
	}
	monitorMoved := false
	for _, ch := range changes {
		monitorMoved = monitorMoved || (ch.Kind == "clock" && (ch.Status == "missed" || ch.Status == "due_soon"))
	}
	if !monitorMoved {
		t.Error("no clock moved by the monitor appears in the feed")
	}
	// Followed from the head, a new change is the only one.
	r = e.send(req{Method: "PATCH", Path: v1 + "/cases/" + s.id, Token: tm.clerk, Body: map[string]any{"version": e.caseVersion(t, s.id),
		"summary": "Nội dung cập nhật sau khi đã theo dõi"}})
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	next, _ := e.follow(t, tm.ksv, head)
	if len(next) != 1 || next[0].CaseID != s.id || next[0].Op != "updated" {
		t.Fatalf("after the head: %+v", next)
	}

	// A changed cursor is refused; so is one older than what the feed keeps.
	parts := strings.Split(head, ".")
	n, _ := strconv.ParseInt(parts[1], 10, 64)
	forged := "c1." + strconv.FormatInt(n+1, 10) + "." + parts[2]
	wantDetail(t, e.get(v1+"/changes?after="+url.QueryEscape(forged), tm.ksv), http.StatusBadRequest, "bad_request", "after", "cursor_invalid")
	wantDetail(t, e.get(v1+"/changes?after=garbage", tm.ksv), http.StatusBadRequest, "bad_request", "after", "cursor_invalid")
	if _, err := e.store.PurgeChanges(context.Background(), e.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantDetail(t, e.get(v1+"/changes?after="+url.QueryEscape(head), tm.ksv), http.StatusBadRequest, "bad_request", "after", "cursor_expired")
	wantDetail(t, e.get(v1+"/changes", tm.ksv), http.StatusBadRequest, "bad_request", "after", "cursor_expired")
	r = e.get(v1+"/changes/head", tm.ksv)
	var h struct {
		Cursor string `json:"cursor"`
	}
	r.decode(t, &h)
	if r.Status != http.StatusOK || e.get(v1+"/changes?after="+url.QueryEscape(h.Cursor), tm.ksv).Status != http.StatusOK {
		t.Fatalf("following from the head after a purge: %d", r.Status)
	}
}

func (e *env) caseVersion(t *testing.T, id string) int {
	t.Helper()
	return e.count(`SELECT version FROM cases WHERE id = $1`, id)
}
