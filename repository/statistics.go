package repository

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// Statistics are computed from what is recorded: for each indicator one statement builds its rows
// (the unit it counts for, the severity class, the Penal Code chapter, the case and the thing
// counted), and both the figures and their drill-down read the same rows, so a cell always equals
// the list behind it.

// chapterSQL is a CASE expression giving the chapter of the integer article expression expr, or
// ”, generated from workflow.PenalChapters so the database and workflow.ChapterOf cannot disagree.
func chapterSQL(expr string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, c := range workflow.PenalChapters {
		fmt.Fprintf(&b, " WHEN %s BETWEEN %d AND %d THEN '%s'", expr, c.From, c.To, c.Number)
	}
	b.WriteString(" ELSE '' END")
	return b.String()
}

const classRank = "array_position(ARRAY['less_serious', 'serious', 'very_serious', 'particularly_serious'], ch.class)"

// The severity class and chapter of a case: its most serious standing charge, else the offence it
// was registered for.
var (
	caseClassSQL = `coalesce((SELECT ch.class FROM charges ch JOIN accused ax ON ax.id = ch.accused_id WHERE ax.case_id = c.id
		AND ch.ended_by IS NULL AND NOT ch.proposed ORDER BY ` + classRank + ` DESC LIMIT 1),
		(SELECT pc.severity_class FROM penal_clauses pc WHERE pc.article = c.offence_article::text AND pc.clause = c.offence_clause
		ORDER BY pc.effective_from DESC LIMIT 1), '')`
	caseChapterSQL = chapterSQL(`coalesce((SELECT substring(ch.article FROM '^[0-9]+')::int FROM charges ch JOIN accused ax ON ax.id = ch.accused_id
		WHERE ax.case_id = c.id AND ch.ended_by IS NULL AND NOT ch.proposed ORDER BY ` + classRank + ` DESC, ch.article LIMIT 1), c.offence_article)`)
	accusedClassSQL = `coalesce((SELECT ch.class FROM charges ch WHERE ch.accused_id = a.id AND ch.ended_by IS NULL AND NOT ch.proposed
		ORDER BY ` + classRank + ` DESC LIMIT 1), '')`
	accusedChapterSQL = chapterSQL(`coalesce((SELECT substring(ch.article FROM '^[0-9]+')::int FROM charges ch WHERE ch.accused_id = a.id
		AND ch.ended_by IS NULL AND NOT ch.proposed ORDER BY ` + classRank + ` DESC, ch.article LIMIT 1), c.offence_article)`)
)

// receivedAs says how a case was received: a report that was instituted since is a case now, and
// keeps its report's number; it was received as a report.
func receivedAs(k domain.CaseKind) string {
	if k == domain.KindReport {
		return "(c.kind = 'report' OR c.report_number <> '')"
	}
	return "(c.kind = 'case' AND c.report_number = '')"
}

// decisionEffective: not corrected by a later decision, and approved when it needed approval.
const decisionEffective = `NOT EXISTS (SELECT 1 FROM case_decisions s WHERE s.supersedes_id = d.id)
	AND (NOT d.requires_approval OR EXISTS (SELECT 1 FROM case_decisions ap WHERE ap.decides_id = d.id AND ap.outcome = 'approve'))`

// statRows builds the statement of an indicator's rows (unit_id, class, chapter, case_id, subject)
// within the scope condition where (over c) and the unit condition (applied to the unit counted).
func (s *Store) statRows(in workflow.Indicator, where string, whereArgs []any, unitCond func(col string) string, unitArg any,
	f domain.StatFilter) (string, []any, error) {
	args := append([]any{}, whereArgs...)
	switch in.Source {
	case workflow.SourceReceived:
		q := `SELECT c.unit_id AS unit_id, ` + caseClassSQL + ` AS class, ` + caseChapterSQL + ` AS chapter, c.id AS case_id, c.id::text AS subject
			FROM cases c WHERE ` + where + ` AND ` + unitCond("c.unit_id") + ` AND ` + receivedAs(in.Kind) + ` AND c.received_at >= ? AND c.received_at < ?`
		return q, append(args, unitArg, f.From, f.To), nil
	case workflow.SourceDecision:
		steps := make(textArray, len(in.Steps))
		for i, st := range in.Steps {
			steps[i] = string(st)
		}
		period := ` AND d.step = ANY(?::text[]) AND d.effective_on >= ?::date AND d.effective_on < ?::date AND ` + decisionEffective
		if in.Counts == workflow.CountAccused {
			q := `SELECT d.unit_id AS unit_id, ` + accusedClassSQL + ` AS class, ` + accusedChapterSQL + ` AS chapter, c.id AS case_id, a.id::text AS subject
				FROM case_decisions d JOIN cases c ON c.id = d.case_id CROSS JOIN LATERAL unnest(d.accused_ids) AS x(id) JOIN accused a ON a.id = x.id
				WHERE ` + where + ` AND ` + unitCond("d.unit_id") + period
			return q, append(args, unitArg, steps, sqlDate(f.From), sqlDate(f.To)), nil
		}
		q := `SELECT d.unit_id AS unit_id, ` + caseClassSQL + ` AS class, ` + caseChapterSQL + ` AS chapter, c.id AS case_id, c.id::text AS subject
			FROM case_decisions d JOIN cases c ON c.id = d.case_id WHERE ` + where + ` AND ` + unitCond("d.unit_id") + period
		return q, append(args, unitArg, steps, sqlDate(f.From), sqlDate(f.To)), nil
	case workflow.SourceDetention:
		q := `SELECT c.unit_id AS unit_id, ` + accusedClassSQL + ` AS class, ` + accusedChapterSQL + ` AS chapter, c.id AS case_id, a.id::text AS subject
			FROM measures m JOIN cases c ON c.id = m.case_id JOIN accused a ON a.id = m.accused_id
			WHERE ` + where + ` AND ` + unitCond("c.unit_id") + ` AND m.kind = 'detention' AND m.status IN ('active', 'ended')
			AND m.start_at < ? AND (m.ended_at IS NULL OR m.ended_at >= ?)`
		return q, append(args, unitArg, f.To, f.From), nil
	case workflow.SourceViolationFound, workflow.SourceViolationRemedied:
		col := "v.detected_at"
		if in.Source == workflow.SourceViolationRemedied {
			col = "v.met_at"
		}
		q := `SELECT v.unit_id AS unit_id, ` + caseClassSQL + ` AS class, ` + caseChapterSQL + ` AS chapter, c.id AS case_id, v.id::text AS subject
			FROM violations v JOIN cases c ON c.id = v.case_id WHERE ` + where + ` AND ` + unitCond("v.unit_id") +
			` AND v.withdrawn_at IS NULL AND ` + col + ` >= ? AND ` + col + ` < ?`
		return q, append(args, unitArg, f.From, f.To), nil
	}
	return "", nil, fmt.Errorf("indicator %s: unknown source %q", in.ID, in.Source)
}

// statBase prepares the scope and unit conditions of a statistics request.
func (s *Store) statBase(ctx context.Context, scope domain.Scope, f domain.StatFilter) (string, []any, func(string) string, any, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return "", nil, nil, nil, err
	}
	_, uarg, err := s.unitFilter(ctx, f.UnitID, f.IncludeSubunits)
	if err != nil {
		return "", nil, nil, nil, err
	}
	unitCond := func(col string) string {
		if f.IncludeSubunits {
			return col + " = ANY(?)"
		}
		return col + " = ?"
	}
	return where, args, unitCond, uarg, nil
}

// Statistics computes the cells of the indicators asked for.
func (s *Store) Statistics(ctx context.Context, scope domain.Scope, f domain.StatFilter) ([]domain.StatCell, error) {
	where, args, unitCond, uarg, err := s.statBase(ctx, scope, f)
	if err != nil {
		return nil, err
	}
	var out []domain.StatCell
	for _, id := range f.Indicators {
		in, ok := workflow.IndicatorByID(workflow.IndicatorID(id))
		if !ok {
			return nil, domain.Invalid("indicator", "enum", "không có chỉ tiêu "+id)
		}
		q, qa, err := s.statRows(in, where, args, unitCond, uarg, f)
		if err != nil {
			return nil, err
		}
		var rows []struct {
			UnitID  int64  `gorm:"column:unit_id"`
			Class   string `gorm:"column:class"`
			Chapter string `gorm:"column:chapter"`
			N       int64  `gorm:"column:n"`
		}
		if err := s.conn(ctx).Raw(`WITH x AS (`+q+`) SELECT unit_id, class, chapter, count(DISTINCT subject) AS n FROM x
			GROUP BY unit_id, class, chapter ORDER BY unit_id, class, chapter`, qa...).Scan(&rows).Error; err != nil {
			return nil, translate(err, "thống kê")
		}
		for _, r := range rows {
			out = append(out, domain.StatCell{Indicator: id, UnitID: r.UnitID, Class: r.Class, Chapter: r.Chapter, Value: r.N})
		}
	}
	return out, nil
}

// StatisticCases lists the cases behind an indicator's cells, by code, with their total.
func (s *Store) StatisticCases(ctx context.Context, scope domain.Scope, f domain.StatFilter, cell domain.StatCellFilter) ([]domain.StatCase, int64, error) {
	if len(f.Indicators) != 1 {
		return nil, 0, domain.Invalid("indicator", "required", "chọn đúng một chỉ tiêu")
	}
	in, ok := workflow.IndicatorByID(workflow.IndicatorID(f.Indicators[0]))
	if !ok {
		return nil, 0, domain.Invalid("indicator", "enum", "không có chỉ tiêu "+f.Indicators[0])
	}
	where, args, unitCond, uarg, err := s.statBase(ctx, scope, f)
	if err != nil {
		return nil, 0, err
	}
	q, qa, err := s.statRows(in, where, args, unitCond, uarg, f)
	if err != nil {
		return nil, 0, err
	}
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
