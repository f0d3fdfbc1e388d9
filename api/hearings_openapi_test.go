package api

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"kiemsat/domain"
	"kiemsat/service"
)

// hearingSamples are hearings as the handlers write them: scheduled, postponed with its next
// sitting, held with its judgment, cancelled; a case's list and a calendar page, empty and not.
func hearingSamples(now time.Time) []schemaSample {
	end := now.Add(8 * time.Hour)
	h := domain.Hearing{ID: "0195e0a1-0001-7000-8000-0000000000a1", CaseID: "0195b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e01", UnitID: 27, UnitCode: "VKS-HNI-KV01",
		CaseNumber: "12/2026/VA", CaseCode: "VKS-HNI-KV01-2026-TB-000009", Level: domain.HearingFirstInstance, CourtName: "Tòa án nhân dân khu vực 1 - Hà Nội",
		ScheduledAt: now, ExpectedEnd: &end, Room: "Phòng xử án số 2", ProsecutorID: "0195a0f0-1111-7222-8333-444455556667", ProsecutorName: "Bùi Văn Nam",
		Status: domain.HearingScheduled, DecisionID: "0195c9d0-0008-7000-8000-000000000018", Version: 1, CreatedBy: "0195a0f0-1111-7222-8333-444455556667",
		CreatedAt: now, UpdatedAt: now}
	postponed := h
	postponed.Status, postponed.StatusNote, postponed.StatusAt, postponed.StatusBy = domain.HearingPostponed, "Bị cáo vắng mặt", &now, h.CreatedBy
	postponed.RescheduledTo, postponed.Version = "0195e0a1-0002-7000-8000-0000000000a2", 2
	next := h
	next.ID, next.RescheduledFrom, next.ScheduledAt, next.ExpectedEnd = postponed.RescheduledTo, h.ID, now.AddDate(0, 0, 14), nil
	held := next
	held.Status, held.StatusAt, held.StatusBy, held.OutcomeDecisionID, held.Version = domain.HearingHeld, &now, h.CreatedBy, "0195c9d0-0009-7000-8000-000000000019", 2
	cancelled := h
	cancelled.Level, cancelled.Status, cancelled.StatusNote, cancelled.StatusAt, cancelled.DecisionID = domain.HearingAppeal, domain.HearingCancelled, "Rút kháng cáo", &now, ""
	all := []domain.Hearing{h, postponed, next, held, cancelled}
	var out []schemaSample
	for _, x := range all {
		out = append(out, schemaSample{"Hearing", toHearingJSON(x)})
	}
	return append(out,
		schemaSample{"CaseHearings", caseHearingsJSON{CaseID: h.CaseID, Items: toHearingsJSON(all), Total: int64(len(all))}},
		schemaSample{"CaseHearings", caseHearingsJSON{CaseID: h.CaseID, Items: toHearingsJSON(nil), Total: 0}},
		schemaSample{"HearingCalendar", hearingCalendarJSON{UnitID: 4, IncludeSubunits: true, From: "2026-06-01", To: "2026-06-30", Items: toHearingsJSON(all), Total: 9}},
		schemaSample{"HearingCalendar", hearingCalendarJSON{UnitID: 27, From: "2026-06-01", To: "2026-06-01", Items: toHearingsJSON(nil)}})
}

// The hearing schemas describe exactly what the handlers write, their enums exactly the domain's
// values, and real answers validate against them.
func TestOpenAPIHearingSchemas(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	for name, v := range map[string]any{"Hearing": hearingJSON{}, "CaseHearings": caseHearingsJSON{}, "HearingCalendar": hearingCalendarJSON{}} {
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
	for name, want := range map[string][]string{"HearingLevel": strs(domain.HearingLevels), "HearingStatus": strs(domain.HearingStatuses)} {
		var got []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			got = append(got, v.(string))
		}
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("schema %s enum = %v, the domain knows %v", name, got, want)
		}
	}
	var kinds []string
	for _, v := range doc.Components.Schemas["Change"].Value.Properties["kind"].Value.Enum {
		kinds = append(kinds, v.(string))
	}
	if !strings.Contains(strings.Join(kinds, ","), string(domain.ChangeHearing)) {
		t.Errorf("Change.kind enum %v lacks %s", kinds, domain.ChangeHearing)
	}
	for _, sm := range hearingSamples(time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC)) {
		validateSample(t, doc, sm.schema, sm.value)
	}
	if got := service.HearingStatusesFrom(domain.HearingHeld); len(got) != 0 {
		t.Errorf("a held hearing may still go to %v", got)
	}
}

// The iCalendar export escapes text values and folds long lines at 75 octets without splitting a
// character, with CRLF endings (RFC 5545 §3.1, §3.3.11).
func TestHearingsICS(t *testing.T) {
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	hs := []domain.Hearing{{ID: "0195e0a1-0001-7000-8000-0000000000a1", Level: domain.HearingAppeal, CaseNumber: "12/2026/VA", UnitCode: "VKS-HNI",
		CourtName: "Tòa án nhân dân thành phố Hà Nội; trụ sở 43 Hai Bà Trưng, Hoàn Kiếm", Room: "Phòng 1", ScheduledAt: now.Add(24 * time.Hour),
		ProsecutorName: "Đỗ Thị Hạnh", Status: domain.HearingPostponed, StatusNote: "Bị cáo ốm,\nxin hoãn", Version: 2}}
	ics := hearingsICS(hs, now)
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:0195e0a1-0001-7000-8000-0000000000a1@kiemsat\r\n", "DTSTART:20260602T020000Z\r\n",
		"DTEND:20260602T060000Z\r\n", "SEQUENCE:1\r\n", "STATUS:CANCELLED\r\n", `Hà Nội\; trụ sở 43 Hai Bà Trưng\, Hoàn Kiếm`} {
		if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), want) {
			t.Errorf("ics lacks %q:\n%s", want, ics)
		}
	}
	if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), `Bị cáo ốm\,\nxin hoãn`) {
		t.Errorf("the reason is not escaped:\n%s", ics)
	}
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("bad content line (%d octets): %q", len(l), l)
		}
	}
	if strings.Contains(strings.ReplaceAll(ics, "\r\n", ""), "\n") {
		t.Error("a bare LF in the file")
	}
}
