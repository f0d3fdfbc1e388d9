package repository

import (
	"context"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// Statistics are counted from stat_facts (migration 00018): per case, every occurrence an
// indicator counts (a decision, a registration, a violation, a spell of detention), kept by
// triggers from the tables they come from, with the unit it counts for, the severity class, the
// Penal Code chapter and the subject counted. A figure is the number of distinct subjects with an
// occurrence in the period; both the figures and their drill-down read the same facts, so a cell
// always equals the list behind it. Most callers' figures are sums of stat_counts (the facts
// rolled up by day, month and year); narrow scopes are counted from the facts one by one.

const classRank = "array_position(ARRAY['less_serious', 'serious', 'very_serious', 'particularly_serious'], ch.class)"

// caseClassSQL is the severity class of a case c: its most serious standing charge, else the
// offence it was registered for (as stat_facts_of in migration 00018 computes it).
const caseClassSQL = `coalesce((SELECT ch.class FROM charges ch JOIN accused ax ON ax.id = ch.accused_id WHERE ax.case_id = c.id
	AND ch.ended_by IS NULL AND NOT ch.proposed ORDER BY ` + classRank + ` DESC LIMIT 1),
	(SELECT pc.severity_class FROM penal_clauses pc WHERE pc.article = c.offence_article::text AND pc.clause = c.offence_clause
	ORDER BY pc.effective_from DESC LIMIT 1), '')`

// statEpoch is before anything recorded: spells held at the start of a period are the spells
// begun since statEpoch and not ended before the period.
var statEpoch = time.Date(1900, 1, 1, 0, 0, 0, 0, domain.ICT)

// statRange is a run of whole days, months or years of stat_counts: periods in [lo, hi).
type statRange struct {
	grain  string
	lo, hi time.Time
}

// statRanges cuts [from, to) (midnights in ICT) into the fewest runs of days, months and years:
// the days up to the first month, the months up to the first year, the years, then back down.
func statRanges(from, to time.Time) []statRange {
	from, to = from.In(domain.ICT), to.In(domain.ICT)
	var out []statRange
	add := func(g string, hi time.Time) {
		if hi.After(to) {
			hi = to
		}
		if hi.After(from) {
			out = append(out, statRange{grain: g, lo: from, hi: hi})
			from = hi
		}
	}
	month := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, domain.ICT) }
	year := func(t time.Time) time.Time { return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, domain.ICT) }
	if from.Day() != 1 {
		add("d", month(from).AddDate(0, 1, 0))
	}
	if from.Before(to) && from.Month() != time.January {
		if end := month(to); end.After(from) {
			add("m", minTime(year(from).AddDate(1, 0, 0), end))
		}
	}
	if end := year(to); end.After(from) {
		add("y", end)
	}
	if end := month(to); end.After(from) {
		add("m", end)
	}
	add("d", to)
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// statTerm is one read of stat_counts: the rows of a grain with period in [lo, hi), added or
// taken away.
type statTerm struct {
	grain  string
	lo, hi time.Time
	sign   int
}

// statTerms turns runs into reads: days and years as they are, a run of months within a year as
// the year so far at its last month less the year so far before its first (grain 'c').
func statTerms(rs []statRange) []statTerm {
	var out []statTerm
	for _, r := range rs {
		if r.grain != "m" {
			out = append(out, statTerm{grain: r.grain, lo: r.lo, hi: r.hi, sign: 1})
			continue
		}
		last := r.hi.AddDate(0, -1, 0)
		out = append(out, statTerm{grain: "c", lo: last, hi: r.hi, sign: 1})
		if r.lo.Month() != time.January {
			before := r.lo.AddDate(0, -1, 0)
			out = append(out, statTerm{grain: "c", lo: before, hi: r.lo, sign: -1})
		}
	}
	return out
}

// termsSQL reads a value expression of stat_counts under cond for each term, one index range
// scan each.
func termsSQL(ts []statTerm, value, cond string, condArgs []any) ([]string, []any) {
	var parts []string
	var args []any
	for _, t := range ts {
		parts = append(parts, `SELECT indicator, unit_id, class, chapter, `+strconv.Itoa(t.sign)+` * (`+value+`)
			FROM stat_counts WHERE grain = ? AND period >= ?::date AND period < ?::date AND `+cond)
		args = append(append(args, t.grain, sqlDate(t.lo), sqlDate(t.hi)), condArgs...)
	}
	return parts, args
}

// spanIndicators are the indicators that count spells (detention), not points.
func spanIndicators(ids []string) textArray {
	var out textArray
	for _, id := range ids {
		if in, ok := workflow.IndicatorByID(workflow.IndicatorID(id)); ok && in.Source == workflow.SourceDetention {
			out = append(out, id)
		}
	}
	return out
}

// factsOverlap selects the facts of f (over stat_facts f) that fall in the period: a point in
// [from, to), a spell begun before to and not ended before from.
const factsOverlap = `f.day < ?::date AND coalesce(f.end_day, 'infinity'::date) >= ?::date`

type statCellRow struct {
	Indicator string `gorm:"column:indicator"`
	UnitID    int64  `gorm:"column:unit_id"`
	Class     string `gorm:"column:class"`
	Chapter   string `gorm:"column:chapter"`
	N         int64  `gorm:"column:n"`
}

// Statistics computes the cells of the indicators asked for.
func (s *Store) Statistics(ctx context.Context, scope domain.Scope, f domain.StatFilter) ([]domain.StatCell, error) {
	for _, id := range f.Indicators {
		if _, ok := workflow.IndicatorByID(workflow.IndicatorID(id)); !ok {
			return nil, domain.Invalid("indicator", "enum", "không có chỉ tiêu "+id)
		}
	}
	unitCond, uarg, err := s.unitFilterOn(ctx, "f.unit_id", f.UnitID, f.IncludeSubunits)
	if err != nil {
		return nil, err
	}
	parts, err := s.scopePartsOf(ctx, scope)
	if err != nil {
		return nil, err
	}
	var rows []statCellRow
	if len(parts.assigned) == 0 && len(parts.moved) == 0 && !f.CaseByCase {
		rows, err = s.statisticsFromCounts(ctx, scope.UserID, parts, unitCond, uarg, f)
	} else {
		var where string
		var args []any
		if where, args, err = s.caseScopeSQL(ctx, scope); err == nil {
			rows, err = s.statisticsFromFacts(ctx, where, args, unitCond, uarg, f)
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]domain.StatCell, 0, len(rows))
	for _, r := range rows {
		if r.N != 0 {
			out = append(out, domain.StatCell{Indicator: r.Indicator, UnitID: r.UnitID, Class: r.Class, Chapter: r.Chapter, Value: r.N})
		}
	}
	return out, nil
}

// statisticsFromFacts counts the distinct subjects of the facts, one case at a time, within the
// scope condition where (over c).
func (s *Store) statisticsFromFacts(ctx context.Context, where string, whereArgs []any, unitCond string, uarg any,
	f domain.StatFilter) ([]statCellRow, error) {
	args := append(append([]any{}, whereArgs...), textArray(f.Indicators), uarg, sqlDate(f.To), sqlDate(f.From))
	var rows []statCellRow
	err := s.conn(ctx).Raw(`SELECT f.indicator, f.unit_id, f.class, f.chapter, count(DISTINCT f.subject) AS n
		FROM stat_facts f JOIN cases c ON c.id = f.case_id
		WHERE `+where+` AND f.indicator = ANY(?::text[]) AND `+unitCond+` AND `+factsOverlap+`
		GROUP BY 1, 2, 3, 4`, args...).Scan(&rows).Error
	return rows, translate(err, "thống kê")
}

// statisticsFromCounts sums stat_counts for the units both asked for and in the scope's any-units
// (secret rows only where the scope reads secret cases), and adds, counted from the facts, the
// secret cases of other units the user is on the team of.
//
// A subject is counted once per unit and period: the spells held when the period begins (begun
// before it, not ended before it), the occurrences in the period that are their subject's first,
// and the repeats in the period whose previous occurrence ended before it (read from the facts).
func (s *Store) statisticsFromCounts(ctx context.Context, userID string, p scopeParts, unitCond string, uarg any,
	f domain.StatFilter) ([]statCellRow, error) {
	if len(p.any) == 0 {
		return nil, nil
	}
	inds := textArray(f.Indicators)
	readable := func(col string) (string, []any) {
		return col + `indicator = ANY(?::text[]) AND ` + strings.Replace(unitCond, "f.", col, 1) + ` AND ` + col + `case_unit_id = ANY(?)
			AND (NOT ` + col + `secret OR ` + col + `case_unit_id = ANY(?))`, []any{inds, uarg, int64Array(p.any), int64Array(p.secret)}
	}
	cond, condArgs := readable("")
	parts, args := termsSQL(statTerms(statRanges(f.From, f.To)), "n_first", cond, condArgs)
	if spans := spanIndicators(f.Indicators); len(spans) > 0 {
		p, a := termsSQL(statTerms(statRanges(statEpoch, f.From)), "n - ends", cond+` AND indicator = ANY(?::text[])`, append(condArgs, spans))
		parts, args = append(parts, p...), append(args, a...)
	}
	fcond, fargs := readable("f.")
	parts = append(parts, `SELECT f.indicator, f.unit_id, f.class, f.chapter, 1 FROM stat_facts f
		WHERE f.prev_end IS NOT NULL AND f.day >= ?::date AND f.day < ?::date AND f.prev_end < ?::date AND `+fcond)
	args = append(append(args, sqlDate(f.From), sqlDate(f.To), sqlDate(f.From)), fargs...)
	// The secret cases of units whose secret cases the scope does not read, the user on their team.
	// (Read from the user's team assignments: a handful of cases.)
	parts = append(parts, `SELECT f.indicator, f.unit_id, f.class, f.chapter, count(DISTINCT f.subject)
		FROM case_assignments ca JOIN stat_facts f ON f.case_id = ca.case_id
		WHERE ca.user_id = ? AND ca.ended_at IS NULL AND f.indicator = ANY(?::text[]) AND `+unitCond+` AND f.case_unit_id = ANY(?)
		AND f.secret AND NOT f.case_unit_id = ANY(?) AND `+factsOverlap+`
		GROUP BY 1, 2, 3, 4`)
	args = append(args, userID, inds, uarg, int64Array(p.any), int64Array(p.secret), sqlDate(f.To), sqlDate(f.From))
	var rows []statCellRow
	err := s.conn(ctx).Raw(`SELECT indicator, unit_id, class, chapter, sum(v) AS n FROM (`+strings.Join(parts, " UNION ALL ")+
		`) x(indicator, unit_id, class, chapter, v) GROUP BY 1, 2, 3, 4`, args...).Scan(&rows).Error
	return rows, translate(err, "thống kê")
}

// StatisticCases lists the cases behind an indicator's cells, by code, with their total.
func (s *Store) StatisticCases(ctx context.Context, scope domain.Scope, f domain.StatFilter, cell domain.StatCellFilter) ([]domain.StatCase, int64, error) {
	if len(f.Indicators) != 1 {
		return nil, 0, domain.Invalid("indicator", "required", "chọn đúng một chỉ tiêu")
	}
	if _, ok := workflow.IndicatorByID(workflow.IndicatorID(f.Indicators[0])); !ok {
		return nil, 0, domain.Invalid("indicator", "enum", "không có chỉ tiêu "+f.Indicators[0])
	}
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	unitCond, uarg, err := s.unitFilterOn(ctx, "f.unit_id", f.UnitID, f.IncludeSubunits)
	if err != nil {
		return nil, 0, err
	}
	q := `SELECT f.case_id, f.unit_id, f.class, f.chapter FROM stat_facts f JOIN cases c ON c.id = f.case_id
		WHERE ` + where + ` AND f.indicator = ? AND ` + unitCond + ` AND ` + factsOverlap
	qa := append(append([]any{}, args...), f.Indicators[0], uarg, sqlDate(f.To), sqlDate(f.From))
	var conds []string
	if cell.UnitID != nil {
		conds, qa = append(conds, "x.unit_id = ?"), append(qa, *cell.UnitID)
	}
	if cell.Class != nil {
		conds, qa = append(conds, "x.class = ?"), append(qa, *cell.Class)
	}
	if cell.Chapter != nil {
		conds, qa = append(conds, "x.chapter = ?"), append(qa, *cell.Chapter)
	}
	filter := ""
	if len(conds) > 0 {
		filter = " WHERE " + strings.Join(conds, " AND ")
	}
	var rows []struct {
		ID       string `gorm:"column:id"`
		Code     string `gorm:"column:code"`
		Number   string `gorm:"column:number"`
		UnitID   int64  `gorm:"column:unit_id"`
		UnitCode string `gorm:"column:unit_code"`
		Stage    string `gorm:"column:stage"`
		Total    int64  `gorm:"column:total"`
	}
	err = s.conn(ctx).Raw(`WITH x AS (`+q+`), ids AS (SELECT DISTINCT case_id FROM x`+filter+`)
		SELECT c.id::text AS id, c.code, c.number, c.unit_id, u.code AS unit_code, c.stage, count(*) OVER () AS total
		FROM ids JOIN cases c ON c.id = ids.case_id JOIN units u ON u.id = c.unit_id
		ORDER BY c.code LIMIT `+strconv.Itoa(cell.Limit)+` OFFSET `+strconv.Itoa(cell.Offset), qa...).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, "thống kê")
	}
	out := make([]domain.StatCase, len(rows))
	var total int64
	for i, r := range rows {
		out[i] = domain.StatCase{ID: r.ID, Code: r.Code, Number: r.Number, UnitID: r.UnitID, UnitCode: r.UnitCode, Stage: domain.Stage(r.Stage)}
		total = r.Total
	}
	if len(rows) == 0 && cell.Offset > 0 {
		// Past the last page: count on its own.
		if err := s.conn(ctx).Raw(`WITH x AS (`+q+`) SELECT count(DISTINCT case_id) FROM x`+filter, qa...).Scan(&total).Error; err != nil {
			return nil, 0, translate(err, "thống kê")
		}
	}
	return out, total, nil
}
