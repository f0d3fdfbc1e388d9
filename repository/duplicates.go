package repository

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
)

// duplicateRow is a record a new registration may repeat, as the duplicate queries read it.
type duplicateRow struct {
	ID         string    `gorm:"column:id"`
	Number     string    `gorm:"column:number"`
	Code       string    `gorm:"column:code"`
	Kind       string    `gorm:"column:kind"`
	UnitID     int64     `gorm:"column:unit_id"`
	UnitCode   string    `gorm:"column:unit_code"`
	Stage      string    `gorm:"column:stage"`
	ReceivedAt time.Time `gorm:"column:received_at"`
	Summary    string    `gorm:"column:summary"`
	NationalID string    `gorm:"column:national_id"`
	PartyName  string    `gorm:"column:party_name"`
	Similarity float64   `gorm:"column:similarity"`
}

func (r duplicateRow) toDomain(reason string) domain.DuplicateHint {
	return domain.DuplicateHint{CaseID: r.ID, Number: r.Number, Code: r.Code, Kind: domain.CaseKind(r.Kind), UnitID: r.UnitID, UnitCode: r.UnitCode,
		Stage: domain.Stage(r.Stage), ReceivedAt: r.ReceivedAt, Summary: r.Summary, Reason: reason, NationalID: r.NationalID, PartyName: r.PartyName,
		Similarity: r.Similarity}
}

// nationalIDArray passes citizen identity numbers as one text[] parameter; only 12-digit numbers
// reach it, so the elements need no quoting.
type nationalIDArray []string

// Value renders the array literal.
func (a nationalIDArray) Value() (driver.Value, error) { return "{" + strings.Join(a, ",") + "}", nil }

// duplicateFilterMax is the most records of the window whose summaries are compared one by one;
// past it, the trigram index gives the candidates.
var duplicateFilterMax = 1000

const duplicateCols = `c.id::text AS id, c.number, c.code, c.kind, c.unit_id, u.code AS unit_code, c.stage, c.received_at, left(c.summary, ` +
	"%d" + `) AS summary`

// FindDuplicates returns the records in scope that a new registration may repeat, at most limit:
// first those with a party holding one of nationalIDs (newest first), then, when summary is not
// empty, those of unitID's subtree received since since whose summary has a trigram similarity of
// at least domain.DuplicateSimilarity with it (most similar first). A record is listed once, under
// the first reason it matches. The scope is applied in SQL, exactly as the case list applies it,
// so no record outside it is ever read.
func (s *Store) FindDuplicates(ctx context.Context, scope domain.Scope, nationalIDs []string, summary string, unitID int64, since time.Time, limit int) ([]domain.DuplicateHint, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ids nationalIDArray
	for _, id := range nationalIDs {
		if domain.ValidNationalID(id) {
			ids = append(ids, id)
		}
	}
	summary = strings.TrimSpace(summary)
	if len(ids) == 0 && summary == "" {
		return nil, nil
	}
	var out []domain.DuplicateHint
	// One transaction, so that the similarity threshold set for the trigram index is local to it.
	err := s.WithinTx(ctx, func(ctx context.Context) error {
		where, scopeArgs, err := s.caseScopeSQL(ctx, scope)
		if err != nil {
			return err
		}
		if where == "FALSE" {
			return nil
		}
		db := s.conn(ctx)
		cols := fmt.Sprintf(duplicateCols, domain.DuplicateSummaryRunes)
		var seen []string
		if len(ids) > 0 {
			// One row per record: the party whose number comes first in the registration.
			q := `SELECT * FROM (SELECT DISTINCT ON (c.id) ` + cols + `, cp.national_id, cp.full_name AS party_name
				FROM case_parties cp JOIN cases c ON c.id = cp.case_id JOIN units u ON u.id = c.unit_id
				WHERE cp.national_id <> '' AND cp.national_id = ANY(?::text[]) AND ` + where + `
				ORDER BY c.id, array_position(?::text[], cp.national_id), cp.created_at, cp.id) d
				ORDER BY d.received_at DESC, d.id DESC LIMIT ?`
			args := append(append([]any{ids}, scopeArgs...), ids, limit)
			var rows []duplicateRow
			if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
				return translate(err, "hồ sơ trùng")
			}
			for _, r := range rows {
				out = append(out, r.toDomain(domain.DuplicateNationalID))
				seen = append(seen, r.ID)
			}
		}
		if summary == "" || len(out) >= limit {
			return nil
		}
		units, unitArg, err := s.unitFilter(ctx, unitID, true)
		if err != nil {
			return err
		}
		// Which records to compare: those of the window (subtree, date, scope) when they are few,
		// read through cases_unit_received_idx; otherwise the trigram index's candidates first. The
		// planner cannot choose by itself: % costs it as a cheap operator, so with thousands of
		// records in the window it filters them all (measured at 30,000 cases: 1.2 s against
		// 0.2 s through cases_summary_trgm), and with a few hundred it is right to.
		var inWindow int
		cond := units + ` AND c.received_at >= ? AND ` + where
		condArgs := append([]any{unitArg, since}, scopeArgs...)
		if err := db.Raw(`SELECT count(*) FROM (SELECT 1 FROM cases c WHERE `+cond+` LIMIT ?) w`,
			append(condArgs, duplicateFilterMax+1)...).Scan(&inWindow).Error; err != nil {
			return translate(err, "hồ sơ trùng")
		}
		if inWindow == 0 {
			return nil
		}
		viaIndex := inWindow > duplicateFilterMax
		// % compares against pg_trgm.similarity_threshold: raised, for this transaction, to the
		// threshold wanted, so that the index already drops what similarity() would. Through the
		// index, sequential scans are off so that the candidates are read from it. Both settings
		// are put back afterwards, in case the transaction is a caller's.
		var saved struct {
			Threshold string `gorm:"column:threshold"`
			SeqScan   string `gorm:"column:seqscan"`
		}
		if err := db.Raw(`SELECT coalesce(current_setting('pg_trgm.similarity_threshold', true), '') AS threshold,
			current_setting('enable_seqscan') AS seqscan`).Scan(&saved).Error; err != nil {
			return translate(err, "hồ sơ trùng")
		}
		if saved.Threshold == "" {
			saved.Threshold = "0.3" // pg_trgm's default, before the library is loaded
		}
		seqScan := saved.SeqScan
		if viaIndex {
			seqScan = "off"
		}
		const settings = `SELECT set_config('pg_trgm.similarity_threshold', ?, true), set_config('enable_seqscan', ?, true)`
		if err := db.Exec(settings, strconv.FormatFloat(domain.DuplicateSimilarity, 'f', -1, 64), seqScan).Error; err != nil {
			return translate(err, "hồ sơ trùng")
		}
		defer db.Exec(settings, saved.Threshold, saved.SeqScan)
		var q string
		var args []any
		if viaIndex {
			q = `WITH cand AS MATERIALIZED (SELECT id FROM cases WHERE summary % ?)
				SELECT ` + cols + `, similarity(c.summary, ?) AS similarity FROM cand JOIN cases c ON c.id = cand.id JOIN units u ON u.id = c.unit_id
				WHERE similarity(c.summary, ?) >= ? AND ` + cond
			args = append([]any{summary, summary, summary, domain.DuplicateSimilarity}, condArgs...)
		} else {
			q = `SELECT ` + cols + `, similarity(c.summary, ?) AS similarity FROM cases c JOIN units u ON u.id = c.unit_id
				WHERE c.summary % ? AND similarity(c.summary, ?) >= ? AND ` + cond
			args = append([]any{summary, summary, summary, domain.DuplicateSimilarity}, condArgs...)
		}
		if len(seen) > 0 {
			q += ` AND NOT c.id = ANY(?::uuid[])`
			args = append(args, uuidArray(seen))
		}
		q += ` ORDER BY similarity DESC, c.received_at DESC, c.id DESC LIMIT ?`
		args = append(args, limit-len(out))
		var rows []duplicateRow
		if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
			return translate(err, "hồ sơ trùng")
		}
		for _, r := range rows {
			out = append(out, r.toDomain(domain.DuplicateSimilarSummary))
		}
		return nil
	})
	return out, err
}
