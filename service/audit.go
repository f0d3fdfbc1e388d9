package service

import (
	"context"
	"fmt"

	"kiemsat/domain"
)

// AuditLog reads the audit log for auditors, scoped like everything else, and verifies its chain.
type AuditLog struct {
	store AuditStore
	authz *Authz
	audit Auditor
	clock Clock
}

// NewAuditLog wires the audit reader.
func NewAuditLog(store AuditStore, authz *Authz, audit Auditor, clock Clock) *AuditLog {
	return &AuditLog{store: store, authz: authz, audit: audit, clock: clock}
}

// List returns audit rows about units in the caller's audit.read scope (rows whose target unit or
// actor's unit lies there), newest first.
func (l *AuditLog) List(ctx context.Context, p *Principal, f domain.AuditFilter) (domain.AuditPage, error) {
	if f.Limit <= 0 {
		f.Limit = domain.DefaultPageSize
	}
	if f.Limit > domain.MaxPageSize {
		return domain.AuditPage{}, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return domain.AuditPage{}, domain.Invalid("to", "after_from", "to phải sau from")
	}
	scope := l.authz.Scope(p, domain.ActAuditRead)
	if scope.Empty() {
		return domain.AuditPage{}, domain.Forbidden("chỉ thanh tra và quản trị được xem nhật ký")
	}
	page, err := l.store.ListAudit(ctx, scope, f)
	if err != nil {
		return domain.AuditPage{}, err
	}
	if err := l.audit.Record(ctx, p.audit(l.clock.Now(), "audit.read", "audit_log", "", p.User.UnitID, domain.OutcomeSuccess, "")); err != nil {
		return domain.AuditPage{}, err
	}
	return page, nil
}

// Verify walks the whole chain and reports the first row that does not match.
func (l *AuditLog) Verify(ctx context.Context) (domain.AuditVerifyReport, error) {
	return l.store.VerifyAudit(ctx)
}
