package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/domain"
)

type statPeriodRow struct {
	ID        string    `gorm:"column:id"`
	UnitID    int64     `gorm:"column:unit_id"`
	Label     string    `gorm:"column:label"`
	FromDay   time.Time `gorm:"column:from_day"`
	ToDay     time.Time `gorm:"column:to_day"`
	ClosedBy  string    `gorm:"column:closed_by"`
	ClosedAt  time.Time `gorm:"column:closed_at"`
	Note      string    `gorm:"column:note"`
	Payload   []byte    `gorm:"column:payload"`
	Digest    string    `gorm:"column:digest"`
	KeyID     string    `gorm:"column:key_id"`
	Signature string    `gorm:"column:signature"`
	Total     int64     `gorm:"column:total"` // lists only
}

func (r statPeriodRow) toDomain() domain.StatPeriod {
	return domain.StatPeriod{ID: r.ID, UnitID: r.UnitID, Label: r.Label, From: fromSQLDate(r.FromDay), To: fromSQLDate(r.ToDay),
		ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, Note: r.Note, Payload: r.Payload, Digest: r.Digest, KeyID: r.KeyID, Signature: r.Signature}
}

// InsertStatPeriod keeps a closed period; the same unit and period closed twice is a conflict.
func (s *Store) InsertStatPeriod(ctx context.Context, p domain.StatPeriod) error {
	err := s.conn(ctx).Exec(`INSERT INTO stat_periods (id, unit_id, label, from_day, to_day, closed_by, closed_at, note, payload, digest, key_id, signature)
		VALUES (?, ?, ?, ?::date, ?::date, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.UnitID, p.Label, sqlDate(p.From), sqlDate(p.To), p.ClosedBy, p.ClosedAt,
		p.Note, p.Payload, p.Digest, p.KeyID, p.Signature).Error
	return translate(err, "kỳ thống kê đã khóa")
}

// GetStatPeriod reads a closed period.
func (s *Store) GetStatPeriod(ctx context.Context, id string) (domain.StatPeriod, error) {
	var r statPeriodRow
	res := s.conn(ctx).Raw(`SELECT * FROM stat_periods WHERE id = ?`, id).Scan(&r)
	if res.Error != nil {
		return domain.StatPeriod{}, translate(res.Error, "kỳ thống kê")
	}
	if res.RowsAffected == 0 {
		return domain.StatPeriod{}, domain.NotFound("kỳ thống kê")
	}
	return r.toDomain(), nil
}

// ListStatPeriods lists the closed periods of some units, newest period first, without payloads.
func (s *Store) ListStatPeriods(ctx context.Context, unitIDs []int64, limit, offset int) ([]domain.StatPeriod, int64, error) {
	var rows []statPeriodRow
	err := s.conn(ctx).Raw(`SELECT id, unit_id, label, from_day, to_day, closed_by, closed_at, note, ''::bytea AS payload, digest, key_id, signature,
		count(*) OVER () AS total FROM stat_periods WHERE unit_id = ANY(?) ORDER BY from_day DESC, to_day DESC, unit_id, id LIMIT ? OFFSET ?`,
		int64Array(unitIDs), limit, offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, "kỳ thống kê")
	}
	out := make([]domain.StatPeriod, len(rows))
	var total int64
	for i, r := range rows {
		out[i], total = r.toDomain(), r.Total
	}
	if len(rows) == 0 && offset > 0 {
		if err := s.conn(ctx).Raw(`SELECT count(*) FROM stat_periods WHERE unit_id = ANY(?)`, int64Array(unitIDs)).Scan(&total).Error; err != nil {
			return nil, 0, translate(err, "kỳ thống kê")
		}
	}
	return out, total, nil
}

// StatisticsTrend counts one point indicator by month and Penal Code chapter over [f.From, f.To)
// (whole months): each subject once per unit and month, like a report for that month.
func (s *Store) StatisticsTrend(ctx context.Context, scope domain.Scope, f domain.StatFilter) ([]domain.TrendCell, error) {
	if len(f.Indicators) != 1 {
		return nil, domain.Invalid("indicator", "required", "chọn đúng một chỉ tiêu")
	}
	if len(spanIndicators(f.Indicators)) > 0 {
		return nil, domain.Invalid("indicator", "not_point", "chỉ tiêu theo thời gian tạm giam không lập diễn biến theo tháng")
	}
	unitCond, uarg, err := s.unitFilterOn(ctx, "f.unit_id", f.UnitID, f.IncludeSubunits)
	if err != nil {
		return nil, err
	}
	parts, err := s.scopePartsOf(ctx, scope)
	if err != nil {
		return nil, err
	}
	const month = `date_trunc('month', f.day)::date`
	var q string
	var args []any
	if len(parts.assigned) == 0 && len(parts.moved) == 0 && !f.CaseByCase {
		if len(parts.any) == 0 {
			return nil, nil
		}
		readable := func(col string) string {
			return col + `indicator = ? AND ` + strings.Replace(unitCond, "f.", col, 1) + ` AND ` + col + `case_unit_id = ANY(?)
				AND (NOT ` + col + `secret OR ` + col + `case_unit_id = ANY(?))`
		}
		cargs := []any{f.Indicators[0], uarg, int64Array(parts.any), int64Array(parts.secret)}
		q = `SELECT month, chapter, sum(v) AS n FROM (
			SELECT period AS month, chapter, n_first AS v FROM stat_counts WHERE grain = 'm' AND period >= ?::date AND period < ?::date AND ` + readable("") + `
			UNION ALL
			SELECT ` + month + `, f.chapter, 1 FROM stat_facts f WHERE f.prev_end IS NOT NULL AND f.day >= ?::date AND f.day < ?::date
				AND f.prev_end < ` + month + ` AND ` + readable("f.") + `
			UNION ALL
			SELECT month, chapter, count(DISTINCT (unit_id, subject)) FROM (SELECT ` + month + ` AS month, f.chapter, f.unit_id, f.subject
				FROM case_assignments ca JOIN stat_facts f ON f.case_id = ca.case_id
				WHERE ca.user_id = ? AND ca.ended_at IS NULL AND f.indicator = ? AND ` + unitCond + ` AND f.case_unit_id = ANY(?) AND f.secret
				AND NOT f.case_unit_id = ANY(?) AND f.day >= ?::date AND f.day < ?::date) t
			GROUP BY 1, 2) x GROUP BY 1, 2`
		args = append(append(append([]any{sqlDate(f.From), sqlDate(f.To)}, cargs...), sqlDate(f.From), sqlDate(f.To)), cargs...)
		args = append(args, scope.UserID, f.Indicators[0], uarg, int64Array(parts.any), int64Array(parts.secret), sqlDate(f.From), sqlDate(f.To))
	} else {
		where, wargs, err := s.caseScopeSQL(ctx, scope)
		if err != nil {
			return nil, err
		}
		q = `SELECT month, chapter, count(DISTINCT (unit_id, subject)) AS n FROM (SELECT ` + month + ` AS month, f.chapter, f.unit_id, f.subject
			FROM stat_facts f JOIN cases c ON c.id = f.case_id WHERE ` + where + ` AND f.indicator = ? AND ` + unitCond + `
			AND f.day >= ?::date AND f.day < ?::date) t GROUP BY 1, 2`
		args = append(append([]any{}, wargs...), f.Indicators[0], uarg, sqlDate(f.From), sqlDate(f.To))
	}
	var rows []struct {
		Month   time.Time `gorm:"column:month"`
		Chapter string    `gorm:"column:chapter"`
		N       int64     `gorm:"column:n"`
	}
	if err := s.conn(ctx).Raw(q+` ORDER BY 1, 2`, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "diễn biến tội phạm")
	}
	out := make([]domain.TrendCell, 0, len(rows))
	for _, r := range rows {
		if r.N != 0 {
			out = append(out, domain.TrendCell{Month: fromSQLDate(r.Month), Chapter: r.Chapter, Value: r.N})
		}
	}
	return out, nil
}
