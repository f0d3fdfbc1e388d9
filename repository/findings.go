package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/domain"
)

type findingRow struct {
	ID          int64      `gorm:"column:id"`
	CaseID      string     `gorm:"column:case_id"`
	FindingKey  string     `gorm:"column:finding_key"`
	Code        string     `gorm:"column:code"`
	Article     string     `gorm:"column:article"`
	Severity    string     `gorm:"column:severity"`
	MessageVI   string     `gorm:"column:message_vi"`
	MessageEN   string     `gorm:"column:message_en"`
	DecisionIDs string     `gorm:"column:decision_ids"`
	MeasureID   *string    `gorm:"column:measure_id"`
	AccusedID   *string    `gorm:"column:accused_id"`
	Remedy      string     `gorm:"column:remedy"`
	FoundAt     time.Time  `gorm:"column:found_at"`
	ResolvedAt  *time.Time `gorm:"column:resolved_at"`
	UpdatedAt   time.Time  `gorm:"column:updated_at"`
	CaseNumber  string     `gorm:"column:case_number"`
	CaseCode    string     `gorm:"column:case_code"`
	UnitID      int64      `gorm:"column:unit_id"`
	UnitCode    string     `gorm:"column:unit_code"`
}

func (r findingRow) toDomain() domain.CaseFinding {
	f := domain.CaseFinding{ID: r.ID, CaseID: r.CaseID, Key: r.FindingKey, Code: r.Code, Article: r.Article, Severity: r.Severity,
		MessageVI: r.MessageVI, MessageEN: r.MessageEN, DecisionIDs: []string{}, MeasureID: deref(r.MeasureID), AccusedID: deref(r.AccusedID),
		Remedy: r.Remedy, FoundAt: r.FoundAt, ResolvedAt: r.ResolvedAt, UpdatedAt: r.UpdatedAt, CaseNumber: r.CaseNumber, CaseCode: r.CaseCode,
		UnitID: r.UnitID, UnitCode: r.UnitCode}
	if r.DecisionIDs != "" {
		f.DecisionIDs = strings.Split(r.DecisionIDs, ",")
	}
	return f
}

const findingColumns = `f.id, f.case_id, f.finding_key, f.code, f.article, f.severity, f.message_vi, f.message_en,
	array_to_string(f.decision_ids, ',') AS decision_ids, f.measure_id, f.accused_id, f.remedy, f.found_at, f.resolved_at, f.updated_at`

const findingListColumns = findingColumns + `, c.number AS case_number, c.code AS case_code, c.unit_id, u.code AS unit_code`

// LockCaseFindings returns a case's stored findings by key, locked until the transaction ends.
func (s *Store) LockCaseFindings(ctx context.Context, caseID string) (map[string]domain.CaseFinding, error) {
	var rows []findingRow
	if err := s.conn(ctx).Raw("SELECT "+findingColumns+" FROM case_findings f WHERE f.case_id = ? FOR UPDATE", caseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "phát hiện vi phạm")
	}
	out := make(map[string]domain.CaseFinding, len(rows))
	for _, r := range rows {
		out[r.FindingKey] = r.toDomain()
	}
	return out, nil
}

// SaveCaseFindings writes a case's changed findings and resolves the ones gone, in one statement:
// an upsert by key (re-opening a resolved finding, keeping when it was first found) and, in the
// same statement, the UPDATE that resolves the open findings named by resolve. The two never touch
// the same row, since a key is either found or gone.
func (s *Store) SaveCaseFindings(ctx context.Context, caseID string, upsert []domain.CaseFinding, resolve []string, at time.Time) error {
	if len(upsert) == 0 && len(resolve) == 0 {
		return nil
	}
	var b strings.Builder
	var args []any
	if len(upsert) > 0 {
		const cols = 13
		b.WriteString(`WITH up AS (INSERT INTO case_findings (case_id, finding_key, code, article, severity, message_vi, message_en, decision_ids,
			measure_id, accused_id, remedy, found_at, updated_at) VALUES `)
		args = make([]any, 0, cols*len(upsert)+4)
		for i, f := range upsert {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?::uuid[],?,?,?,?,?)")
			args = append(args, caseID, f.Key, f.Code, f.Article, f.Severity, f.MessageVI, f.MessageEN, uuidArray(f.DecisionIDs),
				nullable(f.MeasureID), nullable(f.AccusedID), f.Remedy, f.FoundAt, f.UpdatedAt)
		}
		b.WriteString(` ON CONFLICT (case_id, finding_key) DO UPDATE SET code = EXCLUDED.code, article = EXCLUDED.article,
			severity = EXCLUDED.severity, message_vi = EXCLUDED.message_vi, message_en = EXCLUDED.message_en, decision_ids = EXCLUDED.decision_ids,
			measure_id = EXCLUDED.measure_id, accused_id = EXCLUDED.accused_id, remedy = EXCLUDED.remedy, resolved_at = NULL,
			updated_at = EXCLUDED.updated_at RETURNING 1)`)
	}
	if len(resolve) > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(`UPDATE case_findings SET resolved_at = ?, updated_at = ? WHERE case_id = ? AND resolved_at IS NULL AND finding_key = ANY(?)`)
		args = append(args, at, at, caseID, textArray(resolve))
	} else {
		b.WriteString(" SELECT count(*) FROM up")
	}
	return translate(s.conn(ctx).Exec(b.String(), args...).Error, "phát hiện vi phạm")
}

// ListFindings returns one page of findings of the cases in scope: open before resolved,
// violations before warnings, the most recently found first; with the total matching the filter.
func (s *Store) ListFindings(ctx context.Context, scope domain.Scope, f domain.FindingFilter) ([]domain.CaseFinding, int64, error) {
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
	if f.Open != nil {
		if *f.Open {
			conds = append(conds, "f.resolved_at IS NULL")
		} else {
			conds = append(conds, "f.resolved_at IS NOT NULL")
		}
	}
	if len(f.Codes) > 0 {
		conds, args = append(conds, "f.code = ANY(?)"), append(args, textArray(f.Codes))
	}
	if len(f.Severities) > 0 {
		conds, args = append(conds, "f.severity = ANY(?)"), append(args, textArray(f.Severities))
	}
	if f.CaseID != nil {
		conds, args = append(conds, "f.case_id = ?"), append(args, *f.CaseID)
	}
	from := " FROM case_findings f JOIN cases c ON c.id = f.case_id JOIN units u ON u.id = c.unit_id WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*)"+from, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, "phát hiện vi phạm")
	}
	var rows []findingRow
	args = append(args, f.Limit, f.Offset)
	q := "SELECT " + findingListColumns + from +
		" ORDER BY (f.resolved_at IS NULL) DESC, (f.severity = 'violation') DESC, f.found_at DESC, f.id DESC LIMIT ? OFFSET ?"
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "phát hiện vi phạm")
	}
	out := make([]domain.CaseFinding, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// GetFinding returns one finding with its case's number and unit.
func (s *Store) GetFinding(ctx context.Context, id int64) (domain.CaseFinding, error) {
	var rows []findingRow
	if err := s.conn(ctx).Raw("SELECT "+findingListColumns+` FROM case_findings f JOIN cases c ON c.id = f.case_id
		JOIN units u ON u.id = c.unit_id WHERE f.id = ?`, id).Scan(&rows).Error; err != nil {
		return domain.CaseFinding{}, translate(err, "phát hiện vi phạm")
	}
	if len(rows) == 0 {
		return domain.CaseFinding{}, domain.NotFound("phát hiện vi phạm")
	}
	return rows[0].toDomain(), nil
}

type recommendationRow struct {
	ID          string     `gorm:"column:id"`
	CaseID      string     `gorm:"column:case_id"`
	FindingID   *int64     `gorm:"column:finding_id"`
	Kind        string     `gorm:"column:kind"`
	Addressee   string     `gorm:"column:addressee"`
	Subject     string     `gorm:"column:subject"`
	Body        string     `gorm:"column:body"`
	Status      string     `gorm:"column:status"`
	Number      string     `gorm:"column:number"`
	SentOn      *time.Time `gorm:"column:sent_on"`
	DueOn       *time.Time `gorm:"column:due_on"`
	AnswerNote  string     `gorm:"column:answer_note"`
	AnsweredAt  *time.Time `gorm:"column:answered_at"`
	ClosedAt    *time.Time `gorm:"column:closed_at"`
	CreatedBy   string     `gorm:"column:created_by"`
	CreatedAt   time.Time  `gorm:"column:created_at"`
	UpdatedAt   time.Time  `gorm:"column:updated_at"`
	Version     int        `gorm:"column:version"`
	CaseNumber  string     `gorm:"column:case_number"`
	CaseCode    string     `gorm:"column:case_code"`
	UnitID      int64      `gorm:"column:unit_id"`
	UnitCode    string     `gorm:"column:unit_code"`
	FindingCode *string    `gorm:"column:finding_code"`
}

func (r recommendationRow) toDomain() domain.Recommendation {
	return domain.Recommendation{ID: r.ID, CaseID: r.CaseID, FindingID: r.FindingID, Kind: domain.RecommendationKind(r.Kind), Addressee: r.Addressee,
		Subject: r.Subject, Body: r.Body, Status: domain.RecommendationStatus(r.Status), Number: r.Number, SentOn: optFromSQLDate(r.SentOn),
		DueOn: optFromSQLDate(r.DueOn), AnswerNote: r.AnswerNote, AnsweredAt: r.AnsweredAt, ClosedAt: r.ClosedAt, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, CaseNumber: r.CaseNumber, CaseCode: r.CaseCode, UnitID: r.UnitID,
		UnitCode: r.UnitCode, FindingCode: deref(r.FindingCode)}
}

const recommendationSelect = `SELECT r.id, r.case_id, r.finding_id, r.kind, r.addressee, r.subject, r.body, r.status, r.number, r.sent_on, r.due_on,
	r.answer_note, r.answered_at, r.closed_at, r.created_by, r.created_at, r.updated_at, r.version, c.number AS case_number, c.code AS case_code,
	c.unit_id, u.code AS unit_code, f.code AS finding_code`

const recommendationFrom = ` FROM recommendations r JOIN cases c ON c.id = r.case_id JOIN units u ON u.id = c.unit_id
	LEFT JOIN case_findings f ON f.id = r.finding_id`

// InsertRecommendation adds a recommendation. A second one in progress for the same finding breaks
// the partial unique index and is a conflict.
func (s *Store) InsertRecommendation(ctx context.Context, r *domain.Recommendation) error {
	return translate(s.conn(ctx).Exec(`INSERT INTO recommendations (id, case_id, finding_id, kind, addressee, subject, body, status, number, sent_on,
		due_on, answer_note, answered_at, closed_at, created_by, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.ID, r.CaseID, r.FindingID, string(r.Kind), r.Addressee, r.Subject, r.Body, string(r.Status), r.Number, optSQLDate(r.SentOn),
		optSQLDate(r.DueOn), r.AnswerNote, r.AnsweredAt, r.ClosedAt, r.CreatedBy, r.CreatedAt, r.UpdatedAt, r.Version).Error, "kiến nghị, yêu cầu")
}

// GetRecommendation returns one recommendation with its case's number and unit.
func (s *Store) GetRecommendation(ctx context.Context, id string) (domain.Recommendation, error) {
	var rows []recommendationRow
	if err := s.conn(ctx).Raw(recommendationSelect+recommendationFrom+" WHERE r.id = ?", id).Scan(&rows).Error; err != nil {
		return domain.Recommendation{}, translate(err, "kiến nghị, yêu cầu")
	}
	if len(rows) == 0 {
		return domain.Recommendation{}, domain.NotFound("kiến nghị, yêu cầu")
	}
	return rows[0].toDomain(), nil
}

// UpdateRecommendation writes r over the row only if the row is still at version (a conditional
// UPDATE that must touch exactly one row); r.Version becomes the new version.
func (s *Store) UpdateRecommendation(ctx context.Context, r *domain.Recommendation, version int) error {
	res := s.conn(ctx).Exec(`UPDATE recommendations SET kind = ?, addressee = ?, subject = ?, body = ?, status = ?, number = ?, sent_on = ?,
		due_on = ?, answer_note = ?, answered_at = ?, closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		string(r.Kind), r.Addressee, r.Subject, r.Body, string(r.Status), r.Number, optSQLDate(r.SentOn), optSQLDate(r.DueOn), r.AnswerNote,
		r.AnsweredAt, r.ClosedAt, r.UpdatedAt, r.ID, version)
	if res.Error != nil {
		return translate(res.Error, "kiến nghị, yêu cầu")
	}
	if res.RowsAffected != 1 {
		return &domain.Error{Code: domain.CodeConflict, Message: "kiến nghị, yêu cầu đã được người khác cập nhật; hãy tải lại và thử lại",
			Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
	}
	r.Version = version + 1
	return nil
}

// ListRecommendations returns one page of recommendations of the cases in scope, the most recently
// written first, with the total matching the filter.
func (s *Store) ListRecommendations(ctx context.Context, scope domain.Scope, f domain.RecommendationFilter) ([]domain.Recommendation, int64, error) {
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
	if len(f.Statuses) > 0 {
		conds, args = append(conds, "r.status = ANY(?)"), append(args, textArray(f.Statuses))
	}
	if len(f.Kinds) > 0 {
		conds, args = append(conds, "r.kind = ANY(?)"), append(args, textArray(f.Kinds))
	}
	if f.CaseID != nil {
		conds, args = append(conds, "r.case_id = ?"), append(args, *f.CaseID)
	}
	where = " WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM recommendations r JOIN cases c ON c.id = r.case_id"+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, "kiến nghị, yêu cầu")
	}
	var rows []recommendationRow
	args = append(args, f.Limit, f.Offset)
	if err := db.Raw(recommendationSelect+recommendationFrom+where+" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?", args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "kiến nghị, yêu cầu")
	}
	out := make([]domain.Recommendation, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}
