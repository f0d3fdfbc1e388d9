package repository

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"kiemsat/domain"
)

// policyModel is the casbin model: a request asks whether a role may take an action at a scope
// kind; a policy line allows (role, action, scope, condition). A subtree permission includes the
// unit itself, so asking for "unit" also matches "subtree" lines.
const policyModel = `
[request_definition]
r = role, act, scope

[policy_definition]
p = role, act, scope, cond

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.role == p.role && r.act == p.act && (r.scope == p.scope || (r.scope == "unit" && p.scope == "subtree"))
`

// Policy enforces role permissions with casbin over the role_permissions table. It reloads when
// the table changes (checked every ReloadEvery), so edits take effect on every instance without
// a restart. Grants (user × role × unit) are not cached at all: they are read per request.
type Policy struct {
	store    *Store
	enforcer *casbin.SyncedEnforcer
	log      *slog.Logger

	mu      sync.Mutex
	stamp   string
	stopped chan struct{}
	stop    context.CancelFunc
}

type tableAdapter struct{ store *Store }

// LoadPolicy reads every permission line from the table.
func (a tableAdapter) LoadPolicy(m model.Model) error {
	var rows []struct{ Role, Action, Scope, Condition string }
	if err := a.store.db.Raw("SELECT role, action, scope, condition FROM role_permissions ORDER BY role, action").Scan(&rows).Error; err != nil {
		return fmt.Errorf("load role permissions: %w", err)
	}
	for _, r := range rows {
		if err := persist.LoadPolicyArray([]string{"p", r.Role, r.Action, r.Scope, r.Condition}, m); err != nil {
			return err
		}
	}
	return nil
}

// The policy is edited in the database, never through casbin's write API.
func (tableAdapter) SavePolicy(model.Model) error { return fmt.Errorf("policy is read-only in casbin") }
func (tableAdapter) AddPolicy(string, string, []string) error {
	return fmt.Errorf("policy is read-only in casbin")
}
func (tableAdapter) RemovePolicy(string, string, []string) error {
	return fmt.Errorf("policy is read-only in casbin")
}
func (tableAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return fmt.Errorf("policy is read-only in casbin")
}

// NewPolicy loads the policy and, when reloadEvery > 0, watches the table for changes.
func NewPolicy(ctx context.Context, store *Store, log *slog.Logger, reloadEvery time.Duration) (*Policy, error) {
	m, err := model.NewModelFromString(policyModel)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, tableAdapter{store: store})
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
	p := &Policy{store: store, enforcer: e, log: log, stopped: make(chan struct{})}
	if p.stamp, err = p.currentStamp(ctx); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	p.stop = cancel
	if reloadEvery > 0 {
		go p.watch(wctx, reloadEvery)
	} else {
		close(p.stopped)
	}
	return p, nil
}

func (p *Policy) currentStamp(ctx context.Context) (string, error) {
	var st struct {
		N   int64
		Max *time.Time
	}
	if err := p.store.db.WithContext(ctx).Raw("SELECT count(*) AS n, max(updated_at) AS max FROM role_permissions").Scan(&st).Error; err != nil {
		return "", fmt.Errorf("policy stamp: %w", err)
	}
	if st.Max == nil {
		return fmt.Sprint(st.N), nil
	}
	return fmt.Sprintf("%d/%d", st.N, st.Max.UnixNano()), nil
}

func (p *Policy) watch(ctx context.Context, every time.Duration) {
	defer close(p.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := p.Reload(ctx); err != nil && ctx.Err() == nil {
				p.log.Warn("policy reload failed", "err", err)
			}
		}
	}
}

// Reload re-reads the policy if the table changed since the last load.
func (p *Policy) Reload(ctx context.Context) error {
	stamp, err := p.currentStamp(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if stamp == p.stamp {
		return nil
	}
	if err := p.enforcer.LoadPolicy(); err != nil {
		return err
	}
	p.stamp = stamp
	p.log.Info("policy reloaded", "stamp", stamp)
	return nil
}

// Close stops the watcher.
func (p *Policy) Close() {
	p.stop()
	<-p.stopped
}

// Allowed reports whether role may take act at the scope kind and under which condition. An
// enforcement error denies.
func (p *Policy) Allowed(role domain.Role, act domain.Action, scope domain.ScopeKind) (bool, domain.Condition) {
	ok, explain, err := p.enforcer.EnforceEx(string(role), string(act), string(scope))
	if err != nil || !ok {
		return false, ""
	}
	cond := domain.CondAny
	if len(explain) == 4 && explain[3] == string(domain.CondAssigned) {
		cond = domain.CondAssigned
	}
	return true, cond
}
