package repository_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
)

// TestLawPassages: SyncLaw writes the passages once per content, replaces them when the content
// changes, and SearchLaw finds a clause in the version in force on the day asked (one hit per
// clause, the old version before the amendment, the new one after), without diacritics.
func TestLawPassages(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	day := func(v string) *time.Time { d, _ := time.Parse(time.DateOnly, v); return &d }
	old := domain.LawPassage{ID: "BLHS:251:1", Cite: "Điều 251 khoản 1 BLHS", Title: "Tội mua bán trái phép chất ma túy",
		Body: "khung hình phạt từ 2 năm tù đến 7 năm tù", ValidFrom: day("2018-01-01"), ValidTo: day("2025-06-30")}
	cur := domain.LawPassage{ID: "BLHS:251:1", Cite: "Điều 251 khoản 1 BLHS", Title: "Tội mua bán trái phép chất ma túy",
		Body: "khung hình phạt từ 3 năm tù đến 7 năm tù", ValidFrom: day("2025-07-01")}
	rule := domain.LawPassage{ID: "rule:custody_period", Cite: "Điều 118 BLTTHS", Title: "Thời hạn tạm giữ", Body: "mọi loại tội: 3 ngày"}
	if err := s.SyncLaw(ctx, "v1", []domain.LawPassage{old, cur, rule}); err != nil {
		t.Fatal(err)
	}
	terms, err := s.SearchTerms(ctx, "mua ban trai phep chat ma tuy", false)
	if err != nil {
		t.Fatal(err)
	}
	snippet := func(p domain.SearchPage) string {
		out := ""
		for _, h := range p.Hits[0].Snippet {
			out += h.Text
		}
		return out
	}
	for at, want := range map[string]string{"2025-06-30": "2 năm", "2025-07-01": "3 năm"} {
		d, _ := time.Parse(time.DateOnly, at)
		p, err := s.SearchLaw(ctx, terms, d, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Hits) != 1 || p.Total != 1 || p.Hits[0].ID != "BLHS:251:1" || !strings.Contains(snippet(p), want) {
			t.Errorf("on %s: %+v, want the version with %q", at, p, want)
		}
	}
	// The same content again changes nothing; another content replaces everything.
	if _, err := s.SQL().ExecContext(ctx, `UPDATE law_passages SET title = 'sửa tay' WHERE ref = 'rule:custody_period'`); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncLaw(ctx, "v1", []domain.LawPassage{old, cur, rule}); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := s.SQL().QueryRowContext(ctx, `SELECT title FROM law_passages WHERE ref = 'rule:custody_period'`).Scan(&title); err != nil || title != "sửa tay" {
		t.Fatalf("a sync of the same content rewrote the rows: %q %v", title, err)
	}
	if err := s.SyncLaw(ctx, "v2", []domain.LawPassage{rule}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.SQL().QueryRowContext(ctx, `SELECT count(*) FROM law_passages`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d passages after a new content, want 1 (%v)", n, err)
	}
}
