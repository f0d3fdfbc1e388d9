package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"kiemsat/domain"
)

// Principal is the authenticated caller of a use case: the user, their grants as loaded for this
// request, and request metadata for the audit log. Grants are read per request so that a revoked
// grant takes effect at once on every instance.
type Principal struct {
	User       domain.User
	Unit       domain.Unit
	Grants     []domain.Grant
	RequestID  string
	RemoteAddr string
	// Scopes, when set (a service client's token), are the only actions the principal may take,
	// whatever its grants allow.
	Scopes []domain.Action
	// ClientID is the service client acting, if any.
	ClientID string
}

// MayAct reports whether the token allows an action at all (grants decide where).
func (p *Principal) MayAct(act domain.Action) bool {
	return p.Scopes == nil || slices.Contains(p.Scopes, act)
}

// Meta is request metadata for anonymous use cases (login, refresh).
type Meta struct {
	RequestID  string
	RemoteAddr string
	UserAgent  string
}

// Authz turns grants and policy into scopes.
type Authz struct {
	policy Policy
}

// NewAuthz builds the scope computer over a policy.
func NewAuthz(p Policy) *Authz { return &Authz{policy: p} }

// Scope computes where the principal may take an action: one entry per grant whose role the
// policy allows the action, reaching the grant's unit or its whole subtree.
func (a *Authz) Scope(p *Principal, act domain.Action) domain.Scope {
	s := domain.Scope{UserID: p.User.ID, Action: act}
	if !p.MayAct(act) && !(act == domain.ActCaseReadSecret && p.MayAct(domain.ActCaseRead)) {
		return s
	}
	for _, g := range p.Grants {
		e := domain.ScopeEntry{Role: g.Role, UnitID: g.UnitID, UnitPath: g.UnitPath}
		if ok, cond := a.policy.Allowed(g.Role, act, domain.ScopeSubtree); ok {
			e.Subtree, e.Cond = true, cond
		} else if ok, cond := a.policy.Allowed(g.Role, act, domain.ScopeUnit); ok {
			e.Cond = cond
		} else {
			continue
		}
		if act == domain.ActCaseRead || act == domain.ActCaseUpdate || act == domain.ActCaseAssign || act == domain.ActCaseDecide || act == domain.ActCaseApprove ||
			act == domain.ActHearingRead || act == domain.ActHearingSchedule {
			e.SecretUnit, _ = a.policy.Allowed(g.Role, domain.ActCaseReadSecret, domain.ScopeUnit)
		}
		s.Entries = append(s.Entries, e)
	}
	return s
}

// HasRoleCovering reports whether the principal holds role r at a unit whose subtree contains path.
func (p *Principal) HasRoleCovering(r domain.Role, path domain.UnitPath) bool {
	for _, g := range p.Grants {
		if g.Role == r && g.UnitPath.Contains(path) {
			return true
		}
	}
	return false
}

// audit builds an audit entry for an action of the principal.
func (p *Principal) audit(at time.Time, action, targetType, targetID string, targetUnit int64, outcome domain.AuditOutcome, detail string) domain.AuditEntry {
	if detail == "" {
		detail = "{}"
	}
	return domain.AuditEntry{
		At: at, UserID: p.User.ID, Username: p.User.Username, UnitID: p.User.UnitID,
		Action: action, TargetType: targetType, TargetID: targetID, TargetUnit: targetUnit,
		RequestID: p.RequestID, RemoteAddr: p.RemoteAddr, Outcome: outcome, Detail: detail,
	}
}

// recordDenied writes a denied audit row in its own transaction: the refused change rolls back,
// but the attempt must stay on record.
func recordDenied(ctx context.Context, a Auditor, e domain.AuditEntry) error {
	if err := a.Record(ctx, e); err != nil {
		return fmt.Errorf("audit denied %s: %w", e.Action, err)
	}
	return nil
}
