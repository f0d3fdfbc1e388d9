package repository

import (
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// textArray passes a []string as one PostgreSQL text[] parameter, each element quoted.
type textArray []string

// Value renders the array literal with every element double-quoted and escaped.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

type clockRow struct {
	ID              int64      `gorm:"column:id"`
	CaseID          string     `gorm:"column:case_id"`
	ClockUnitID     int64      `gorm:"column:clock_unit_id"`
	Secret          bool       `gorm:"column:secret"`
	ClockKey        string     `gorm:"column:clock_key"`
	Rule            string     `gorm:"column:rule"`
	Subject         string     `gorm:"column:subject"`
	SubjectID       string     `gorm:"column:subject_id"`
	AccusedID       *string    `gorm:"column:accused_id"`
	Article         string     `gorm:"column:article"`
	NameVI          string     `gorm:"column:name_vi"`
	NameEN          string     `gorm:"column:name_en"`
	StartAt         time.Time  `gorm:"column:start_at"`
	LengthUnit      string     `gorm:"column:length_unit"`
	LengthN         int        `gorm:"column:length_n"`
	ExtensionsUsed  int        `gorm:"column:extensions_used"`
	ExtensionsLeft  int        `gorm:"column:extensions_left"`
	EarliestLastDay time.Time  `gorm:"column:earliest_last_day"`
	LatestLastDay   time.Time  `gorm:"column:latest_last_day"`
	EarliestDue     time.Time  `gorm:"column:earliest_due"`
	LatestDue       time.Time  `gorm:"column:latest_due"`
	WarnAt          time.Time  `gorm:"column:warn_at"`
	Lapses          bool       `gorm:"column:lapses"`
	Rolled          bool       `gorm:"column:rolled"`
	Uncovered       bool       `gorm:"column:uncovered"`
	Status          string     `gorm:"column:status"`
	EndedAt         *time.Time `gorm:"column:ended_at"`
	ExplanationVI   string     `gorm:"column:explanation_vi"`
	ExplanationEN   string     `gorm:"column:explanation_en"`
	ComputedAt      time.Time  `gorm:"column:computed_at"`
	StatusChangedAt time.Time  `gorm:"column:status_changed_at"`
	// Read with the case, for lists.
	CaseNumber   string  `gorm:"column:case_number"`
	CaseCode     string  `gorm:"column:case_code"`
	CaseStage    string  `gorm:"column:case_stage"`
	UnitID       int64   `gorm:"column:unit_id"`
	UnitCode     string  `gorm:"column:unit_code"`
	ProsecutorID *string `gorm:"column:prosecutor_id"`
}

func (r clockRow) toDomain() domain.ClockRecord {
	return domain.ClockRecord{ID: r.ID, CaseID: r.CaseID, UnitID: r.ClockUnitID, Secret: r.Secret, Key: r.ClockKey, Rule: r.Rule, Subject: r.Subject, SubjectID: r.SubjectID,
		AccusedID: deref(r.AccusedID), Article: r.Article, NameVI: r.NameVI, NameEN: r.NameEN, StartAt: r.StartAt, LengthUnit: r.LengthUnit,
		LengthN: r.LengthN, ExtensionsUsed: r.ExtensionsUsed, ExtensionsLeft: r.ExtensionsLeft, EarliestLastDay: fromSQLDate(r.EarliestLastDay),
		LatestLastDay: fromSQLDate(r.LatestLastDay), EarliestDue: r.EarliestDue, LatestDue: r.LatestDue, WarnAt: r.WarnAt, Lapses: r.Lapses, Rolled: r.Rolled,
		Uncovered: r.Uncovered, Status: r.Status, EndedAt: r.EndedAt, ExplanationVI: r.ExplanationVI, ExplanationEN: r.ExplanationEN,
		ComputedAt: r.ComputedAt, StatusChangedAt: r.StatusChangedAt}
}

const clockColumns = `k.id, k.case_id, k.unit_id AS clock_unit_id, k.secret, k.clock_key, k.rule, k.subject, k.subject_id, k.accused_id, k.article, k.name_vi, k.name_en, k.start_at,
	k.length_unit, k.length_n, k.extensions_used, k.extensions_left, k.earliest_last_day, k.latest_last_day, k.earliest_due, k.latest_due,
	k.warn_at, k.lapses, k.rolled, k.uncovered, k.status, k.ended_at, k.explanation_vi, k.explanation_en, k.computed_at, k.status_changed_at`

// leadProsecutorSQL is the lead prosecutor of case c now.
const leadProsecutorSQL = `(SELECT a.user_id::text FROM case_assignments a WHERE a.case_id = c.id AND a.role = 'lead' AND a.ended_at IS NULL)`

// LockCaseClocks returns a case's stored clocks by key, locked until the transaction ends.
func (s *Store) LockCaseClocks(ctx context.Context, caseID string) (map[string]domain.ClockRecord, error) {
	var rows []clockRow
	if err := s.conn(ctx).Raw("SELECT "+clockColumns+" FROM case_clocks k WHERE k.case_id = ? FOR UPDATE", caseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "thời hạn")
	}
	out := make(map[string]domain.ClockRecord, len(rows))
	for _, r := range rows {
		out[r.ClockKey] = r.toDomain()
	}
	return out, nil
}

// SaveCaseClocks writes a case's clocks in one statement (insert, or update by key) and deletes
// the stored ones named by remove.
func (s *Store) SaveCaseClocks(ctx context.Context, caseID string, clocks []domain.ClockRecord, remove []string) error {
	db := s.conn(ctx)
	var changes []domain.Change
	if len(remove) > 0 {
		if err := db.Exec("DELETE FROM case_clocks WHERE case_id = ? AND clock_key = ANY(?)", caseID, textArray(remove)).Error; err != nil {
			return translate(err, "thời hạn")
		}
		for _, k := range remove {
			changes = append(changes, domain.Change{At: time.Now(), CaseID: caseID, Kind: domain.ChangeClock, Op: "removed", EntityID: k})
		}
	}
	for _, c := range clocks {
		changes = append(changes, domain.Change{At: c.ComputedAt, CaseID: caseID, Kind: domain.ChangeClock, Op: "status", EntityID: c.Key, Status: c.Status})
	}
	if err := s.recordChange(ctx, changes...); err != nil {
		return err
	}
	if len(clocks) == 0 {
		return nil
	}
	const cols = 30
	var b strings.Builder
	b.WriteString(`INSERT INTO case_clocks (case_id, unit_id, secret, clock_key, rule, subject, subject_id, accused_id, article, name_vi, name_en, start_at,
		length_unit, length_n, extensions_used, extensions_left, earliest_last_day, latest_last_day, earliest_due, latest_due, warn_at, lapses, rolled,
		uncovered, status, ended_at, explanation_vi, explanation_en, computed_at, status_changed_at) VALUES `)
	args := make([]any, 0, cols*len(clocks))
	for i, c := range clocks {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?" + strings.Repeat(",?", cols-1) + ")")
		var accused *string
		if c.AccusedID != "" {
			accused = &c.AccusedID
		}
		args = append(args, caseID, c.UnitID, c.Secret, c.Key, c.Rule, c.Subject, c.SubjectID, accused, c.Article, c.NameVI, c.NameEN, c.StartAt, c.LengthUnit, c.LengthN,
			c.ExtensionsUsed, c.ExtensionsLeft, sqlDate(c.EarliestLastDay), sqlDate(c.LatestLastDay), c.EarliestDue, c.LatestDue, c.WarnAt,
			c.Lapses, c.Rolled, c.Uncovered, c.Status, c.EndedAt, c.ExplanationVI, c.ExplanationEN, c.ComputedAt, c.StatusChangedAt)
	}
	b.WriteString(` ON CONFLICT (case_id, clock_key) DO UPDATE SET unit_id = EXCLUDED.unit_id, secret = EXCLUDED.secret, rule = EXCLUDED.rule, subject = EXCLUDED.subject, subject_id = EXCLUDED.subject_id,
		accused_id = EXCLUDED.accused_id, article = EXCLUDED.article, name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, start_at = EXCLUDED.start_at,
		length_unit = EXCLUDED.length_unit, length_n = EXCLUDED.length_n, extensions_used = EXCLUDED.extensions_used,
		extensions_left = EXCLUDED.extensions_left, earliest_last_day = EXCLUDED.earliest_last_day, latest_last_day = EXCLUDED.latest_last_day,
		earliest_due = EXCLUDED.earliest_due, latest_due = EXCLUDED.latest_due, warn_at = EXCLUDED.warn_at, lapses = EXCLUDED.lapses, rolled = EXCLUDED.rolled,
		uncovered = EXCLUDED.uncovered, status = EXCLUDED.status, ended_at = EXCLUDED.ended_at, explanation_vi = EXCLUDED.explanation_vi,
		explanation_en = EXCLUDED.explanation_en, computed_at = EXCLUDED.computed_at, status_changed_at = EXCLUDED.status_changed_at`)
	return translate(db.Exec(b.String(), args...).Error, "thời hạn")
}

// UpsertViolations records violations found by a recompute. One that exists for the clock keeps
// its detection and takes the new met time; a withdrawn one is in force again.
func (s *Store) UpsertViolations(ctx context.Context, vs []domain.Violation) error {
	if len(vs) == 0 {
		return nil
	}
	const cols = 15
	var b strings.Builder
	b.WriteString(`INSERT INTO violations (case_id, clock_key, rule, article, name_vi, name_en, subject, subject_id, accused_id, due_at, detected_at,
		detected_by, met_at, unit_id, prosecutor_id) VALUES `)
	args := make([]any, 0, cols*len(vs))
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?" + strings.Repeat(",?", cols-1) + ")")
		args = append(args, v.CaseID, v.ClockKey, v.Rule, v.Article, v.NameVI, v.NameEN, v.Subject, v.SubjectID, nullable(v.AccusedID), v.DueAt,
			v.DetectedAt, v.DetectedBy, v.MetAt, v.UnitID, nullable(v.ProsecutorID))
	}
	b.WriteString(` ON CONFLICT (case_id, clock_key) DO UPDATE SET met_at = EXCLUDED.met_at, due_at = EXCLUDED.due_at, withdrawn_at = NULL`)
	return translate(s.conn(ctx).Exec(b.String(), args...).Error, "vi phạm")
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// WithdrawViolationsExcept withdraws the violations in force of a case, but those of the clocks
// named by keys.
func (s *Store) WithdrawViolationsExcept(ctx context.Context, caseID string, keys []string, at time.Time) error {
	return translate(s.conn(ctx).Exec("UPDATE violations SET withdrawn_at = ? WHERE case_id = ? AND withdrawn_at IS NULL AND NOT (clock_key = ANY(?))",
		at, caseID, textArray(keys)).Error, "vi phạm")
}

// EnqueueOutbox adds events; an event whose dedup key is already there is not added again.
func (s *Store) EnqueueOutbox(ctx context.Context, evs []domain.OutboxEvent) error {
	if len(evs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO outbox (dedup_key, topic, case_id, unit_id, payload, created_at, next_attempt_at) VALUES ")
	args := make([]any, 0, 7*len(evs))
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?::jsonb,?,?)")
		var unit *int64
		if e.UnitID != 0 {
			unit = &e.UnitID
		}
		args = append(args, e.DedupKey, e.Topic, nullable(e.CaseID), unit, string(e.Payload), e.CreatedAt, e.NextAttemptAt)
	}
	b.WriteString(" ON CONFLICT (dedup_key) DO NOTHING")
	return translate(s.conn(ctx).Exec(b.String(), args...).Error, "sự kiện")
}

// ListClocks returns one page of stored clocks of the cases in scope, most urgent first: open
// clocks (missed, due soon, running) by their latest due, then ended ones, the most recently
// ended first; with the total matching the filter.
func (s *Store) ListClocks(ctx context.Context, scope domain.Scope, f domain.ClockFilter) ([]domain.ClockListItem, int64, error) {
	// The scope is judged on the clocks' own copies of the case's unit and secrecy, so both the
	// count and the page run on case_clocks' indexes; the cases are joined for the page only.
	where, args, err := s.scopeSQL(ctx, scope, clockCols)
	if err != nil {
		return nil, 0, err
	}
	conds := []string{where}
	if f.UnitID != nil {
		cond, arg, err := s.unitFilterOn(ctx, "k.unit_id", *f.UnitID, f.IncludeSubunits)
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = domain.OpenClockStatuses
	}
	conds, args = append(conds, "k.status = ANY(?)"), append(args, textArray(statuses))
	if len(f.Rules) > 0 {
		conds, args = append(conds, "k.rule = ANY(?)"), append(args, textArray(f.Rules))
	}
	if f.DueBefore != nil {
		conds, args = append(conds, "k.latest_last_day <= ?"), append(args, sqlDate(*f.DueBefore))
	}
	if f.DueAfter != nil {
		conds, args = append(conds, "k.latest_last_day >= ?"), append(args, sqlDate(*f.DueAfter))
	}
	if f.ProsecutorID != nil {
		conds, args = append(conds, "EXISTS (SELECT 1 FROM case_assignments pa WHERE pa.case_id = k.case_id AND pa.user_id = ? AND pa.ended_at IS NULL)"),
			append(args, *f.ProsecutorID)
	}
	if f.CaseID != nil {
		conds, args = append(conds, "k.case_id = ?"), append(args, *f.CaseID)
	}
	where = " WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM case_clocks k"+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, "thời hạn")
	}
	// Open clocks alone are ordered by their latest deadline, which the scope index serves; with
	// ended ones, open ones come first and ended ones after, the most recently ended first.
	order := " ORDER BY k.latest_due, k.id"
	for _, st := range statuses {
		if !slices.Contains(domain.OpenClockStatuses, st) {
			order = ` ORDER BY (k.status IN ('missed', 'due_soon', 'running')) DESC, CASE WHEN k.status IN ('missed', 'due_soon', 'running')
				THEN k.latest_due END, k.ended_at DESC NULLS LAST, k.rule, k.subject_id, k.id`
			break
		}
	}
	// The page's ids are picked first (for open clocks, from the scope index alone), then only
	// those rows are read with their cases: clock rows are wide, and a province has thousands.
	var rows []clockRow
	args = append(args, f.Limit, f.Offset)
	q := "WITH page AS (SELECT k.id FROM case_clocks k" + where + order + " LIMIT ? OFFSET ?) SELECT " + clockColumns +
		", c.number AS case_number, c.code AS case_code, c.stage AS case_stage, c.unit_id, u.code AS unit_code, " + leadProsecutorSQL +
		" AS prosecutor_id FROM page JOIN case_clocks k ON k.id = page.id JOIN cases c ON c.id = k.case_id JOIN units u ON u.id = c.unit_id" + order
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "thời hạn")
	}
	out := make([]domain.ClockListItem, len(rows))
	for i, r := range rows {
		out[i] = domain.ClockListItem{Clock: r.toDomain(), CaseNumber: r.CaseNumber, CaseCode: r.CaseCode, CaseStage: domain.Stage(r.CaseStage),
			UnitID: r.UnitID, UnitCode: r.UnitCode, ProsecutorID: deref(r.ProsecutorID)}
	}
	return out, total, nil
}

type violationRow struct {
	ID           int64      `gorm:"column:id"`
	CaseID       string     `gorm:"column:case_id"`
	ClockKey     string     `gorm:"column:clock_key"`
	Rule         string     `gorm:"column:rule"`
	Article      string     `gorm:"column:article"`
	NameVI       string     `gorm:"column:name_vi"`
	NameEN       string     `gorm:"column:name_en"`
	Subject      string     `gorm:"column:subject"`
	SubjectID    string     `gorm:"column:subject_id"`
	AccusedID    *string    `gorm:"column:accused_id"`
	DueAt        time.Time  `gorm:"column:due_at"`
	DetectedAt   time.Time  `gorm:"column:detected_at"`
	DetectedBy   string     `gorm:"column:detected_by"`
	MetAt        *time.Time `gorm:"column:met_at"`
	WithdrawnAt  *time.Time `gorm:"column:withdrawn_at"`
	UnitID       int64      `gorm:"column:unit_id"`
	ProsecutorID *string    `gorm:"column:prosecutor_id"`
	CaseNumber   string     `gorm:"column:case_number"`
	CaseCode     string     `gorm:"column:case_code"`
	UnitCode     string     `gorm:"column:unit_code"`
}

// ListViolations returns one page of violations of the cases in scope, the most recently detected
// first, with the total matching the filter. The scope is judged on the case as it is now; the
// responsible unit in the row is the one at detection.
func (s *Store) ListViolations(ctx context.Context, scope domain.Scope, f domain.ViolationFilter) ([]domain.Violation, int64, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	conds := []string{where}
	if f.UnitID != nil {
		cond, arg, err := s.unitFilter(ctx, *f.UnitID, f.IncludeSubunits)
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	if !f.IncludeWithdrawn {
		conds = append(conds, "v.withdrawn_at IS NULL")
	}
	if f.Open != nil {
		if *f.Open {
			conds = append(conds, "v.met_at IS NULL")
		} else {
			conds = append(conds, "v.met_at IS NOT NULL")
		}
	}
	if len(f.Rules) > 0 {
		conds, args = append(conds, "v.rule = ANY(?)"), append(args, textArray(f.Rules))
	}
	if f.DetectedAfter != nil {
		conds, args = append(conds, "v.detected_at >= ?"), append(args, *f.DetectedAfter)
	}
	if f.DetectedBefore != nil {
		conds, args = append(conds, "v.detected_at < ?"), append(args, *f.DetectedBefore)
	}
	if f.ProsecutorID != nil {
		conds, args = append(conds, "v.prosecutor_id = ?"), append(args, *f.ProsecutorID)
	}
	if f.CaseID != nil {
		conds, args = append(conds, "v.case_id = ?"), append(args, *f.CaseID)
	}
	from := " FROM violations v JOIN cases c ON c.id = v.case_id JOIN units u ON u.id = v.unit_id WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*)"+from, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, "vi phạm")
	}
	var rows []violationRow
	args = append(args, f.Limit, f.Offset)
	q := `SELECT v.id, v.case_id, v.clock_key, v.rule, v.article, v.name_vi, v.name_en, v.subject, v.subject_id, v.accused_id, v.due_at,
		v.detected_at, v.detected_by, v.met_at, v.withdrawn_at, v.unit_id, v.prosecutor_id, c.number AS case_number, c.code AS case_code,
		u.code AS unit_code` + from + " ORDER BY v.detected_at DESC, v.id DESC LIMIT ? OFFSET ?"
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "vi phạm")
	}
	out := make([]domain.Violation, len(rows))
	for i, r := range rows {
		out[i] = domain.Violation{ID: r.ID, CaseID: r.CaseID, ClockKey: r.ClockKey, Rule: r.Rule, Article: r.Article, NameVI: r.NameVI, NameEN: r.NameEN,
			Subject: r.Subject, SubjectID: r.SubjectID, AccusedID: deref(r.AccusedID), DueAt: r.DueAt, DetectedAt: r.DetectedAt, DetectedBy: r.DetectedBy,
			MetAt: r.MetAt, WithdrawnAt: r.WithdrawnAt, UnitID: r.UnitID, ProsecutorID: deref(r.ProsecutorID), CaseNumber: r.CaseNumber,
			CaseCode: r.CaseCode, UnitCode: r.UnitCode}
	}
	return out, total, nil
}

// clockEventSQL renders, over moved clocks m joined to their case c, the outbox row of the change
// to status: the same dedup key service.ClockEventKey makes, and the payload it writes.
func clockEventSQL(status, topic string) string {
	return fmt.Sprintf(`INSERT INTO outbox (dedup_key, topic, case_id, unit_id, payload, created_at, next_attempt_at)
		SELECT 'clock:' || m.case_id || ':' || m.clock_key || ':%[1]s:' || floor(extract(epoch FROM m.latest_due))::bigint, '%[2]s', m.case_id,
			c.unit_id, jsonb_build_object('case_id', m.case_id, 'case_number', c.number, 'clock_key', m.clock_key, 'rule', m.rule,
				'article', m.article, 'name_vi', m.name_vi, 'name_en', m.name_en, 'status', '%[1]s', 'subject', m.subject,
				'subject_id', m.subject_id, 'accused_id', m.accused_id,
				'latest_due', to_char(m.latest_due AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
				'latest_last_day', to_char(m.latest_last_day, 'YYYY-MM-DD')), @now, @now
		FROM moved m JOIN cases c ON c.id = m.case_id
		ON CONFLICT (dedup_key) DO NOTHING RETURNING 1`, status, topic)
}

// monitorMissedSQL moves a batch of open clocks whose latest reading has passed to missed, and in
// the same statement records their violations and outbox events. The batch is claimed with SKIP
// LOCKED and the UPDATE re-checks the status, so two monitors (or a monitor and a recompute
// holding a case's clocks) never move the same clock twice.
var monitorMissedSQL = `WITH claim AS (
		SELECT id FROM case_clocks WHERE status IN ('running', 'due_soon') AND latest_due <= @now AND NOT lapses
		ORDER BY latest_due LIMIT @batch FOR UPDATE SKIP LOCKED
	), moved AS (
		UPDATE case_clocks k SET status = 'missed', status_changed_at = @now FROM claim
		WHERE k.id = claim.id AND k.status IN ('running', 'due_soon') AND k.latest_due <= @now AND NOT k.lapses
		RETURNING k.*
	), v AS (
		INSERT INTO violations (case_id, clock_key, rule, article, name_vi, name_en, subject, subject_id, accused_id, due_at, detected_at,
			detected_by, unit_id, prosecutor_id)
		SELECT m.case_id, m.clock_key, m.rule, m.article, m.name_vi, m.name_en, m.subject, m.subject_id, m.accused_id, m.latest_due, @now,
			'monitor', c.unit_id, ` + strings.ReplaceAll(leadProsecutorSQL, "::text", "") + `
		FROM moved m JOIN cases c ON c.id = m.case_id
		ON CONFLICT (case_id, clock_key) DO UPDATE SET withdrawn_at = NULL, met_at = NULL, due_at = EXCLUDED.due_at
			WHERE violations.withdrawn_at IS NOT NULL OR violations.due_at <> EXCLUDED.due_at
		RETURNING 1
	), o AS (` + clockEventSQL(domain.ClockStatusMissed, service.TopicClockMissed) + `)
	SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM v) AS violations, (SELECT count(*) FROM o) AS events,
		(SELECT coalesce(string_agg(DISTINCT case_id::text, ','), '') FROM moved WHERE subject = 'measure') AS measure_cases, (SELECT coalesce(string_agg(case_id::text || E'\t' || clock_key || E'\t' || status, E'\n'), '') FROM moved) AS changed`

// monitorDueSoonSQL moves a batch of running clocks that reached their warning, and are not yet
// out, to due soon, with their outbox events.
var monitorDueSoonSQL = `WITH claim AS (
		SELECT id FROM case_clocks WHERE status = 'running' AND warn_at <= @now AND latest_due > @now
		ORDER BY warn_at LIMIT @batch FOR UPDATE SKIP LOCKED
	), moved AS (
		UPDATE case_clocks k SET status = 'due_soon', status_changed_at = @now FROM claim
		WHERE k.id = claim.id AND k.status = 'running'
		RETURNING k.*
	), o AS (` + clockEventSQL(domain.ClockStatusDueSoon, service.TopicClockDueSoon) + `)
	SELECT (SELECT count(*) FROM moved) AS moved, 0 AS violations, (SELECT count(*) FROM o) AS events, '' AS measure_cases, (SELECT coalesce(string_agg(case_id::text || E'\t' || clock_key || E'\t' || status, E'\n'), '') FROM moved) AS changed`

// monitorLapseSQL closes a batch of windows (to appeal, to protest) that ran out unused: the right
// lapsed, which is no violation, so the clock ends cancelled at its latest reading with no event.
var monitorLapseSQL = `WITH claim AS (
		SELECT id FROM case_clocks WHERE status IN ('running', 'due_soon') AND latest_due <= @now AND lapses
		ORDER BY latest_due LIMIT @batch FOR UPDATE SKIP LOCKED
	), moved AS (
		UPDATE case_clocks k SET status = 'cancelled', ended_at = k.latest_due, status_changed_at = @now,
			-- the sentence workflow's closeWindow adds, so the stored text is the engine's
			explanation_vi = k.explanation_vi || ' Hết thời hạn ngày ' || to_char(k.latest_last_day, 'DD/MM/YYYY') ||
				' mà không ghi nhận việc thực hiện: quyền này không còn, không phải vi phạm.',
			explanation_en = k.explanation_en || ' The window closed on ' || to_char(k.latest_last_day, 'DD/MM/YYYY') ||
				' unused: the right lapsed; this is not a violation.'
		FROM claim
		WHERE k.id = claim.id AND k.status IN ('running', 'due_soon') AND k.latest_due <= @now AND k.lapses
		RETURNING k.id, k.case_id, k.clock_key, k.status
	)
	SELECT (SELECT count(*) FROM moved) AS moved, 0 AS violations, 0 AS events, '' AS measure_cases, (SELECT coalesce(string_agg(case_id::text || E'\t' || clock_key || E'\t' || status, E'\n'), '') FROM moved) AS changed`

type monitorCounts struct {
	Moved        int64  `gorm:"column:moved"`
	Violations   int64  `gorm:"column:violations"`
	Events       int64  `gorm:"column:events"`
	MeasureCases string `gorm:"column:measure_cases"`
	// Changed lists the clocks moved, one per line: case id, clock key and status, tab-separated.
	Changed string `gorm:"column:changed"`
}

// AdvanceClocks applies what the passing of time does to stored clocks at now, in batches, each
// batch its own statement: open clocks past their latest reading become missed (with their
// violations and events), running ones past their warning become due soon (with their events).
// It returns what it changed; safe to run from several processes at once.
func (s *Store) AdvanceClocks(ctx context.Context, now time.Time, batch int) (service.MonitorResult, error) {
	if batch <= 0 {
		batch = 5000
	}
	var res service.MonitorResult
	for _, step := range []struct {
		sql   string
		moved *int64
	}{{monitorMissedSQL, &res.Missed}, {monitorLapseSQL, &res.Lapsed}, {monitorDueSoonSQL, &res.DueSoon}} {
		for {
			var c monitorCounts
			err := s.WithinTx(ctx, func(ctx context.Context) error {
				if err := s.conn(ctx).Raw(step.sql, map[string]any{"now": now, "batch": batch}).Scan(&c).Error; err != nil {
					return err
				}
				// Each clock moved is a change of its case, in the same transaction.
				var changes []domain.Change
				for _, line := range strings.Split(c.Changed, "\n") {
					if f := strings.Split(line, "\t"); len(f) == 3 {
						changes = append(changes, domain.Change{At: now, CaseID: f[0], Kind: domain.ChangeClock, Op: "status", EntityID: f[1], Status: f[2]})
					}
				}
				return s.recordChange(ctx, changes...)
			})
			if err != nil {
				return res, translate(err, "thời hạn")
			}
			*step.moved += c.Moved
			res.Violations += c.Violations
			res.Events += c.Events
			if c.MeasureCases != "" {
				res.MeasureCases = append(res.MeasureCases, strings.Split(c.MeasureCases, ",")...)
			}
			if c.Moved < int64(batch) {
				break
			}
		}
	}
	slices.Sort(res.MeasureCases)
	res.MeasureCases = slices.Compact(res.MeasureCases)
	return res, nil
}

// CaseIDsAfter returns up to limit case ids greater than after, in id order: the pages of a
// recompute of every case.
func (s *Store) CaseIDsAfter(ctx context.Context, after string, limit int) ([]string, error) {
	var ids []string
	q, args := "SELECT id::text FROM cases ORDER BY id LIMIT ?", []any{limit}
	if after != "" {
		q, args = "SELECT id::text FROM cases WHERE id > ? ORDER BY id LIMIT ?", []any{after, limit}
	}
	if err := s.conn(ctx).Raw(q, args...).Scan(&ids).Error; err != nil {
		return nil, translate(err, "hồ sơ")
	}
	return ids, nil
}

// CaseIDsCountingThrough returns the cases with a clock counted across the days from..to: its
// start on or before to, and its latest last day (a week's margin for a roll-over) on or after
// from. A change of the legal calendar on those days can move only these clocks.
func (s *Store) CaseIDsCountingThrough(ctx context.Context, from, to time.Time) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Raw(`SELECT DISTINCT case_id::text FROM case_clocks WHERE start_at < (?::date + 1) AND latest_last_day >= (?::date - 7)
		ORDER BY 1`, sqlDate(to), sqlDate(from)).Scan(&ids).Error
	return ids, translate(err, "thời hạn")
}
