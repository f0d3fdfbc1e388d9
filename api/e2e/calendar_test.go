package e2e_test

import (
	"net/http"
	"testing"
)

type calendarDayView struct {
	Date      string `json:"date"`
	NameVI    string `json:"name_vi"`
	NameEN    string `json:"name_en"`
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	Confirmed bool   `json:"confirmed"`
	DayOff    bool   `json:"day_off"`
}

type calendarListView struct {
	Items []calendarDayView `json:"items"`
	Total int               `json:"total"`
}

func (e *env) calendar(t *testing.T, token, query string) map[string]calendarDayView {
	t.Helper()
	r := e.get(v1+"/calendar"+query, token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /calendar%s: %d %s", query, r.Status, r.Body)
	}
	var l calendarListView
	r.decode(t, &l)
	if l.Total != len(l.Items) {
		t.Fatalf("total %d for %d items", l.Total, len(l.Items))
	}
	out := map[string]calendarDayView{}
	for i, d := range l.Items {
		if i > 0 && l.Items[i-1].Date >= d.Date {
			t.Fatalf("entries out of date order: %s after %s", d.Date, l.Items[i-1].Date)
		}
		out[d.Date] = d
	}
	return out
}

// TestLegalCalendar: everyone reads the legal calendar, with whether each date is a day off
// under the make-up Saturday setting; only the system administrator edits it, every edit and
// refusal is audited, and a refused edit writes nothing.
func TestLegalCalendar(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	chief := e.login("hnkv1.vientruong").AccessToken
	clerk := e.login("hnkv1.thuky").AccessToken
	path := func(date string) string { return v1 + "/calendar/" + date }
	rows := func() int { return e.count(`SELECT count(*) FROM legal_calendar`) }

	// Any logged-in user reads a year: Tết is a day off, the make-up Saturday is a working day.
	y2026 := e.calendar(t, clerk, "?year=2026")
	if d, ok := y2026["2026-02-17"]; !ok || d.Kind != "statutory" || !d.DayOff || !d.Confirmed || d.NameVI == "" {
		t.Fatalf("Tết 2026-02-17: %+v (%v)", d, ok)
	}
	if d, ok := y2026["2026-01-10"]; !ok || d.Kind != "swap_workday" || d.DayOff {
		t.Fatalf("make-up Saturday 2026-01-10: %+v (%v)", d, ok)
	}
	for date := range y2026 {
		if date[:4] != "2026" {
			t.Fatalf("2026 lists %s", date)
		}
	}
	if all := e.calendar(t, clerk, ""); len(all) <= len(y2026) {
		t.Fatalf("all years: %d entries, 2026 alone %d", len(all), len(y2026))
	}
	wantDetail(t, e.get(v1+"/calendar?year=1999", clerk), http.StatusUnprocessableEntity, "invalid", "year", "range")
	wantDetail(t, e.get(v1+"/calendar?year=twenty", clerk), http.StatusBadRequest, "bad_request", "year", "")
	wantError(t, e.get(v1+"/calendar", ""), http.StatusUnauthorized, "unauthenticated")

	// A chief may not edit it: 403, audited as denied, nothing written.
	before := rows()
	announced := map[string]any{"name_vi": "Quốc khánh - ngày liền kề", "name_en": "National Day - adjacent day", "kind": "statutory",
		"source": "BLLĐ 2019 Đ.112(1)(đ); thông báo của Bộ Nội vụ về lịch nghỉ năm 2027", "confirmed": true}
	wantError(t, e.send(req{Method: "PUT", Path: path("2027-09-03"), Token: chief, Body: announced}), http.StatusForbidden, "forbidden")
	wantError(t, e.send(req{Method: "DELETE", Path: path("2026-02-17"), Token: chief}), http.StatusForbidden, "forbidden")
	if n := rows(); n != before {
		t.Fatalf("refused edits changed the calendar: %d rows, want %d", n, before)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('calendar.put', 'calendar.delete') AND outcome = 'denied' AND user_id = $1`,
		e.userID("hnkv1.vientruong")); n != 2 {
		t.Fatalf("%d denied calendar rows for the chief, want 2", n)
	}

	// The administrator adds a newly announced day off: 201, then listed as a day off.
	r := e.send(req{Method: "PUT", Path: path("2027-09-03"), Token: admin, Body: announced})
	if r.Status != http.StatusCreated {
		t.Fatalf("PUT a new day: %d %s", r.Status, r.Body)
	}
	var put calendarDayView
	r.decode(t, &put)
	if put.Date != "2027-09-03" || put.Kind != "statutory" || !put.DayOff || !put.Confirmed || put.NameVI != announced["name_vi"] {
		t.Fatalf("PUT answered %+v", put)
	}
	if d, ok := e.calendar(t, chief, "?year=2027")["2027-09-03"]; !ok || !d.DayOff || d.Source != announced["source"] {
		t.Fatalf("the new day listed as %+v (%v)", d, ok)
	}
	// Sending it again replaces it: 200, still one row.
	announced["confirmed"], announced["name_en"] = false, ""
	r = e.send(req{Method: "PUT", Path: path("2027-09-03"), Token: admin, Body: announced})
	if r.Status != http.StatusOK {
		t.Fatalf("PUT an existing day: %d %s", r.Status, r.Body)
	}
	if d := e.calendar(t, clerk, "?year=2027")["2027-09-03"]; d.Confirmed || d.NameEN != "" {
		t.Fatalf("the replaced day reads %+v", d)
	}
	if n := rows(); n != before+1 {
		t.Fatalf("%d rows after add and replace, want %d", n, before+1)
	}
	if n := e.count(`SELECT count(*) FROM legal_calendar WHERE date = '2027-09-03' AND updated_by = $1`, e.userID("admin")); n != 1 {
		t.Fatal("the edit does not name its author")
	}

	// A make-up working day on a Monday is refused with the article, and nothing is written.
	monday := map[string]any{"name_vi": "Làm bù cho ngày nghỉ", "kind": "swap_workday", "confirmed": true}
	wantDetail(t, e.send(req{Method: "PUT", Path: path("2026-01-12"), Token: admin, Body: monday}), http.StatusUnprocessableEntity, "invalid", "date", "saturday")
	if _, ok := e.calendar(t, clerk, "?year=2026")["2026-01-12"]; ok {
		t.Fatal("the refused Monday was written")
	}
	wantDetail(t, e.send(req{Method: "PUT", Path: path("2026-01-13"), Token: admin, Body: map[string]any{"name_vi": "Ngày lạ", "kind": "holiday"}}),
		http.StatusUnprocessableEntity, "invalid", "kind", "enum")
	wantDetail(t, e.send(req{Method: "PUT", Path: path("2101-01-01"), Token: admin, Body: announced}), http.StatusUnprocessableEntity, "invalid", "date", "range")

	// Malformed dates in the path, and unknown fields in the body.
	for _, bad := range []string{"2026-13-01", "2026-02-30", "17-02-2026", "2026-2-17", "tet"} {
		wantDetail(t, e.send(req{Method: "PUT", Path: path(bad), Token: admin, Body: announced}), http.StatusUnprocessableEntity, "invalid", "date", "format")
		wantDetail(t, e.send(req{Method: "DELETE", Path: path(bad), Token: admin}), http.StatusUnprocessableEntity, "invalid", "date", "format")
	}
	wantDetail(t, e.send(req{Method: "PUT", Path: path("2027-09-03"), Token: admin, Body: raw(`{"name_vi":"Quốc khánh","kind":"statutory","day_off":true}`)}),
		http.StatusBadRequest, "bad_request", "day_off", "unknown_field")
	if n := rows(); n != before+1 {
		t.Fatalf("%d rows after refused edits, want %d", n, before+1)
	}

	// Deleting: a date without an entry is 404; an existing one goes, and the date is then an
	// ordinary working day (not listed).
	wantError(t, e.send(req{Method: "DELETE", Path: path("2027-03-03"), Token: admin}), http.StatusNotFound, "not_found")
	if r := e.send(req{Method: "DELETE", Path: path("2027-09-03"), Token: admin}); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	if _, ok := e.calendar(t, clerk, "?year=2027")["2027-09-03"]; ok {
		t.Fatal("the deleted day is still listed")
	}
	wantError(t, e.send(req{Method: "DELETE", Path: path("2027-09-03"), Token: admin}), http.StatusNotFound, "not_found")

	// The audit trail: two puts and one delete by the administrator, with the date as target.
	adminID := e.userID("admin")
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'calendar.put' AND outcome = 'success' AND user_id = $1
		AND target_type = 'calendar_day' AND target_id = '2027-09-03'`, adminID); n != 2 {
		t.Fatalf("%d calendar.put rows, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'calendar.put' AND outcome = 'success' AND detail::jsonb ->> 'created' = 'true'`); n != 1 {
		t.Fatalf("%d calendar.put rows record a creation, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'calendar.delete' AND outcome = 'success' AND user_id = $1
		AND target_id = '2027-09-03'`, adminID); n != 1 {
		t.Fatalf("%d calendar.delete rows, want 1", n)
	}
	if rep := e.verify(); rep.FirstBad != 0 {
		t.Fatalf("audit chain: %+v", rep)
	}
}
