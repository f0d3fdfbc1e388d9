package repository

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kiemsat/domain"
)

// auditLockKey serializes appends to the chain across all instances: a row's prev_hash must be
// the hash of the row committed just before it.
const auditLockKey = 0x6b69656d736174 // "kiemsat"

// FeedLockKey is the same lock, for writers outside this package (the data generator) that append
// to the change feed: rows must get their ids in commit order.
const FeedLockKey = auditLockKey

type auditRow struct {
	ID         int64     `gorm:"column:id;->"`
	At         time.Time `gorm:"column:at"`
	UserID     *string   `gorm:"column:user_id"`
	Username   string    `gorm:"column:username"`
	UnitID     *int64    `gorm:"column:unit_id"`
	Action     string    `gorm:"column:action"`
	TargetType string    `gorm:"column:target_type"`
	TargetID   string    `gorm:"column:target_id"`
	TargetUnit *int64    `gorm:"column:target_unit"`
	RequestID  string    `gorm:"column:request_id"`
	RemoteAddr string    `gorm:"column:remote_addr"`
	Outcome    string    `gorm:"column:outcome"`
	Detail     string    `gorm:"column:detail"`
	PrevHash   []byte    `gorm:"column:prev_hash"`
	Hash       []byte    `gorm:"column:hash"`
}

func (auditRow) TableName() string { return "audit_log" }

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullInt(i int64) *int64 {
	if i == 0 {
		return nil
	}
	return &i
}

func (r auditRow) toDomain() domain.AuditEntry {
	e := domain.AuditEntry{ID: r.ID, At: r.At, Username: r.Username, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID,
		RequestID: r.RequestID, RemoteAddr: r.RemoteAddr, Outcome: domain.AuditOutcome(r.Outcome), Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash}
	if r.UserID != nil {
		e.UserID = *r.UserID
	}
	if r.UnitID != nil {
		e.UnitID = *r.UnitID
	}
	if r.TargetUnit != nil {
		e.TargetUnit = *r.TargetUnit
	}
	return e
}

// Record appends an audit row: inside a transaction it is queued and written just before commit;
// outside, it is written at once in its own transaction.
func (s *Store) Record(ctx context.Context, e domain.AuditEntry) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.audits = append(st.audits, e)
		return nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return appendAudit(ctx, tx, []domain.AuditEntry{e})
	})
}

// appendAudit chains and inserts rows under a transaction-scoped advisory lock, which is held
// only from here to commit because appends are the transaction's last statements.
func appendAudit(ctx context.Context, tx *gorm.DB, entries []domain.AuditEntry) error {
	tx = tx.WithContext(ctx)
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
		return fmt.Errorf("audit lock: %w", err)
	}
	var prev []byte
	if err := tx.Raw("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").Row().Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit chain head: %w", err)
	}
	if len(prev) == 0 {
		prev = domain.AuditGenesis
	}
	rows := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		e.At = e.At.UTC().Truncate(time.Microsecond)
		if e.Detail == "" {
			e.Detail = "{}"
		}
		h := e.ComputeHash(prev)
		rows = append(rows, auditRow{At: e.At, UserID: nullStr(e.UserID), Username: e.Username, UnitID: nullInt(e.UnitID), Action: e.Action,
			TargetType: e.TargetType, TargetID: e.TargetID, TargetUnit: nullInt(e.TargetUnit), RequestID: e.RequestID, RemoteAddr: e.RemoteAddr,
			Outcome: string(e.Outcome), Detail: e.Detail, PrevHash: prev, Hash: h})
		prev = h
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	return nil
}

// ListAudit returns rows whose target unit or actor's unit lies in the scope, newest first.
func (s *Store) ListAudit(ctx context.Context, scope domain.Scope, f domain.AuditFilter) (domain.AuditPage, error) {
	ids, err := s.scopeUnitIDs(ctx, scope.Entries)
	if err != nil {
		return domain.AuditPage{}, err
	}
	q := s.conn(ctx).Model(&auditRow{}).Where("(target_unit = ANY(?) OR unit_id = ANY(?))", int64Array(ids), int64Array(ids))
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	if f.TargetType != nil {
		q = q.Where("target_type = ?", *f.TargetType)
	}
	if f.TargetID != nil {
		q = q.Where("target_id = ?", *f.TargetID)
	}
	if f.Action != nil {
		q = q.Where("action = ?", *f.Action)
	}
	if f.From != nil {
		q = q.Where("at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("at < ?", *f.To)
	}
	var page domain.AuditPage
	if err := q.Session(&gorm.Session{}).Count(&page.Total).Error; err != nil {
		return page, translate(err, "nhật ký")
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var rows []auditRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return page, translate(err, "nhật ký")
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.toDomain())
	}
	if len(rows) == f.Limit {
		page.NextBefore = rows[len(rows)-1].ID
	}
	return page, nil
}

// VerifyAudit walks the chain in id order, in batches, recomputing every hash.
func (s *Store) VerifyAudit(ctx context.Context) (domain.AuditVerifyReport, error) {
	var rep domain.AuditVerifyReport
	prev := domain.AuditGenesis
	var after int64
	for {
		var rows []auditRow
		if err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(5000).Find(&rows).Error; err != nil {
			return rep, fmt.Errorf("read audit log: %w", err)
		}
		for _, r := range rows {
			rep.Rows++
			e := r.toDomain()
			if !bytes.Equal(r.PrevHash, prev) {
				rep.FirstBad, rep.Problem = r.ID, "prev_hash does not match the previous row: a row was removed or inserted"
				return rep, nil
			}
			if !bytes.Equal(e.ComputeHash(prev), r.Hash) {
				rep.FirstBad, rep.Problem = r.ID, "hash does not match the row's contents: the row was altered"
				return rep, nil
			}
			prev = r.Hash
			after = r.ID
		}
		if len(rows) < 5000 {
			return rep, nil
		}
	}
}
