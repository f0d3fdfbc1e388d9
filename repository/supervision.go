package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/domain"
)

// --- instructions (chỉ đạo) ---

type instructionRow struct {
	ID                string     `gorm:"column:id"`
	CaseID            string     `gorm:"column:case_id"`
	IssuerUnitID      int64      `gorm:"column:issuer_unit_id"`
	AddresseeUnitID   int64      `gorm:"column:addressee_unit_id"`
	AddresseeUserID   *string    `gorm:"column:addressee_user_id"`
	Body              string     `gorm:"column:body"`
	DueOn             time.Time  `gorm:"column:due_on"`
	Status            string     `gorm:"column:status"`
	Response          string     `gorm:"column:response"`
	RespondedBy       *string    `gorm:"column:responded_by"`
	RespondedAt       *time.Time `gorm:"column:responded_at"`
	Note              string     `gorm:"column:note"`
	Reopened          int        `gorm:"column:reopened"`
	ClosedAt          *time.Time `gorm:"column:closed_at"`
	CreatedBy         string     `gorm:"column:created_by"`
	CreatedAt         time.Time  `gorm:"column:created_at"`
	UpdatedAt         time.Time  `gorm:"column:updated_at"`
	Version           int        `gorm:"column:version"`
	CaseNumber        string     `gorm:"column:case_number"`
	CaseCode          string     `gorm:"column:case_code"`
	CaseUnitID        int64      `gorm:"column:case_unit_id"`
	CaseUnitCode      string     `gorm:"column:case_unit_code"`
	IssuerUnitCode    string     `gorm:"column:issuer_unit_code"`
	AddresseeUnitCode string     `gorm:"column:addressee_unit_code"`
	AddresseeName     *string    `gorm:"column:addressee_name"`
}

func (r instructionRow) toDomain() domain.Instruction {
	return domain.Instruction{ID: r.ID, CaseID: r.CaseID, IssuerUnitID: r.IssuerUnitID, AddresseeUnitID: r.AddresseeUnitID,
		AddresseeUserID: deref(r.AddresseeUserID), Text: r.Body, DueOn: fromSQLDate(r.DueOn), Status: domain.InstructionStatus(r.Status),
		Response: r.Response, RespondedBy: deref(r.RespondedBy), RespondedAt: r.RespondedAt, Note: r.Note, Reopened: r.Reopened,
		ClosedAt: r.ClosedAt, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
		CaseNumber: r.CaseNumber, CaseCode: r.CaseCode, CaseUnitID: r.CaseUnitID, CaseUnitCode: r.CaseUnitCode, IssuerUnitCode: r.IssuerUnitCode,
		AddresseeUnitCode: r.AddresseeUnitCode, AddresseeName: deref(r.AddresseeName)}
}

const instructionSelect = `SELECT i.id, i.case_id, i.issuer_unit_id, i.addressee_unit_id, i.addressee_user_id, i.body, i.due_on, i.status,
	i.response, i.responded_by, i.responded_at, i.note, i.reopened, i.closed_at, i.created_by, i.created_at, i.updated_at, i.version,
	c.number AS case_number, c.code AS case_code, c.unit_id AS case_unit_id, u.code AS case_unit_code, iu.code AS issuer_unit_code,
	au.code AS addressee_unit_code, us.full_name AS addressee_name`

const instructionFrom = ` FROM instructions i JOIN cases c ON c.id = i.case_id JOIN units u ON u.id = c.unit_id
	JOIN units iu ON iu.id = i.issuer_unit_id JOIN units au ON au.id = i.addressee_unit_id LEFT JOIN users us ON us.id = i.addressee_user_id`

// instructionOrder puts what still waits first (open, then answered), each by due date, then the
// finished ones; the id makes the order total, so pages never overlap.
const instructionOrder = ` ORDER BY array_position(ARRAY['open', 'answered', 'closed', 'cancelled'], i.status), i.due_on, i.created_at, i.id`

const (
	whatInstruction  = "chỉ đạo"
	whatFileRequest  = "yêu cầu chuyển hồ sơ"
	whatSubscription = "theo dõi"
)

// InsertInstruction adds an instruction.
func (s *Store) InsertInstruction(ctx context.Context, in *domain.Instruction) error {
	return translate(s.conn(ctx).Exec(`INSERT INTO instructions (id, case_id, issuer_unit_id, addressee_unit_id, addressee_user_id, body, due_on,
		status, created_by, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		in.ID, in.CaseID, in.IssuerUnitID, in.AddresseeUnitID, nullable(in.AddresseeUserID), in.Text, sqlDate(in.DueOn), string(in.Status),
		in.CreatedBy, in.CreatedAt, in.UpdatedAt, in.Version).Error, whatInstruction)
}

// GetInstruction returns one instruction with its case's number and the units' codes.
func (s *Store) GetInstruction(ctx context.Context, id string) (domain.Instruction, error) {
	var rows []instructionRow
	if err := s.conn(ctx).Raw(instructionSelect+instructionFrom+" WHERE i.id = ?", id).Scan(&rows).Error; err != nil {
		return domain.Instruction{}, translate(err, whatInstruction)
	}
	if len(rows) == 0 {
		return domain.Instruction{}, domain.NotFound(whatInstruction)
	}
	return rows[0].toDomain(), nil
}

// staleError is the conflict of a conditional UPDATE that found the row at another version.
func staleError(what string) error {
	return &domain.Error{Code: domain.CodeConflict, Message: what + " đã được người khác cập nhật; hãy tải lại và thử lại",
		Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
}

// UpdateInstruction writes the instruction's state over the row only if the row is still at
// version (a conditional UPDATE that must touch exactly one row); in.Version becomes the new one.
func (s *Store) UpdateInstruction(ctx context.Context, in *domain.Instruction, version int) error {
	res := s.conn(ctx).Exec(`UPDATE instructions SET status = ?, response = ?, responded_by = ?, responded_at = ?, note = ?, reopened = ?,
		closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		string(in.Status), in.Response, nullable(in.RespondedBy), in.RespondedAt, in.Note, in.Reopened, in.ClosedAt, in.UpdatedAt, in.ID, version)
	if res.Error != nil {
		return translate(res.Error, whatInstruction)
	}
	if res.RowsAffected != 1 {
		return staleError(whatInstruction)
	}
	in.Version = version + 1
	return nil
}

// sideFilter narrows supervision records to a unit (or its subtree) on the issuing side, the
// receiving side, or either, as the direction says.
func (s *Store) sideFilter(ctx context.Context, unitID int64, subunits bool, dir domain.Direction, issuerCol, receiverCol string) (string, []any, error) {
	var conds []string
	var args []any
	for _, side := range []struct {
		dir domain.Direction
		col string
	}{{domain.DirectionIssued, issuerCol}, {domain.DirectionReceived, receiverCol}} {
		if dir != "" && dir != side.dir {
			continue
		}
		cond, arg, err := s.unitFilterOn(ctx, side.col, unitID, subunits)
		if err != nil {
			return "", nil, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, nil
}

// ListInstructions returns one page of the instructions on the cases in scope, what still waits
// first by due date, with the total matching the filter.
func (s *Store) ListInstructions(ctx context.Context, scope domain.Scope, f domain.InstructionFilter) ([]domain.Instruction, int64, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	conds := []string{where}
	if f.UnitID != nil {
		cond, a, err := s.sideFilter(ctx, *f.UnitID, f.IncludeSubunits, f.Direction, "i.issuer_unit_id", "i.addressee_unit_id")
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	if len(f.Statuses) > 0 {
		conds, args = append(conds, "i.status = ANY(?)"), append(args, textArray(f.Statuses))
	}
	if f.Overdue != nil {
		cond := "(i.status = 'open' AND i.due_on < ?::date)"
		if !*f.Overdue {
			cond = "NOT " + cond
		}
		conds, args = append(conds, cond), append(args, sqlDate(f.Now))
	}
	if f.CaseID != nil {
		conds, args = append(conds, "i.case_id = ?"), append(args, *f.CaseID)
	}
	where = " WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM instructions i JOIN cases c ON c.id = i.case_id"+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, whatInstruction)
	}
	var rows []instructionRow
	args = append(args, f.Limit, f.Offset)
	if err := db.Raw(instructionSelect+instructionFrom+where+instructionOrder+" LIMIT ? OFFSET ?", args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, whatInstruction)
	}
	out := make([]domain.Instruction, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// --- requests for case files (yêu cầu chuyển hồ sơ) ---

type fileRequestRow struct {
	ID                string     `gorm:"column:id"`
	CaseID            string     `gorm:"column:case_id"`
	RequesterUnitID   int64      `gorm:"column:requester_unit_id"`
	CaseUnitID        int64      `gorm:"column:case_unit_id"`
	Reason            string     `gorm:"column:reason"`
	DueOn             time.Time  `gorm:"column:due_on"`
	Status            string     `gorm:"column:status"`
	AnswerNote        string     `gorm:"column:answer_note"`
	AnsweredBy        *string    `gorm:"column:answered_by"`
	AnsweredAt        *time.Time `gorm:"column:answered_at"`
	RequestedBy       string     `gorm:"column:requested_by"`
	CreatedAt         time.Time  `gorm:"column:created_at"`
	UpdatedAt         time.Time  `gorm:"column:updated_at"`
	Version           int        `gorm:"column:version"`
	CaseNumber        string     `gorm:"column:case_number"`
	CaseCode          string     `gorm:"column:case_code"`
	CaseUnitCode      string     `gorm:"column:case_unit_code"`
	RequesterUnitCode string     `gorm:"column:requester_unit_code"`
}

func (r fileRequestRow) toDomain() domain.FileRequest {
	return domain.FileRequest{ID: r.ID, CaseID: r.CaseID, RequesterUnitID: r.RequesterUnitID, CaseUnitID: r.CaseUnitID, Reason: r.Reason,
		DueOn: fromSQLDate(r.DueOn), Status: domain.FileRequestStatus(r.Status), AnswerNote: r.AnswerNote, AnsweredBy: deref(r.AnsweredBy),
		AnsweredAt: r.AnsweredAt, RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
		CaseNumber: r.CaseNumber, CaseCode: r.CaseCode, CaseUnitCode: r.CaseUnitCode, RequesterUnitCode: r.RequesterUnitCode}
}

const fileRequestSelect = `SELECT f.id, f.case_id, f.requester_unit_id, f.case_unit_id, f.reason, f.due_on, f.status, f.answer_note, f.answered_by,
	f.answered_at, f.requested_by, f.created_at, f.updated_at, f.version, c.number AS case_number, c.code AS case_code,
	cu.code AS case_unit_code, ru.code AS requester_unit_code`

const fileRequestFrom = ` FROM file_requests f JOIN cases c ON c.id = f.case_id JOIN units cu ON cu.id = f.case_unit_id
	JOIN units ru ON ru.id = f.requester_unit_id`

// InsertFileRequest adds a request; a second pending one of the same unit for the same case
// breaks the partial unique index and is a conflict.
func (s *Store) InsertFileRequest(ctx context.Context, r *domain.FileRequest) error {
	return translate(s.conn(ctx).Exec(`INSERT INTO file_requests (id, case_id, requester_unit_id, case_unit_id, reason, due_on, status,
		requested_by, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		r.ID, r.CaseID, r.RequesterUnitID, r.CaseUnitID, r.Reason, sqlDate(r.DueOn), string(r.Status), r.RequestedBy, r.CreatedAt, r.UpdatedAt,
		r.Version).Error, whatFileRequest)
}

// GetFileRequest returns one request with its case's number and the units' codes.
func (s *Store) GetFileRequest(ctx context.Context, id string) (domain.FileRequest, error) {
	var rows []fileRequestRow
	if err := s.conn(ctx).Raw(fileRequestSelect+fileRequestFrom+" WHERE f.id = ?", id).Scan(&rows).Error; err != nil {
		return domain.FileRequest{}, translate(err, whatFileRequest)
	}
	if len(rows) == 0 {
		return domain.FileRequest{}, domain.NotFound(whatFileRequest)
	}
	return rows[0].toDomain(), nil
}

// UpdateFileRequest writes the answer over the row only if it is still at version.
func (s *Store) UpdateFileRequest(ctx context.Context, r *domain.FileRequest, version int) error {
	res := s.conn(ctx).Exec(`UPDATE file_requests SET status = ?, answer_note = ?, answered_by = ?, answered_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, string(r.Status), r.AnswerNote, nullable(r.AnsweredBy), r.AnsweredAt, r.UpdatedAt,
		r.ID, version)
	if res.Error != nil {
		return translate(res.Error, whatFileRequest)
	}
	if res.RowsAffected != 1 {
		return staleError(whatFileRequest)
	}
	r.Version = version + 1
	return nil
}

// ListFileRequests returns one page of the requests on the cases in scope, and of those the user
// made (a superior unit's prosecutor asks for files of cases they cannot read), pending first by
// due date, with the total matching the filter.
func (s *Store) ListFileRequests(ctx context.Context, scope domain.Scope, userID string, f domain.FileRequestFilter) ([]domain.FileRequest, int64, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	conds := []string{"(" + where + " OR f.requested_by = ?)"}
	args = append(args, userID)
	if f.UnitID != nil {
		cond, a, err := s.sideFilter(ctx, *f.UnitID, f.IncludeSubunits, f.Direction, "f.requester_unit_id", "f.case_unit_id")
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	if len(f.Statuses) > 0 {
		conds, args = append(conds, "f.status = ANY(?)"), append(args, textArray(f.Statuses))
	}
	if f.Overdue != nil {
		cond := "(f.status = 'pending' AND f.due_on < ?::date)"
		if !*f.Overdue {
			cond = "NOT " + cond
		}
		conds, args = append(conds, cond), append(args, sqlDate(f.Now))
	}
	if f.CaseID != nil {
		conds, args = append(conds, "f.case_id = ?"), append(args, *f.CaseID)
	}
	where = " WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM file_requests f JOIN cases c ON c.id = f.case_id"+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, whatFileRequest)
	}
	var rows []fileRequestRow
	args = append(args, f.Limit, f.Offset)
	q := fileRequestSelect + fileRequestFrom + where +
		" ORDER BY (f.status = 'pending') DESC, f.due_on, f.created_at, f.id LIMIT ? OFFSET ?"
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, whatFileRequest)
	}
	out := make([]domain.FileRequest, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// --- public interest (dư luận xã hội quan tâm) ---

// CasePublicInterest reads a case's public-interest flag and version.
func (s *Store) CasePublicInterest(ctx context.Context, caseID string) (domain.PublicInterestMark, error) {
	var rows []struct {
		PublicInterest bool      `gorm:"column:public_interest"`
		Version        int       `gorm:"column:version"`
		UpdatedAt      time.Time `gorm:"column:updated_at"`
	}
	if err := s.conn(ctx).Raw("SELECT public_interest, version, updated_at FROM cases WHERE id = ?", caseID).Scan(&rows).Error; err != nil {
		return domain.PublicInterestMark{}, translate(err, "hồ sơ")
	}
	if len(rows) == 0 {
		return domain.PublicInterestMark{}, domain.NotFound("hồ sơ")
	}
	return domain.PublicInterestMark{CaseID: caseID, PublicInterest: rows[0].PublicInterest, Version: rows[0].Version, UpdatedAt: rows[0].UpdatedAt}, nil
}

// SetCasePublicInterest sets the flag as one conditional UPDATE of the case at version (another
// version is a conflict, like every case edit) and records the change in the feed, in the
// caller's transaction.
func (s *Store) SetCasePublicInterest(ctx context.Context, caseID string, on bool, version int, now time.Time) error {
	res := s.conn(ctx).Exec("UPDATE cases SET public_interest = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
		on, now, caseID, version)
	if res.Error != nil {
		return translate(res.Error, "hồ sơ")
	}
	if err := s.oneRow(ctx, res, caseID); err != nil {
		return err
	}
	return s.recordChange(ctx, domain.Change{At: now, CaseID: caseID, Kind: domain.ChangeCase, Op: "updated", EntityID: caseID})
}

// --- subscriptions (theo dõi) ---

type subscriptionRow struct {
	ID                string    `gorm:"column:id"`
	UserID            string    `gorm:"column:user_id"`
	Name              string    `gorm:"column:name"`
	UnitID            *int64    `gorm:"column:unit_id"`
	IncludeSubunits   bool      `gorm:"column:include_subunits"`
	MinClass          string    `gorm:"column:min_class"`
	DetentionOverDays int       `gorm:"column:detention_over_days"`
	PublicInterest    bool      `gorm:"column:public_interest"`
	CreatedAt         time.Time `gorm:"column:created_at"`
	BaselineDone      bool      `gorm:"column:baseline_done"`
}

func (r subscriptionRow) toDomain() domain.Subscription {
	return domain.Subscription{ID: r.ID, UserID: r.UserID, Name: r.Name, UnitID: r.UnitID, IncludeSubunits: r.IncludeSubunits,
		MinClass: domain.SeverityClass(r.MinClass), DetentionOverDays: r.DetentionOverDays, PublicInterest: r.PublicInterest, CreatedAt: r.CreatedAt,
		BaselineDone: r.BaselineDone}
}

const subscriptionSelect = `SELECT id, user_id, name, unit_id, include_subunits, min_class, detention_over_days, public_interest, created_at,
	baseline_done FROM subscriptions`

// InsertSubscription adds a subscription unless its owner already keeps max of them (counted
// under a lock of the owner's user row, so two requests at once cannot both pass the count).
func (s *Store) InsertSubscription(ctx context.Context, sub *domain.Subscription, max int) error {
	db := s.conn(ctx)
	var n int64
	if err := db.Raw(`SELECT count(*) FROM subscriptions WHERE user_id = (SELECT id FROM users WHERE id = ? FOR UPDATE)`, sub.UserID).
		Scan(&n).Error; err != nil {
		return translate(err, whatSubscription)
	}
	if n >= int64(max) {
		return domain.Invalid("", "max_items", "mỗi người theo dõi tối đa 50 tiêu chí; hãy xóa bớt")
	}
	return translate(db.Exec(`INSERT INTO subscriptions (id, user_id, name, unit_id, include_subunits, min_class, detention_over_days,
		public_interest, created_at) VALUES (?,?,?,?,?,?,?,?,?)`, sub.ID, sub.UserID, sub.Name, sub.UnitID, sub.IncludeSubunits, string(sub.MinClass),
		sub.DetentionOverDays, sub.PublicInterest, sub.CreatedAt).Error, whatSubscription)
}

// GetSubscription returns a subscription of the user; another user's is not found.
func (s *Store) GetSubscription(ctx context.Context, userID, id string) (domain.Subscription, error) {
	var rows []subscriptionRow
	if err := s.conn(ctx).Raw(subscriptionSelect+" WHERE id = ? AND user_id = ?", id, userID).Scan(&rows).Error; err != nil {
		return domain.Subscription{}, translate(err, whatSubscription)
	}
	if len(rows) == 0 {
		return domain.Subscription{}, domain.NotFound(whatSubscription)
	}
	return rows[0].toDomain(), nil
}

// ListSubscriptions returns a page of the user's subscriptions, oldest first, with the total.
func (s *Store) ListSubscriptions(ctx context.Context, userID string, limit, offset int) ([]domain.Subscription, int64, error) {
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM subscriptions WHERE user_id = ?", userID).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, whatSubscription)
	}
	var rows []subscriptionRow
	if err := db.Raw(subscriptionSelect+" WHERE user_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?", userID, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, whatSubscription)
	}
	out := make([]domain.Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// DeleteSubscription removes a subscription of the user; another user's is not found.
func (s *Store) DeleteSubscription(ctx context.Context, userID, id string) error {
	res := s.conn(ctx).Exec("DELETE FROM subscriptions WHERE id = ? AND user_id = ?", id, userID)
	if res.Error != nil {
		return translate(res.Error, whatSubscription)
	}
	if res.RowsAffected != 1 {
		return domain.NotFound(whatSubscription)
	}
	return nil
}

// detentionDaysSQL is the longest continuous detention (tạm giam) of a person held now in case c,
// in whole days at the instant given as its one parameter: from the start of the first order of
// the chain of extensions (extends_id) that ends in an order in force.
const detentionDaysSQL = `coalesce((SELECT max(floor(extract(epoch FROM (?::timestamptz - ch.root_start)) / 86400))::int FROM (
		WITH RECURSIVE chain (id, extends_id, start_at, leaf) AS (
			SELECT m.id, m.extends_id, m.start_at, m.id FROM measures m WHERE m.case_id = c.id AND m.kind = 'detention' AND m.status = 'active'
			UNION ALL
			SELECT p.id, p.extends_id, p.start_at, chain.leaf FROM measures p JOIN chain ON p.id = chain.extends_id)
		SELECT leaf, min(start_at) AS root_start FROM chain GROUP BY leaf) ch), 0)`

// classRankSQL ranks a severity class from 1 (less serious) to 4; NULL for an unknown class.
func classRankSQL(class string) string {
	return "array_position(ARRAY['less_serious', 'serious', 'very_serious', 'particularly_serious'], " + class + ")"
}

type matchRow struct {
	ID             string    `gorm:"column:id"`
	Number         string    `gorm:"column:number"`
	Code           string    `gorm:"column:code"`
	UnitID         int64     `gorm:"column:unit_id"`
	UnitCode       string    `gorm:"column:unit_code"`
	Stage          string    `gorm:"column:stage"`
	ReceivedAt     time.Time `gorm:"column:received_at"`
	Class          string    `gorm:"column:class"`
	PublicInterest bool      `gorm:"column:public_interest"`
	DetentionDays  int       `gorm:"column:detention_days"`
}

// MatchSubscription returns one page of the cases in scope that meet the subscription's criteria
// at now, still in progress (not at a final stage), the most recently received first, with the
// total. The class and detention are computed once per case in a subquery, then filtered.
func (s *Store) MatchSubscription(ctx context.Context, scope domain.Scope, sub domain.Subscription, now time.Time, limit, offset int) ([]domain.SubscriptionMatch, int64, error) {
	from, qa, err := s.matchFrom(ctx, scope, sub, now, false)
	if err != nil {
		return nil, 0, err
	}
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*)"+from, qa...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, whatSubscription)
	}
	out, err := s.matchPage(ctx, from, qa, limit, offset)
	return out, total, err
}

// UnseenSubscriptionMatches returns up to limit of the cases MatchSubscription would list that
// are not recorded in subscription_matches for the subscription yet, the most recently received
// first: what a sweep has not seen. Recorded cases are left out in SQL, so a subscription that
// matches many cases makes progress batch by batch.
func (s *Store) UnseenSubscriptionMatches(ctx context.Context, scope domain.Scope, sub domain.Subscription, now time.Time, limit int) ([]domain.SubscriptionMatch, error) {
	from, qa, err := s.matchFrom(ctx, scope, sub, now, true)
	if err != nil {
		return nil, err
	}
	return s.matchPage(ctx, from, qa, limit, 0)
}

// matchFrom builds the FROM clause (with its arguments) of the cases matching a subscription;
// unseen leaves out the cases already recorded for it.
func (s *Store) matchFrom(ctx context.Context, scope domain.Scope, sub domain.Subscription, now time.Time, unseen bool) (string, []any, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return "", nil, err
	}
	conds := []string{where, "c.stage NOT IN ('closed', 'terminated', 'not_instituted', 'joined')"}
	if sub.UnitID != nil {
		cond, arg, err := s.unitFilter(ctx, *sub.UnitID, sub.IncludeSubunits)
		if err != nil {
			return "", nil, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	if sub.PublicInterest {
		conds = append(conds, "c.public_interest")
	}
	if unseen {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM subscription_matches sm WHERE sm.subscription_id = ? AND sm.case_id = c.id)")
		args = append(args, sub.ID)
	}
	inner := `SELECT c.id, c.number, c.code, c.unit_id, u.code AS unit_code, c.stage, c.received_at, c.public_interest, ` + caseClassSQL +
		` AS class, ` + detentionDaysSQL + ` AS detention_days FROM cases c JOIN units u ON u.id = c.unit_id WHERE ` + strings.Join(conds, " AND ")
	innerArgs := append([]any{now}, args...)
	var outer []string
	var outerArgs []any
	if sub.MinClass != "" {
		outer, outerArgs = append(outer, classRankSQL("x.class")+" >= ?"), append(outerArgs, sub.MinClass.Rank())
	}
	if sub.DetentionOverDays > 0 {
		outer, outerArgs = append(outer, "x.detention_days > ?"), append(outerArgs, sub.DetentionOverDays)
	}
	from := " FROM (" + inner + ") x"
	if len(outer) > 0 {
		from += " WHERE " + strings.Join(outer, " AND ")
	}
	return from, append(innerArgs, outerArgs...), nil
}

// matchPage reads one page of the matches of matchFrom's clause.
func (s *Store) matchPage(ctx context.Context, from string, qa []any, limit, offset int) ([]domain.SubscriptionMatch, error) {
	var rows []matchRow
	if err := s.conn(ctx).Raw("SELECT x.*"+from+" ORDER BY x.received_at DESC, x.id DESC LIMIT ? OFFSET ?", append(qa, limit, offset)...).Scan(&rows).Error; err != nil {
		return nil, translate(err, whatSubscription)
	}
	out := make([]domain.SubscriptionMatch, len(rows))
	for i, r := range rows {
		out[i] = domain.SubscriptionMatch{CaseID: r.ID, Number: r.Number, Code: r.Code, UnitID: r.UnitID, UnitCode: r.UnitCode,
			Stage: domain.Stage(r.Stage), ReceivedAt: r.ReceivedAt, Class: domain.SeverityClass(r.Class), PublicInterest: r.PublicInterest,
			DetentionDays: r.DetentionDays}
	}
	return out, nil
}

// SubscriptionsToCheck returns up to limit subscriptions for a sweep to evaluate, the least
// recently checked first (never checked first), with whether their baseline is recorded.
func (s *Store) SubscriptionsToCheck(ctx context.Context, limit int) ([]domain.Subscription, error) {
	var rows []subscriptionRow
	if err := s.conn(ctx).Raw(subscriptionSelect+" ORDER BY checked_at NULLS FIRST, id LIMIT ?", limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, whatSubscription)
	}
	out := make([]domain.Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// LockSubscription reads a subscription and locks it until the caller's transaction ends; ok is
// false when it is gone or another sweep holds it (SKIP LOCKED: that sweep evaluates it).
func (s *Store) LockSubscription(ctx context.Context, id string) (sub domain.Subscription, ok bool, err error) {
	var rows []subscriptionRow
	if err := s.conn(ctx).Raw(subscriptionSelect+" WHERE id = ? FOR UPDATE SKIP LOCKED", id).Scan(&rows).Error; err != nil {
		return domain.Subscription{}, false, translate(err, whatSubscription)
	}
	if len(rows) == 0 {
		return domain.Subscription{}, false, nil
	}
	return rows[0].toDomain(), true, nil
}

// RecordSubscriptionMatches records cases as seen by a subscription at `at` (notified: whether
// they are told to its owner) and returns those that were not recorded before: only they may be
// told, so each case is told once per subscription.
func (s *Store) RecordSubscriptionMatches(ctx context.Context, subscriptionID string, caseIDs []string, notified bool, at time.Time) ([]string, error) {
	if len(caseIDs) == 0 {
		return nil, nil
	}
	var added []string
	err := s.conn(ctx).Raw(`INSERT INTO subscription_matches (subscription_id, case_id, matched_at, notified)
		SELECT ?, x.case_id, ?, ? FROM unnest(?::uuid[]) WITH ORDINALITY AS x (case_id, n) ORDER BY x.n
		ON CONFLICT (subscription_id, case_id) DO NOTHING RETURNING case_id::text`, subscriptionID, at, notified, uuidArray(caseIDs)).
		Scan(&added).Error
	if err != nil {
		return nil, translate(err, whatSubscription)
	}
	return added, nil
}

// MarkSubscriptionChecked records when a sweep evaluated a subscription and, once every case it
// matched at its first evaluation is recorded, that its baseline is done.
func (s *Store) MarkSubscriptionChecked(ctx context.Context, id string, at time.Time, baselineDone bool) error {
	return translate(s.conn(ctx).Exec("UPDATE subscriptions SET checked_at = ?, baseline_done = baseline_done OR ? WHERE id = ?", at, baselineDone, id).Error,
		whatSubscription)
}

// --- notifications of supervision ---

// NotifySupervision writes an in-app notification of a supervision event, in the caller's
// transaction: the event goes to the outbox already delivered on the in-app channel (its receipt
// kept), and n to each recipient — the users named and the active chiefs and deputy chiefs of
// leadersOf (0: none) — but never to the actor who caused it. The dispatcher, which turns clock
// events into messages, never claims it. It returns how many were notified.
func (s *Store) NotifySupervision(ctx context.Context, ev domain.OutboxEvent, n domain.Notification, users []string, leadersOf int64, actor string) (int, error) {
	if users == nil {
		users = []string{}
	}
	var count []int
	err := s.conn(ctx).Raw(`WITH ev AS (
			INSERT INTO outbox (dedup_key, topic, case_id, unit_id, payload, created_at, next_attempt_at, delivered_at, attempts)
			VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, 1) ON CONFLICT (dedup_key) DO NOTHING RETURNING id),
		rcpt AS (
			SELECT x.user_id FROM unnest(?::uuid[]) AS x (user_id)
			UNION
			SELECT g.user_id FROM grants g JOIN users u ON u.id = g.user_id WHERE g.unit_id = ? AND g.role IN ('chief', 'deputy_chief') AND u.active),
		sent AS (
			INSERT INTO notifications (user_id, outbox_id, case_id, unit_id, kind, title_vi, title_en, body_vi, body_en, created_at)
			SELECT r.user_id, ev.id, ?, ?, ?, ?, ?, ?, ?, ? FROM ev, rcpt r WHERE r.user_id <> ?::uuid
			ON CONFLICT (user_id, outbox_id) DO NOTHING RETURNING 1),
		receipt AS (
			INSERT INTO outbox_deliveries (outbox_id, channel, delivered_at, receipt)
			SELECT ev.id, 'in_app', ?, (SELECT count(*) FROM sent)::text || ' recipients' FROM ev)
		SELECT count(*)::int FROM sent`,
		ev.DedupKey, ev.Topic, nullable(ev.CaseID), nullableID(ev.UnitID), string(ev.Payload), ev.CreatedAt, ev.CreatedAt, ev.CreatedAt,
		uuidArray(users), leadersOf,
		nullable(n.CaseID), nullableID(n.UnitID), n.Kind, n.TitleVI, n.TitleEN, n.BodyVI, n.BodyEN, n.CreatedAt, actor,
		ev.CreatedAt).Scan(&count).Error
	if err != nil {
		return 0, translate(err, "thông báo")
	}
	if len(count) == 0 {
		return 0, nil
	}
	return count[0], nil
}
