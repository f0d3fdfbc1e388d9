package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- court hearings (phiên tòa) and the hearing calendar (lịch xét xử) ---

type hearingJSON struct {
	ID                string      `json:"id"`
	CaseID            string      `json:"case_id"`
	CaseNumber        string      `json:"case_number"`
	CaseCode          string      `json:"case_code"`
	Unit              unitRefJSON `json:"unit"`
	Level             string      `json:"level"`
	CourtName         string      `json:"court_name"`
	ScheduledAt       string      `json:"scheduled_at"`
	ExpectedEnd       *string     `json:"expected_end"`
	Place             string      `json:"place"`
	Room              string      `json:"room"`
	ProsecutorID      string      `json:"prosecutor_id"`
	ProsecutorName    string      `json:"prosecutor_name"`
	Note              string      `json:"note"`
	Status            string      `json:"status"`
	NextStatuses      []string    `json:"next_statuses"`
	StatusNote        *string     `json:"status_note"`
	StatusAt          *string     `json:"status_at"`
	StatusBy          *string     `json:"status_by"`
	RescheduledFrom   *string     `json:"rescheduled_from"`
	RescheduledTo     *string     `json:"rescheduled_to"`
	DecisionID        *string     `json:"decision_id"`
	OutcomeDecisionID *string     `json:"outcome_decision_id"`
	Version           int         `json:"version"`
	CreatedBy         string      `json:"created_by"`
	CreatedAt         string      `json:"created_at"`
	UpdatedAt         string      `json:"updated_at"`
}

func toHearingJSON(h domain.Hearing) hearingJSON {
	next := []string{}
	for _, st := range service.HearingStatusesFrom(h.Status) {
		next = append(next, string(st))
	}
	return hearingJSON{ID: h.ID, CaseID: h.CaseID, CaseNumber: h.CaseNumber, CaseCode: h.CaseCode, Unit: unitRefJSON{ID: h.UnitID, Code: h.UnitCode},
		Level: string(h.Level), CourtName: h.CourtName, ScheduledAt: ictInstant(h.ScheduledAt), ExpectedEnd: optInstant(h.ExpectedEnd), Place: h.Place,
		Room: h.Room, ProsecutorID: h.ProsecutorID, ProsecutorName: h.ProsecutorName, Note: h.Note, Status: string(h.Status), NextStatuses: next,
		StatusNote: nonEmpty(h.StatusNote), StatusAt: optInstant(h.StatusAt), StatusBy: nonEmpty(h.StatusBy), RescheduledFrom: nonEmpty(h.RescheduledFrom),
		RescheduledTo: nonEmpty(h.RescheduledTo), DecisionID: nonEmpty(h.DecisionID), OutcomeDecisionID: nonEmpty(h.OutcomeDecisionID),
		Version: h.Version, CreatedBy: h.CreatedBy, CreatedAt: ictInstant(h.CreatedAt), UpdatedAt: ictInstant(h.UpdatedAt)}
}

func toHearingsJSON(hs []domain.Hearing) []hearingJSON {
	out := make([]hearingJSON, len(hs))
	for i, h := range hs {
		out[i] = toHearingJSON(h)
	}
	return out
}

// parseInstant reads an RFC 3339 instant of a body, recording a format problem.
func parseInstant(v *domain.Validation, field string, s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		v.Add(field, "format", "thời điểm theo dạng RFC 3339, ví dụ 2026-06-15T08:00:00+07:00")
		return nil
	}
	return &t
}

type hearingInputJSON struct {
	Level        string  `json:"level"`
	CourtName    string  `json:"court_name"`
	ScheduledAt  *string `json:"scheduled_at"`
	ExpectedEnd  *string `json:"expected_end"`
	Place        string  `json:"place"`
	Room         string  `json:"room"`
	ProsecutorID string  `json:"prosecutor_id"`
	DecisionID   string  `json:"decision_id"`
	Note         string  `json:"note"`
}

// createHearing answers POST /cases/{id}/hearings: a hearing the court has set.
func (s *Server) createHearing(c *gin.Context) {
	var in hearingInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	var v domain.Validation
	at, end := parseInstant(&v, "scheduled_at", in.ScheduledAt), parseInstant(&v, "expected_end", in.ExpectedEnd)
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	sin := service.HearingInput{Level: domain.HearingLevel(in.Level), CourtName: in.CourtName, ExpectedEnd: end, Place: in.Place, Room: in.Room,
		ProsecutorID: in.ProsecutorID, DecisionID: in.DecisionID, Note: in.Note}
	if at != nil {
		sin.ScheduledAt = *at
	}
	h, err := s.Hearings.Schedule(c.Request.Context(), principal(c), c.Param("id"), sin)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/hearings/"+h.ID)
	c.Header("ETag", `"`+strconv.Itoa(h.Version)+`"`)
	c.JSON(http.StatusCreated, toHearingJSON(*h))
}

type caseHearingsJSON struct {
	CaseID string        `json:"case_id"`
	Items  []hearingJSON `json:"items"`
	Total  int64         `json:"total"`
}

// listCaseHearings answers GET /cases/{id}/hearings: every hearing of the case, in date order.
func (s *Server) listCaseHearings(c *gin.Context) {
	items, total, err := s.Hearings.CaseHearings(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, caseHearingsJSON{CaseID: c.Param("id"), Items: toHearingsJSON(items), Total: total})
}

type hearingCalendarJSON struct {
	UnitID          int64         `json:"unit_id"`
	IncludeSubunits bool          `json:"include_subunits"`
	From            string        `json:"from"`
	To              string        `json:"to"`
	Items           []hearingJSON `json:"items"`
	Total           int64         `json:"total"`
}

// calendarQuery reads the calendar's parameters: unit_id (the caller's unit by default),
// include_subunits (true by default), from and to (days, both included), level, status (comma
// lists), prosecutor_id, limit and offset.
func calendarQuery(c *gin.Context) (service.CalendarQuery, error) {
	var q service.CalendarQuery
	unitID, subunits, limit, offset, err := unitPage(c, true)
	if err != nil {
		return q, err
	}
	if unitID != nil {
		q.UnitID = *unitID
	}
	q.IncludeSubunits, q.Limit, q.Offset = subunits, limit, offset
	if q.From, err = queryDate(c, "from"); err != nil {
		return q, err
	}
	to, err := queryDate(c, "to")
	if err != nil {
		return q, err
	}
	if to != nil {
		next := to.AddDate(0, 0, 1)
		q.To = &next
	}
	for _, l := range queryList(c, "level") {
		q.Levels = append(q.Levels, domain.HearingLevel(l))
	}
	for _, st := range queryList(c, "status") {
		q.Statuses = append(q.Statuses, domain.HearingStatus(st))
	}
	if v := c.Query("prosecutor_id"); v != "" {
		q.ProsecutorID = &v
	}
	return q, nil
}

// listHearings answers GET /hearings: the hearing calendar of a unit (and its subtree) by date.
func (s *Server) listHearings(c *gin.Context) {
	q, err := calendarQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cal, err := s.Hearings.Calendar(c.Request.Context(), principal(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, hearingCalendarJSON{UnitID: cal.UnitID, IncludeSubunits: cal.IncludeSubunits, From: ictDate(cal.From),
		To: ictDate(cal.To.AddDate(0, 0, -1)), Items: toHearingsJSON(cal.Items), Total: cal.Total})
}

// getHearing answers GET /hearings/{id}.
func (s *Server) getHearing(c *gin.Context) {
	h, err := s.Hearings.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("ETag", `"`+strconv.Itoa(h.Version)+`"`)
	c.JSON(http.StatusOK, toHearingJSON(*h))
}

type rescheduleJSON struct {
	Version      int     `json:"version"`
	Reason       string  `json:"reason"`
	ScheduledAt  *string `json:"scheduled_at"`
	ExpectedEnd  *string `json:"expected_end"`
	CourtName    *string `json:"court_name"`
	Place        *string `json:"place"`
	Room         *string `json:"room"`
	ProsecutorID string  `json:"prosecutor_id"`
}

// reschedule answers POST /hearings/{id}/postpone and /adjourn: the hearing is postponed or
// adjourned and its next sitting created, which is the answer (201, Location).
func (s *Server) reschedule(adjourn bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in rescheduleJSON
		if err := decodeJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
		if in.Version == 0 {
			in.Version = ifMatchVersion(c)
		}
		var v domain.Validation
		at, end := parseInstant(&v, "scheduled_at", in.ScheduledAt), parseInstant(&v, "expected_end", in.ExpectedEnd)
		if err := v.Err(); err != nil {
			s.fail(c, err)
			return
		}
		r := service.RescheduleInput{Version: in.Version, Reason: in.Reason, ExpectedEnd: end, CourtName: in.CourtName, Place: in.Place, Room: in.Room,
			ProsecutorID: in.ProsecutorID}
		if at != nil {
			r.ScheduledAt = *at
		}
		do := s.Hearings.Postpone
		if adjourn {
			do = s.Hearings.Adjourn
		}
		h, err := do(c.Request.Context(), principal(c), c.Param("id"), r)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Location", "/api/v1/hearings/"+h.ID)
		c.Header("ETag", `"`+strconv.Itoa(h.Version)+`"`)
		c.JSON(http.StatusCreated, toHearingJSON(*h))
	}
}

type hearingHeldJSON struct {
	Version           int    `json:"version"`
	Note              string `json:"note"`
	OutcomeDecisionID string `json:"outcome_decision_id"`
}

// heldHearing answers POST /hearings/{id}/held.
func (s *Server) heldHearing(c *gin.Context) {
	var in hearingHeldJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	h, err := s.Hearings.Held(c.Request.Context(), principal(c), c.Param("id"), service.HearingOutcome{Version: in.Version, Note: in.Note,
		OutcomeDecisionID: in.OutcomeDecisionID})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(h.Version)+`"`)
	c.JSON(http.StatusOK, toHearingJSON(*h))
}

type hearingCancelJSON struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// cancelHearing answers POST /hearings/{id}/cancel.
func (s *Server) cancelHearing(c *gin.Context) {
	var in hearingCancelJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	h, err := s.Hearings.Cancel(c.Request.Context(), principal(c), c.Param("id"), service.HearingOutcome{Version: in.Version, Note: in.Reason})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(h.Version)+`"`)
	c.JSON(http.StatusOK, toHearingJSON(*h))
}

// exportHearingsICS answers GET /hearings.ics: the same calendar as GET /hearings (same
// parameters, same page) as an iCalendar file (RFC 5545) for a calendar application. A hearing
// postponed, adjourned or cancelled is an event with STATUS:CANCELLED, so that a subscribed
// calendar removes it; its next sitting is an event of its own.
func (s *Server) exportHearingsICS(c *gin.Context) {
	q, err := calendarQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cal, err := s.Hearings.Calendar(c.Request.Context(), principal(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="lich-xet-xu-%d-%s.ics"`, cal.UnitID, ictDate(cal.From)))
	c.Header("X-Total-Count", strconv.FormatInt(cal.Total, 10))
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(hearingsICS(cal.Items, s.Now())))
}

var hearingLevelVI = map[domain.HearingLevel]string{
	domain.HearingFirstInstance: "Phiên tòa sơ thẩm",
	domain.HearingAppeal:        "Phiên tòa phúc thẩm",
	domain.HearingCassation:     "Phiên tòa giám đốc thẩm, tái thẩm",
}

var hearingStatusVI = map[domain.HearingStatus]string{
	domain.HearingScheduled: "đã lên lịch",
	domain.HearingHeld:      "đã xét xử",
	domain.HearingPostponed: "hoãn phiên tòa",
	domain.HearingAdjourned: "tạm ngừng phiên tòa",
	domain.HearingCancelled: "hủy lịch",
}

// hearingsICS writes hearings as an iCalendar (RFC 5545): one VEVENT each, its UID the hearing's id
// and its SEQUENCE the hearing's version, so a calendar application updates the event it has.
func hearingsICS(hs []domain.Hearing, now time.Time) string {
	const stamp = "20060102T150405Z"
	var b strings.Builder
	line := func(s string) { b.WriteString(foldICS(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Kiem Sat So//Lich xet xu//VI")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeICS("Lịch xét xử"))
	for _, h := range hs {
		end := h.ScheduledAt.Add(4 * time.Hour)
		if h.ExpectedEnd != nil {
			end = *h.ExpectedEnd
		}
		line("BEGIN:VEVENT")
		line("UID:" + h.ID + "@kiemsat")
		line("DTSTAMP:" + now.UTC().Format(stamp))
		line("DTSTART:" + h.ScheduledAt.UTC().Format(stamp))
		line("DTEND:" + end.UTC().Format(stamp))
		line("SEQUENCE:" + strconv.Itoa(h.Version-1))
		line("SUMMARY:" + escapeICS(fmt.Sprintf("%s – vụ án %s (%s)", hearingLevelVI[h.Level], h.CaseNumber, h.UnitCode)))
		where := []string{h.CourtName}
		if h.Room != "" {
			where = append(where, h.Room)
		}
		if h.Place != "" {
			where = append(where, h.Place)
		}
		line("LOCATION:" + escapeICS(strings.Join(where, ", ")))
		desc := fmt.Sprintf("Mã hồ sơ: %s\nKiểm sát viên: %s\nTrạng thái: %s", h.CaseCode, h.ProsecutorName, hearingStatusVI[h.Status])
		if h.StatusNote != "" {
			desc += "\nLý do, ghi chú: " + h.StatusNote
		}
		line("DESCRIPTION:" + escapeICS(desc))
		switch h.Status {
		case domain.HearingPostponed, domain.HearingAdjourned, domain.HearingCancelled:
			line("STATUS:CANCELLED")
		default:
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

// escapeICS escapes a TEXT value (RFC 5545 §3.3.11).
func escapeICS(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// foldICS ends a content line with CRLF, folding it at 75 octets without splitting a UTF-8
// character (RFC 5545 §3.1).
func foldICS(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	return b.String()
}
