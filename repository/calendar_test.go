package repository_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/service/seed"
	"kiemsat/workflow"
)

func calendarDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, domain.ICT)
}

func listCalendar(t *testing.T, ctx context.Context, s *repository.Store, year int) []domain.CalendarDay {
	t.Helper()
	days, err := s.ListCalendar(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	return days
}

// sameDay compares two entries field by field, the date as an instant.
func sameDay(a, b domain.CalendarDay) bool {
	return a.Date.Equal(b.Date) && a.NameVI == b.NameVI && a.NameEN == b.NameEN && a.Kind == b.Kind && a.Source == b.Source &&
		a.Confirmed == b.Confirmed
}

func calendarEntry(days []domain.CalendarDay, date time.Time) (domain.CalendarDay, bool) {
	for _, d := range days {
		if d.Date.Equal(date) {
			return d, true
		}
	}
	return domain.CalendarDay{}, false
}

// Seeding inserts the shipped calendar once, and the table gives every field back by date, as
// midnight ICT of the same calendar date.
func TestCalendarSyncRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	want := workflow.DefaultCalendarDays()

	n, err := s.SyncCalendar(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("first sync inserted %d rows, want %d", n, len(want))
	}
	if n, err := s.SyncCalendar(ctx, want); err != nil || n != 0 {
		t.Fatalf("second sync inserted %d rows (%v), want 0", n, err)
	}
	got := listCalendar(t, ctx, s, 0)
	if len(got) != len(want) {
		t.Fatalf("listed %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !sameDay(got[i], want[i]) {
			t.Fatalf("row %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
		if got[i].Date.Location() != domain.ICT || got[i].Date.Hour() != 0 {
			t.Fatalf("row %d: date %s, want midnight ICT", i, got[i].Date)
		}
	}

	// One year is that year's entries only, still by date.
	y2026 := listCalendar(t, ctx, s, 2026)
	wantN := 0
	for _, d := range want {
		if d.Date.Year() == 2026 {
			wantN++
		}
	}
	if len(y2026) != wantN || wantN == 0 {
		t.Fatalf("2026: %d entries, want %d", len(y2026), wantN)
	}
	for i, d := range y2026 {
		if d.Date.Year() != 2026 || (i > 0 && !y2026[i-1].Date.Before(d.Date)) {
			t.Fatalf("2026 entry %d out of place: %s", i, d.Date.Format(time.DateOnly))
		}
	}
	if d, ok := calendarEntry(y2026, calendarDate(2026, time.February, 17)); !ok || d.Kind != domain.DayStatutory || !d.Confirmed {
		t.Fatalf("Tết 2026-02-17: %+v, %v", d, ok)
	}
	if len(listCalendar(t, ctx, s, 1999)) != 0 {
		t.Fatal("a year without entries listed some")
	}

	// The table builds the same calendar as the embedded file.
	fromDB, shipped := workflow.NewCalendar(got, true), workflow.NewCalendar(want, true)
	for d := calendarDate(2024, time.January, 1); d.Year() <= 2030; d = d.AddDate(0, 0, 1) {
		if fromDB.IsDayOff(d) != shipped.IsDayOff(d) {
			t.Fatalf("%s: day off %v from the table, %v from the file", d.Format(time.DateOnly), fromDB.IsDayOff(d), shipped.IsDayOff(d))
		}
	}
}

// An administrator's edit survives a later sync, a withdrawn date stays withdrawn, and a sync in a
// transaction that rolls back leaves nothing behind.
func TestCalendarSyncKeepsEdits(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	days := workflow.DefaultCalendarDays()

	boom := errors.New("roll back")
	err := s.WithinTx(ctx, func(ctx context.Context) error {
		if n, err := s.SyncCalendar(ctx, days); err != nil || n != len(days) {
			t.Errorf("sync inside a transaction: %d, %v", n, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithinTx: %v", err)
	}
	if n := len(listCalendar(t, ctx, s, 0)); n != 0 {
		t.Fatalf("%d rows left after a rolled-back sync", n)
	}

	if _, err := s.SyncCalendar(ctx, days); err != nil {
		t.Fatal(err)
	}
	tet := calendarDate(2026, time.February, 17)
	edited := domain.CalendarDay{Date: tet, NameVI: "Tết Nguyên đán (sửa tay)", NameEN: "Tet (edited)", Kind: domain.DayTetSpan,
		Source: "Thông báo sửa đổi", Confirmed: false}
	if created, err := s.PutCalendarDay(ctx, edited, "", time.Now()); err != nil || created {
		t.Fatalf("edit of a seeded date: created %v, %v", created, err)
	}
	if n, err := s.SyncCalendar(ctx, days); err != nil || n != 0 {
		t.Fatalf("re-sync inserted %d rows (%v), want 0", n, err)
	}
	if d, _ := calendarEntry(listCalendar(t, ctx, s, 2026), tet); !sameDay(d, edited) {
		t.Fatalf("the edit was overwritten: %+v", d)
	}

	swap := calendarDate(2026, time.January, 10)
	if err := s.DeleteCalendarDay(ctx, swap, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SyncCalendar(ctx, days); err != nil || n != 0 {
		t.Fatalf("sync after a withdrawal inserted %d rows (%v), want 0", n, err)
	}
	if _, ok := calendarEntry(listCalendar(t, ctx, s, 2026), swap); ok {
		t.Fatal("a sync brought back a withdrawn date")
	}
	// Writing the date again puts it back in force, as a new entry.
	if created, err := s.PutCalendarDay(ctx, days[0], "", time.Now()); err != nil || created {
		t.Fatalf("edit of an entry in force: created %v, %v", created, err)
	}
	back := domain.CalendarDay{Date: swap, NameVI: "Làm bù cho ngày nghỉ 02/01/2026", Kind: domain.DaySwapWorkday, Confirmed: true}
	if created, err := s.PutCalendarDay(ctx, back, "", time.Now()); err != nil || !created {
		t.Fatalf("writing a withdrawn date again: created %v, %v", created, err)
	}
}

// A day written, replaced and deleted reads back exactly; the user who made the change is kept.
func TestCalendarPutRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	date := calendarDate(2027, time.April, 30)
	d := domain.CalendarDay{Date: date, NameVI: "Nghỉ lễ được công bố thêm", NameEN: "Announced day off", Kind: domain.DayCompensatory,
		Source: "TB 123/TB-BNV", Confirmed: true}
	now := time.Date(2026, 11, 2, 9, 30, 0, 0, domain.ICT)

	// A date given in another zone is stored as its Vietnamese calendar date.
	utc := d
	utc.Date = date.UTC() // 2027-04-29 17:00 UTC
	if created, err := s.PutCalendarDay(ctx, utc, "", now); err != nil || !created {
		t.Fatalf("first put: created %v, %v", created, err)
	}
	got, ok := calendarEntry(listCalendar(t, ctx, s, 2027), date)
	if !ok || !sameDay(got, d) || got.Date.Location() != domain.ICT {
		t.Fatalf("read back %+v (%v), want %+v", got, ok, d)
	}

	by := mustCalendarAdmin(t, ctx, s, now)
	d.Kind, d.Confirmed, d.NameVI = domain.DayStatutory, false, "Tên đã sửa"
	if created, err := s.PutCalendarDay(ctx, d, by, now.Add(time.Hour)); err != nil || created {
		t.Fatalf("second put: created %v, %v", created, err)
	}
	if got, _ := calendarEntry(listCalendar(t, ctx, s, 2027), date); !sameDay(got, d) {
		t.Fatalf("replaced entry %+v, want %+v", got, d)
	}
	var at time.Time
	var storedBy *string
	if err := s.SQL().QueryRowContext(ctx, `SELECT updated_at, updated_by::text FROM legal_calendar WHERE date = '2027-04-30'`).Scan(&at, &storedBy); err != nil {
		t.Fatal(err)
	}
	if !at.Equal(now.Add(time.Hour)) || storedBy == nil || *storedBy != by {
		t.Fatalf("updated_at %s by %v, want %s by %q", at, storedBy, now.Add(time.Hour), by)
	}

	// An unknown user is a reference error, not an internal one.
	if _, err := s.PutCalendarDay(ctx, d, "0195a0f0-0000-7000-8000-000000000000", now); domain.ErrorCodeOf(err) != domain.CodeInvalid {
		t.Fatalf("unknown updated_by: %v", err)
	}

	if err := s.DeleteCalendarDay(ctx, date, by, now); err != nil {
		t.Fatal(err)
	}
	if _, ok := calendarEntry(listCalendar(t, ctx, s, 2027), date); ok {
		t.Fatal("the deleted entry is still listed")
	}
	if err := s.DeleteCalendarDay(ctx, date, by, now); domain.ErrorCodeOf(err) != domain.CodeNotFound {
		t.Fatalf("delete of a missing date: %v, want not found", err)
	}
}

// mustCalendarAdmin creates a user to stand as the author of edits and returns its id.
func mustCalendarAdmin(t *testing.T, ctx context.Context, s *repository.Store, now time.Time) string {
	t.Helper()
	units, err := seed.Org(ctx, s, s, now)
	if err != nil {
		t.Fatal(err)
	}
	u := domain.User{ID: uuid.NewString(), Username: "quantri.lich", FullName: "Quản trị lịch", UnitID: units[seed.SupremeCode].ID,
		Active: true, PasswordChangedAt: now, CreatedAt: now}
	if err := s.CreateUser(ctx, u, "x"); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// The table refuses what ValidateCalendarDay refuses, so that an edit made in SQL cannot break
// the calendar behind the application's back; through the store such a row is an invalid error.
func TestCalendarConstraints(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	monday := calendarDate(2026, time.January, 12)
	_, err := s.PutCalendarDay(ctx, domain.CalendarDay{Date: monday, NameVI: "Làm bù", Kind: domain.DaySwapWorkday}, "", time.Now())
	if de, ok := domain.AsError(err); !ok || de.Code != domain.CodeInvalid || len(de.Details) != 1 || de.Details[0].Field != "date" {
		t.Fatalf("a make-up working Monday: %v, want invalid on date", err)
	}
	if len(listCalendar(t, ctx, s, 2026)) != 0 {
		t.Fatal("the refused Monday was written")
	}
	saturday := calendarDate(2026, time.January, 10)
	if created, err := s.PutCalendarDay(ctx, domain.CalendarDay{Date: saturday, NameVI: "Làm bù", Kind: domain.DaySwapWorkday}, "", time.Now()); err != nil || !created {
		t.Fatalf("a make-up working Saturday: %v, %v", created, err)
	}

	const ins = `INSERT INTO legal_calendar (date, name_vi, kind, confirmed) VALUES `
	for name, tc := range map[string]struct{ stmt, constraint string }{
		"swap on a Monday":   {ins + `('2026-01-12', 'Làm bù', 'swap_workday', true)`, "legal_calendar_swap_saturday"},
		"swap on a Sunday":   {ins + `('2026-01-11', 'Làm bù', 'swap_workday', true)`, "legal_calendar_swap_saturday"},
		"moving a swap day":  {`UPDATE legal_calendar SET date = '2026-01-09' WHERE date = '2026-01-10'`, "legal_calendar_swap_saturday"},
		"unknown kind":       {ins + `('2026-03-03', 'Ngày lạ', 'holiday', true)`, "legal_calendar_kind_check"},
		"name too short":     {ins + `('2026-03-03', 'x', 'statutory', true)`, "legal_calendar_text_length"},
		"date out of range":  {ins + `('2101-01-01', 'Tết Dương lịch', 'statutory', true)`, "legal_calendar_date_range"},
		"date already there": {ins + `('2026-01-10', 'Lần nữa', 'statutory', true)`, "legal_calendar_pkey"},
	} {
		if _, err := s.SQL().ExecContext(ctx, tc.stmt); err == nil || !strings.Contains(err.Error(), tc.constraint) {
			t.Errorf("%s: want a violation of %s, got %v", name, tc.constraint, err)
		}
	}
}
