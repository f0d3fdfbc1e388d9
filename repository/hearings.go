package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/domain"
)

const hearingWhat = "phiên tòa"

type hearingRow struct {
	ID                string     `gorm:"column:id"`
	CaseID            string     `gorm:"column:case_id"`
	UnitID            int64      `gorm:"column:unit_id"`
	Level             string     `gorm:"column:level"`
	CourtName         string     `gorm:"column:court_name"`
	ScheduledAt       time.Time  `gorm:"column:scheduled_at"`
	ExpectedEnd       *time.Time `gorm:"column:expected_end"`
	Place             string     `gorm:"column:place"`
	Room              string     `gorm:"column:room"`
	ProsecutorID      string     `gorm:"column:prosecutor_id"`
	Note              string     `gorm:"column:note"`
	Status            string     `gorm:"column:status"`
	StatusNote        string     `gorm:"column:status_note"`
	StatusAt          *time.Time `gorm:"column:status_at"`
	StatusBy          *string    `gorm:"column:status_by"`
	RescheduledFrom   *string    `gorm:"column:rescheduled_from"`
	DecisionID        *string    `gorm:"column:decision_id"`
	OutcomeDecisionID *string    `gorm:"column:outcome_decision_id"`
	Version           int        `gorm:"column:version"`
	CreatedBy         string     `gorm:"column:created_by"`
	CreatedAt         time.Time  `gorm:"column:created_at"`
	UpdatedAt         time.Time  `gorm:"column:updated_at"`
	RescheduledTo     *string    `gorm:"column:rescheduled_to"`
	CaseNumber        string     `gorm:"column:case_number"`
	CaseCode          string     `gorm:"column:case_code"`
	UnitCode          string     `gorm:"column:unit_code"`
	ProsecutorName    string     `gorm:"column:prosecutor_name"`
}

func (r hearingRow) toDomain() domain.Hearing {
	return domain.Hearing{ID: r.ID, CaseID: r.CaseID, UnitID: r.UnitID, Level: domain.HearingLevel(r.Level), CourtName: r.CourtName,
		ScheduledAt: r.ScheduledAt, ExpectedEnd: r.ExpectedEnd, Place: r.Place, Room: r.Room, ProsecutorID: r.ProsecutorID, Note: r.Note,
		Status: domain.HearingStatus(r.Status), StatusNote: r.StatusNote, StatusAt: r.StatusAt, StatusBy: deref(r.StatusBy),
		RescheduledFrom: deref(r.RescheduledFrom), DecisionID: deref(r.DecisionID), OutcomeDecisionID: deref(r.OutcomeDecisionID), Version: r.Version,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, RescheduledTo: deref(r.RescheduledTo), CaseNumber: r.CaseNumber,
		CaseCode: r.CaseCode, UnitCode: r.UnitCode, ProsecutorName: r.ProsecutorName}
}

// The next sitting is found through the unique index on rescheduled_from.
const hearingSelect = `SELECT h.id, h.case_id, h.unit_id, h.level, h.court_name, h.scheduled_at, h.expected_end, h.place, h.room, h.prosecutor_id,
	h.note, h.status, h.status_note, h.status_at, h.status_by, h.rescheduled_from, h.decision_id, h.outcome_decision_id, h.version, h.created_by,
	h.created_at, h.updated_at, (SELECT n.id FROM hearings n WHERE n.rescheduled_from = h.id) AS rescheduled_to, c.number AS case_number,
	c.code AS case_code, u.code AS unit_code, p.full_name AS prosecutor_name
	FROM hearings h JOIN cases c ON c.id = h.case_id JOIN units u ON u.id = h.unit_id JOIN users p ON p.id = h.prosecutor_id`

// InsertHearing adds a hearing and records it in the change feed. A second hearing of the same
// level waiting to be held on the same case breaks the partial unique index and is a conflict.
func (s *Store) InsertHearing(ctx context.Context, h *domain.Hearing) error {
	err := s.conn(ctx).Exec(`INSERT INTO hearings (id, case_id, unit_id, level, court_name, scheduled_at, expected_end, place, room, prosecutor_id,
		note, status, status_note, status_at, status_by, rescheduled_from, decision_id, outcome_decision_id, version, created_by, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		h.ID, h.CaseID, h.UnitID, string(h.Level), h.CourtName, h.ScheduledAt, h.ExpectedEnd, h.Place, h.Room, h.ProsecutorID, h.Note,
		string(h.Status), h.StatusNote, h.StatusAt, nullable(h.StatusBy), nullable(h.RescheduledFrom), nullable(h.DecisionID),
		nullable(h.OutcomeDecisionID), h.Version, h.CreatedBy, h.CreatedAt, h.UpdatedAt).Error
	if err != nil {
		return translate(err, hearingWhat)
	}
	return s.recordChange(ctx, domain.Change{At: h.CreatedAt, CaseID: h.CaseID, Kind: domain.ChangeHearing, Op: "created", EntityID: h.ID,
		Status: string(h.Status)})
}

// GetHearing returns one hearing with its case's number, its unit and its prosecutor's name.
func (s *Store) GetHearing(ctx context.Context, id string) (domain.Hearing, error) {
	var rows []hearingRow
	if err := s.conn(ctx).Raw(hearingSelect+" WHERE h.id = ?", id).Scan(&rows).Error; err != nil {
		return domain.Hearing{}, translate(err, hearingWhat)
	}
	if len(rows) == 0 {
		return domain.Hearing{}, domain.NotFound(hearingWhat)
	}
	return rows[0].toDomain(), nil
}

// UpdateHearingStatus writes h's status, its note, who set it and when, and the outcome decision,
// only if the row is still at version and still scheduled (a conditional UPDATE that must touch
// exactly one row, otherwise a conflict); h.Version becomes the new version. The change feed
// records the new status in the same transaction.
func (s *Store) UpdateHearingStatus(ctx context.Context, h *domain.Hearing, version int) error {
	res := s.conn(ctx).Exec(`UPDATE hearings SET status = ?, status_note = ?, status_at = ?, status_by = ?, outcome_decision_id = ?,
		updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = 'scheduled'`,
		string(h.Status), h.StatusNote, h.StatusAt, nullable(h.StatusBy), nullable(h.OutcomeDecisionID), h.UpdatedAt, h.ID, version)
	if res.Error != nil {
		return translate(res.Error, hearingWhat)
	}
	if res.RowsAffected != 1 {
		return &domain.Error{Code: domain.CodeConflict, Message: "phiên tòa đã được người khác cập nhật; hãy tải lại và thử lại",
			Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
	}
	h.Version = version + 1
	return s.recordChange(ctx, domain.Change{At: h.UpdatedAt, CaseID: h.CaseID, Kind: domain.ChangeHearing, Op: "status", EntityID: h.ID,
		Status: string(h.Status)})
}

// ListHearings returns one page of the hearings of the cases in scope, in date order (scheduled_at,
// then id), with the total matching the filter. The unit filter reads the hearing's own unit, so a
// unit's period is a range of the (unit_id, scheduled_at) index.
func (s *Store) ListHearings(ctx context.Context, scope domain.Scope, f domain.HearingFilter) ([]domain.Hearing, int64, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	conds := []string{where}
	if f.UnitID != nil {
		cond, arg, err := s.unitFilterOn(ctx, "h.unit_id", *f.UnitID, f.IncludeSubunits)
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	if f.CaseID != nil {
		conds, args = append(conds, "h.case_id = ?"), append(args, *f.CaseID)
	}
	if f.From != nil {
		conds, args = append(conds, "h.scheduled_at >= ?"), append(args, *f.From)
	}
	if f.To != nil {
		conds, args = append(conds, "h.scheduled_at < ?"), append(args, *f.To)
	}
	if len(f.Levels) > 0 {
		conds, args = append(conds, "h.level = ANY(?)"), append(args, textArray(strsOf(f.Levels)))
	}
	if len(f.Statuses) > 0 {
		conds, args = append(conds, "h.status = ANY(?)"), append(args, textArray(strsOf(f.Statuses)))
	}
	if f.ProsecutorID != nil {
		conds, args = append(conds, "h.prosecutor_id = ?"), append(args, *f.ProsecutorID)
	}
	cond := " WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM hearings h JOIN cases c ON c.id = h.case_id"+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, hearingWhat)
	}
	var rows []hearingRow
	args = append(args, f.Limit, f.Offset)
	if err := db.Raw(hearingSelect+cond+" ORDER BY h.scheduled_at, h.id LIMIT ? OFFSET ?", args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, hearingWhat)
	}
	out := make([]domain.Hearing, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

func strsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
