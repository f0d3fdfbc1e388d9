package repository_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/workflow"
)

func countPenalClauses(t *testing.T, ctx context.Context, s *repository.Store) int {
	t.Helper()
	list, err := s.ListPenalClauses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func samePenalClause(a, b domain.PenalClause) bool {
	sameTo := (a.EffectiveTo == nil) == (b.EffectiveTo == nil) && (a.EffectiveTo == nil || a.EffectiveTo.Equal(*b.EffectiveTo))
	return a.Article == b.Article && a.Clause == b.Clause && a.Title == b.Title && a.Min == b.Min && a.Max == b.Max &&
		a.Class == b.Class && a.EffectiveFrom.Equal(b.EffectiveFrom) && sameTo && a.Note == b.Note
}

// Seeding inserts the shipped catalog once, and the table gives every field back in the catalog's
// own order.
func TestPenalCodeSyncRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	want := workflow.DefaultPenalCatalog().Clauses()

	n, err := s.SyncPenalCode(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("first sync inserted %d rows, want %d", n, len(want))
	}
	if n, err := s.SyncPenalCode(ctx, want); err != nil || n != 0 {
		t.Fatalf("second sync inserted %d rows (%v), want 0", n, err)
	}
	got, err := s.ListPenalClauses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !samePenalClause(got[i], want[i]) {
			t.Fatalf("row %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
		if got[i].EffectiveFrom.Location() != time.UTC {
			t.Fatalf("row %d: effective_from in %s, want a UTC midnight like the parser's", i, got[i].EffectiveFrom.Location())
		}
	}
	// The database copy builds the same catalog as the embedded file.
	cat := workflow.NewPenalCatalog(got)
	if !slices.Equal(cat.Articles(), workflow.DefaultPenalCatalog().Articles()) {
		t.Fatal("a catalog built from the table lists other articles")
	}
	if c, err := cat.Lookup("248", 4, time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)); err != nil || c.Max.Kind != domain.PenaltyDeath {
		t.Fatalf("248(4) before the amendment from the table: %+v, %v", c, err)
	}
}

// An administrator's correction survives a later sync, and a sync in a transaction that rolls back
// leaves nothing behind.
func TestPenalCodeSyncKeepsEdits(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	clauses := workflow.DefaultPenalCatalog().Clauses()

	boom := errors.New("roll back")
	err := s.WithinTx(ctx, func(ctx context.Context) error {
		if n, err := s.SyncPenalCode(ctx, clauses); err != nil || n != len(clauses) {
			t.Errorf("sync inside a transaction: %d, %v", n, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithinTx: %v", err)
	}
	if n := countPenalClauses(t, ctx, s); n != 0 {
		t.Fatalf("%d rows left after a rolled-back sync", n)
	}

	if _, err := s.SyncPenalCode(ctx, clauses); err != nil {
		t.Fatal(err)
	}
	// Art. 173(1) corrected by hand to a 2-year maximum (still less serious, so still consistent).
	res, err := s.SQL().ExecContext(ctx, `UPDATE penal_clauses SET max_penalty = '2y', note = 'sửa tay', updated_at = now()
		WHERE article = '173' AND clause = 1`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("edit touched %d rows", n)
	}
	// Syncing the same shipped file again leaves the corrected row alone.
	if n, err := s.SyncPenalCode(ctx, clauses); err != nil || n != 0 {
		t.Fatalf("re-sync inserted %d rows (%v), want 0", n, err)
	}
	list, err := s.ListPenalClauses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range list {
		if c.Article == "173" && c.Clause == 1 {
			found = true
			if c.Max != (domain.Penalty{Kind: domain.PenaltyPrison, Months: 24}) || c.Note != "sửa tay" {
				t.Fatalf("the edit was overwritten: %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("173(1) missing")
	}

	// An administrator who moves a version's first day keeps it: the shipped row, now overlapping,
	// is skipped rather than failing the sync.
	if _, err := s.SQL().ExecContext(ctx, `UPDATE penal_clauses SET effective_from = '2025-06-15' WHERE article = '256a' AND clause = 1`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SyncPenalCode(ctx, clauses); err != nil || n != 0 {
		t.Fatalf("sync after moving 256a(1) inserted %d rows (%v), want 0", n, err)
	}

	// A clause whose class contradicts Art. 9 is refused before anything is written.
	bad := clauses[0]
	bad.Article, bad.Class = "1", domain.ClassSerious
	if n, err := s.SyncPenalCode(ctx, []domain.PenalClause{bad}); domain.ErrorCodeOf(err) != domain.CodeInvalid || n != 0 {
		t.Fatalf("inconsistent class: %d, %v", n, err)
	}

	// A deleted row comes back with the next sync: only rows present are protected.
	if _, err := s.SQL().ExecContext(ctx, `DELETE FROM penal_clauses WHERE article = '256a'`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SyncPenalCode(ctx, clauses); err != nil || n != 2 {
		t.Fatalf("sync after deleting 256a inserted %d rows (%v), want 2", n, err)
	}
}

// The table refuses what the parser refuses, so that an edit made in SQL cannot break the catalog
// behind the application's back.
func TestPenalClausesConstraints(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if _, err := s.SyncPenalCode(ctx, workflow.DefaultPenalCatalog().Clauses()); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO penal_clauses (article, clause, effective_from, effective_to, title_vi, min_penalty, max_penalty, severity_class) VALUES `
	for name, tc := range map[string]struct{ stmt, constraint string }{
		"article too high":              {ins + `('427', 1, '2018-01-01', NULL, 'T', '1y', '3y', 'less_serious')`, "penal_clauses_article_format"},
		"article malformed":             {ins + `('abc', 1, '2018-01-01', NULL, 'T', '1y', '3y', 'less_serious')`, "penal_clauses_article_format"},
		"unknown class":                 {ins + `('1', 1, '2018-01-01', NULL, 'T', '1y', '3y', 'ÍNT')`, "penal_clauses_severity_class_check"},
		"bad token":                     {ins + `('1', 1, '2018-01-01', NULL, 'T', '1y', '3 years', 'less_serious')`, "penal_clauses_penalty_format"},
		"end before start":              {ins + `('1', 1, '2020-01-01', '2019-01-01', 'T', '1y', '3y', 'less_serious')`, "penal_clauses_effective_order"},
		"overlapping ranges":            {ins + `('173', 1, '2024-01-01', NULL, 'T', '1y', '3y', 'less_serious')`, "penal_clauses_no_overlap"},
		"closing into the next version": {`UPDATE penal_clauses SET effective_to = '2025-07-01' WHERE article = '248' AND clause = 4 AND effective_from = '2018-01-01'`, "penal_clauses_no_overlap"},
	} {
		if _, err := s.SQL().ExecContext(ctx, tc.stmt); err == nil || !strings.Contains(err.Error(), tc.constraint) {
			t.Errorf("%s: want a violation of %s, got %v", name, tc.constraint, err)
		}
	}
	// A class edited out of step with Art. 9 makes the list fail instead of serving a wrong class.
	if _, err := s.SQL().ExecContext(ctx, `UPDATE penal_clauses SET severity_class = 'serious' WHERE article = '173' AND clause = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListPenalClauses(ctx); err == nil {
		t.Fatal("a class that disagrees with Art. 9 was listed")
	}
}
