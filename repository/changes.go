package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kiemsat/domain"
)

// recordChange queues a change of a case's record; it is written with the transaction's last
// statements (appendChanges), or at once in its own transaction outside one.
func (s *Store) recordChange(ctx context.Context, changes ...domain.Change) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.changes = append(st.changes, changes...)
		return nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return appendChanges(ctx, tx, changes) })
}

// appendChanges inserts changes under the audit's transaction-scoped advisory lock, held from here
// to commit, so ids are given in commit order: a reader paging by id never misses a row committed
// later with a smaller id.
func appendChanges(ctx context.Context, tx *gorm.DB, changes []domain.Change) error {
	tx = tx.WithContext(ctx)
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
		return fmt.Errorf("change feed lock: %w", err)
	}
	for start := 0; start < len(changes); start += 1000 {
		batch := changes[start:min(start+1000, len(changes))]
		var b strings.Builder
		args := make([]any, 0, 6*len(batch))
		b.WriteString("INSERT INTO changes (at, case_id, kind, op, entity_id, status) VALUES ")
		for i, c := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, c.At, c.CaseID, string(c.Kind), c.Op, c.EntityID, c.Status)
		}
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			return fmt.Errorf("change feed insert: %w", err)
		}
	}
	return nil
}

// ListChanges returns up to limit changes after the id given, in commit order, of the cases the
// scope reaches (as they are now), and the id the next page starts after: the last change looked
// at, visible or not, so a follower never reads the same rows twice.
func (s *Store) ListChanges(ctx context.Context, scope domain.Scope, after int64, limit int) ([]domain.Change, int64, error) {
	where, args, err := s.caseScopeSQL(ctx, scope)
	if err != nil {
		return nil, after, err
	}
	// The window of rows looked at is bounded, so a follower with a narrow scope over a busy feed
	// still gets an answer (possibly empty) and a cursor that moves on.
	const window = 5000
	var last int64
	if err := s.conn(ctx).Raw(`SELECT coalesce(max(id), ?) FROM (SELECT id FROM changes WHERE id > ? ORDER BY id LIMIT ?) w`, after, after, window).
		Scan(&last).Error; err != nil {
		return nil, after, translate(err, "dòng thay đổi")
	}
	var rows []struct {
		ID       int64     `gorm:"column:id"`
		At       time.Time `gorm:"column:at"`
		CaseID   string    `gorm:"column:case_id"`
		Kind     string    `gorm:"column:kind"`
		Op       string    `gorm:"column:op"`
		EntityID string    `gorm:"column:entity_id"`
		Status   string    `gorm:"column:status"`
	}
	q := `SELECT ch.id, ch.at, ch.case_id::text AS case_id, ch.kind, ch.op, ch.entity_id, ch.status FROM changes ch JOIN cases c ON c.id = ch.case_id
		WHERE ch.id > ? AND ch.id <= ? AND ` + where + ` ORDER BY ch.id LIMIT ?`
	if err := s.conn(ctx).Raw(q, append(append([]any{after, last}, args...), limit)...).Scan(&rows).Error; err != nil {
		return nil, after, translate(err, "dòng thay đổi")
	}
	out := make([]domain.Change, len(rows))
	for i, r := range rows {
		out[i] = domain.Change{ID: r.ID, At: r.At, CaseID: r.CaseID, Kind: domain.ChangeKind(r.Kind), Op: r.Op, EntityID: r.EntityID, Status: r.Status}
	}
	if len(rows) == limit {
		last = rows[len(rows)-1].ID
	}
	return out, last, nil
}

// ChangeFeedBounds returns the id purged through (a cursor before it cannot be followed) and the
// newest id.
func (s *Store) ChangeFeedBounds(ctx context.Context) (purgedThrough, head int64, err error) {
	err = s.conn(ctx).Raw(`SELECT (SELECT purged_through FROM change_feed_state),
		greatest((SELECT coalesce(max(id), 0) FROM changes), (SELECT purged_through FROM change_feed_state))`).
		Row().Scan(&purgedThrough, &head)
	return purgedThrough, head, translate(err, "dòng thay đổi")
}

// PurgeChanges removes changes older than before, remembering how far it went.
func (s *Store) PurgeChanges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.WithinTx(ctx, func(ctx context.Context) error {
		var through *int64
		if err := s.conn(ctx).Raw(`SELECT max(id) FROM changes WHERE at < ?`, before).Scan(&through).Error; err != nil {
			return err
		}
		if through == nil {
			return nil
		}
		res := s.conn(ctx).Exec(`DELETE FROM changes WHERE id <= ?`, *through)
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return s.conn(ctx).Exec(`UPDATE change_feed_state SET purged_through = greatest(purged_through, ?)`, *through).Error
	})
	return n, translate(err, "dòng thay đổi")
}
