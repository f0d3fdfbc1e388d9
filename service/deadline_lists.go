package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// maxListOffset bounds offset paging of the deadline and violation lists; past it a filter is
// the way to narrow a list.
const maxListOffset = 100000

// checkPage applies the default page size and refuses sizes and offsets beyond the bounds.
func checkPage(limit, offset *int) error {
	if *limit <= 0 {
		*limit = domain.DefaultPageSize
	}
	if *limit > domain.MaxPageSize {
		return domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	if *offset > maxListOffset {
		return domain.Invalid("offset", "max", "offset tối đa 100.000")
	}
	return nil
}

// checkUnitFilter refuses a unit filter naming a unit that does not exist (422) or that the scope
// reaches neither at nor below (404, as if it did not exist for the caller).
func (s *Procedure) checkUnitFilter(ctx context.Context, scope domain.Scope, unitID *int64) error {
	if unitID == nil {
		return nil
	}
	u, err := s.units.GetUnit(ctx, *unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Invalid("unit_id", "exists", "đơn vị không tồn tại")
	} else if err != nil {
		return err
	}
	if !scope.PermitsUnit(u.ID, u.Path) && !reachesBelow(scope, u.Path) {
		return domain.NotFound("đơn vị")
	}
	return nil
}

func validRules(field string, ids []string) error {
	for _, id := range ids {
		if _, ok := workflow.RuleByID(workflow.RuleID(id)); !ok {
			return domain.Invalid(field, "enum", "không có quy tắc thời hạn "+id+" (xem GET /api/v1/rules)")
		}
	}
	return nil
}

// ListDeadlines lists the stored clocks of the cases the caller may read, most urgent first: the
// chief's and the prosecutor's view of what runs out next across a unit or a subtree. Statuses
// default to the open ones. The list is audited like a case list.
func (s *Procedure) ListDeadlines(ctx context.Context, p *Principal, f domain.ClockFilter) ([]domain.ClockListItem, int64, error) {
	if err := checkPage(&f.Limit, &f.Offset); err != nil {
		return nil, 0, err
	}
	for _, st := range f.Statuses {
		if !slices.Contains(workflow.ClockStatuses, workflow.ClockStatus(st)) {
			return nil, 0, domain.Invalid("status", "enum", "trạng thái thời hạn không hợp lệ: "+st)
		}
	}
	if err := validRules("rule", f.Rules); err != nil {
		return nil, 0, err
	}
	if f.DueBefore != nil && f.DueAfter != nil && f.DueBefore.Before(*f.DueAfter) {
		return nil, 0, domain.Invalid("due_before", "after_from", "due_before không được trước due_after")
	}
	return scopedList(ctx, s, p, "deadline.list", scopedFilter{f.UnitID, f.ProsecutorID, f.CaseID},
		map[string]any{"unit_id": f.UnitID, "status": f.Statuses, "rule": f.Rules},
		func(ctx context.Context, scope domain.Scope) ([]domain.ClockListItem, int64, error) {
			return s.clocks.ListClocks(ctx, scope, f)
		})
}

// ListViolations lists the violations of time limits on the cases the caller may read, the most
// recently found first; withdrawn ones only on request. The list is audited like a case list.
func (s *Procedure) ListViolations(ctx context.Context, p *Principal, f domain.ViolationFilter) ([]domain.Violation, int64, error) {
	if err := checkPage(&f.Limit, &f.Offset); err != nil {
		return nil, 0, err
	}
	if err := validRules("rule", f.Rules); err != nil {
		return nil, 0, err
	}
	if f.DetectedBefore != nil && f.DetectedAfter != nil && !f.DetectedAfter.Before(*f.DetectedBefore) {
		return nil, 0, domain.Invalid("detected_before", "after_from", "detected_before phải sau detected_after")
	}
	return scopedList(ctx, s, p, "violation.list", scopedFilter{f.UnitID, f.ProsecutorID, f.CaseID}, map[string]any{"unit_id": f.UnitID, "rule": f.Rules},
		func(ctx context.Context, scope domain.Scope) ([]domain.Violation, int64, error) {
			return s.clocks.ListViolations(ctx, scope, f)
		})
}

// scopedFilter is what every list across the caller's case scope filters on besides its own.
type scopedFilter struct {
	unitID       *int64
	prosecutorID *string
	caseID       *string
}

// scopedList runs a list over the cases the caller may read: the shared filters checked, the
// store's query run in a transaction with the list's audit row (action, what was asked and how
// much came back).
func scopedList[T any](ctx context.Context, s *Procedure, p *Principal, action string, f scopedFilter, asked map[string]any,
	list func(ctx context.Context, scope domain.Scope) ([]T, int64, error)) ([]T, int64, error) {
	if f.prosecutorID != nil && !validUUID(*f.prosecutorID) {
		return nil, 0, domain.Invalid("prosecutor_id", "format", "mã kiểm sát viên không hợp lệ")
	}
	if f.caseID != nil && !validUUID(*f.caseID) {
		return nil, 0, domain.Invalid("case_id", "format", "mã hồ sơ không hợp lệ")
	}
	scope := s.authz.Scope(p, domain.ActCaseRead)
	if err := s.checkUnitFilter(ctx, scope, f.unitID); err != nil {
		return nil, 0, err
	}
	var items []T
	var total int64
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if items, total, err = list(ctx, scope); err != nil {
			return err
		}
		asked["returned"], asked["total"] = len(items), total
		detail, _ := json.Marshal(asked)
		return s.audit.Record(ctx, p.audit(s.clock.Now(), action, "case", "", p.User.UnitID, domain.OutcomeSuccess, string(detail)))
	})
	return items, total, err
}

// Notifications are the caller's own in-app messages. Nobody reads another's, so no grant is
// needed beyond being logged in.
type Notifications struct {
	store NotificationStore
	clock Clock
}

// NewNotifications wires the notification use cases.
func NewNotifications(store NotificationStore, clock Clock) *Notifications {
	return &Notifications{store: store, clock: clock}
}

// NotificationPage is a page of one user's notifications.
type NotificationPage struct {
	Items  []domain.Notification
	Total  int64
	Unread int64
}

// List returns a page of the caller's notifications, newest first.
func (n *Notifications) List(ctx context.Context, p *Principal, unreadOnly bool, limit, offset int) (NotificationPage, error) {
	if err := checkPage(&limit, &offset); err != nil {
		return NotificationPage{}, err
	}
	items, total, unread, err := n.store.ListNotifications(ctx, p.User.ID, unreadOnly, limit, offset)
	return NotificationPage{Items: items, Total: total, Unread: unread}, err
}

// MarkRead marks the caller's notifications read: those named by ids (at most 200; ids of other
// users' notifications are ignored, never revealed), or all of them. It returns how many changed
// and how many stay unread.
func (n *Notifications) MarkRead(ctx context.Context, p *Principal, ids []int64, all bool) (int64, int64, error) {
	switch {
	case all && len(ids) > 0:
		return 0, 0, domain.Invalid("ids", "exclusive", "gửi ids hoặc all, không gửi cả hai")
	case !all && len(ids) == 0:
		return 0, 0, domain.Invalid("ids", "required", "phải nêu thông báo cần đánh dấu đã đọc, hoặc all: true")
	case len(ids) > domain.MaxPageSize:
		return 0, 0, domain.Invalid("ids", "max_items", fmt.Sprintf("tối đa %d thông báo một lần", domain.MaxPageSize))
	}
	for i, id := range ids {
		if id <= 0 {
			return 0, 0, domain.Invalid(fmt.Sprintf("ids[%d]", i), "range", "mã thông báo là số nguyên dương")
		}
	}
	return n.store.MarkNotificationsRead(ctx, p.User.ID, ids, all, n.clock.Now())
}

// DaysLate is how many whole days past its due a violation was kept, or is at now.
func DaysLate(v domain.Violation, now time.Time) int {
	return int(v.Late(now).Hours() / 24)
}
