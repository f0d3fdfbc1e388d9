package repository

import (
	"context"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
)

const authorityWhat = "thẩm quyền"

type authorityRow struct {
	ID        int64     `gorm:"column:id"`
	Step      string    `gorm:"column:step"`
	Power     string    `gorm:"column:power"`
	Rung      int       `gorm:"column:rung"`
	Class     string    `gorm:"column:class"`
	Levels    string    `gorm:"column:levels"`
	Article   string    `gorm:"column:article"`
	Note      string    `gorm:"column:note"`
	Confirmed bool      `gorm:"column:confirmed"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
	UpdatedBy *string   `gorm:"column:updated_by"`
}

func (r authorityRow) toDomain() domain.Authority {
	a := domain.Authority{ID: r.ID, Step: domain.Step(r.Step), Power: domain.Power(r.Power), Rung: r.Rung, Class: domain.SeverityClass(r.Class),
		Levels: []domain.UnitLevel{}, Article: r.Article, Note: r.Note, Confirmed: r.Confirmed, UpdatedAt: r.UpdatedAt, UpdatedBy: deref(r.UpdatedBy)}
	if l := strings.Trim(r.Levels, "{}"); l != "" {
		for _, s := range strings.Split(l, ",") {
			a.Levels = append(a.Levels, domain.UnitLevel(s))
		}
	}
	return a
}

func levelsArray(ls []domain.UnitLevel) textArray {
	out := make(textArray, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

// SyncAuthorities inserts the shipped rows whose keys the table lacks and reports how many; an
// edited or withdrawn row stays as it is.
func (s *Store) SyncAuthorities(ctx context.Context, rows []domain.Authority) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO authorities (step, power, rung, class, levels, article, note, confirmed) VALUES ")
	args := make([]any, 0, 8*len(rows))
	for i, a := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, ?::text[], ?, ?, ?)")
		args = append(args, string(a.Step), string(a.Power), a.Rung, string(a.Class), levelsArray(a.Levels), a.Article, a.Note, a.Confirmed)
	}
	b.WriteString(" ON CONFLICT (step, power, rung, class) DO NOTHING")
	res := s.conn(ctx).Exec(b.String(), args...)
	return int(res.RowsAffected), translate(res.Error, authorityWhat)
}

// ListAuthorities returns the rows in force, by step, power, rung and class.
func (s *Store) ListAuthorities(ctx context.Context) ([]domain.Authority, error) {
	var rows []authorityRow
	if err := s.conn(ctx).Raw(`SELECT id, step, power, rung, class, levels::text AS levels, article, note, confirmed, updated_at, updated_by
		FROM authorities WHERE NOT withdrawn ORDER BY step, power, rung, class`).Scan(&rows).Error; err != nil {
		return nil, translate(err, authorityWhat)
	}
	out := make([]domain.Authority, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// PutAuthority writes the row of a key (step, power, rung, class), replacing whatever the key had
// (a withdrawn row is in force again), and reports whether the key is new.
func (s *Store) PutAuthority(ctx context.Context, a domain.Authority, by string, now time.Time) (domain.Authority, bool, error) {
	db := s.conn(ctx)
	var before []bool
	if err := db.Raw(`SELECT withdrawn FROM authorities WHERE step = ? AND power = ? AND rung = ? AND class = ? FOR UPDATE`,
		string(a.Step), string(a.Power), a.Rung, string(a.Class)).Scan(&before).Error; err != nil {
		return domain.Authority{}, false, translate(err, authorityWhat)
	}
	var row authorityRow
	err := db.Raw(`INSERT INTO authorities (step, power, rung, class, levels, article, note, confirmed, updated_at, updated_by, withdrawn)
		VALUES (?, ?, ?, ?, ?::text[], ?, ?, ?, ?, ?, false)
		ON CONFLICT (step, power, rung, class) DO UPDATE SET levels = EXCLUDED.levels, article = EXCLUDED.article, note = EXCLUDED.note,
			confirmed = EXCLUDED.confirmed, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, withdrawn = false,
			revision = nextval('reference_revision')
		RETURNING id, step, power, rung, class, levels::text AS levels, article, note, confirmed, updated_at, updated_by`,
		string(a.Step), string(a.Power), a.Rung, string(a.Class), levelsArray(a.Levels), a.Article, a.Note, a.Confirmed, now, nullable(by)).Scan(&row).Error
	if err != nil {
		return domain.Authority{}, false, translate(err, authorityWhat)
	}
	return row.toDomain(), len(before) == 0 || before[0], nil
}

// DeleteAuthority withdraws a row in force (kept, so a sync does not restore it); a row not in
// force is not found.
func (s *Store) DeleteAuthority(ctx context.Context, id int64, by string, now time.Time) (domain.Authority, error) {
	var row authorityRow
	res := s.conn(ctx).Raw(`UPDATE authorities SET withdrawn = true, updated_at = ?, updated_by = ?, revision = nextval('reference_revision') WHERE id = ? AND NOT withdrawn
		RETURNING id, step, power, rung, class, levels::text AS levels, article, note, confirmed, updated_at, updated_by`, now, nullable(by), id).Scan(&row)
	if res.Error != nil {
		return domain.Authority{}, translate(res.Error, authorityWhat)
	}
	if res.RowsAffected == 0 {
		return domain.Authority{}, domain.NotFound(authorityWhat)
	}
	return row.toDomain(), nil
}

// ReferenceVersion names the current state of the reference tables a case is judged with (the
// legal calendar and the authorities): every insert, edit or withdrawal takes a new revision from
// one sequence, so the highest revision changes whenever either table does, even within the same
// second, and falls back if the transaction that took it rolls back.
func (s *Store) ReferenceVersion(ctx context.Context) (string, error) {
	var v int64
	err := s.conn(ctx).Raw(`SELECT greatest(coalesce((SELECT max(revision) FROM legal_calendar), 0),
		coalesce((SELECT max(revision) FROM authorities), 0))`).Scan(&v).Error
	return strconv.FormatInt(v, 10), translate(err, authorityWhat)
}
