package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/domain"
)

// calendarSyncBatch bounds the rows of one INSERT: six parameters a row stays far below
// PostgreSQL's 65,535 parameters per statement, and the shipped calendar fits in one batch.
const calendarSyncBatch = 1000

// maxCalendarDays bounds ListCalendar. A year has a few dozen entries, so even the whole range
// the table admits (2000–2100) stays well under it.
const maxCalendarDays = 20000

// calendarWhat names a calendar entry in error messages.
const calendarWhat = "ngày trong lịch nghỉ lễ, Tết"

// SyncCalendar inserts the entries the table does not have yet, keyed by date, and returns how
// many it added. A date already there is left as it is, even if the shipped file now says
// otherwise, because an administrator's correction (a confirmed Tết span, a moved compensatory
// day) must survive an upgrade; a date an administrator withdrew stays withdrawn. It runs on the
// transaction carried by ctx, if any.
func (s *Store) SyncCalendar(ctx context.Context, days []domain.CalendarDay) (inserted int, err error) {
	db := s.conn(ctx)
	for start := 0; start < len(days); start += calendarSyncBatch {
		batch := days[start:min(start+calendarSyncBatch, len(days))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO legal_calendar (date, name_vi, name_en, kind, source, confirmed) VALUES `)
		args := make([]any, 0, 6*len(batch))
		for i, d := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?::date, ?, ?, ?, ?, ?)")
			args = append(args, sqlDate(d.Date), d.NameVI, d.NameEN, string(d.Kind), d.Source, d.Confirmed)
		}
		sb.WriteString(" ON CONFLICT (date) DO NOTHING")
		res := db.Exec(sb.String(), args...)
		if res.Error != nil {
			return inserted, translate(res.Error, calendarWhat)
		}
		inserted += int(res.RowsAffected)
	}
	return inserted, nil
}

type calendarRow struct {
	Date      time.Time `gorm:"column:date"`
	NameVI    string    `gorm:"column:name_vi"`
	NameEN    string    `gorm:"column:name_en"`
	Kind      string    `gorm:"column:kind"`
	Source    string    `gorm:"column:source"`
	Confirmed bool      `gorm:"column:confirmed"`
}

func (r calendarRow) toDomain() domain.CalendarDay {
	return domain.CalendarDay{Date: fromSQLDate(r.Date), NameVI: r.NameVI, NameEN: r.NameEN, Kind: domain.DayKind(r.Kind),
		Source: r.Source, Confirmed: r.Confirmed}
}

// ListCalendar returns the entries of one year (every entry when year is 0), by date.
func (s *Store) ListCalendar(ctx context.Context, year int) ([]domain.CalendarDay, error) {
	q := s.conn(ctx)
	var rows []calendarRow
	var err error
	const cols = `SELECT date, name_vi, name_en, kind, source, confirmed FROM legal_calendar WHERE NOT withdrawn`
	if year == 0 {
		err = q.Raw(cols+` ORDER BY date LIMIT ?`, maxCalendarDays).Scan(&rows).Error
	} else {
		// A range on the key rather than extract(year …), so the primary key index serves it.
		from := time.Date(year, time.January, 1, 0, 0, 0, 0, domain.ICT)
		err = q.Raw(cols+` AND date >= ?::date AND date < ?::date ORDER BY date LIMIT ?`,
			sqlDate(from), sqlDate(from.AddDate(1, 0, 0)), maxCalendarDays).Scan(&rows).Error
	}
	if err != nil {
		return nil, translate(err, calendarWhat)
	}
	out := make([]domain.CalendarDay, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// PutCalendarDay writes the entry of a date, replacing whatever the date had (a withdrawn entry
// comes back), and reports whether the date had no entry in force before. by is the user who made
// the change, recorded with now.
func (s *Store) PutCalendarDay(ctx context.Context, d domain.CalendarDay, by string, now time.Time) (created bool, err error) {
	db := s.conn(ctx)
	var before []bool
	if err := db.Raw(`SELECT withdrawn FROM legal_calendar WHERE date = ?::date FOR UPDATE`, sqlDate(d.Date)).Scan(&before).Error; err != nil {
		return false, translate(err, calendarWhat)
	}
	err = db.Exec(`INSERT INTO legal_calendar (date, name_vi, name_en, kind, source, confirmed, updated_at, updated_by, withdrawn)
		VALUES (?::date, ?, ?, ?, ?, ?, ?, ?, false)
		ON CONFLICT (date) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind, source = EXCLUDED.source,
			confirmed = EXCLUDED.confirmed, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, withdrawn = false,
			revision = nextval('reference_revision')`,
		sqlDate(d.Date), d.NameVI, d.NameEN, string(d.Kind), d.Source, d.Confirmed, now, nullStr(by)).Error
	if err != nil {
		return false, translate(err, calendarWhat)
	}
	return len(before) == 0 || before[0], nil
}

// DeleteCalendarDay withdraws the entry of a date: it stops counting, and the row stays so that
// a sync of the shipped file does not restore it. A date without an entry in force is not found.
func (s *Store) DeleteCalendarDay(ctx context.Context, date time.Time, by string, now time.Time) error {
	res := s.conn(ctx).Exec(`UPDATE legal_calendar SET withdrawn = true, updated_at = ?, updated_by = ?, revision = nextval('reference_revision')
		WHERE date = ?::date AND NOT withdrawn`,
		now, nullStr(by), sqlDate(date))
	if res.Error != nil {
		return translate(res.Error, calendarWhat)
	}
	if res.RowsAffected == 0 {
		return domain.NotFound(calendarWhat)
	}
	return nil
}
