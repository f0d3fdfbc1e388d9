package service

import (
	"context"
	"encoding/json"
	"fmt"

	"kiemsat/domain"
)

// ChangeStore reads the change feed.
type ChangeStore interface {
	// ListChanges returns changes after an id of the cases in scope, in commit order, and the id
	// the next page starts after.
	ListChanges(ctx context.Context, scope domain.Scope, after int64, limit int) ([]domain.Change, int64, error)
	// ChangeFeedBounds returns how far the feed was purged and its newest id.
	ChangeFeedBounds(ctx context.Context) (purgedThrough, head int64, err error)
}

// Changes is the change feed (dòng thay đổi): every change to a case's record the caller may see,
// in commit order, so another procuracy's system or an agency keeps in sync without polling.
type Changes struct {
	store ChangeStore
	authz *Authz
	audit Auditor
	clock Clock
}

// NewChanges wires the change feed.
func NewChanges(store ChangeStore, authz *Authz, audit Auditor, clock Clock) *Changes {
	return &Changes{store: store, authz: authz, audit: audit, clock: clock}
}

// cursorExpired is the error of a cursor older than what the feed still keeps.
func cursorExpired() error {
	return &domain.Error{Code: domain.CodeBadRequest, Message: "con trỏ đã quá cũ: các thay đổi sau nó đã được dọn; hãy đọc lại toàn bộ (GET /cases) rồi theo dõi từ GET /changes/head",
		Details: []domain.Detail{{Field: "after", Rule: "cursor_expired"}}}
}

// Page returns up to limit changes after the id given (0: from the beginning) and the id to go on
// from. A position before what the feed still keeps is refused: the follower must start again from
// a snapshot. The read is audited.
func (s *Changes) Page(ctx context.Context, p *Principal, after int64, limit int) ([]domain.Change, int64, error) {
	if limit <= 0 {
		limit = domain.DefaultPageSize
	}
	if limit > 1000 {
		return nil, 0, domain.Invalid("limit", "max", "tối đa 1000 thay đổi mỗi trang")
	}
	purged, head, err := s.store.ChangeFeedBounds(ctx)
	if err != nil {
		return nil, 0, err
	}
	if after < purged {
		return nil, 0, cursorExpired()
	}
	if after > head {
		return nil, 0, &domain.Error{Code: domain.CodeBadRequest, Message: "con trỏ không hợp lệ", Details: []domain.Detail{{Field: "after", Rule: "cursor_invalid"}}}
	}
	items, next, err := s.store.ListChanges(ctx, s.authz.Scope(p, domain.ActCaseRead), after, limit)
	if err != nil {
		return nil, 0, err
	}
	detail, _ := json.Marshal(map[string]any{"after": after, "next": next, "returned": len(items)})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "changes.read", "feed", fmt.Sprint(after), p.User.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return nil, 0, err
	}
	return items, next, nil
}

// Head returns the newest position, to follow from after taking a snapshot.
func (s *Changes) Head(ctx context.Context) (int64, error) {
	_, head, err := s.store.ChangeFeedBounds(ctx)
	return head, err
}
