package e2e_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// Period close (khóa số liệu kỳ thống kê): a unit head freezes a finished period's figures as a
// signed snapshot; a report registered late for that period shows as a difference against it.
// And the crime-trend view: an indicator by month and chapter, each month equal to that month's
// report.

type statPeriodView struct {
	ID        string `json:"id"`
	UnitID    int64  `json:"unit_id"`
	Label     string `json:"label"`
	From      string `json:"from"`
	To        string `json:"to"`
	Digest    string `json:"digest"`
	Signature string `json:"signature"`
}

type closedPeriodView struct {
	statPeriodView `json:"period"`
	Snapshot       string           `json:"snapshot"`
	Valid          bool             `json:"signature_valid"`
	Totals         map[string]int64 `json:"totals"`
	Current        map[string]int64 `json:"current_totals"`
	Differences    []struct {
		Indicator string `json:"indicator"`
		UnitID    int64  `json:"unit_id"`
		Frozen    int64  `json:"frozen"`
		Current   int64  `json:"current"`
	} `json:"differences"`
}

func TestClosePeriod(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	now := e.clock.Now().In(ict)
	month := now.Format("2006-01")
	c := newStory(t, e, tm, nil)
	c.investigate(tm)
	newStory(t, e, tm, nil)

	// The month is not over yet.
	body := map[string]any{"unit_id": kv1, "period": month}
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: tm.chief, Body: body}),
		http.StatusUnprocessableEntity, "invalid", "to", "not_ended")

	// Into the next month: the head of KV01 closes it.
	next := time.Date(now.Year(), now.Month(), 1, 9, 0, 0, 0, ict).AddDate(0, 1, 0)
	e.clock.Advance(next.Sub(e.clock.Now()))
	tm = loginKV1(e)
	r := e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: tm.chief, Body: map[string]any{"unit_id": kv1, "period": month,
		"note": "Số liệu tháng, đã đối chiếu sổ thụ lý."}})
	if r.Status != http.StatusCreated {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	var closed closedPeriodView
	r.decode(t, &closed)
	if !closed.Valid || len(closed.Differences) != 0 || closed.Label != month {
		t.Fatalf("a period just closed: %+v", closed)
	}
	// The snapshot holds the same figures as the report for the period, and its signature checks
	// out with the platform's public key; one changed byte does not.
	rep := e.statistics(t, tm.chief, "unit_id="+strconv.FormatInt(kv1, 10)+"&include_subunits=true&period="+month)
	for id, v := range rep.Totals {
		if closed.Totals[id] != v {
			t.Errorf("%s: frozen %d, report %d", id, closed.Totals[id], v)
		}
	}
	if closed.Totals["reports_received"] < 2 || closed.Totals["cases_instituted"] < 1 {
		t.Errorf("the month's own cases are missing: %v", closed.Totals)
	}
	sig, err := base64.StdEncoding.DecodeString(closed.Signature)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(e.signer.PublicKey(), []byte(closed.Snapshot), sig) {
		t.Errorf("the signature does not verify the snapshot")
	}
	tampered := []byte(closed.Snapshot)
	tampered[len(tampered)/2] ^= 1
	if ed25519.Verify(e.signer.PublicKey(), tampered, sig) {
		t.Errorf("a tampered snapshot verifies")
	}
	var snap struct {
		Format      string `json:"format"`
		Definitions []struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal([]byte(closed.Snapshot), &snap); err != nil || snap.Format == "" || len(snap.Definitions) != 14 {
		t.Errorf("snapshot: %v %+v", err, snap)
	}
	// Closed once only; only the unit's own head; the period must be well formed.
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: tm.chief, Body: map[string]any{"unit_id": kv1, "period": month}}),
		http.StatusConflict, "conflict", "period", "already_closed")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: tm.ksv, Body: map[string]any{"unit_id": kv1, "period": month}}),
		http.StatusForbidden, "forbidden")
	hn := e.login("hn.vientruong").AccessToken
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: hn, Body: map[string]any{"unit_id": kv1, "period": month}}),
		http.StatusForbidden, "forbidden")
	for _, bad := range []struct {
		body        map[string]any
		field, rule string
	}{
		{map[string]any{"unit_id": kv1, "period": "2026-13"}, "period", "format"},
		{map[string]any{"unit_id": kv1}, "period", "required"},
		{map[string]any{"unit_id": kv1, "from": "2026-03-10", "to": "2026-03-01"}, "to", "after_from"},
		{map[string]any{"unit_id": kv1, "from": "10/03/2026", "to": "2026-03-31"}, "from", "format"},
		{map[string]any{"unit_id": kv1, "period": "2025", "from": "2025-01-01", "to": "2025-12-31"}, "period", "exclusive"},
		{map[string]any{"unit_id": kv1, "from": "2024-01-01", "to": "2025-12-31"}, "from", "range"},
	} {
		wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: tm.chief, Body: bad.body}),
			http.StatusUnprocessableEntity, "invalid", bad.field, bad.rule)
	}
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: tm.chief, Body: map[string]any{"unit_id": kv1, "period": month,
		"colour": "red"}}), http.StatusBadRequest, "bad_request")
	var count int
	if err := e.db.QueryRow(`SELECT count(*) FROM stat_periods`).Scan(&count); err != nil || count != 1 {
		t.Fatalf("refused closes left rows: %d %v", count, err)
	}
	// The province closes its own month, its subtree included.
	r = e.send(req{Method: "POST", Path: v1 + "/statistics/periods", Token: hn, Body: map[string]any{"period": month}})
	if r.Status != http.StatusCreated {
		t.Fatalf("province close: %d %s", r.Status, r.Body)
	}
	var province closedPeriodView
	r.decode(t, &province)
	if province.Totals["reports_received"] < closed.Totals["reports_received"] {
		t.Errorf("the province's month misses KV01's: %v < %v", province.Totals, closed.Totals)
	}

	// A report of that month registered late: a difference against the snapshot, which still holds.
	late := e.validCase(kv1)
	late["received_at"] = time.Date(now.Year(), now.Month(), 2, 10, 0, 0, 0, ict).Format(time.RFC3339)
	if r := e.send(req{Method: "POST", Path: v1 + "/cases", Token: tm.clerk, Body: late}); r.Status != http.StatusCreated {
		t.Fatalf("late report: %d %s", r.Status, r.Body)
	}
	var again closedPeriodView
	r = e.get(v1+"/statistics/periods/"+closed.ID, tm.chief)
	if r.Status != http.StatusOK {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	r.decode(t, &again)
	if !again.Valid || again.Digest != closed.Digest || again.Snapshot != closed.Snapshot {
		t.Errorf("the snapshot changed or no longer verifies")
	}
	if len(again.Differences) != 1 || again.Differences[0].Indicator != "reports_received" || again.Differences[0].UnitID != kv1 ||
		again.Differences[0].Current != again.Differences[0].Frozen+1 {
		t.Errorf("differences: %+v", again.Differences)
	}
	if again.Current["reports_received"] != closed.Totals["reports_received"]+1 {
		t.Errorf("current totals: %v", again.Current)
	}
	// Who reads it: the unit and those above; a sibling gets the same 404 as nothing at all.
	if r := e.get(v1+"/statistics/periods/"+closed.ID, hn); r.Status != http.StatusOK {
		t.Errorf("the province reads KV01's closed month: %d", r.Status)
	}
	kv2 := e.login("hnkv2.vientruong").AccessToken
	wantError(t, e.get(v1+"/statistics/periods/"+closed.ID, kv2), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/statistics/periods/0190a4c2-0000-7000-8000-000000000000", tm.chief), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/statistics/periods/nope", tm.chief), http.StatusNotFound, "not_found")
	// The list: the province with its subtree sees both; KV01 its own; the sibling not KV01.
	var list struct {
		Items []statPeriodView `json:"items"`
		Total int64            `json:"total"`
	}
	e.get(v1+"/statistics/periods?include_subunits=true", hn).decode(t, &list)
	if list.Total != 2 {
		t.Errorf("the province lists %d closed periods, want 2", list.Total)
	}
	e.get(v1+"/statistics/periods", tm.chief).decode(t, &list)
	if list.Total != 1 || list.Items[0].ID != closed.ID {
		t.Errorf("KV01 lists %+v", list)
	}
	wantError(t, e.get(v1+"/statistics/periods?unit_id="+strconv.FormatInt(kv1, 10), kv2), http.StatusNotFound, "not_found")
	// A snapshot is never rewritten, even by hand.
	if _, err := e.db.Exec(`UPDATE stat_periods SET note = 'sửa' WHERE id = $1`, closed.ID); err == nil {
		t.Errorf("a closed period was updated")
	}
}

func TestCrimeTrend(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	kv1 := strconv.FormatInt(e.units[seed.RegionalCode("HNI", 1)].ID, 10)
	first := e.clock.Now().In(ict)
	for i := 0; i < 3; i++ {
		s := newStory(t, e, tm, nil)
		s.investigate(tm)
		e.clock.Advance(24 * 24 * time.Hour)
		tm = loginKV1(e)
	}
	last := e.clock.Now().In(ict)
	from, to := first.AddDate(0, -1, 0).Format("2006-01"), last.Format("2006-01")
	var trend struct {
		Indicator string   `json:"indicator"`
		Months    []string `json:"months"`
		Series    []struct {
			Chapter string  `json:"chapter"`
			Title   string  `json:"title"`
			Values  []int64 `json:"values"`
			Total   int64   `json:"total"`
		} `json:"series"`
		Totals []int64 `json:"totals"`
	}
	r := e.get(v1+"/statistics/trend?unit_id="+kv1+"&include_subunits=false&from="+from+"&to="+to, tm.chief)
	if r.Status != http.StatusOK {
		t.Fatalf("trend: %d %s", r.Status, r.Body)
	}
	r.decode(t, &trend)
	if trend.Indicator != "cases_instituted" || len(trend.Months) < 3 || trend.Months[0] != from || trend.Months[len(trend.Months)-1] != to {
		t.Fatalf("trend: %+v", trend)
	}
	// Every month equals that month's report, chapter by chapter.
	var sum int64
	for i, m := range trend.Months {
		rep := e.statistics(t, tm.chief, "unit_id="+kv1+"&include_subunits=false&indicator=cases_instituted&by=chapter&period="+m)
		want := map[string]int64{}
		for _, row := range rep.Rows {
			want[*row.Chapter] += row.Value
		}
		for _, sr := range trend.Series {
			if sr.Values[i] != want[sr.Chapter] {
				t.Errorf("%s chapter %q: trend %d, report %d", m, sr.Chapter, sr.Values[i], want[sr.Chapter])
			}
			delete(want, sr.Chapter)
		}
		for ch, v := range want {
			if v != 0 {
				t.Errorf("%s chapter %q: %d in the report, missing from the trend", m, ch, v)
			}
		}
		sum += trend.Totals[i]
	}
	var xvi bool
	for _, sr := range trend.Series {
		xvi = xvi || (sr.Chapter == "XVI" && sr.Total >= 3 && sr.Title != "")
	}
	if !xvi || sum < 3 {
		t.Errorf("the three thefts instituted are not in chapter XVI: %+v", trend)
	}
	// Bad input.
	wantDetail(t, e.get(v1+"/statistics/trend?indicator=accused_in_detention", tm.chief), http.StatusUnprocessableEntity, "invalid", "indicator", "not_point")
	wantDetail(t, e.get(v1+"/statistics/trend?indicator=happiness", tm.chief), http.StatusUnprocessableEntity, "invalid", "indicator", "enum")
	wantDetail(t, e.get(v1+"/statistics/trend?from=2026-05&to=2026-01", tm.chief), http.StatusUnprocessableEntity, "invalid", "to", "after_from")
	wantDetail(t, e.get(v1+"/statistics/trend?from=2000-01&to=2026-01", tm.chief), http.StatusUnprocessableEntity, "invalid", "from", "range")
	wantError(t, e.get(v1+"/statistics/trend?from=2026-13", tm.chief), http.StatusBadRequest, "bad_request")
	wantError(t, e.get(v1+"/statistics/trend?unit_id="+strconv.FormatInt(e.units[seed.ProvinceCode("HCM")].ID, 10), tm.chief), http.StatusNotFound, "not_found")
}
