package domain

// Action is something a person does that authorization decides on.
type Action string

// The actions. Every API route names one of these (or is public / needs only a login), and a test
// fails when a route has no rule.
const (
	ActCaseCreate     Action = "case.create"
	ActCaseRead       Action = "case.read"
	ActCaseUpdate     Action = "case.update"
	ActCaseAssign     Action = "case.assign"
	ActCaseReadSecret Action = "case.read_secret" // mật: only the team and the owning unit's chiefs
	ActCaseDecide     Action = "case.decide"      // record a procedural decision (ghi nhận quyết định tố tụng)
	ActCaseApprove    Action = "case.approve"     // approve a pending decision (phê chuẩn)
	ActUnitManage     Action = "unit.manage"
	ActUserRead       Action = "user.read"
	ActUserManage     Action = "user.manage"
	ActGrantManage    Action = "grant.manage"
	ActAuditRead      Action = "audit.read"
	// ActCalendarManage edits the legal calendar (lịch nghỉ lễ, Tết) the deadline engine counts
	// by. The calendar is national, so the grant's unit does not matter: any reach will do.
	ActCalendarManage Action = "calendar.manage"
	// ActAuthorityManage edits the authorities table (thẩm quyền theo cấp): which procuracy levels
	// grant extensions and approve decisions. National, like the calendar.
	ActAuthorityManage Action = "authority.manage"
	// ActFileReadConfidential reads confidential (mật) documents of a case file without being on
	// the case's team: the chiefs over the case's unit. Secret (tối mật) documents need
	// ActCaseReadSecret at the case's own unit instead.
	ActFileReadConfidential Action = "file.read_confidential"
)

// Actions lists every action, for documentation and the authorization matrix test.
var Actions = []Action{ActCaseCreate, ActCaseRead, ActCaseUpdate, ActCaseAssign, ActCaseReadSecret, ActCaseDecide, ActCaseApprove,
	ActUnitManage, ActUserRead, ActUserManage, ActGrantManage, ActAuditRead, ActCalendarManage, ActAuthorityManage, ActFileReadConfidential,
	ActInstructionIssue, ActInstructionRespond, ActFileRequestCreate, ActFileRequestAnswer, ActCaseMarkPublicInterest,
	ActHearingRead, ActHearingSchedule, ActStatisticsClose}

// ScopeKind says how far a permission reaches from the unit of the grant.
type ScopeKind string

// Scope kinds.
const (
	ScopeUnit    ScopeKind = "unit"    // the grant's unit only
	ScopeSubtree ScopeKind = "subtree" // the grant's unit and all units below it
)

// Condition narrows a permission further.
type Condition string

// Conditions.
const (
	CondAny      Condition = "any"
	CondAssigned Condition = "assigned" // only cases the user is on the team of
)

// ScopeEntry is one reach of one action, derived from one grant: "at unit U (and below, if
// Subtree), where Cond holds".
type ScopeEntry struct {
	Role     Role
	UnitID   int64
	UnitPath UnitPath
	Subtree  bool
	Cond     Condition
	// SecretUnit: the holder may also read secret (mật) cases of exactly this unit, as its chiefs may.
	SecretUnit bool
}

// Covers reports whether the entry reaches a unit, ignoring conditions.
func (e ScopeEntry) Covers(unitID int64, path UnitPath) bool {
	if e.Subtree {
		return e.UnitPath.Contains(path)
	}
	return e.UnitID == unitID
}

// Scope is everything one user may reach with one action. It is computed once from the user's
// grants and the policy, then used twice: as a SQL row filter for lists and as a per-object check,
// and a test proves the two agree.
type Scope struct {
	UserID  string
	Action  Action
	Entries []ScopeEntry
}

// Empty reports whether the scope reaches nothing at all.
func (s Scope) Empty() bool { return len(s.Entries) == 0 }

// CaseRef is the little a scope check needs to know about a case.
type CaseRef struct {
	UnitID   int64
	UnitPath UnitPath
	Secret   bool
	// OnTeam: the user is currently assigned to the case (lead or support).
	OnTeam bool
	// FormerUnits handled the case before it was transferred; they keep read-only access to its
	// history (chuyển vụ án).
	FormerUnits []UnitRef
}

// UnitRef identifies a unit with its path.
type UnitRef struct {
	ID   int64
	Path UnitPath
}

// PermitsCase is the per-object check: may the scope's holder act on this case?
// Secret cases are reachable only by their team and by holders of SecretUnit entries at the
// case's own unit, whatever else the scope allows.
func (s Scope) PermitsCase(c CaseRef) bool {
	for _, e := range s.Entries {
		if !e.Covers(c.UnitID, c.UnitPath) {
			continue
		}
		if e.Cond == CondAssigned && !c.OnTeam {
			continue
		}
		if c.Secret && !c.OnTeam && !(e.SecretUnit && e.UnitID == c.UnitID) {
			continue
		}
		return true
	}
	if s.Action == ActCaseRead && !c.Secret {
		for _, f := range c.FormerUnits {
			for _, e := range s.Entries {
				if e.Cond == CondAny && e.Covers(f.ID, f.Path) {
					return true
				}
			}
		}
	}
	return false
}

// PermitsUnit reports whether the scope reaches a unit (for actions on units and users, where
// there is no case condition).
func (s Scope) PermitsUnit(unitID int64, path UnitPath) bool {
	for _, e := range s.Entries {
		if e.Covers(unitID, path) {
			return true
		}
	}
	return false
}
