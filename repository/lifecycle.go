package repository

import (
	"context"
	"database/sql/driver"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// uuidArray passes a []string of UUIDs as one PostgreSQL array parameter.
type uuidArray []string

// Value renders the array literal; UUIDs need no quoting.
func (a uuidArray) Value() (driver.Value, error) { return "{" + strings.Join(a, ",") + "}", nil }

// sqlDate renders a calendar date as the law counts it: the Vietnamese date of t.
func sqlDate(t time.Time) string { return t.In(domain.ICT).Format(time.DateOnly) }

// fromSQLDate turns a DATE column (read as midnight UTC) back into midnight ICT of that date.
func fromSQLDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.ICT)
}

func optSQLDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := sqlDate(*t)
	return &s
}

func optFromSQLDate(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := fromSQLDate(*t)
	return &d
}

type decisionRow struct {
	ID               string     `gorm:"column:id"`
	CaseID           string     `gorm:"column:case_id"`
	Seq              int        `gorm:"column:seq"`
	Step             string     `gorm:"column:step"`
	DocType          string     `gorm:"column:doc_type"`
	Number           string     `gorm:"column:number"`
	Issuer           string     `gorm:"column:issuer"`
	IssuerName       string     `gorm:"column:issuer_name"`
	Signer           string     `gorm:"column:signer"`
	IssuedOn         time.Time  `gorm:"column:issued_on"`
	EffectiveOn      time.Time  `gorm:"column:effective_on"`
	AccusedIDs       string     `gorm:"column:accused_ids"`
	MeasureID        *string    `gorm:"column:measure_id"`
	LegalBasis       string     `gorm:"column:legal_basis"`
	Note             string     `gorm:"column:note"`
	FileID           string     `gorm:"column:file_id"`
	RequestedOn      *time.Time `gorm:"column:requested_on"`
	ReceivedAt       *time.Time `gorm:"column:received_at"`
	RequiresApproval bool       `gorm:"column:requires_approval"`
	DecidesID        *string    `gorm:"column:decides_id"`
	Outcome          string     `gorm:"column:outcome"`
	SupersedesID     *string    `gorm:"column:supersedes_id"`
	ReturnedBy       string     `gorm:"column:returned_by"`
	ReplaceCharges   bool       `gorm:"column:replace_charges"`
	FromStage        string     `gorm:"column:from_stage"`
	ToStage          string     `gorm:"column:to_stage"`
	TargetUnitID     *int64     `gorm:"column:target_unit_id"`
	TargetCaseID     *string    `gorm:"column:target_case_id"`
	UnitID           int64      `gorm:"column:unit_id"`
	RecordedBy       string     `gorm:"column:recorded_by"`
	RecordedAt       time.Time  `gorm:"column:recorded_at"`
	// Derived in the query: the outcome of the answer to this decision and whether a later
	// decision supersedes it.
	AnswerOutcome *string `gorm:"column:answer_outcome"`
	Superseded    bool    `gorm:"column:superseded"`
	CaseNumber    string  `gorm:"column:case_number"`
	CaseCode      string  `gorm:"column:case_code"`
	UnitCode      string  `gorm:"column:unit_code"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (r decisionRow) toDomain() domain.Decision {
	d := domain.Decision{ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, Step: domain.Step(r.Step), Type: domain.DocType(r.DocType), Number: r.Number,
		Issuer: domain.IssuerBody(r.Issuer), IssuerName: r.IssuerName, Signer: r.Signer, IssuedOn: fromSQLDate(r.IssuedOn),
		EffectiveOn: fromSQLDate(r.EffectiveOn), MeasureID: deref(r.MeasureID), LegalBasis: r.LegalBasis, Note: r.Note, FileID: r.FileID,
		RequestedOn: optFromSQLDate(r.RequestedOn), ReceivedAt: r.ReceivedAt, RequiresApproval: r.RequiresApproval, DecidesID: deref(r.DecidesID), Outcome: domain.Outcome(r.Outcome), SupersedesID: deref(r.SupersedesID),
		ReturnedBy: r.ReturnedBy, ReplaceCharges: r.ReplaceCharges, FromStage: domain.Stage(r.FromStage), ToStage: domain.Stage(r.ToStage),
		TargetUnitID: deref(r.TargetUnitID), TargetCaseID: deref(r.TargetCaseID), UnitID: r.UnitID, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	if r.AccusedIDs != "" {
		d.AccusedIDs = strings.Split(r.AccusedIDs, ",")
	}
	d.Status = domain.DecisionEffective
	if r.RequiresApproval {
		switch deref(r.AnswerOutcome) {
		case "":
			d.Status = domain.DecisionPending
		case string(domain.OutcomeApprove):
			d.Status = domain.DecisionApproved
		case string(domain.OutcomeRefuse):
			d.Status = domain.DecisionRefused
		default:
			d.Status = domain.DecisionCancelled
		}
	}
	if r.Superseded {
		d.Status = domain.DecisionSuperseded
	}
	return d
}

const decisionSelect = `SELECT d.id, d.case_id, d.seq, d.step, d.doc_type, d.number, d.issuer, d.issuer_name, d.signer, d.issued_on, d.effective_on,
	array_to_string(d.accused_ids, ',') AS accused_ids, d.measure_id, d.legal_basis, d.note, d.file_id, d.requested_on, d.received_at, d.requires_approval, d.decides_id,
	d.outcome, d.supersedes_id, d.returned_by, d.replace_charges, d.from_stage, d.to_stage, d.target_unit_id, d.target_case_id, d.unit_id,
	d.recorded_by, d.recorded_at,
	(SELECT a.outcome FROM case_decisions a WHERE a.decides_id = d.id) AS answer_outcome,
	EXISTS (SELECT 1 FROM case_decisions s WHERE s.supersedes_id = d.id) AS superseded `

// LockCase locks the case row for the rest of the transaction; a missing case is not found.
func (s *Store) LockCase(ctx context.Context, caseID string) error {
	var id string
	if err := s.conn(ctx).Raw("SELECT id FROM cases WHERE id = ? FOR UPDATE", caseID).Row().Scan(&id); err != nil {
		return translate(err, "hồ sơ")
	}
	return nil
}

// ListDecisions returns a case's decisions in recording order, each with its derived status.
func (s *Store) ListDecisions(ctx context.Context, caseID string) ([]domain.Decision, error) {
	var rows []decisionRow
	if err := s.conn(ctx).Raw(decisionSelect+"FROM case_decisions d WHERE d.case_id = ? ORDER BY d.seq", caseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "quyết định tố tụng")
	}
	out := make([]domain.Decision, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// GetDecision loads one decision.
func (s *Store) GetDecision(ctx context.Context, id string) (domain.Decision, error) {
	var r decisionRow
	if err := s.conn(ctx).Raw(decisionSelect+"FROM case_decisions d WHERE d.id = ?", id).Take(&r).Error; err != nil {
		return domain.Decision{}, translate(err, "quyết định tố tụng")
	}
	return r.toDomain(), nil
}

// InsertDecision appends a decision with the case's next sequence number.
func (s *Store) InsertDecision(ctx context.Context, d *domain.Decision) error {
	err := s.conn(ctx).Raw(`INSERT INTO case_decisions (id, case_id, seq, step, doc_type, number, issuer, issuer_name, signer, issued_on,
		effective_on, accused_ids, measure_id, legal_basis, note, file_id, requested_on, received_at, requires_approval, decides_id, outcome, supersedes_id, returned_by,
		replace_charges, from_stage, to_stage, target_unit_id, target_case_id, unit_id, recorded_by, recorded_at)
		VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM case_decisions WHERE case_id = ?), ?, ?, ?, ?, ?, ?, ?::date, ?::date, ?::uuid[],
		?, ?, ?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		d.ID, d.CaseID, d.CaseID, string(d.Step), string(d.Type), d.Number, string(d.Issuer), d.IssuerName, d.Signer, sqlDate(d.IssuedOn),
		sqlDate(d.EffectiveOn), uuidArray(d.AccusedIDs), nullStr(d.MeasureID), d.LegalBasis, d.Note, d.FileID, optSQLDate(d.RequestedOn), d.ReceivedAt, d.RequiresApproval,
		nullStr(d.DecidesID), string(d.Outcome), nullStr(d.SupersedesID), d.ReturnedBy, d.ReplaceCharges, string(d.FromStage), string(d.ToStage),
		nullInt(d.TargetUnitID), nullStr(d.TargetCaseID), d.UnitID, d.RecordedBy, d.RecordedAt).Scan(&d.Seq).Error
	if err != nil {
		return translate(err, "quyết định tố tụng")
	}
	return s.recordChange(ctx, domain.Change{At: d.RecordedAt, CaseID: d.CaseID, Kind: domain.ChangeDecision, Op: "recorded", EntityID: d.ID, Status: string(d.Step)})
}

type accusedRow struct {
	ID          string     `gorm:"column:id"`
	CaseID      string     `gorm:"column:case_id"`
	FullName    string     `gorm:"column:full_name"`
	NationalID  string     `gorm:"column:national_id"`
	BirthDate   *time.Time `gorm:"column:birth_date"`
	Gender      string     `gorm:"column:gender"`
	Address     string     `gorm:"column:address"`
	OffenceDate time.Time  `gorm:"column:offence_date"`
	Status      string     `gorm:"column:status"`
	DecisionID  *string    `gorm:"column:decision_id"`
	Version     int        `gorm:"column:version"`
	CreatedAt   time.Time  `gorm:"column:created_at"`
}

type chargeRow struct {
	ID          string    `gorm:"column:id"`
	AccusedID   string    `gorm:"column:accused_id"`
	Article     string    `gorm:"column:article"`
	Clause      int       `gorm:"column:clause"`
	Point       string    `gorm:"column:point"`
	Title       string    `gorm:"column:title"`
	Class       string    `gorm:"column:class"`
	OffenceDate time.Time `gorm:"column:offence_date"`
	DecisionID  string    `gorm:"column:decision_id"`
	EndedBy     *string   `gorm:"column:ended_by"`
	Proposed    bool      `gorm:"column:proposed"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

type measureRow struct {
	ID          string     `gorm:"column:id"`
	CaseID      string     `gorm:"column:case_id"`
	AccusedID   string     `gorm:"column:accused_id"`
	Kind        string     `gorm:"column:kind"`
	Stage       string     `gorm:"column:stage"`
	StartAt     time.Time  `gorm:"column:start_at"`
	OrderedEnd  *time.Time `gorm:"column:ordered_end"`
	ExtendsID   *string    `gorm:"column:extends_id"`
	ExtensionNo int        `gorm:"column:extension_no"`
	DecisionID  string     `gorm:"column:decision_id"`
	Status      string     `gorm:"column:status"`
	EndedAt     *time.Time `gorm:"column:ended_at"`
	EndedBy     *string    `gorm:"column:ended_by"`
	CreatedAt   time.Time  `gorm:"column:created_at"`
}

func (r accusedRow) toDomain() domain.Accused {
	return domain.Accused{ID: r.ID, CaseID: r.CaseID, FullName: r.FullName, NationalID: r.NationalID, BirthDate: optFromSQLDate(r.BirthDate),
		Gender: r.Gender, Address: r.Address, OffenceDate: fromSQLDate(r.OffenceDate), Status: domain.AccusedStatus(r.Status),
		DecisionID: deref(r.DecisionID), Version: r.Version, CreatedAt: r.CreatedAt}
}

// ListAccused returns a case's accused in the order they were recorded, with their charges and
// measures: three indexed queries, whatever the number of accused.
func (s *Store) ListAccused(ctx context.Context, caseID string) ([]domain.Accused, error) {
	return s.loadAccused(ctx, "a.case_id = ?", caseID)
}

// GetAccused loads one accused with charges and measures.
func (s *Store) GetAccused(ctx context.Context, id string) (domain.Accused, error) {
	as, err := s.loadAccused(ctx, "a.id = ?", id)
	if err != nil {
		return domain.Accused{}, err
	}
	if len(as) == 0 {
		return domain.Accused{}, domain.NotFound("bị can")
	}
	return as[0], nil
}

func (s *Store) loadAccused(ctx context.Context, where string, arg any) ([]domain.Accused, error) {
	db := s.conn(ctx)
	var rows []accusedRow
	if err := db.Raw("SELECT a.* FROM accused a WHERE "+where+" ORDER BY a.created_at, a.id", arg).Scan(&rows).Error; err != nil {
		return nil, translate(err, "bị can")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]domain.Accused, len(rows))
	ids := make([]string, len(rows))
	index := map[string]int{}
	for i, r := range rows {
		out[i] = r.toDomain()
		ids[i] = r.ID
		index[r.ID] = i
	}
	var charges []chargeRow
	if err := db.Raw("SELECT * FROM charges WHERE accused_id = ANY(?::uuid[]) ORDER BY created_at, id", uuidArray(ids)).Scan(&charges).Error; err != nil {
		return nil, translate(err, "tội danh")
	}
	for _, c := range charges {
		a := &out[index[c.AccusedID]]
		a.Charges = append(a.Charges, domain.Charge{ID: c.ID, AccusedID: c.AccusedID, Article: c.Article, Clause: c.Clause, Point: c.Point,
			Title: c.Title, Class: domain.SeverityClass(c.Class), OffenceDate: fromSQLDate(c.OffenceDate), DecisionID: c.DecisionID,
			EndedByID: deref(c.EndedBy), Proposed: c.Proposed, CreatedAt: c.CreatedAt})
	}
	var measures []measureRow
	if err := db.Raw("SELECT * FROM measures WHERE accused_id = ANY(?::uuid[]) ORDER BY start_at, created_at, id", uuidArray(ids)).Scan(&measures).Error; err != nil {
		return nil, translate(err, "biện pháp ngăn chặn")
	}
	for _, m := range measures {
		a := &out[index[m.AccusedID]]
		a.Measures = append(a.Measures, domain.Measure{ID: m.ID, CaseID: m.CaseID, AccusedID: m.AccusedID, Kind: domain.MeasureKind(m.Kind),
			Stage: domain.MeasureStage(m.Stage), StartAt: m.StartAt, OrderedEnd: optFromSQLDate(m.OrderedEnd), ExtendsID: deref(m.ExtendsID),
			ExtensionNo: m.ExtensionNo, DecisionID: m.DecisionID, Status: domain.MeasureStatus(m.Status), EndedAt: m.EndedAt,
			EndedByID: deref(m.EndedBy), CreatedAt: m.CreatedAt})
	}
	return out, nil
}

// InsertAccused records an accused person.
func (s *Store) InsertAccused(ctx context.Context, a domain.Accused) error {
	err := s.conn(ctx).Exec(`INSERT INTO accused (id, case_id, full_name, national_id, birth_date, gender, address, offence_date, status,
		decision_id, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?::date, ?, ?, ?::date, ?, ?, 1, ?, ?)`,
		a.ID, a.CaseID, a.FullName, a.NationalID, optSQLDate(a.BirthDate), a.Gender, a.Address, sqlDate(a.OffenceDate), string(a.Status),
		nullStr(a.DecisionID), a.CreatedAt, a.CreatedAt).Error
	return translate(err, "bị can")
}

// SetAccusedStatus moves an accused to a status; the service decides which, from the table.
func (s *Store) SetAccusedStatus(ctx context.Context, id string, st domain.AccusedStatus, now time.Time) error {
	res := s.conn(ctx).Exec("UPDATE accused SET status = ?, version = version + 1, updated_at = ? WHERE id = ?", string(st), now, id)
	if res.Error != nil {
		return translate(res.Error, "bị can")
	}
	if res.RowsAffected != 1 {
		return domain.NotFound("bị can")
	}
	return nil
}

// MoveAccused moves accused and their measures to another case; charges follow the accused.
func (s *Store) MoveAccused(ctx context.Context, ids []string, caseID string, now time.Time) error {
	db := s.conn(ctx)
	res := db.Exec("UPDATE accused SET case_id = ?, version = version + 1, updated_at = ? WHERE id = ANY(?::uuid[])", caseID, now, uuidArray(ids))
	if res.Error != nil {
		return translate(res.Error, "bị can")
	}
	if int(res.RowsAffected) != len(ids) {
		return domain.NotFound("bị can")
	}
	return translate(db.Exec("UPDATE measures SET case_id = ? WHERE accused_id = ANY(?::uuid[])", caseID, uuidArray(ids)).Error, "biện pháp ngăn chặn")
}

// InsertCharges records charges in one statement.
func (s *Store) InsertCharges(ctx context.Context, cs []domain.Charge) error {
	if len(cs) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, len(cs)*11)
	b.WriteString("INSERT INTO charges (id, accused_id, article, clause, point, title, class, offence_date, decision_id, proposed, created_at) VALUES ")
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?::date, ?, ?, ?)")
		args = append(args, c.ID, c.AccusedID, c.Article, c.Clause, c.Point, c.Title, string(c.Class), sqlDate(c.OffenceDate), c.DecisionID, c.Proposed, c.CreatedAt)
	}
	return translate(s.conn(ctx).Exec(b.String(), args...).Error, "tội danh")
}

// EndCharges ends an accused's standing charges, except those a given decision brought.
func (s *Store) EndCharges(ctx context.Context, accusedID, endedBy, keepDecision string) error {
	return translate(s.conn(ctx).Exec(`UPDATE charges SET ended_by = ? WHERE accused_id = ? AND ended_by IS NULL AND NOT proposed AND decision_id <> ?`,
		endedBy, accusedID, keepDecision).Error, "tội danh")
}

// SettleProposedCharges activates or ends the charges a pending decision proposed.
func (s *Store) SettleProposedCharges(ctx context.Context, decisionID string, approve bool, by string) error {
	if approve {
		return translate(s.conn(ctx).Exec("UPDATE charges SET proposed = false WHERE decision_id = ? AND proposed", decisionID).Error, "tội danh")
	}
	return translate(s.conn(ctx).Exec("UPDATE charges SET ended_by = ? WHERE decision_id = ? AND proposed", by, decisionID).Error, "tội danh")
}

// InsertMeasure records a preventive measure.
func (s *Store) InsertMeasure(ctx context.Context, m domain.Measure) error {
	err := s.conn(ctx).Exec(`INSERT INTO measures (id, case_id, accused_id, kind, stage, start_at, ordered_end, extends_id, extension_no,
		decision_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?::date, ?, ?, ?, ?, ?)`,
		m.ID, m.CaseID, m.AccusedID, string(m.Kind), string(m.Stage), m.StartAt, optSQLDate(m.OrderedEnd), nullStr(m.ExtendsID), m.ExtensionNo,
		m.DecisionID, string(m.Status), m.CreatedAt).Error
	return translate(err, "biện pháp ngăn chặn")
}

// SetMeasureStatus moves a measure to a status; an end records when and by which decision.
func (s *Store) SetMeasureStatus(ctx context.Context, id string, st domain.MeasureStatus, endedAt *time.Time, endedBy string) error {
	res := s.conn(ctx).Exec("UPDATE measures SET status = ?, ended_at = coalesce(?, ended_at), ended_by = coalesce(?, ended_by) WHERE id = ?",
		string(st), endedAt, nullStr(endedBy), id)
	if res.Error != nil {
		return translate(res.Error, "biện pháp ngăn chặn")
	}
	if res.RowsAffected != 1 {
		return domain.NotFound("biện pháp ngăn chặn")
	}
	return nil
}

// AdvanceCase applies a step's changes to the case row as one conditional UPDATE: it touches
// exactly one row or the case changed under the caller (409).
func (s *Store) AdvanceCase(ctx context.Context, id string, version int, a service.CaseAdvance, now time.Time) error {
	sets := []string{"version = version + 1", "updated_at = ?", "stage = ?"}
	args := []any{now, string(a.Stage)}
	if a.Kind != nil {
		sets, args = append(sets, "kind = ?"), append(args, string(*a.Kind))
	}
	if a.Seq != nil {
		sets, args = append(sets, "seq = ?"), append(args, *a.Seq)
	}
	if a.Number != nil {
		sets, args = append(sets, "number = ?"), append(args, *a.Number)
	}
	if a.ReportNumber != nil {
		sets, args = append(sets, "report_number = ?"), append(args, *a.ReportNumber)
	}
	if a.SummaryProcedure != nil {
		sets, args = append(sets, "summary_procedure = ?"), append(args, *a.SummaryProcedure)
	}
	if a.UnitID != nil {
		sets, args = append(sets, "unit_id = ?"), append(args, *a.UnitID)
	}
	if a.JoinedInto != nil {
		sets, args = append(sets, "joined_into = ?"), append(args, *a.JoinedInto)
	}
	args = append(args, id, version)
	res := s.conn(ctx).Exec("UPDATE cases SET "+strings.Join(sets, ", ")+" WHERE id = ? AND version = ?", args...)
	if res.Error != nil {
		return translate(res.Error, "hồ sơ")
	}
	if err := s.oneRow(ctx, res, id); err != nil {
		return err
	}
	return s.recordChange(ctx, domain.Change{At: now, CaseID: id, Kind: domain.ChangeCase, Op: "stage", EntityID: id, Status: string(a.Stage)})
}

// RecordFormerUnit remembers that a unit handled a case, under the given number of its
// register, until a transfer.
func (s *Store) RecordFormerUnit(ctx context.Context, caseID string, unitID int64, number, decisionID string, at time.Time) error {
	return translate(s.conn(ctx).Exec("INSERT INTO case_unit_history (case_id, unit_id, number, until, decision_id) VALUES (?, ?, ?, ?, ?)",
		caseID, unitID, number, at, decisionID).Error, "lịch sử đơn vị thụ lý")
}

// EndTeam ends every current assignment of a case (the receiving unit assigns its own team).
func (s *Store) EndTeam(ctx context.Context, caseID, by string, at time.Time) error {
	res := s.conn(ctx).Exec("UPDATE case_assignments SET ended_at = ?, ended_by = ? WHERE case_id = ? AND ended_at IS NULL", at, by, caseID)
	if res.Error != nil || res.RowsAffected == 0 {
		return translate(res.Error, "phân công")
	}
	return s.recordChange(ctx, domain.Change{At: at, CaseID: caseID, Kind: domain.ChangeCase, Op: "team", EntityID: caseID})
}

// ListPendingApprovals lists decisions awaiting approval on cases in scope, oldest first.
func (s *Store) ListPendingApprovals(ctx context.Context, scope domain.Scope, f service.ApprovalFilter) ([]service.PendingApproval, int64, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	conds := []string{where, "d.requires_approval", "NOT EXISTS (SELECT 1 FROM case_decisions x WHERE x.decides_id = d.id)"}
	if f.UnitID != nil {
		cond, arg, err := s.unitFilter(ctx, *f.UnitID, f.IncludeSubunits)
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	from := " FROM case_decisions d JOIN cases c ON c.id = d.case_id JOIN units u ON u.id = c.unit_id WHERE " + strings.Join(conds, " AND ")
	db := s.conn(ctx)
	var total int64
	if err := db.Raw("SELECT count(*)"+from, args...).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, "quyết định chờ phê chuẩn")
	}
	var rows []decisionRow
	args = append(args, f.Limit, f.Offset)
	if err := db.Raw(decisionSelect+", c.number AS case_number, c.code AS case_code, u.code AS unit_code"+from+" ORDER BY d.recorded_at, d.id LIMIT ? OFFSET ?", args...).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "quyết định chờ phê chuẩn")
	}
	out := make([]service.PendingApproval, len(rows))
	for i, r := range rows {
		out[i] = service.PendingApproval{Decision: r.toDomain(), CaseNumber: r.CaseNumber, CaseCode: r.CaseCode, UnitID: r.UnitID, UnitCode: r.UnitCode}
	}
	return out, total, nil
}
