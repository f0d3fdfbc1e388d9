package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// AuthorityStore keeps the authorities table (thẩm quyền theo cấp).
type AuthorityStore interface {
	ListAuthorities(ctx context.Context) ([]domain.Authority, error)
	// PutAuthority writes the row of its key, replacing any, and reports whether the key is new.
	PutAuthority(ctx context.Context, a domain.Authority, by string, now time.Time) (domain.Authority, bool, error)
	// DeleteAuthority withdraws a row in force; one not in force is not found.
	DeleteAuthority(ctx context.Context, id int64, by string, now time.Time) (domain.Authority, error)
}

// Authorities holds the use cases of the authorities table: who may grant an extension or
// approve a decision, by procuracy level. Everyone logged in reads it (the UI shows why a step is
// refused); only a system administrator edits it, when a reform or a confirmed text changes the
// levels. An edit applies to the next step judged on every instance.
type Authorities struct {
	tx    TxRunner
	store AuthorityStore
	authz *Authz
	audit Auditor
	clock Clock
}

// NewAuthorities wires the authorities use cases.
func NewAuthorities(tx TxRunner, store AuthorityStore, authz *Authz, audit Auditor, clock Clock) *Authorities {
	return &Authorities{tx: tx, store: store, authz: authz, audit: audit, clock: clock}
}

// List returns the rows in force.
func (s *Authorities) List(ctx context.Context, _ *Principal) ([]domain.Authority, error) {
	return s.store.ListAuthorities(ctx)
}

// Table builds the lookup the transition table is judged with.
func (s *Authorities) Table(ctx context.Context) (*workflow.Authorities, error) {
	rows, err := s.store.ListAuthorities(ctx)
	if err != nil {
		return nil, err
	}
	return workflow.NewAuthorities(rows), nil
}

// Put writes a row for its key (step, power, rung, class), replacing what the key had, and
// reports whether the key is new. Only a holder of authority.manage may; the row is checked
// against the transition table, and the change is audited in the same transaction.
func (s *Authorities) Put(ctx context.Context, p *Principal, a domain.Authority) (domain.Authority, bool, error) {
	now := s.clock.Now()
	target := fmt.Sprintf("%s/%s/%d/%s", a.Step, a.Power, a.Rung, a.Class)
	if err := s.mayManage(ctx, p, "authority.put", target); err != nil {
		return domain.Authority{}, false, err
	}
	a.Article, a.Note = strings.TrimSpace(a.Article), strings.TrimSpace(a.Note)
	if err := workflow.ValidateAuthority(a); err != nil {
		return domain.Authority{}, false, err
	}
	var out domain.Authority
	var created bool
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if out, created, err = s.store.PutAuthority(ctx, a, p.User.ID, now); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"created": created, "levels": a.Levels, "article": a.Article, "confirmed": a.Confirmed})
		return s.audit.Record(ctx, p.audit(now, "authority.put", "authority", target, 0, domain.OutcomeSuccess, string(detail)))
	})
	return out, created, err
}

// Delete withdraws a row: the transition table's own levels apply again where no other row does.
func (s *Authorities) Delete(ctx context.Context, p *Principal, id int64) error {
	now := s.clock.Now()
	target := fmt.Sprint(id)
	if err := s.mayManage(ctx, p, "authority.delete", target); err != nil {
		return err
	}
	return s.tx.WithinTx(ctx, func(ctx context.Context) error {
		a, err := s.store.DeleteAuthority(ctx, id, p.User.ID, now)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "authority.delete", "authority", fmt.Sprintf("%s/%s/%d/%s", a.Step, a.Power, a.Rung, a.Class), 0,
			domain.OutcomeSuccess, ""))
	})
}

func (s *Authorities) mayManage(ctx context.Context, p *Principal, action, target string) error {
	if !s.authz.Scope(p, domain.ActAuthorityManage).Empty() {
		return nil
	}
	if err := recordDenied(ctx, s.audit, p.audit(s.clock.Now(), action, "authority", target, 0, domain.OutcomeDenied, "")); err != nil {
		return err
	}
	return domain.Forbidden("chỉ quản trị hệ thống được sửa bảng thẩm quyền")
}
