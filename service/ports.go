package service

import (
	"context"
	"time"

	"kiemsat/domain"
)

// Clock gives the current time. Every rule takes time from here so that tests never sleep and
// never depend on the day they run.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// TxRunner runs fn in one database transaction; stores called with the ctx it passes join that
// transaction. Audit rows recorded inside are written just before commit, so they commit with
// the change they describe, or not at all.
type TxRunner interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Auditor appends rows to the hash-chained audit log. Inside WithinTx the row joins the
// transaction; outside it, it is written at once in a transaction of its own.
type Auditor interface {
	Record(ctx context.Context, e domain.AuditEntry) error
}

// Policy answers whether a role may take an action at a scope kind, and under which condition.
// It is backed by casbin over the role_permissions table.
type Policy interface {
	Allowed(role domain.Role, act domain.Action, scope domain.ScopeKind) (bool, domain.Condition)
}

// UnitStore keeps the organisation tree.
type UnitStore interface {
	GetUnit(ctx context.Context, id int64) (domain.Unit, error)
	GetUnitByCode(ctx context.Context, code string) (domain.Unit, error)
	ListUnits(ctx context.Context) ([]domain.Unit, error)
	CreateUnit(ctx context.Context, in domain.UnitInput, now time.Time) (domain.Unit, error)
	UpdateUnit(ctx context.Context, id int64, p domain.UnitPatch, now time.Time) (domain.Unit, error)
}

// UserFilter narrows the user list.
type UserFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	Text            string
	Limit, Offset   int
}

// UserPage is a page of users with the total in scope.
type UserPage struct {
	Items []domain.User
	Total int64
}

// Credentials is a user with the secret needed to check a login.
type Credentials struct {
	User         domain.User
	PasswordHash string
}

// UserStore keeps users and their grants.
type UserStore interface {
	GetUser(ctx context.Context, id string) (domain.User, error)
	GetCredentials(ctx context.Context, username string) (Credentials, error)
	CreateUser(ctx context.Context, u domain.User, passwordHash string) error
	UpdateUser(ctx context.Context, id string, p domain.UserPatch, now time.Time) (domain.User, error)
	ListUsers(ctx context.Context, scope domain.Scope, f UserFilter) (UserPage, error)
	SetPassword(ctx context.Context, id, hash string, mustChange bool, now time.Time) error
	// RecordLoginFailure increments the failure count and returns it; lockUntil is set when
	// the caller decides the account is now locked.
	RecordLoginFailure(ctx context.Context, id string, lockAfter int, lockFor time.Duration, now time.Time) (failures int, lockedUntil *time.Time, err error)
	ResetLoginFailures(ctx context.Context, id string) error
	GrantsOf(ctx context.Context, userID string) ([]domain.Grant, error)
	GetGrant(ctx context.Context, id string) (domain.Grant, error)
	AddGrant(ctx context.Context, g domain.Grant) (domain.Grant, error)
	DeleteGrant(ctx context.Context, id string) error
}

// RefreshToken is a stored refresh token; only its hash is kept.
type RefreshToken struct {
	ID         string
	UserID     string
	FamilyID   string
	TokenHash  []byte
	IssuedAt   time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
	RevokedAt  *time.Time
	UserAgent  string
	RemoteAddr string
}

// TokenStore keeps refresh tokens and login throttling counters.
type TokenStore interface {
	InsertRefresh(ctx context.Context, t RefreshToken) error
	GetRefreshByHash(ctx context.Context, hash []byte) (RefreshToken, error)
	// MarkRefreshUsed spends a token; false means it was already spent or revoked (a reuse).
	MarkRefreshUsed(ctx context.Context, id string, at time.Time) (bool, error)
	RevokeFamily(ctx context.Context, familyID string, at time.Time) error
	RevokeUserTokens(ctx context.Context, userID string, at time.Time) error
	// AddressFailures counts a failed login from key within a fixed window and returns the
	// count so far; CheckAddress returns it without counting.
	AddressFailure(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	AddressFailures(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error)
}

// CaseStore keeps the case registry.
type CaseStore interface {
	NextCaseSeq(ctx context.Context, unitID int64, year int, kind domain.CaseKind) (int, error)
	InsertCase(ctx context.Context, cs *domain.Case) error
	// GetCase loads a case with its parties, its unit's path and its whole team history.
	GetCase(ctx context.Context, id string) (*domain.Case, error)
	// GetCaseWithTeam loads a case with its team only, for the deadline engine.
	GetCaseWithTeam(ctx context.Context, id string) (*domain.Case, error)
	// UpdateCase applies a patch if and only if the stored version equals p.Version.
	UpdateCase(ctx context.Context, id string, p domain.CasePatch, now time.Time) error
	ListCases(ctx context.Context, scope domain.Scope, f domain.CaseFilter) (domain.CasePage, error)
	InsertAssignment(ctx context.Context, a domain.Assignment) error
	EndAssignment(ctx context.Context, id string, by string, at time.Time) error
	// TouchCase bumps a case's version, so a concurrent edit of the same version conflicts.
	TouchCase(ctx context.Context, id string, version int, now time.Time) error
	// FindDuplicates returns at most limit records in scope that a new registration may repeat: a
	// party holds one of nationalIDs, or (summary not empty) the summary is similar to that of a
	// record of unitID's subtree received since since. See domain.DuplicateHint.
	FindDuplicates(ctx context.Context, scope domain.Scope, nationalIDs []string, summary string, unitID int64, since time.Time, limit int) ([]domain.DuplicateHint, error)
}

// AuditStore reads the audit log and verifies its chain.
type AuditStore interface {
	ListAudit(ctx context.Context, scope domain.Scope, f domain.AuditFilter) (domain.AuditPage, error)
	VerifyAudit(ctx context.Context) (domain.AuditVerifyReport, error)
}

// AccessClaims is what an access token asserts.
type AccessClaims struct {
	UserID string
	// PasswordEpoch is the user's password change time (Unix seconds) when the token was issued;
	// a later password change makes the token stale.
	PasswordEpoch      int64
	MustChangePassword bool
	ExpiresAt          time.Time
	// ClientID and Scopes are set on a service client's token: it acts only within Scopes.
	ClientID string
	Scopes   []string
}

// AccessTokens issues short-lived access tokens. The api package implements it with JWT.
type AccessTokens interface {
	Issue(c AccessClaims, now time.Time) (token string, err error)
	TTL() time.Duration
}

// CaseAdvance is what a procedural step changes on the case row itself; nil fields stay. It is
// applied only if the case is still at the version the caller read.
type CaseAdvance struct {
	Stage            domain.Stage
	Kind             *domain.CaseKind
	Seq              *int
	Number           *string
	ReportNumber     *string
	SummaryProcedure *bool
	UnitID           *int64
	JoinedInto       *string
}

// ApprovalFilter narrows the list of decisions awaiting the procuracy's approval.
type ApprovalFilter struct {
	UnitID          *int64
	IncludeSubunits bool
	Limit           int
	Offset          int
}

// PendingApproval is a decision awaiting approval, with the case it belongs to.
type PendingApproval struct {
	Decision   domain.Decision
	CaseNumber string
	CaseCode   string
	UnitID     int64
	UnitCode   string
}

// ProcedureStore keeps procedural decisions, accused persons, their charges and measures.
type ProcedureStore interface {
	// LockCase locks a case row until the transaction ends (SELECT … FOR UPDATE).
	LockCase(ctx context.Context, caseID string) error
	ListDecisions(ctx context.Context, caseID string) ([]domain.Decision, error)
	GetDecision(ctx context.Context, id string) (domain.Decision, error)
	// InsertDecision appends a decision; its Seq is the case's next one. The caller holds the
	// case row (AdvanceCase first), so numbering is race-free.
	InsertDecision(ctx context.Context, d *domain.Decision) error
	ListAccused(ctx context.Context, caseID string) ([]domain.Accused, error)
	GetAccused(ctx context.Context, id string) (domain.Accused, error)
	InsertAccused(ctx context.Context, a domain.Accused) error
	SetAccusedStatus(ctx context.Context, id string, st domain.AccusedStatus, now time.Time) error
	// MoveAccused moves accused, with their measures, to another case (tách vụ án).
	MoveAccused(ctx context.Context, ids []string, caseID string, now time.Time) error
	InsertCharges(ctx context.Context, cs []domain.Charge) error
	// EndCharges ends every standing charge of an accused except those brought by keepDecision.
	EndCharges(ctx context.Context, accusedID, endedBy, keepDecision string) error
	// SettleProposedCharges activates (approve) or ends (otherwise) the charges a pending
	// decision proposed.
	SettleProposedCharges(ctx context.Context, decisionID string, approve bool, by string) error
	InsertMeasure(ctx context.Context, m domain.Measure) error
	SetMeasureStatus(ctx context.Context, id string, st domain.MeasureStatus, endedAt *time.Time, endedBy string) error
	AdvanceCase(ctx context.Context, id string, version int, a CaseAdvance, now time.Time) error
	RecordFormerUnit(ctx context.Context, caseID string, unitID int64, number, decisionID string, at time.Time) error
	EndTeam(ctx context.Context, caseID, by string, at time.Time) error
	ListPendingApprovals(ctx context.Context, scope domain.Scope, f ApprovalFilter) ([]PendingApproval, int64, error)
}

// CalendarStore keeps the legal calendar: the dated holidays, days off and make-up working
// Saturdays the deadline engine counts by.
type CalendarStore interface {
	// ListCalendar returns the entries of one year (every entry when year is 0), by date.
	ListCalendar(ctx context.Context, year int) ([]domain.CalendarDay, error)
	// PutCalendarDay writes the entry of a date, replacing any, and reports whether it is new.
	PutCalendarDay(ctx context.Context, d domain.CalendarDay, by string, now time.Time) (created bool, err error)
	// DeleteCalendarDay withdraws the entry of a date (kept, so a sync does not restore it); a date
	// without an entry in force is not found.
	DeleteCalendarDay(ctx context.Context, date time.Time, by string, now time.Time) error
}
