package repository

import (
	"context"
	"time"

	"kiemsat/domain"
)

// The caseload's figures and the case list's drill-down filters are written once, here, as SQL
// predicates over a case row c, so that every figure equals the total of the list that shows its
// cases.

func stageStrings(ss []domain.Stage) textArray {
	out := make(textArray, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

var (
	finalStages     = stageStrings(domain.FinalStages)
	suspendedStages = stageStrings(domain.SuspendedStages)
)

const (
	predOpen      = "NOT c.stage = ANY(?::text[])"
	predSuspended = "c.stage = ANY(?::text[])"
	// predClosed: at a final stage since a day of the period (the latest decision that took it
	// there), as the case's facts keep it (migration 00015).
	predClosed    = `EXISTS (SELECT 1 FROM case_facts cf WHERE cf.case_id = c.id AND cf.closed_on >= ?::date AND cf.closed_on < ?::date)`
	predOverdue   = "EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.status = 'missed')"
	predDueSoon   = "EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.status = 'due_soon')"
	predDueBefore = "EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.status IN ('running', 'due_soon') AND k.latest_due < ?)"
	// Held: custody (tạm giữ) or detention (tạm giam) in force.
	measureHeld   = "m.status = 'active' AND m.kind IN ('custody', 'detention')"
	violationOpen = "v.withdrawn_at IS NULL AND v.met_at IS NULL"
)

// negate turns a predicate into its opposite when want is false.
func negate(pred string, want bool) string {
	if want {
		return pred
	}
	return "NOT (" + pred + ")"
}

// drillDownConds are the caseload's drill-downs as conditions on cases c. The four flags (a time
// limit run out or due soon, a person held, a violation open) are read from the case's facts
// (case_facts, kept by triggers in the transaction of every change, so they agree with the
// caseload's figures by construction), through the partial indexes of migration 00023: the cases
// carrying a flag are few, so their ids are looked up first (restricted to the units of unitCond,
// a condition on f.unit_id with its argument, when the list names a unit) and the cases fetched
// by id, instead of probing the clocks, measures or violations of every case in scope.
func drillDownConds(f domain.CaseFilter, unitCond string, unitArg any) ([]string, []any) {
	var conds []string
	var args []any
	flagged := func(column string, want bool) {
		sub := "SELECT f.case_id FROM case_facts f WHERE f." + column + " > 0"
		if unitCond != "" {
			sub += " AND " + unitCond
			args = append(args, unitArg)
		}
		conds = append(conds, negate("c.id = ANY(ARRAY("+sub+"))", want))
	}
	if f.Open != nil {
		conds, args = append(conds, negate(predOpen, *f.Open)), append(args, finalStages)
	}
	if f.Suspended != nil {
		conds, args = append(conds, negate(predSuspended, *f.Suspended)), append(args, suspendedStages)
	}
	if f.ClosedFrom != nil || f.ClosedTo != nil {
		from, to := time.Date(1900, 1, 1, 0, 0, 0, 0, domain.ICT), time.Date(2200, 1, 1, 0, 0, 0, 0, domain.ICT)
		if f.ClosedFrom != nil {
			from = *f.ClosedFrom
		}
		if f.ClosedTo != nil {
			to = *f.ClosedTo
		}
		conds, args = append(conds, predClosed), append(args, sqlDate(from), sqlDate(to))
	}
	switch f.Clock {
	case "overdue":
		flagged("overdue_clocks", true)
	case "due_soon":
		flagged("due_soon_clocks", true)
	}
	if f.DueBefore != nil {
		conds, args = append(conds, predDueBefore), append(args, *f.DueBefore)
	}
	if f.InDetention != nil {
		flagged("held", *f.InDetention)
	}
	if f.OpenViolations != nil {
		flagged("open_violations", *f.OpenViolations)
	}
	return conds, args
}

// Caseload computes a unit's caseload within the caller's scope: a few grouped statements, each
// over the cases of the scope and the unit (or its subtree), read by unit.
func (s *Store) Caseload(ctx context.Context, scope domain.Scope, f domain.CaseloadFilter) (domain.Caseload, error) {
	out := domain.Caseload{Filter: f}
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return out, err
	}
	ucond, uarg, err := s.unitFilter(ctx, f.UnitID, f.IncludeSubunits)
	if err != nil {
		return out, err
	}
	base := where + " AND " + ucond
	baseArgs := append(append([]any{}, args...), uarg)
	with := func(extra ...any) []any { return append(append([]any{}, baseArgs...), extra...) }
	db := s.conn(ctx)

	// The units of the caseload, every one of them even without a case.
	var units []struct {
		ID   int64  `gorm:"column:id"`
		Code string `gorm:"column:code"`
		Name string `gorm:"column:name"`
	}
	ids := []int64{f.UnitID}
	if f.IncludeSubunits {
		if ids, err = s.scopeUnitIDs(ctx, []domain.ScopeEntry{{UnitID: f.UnitID, UnitPath: s.unitPathOf(ctx, f.UnitID), Subtree: true}}); err != nil {
			return out, err
		}
	}
	if err := db.Raw(`SELECT id, code, name FROM units WHERE id = ANY(?) ORDER BY path`, int64Array(ids)).Scan(&units).Error; err != nil {
		return out, translate(err, "đơn vị")
	}
	fig := make(map[int64]*domain.CaseloadFigures, len(units))
	for _, u := range units {
		fig[u.ID] = &domain.CaseloadFigures{ByStage: map[domain.Stage]int64{}}
	}
	get := func(unit int64) *domain.CaseloadFigures {
		if fig[unit] == nil {
			fig[unit] = &domain.CaseloadFigures{ByStage: map[domain.Stage]int64{}}
		}
		return fig[unit]
	}

	// Most callers read every case of their units (chiefs, auditors): their figures are sums of the
	// rollups kept by triggers (migration 00015), plus the secret cases they reach through a team.
	// Narrower scopes (assigned only, cases transferred away) are counted case by case.
	parts, err := s.scopePartsOf(ctx, scope)
	if err != nil {
		return out, err
	}
	fast := len(parts.assigned) == 0 && len(parts.moved) == 0 && !f.CaseByCase
	if fast {
		err = s.caseloadFromRollups(ctx, scope.UserID, parts, ids, f, get)
	} else {
		err = s.caseloadLive(ctx, base, baseArgs, f, get)
	}
	if err != nil {
		return out, err
	}
	out.Totals = domain.CaseloadFigures{ByStage: map[domain.Stage]int64{}}
	seen := map[int64]bool{}
	for _, u := range units {
		seen[u.ID] = true
		out.Units = append(out.Units, domain.UnitCaseload{UnitID: u.ID, UnitCode: u.Code, UnitName: u.Name, Figures: *fig[u.ID]})
		out.Totals.Add(*fig[u.ID])
	}
	for id, g := range fig {
		if !seen[id] { // not expected: a case's unit is always in the filter's units
			out.Totals.Add(*g)
		}
	}

	var loads []struct {
		UserID      string `gorm:"column:user_id"`
		FullName    string `gorm:"column:full_name"`
		UnitID      int64  `gorm:"column:unit_id"`
		OpenCases   int64  `gorm:"column:open_cases"`
		LeadCases   int64  `gorm:"column:lead_cases"`
		Overdue     int64  `gorm:"column:overdue"`
		DueThisWeek int64  `gorm:"column:due_week"`
	}
	// The prosecutors of the caseload's own unit: a superior reads those of a unit below by asking
	// for that unit. Overdue from the case's facts; due this week from the unit's open clocks. For
	// the scopes the rollups serve, the cases are read from their facts alone.
	prosecutors := `SELECT a.user_id::text AS user_id, u.full_name, u.unit_id, count(*) AS open_cases,
		count(*) FILTER (WHERE a.role = 'lead') AS lead_cases, count(*) FILTER (WHERE cf.overdue_clocks > 0) AS overdue,
		count(*) FILTER (WHERE cf.case_id IN (SELECT k.case_id FROM case_clocks k WHERE k.unit_id = ? AND k.status IN ('running', 'due_soon')
			AND k.latest_due < ?)) AS due_week
		FROM case_facts cf JOIN case_assignments a ON a.case_id = cf.case_id AND a.ended_at IS NULL JOIN users u ON u.id = a.user_id `
	const byLoad = ` GROUP BY a.user_id, u.full_name, u.unit_id ORDER BY open_cases DESC, u.full_name, a.user_id`
	var q string
	var qargs []any
	if fast {
		q = prosecutors + `WHERE cf.unit_id = ? AND NOT cf.stage = ANY(?::text[]) AND cf.unit_id = ANY(?) AND (NOT cf.secret OR cf.unit_id = ANY(?)
			OR EXISTS (SELECT 1 FROM case_assignments ca WHERE ca.case_id = cf.case_id AND ca.user_id = ? AND ca.ended_at IS NULL))` + byLoad
		qargs = []any{f.UnitID, f.DueBefore, f.UnitID, finalStages, int64Array(parts.any), int64Array(parts.secret), scope.UserID}
	} else {
		q = prosecutors + `JOIN cases c ON c.id = cf.case_id WHERE ` + where + ` AND c.unit_id = ? AND ` + predOpen + byLoad
		qargs = append(append([]any{f.UnitID, f.DueBefore}, args...), f.UnitID, finalStages)
	}
	if err := db.Raw(q, qargs...).Scan(&loads).Error; err != nil {
		return out, translate(err, "phân công")
	}
	for _, l := range loads {
		out.Prosecutors = append(out.Prosecutors, domain.ProsecutorLoad{UserID: l.UserID, FullName: l.FullName, UnitID: l.UnitID,
			OpenCases: l.OpenCases, LeadCases: l.LeadCases, Overdue: l.Overdue, DueThisWeek: l.DueThisWeek})
	}

	if f.Expiries > 0 {
		var exp []struct {
			MeasureID   string     `gorm:"column:measure_id"`
			Kind        string     `gorm:"column:kind"`
			CaseID      string     `gorm:"column:case_id"`
			CaseCode    string     `gorm:"column:case_code"`
			UnitID      int64      `gorm:"column:unit_id"`
			AccusedID   string     `gorm:"column:accused_id"`
			AccusedName string     `gorm:"column:accused_name"`
			OrderedEnd  *time.Time `gorm:"column:ordered_end"`
		}
		if err := db.Raw(`SELECT m.id::text AS measure_id, m.kind, c.id::text AS case_id, c.code AS case_code, c.unit_id,
			a.id::text AS accused_id, a.full_name AS accused_name, m.ordered_end
			FROM cases c JOIN measures m ON m.case_id = c.id JOIN accused a ON a.id = m.accused_id
			WHERE `+base+` AND `+measureHeld+` ORDER BY m.ordered_end NULLS LAST, m.id LIMIT ?`, with(f.Expiries)...).Scan(&exp).Error; err != nil {
			return out, translate(err, "biện pháp ngăn chặn")
		}
		for _, x := range exp {
			out.Expiries = append(out.Expiries, domain.DetentionExpiry{MeasureID: x.MeasureID, Kind: domain.MeasureKind(x.Kind), CaseID: x.CaseID,
				CaseCode: x.CaseCode, UnitID: x.UnitID, AccusedID: x.AccusedID, AccusedName: x.AccusedName, OrderedEnd: optFromSQLDate(x.OrderedEnd)})
		}
	}
	return out, nil
}

// caseloadLive counts a caseload case by case, for scopes the rollups cannot serve.
func (s *Store) caseloadLive(ctx context.Context, base string, baseArgs []any, f domain.CaseloadFilter, get func(int64) *domain.CaseloadFigures) error {
	db := s.conn(ctx)
	with := func(extra ...any) []any { return append(append([]any{}, baseArgs...), extra...) }
	var stages []struct {
		UnitID   int64  `gorm:"column:unit_id"`
		Stage    string `gorm:"column:stage"`
		N        int64  `gorm:"column:n"`
		Received int64  `gorm:"column:received"`
	}
	if err := db.Raw(`SELECT c.unit_id, c.stage, count(*) AS n, count(*) FILTER (WHERE c.received_at >= ? AND c.received_at < ?) AS received
		FROM cases c WHERE `+base+` GROUP BY c.unit_id, c.stage`, append([]any{f.From, f.To}, baseArgs...)...).Scan(&stages).Error; err != nil {
		return translate(err, "hồ sơ")
	}
	for _, r := range stages {
		g, st := get(r.UnitID), domain.Stage(r.Stage)
		g.ByStage[st] += r.N
		g.Received += r.Received
		if !st.Final() {
			g.Open += r.N
		}
		for _, x := range domain.SuspendedStages {
			if x == st {
				g.Suspended += r.N
			}
		}
	}

	type pair struct {
		UnitID int64 `gorm:"column:unit_id"`
		A      int64 `gorm:"column:a"`
		B      int64 `gorm:"column:b"`
	}
	counts := func(sql string, args []any, set func(g *domain.CaseloadFigures, a, b int64)) error {
		var rows []pair
		if err := db.Raw(sql, args...).Scan(&rows).Error; err != nil {
			return translate(err, "hồ sơ")
		}
		for _, r := range rows {
			set(get(r.UnitID), r.A, r.B)
		}
		return nil
	}
	if err := counts(`SELECT c.unit_id, count(*) AS a, 0 AS b FROM cases c WHERE `+base+` AND `+predClosed+` GROUP BY c.unit_id`,
		with(sqlDate(f.From), sqlDate(f.To)), func(g *domain.CaseloadFigures, a, _ int64) { g.Closed = a }); err != nil {
		return err
	}
	if err := counts(`SELECT c.unit_id, count(*) FILTER (WHERE k.status = 'missed') AS a, count(*) FILTER (WHERE k.status = 'due_soon') AS b
		FROM cases c JOIN case_clocks k ON k.case_id = c.id WHERE `+base+` AND k.status IN ('due_soon', 'missed') GROUP BY c.unit_id`, with(),
		func(g *domain.CaseloadFigures, a, b int64) { g.OverdueClocks, g.DueSoonClocks = a, b }); err != nil {
		return err
	}
	if err := counts(`SELECT c.unit_id, count(*) FILTER (WHERE `+predOverdue+`) AS a, count(*) FILTER (WHERE `+predDueSoon+`) AS b
		FROM cases c WHERE `+base+` AND EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.status IN ('due_soon', 'missed'))
		GROUP BY c.unit_id`, with(), func(g *domain.CaseloadFigures, a, b int64) { g.OverdueCases, g.DueSoonCases = a, b }); err != nil {
		return err
	}
	if err := counts(`SELECT c.unit_id, count(*) AS a, count(DISTINCT c.id) AS b
		FROM cases c JOIN measures m ON m.case_id = c.id WHERE `+base+` AND `+measureHeld+` GROUP BY c.unit_id`, with(),
		func(g *domain.CaseloadFigures, a, b int64) { g.InDetention, g.InDetentionCases = a, b }); err != nil {
		return err
	}
	if err := counts(`SELECT c.unit_id, count(*) AS a, count(DISTINCT c.id) AS b
		FROM cases c JOIN violations v ON v.case_id = c.id WHERE `+base+` AND `+violationOpen+` GROUP BY c.unit_id`, with(),
		func(g *domain.CaseloadFigures, a, b int64) { g.OpenViolations, g.OpenViolationCases = a, b }); err != nil {
		return err
	}
	return nil
}

// caseloadFromRollups sums the rollups of the units both in the caseload and in the scope's
// any-units (secret rows only where the scope reads secret cases), then adds, from the case facts,
// the secret cases of the other units the user is on the team of.
func (s *Store) caseloadFromRollups(ctx context.Context, userID string, p scopeParts, unitIDs []int64, f domain.CaseloadFilter,
	get func(int64) *domain.CaseloadFigures) error {
	db := s.conn(ctx)
	inScope := map[int64]bool{}
	for _, id := range p.any {
		inScope[id] = true
	}
	var reach []int64
	for _, id := range unitIDs {
		if inScope[id] {
			reach = append(reach, id)
		}
	}
	if len(reach) == 0 {
		return nil
	}
	type stageRow struct {
		UnitID         int64  `gorm:"column:unit_id"`
		Stage          string `gorm:"column:stage"`
		N              int64  `gorm:"column:n"`
		OverdueCases   int64  `gorm:"column:overdue_cases"`
		OverdueClocks  int64  `gorm:"column:overdue_clocks"`
		DueSoonCases   int64  `gorm:"column:due_soon_cases"`
		DueSoonClocks  int64  `gorm:"column:due_soon_clocks"`
		Held           int64  `gorm:"column:held"`
		HeldCases      int64  `gorm:"column:held_cases"`
		OpenViolations int64  `gorm:"column:open_violations"`
		ViolationCases int64  `gorm:"column:violation_cases"`
	}
	type dayRow struct {
		UnitID   int64 `gorm:"column:unit_id"`
		Received int64 `gorm:"column:received"`
		Closed   int64 `gorm:"column:closed"`
	}
	const stageSums = `sum(n) AS n, sum(overdue_cases) AS overdue_cases, sum(overdue_clocks) AS overdue_clocks, sum(due_soon_cases) AS due_soon_cases,
		sum(due_soon_clocks) AS due_soon_clocks, sum(held) AS held, sum(held_cases) AS held_cases, sum(open_violations) AS open_violations,
		sum(violation_cases) AS violation_cases`
	const factSums = `count(*) AS n, count(*) FILTER (WHERE overdue_clocks > 0) AS overdue_cases, sum(overdue_clocks) AS overdue_clocks,
		count(*) FILTER (WHERE due_soon_clocks > 0) AS due_soon_cases, sum(due_soon_clocks) AS due_soon_clocks, sum(held) AS held,
		count(*) FILTER (WHERE held > 0) AS held_cases, sum(open_violations) AS open_violations, count(*) FILTER (WHERE open_violations > 0) AS violation_cases`
	// The secret cases of units whose secret cases the scope does not read, the user on their team.
	const teamSecret = `FROM case_facts cf WHERE cf.unit_id = ANY(?) AND cf.secret AND NOT cf.unit_id = ANY(?)
		AND EXISTS (SELECT 1 FROM case_assignments ca WHERE ca.case_id = cf.case_id AND ca.user_id = ? AND ca.ended_at IS NULL)`
	var stages []stageRow
	if err := db.Raw(`SELECT unit_id, stage, `+stageSums+` FROM caseload_stage_counts WHERE unit_id = ANY(?) AND (NOT secret OR unit_id = ANY(?))
		GROUP BY unit_id, stage`, int64Array(reach), int64Array(p.secret)).Scan(&stages).Error; err != nil {
		return translate(err, "tình hình thụ lý")
	}
	var team []stageRow
	if err := db.Raw(`SELECT unit_id, stage, `+factSums+` `+teamSecret+` GROUP BY unit_id, stage`, int64Array(reach), int64Array(p.secret), userID).
		Scan(&team).Error; err != nil {
		return translate(err, "tình hình thụ lý")
	}
	for _, r := range append(stages, team...) {
		g, st := get(r.UnitID), domain.Stage(r.Stage)
		g.ByStage[st] += r.N
		if !st.Final() {
			g.Open += r.N
		}
		for _, x := range domain.SuspendedStages {
			if x == st {
				g.Suspended += r.N
			}
		}
		g.OverdueCases += r.OverdueCases
		g.OverdueClocks += r.OverdueClocks
		g.DueSoonCases += r.DueSoonCases
		g.DueSoonClocks += r.DueSoonClocks
		g.InDetention += r.Held
		g.InDetentionCases += r.HeldCases
		g.OpenViolations += r.OpenViolations
		g.OpenViolationCases += r.ViolationCases
	}
	from, to := sqlDate(f.From), sqlDate(f.To)
	var days []dayRow
	if err := db.Raw(`SELECT unit_id, sum(received) AS received, sum(closed) AS closed FROM caseload_day_counts
		WHERE unit_id = ANY(?) AND (NOT secret OR unit_id = ANY(?)) AND day >= ?::date AND day < ?::date GROUP BY unit_id`,
		int64Array(reach), int64Array(p.secret), from, to).Scan(&days).Error; err != nil {
		return translate(err, "tình hình thụ lý")
	}
	var teamDays []dayRow
	if err := db.Raw(`SELECT unit_id, count(*) FILTER (WHERE received_day >= ?::date AND received_day < ?::date) AS received,
		count(*) FILTER (WHERE closed_on >= ?::date AND closed_on < ?::date) AS closed `+teamSecret+` GROUP BY unit_id`,
		from, to, from, to, int64Array(reach), int64Array(p.secret), userID).Scan(&teamDays).Error; err != nil {
		return translate(err, "tình hình thụ lý")
	}
	for _, r := range append(days, teamDays...) {
		g := get(r.UnitID)
		g.Received += r.Received
		g.Closed += r.Closed
	}
	return nil
}
