package workflow

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
)

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, domain.ICT) }

func TestEmbeddedCalendarMatchesReference(t *testing.T) {
	days := DefaultCalendarDays()
	if len(days) != 94 {
		t.Errorf("%d calendar entries, want the reference's 94", len(days))
	}
	ref, err := os.ReadFile("../../shared/reference/vn-holidays-2024-2030.csv")
	if err != nil {
		t.Skipf("reference file not beside the repository: %v", err)
	}
	if !bytes.Equal(ref, CalendarData()) {
		t.Error("workflow/calendar/vn-holidays.csv differs from the verified reference")
	}
	provisional := 0
	for _, d := range days {
		if !d.Confirmed {
			provisional++
			if d.Date.Year() < 2027 {
				t.Errorf("%s is unconfirmed although 2024–2026 were announced", d.Date.Format(time.DateOnly))
			}
		}
	}
	if provisional == 0 {
		t.Error("no provisional or derived row: the source column was not read")
	}
}

func TestParseCalendarRefusesBadRows(t *testing.T) {
	head := "date,name_vi,name_en,kind,source\n"
	for name, body := range map[string]string{
		"bad date":          "2026-02-30,Tết,Tet,statutory,x\n",
		"bad kind":          "2026-02-17,Tết,Tet,holiday,x\n",
		"duplicate":         "2026-02-17,Tết,Tet,statutory,x\n2026-02-17,Tết,Tet,statutory,y\n",
		"no name":           "2026-02-17,,Tet,statutory,x\n",
		"weekday make-up":   "2026-01-12,Làm bù,Make-up,swap_workday,x\n",
		"wrong field count": "2026-02-17,Tết,statutory,x\n",
	} {
		if _, err := ParseCalendar(strings.NewReader(head + body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseCalendar(strings.NewReader("day,name\n")); err == nil {
		t.Error("bad header accepted")
	}
}

func TestCalendarDaysOff(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	for _, c := range []struct {
		d    time.Time
		off  bool
		note string
	}{
		{date(2026, 2, 17), true, "Tết Bính Ngọ, mùng 1"},
		{date(2026, 4, 30), true, "Reunification Day"},
		{date(2026, 5, 1), true, "Labour Day"},
		{date(2026, 5, 4), false, "Monday after"},
		{date(2026, 1, 2), true, "swapped day off for New Year"},
		{date(2026, 1, 10), false, "make-up working Saturday (setting: working)"},
		{date(2026, 1, 17), true, "ordinary Saturday"},
		{date(2026, 11, 20), false, "ordinary Friday"},
	} {
		if got := cal.IsDayOff(c.d); got != c.off {
			t.Errorf("%s (%s): day off = %v, want %v", c.d.Format(time.DateOnly), c.note, got, c.off)
		}
	}
	// The make-up Saturday is a setting.
	if !NewCalendar(DefaultCalendarDays(), false).IsDayOff(date(2026, 1, 10)) {
		t.Error("with make-up Saturdays not counted as working, 10/01/2026 should be a day off")
	}
	if got := cal.NextWorkingDay(date(2026, 4, 30)); !got.Equal(date(2026, 5, 4)) {
		t.Errorf("next working day after 30/4/2026: %s, want 04/05/2026", got.Format(time.DateOnly))
	}
}

// Art. 134 CPC, one boundary per row.
func TestCount(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	cases := []struct {
		name             string
		start            time.Time
		l                Length
		c                Counting
		earliest, latest time.Time
		rolled           bool
	}{
		{"Art. 134(2) day limit ends at 24:00 of its last day", date(2026, 3, 2).Add(9 * time.Hour), Length{Days, 3}, Counting{}, date(2026, 3, 4), date(2026, 3, 5), false},
		{"Art. 134(2) month limit: same-numbered day", date(2026, 3, 16), Length{Months, 2}, Counting{RollOver: true}, date(2026, 5, 15), date(2026, 5, 18), true}, // 16/5/2026 is a Saturday
		{"Art. 134(2) month limit: 31 Jan + 1 month is the month's last day", date(2026, 1, 31), Length{Months, 1}, Counting{}, date(2026, 2, 27), date(2026, 2, 28), false},
		{"Art. 134(2) month limit in a leap year", date(2028, 1, 31), Length{Months, 1}, Counting{}, date(2028, 2, 28), date(2028, 2, 29), false},
		{"Art. 134(2) month limit ending in Tết moves past it", date(2025, 12, 17), Length{Months, 2}, Counting{RollOver: true}, date(2026, 2, 23), date(2026, 2, 23), true},
		{"Art. 147(1) 20 days ending on 30/4 moves to 4/5 when the rule rolls over", date(2026, 4, 10), Length{Days, 20}, Counting{RollOver: true}, date(2026, 4, 29), date(2026, 5, 4), true},
		{"the same 20 days without roll-over", date(2026, 4, 10), Length{Days, 20}, Counting{}, date(2026, 4, 29), date(2026, 4, 30), false},
		{"Art. 118 custody 3 days runs through a holiday", date(2026, 4, 29).Add(22 * time.Hour), Length{Days, 3}, Counting{Continuous: true, RollOver: true}, date(2026, 5, 1), date(2026, 5, 2), false},
		{"Art. 134(2) detention: 2 months are 60 days", date(2026, 3, 1), Length{Months, 2}, Counting{Continuous: true}, date(2026, 4, 29), date(2026, 4, 30), false},
		{"Art. 173 detention 4 months across Tết", date(2025, 11, 1), Length{Months, 4}, Counting{Continuous: true}, date(2026, 2, 28), date(2026, 3, 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Count(c.start, c.l, c.c, cal)
			if !d.Earliest.LastDay.Equal(c.earliest) || !d.Latest.LastDay.Equal(c.latest) || d.Rolled != c.rolled {
				t.Fatalf("got earliest %s latest %s rolled %v, want %s %s %v\n%s", d.Earliest.LastDay.Format(time.DateOnly), d.Latest.LastDay.Format(time.DateOnly),
					d.Rolled, c.earliest.Format(time.DateOnly), c.latest.Format(time.DateOnly), c.rolled, d.ExplanationVI)
			}
			if !d.Latest.Deadline.Equal(c.latest.AddDate(0, 0, 1)) {
				t.Errorf("deadline %s, want 24:00 of %s", d.Latest.Deadline, c.latest.Format(time.DateOnly))
			}
			if !strings.Contains(d.ExplanationVI, "Điều 134") || !strings.Contains(d.ExplanationEN, "Art. 134") {
				t.Errorf("explanation does not cite Art. 134: %s / %s", d.ExplanationVI, d.ExplanationEN)
			}
		})
	}
	// Hours count by the hour (Art. 110(6): 12 hours to approve an urgent arrest).
	h := Count(date(2026, 3, 2).Add(21*time.Hour+30*time.Minute), Length{Hours, 12}, Counting{}, cal)
	if want := date(2026, 3, 3).Add(9*time.Hour + 30*time.Minute); !h.Latest.Deadline.Equal(want) || !h.Earliest.Deadline.Equal(want) {
		t.Errorf("12 hours from 21:30: %s, want %s", h.Latest.Deadline, want)
	}
	// Outside the calendar's years, only weekends are known: the explanation says so.
	if d := Count(date(2031, 1, 2), Length{Days, 3}, Counting{RollOver: true}, cal); !d.Uncovered || !strings.Contains(d.ExplanationVI, "chưa có") {
		t.Errorf("2031 limit not marked uncovered: %+v", d)
	}
}
