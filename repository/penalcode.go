package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kiemsat/domain"
)

// penalSyncBatch bounds the rows of one INSERT: nine parameters a row stays far below
// PostgreSQL's 65,535 parameters per statement, and the shipped catalog fits in one batch.
const penalSyncBatch = 1000

// maxPenalClauses bounds ListPenalClauses. The Code has 426 articles of a few clauses each, so the
// whole catalog with every historical version stays well under it.
const maxPenalClauses = 20000

// SyncPenalCode inserts the clauses the table does not have yet, keyed by article, clause and
// effective_from, and returns how many it added. A row already there is left as it is, even if
// the shipped file now says otherwise, because an administrator's correction must survive an
// upgrade; a shipped version whose dates overlap an edited one is skipped for the same reason.
// It runs on the transaction carried by ctx, if any. A clause whose class is not the one Art. 9
// gives its maximum is refused before anything is written, since ListPenalClauses would refuse it.
func (s *Store) SyncPenalCode(ctx context.Context, clauses []domain.PenalClause) (inserted int, err error) {
	for _, c := range clauses {
		if want := domain.ClassFromMaximum(c.Max); !c.Class.Valid() || c.Class != want {
			return 0, &domain.Error{Code: domain.CodeInvalid, Message: "phân loại tội phạm không khớp với mức cao nhất của khung hình phạt",
				Details: []domain.Detail{{Field: "severity_class", Rule: "class_from_maximum", Article: "Điều 9 BLHS 2015",
					Message: fmt.Sprintf("%s: khung đến %s là tội phạm %s, không phải %q", c.Ref(), c.Max, want.NameVI(), c.Class)}}}
		}
	}
	db := s.conn(ctx)
	for start := 0; start < len(clauses); start += penalSyncBatch {
		batch := clauses[start:min(start+penalSyncBatch, len(clauses))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO penal_clauses (article, clause, effective_from, effective_to, title_vi, min_penalty, max_penalty, severity_class, note) VALUES `)
		args := make([]any, 0, 9*len(batch))
		for i, c := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?::date, ?::date, ?, ?, ?, ?, ?)")
			var to *string
			if c.EffectiveTo != nil {
				d := c.EffectiveTo.Format(time.DateOnly)
				to = &d
			}
			args = append(args, c.Article, c.Clause, c.EffectiveFrom.Format(time.DateOnly), to, c.Title,
				c.Min.String(), c.Max.String(), string(c.Class), c.Note)
		}
		// No conflict target: DO NOTHING then covers both the primary key (the row exists) and
		// the no-overlap exclusion constraint (an administrator re-cut the dates).
		sb.WriteString(" ON CONFLICT DO NOTHING")
		res := db.Exec(sb.String(), args...)
		if res.Error != nil {
			return inserted, translate(res.Error, "điều luật")
		}
		inserted += int(res.RowsAffected)
	}
	return inserted, nil
}

type penalClauseRow struct {
	Article       string     `gorm:"column:article"`
	Clause        int        `gorm:"column:clause"`
	EffectiveFrom time.Time  `gorm:"column:effective_from"`
	EffectiveTo   *time.Time `gorm:"column:effective_to"`
	TitleVI       string     `gorm:"column:title_vi"`
	MinPenalty    string     `gorm:"column:min_penalty"`
	MaxPenalty    string     `gorm:"column:max_penalty"`
	SeverityClass string     `gorm:"column:severity_class"`
	Note          string     `gorm:"column:note"`
}

// toDomain converts a row, refusing one whose tokens do not parse or whose class is not the one
// Art. 9 gives its maximum: a wrong class would silently shorten or lengthen every time limit of
// the cases charged under it, so a bad edit must fail loudly.
func (r penalClauseRow) toDomain() (domain.PenalClause, error) {
	c := domain.PenalClause{Article: r.Article, Clause: r.Clause, Title: r.TitleVI, Class: domain.SeverityClass(r.SeverityClass),
		EffectiveFrom: dateOnly(r.EffectiveFrom), Note: r.Note}
	if r.EffectiveTo != nil {
		to := dateOnly(*r.EffectiveTo)
		c.EffectiveTo = &to
	}
	var err error
	if c.Min, err = domain.ParsePenalty(r.MinPenalty); err != nil {
		return c, fmt.Errorf("penal clause %s from %s: min_penalty: %w", c.Ref(), c.EffectiveFrom.Format(time.DateOnly), err)
	}
	if c.Max, err = domain.ParsePenalty(r.MaxPenalty); err != nil {
		return c, fmt.Errorf("penal clause %s from %s: max_penalty: %w", c.Ref(), c.EffectiveFrom.Format(time.DateOnly), err)
	}
	if want := domain.ClassFromMaximum(c.Max); c.Class != want {
		return c, fmt.Errorf("penal clause %s from %s: severity_class %s, but a bracket up to %s is %s under Art. 9",
			c.Ref(), c.EffectiveFrom.Format(time.DateOnly), c.Class, c.Max, want)
	}
	return c, nil
}

// dateOnly keeps the calendar date of a DATE column as a UTC midnight, the form the catalog
// parser gives, whatever location the driver attached.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ListPenalClauses returns every version of every clause in the Code's order: by article number,
// then its letter suffix (256 before 256a), then clause and effective_from. It fails if any row is
// malformed rather than serve a catalog with a hole in it.
func (s *Store) ListPenalClauses(ctx context.Context) ([]domain.PenalClause, error) {
	var rows []penalClauseRow
	err := s.conn(ctx).Raw(`SELECT article, clause, effective_from, effective_to, title_vi, min_penalty, max_penalty, severity_class, note
		FROM penal_clauses
		ORDER BY substring(article FROM '^[0-9]+')::integer, article, clause, effective_from
		LIMIT ?`, maxPenalClauses).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "điều luật")
	}
	out := make([]domain.PenalClause, len(rows))
	for i, r := range rows {
		if out[i], err = r.toDomain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
