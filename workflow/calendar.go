package workflow

import (
	"bytes"
	_ "embed" // the shipped legal calendar
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"kiemsat/domain"
)

//go:embed calendar/vn-holidays.csv
var calendarCSV []byte

// CalendarData returns the shipped legal calendar file: Vietnam's public holidays and announced
// days off 2024–2030 (official notices for 2024–2026; statutory, provisional and derived rows
// after that, marked in the source column).
func CalendarData() []byte { return bytes.Clone(calendarCSV) }

var calendarHeader = []string{"date", "name_vi", "name_en", "kind", "source"}

// ParseCalendar reads a legal calendar file strictly: the header, a valid date and kind on every
// row, names present, and no date twice. Every problem is reported, with its line.
func ParseCalendar(r io.Reader) ([]domain.CalendarDay, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(calendarHeader)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("legal calendar: header: %w", err)
	}
	if strings.Join(head, ",") != strings.Join(calendarHeader, ",") {
		return nil, fmt.Errorf("legal calendar: header %q, want %q", strings.Join(head, ","), strings.Join(calendarHeader, ","))
	}
	var days []domain.CalendarDay
	var errs []error
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("legal calendar: line %d: %w", line, err)
		}
		d, err := parseCalendarRow(rec)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		key := d.Date.Format(time.DateOnly)
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("line %d: %s already on line %d", line, key, prev))
			continue
		}
		seen[key] = line
		days = append(days, d)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("legal calendar: %w", errors.Join(errs...))
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date.Before(days[j].Date) })
	return days, nil
}

func parseCalendarRow(rec []string) (domain.CalendarDay, error) {
	date, err := time.ParseInLocation(time.DateOnly, rec[0], domain.ICT)
	if err != nil {
		return domain.CalendarDay{}, fmt.Errorf("date %q is not YYYY-MM-DD", rec[0])
	}
	d := domain.CalendarDay{Date: date, NameVI: strings.TrimSpace(rec[1]), NameEN: strings.TrimSpace(rec[2]), Kind: domain.DayKind(rec[3]),
		Source: strings.TrimSpace(rec[4])}
	if err := ValidateCalendarDay(d); err != nil {
		return domain.CalendarDay{}, err
	}
	src := strings.ToUpper(d.Source)
	d.Confirmed = !strings.HasPrefix(src, "PROVISIONAL") && !strings.HasPrefix(src, "DERIVED")
	return d, nil
}

// ValidateCalendarDay checks one entry: a known kind, a Vietnamese name, and a make-up working
// day only on a Saturday.
func ValidateCalendarDay(d domain.CalendarDay) error {
	var v domain.Validation
	if d.Date.IsZero() || d.Date.Year() < 2000 || d.Date.Year() > 2100 {
		v.Add("date", "range", "ngày phải trong khoảng 2000–2100")
	}
	if !d.Kind.Valid() {
		v.Add("kind", "enum", "loại ngày là statutory, tet_span, compensatory hoặc swap_workday")
	}
	if n := len([]rune(d.NameVI)); n < 2 || n > 300 {
		v.Add("name_vi", "length", "tên ngày nghỉ từ 2 đến 300 ký tự")
	}
	if len([]rune(d.NameEN)) > 300 || len([]rune(d.Source)) > 500 {
		v.Add("source", "length", "tên tiếng Anh tối đa 300, nguồn tối đa 500 ký tự")
	}
	if d.Kind == domain.DaySwapWorkday && !d.Date.IsZero() && d.Date.Weekday() != time.Saturday {
		v.AddArticle("date", "saturday", "Điều 111 BLLĐ 2019", "ngày làm bù phải là thứ Bảy")
	}
	return v.Err()
}

// DefaultCalendarDays parses the shipped calendar; a test keeps it parseable.
func DefaultCalendarDays() []domain.CalendarDay {
	days, err := ParseCalendar(bytes.NewReader(calendarCSV))
	if err != nil {
		panic("workflow: the embedded legal calendar is broken: " + err.Error())
	}
	return days
}

// Calendar answers whether a date is a day off under Vietnamese law: Saturdays and Sundays,
// public holidays, the Tết span and announced compensatory days off, except Saturdays the
// government declared working days to make up for a swapped day off. Whether such a make-up
// Saturday counts as a working day for procedural limits is a setting (reference §2), not code.
type Calendar struct {
	days                map[string]domain.CalendarDay
	first, last         int // the years the calendar has entries for
	makeUpSaturdaysWork bool
}

// NewCalendar builds a calendar over its entries.
func NewCalendar(days []domain.CalendarDay, makeUpSaturdaysWork bool) *Calendar {
	c := &Calendar{days: make(map[string]domain.CalendarDay, len(days)), makeUpSaturdaysWork: makeUpSaturdaysWork}
	for _, d := range days {
		c.days[domain.DateOf(d.Date).Format(time.DateOnly)] = d
		y := d.Date.Year()
		if c.first == 0 || y < c.first {
			c.first = y
		}
		if y > c.last {
			c.last = y
		}
	}
	return c
}

// Entry returns the calendar entry of a date, if it has one.
func (c *Calendar) Entry(t time.Time) (domain.CalendarDay, bool) {
	d, ok := c.days[domain.DateOf(t).Format(time.DateOnly)]
	return d, ok
}

// Covers reports whether the calendar has entries for the year of t; outside it, only weekends
// are known days off, and explanations say so.
func (c *Calendar) Covers(t time.Time) bool {
	y := domain.DateOf(t).Year()
	return y >= c.first && y <= c.last
}

// IsDayOff reports whether the Vietnamese calendar date of t is a day off.
func (c *Calendar) IsDayOff(t time.Time) bool {
	if d, ok := c.Entry(t); ok {
		if d.Kind == domain.DaySwapWorkday {
			return !c.makeUpSaturdaysWork
		}
		return d.Kind.Off()
	}
	wd := domain.DateOf(t).Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// NextWorkingDay is t's date if it is a working day, otherwise the first working day after it.
func (c *Calendar) NextWorkingDay(t time.Time) time.Time {
	d := domain.DateOf(t)
	for i := 0; i < 60 && c.IsDayOff(d); i++ {
		d = d.AddDate(0, 0, 1)
	}
	return d
}
