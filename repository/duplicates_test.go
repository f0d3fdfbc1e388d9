package repository_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/service/seed"
)

// TestFindDuplicates: both ways of finding similar summaries (comparing the window's records one
// by one, and reading the trigram index first) give the same hints: a party's CCCD first, then
// similar summaries of the unit's subtree within the window, in scope only, each record once.
func TestFindDuplicates(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	now := time.Now()
	units, err := seed.Org(ctx, s, s, now)
	if err != nil {
		t.Fatal(err)
	}
	kv1, kv2, hcm1 := units[seed.RegionalCode("HNI", 1)], units[seed.RegionalCode("HNI", 2)], units[seed.RegionalCode("HCM", 1)]
	user := uuid.NewString()
	if err := s.CreateUser(ctx, domain.User{ID: user, Username: "dup.tester", FullName: "Người thử", UnitID: kv1.ID, Active: true, CreatedAt: now}, "x"); err != nil {
		t.Fatal(err)
	}
	// Filler the trigram index must see past: hex strings share no word with the summaries below.
	if _, err := s.SQL().ExecContext(ctx, `INSERT INTO cases (id, kind, number, seq, year, code, unit_id, stage, received_at, channel, source_type,
		summary, created_by, created_at, updated_at)
		SELECT gen_random_uuid(), 'report', g || '/2000/TB', g, 2000, 'FILL-' || g, $1, 'report_resolution', now() - (g % 300) * interval '1 day',
			'in_person', 'denunciation', 'Hồ sơ đệm ' || md5(g::text) || ' ' || md5((g + 1)::text), $2, now(), now()
		FROM generate_series(1, 1500) g`, kv1.ID, user); err != nil {
		t.Fatal(err)
	}

	const cccd = "001099123456"
	base := "Ông Trịnh Văn Quang tố giác bị kẻ gian đột nhập căn hộ 1203 chung cư Golden Palace, lấy trộm máy tính xách tay Dell và 20 triệu đồng tiền mặt."
	near := func(n int) string {
		return fmt.Sprintf("Ông Trịnh Văn Quang tố giác bị kẻ gian đột nhập căn hộ 1203 chung cư Golden Palace, lấy trộm máy tính xách tay HP và %d triệu đồng.", 20+n)
	}
	seq := 0
	add := func(u domain.Unit, summary string, daysAgo int, secret bool, parties ...domain.Party) string {
		t.Helper()
		seq++
		cs := &domain.Case{ID: uuid.NewString(), Kind: domain.KindReport, Number: fmt.Sprintf("%d/2026/TB", seq), Seq: seq, Year: 2026,
			Code: fmt.Sprintf("%s-2026-TB-%06d", u.Code, seq), UnitID: u.ID, Stage: domain.StageReportResolution, ReceivedAt: now.AddDate(0, 0, -daysAgo),
			Channel: domain.ChannelInPerson, SourceType: domain.SourceDenunciation, Summary: summary, ReporterKind: domain.ReporterPerson,
			Secret: secret, Version: 1, CreatedBy: user, CreatedAt: now, UpdatedAt: now}
		for _, p := range parties {
			p.ID = uuid.NewString()
			cs.Parties = append(cs.Parties, p)
		}
		if err := s.InsertCase(ctx, cs); err != nil {
			t.Fatal(err)
		}
		return cs.ID
	}
	victim := domain.Party{Role: domain.PartyVictim, FullName: "Trịnh Văn Quang", NationalID: cccd}
	byID := add(kv1, base, 30, false, victim)
	similar := add(kv1, near(1), 10, false)
	closer := add(kv1, near(0), 20, false)
	// Not found: out of the window, at a sibling unit, secret (for a reader without secret
	// access), out of scope.
	add(kv1, near(2), 400, false)
	add(kv2, near(3), 5, false)
	secret := add(kv1, near(4), 5, true)
	add(hcm1, "Vụ việc khác hẳn ở tỉnh khác, không liên quan gì đến tố giác này.", 5, false, victim)
	// Found by CCCD however old.
	old := add(kv1, "Một tố giác cũ về người này, nhận từ lâu nhưng vẫn cùng số căn cước công dân.", 700, false, victim)

	scope := domain.Scope{UserID: user, Action: domain.ActCaseRead, Entries: []domain.ScopeEntry{{UnitID: kv1.ID, UnitPath: kv1.Path}}}
	chiefScope := domain.Scope{UserID: user, Action: domain.ActCaseRead, Entries: []domain.ScopeEntry{{UnitID: kv1.ID, UnitPath: kv1.Path, SecretUnit: true}}}
	since := now.Add(-domain.DuplicateWindow)
	sig := func(hs []domain.DuplicateHint) []string {
		out := []string{}
		for _, h := range hs {
			out = append(out, h.Reason+":"+h.CaseID)
		}
		return out
	}
	for _, max := range []int{0, 1 << 30} {
		t.Run(fmt.Sprintf("filter_max=%d", max), func(t *testing.T) {
			defer repository.SetDuplicateFilterMax(max)()
			got, err := s.FindDuplicates(ctx, scope, []string{cccd}, near(0), kv1.ID, since, 10)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"national_id:" + byID, "national_id:" + old, "similar_summary:" + closer, "similar_summary:" + similar}
			if !reflect.DeepEqual(sig(got), want) {
				t.Fatalf("hints %v, want %v", sig(got), want)
			}
			if got[0].NationalID != cccd || got[0].PartyName != victim.FullName || got[0].UnitCode != kv1.Code || got[2].Similarity != 1 ||
				got[3].Similarity < domain.DuplicateSimilarity || got[3].Similarity >= 1 {
				t.Errorf("hints %+v", got)
			}
			// The unit's chief reads the secret record too.
			got, err = s.FindDuplicates(ctx, chiefScope, nil, near(0), kv1.ID, since, 3)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"similar_summary:" + closer}; len(got) != 3 || !reflect.DeepEqual(sig(got[:1]), want) || !contains(sig(got), "similar_summary:"+secret) {
				t.Errorf("chief: hints %v, want %v first and the secret record", sig(got), want)
			}
			// Nothing in scope at all: no query reads a record.
			got, err = s.FindDuplicates(ctx, domain.Scope{UserID: user, Action: domain.ActCaseRead}, []string{cccd}, near(0), kv1.ID, since, 10)
			if err != nil || len(got) != 0 {
				t.Errorf("empty scope: %v, %v", sig(got), err)
			}
			// The settings raised for the search do not outlive it in a caller's transaction.
			err = s.WithinTx(ctx, func(ctx context.Context) error {
				if _, err := s.FindDuplicates(ctx, scope, nil, near(0), kv1.ID, since, 10); err != nil {
					return err
				}
				for name, want := range map[string]string{"enable_seqscan": "on", "pg_trgm.similarity_threshold": "0.3"} {
					if v, err := s.CurrentSetting(ctx, name); err != nil || v != want {
						t.Errorf("%s = %q after the search, want %q (%v)", name, v, want, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
