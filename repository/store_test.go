package repository_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/pgtest"
	"kiemsat/service/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openStore(t *testing.T) *repository.Store {
	t.Helper()
	s, err := repository.Open(context.Background(), pgtest.NewDatabase(t), repository.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Moving a unit rewrites the paths of its subtree, and only those; cases keep their unit id and
// so follow the unit without being touched.
func TestMoveUnitRewritesSubtreePathsOnly(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	units, err := seed.Org(ctx, s, s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hni, kv1, hcm := units[seed.ProvinceCode("HNI")], units[seed.RegionalCode("HNI", 1)], units[seed.ProvinceCode("HCM")]
	child, err := s.CreateUnit(ctx, domain.UnitInput{Code: "TEST-CHILD", Name: "Đơn vị con thử nghiệm", Level: domain.LevelRegional, ParentID: &kv1.ID}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if child.Path != kv1.Path.Child(child.ID) {
		t.Fatalf("child path %s, want under %s", child.Path, kv1.Path)
	}
	before := units[seed.RegionalCode("HNI", 2)]
	moved, err := s.UpdateUnit(ctx, kv1.ID, domain.UnitPatch{Version: kv1.Version, ParentID: &hcm.ID}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if moved.Path != hcm.Path.Child(kv1.ID) || *moved.ParentID != hcm.ID {
		t.Fatalf("moved path %s parent %v", moved.Path, moved.ParentID)
	}
	gotChild, _ := s.GetUnit(ctx, child.ID)
	if gotChild.Path != moved.Path.Child(child.ID) {
		t.Fatalf("descendant path %s not rewritten under %s", gotChild.Path, moved.Path)
	}
	sibling, _ := s.GetUnit(ctx, before.ID)
	if sibling.Path != before.Path || !hni.Path.Contains(sibling.Path) {
		t.Fatalf("an unrelated unit moved: %s → %s", before.Path, sibling.Path)
	}
	if _, err := s.UpdateUnit(ctx, kv1.ID, domain.UnitPatch{Version: kv1.Version, Name: ptr("Tên cũ")}, time.Now()); domain.ErrorCodeOf(err) != domain.CodeConflict {
		t.Fatalf("stale unit version: want conflict, got %v", err)
	}
}

// Audit appends from many concurrent transactions form one linear chain that verifies, and a row
// cannot be changed through SQL while the triggers are on.
func TestAuditChainUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- s.WithinTx(ctx, func(ctx context.Context) error {
				for j := 0; j < 3; j++ {
					if err := s.Record(ctx, domain.AuditEntry{At: time.Now(), Action: "test.append", TargetID: "x", Outcome: domain.OutcomeSuccess}); err != nil {
						return err
					}
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 120 || rep.FirstBad != 0 {
		t.Fatalf("verify: %+v", rep)
	}
	if err := s.SQL().QueryRowContext(ctx, "UPDATE audit_log SET action = 'x' WHERE id = (SELECT min(id) FROM audit_log) RETURNING id").Err(); err == nil {
		t.Fatal("UPDATE of the audit log must be refused")
	}
	if _, err := s.SQL().ExecContext(ctx, "DELETE FROM audit_log"); err == nil {
		t.Fatal("DELETE from the audit log must be refused")
	}
	// A rolled-back transaction leaves no audit row behind.
	_ = s.WithinTx(ctx, func(ctx context.Context) error {
		_ = s.Record(ctx, domain.AuditEntry{At: time.Now(), Action: "test.rollback", Outcome: domain.OutcomeSuccess})
		return domain.Conflict("roll back")
	})
	var n int
	if err := s.SQL().QueryRowContext(ctx, "SELECT count(*) FROM audit_log WHERE action = 'test.rollback'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled-back audit rows: %d (%v)", n, err)
	}
}

// An edit of role_permissions takes effect on Reload, without a restart.
func TestPolicyReloadsFromTable(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	p, err := repository.NewPolicy(ctx, s, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if ok, cond := p.Allowed(domain.RoleProsecutor, domain.ActCaseUpdate, domain.ScopeUnit); !ok || cond != domain.CondAssigned {
		t.Fatalf("seeded policy: prosecutor update = %v %v", ok, cond)
	}
	if ok, _ := p.Allowed(domain.RoleProsecutor, domain.ActCaseRead, domain.ScopeSubtree); ok {
		t.Fatal("prosecutor must not read a subtree")
	}
	if ok, _ := p.Allowed(domain.RoleChief, domain.ActCaseRead, domain.ScopeUnit); !ok {
		t.Fatal("a subtree permission includes the unit itself")
	}
	if _, err := s.SQL().ExecContext(ctx, "UPDATE role_permissions SET scope = 'subtree', updated_at = now() + interval '1 second' WHERE role = 'prosecutor' AND action = 'case.read'"); err != nil {
		t.Fatal(err)
	}
	if err := p.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := p.Allowed(domain.RoleProsecutor, domain.ActCaseRead, domain.ScopeSubtree); !ok {
		t.Fatal("policy edit not picked up by Reload")
	}
}

func ptr[T any](v T) *T { return &v }
