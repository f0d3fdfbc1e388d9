package repository

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"kiemsat/domain"
)

type caseRow struct {
	ID              string    `gorm:"column:id;primaryKey"`
	Kind            string    `gorm:"column:kind"`
	Number          string    `gorm:"column:number"`
	Seq             int       `gorm:"column:seq"`
	Year            int       `gorm:"column:year"`
	Code            string    `gorm:"column:code"`
	UnitID          int64     `gorm:"column:unit_id"`
	Stage           string    `gorm:"column:stage"`
	ReceivedAt      time.Time `gorm:"column:received_at"`
	Channel         string    `gorm:"column:channel"`
	SourceType      string    `gorm:"column:source_type"`
	Summary         string    `gorm:"column:summary"`
	ReporterName    string    `gorm:"column:reporter_name"`
	ReporterKind    string    `gorm:"column:reporter_kind"`
	ReporterContact string    `gorm:"column:reporter_contact"`
	OffenceArticle  *int      `gorm:"column:offence_article"`
	OffenceClause   *int      `gorm:"column:offence_clause"`
	OffencePoint    string    `gorm:"column:offence_point"`
	Secret          bool      `gorm:"column:secret"`
	Version         int       `gorm:"column:version"`
	CreatedBy       string    `gorm:"column:created_by"`
	CreatedAt       time.Time `gorm:"column:created_at"`
	UpdatedAt       time.Time `gorm:"column:updated_at"`
	ReportNumber    string    `gorm:"column:report_number"`
	SummaryProc     bool      `gorm:"column:summary_procedure"`
	JoinedInto      *string   `gorm:"column:joined_into"`
	SplitFrom       *string   `gorm:"column:split_from"`
	PublicInterest  bool      `gorm:"column:public_interest"`
	// From the join with units; not columns of cases.
	UnitPath string `gorm:"column:unit_path;->"`
	UnitCode string `gorm:"column:unit_code;->"`
}

func (caseRow) TableName() string { return "cases" }

func (r caseRow) toDomain() domain.Case {
	cs := domain.Case{ID: r.ID, Kind: domain.CaseKind(r.Kind), Number: r.Number, Seq: r.Seq, Year: r.Year, Code: r.Code, UnitID: r.UnitID,
		UnitPath: domain.UnitPath(r.UnitPath), UnitCode: r.UnitCode, Stage: domain.Stage(r.Stage), ReceivedAt: r.ReceivedAt,
		Channel: domain.Channel(r.Channel), SourceType: domain.SourceType(r.SourceType), Summary: r.Summary, ReporterName: r.ReporterName,
		ReporterKind: domain.ReporterKind(r.ReporterKind), ReporterContact: r.ReporterContact, Secret: r.Secret, Version: r.Version,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ReportNumber: r.ReportNumber, SummaryProcedure: r.SummaryProc,
		PublicInterest: r.PublicInterest}
	if r.JoinedInto != nil {
		cs.JoinedInto = *r.JoinedInto
	}
	if r.SplitFrom != nil {
		cs.SplitFrom = *r.SplitFrom
	}
	if r.OffenceArticle != nil {
		cs.Offence = &domain.Offence{Article: *r.OffenceArticle, Point: r.OffencePoint}
		if r.OffenceClause != nil {
			cs.Offence.Clause = *r.OffenceClause
		}
	}
	return cs
}

func offenceColumns(o *domain.Offence) (article, clause *int, point string) {
	if o == nil {
		return nil, nil, ""
	}
	a := o.Article
	article = &a
	if o.Clause > 0 {
		c := o.Clause
		clause = &c
	}
	return article, clause, o.Point
}

type partyRow struct {
	ID         string     `gorm:"column:id"`
	CaseID     string     `gorm:"column:case_id"`
	Role       string     `gorm:"column:role"`
	FullName   string     `gorm:"column:full_name"`
	NationalID string     `gorm:"column:national_id"`
	BirthDate  *time.Time `gorm:"column:birth_date"`
	Gender     string     `gorm:"column:gender"`
	Address    string     `gorm:"column:address"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
}

func (partyRow) TableName() string { return "case_parties" }

type assignmentRow struct {
	ID         string     `gorm:"column:id"`
	CaseID     string     `gorm:"column:case_id"`
	UserID     string     `gorm:"column:user_id"`
	Role       string     `gorm:"column:role"`
	AssignedBy string     `gorm:"column:assigned_by"`
	AssignedAt time.Time  `gorm:"column:assigned_at"`
	Note       string     `gorm:"column:note"`
	EndedAt    *time.Time `gorm:"column:ended_at"`
	EndedBy    *string    `gorm:"column:ended_by"`
	UserName   string     `gorm:"column:user_name;->"`
}

func (assignmentRow) TableName() string { return "case_assignments" }

// NextCaseSeq takes the next number of a unit, year and kind. The upsert holds the counter row's
// lock until the transaction ends, so two registrations never get the same number and a
// rolled-back registration gives its number back.
func (s *Store) NextCaseSeq(ctx context.Context, unitID int64, year int, kind domain.CaseKind) (int, error) {
	var n int
	err := s.conn(ctx).Raw(`INSERT INTO case_counters (unit_id, year, kind, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (unit_id, year, kind) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, unitID, year, string(kind)).Scan(&n).Error
	return n, translate(err, "số hồ sơ")
}

// InsertCase inserts a case and its parties.
func (s *Store) InsertCase(ctx context.Context, cs *domain.Case) error {
	art, cl, pt := offenceColumns(cs.Offence)
	r := caseRow{ID: cs.ID, Kind: string(cs.Kind), Number: cs.Number, Seq: cs.Seq, Year: cs.Year, Code: cs.Code, UnitID: cs.UnitID,
		Stage: string(cs.Stage), ReceivedAt: cs.ReceivedAt, Channel: string(cs.Channel), SourceType: string(cs.SourceType), Summary: cs.Summary,
		ReporterName: cs.ReporterName, ReporterKind: string(cs.ReporterKind), ReporterContact: cs.ReporterContact,
		OffenceArticle: art, OffenceClause: cl, OffencePoint: pt, Secret: cs.Secret, Version: cs.Version, CreatedBy: cs.CreatedBy,
		CreatedAt: cs.CreatedAt, UpdatedAt: cs.UpdatedAt, SummaryProc: cs.SummaryProcedure, PublicInterest: cs.PublicInterest}
	if cs.SplitFrom != "" {
		r.SplitFrom = &cs.SplitFrom
	}
	db := s.conn(ctx)
	if err := db.Create(&r).Error; err != nil {
		return translate(err, "hồ sơ")
	}
	if err := s.recordChange(ctx, domain.Change{At: cs.CreatedAt, CaseID: cs.ID, Kind: domain.ChangeCase, Op: "created", EntityID: cs.ID}); err != nil {
		return err
	}
	if len(cs.Parties) == 0 {
		return nil
	}
	rows := make([]partyRow, len(cs.Parties))
	for i, p := range cs.Parties {
		rows[i] = partyRow{ID: p.ID, CaseID: cs.ID, Role: string(p.Role), FullName: p.FullName, NationalID: p.NationalID, BirthDate: p.BirthDate,
			Gender: p.Gender, Address: p.Address, CreatedAt: cs.CreatedAt}
	}
	return translate(db.Create(&rows).Error, "người tham gia tố tụng")
}

const caseSelect = `SELECT c.*, u.path::text AS unit_path, u.code AS unit_code FROM cases c JOIN units u ON u.id = c.unit_id `

// GetCaseWithTeam loads a case with its team but without its parties or former units: what the
// deadline engine needs, in two statements with the lead prosecutor read in the first.
func (s *Store) GetCaseWithTeam(ctx context.Context, id string) (*domain.Case, error) {
	db := s.conn(ctx)
	var r caseRow
	if err := db.Raw(caseSelect+"WHERE c.id = ?", id).Take(&r).Error; err != nil {
		return nil, translate(err, "hồ sơ")
	}
	cs := r.toDomain()
	var team []assignmentRow
	if err := db.Raw(`SELECT a.* FROM case_assignments a WHERE a.case_id = ? ORDER BY a.assigned_at, a.id`, id).Scan(&team).Error; err != nil {
		return nil, translate(err, "phân công")
	}
	for _, a := range team {
		cs.Team = append(cs.Team, domain.Assignment{ID: a.ID, CaseID: a.CaseID, UserID: a.UserID, Role: domain.AssignmentRole(a.Role),
			AssignedAt: a.AssignedAt, EndedAt: a.EndedAt})
	}
	return &cs, nil
}

// GetCase loads a case with its parties and its whole team history.
func (s *Store) GetCase(ctx context.Context, id string) (*domain.Case, error) {
	db := s.conn(ctx)
	var r caseRow
	if err := db.Raw(caseSelect+"WHERE c.id = ?", id).Take(&r).Error; err != nil {
		return nil, translate(err, "hồ sơ")
	}
	cs := r.toDomain()
	var parties []partyRow
	if err := db.Where("case_id = ?", id).Order("created_at, id").Find(&parties).Error; err != nil {
		return nil, translate(err, "người tham gia tố tụng")
	}
	for _, p := range parties {
		cs.Parties = append(cs.Parties, domain.Party{ID: p.ID, Role: domain.PartyRole(p.Role), FullName: p.FullName, NationalID: p.NationalID,
			BirthDate: p.BirthDate, Gender: p.Gender, Address: p.Address})
	}
	var team []assignmentRow
	if err := db.Raw(`SELECT a.*, us.full_name AS user_name FROM case_assignments a JOIN users us ON us.id = a.user_id
		WHERE a.case_id = ? ORDER BY a.assigned_at, a.id`, id).Scan(&team).Error; err != nil {
		return nil, translate(err, "phân công")
	}
	for _, a := range team {
		as := domain.Assignment{ID: a.ID, CaseID: a.CaseID, UserID: a.UserID, UserName: a.UserName, Role: domain.AssignmentRole(a.Role),
			AssignedBy: a.AssignedBy, AssignedAt: a.AssignedAt, Note: a.Note, EndedAt: a.EndedAt}
		if a.EndedBy != nil {
			as.EndedBy = *a.EndedBy
		}
		cs.Team = append(cs.Team, as)
	}
	var former []struct {
		ID   int64
		Path string
	}
	if err := db.Raw(`SELECT DISTINCT u.id, u.path::text AS path FROM case_unit_history h JOIN units u ON u.id = h.unit_id
		WHERE h.case_id = ? AND h.unit_id <> ? ORDER BY u.id`, id, cs.UnitID).Scan(&former).Error; err != nil {
		return nil, translate(err, "đơn vị thụ lý trước")
	}
	for _, f := range former {
		cs.FormerUnits = append(cs.FormerUnits, domain.UnitRef{ID: f.ID, Path: domain.UnitPath(f.Path)})
	}
	return &cs, nil
}

// UpdateCase applies a patch as one conditional UPDATE that must touch exactly one row.
func (s *Store) UpdateCase(ctx context.Context, id string, p domain.CasePatch, now time.Time) error {
	sets := []string{"version = version + 1", "updated_at = ?"}
	args := []any{now}
	if p.Summary != nil {
		sets, args = append(sets, "summary = ?"), append(args, strings.TrimSpace(*p.Summary))
	}
	if p.Channel != nil {
		sets, args = append(sets, "channel = ?"), append(args, string(*p.Channel))
	}
	if p.ReceivedAt != nil {
		sets, args = append(sets, "received_at = ?"), append(args, *p.ReceivedAt)
	}
	if p.ReporterName != nil {
		sets, args = append(sets, "reporter_name = ?"), append(args, strings.TrimSpace(*p.ReporterName))
	}
	if p.ReporterContact != nil {
		sets, args = append(sets, "reporter_contact = ?"), append(args, *p.ReporterContact)
	}
	if p.Offence != nil {
		a, c, pt := offenceColumns(*p.Offence)
		sets, args = append(sets, "offence_article = ?", "offence_clause = ?", "offence_point = ?"), append(args, a, c, pt)
	}
	if p.Secret != nil {
		sets, args = append(sets, "secret = ?"), append(args, *p.Secret)
	}
	args = append(args, id, p.Version)
	res := s.conn(ctx).Exec("UPDATE cases SET "+strings.Join(sets, ", ")+" WHERE id = ? AND version = ?", args...)
	if res.Error != nil {
		return translate(res.Error, "hồ sơ")
	}
	if err := s.oneRow(ctx, res, id); err != nil {
		return err
	}
	return s.recordChange(ctx, domain.Change{At: now, CaseID: id, Kind: domain.ChangeCase, Op: "updated", EntityID: id})
}

// TouchCase bumps the version of a case read at the given version.
func (s *Store) TouchCase(ctx context.Context, id string, version int, now time.Time) error {
	res := s.conn(ctx).Exec("UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?", now, id, version)
	if res.Error != nil {
		return translate(res.Error, "hồ sơ")
	}
	return s.oneRow(ctx, res, id)
}

func (s *Store) oneRow(ctx context.Context, res *gorm.DB, id string) error {
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := s.conn(ctx).Raw("SELECT count(*) FROM cases WHERE id = ?", id).Scan(&n).Error; err != nil {
		return translate(err, "hồ sơ")
	}
	if n == 0 {
		return domain.NotFound("hồ sơ")
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "hồ sơ đã được người khác cập nhật; hãy tải lại và thử lại",
		Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
}

// InsertAssignment adds a team member.
func (s *Store) InsertAssignment(ctx context.Context, a domain.Assignment) error {
	r := assignmentRow{ID: a.ID, CaseID: a.CaseID, UserID: a.UserID, Role: string(a.Role), AssignedBy: a.AssignedBy, AssignedAt: a.AssignedAt, Note: a.Note}
	if err := s.conn(ctx).Omit("user_name", "ended_at", "ended_by").Create(&r).Error; err != nil {
		return translate(err, "phân công")
	}
	return s.recordChange(ctx, domain.Change{At: a.AssignedAt, CaseID: a.CaseID, Kind: domain.ChangeCase, Op: "team", EntityID: a.CaseID})
}

// EndAssignment closes an assignment; the row stays as history.
func (s *Store) EndAssignment(ctx context.Context, id, by string, at time.Time) error {
	var caseIDs []string
	res := s.conn(ctx).Raw("UPDATE case_assignments SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL RETURNING case_id::text", at, by, id).Scan(&caseIDs)
	if res.Error != nil {
		return translate(res.Error, "phân công")
	}
	if len(caseIDs) != 1 {
		return domain.Conflict("phân công đã kết thúc")
	}
	return s.recordChange(ctx, domain.Change{At: at, CaseID: caseIDs[0], Kind: domain.ChangeCase, Op: "team", EntityID: caseIDs[0]})
}

// caseScopeSQL renders a scope as a SQL condition over cases c. It is the same rule as
// domain.Scope.PermitsCase, stated set-wise:
//
//	(unit ∈ A AND (NOT secret OR unit ∈ S OR on team)) OR (unit ∈ B AND on team)
//
// where A are the units reached by unconditional entries, S the units whose secret cases those
// entries' holders may read, and B the units reached by "assigned only" entries.
func (s *Store) caseScopeSQL(ctx context.Context, scope domain.Scope) (string, []any, error) {
	return s.scopeSQL(ctx, scope, caseCols)
}

// scopeCols names the columns a scope condition reads: the case id, its unit and its secrecy.
// Tables that copy a case's unit and secrecy (case_clocks) are filtered by their own copies, so
// their lists are read from their own indexes.
type scopeCols struct{ id, unit, secret string }

var (
	caseCols  = scopeCols{id: "c.id", unit: "c.unit_id", secret: "c.secret"}
	clockCols = scopeCols{id: "k.case_id", unit: "k.unit_id", secret: "k.secret"}
)

// scopeParts are a scope's units: where every case may be read (any), where only the cases one is
// on the team of (assigned), where secret cases may be read too (secret), and the cases that left
// the any-units by transfer and stay readable (moved; read scopes only).
type scopeParts struct {
	any, assigned, secret []int64
	moved                 []string
}

func (s *Store) scopePartsOf(ctx context.Context, scope domain.Scope) (scopeParts, error) {
	var anyEntries, assignedEntries []domain.ScopeEntry
	var p scopeParts
	for _, e := range scope.Entries {
		if e.Cond == domain.CondAssigned {
			assignedEntries = append(assignedEntries, e)
			continue
		}
		anyEntries = append(anyEntries, e)
		if e.SecretUnit {
			p.secret = append(p.secret, e.UnitID)
		}
	}
	var err error
	if p.any, err = s.scopeUnitIDs(ctx, anyEntries); err != nil {
		return p, err
	}
	if p.assigned, err = s.scopeUnitIDs(ctx, assignedEntries); err != nil {
		return p, err
	}
	if len(p.any) > 0 && scope.Action == domain.ActCaseRead {
		// Units that handled a case before its transfer keep reading it (not secret ones). Transfers
		// out of the scope are rare, so their ids are fetched first and the clause is added only when
		// there are any: an OR over a correlated subquery would cost every list a scan of the whole
		// scope (measured: 3.3 → 13 ms per page at 20,000 cases).
		if err := s.conn(ctx).Raw(`SELECT DISTINCT h.case_id::text FROM case_unit_history h JOIN cases mc ON mc.id = h.case_id
			WHERE h.unit_id = ANY(?) AND NOT mc.unit_id = ANY(?) AND NOT mc.secret`, int64Array(p.any), int64Array(p.any)).Scan(&p.moved).Error; err != nil {
			return p, translate(err, "lịch sử đơn vị thụ lý")
		}
	}
	return p, nil
}

func (s *Store) scopeSQL(ctx context.Context, scope domain.Scope, col scopeCols) (string, []any, error) {
	p, err := s.scopePartsOf(ctx, scope)
	if err != nil {
		return "", nil, err
	}
	where, args := scopeSQLOf(p, scope, col)
	return where, args, nil
}

// scopeSQLOf renders scope parts already read as the condition scopeSQL gives.
func scopeSQLOf(p scopeParts, scope domain.Scope, col scopeCols) (string, []any) {
	onTeam := "EXISTS (SELECT 1 FROM case_assignments ca WHERE ca.case_id = " + col.id + " AND ca.user_id = ? AND ca.ended_at IS NULL)"
	var parts []string
	var args []any
	if len(p.any) > 0 {
		parts = append(parts, "("+col.unit+" = ANY(?) AND (NOT "+col.secret+" OR "+col.unit+" = ANY(?) OR "+onTeam+"))")
		args = append(args, int64Array(p.any), int64Array(p.secret), scope.UserID)
	}
	if len(p.assigned) > 0 {
		parts = append(parts, "("+col.unit+" = ANY(?) AND "+onTeam+")")
		args = append(args, int64Array(p.assigned), scope.UserID)
	}
	if len(p.moved) > 0 {
		parts = append(parts, "(NOT "+col.secret+" AND "+col.id+" = ANY(?::uuid[]))")
		args = append(args, uuidArray(p.moved))
	}
	if len(parts) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// governingClassSQL is the severity class of a case c exactly as service.GoverningClass computes
// it for the time limits and the timeline: the heaviest standing charge (not ended, not awaiting
// approval) of an accused still in the case, else the class the catalog gives the offence named at
// registration in the version in force on the day the record was received (Vietnam time), else
// the empty string (no class). It is computed live from charges (the class each charge took from
// the catalog, kept on the row) and penal_clauses (the catalog the binary classifies by), so it
// is right for every case at every moment.
//
// stat_facts (migration 00018) also carries a class per case, but not this one: its fallback takes
// the catalog's latest version of the clause rather than the one in force when the case was
// received, it is not refreshed when an administrator edits the catalog, a case's facts may carry
// other classes (an accused's own), and it is indexed by case only. The statistics'
// caseClassSQL has the same latest-version fallback. Both lookups here are by index: accused by
// case (accused_case_idx), charges by accused (charges_accused_idx), penal_clauses by its primary
// key (article, clause, effective_from); the exclusion constraint leaves at most one version in
// force on a day, so the second subquery yields one row at most. A page stops evaluating it once
// full; the count evaluates it for every case in scope (measured on 30,000 generated cases: about
// 0.9 s on a busy 2-CPU machine, against 0.5 s for a probe of stat_facts), so a class column kept
// per case by triggers would be the next step if wide class counts must be fast.
const governingClassSQL = `coalesce((SELECT ch.class FROM accused ax JOIN charges ch ON ch.accused_id = ax.id
	WHERE ax.case_id = c.id AND ax.status <> 'cancelled' AND ch.ended_by IS NULL AND NOT ch.proposed
	ORDER BY ` + classRank + ` DESC LIMIT 1),
	(SELECT pc.severity_class FROM penal_clauses pc WHERE pc.article = c.offence_article::text AND pc.clause = c.offence_clause
	AND pc.effective_from <= (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
	AND (pc.effective_to IS NULL OR pc.effective_to >= (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)), '')`

// ListCases returns one page of cases in scope, in the stable order (received_at DESC, id DESC),
// or (received_at ASC, id ASC) with f.Ascending, with the total matching the filter. Both orders
// are read from the same btree indexes (cases_received_idx, cases_unit_received_idx), scanned
// backward for the ascending one.
func (s *Store) ListCases(ctx context.Context, scope domain.Scope, f domain.CaseFilter) (domain.CasePage, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return domain.CasePage{}, err
	}
	conds := []string{where}
	if f.UnitID != nil {
		cond, arg, err := s.unitFilter(ctx, *f.UnitID, f.IncludeSubunits)
		if err != nil {
			return domain.CasePage{}, err
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	if f.Stage != nil {
		conds, args = append(conds, "c.stage = ?"), append(args, string(*f.Stage))
	}
	if f.Kind != nil {
		conds, args = append(conds, "c.kind = ?"), append(args, string(*f.Kind))
	}
	if f.ProsecutorID != nil {
		conds, args = append(conds, "EXISTS (SELECT 1 FROM case_assignments pa WHERE pa.case_id = c.id AND pa.user_id = ? AND pa.ended_at IS NULL)"), append(args, *f.ProsecutorID)
	}
	if f.ReceivedFrom != nil {
		conds, args = append(conds, "c.received_at >= ?"), append(args, *f.ReceivedFrom)
	}
	if f.ReceivedTo != nil {
		conds, args = append(conds, "c.received_at < ?"), append(args, *f.ReceivedTo)
	}
	if f.Class != nil {
		conds, args = append(conds, governingClassSQL+" = ?"), append(args, string(*f.Class))
	}
	factsUnit, factsArg := "", any(nil)
	if f.UnitID != nil {
		if factsUnit, factsArg, err = s.unitFilterOn(ctx, "f.unit_id", *f.UnitID, f.IncludeSubunits); err != nil {
			return domain.CasePage{}, err
		}
	}
	dc, da := drillDownConds(f, factsUnit, factsArg)
	conds, args = append(conds, dc...), append(args, da...)
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + escapeLike(t) + "%"
		// Summaries and names match without diacritics and case on both sides ("nguyen van duc"
		// finds "Nguyễn Văn Đức"), through the trigram indexes of migration 00022.
		conds = append(conds, `(c.number = ? OR c.code = ? OR lower(f_unaccent(c.summary)) LIKE lower(f_unaccent(?)) OR c.id IN (SELECT cp.case_id FROM case_parties cp WHERE lower(f_unaccent(cp.full_name)) LIKE lower(f_unaccent(?)) OR cp.national_id = ?))`)
		args = append(args, t, t, like, like, t)
	}
	db := s.conn(ctx)
	var page domain.CasePage
	whereSQL := strings.Join(conds, " AND ")
	if err := db.Raw("SELECT count(*) FROM cases c WHERE "+whereSQL, args...).Scan(&page.Total).Error; err != nil {
		return page, translate(err, "hồ sơ")
	}
	after, order := "<", "c.received_at DESC, c.id DESC"
	if f.Ascending {
		after, order = ">", "c.received_at ASC, c.id ASC"
	}
	if f.Cursor != nil {
		whereSQL += " AND (c.received_at, c.id) " + after + " (?, ?)"
		args = append(args, f.Cursor.ReceivedAt, f.Cursor.ID)
	}
	args = append(args, f.Limit)
	var rows []caseRow
	if err := db.Raw(caseSelect+"WHERE "+whereSQL+" ORDER BY "+order+" LIMIT ?", args...).Scan(&rows).Error; err != nil {
		return page, translate(err, "hồ sơ")
	}
	page.Items = make([]domain.Case, len(rows))
	for i, r := range rows {
		page.Items[i] = r.toDomain()
	}
	if len(rows) == f.Limit {
		last := rows[len(rows)-1]
		page.NextCursor = &domain.CaseCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}
	}
	return page, nil
}

// unitFilter narrows cases c to one unit or, with subunits, to its subtree.
func (s *Store) unitFilter(ctx context.Context, unitID int64, subunits bool) (string, any, error) {
	return s.unitFilterOn(ctx, "c.unit_id", unitID, subunits)
}

func (s *Store) unitFilterOn(ctx context.Context, column string, unitID int64, subunits bool) (string, any, error) {
	if !subunits {
		return column + " = ?", unitID, nil
	}
	ids, err := s.scopeUnitIDs(ctx, []domain.ScopeEntry{{UnitID: unitID, UnitPath: s.unitPathOf(ctx, unitID), Subtree: true}})
	if err != nil {
		return "", nil, err
	}
	return column + " = ANY(?)", int64Array(ids), nil
}

func (s *Store) unitPathOf(ctx context.Context, id int64) domain.UnitPath {
	u, err := s.GetUnit(ctx, id)
	if err != nil {
		return domain.UnitPath("-")
	}
	return u.Path
}
