package e2e_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// hearingView is a court hearing (phiên tòa) as the API returns it.
type hearingView struct {
	ID                string   `json:"id"`
	CaseID            string   `json:"case_id"`
	CaseNumber        string   `json:"case_number"`
	Level             string   `json:"level"`
	CourtName         string   `json:"court_name"`
	ScheduledAt       string   `json:"scheduled_at"`
	ExpectedEnd       *string  `json:"expected_end"`
	Room              string   `json:"room"`
	ProsecutorID      string   `json:"prosecutor_id"`
	ProsecutorName    string   `json:"prosecutor_name"`
	Status            string   `json:"status"`
	NextStatuses      []string `json:"next_statuses"`
	StatusNote        *string  `json:"status_note"`
	RescheduledFrom   *string  `json:"rescheduled_from"`
	RescheduledTo     *string  `json:"rescheduled_to"`
	DecisionID        *string  `json:"decision_id"`
	OutcomeDecisionID *string  `json:"outcome_decision_id"`
	Version           int      `json:"version"`
	Unit              struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	} `json:"unit"`
}

type calendarView struct {
	UnitID          int64         `json:"unit_id"`
	IncludeSubunits bool          `json:"include_subunits"`
	From            string        `json:"from"`
	To              string        `json:"to"`
	Items           []hearingView `json:"items"`
	Total           int           `json:"total"`
}

// at is a moment days from now at hour:00 in Vietnam, in RFC 3339.
func at(e *env, days, hour int) string {
	d := e.clock.Now().In(ict).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, ict).Format(time.RFC3339)
}

// toTrial drives a fresh story to the first-instance trial with the court's decision to bring it to
// trial recorded, and returns that decision's id.
func (s *story) toTrial(tm kv1Team, name, cccd string) string {
	s.t.Helper()
	s.investigate(tm)
	s.addAccused(tm, name, cccd)
	s.prosecute(tm)
	s.indict(tm)
	return s.decide(tm.ksv, s.court("bring_to_trial", "number", "70/QĐXXST-HS")).Decision.ID
}

// hearing posts to a hearing route and decodes the hearing answered with status.
func (s *story) hearing(path, token string, body map[string]any, status int) hearingView {
	s.t.Helper()
	r := s.e.send(req{Method: "POST", Path: path, Token: token, Body: body})
	if r.Status != status {
		s.t.Fatalf("POST %s: %d, want %d: %s", path, r.Status, status, r.Body)
	}
	var h hearingView
	r.decode(s.t, &h)
	return h
}

func (e *env) hearingOf(t *testing.T, id, token string) hearingView {
	t.Helper()
	r := e.get(v1+"/hearings/"+id, token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET hearing: %d %s", r.Status, r.Body)
	}
	var h hearingView
	r.decode(t, &h)
	return h
}

func (e *env) hearingCalendar(t *testing.T, query, token string) calendarView {
	t.Helper()
	r := e.get(v1+"/hearings?"+query, token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /hearings?%s: %d %s", query, r.Status, r.Body)
	}
	var c calendarView
	r.decode(t, &c)
	if c.Total < len(c.Items) {
		t.Fatalf("calendar total %d for %d items", c.Total, len(c.Items))
	}
	return c
}

func hearingIDs(hs []hearingView) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// TestHearingScheduleAtTrialStage: a first-instance hearing is scheduled only once the case is at
// the first-instance trial and the court's decision to bring it to trial is recorded (Điều 255,
// 277 BLTTHS); its time must be plausible and its prosecutor on the case's team; a case waits for
// one hearing of a level at a time. Reading and scheduling follow the case's rights, audited and
// in the change feed.
func TestHearingScheduleAtTrialStage(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	path := v1 + "/cases/" + s.id + "/hearings"
	first := func(kv ...any) map[string]any {
		m := map[string]any{"level": "first_instance", "scheduled_at": at(e, 10, 8), "room": "Phòng xử án số 2"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	// Under investigation: no hearing of any level.
	s.investigate(tm)
	d := wantRule(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first()}), http.StatusUnprocessableEntity, "invalid", "level", "case_stage")
	wantArticle(t, d, "Điều 255, 277 BLTTHS")
	s.addAccused(tm, "Trần Văn Bình", "001095012345")
	s.prosecute(tm)
	s.indict(tm)
	// At the first-instance trial, but the court has not decided to bring the case to trial yet.
	d = wantRule(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first()}), http.StatusUnprocessableEntity, "invalid", "decision_id", "hearing_trigger")
	wantArticle(t, d, "Điều 255, 277 BLTTHS")
	// Nor an appeal hearing before any judgment.
	wantRule(t, e.send(req{Method: "POST", Path: path, Token: tm.chief, Body: first("level", "appeal")}), http.StatusUnprocessableEntity, "invalid", "level", "case_stage")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.chief, Body: first("level", "district")}), http.StatusUnprocessableEntity, "invalid", "level", "enum")
	trial := s.decide(tm.ksv, s.court("bring_to_trial", "number", "70/QĐXXST-HS")).Decision.ID

	// Implausible times, every problem at once where they are independent.
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("scheduled_at", at(e, 3*366, 8))}), http.StatusUnprocessableEntity, "invalid", "scheduled_at", "range")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("scheduled_at", at(e, -2, 8))}), http.StatusUnprocessableEntity, "invalid", "scheduled_at", "date_order")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("scheduled_at", "15/06/2026 8h")}), http.StatusUnprocessableEntity, "invalid", "scheduled_at", "format")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("expected_end", at(e, 9, 8))}), http.StatusUnprocessableEntity, "invalid", "expected_end", "after_start")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("scheduled_at", nil)}), http.StatusUnprocessableEntity, "invalid", "scheduled_at", "required")
	// The prosecutor who attends is one of the case's team.
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("prosecutor_id", e.userID("hnkv1.ksv2"))}), http.StatusUnprocessableEntity, "invalid", "prosecutor_id", "on_team")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.ksv, Body: first("decision_id", s.id)}), http.StatusUnprocessableEntity, "invalid", "decision_id", "hearing_trigger")
	if n := e.count(`SELECT count(*) FROM hearings WHERE case_id = $1`, s.id); n != 0 {
		t.Fatalf("%d hearings after refusals", n)
	}

	// The court, the decision and the prosecutor default to what the record says.
	h := s.hearing(path, tm.ksv, first("expected_end", at(e, 10, 17)), http.StatusCreated)
	if h.Level != "first_instance" || h.Status != "scheduled" || h.Version != 1 || h.CourtName != "Tòa án nhân dân khu vực 1 - Hà Nội" ||
		h.DecisionID == nil || *h.DecisionID != trial || h.ProsecutorID != e.userID("hnkv1.ksv1") || h.ProsecutorName == "" || h.Room != "Phòng xử án số 2" ||
		h.CaseID != s.id || h.Unit.Code != seed.RegionalCode("HNI", 1) || h.RescheduledFrom != nil ||
		!slices.Equal(h.NextStatuses, []string{"held", "postponed", "adjourned", "cancelled"}) {
		t.Fatalf("scheduled hearing: %+v", h)
	}
	if got, _ := time.Parse(time.RFC3339, h.ScheduledAt); got.Format(time.RFC3339) != at(e, 10, 8) {
		t.Fatalf("scheduled_at %s, want %s", h.ScheduledAt, at(e, 10, 8))
	}
	// One hearing of a level waiting at a time.
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: tm.chief, Body: first("scheduled_at", at(e, 12, 8))}), http.StatusConflict, "conflict", "level", "one_scheduled")

	// Reading follows the case: the clerk of the unit reads but may not schedule; a sibling unit's
	// chief sees nothing at all.
	clerkList := e.get(path, tm.clerk)
	if clerkList.Status != http.StatusOK {
		t.Fatalf("clerk lists hearings: %d %s", clerkList.Status, clerkList.Body)
	}
	var list struct {
		CaseID string        `json:"case_id"`
		Items  []hearingView `json:"items"`
		Total  int           `json:"total"`
	}
	clerkList.decode(t, &list)
	if list.CaseID != s.id || list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != h.ID {
		t.Fatalf("case hearings: %+v", list)
	}
	wantError(t, e.send(req{Method: "POST", Path: path, Token: tm.clerk, Body: first("scheduled_at", at(e, 12, 8))}), http.StatusForbidden, "forbidden")
	kv2 := e.login("hnkv2.vientruong").AccessToken
	wantError(t, e.get(path, kv2), http.StatusNotFound, "not_found")
	wantError(t, e.get(v1+"/hearings/"+h.ID, kv2), http.StatusNotFound, "not_found")
	wantError(t, e.send(req{Method: "POST", Path: path, Token: kv2, Body: first()}), http.StatusNotFound, "not_found")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/hearings/" + h.ID + "/cancel", Token: kv2, Body: map[string]any{"version": 1, "reason": "x"}}),
		http.StatusNotFound, "not_found")
	// A provincial chief reads it but does not schedule a first-instance hearing of a regional case.
	hn := e.login("hn.vientruong").AccessToken
	if got := e.hearingOf(t, h.ID, hn); got.ID != h.ID {
		t.Fatalf("provincial chief reads %+v", got)
	}
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/hearings/" + h.ID + "/cancel", Token: hn, Body: map[string]any{"version": 1, "reason": "x"}}),
		http.StatusForbidden, "forbidden")

	// Audited and in the change feed, in the transactions that made them.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'hearing.schedule' AND target_id = $1 AND outcome = 'success'`, s.id); n != 1 {
		t.Errorf("%d hearing.schedule audit rows, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'hearing.schedule' AND target_id = $1 AND outcome = 'denied'`, s.id); n != 1 {
		t.Errorf("%d denied hearing.schedule audit rows, want 1 (the clerk's)", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('case.hearings', 'hearing.read') AND target_id = $1`, s.id); n < 2 {
		t.Errorf("%d audited reads of the case's hearings, want at least 2", n)
	}
	if n := e.count(`SELECT count(*) FROM changes WHERE kind = 'hearing' AND case_id = $1 AND entity_id = $2 AND op = 'created'`, s.id, h.ID); n != 1 {
		t.Errorf("%d hearing changes in the feed, want 1", n)
	}
}

// TestHearingPostponeChain: postponing a hearing (hoãn phiên tòa) records the reason and schedules
// its next sitting, which points back to it; a stale version is a 409 and a hearing that left
// scheduled moves no more; two writers racing on the same version leave exactly one change. The
// next sitting is recorded as held once its time has come, with the judgment it gave.
func TestHearingPostponeChain(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.toTrial(tm, "Lê Văn Cường", "001096033344")
	h := s.hearing(v1+"/cases/"+s.id+"/hearings", tm.chief, map[string]any{"level": "first_instance", "scheduled_at": at(e, 5, 8)}, http.StatusCreated)
	postpone := v1 + "/hearings/" + h.ID + "/postpone"
	body := func(kv ...any) map[string]any {
		m := map[string]any{"version": h.Version, "reason": "Bị cáo vắng mặt có lý do chính đáng (ốm nặng)", "scheduled_at": at(e, 20, 8)}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	wantDetail(t, e.send(req{Method: "POST", Path: postpone, Token: tm.ksv, Body: body("version", 2)}), http.StatusConflict, "conflict", "version", "stale")
	wantDetail(t, e.send(req{Method: "POST", Path: postpone, Token: tm.ksv, Body: body("version", 0)}), http.StatusUnprocessableEntity, "invalid", "version", "required")
	wantDetail(t, e.send(req{Method: "POST", Path: postpone, Token: tm.ksv, Body: body("reason", " ")}), http.StatusUnprocessableEntity, "invalid", "reason", "required")
	wantDetail(t, e.send(req{Method: "POST", Path: postpone, Token: tm.ksv, Body: body("scheduled_at", at(e, 4, 8))}), http.StatusUnprocessableEntity, "invalid", "scheduled_at", "after_previous")
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/hearings/" + h.ID + "/adjourn", Token: tm.ksv, Body: body()}), http.StatusUnprocessableEntity, "invalid", "status", "not_opened")
	if got := e.hearingOf(t, h.ID, tm.ksv); got.Status != "scheduled" || got.Version != 1 {
		t.Fatalf("refused postponements changed the hearing: %+v", got)
	}

	next := s.hearing(postpone, tm.ksv, body("room", "Phòng xử án số 1"), http.StatusCreated)
	if next.ID == h.ID || next.RescheduledFrom == nil || *next.RescheduledFrom != h.ID || next.Status != "scheduled" || next.Version != 1 ||
		next.Room != "Phòng xử án số 1" || next.CourtName != h.CourtName || next.ProsecutorID != h.ProsecutorID || next.DecisionID == nil ||
		*next.DecisionID != *h.DecisionID {
		t.Fatalf("next sitting: %+v", next)
	}
	old := e.hearingOf(t, h.ID, tm.ksv)
	if old.Status != "postponed" || old.Version != 2 || old.StatusNote == nil || !strings.Contains(*old.StatusNote, "vắng mặt") ||
		old.RescheduledTo == nil || *old.RescheduledTo != next.ID || len(old.NextStatuses) != 0 {
		t.Fatalf("postponed hearing: %+v", old)
	}
	// A hearing postponed is postponed once.
	wantDetail(t, e.send(req{Method: "POST", Path: postpone, Token: tm.ksv, Body: body("version", 2)}), http.StatusUnprocessableEntity, "invalid", "status", "transition")
	wantDetail(t, e.send(req{Method: "POST", Path: postpone, Token: tm.ksv, Body: body("version", 1)}), http.StatusConflict, "conflict", "version", "stale")

	// Two writers with the same version: one wins, the other is told the hearing changed.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.send(req{Method: "POST", Path: v1 + "/hearings/" + next.ID + "/postpone", Token: tm.ksv,
				Body: map[string]any{"version": 1, "reason": "Cần triệu tập thêm người làm chứng", "scheduled_at": at(e, 30+i, 8)}})
			statuses[i] = r.Status
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusUnprocessableEntity}) && !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict}) {
		t.Fatalf("concurrent postponements answered %v, want one 201 and one refusal", statuses)
	}
	var third string
	if err := e.db.QueryRow(`SELECT id::text FROM hearings WHERE rescheduled_from = $1`, next.ID).Scan(&third); err != nil {
		t.Fatalf("the winner's next sitting: %v", err)
	}
	var list struct {
		Items []hearingView `json:"items"`
		Total int           `json:"total"`
	}
	e.get(v1+"/cases/"+s.id+"/hearings", tm.ksv).decode(t, &list)
	if list.Total != 3 || !slices.Equal(hearingIDs(list.Items), []string{h.ID, next.ID, third}) {
		t.Fatalf("the case's hearings in date order: %+v", list)
	}
	if n := e.count(`SELECT count(*) FROM changes WHERE kind = 'hearing' AND case_id = $1`, s.id); n != 5 {
		t.Errorf("%d hearing changes, want 5 (three created, two postponed)", n)
	}

	// Held: not before its time; then with the judgment it gave.
	held := v1 + "/hearings/" + third + "/held"
	wantDetail(t, e.send(req{Method: "POST", Path: held, Token: tm.ksv, Body: map[string]any{"version": 1}}), http.StatusUnprocessableEntity, "invalid", "status", "not_opened")
	e.clock.Advance(35 * 24 * time.Hour)
	tm = loginKV1(e)
	judgment := s.decide(tm.ksv, s.court("pronounce_judgment", "number", "80/HSST")).Decision.ID
	wantDetail(t, e.send(req{Method: "POST", Path: held, Token: tm.ksv, Body: map[string]any{"version": 1, "outcome_decision_id": s.id}}),
		http.StatusUnprocessableEntity, "invalid", "outcome_decision_id", "case_decision")
	done := s.hearing(held, tm.ksv, map[string]any{"version": 1, "note": "Đã tuyên án", "outcome_decision_id": judgment}, http.StatusOK)
	if done.Status != "held" || done.Version != 2 || done.OutcomeDecisionID == nil || *done.OutcomeDecisionID != judgment {
		t.Fatalf("held hearing: %+v", done)
	}
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/hearings/" + third + "/cancel", Token: tm.ksv, Body: map[string]any{"version": 2, "reason": "nhầm"}}),
		http.StatusUnprocessableEntity, "invalid", "status", "transition")
}

// TestHearingAppealBySuperior: an appeal hearing rests on the appeal; the provincial procuracy,
// whose prosecutor attends the appellate court, schedules it for a regional case and may name its
// own prosecutor, while a first-instance hearing of that case stays the regional unit's.
func TestHearingAppealBySuperior(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	s.toTrial(tm, "Phạm Văn Dũng", "001097044455")
	path := v1 + "/cases/" + s.id + "/hearings"
	hn := e.login("hn.vientruong").AccessToken
	wantError(t, e.send(req{Method: "POST", Path: path, Token: hn, Body: map[string]any{"level": "first_instance", "scheduled_at": at(e, 5, 8)}}),
		http.StatusForbidden, "forbidden")
	s.decide(tm.ksv, s.court("pronounce_judgment", "number", "80/HSST"))
	appeal := s.decide(tm.ksv, map[string]any{"step": "appeal", "issuer": "party", "issuer_name": "Phạm Văn Dũng", "issued_on": today(e)}).Decision.ID
	body := map[string]any{"level": "appeal", "scheduled_at": at(e, 40, 8), "prosecutor_id": e.userID("hn.ksv")}
	// The appeal names no court: the court must be given.
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: hn, Body: body}), http.StatusUnprocessableEntity, "invalid", "court_name", "required")
	body["court_name"] = "Tòa án nhân dân thành phố Hà Nội"
	// A prosecutor of a sibling unit attends nothing of this case.
	body["prosecutor_id"] = e.userID("hnkv1.ksv2")
	wantDetail(t, e.send(req{Method: "POST", Path: path, Token: hn, Body: body}), http.StatusUnprocessableEntity, "invalid", "prosecutor_id", "attending_prosecutor")
	body["prosecutor_id"] = e.userID("hn.ksv")
	h := s.hearing(path, hn, body, http.StatusCreated)
	if h.Level != "appeal" || h.DecisionID == nil || *h.DecisionID != appeal || h.ProsecutorID != e.userID("hn.ksv") || h.Unit.Code != seed.RegionalCode("HNI", 1) {
		t.Fatalf("appeal hearing: %+v", h)
	}
}

// TestHearingCalendarAcrossLevels: the calendar (lịch xét xử) of a unit lists its hearings in date
// order; a provincial chief sees the regional unit's hearings with include_subunits and not
// without; a sibling regional chief gets the same 404 for that unit as for one that does not
// exist and sees none of them through the province; the window is checked; the iCalendar export
// carries the same page.
func TestHearingCalendarAcrossLevels(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	a := newStory(t, e, tm, nil)
	a.toTrial(tm, "Nguyễn Văn Một", "001090000001")
	b := newStory(t, e, tm, nil)
	b.toTrial(tm, "Nguyễn Văn Hai", "001090000002")
	late := a.hearing(v1+"/cases/"+a.id+"/hearings", tm.chief, map[string]any{"level": "first_instance", "scheduled_at": at(e, 9, 14)}, http.StatusCreated)
	early := b.hearing(v1+"/cases/"+b.id+"/hearings", tm.chief, map[string]any{"level": "first_instance", "scheduled_at": at(e, 3, 8),
		"prosecutor_id": e.userID("hnkv1.ksv1")}, http.StatusCreated)
	kv1, hni, kv2 := e.units[seed.RegionalCode("HNI", 1)].ID, e.units[seed.ProvinceCode("HNI")].ID, e.units[seed.RegionalCode("HNI", 2)].ID
	unit := func(id int64, subunits bool, more ...string) string {
		q := url.Values{"unit_id": {strconv.FormatInt(id, 10)}, "include_subunits": {strconv.FormatBool(subunits)}}
		for i := 0; i+1 < len(more); i += 2 {
			q.Set(more[i], more[i+1])
		}
		return q.Encode()
	}
	from, to := today(e), e.clock.Now().In(ict).AddDate(0, 0, 20).Format(time.DateOnly)

	// The regional unit's own calendar, in date order, by default the next 30 days.
	c := e.hearingCalendar(t, "", tm.chief)
	if c.UnitID != kv1 || !c.IncludeSubunits || c.From != from || c.To != e.clock.Now().In(ict).AddDate(0, 0, 29).Format(time.DateOnly) ||
		!slices.Equal(hearingIDs(c.Items), []string{early.ID, late.ID}) || c.Total != 2 {
		t.Fatalf("own calendar: %+v", c)
	}
	if c := e.hearingCalendar(t, unit(kv1, false, "limit", "1", "offset", "1"), tm.ksv); c.Total != 2 || !slices.Equal(hearingIDs(c.Items), []string{late.ID}) {
		t.Fatalf("second page: %+v", c)
	}

	// The provincial chief follows them through the subtree, not through the province's own.
	hn := e.login("hn.vientruong").AccessToken
	if c := e.hearingCalendar(t, unit(hni, true, "from", from, "to", to), hn); !slices.Equal(hearingIDs(c.Items), []string{early.ID, late.ID}) || c.UnitID != hni {
		t.Fatalf("province with subunits: %+v", c)
	}
	if c := e.hearingCalendar(t, unit(hni, false, "from", from, "to", to), hn); c.Total != 0 || len(c.Items) != 0 {
		t.Fatalf("province without subunits lists %+v", c)
	}
	if c := e.hearingCalendar(t, unit(kv1, false, "from", from, "to", to), hn); c.Total != 2 {
		t.Fatalf("province reading the regional unit: %+v", c)
	}
	// Filters: level, status, attending prosecutor, a window that ends before the later hearing.
	if c := e.hearingCalendar(t, unit(hni, true, "level", "appeal"), hn); c.Total != 0 {
		t.Fatalf("appeal hearings: %+v", c)
	}
	if c := e.hearingCalendar(t, unit(hni, true, "status", "scheduled,held", "prosecutor_id", e.userID("hnkv1.ksv1")), hn); c.Total != 2 {
		t.Fatalf("by status and prosecutor: %+v", c)
	}
	if c := e.hearingCalendar(t, unit(hni, true, "prosecutor_id", e.userID("hnkv1.ksv2")), hn); c.Total != 0 {
		t.Fatalf("another prosecutor's hearings: %+v", c)
	}
	if c := e.hearingCalendar(t, unit(hni, true, "to", e.clock.Now().In(ict).AddDate(0, 0, 5).Format(time.DateOnly)), hn); !slices.Equal(hearingIDs(c.Items), []string{early.ID}) {
		t.Fatalf("to the 5th day: %+v", c)
	}

	// A sibling regional chief: the regional unit is as absent as a unit that does not exist, and
	// the province shows them nothing of it.
	kv2Tok := e.login("hnkv2.vientruong").AccessToken
	missing := wantError(t, e.get(v1+"/hearings?"+unit(kv1, true), kv2Tok), http.StatusNotFound, "not_found")
	absent := wantError(t, e.get(v1+"/hearings?"+unit(987654, true), kv2Tok), http.StatusNotFound, "not_found")
	if missing.Error.Message != absent.Error.Message {
		t.Errorf("out of scope %q and absent %q answer differently", missing.Error.Message, absent.Error.Message)
	}
	wantError(t, e.get(v1+"/hearings?"+unit(hni, false), kv2Tok), http.StatusNotFound, "not_found")
	if c := e.hearingCalendar(t, unit(hni, true), kv2Tok); c.Total != 0 {
		t.Fatalf("sibling chief sees through the province: %+v", c)
	}
	if c := e.hearingCalendar(t, unit(kv2, true), kv2Tok); c.Total != 0 {
		t.Fatalf("sibling chief's own calendar: %+v", c)
	}

	// The window: inverted, too long, malformed; bad filters.
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "from", "2026-06-10", "to", "2026-06-01"), tm.chief), http.StatusUnprocessableEntity, "invalid", "to", "after_from")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "from", "2026-01-01", "to", "2027-02-01"), tm.chief), http.StatusUnprocessableEntity, "invalid", "to", "max_span")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "from", "2026-13-01"), tm.chief), http.StatusBadRequest, "bad_request", "from", "syntax")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "to", "mai"), tm.chief), http.StatusBadRequest, "bad_request", "to", "syntax")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "level", "district"), tm.chief), http.StatusUnprocessableEntity, "invalid", "level", "enum")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "status", "done"), tm.chief), http.StatusUnprocessableEntity, "invalid", "status", "enum")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "prosecutor_id", "ksv1"), tm.chief), http.StatusUnprocessableEntity, "invalid", "prosecutor_id", "format")
	wantDetail(t, e.get(v1+"/hearings?"+unit(kv1, true, "limit", "500"), tm.chief), http.StatusUnprocessableEntity, "invalid", "limit", "max")
	// A year exactly is allowed (2028 is a leap year: 366 days).
	if c := e.hearingCalendar(t, unit(kv1, true, "from", "2028-01-01", "to", "2028-12-31"), tm.chief); c.From != "2028-01-01" || c.To != "2028-12-31" {
		t.Fatalf("a leap year's calendar: %+v", c)
	}

	// The iCalendar export: the same page, one event per hearing.
	r := e.get(v1+"/hearings.ics?"+unit(hni, true, "from", from, "to", to), hn)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || r.Header.Get("X-Total-Count") != "2" {
		t.Fatalf("ics: %d %v %s", r.Status, r.Header, r.Body)
	}
	ics := string(r.Body)
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || strings.Count(ics, "BEGIN:VEVENT\r\n") != 2 || !strings.Contains(ics, "UID:"+early.ID+"@kiemsat\r\n") ||
		!strings.Contains(ics, "SUMMARY:Phiên tòa sơ thẩm – vụ án") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Fatalf("ics body:\n%s", ics)
	}
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("ics line of %d octets: %q", len(l), l)
		}
	}
	wantError(t, e.get(v1+"/hearings.ics?"+unit(kv1, true), kv2Tok), http.StatusNotFound, "not_found")

	// Every calendar read is audited.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'hearing.list' AND target_unit = $1`, hni); n < 6 {
		t.Errorf("%d audited calendar reads of the province, want at least 6", n)
	}
}
