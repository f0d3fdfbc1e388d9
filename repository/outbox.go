package repository

import (
	"context"
	"time"

	"kiemsat/domain"
)

type outboxRow struct {
	ID            int64      `gorm:"column:id"`
	DedupKey      string     `gorm:"column:dedup_key"`
	Topic         string     `gorm:"column:topic"`
	CaseID        *string    `gorm:"column:case_id"`
	UnitID        *int64     `gorm:"column:unit_id"`
	Payload       string     `gorm:"column:payload"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt time.Time  `gorm:"column:next_attempt_at"`
	DeliveredAt   *time.Time `gorm:"column:delivered_at"`
	LastError     string     `gorm:"column:last_error"`
}

// ClaimOutbox locks up to limit undelivered events due at now, oldest first, skipping those
// another dispatcher holds, until the caller's transaction ends.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int) ([]domain.OutboxEvent, error) {
	var rows []outboxRow
	err := s.conn(ctx).Raw(`SELECT id, dedup_key, topic, case_id, unit_id, payload::text AS payload, created_at, attempts, next_attempt_at,
		delivered_at, last_error FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
		FOR UPDATE SKIP LOCKED`, now, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "sự kiện")
	}
	out := make([]domain.OutboxEvent, len(rows))
	for i, r := range rows {
		out[i] = domain.OutboxEvent{ID: r.ID, DedupKey: r.DedupKey, Topic: r.Topic, CaseID: deref(r.CaseID), UnitID: deref(r.UnitID),
			Payload: []byte(r.Payload), CreatedAt: r.CreatedAt, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt, DeliveredAt: r.DeliveredAt,
			LastError: r.LastError}
	}
	return out, nil
}

// DeliveredChannels returns, per event, the channels whose receipt is kept.
func (s *Store) DeliveredChannels(ctx context.Context, ids []int64) (map[int64]map[string]bool, error) {
	var rows []struct {
		OutboxID int64  `gorm:"column:outbox_id"`
		Channel  string `gorm:"column:channel"`
	}
	if err := s.conn(ctx).Raw("SELECT outbox_id, channel FROM outbox_deliveries WHERE outbox_id = ANY(?)", int64Array(ids)).Scan(&rows).Error; err != nil {
		return nil, translate(err, "sự kiện")
	}
	out := map[int64]map[string]bool{}
	for _, r := range rows {
		if out[r.OutboxID] == nil {
			out[r.OutboxID] = map[string]bool{}
		}
		out[r.OutboxID][r.Channel] = true
	}
	return out, nil
}

// RecordDelivery keeps a channel's receipt for an event.
func (s *Store) RecordDelivery(ctx context.Context, id int64, channel, receipt string, at time.Time) error {
	return translate(s.conn(ctx).Exec(`INSERT INTO outbox_deliveries (outbox_id, channel, delivered_at, receipt) VALUES (?, ?, ?, ?)
		ON CONFLICT (outbox_id, channel) DO NOTHING`, id, channel, at, receipt).Error, "sự kiện")
}

// SettleOutbox marks an event delivered, or records a failed attempt and its retry time.
func (s *Store) SettleOutbox(ctx context.Context, id int64, delivered bool, attempts int, next time.Time, lastError string, at time.Time) error {
	var deliveredAt *time.Time
	if delivered {
		deliveredAt = &at
	}
	return translate(s.conn(ctx).Exec("UPDATE outbox SET delivered_at = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
		deliveredAt, attempts, next, lastError, id).Error, "sự kiện")
}

// OutboxBacklog counts undelivered events and gives the oldest one's creation time.
func (s *Store) OutboxBacklog(ctx context.Context) (int64, *time.Time, error) {
	var r struct {
		N      int64      `gorm:"column:n"`
		Oldest *time.Time `gorm:"column:oldest"`
	}
	if err := s.conn(ctx).Raw("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE delivered_at IS NULL").Scan(&r).Error; err != nil {
		return 0, nil, translate(err, "sự kiện")
	}
	return r.N, r.Oldest, nil
}

// NotifyCase writes n to the case's team now and the active chiefs and deputy chiefs of its unit,
// once per user and event.
func (s *Store) NotifyCase(ctx context.Context, ev domain.OutboxEvent, n domain.Notification) (int, error) {
	res := s.conn(ctx).Exec(`INSERT INTO notifications (user_id, outbox_id, case_id, unit_id, kind, title_vi, title_en, body_vi, body_en, created_at)
		SELECT r.user_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (
			SELECT a.user_id FROM case_assignments a WHERE a.case_id = ? AND a.ended_at IS NULL
			UNION
			SELECT g.user_id FROM grants g JOIN users u ON u.id = g.user_id
			WHERE g.unit_id = (SELECT unit_id FROM cases WHERE id = ?) AND g.role IN ('chief', 'deputy_chief') AND u.active
		) r
		ON CONFLICT (user_id, outbox_id) DO NOTHING`,
		ev.ID, nullable(ev.CaseID), nullableID(ev.UnitID), n.Kind, n.TitleVI, n.TitleEN, n.BodyVI, n.BodyEN, n.CreatedAt, ev.CaseID, ev.CaseID)
	if res.Error != nil {
		return 0, translate(res.Error, "thông báo")
	}
	return int(res.RowsAffected), nil
}

func nullableID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

type notificationRow struct {
	ID        int64      `gorm:"column:id"`
	UserID    string     `gorm:"column:user_id"`
	CaseID    *string    `gorm:"column:case_id"`
	UnitID    *int64     `gorm:"column:unit_id"`
	Kind      string     `gorm:"column:kind"`
	TitleVI   string     `gorm:"column:title_vi"`
	TitleEN   string     `gorm:"column:title_en"`
	BodyVI    string     `gorm:"column:body_vi"`
	BodyEN    string     `gorm:"column:body_en"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	ReadAt    *time.Time `gorm:"column:read_at"`
}

// ListNotifications returns a page of a user's notifications, newest first, with the total and
// the number unread.
func (s *Store) ListNotifications(ctx context.Context, userID string, unreadOnly bool, limit, offset int) ([]domain.Notification, int64, int64, error) {
	db := s.conn(ctx)
	var counts struct {
		Total  int64 `gorm:"column:total"`
		Unread int64 `gorm:"column:unread"`
	}
	if err := db.Raw("SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM notifications WHERE user_id = ?", userID).
		Scan(&counts).Error; err != nil {
		return nil, 0, 0, translate(err, "thông báo")
	}
	q := "SELECT id, user_id, case_id, unit_id, kind, title_vi, title_en, body_vi, body_en, created_at, read_at FROM notifications WHERE user_id = ?"
	if unreadOnly {
		q += " AND read_at IS NULL"
	}
	var rows []notificationRow
	if err := db.Raw(q+" ORDER BY id DESC LIMIT ? OFFSET ?", userID, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, 0, translate(err, "thông báo")
	}
	out := make([]domain.Notification, len(rows))
	for i, r := range rows {
		out[i] = domain.Notification{ID: r.ID, UserID: r.UserID, CaseID: deref(r.CaseID), UnitID: deref(r.UnitID), Kind: r.Kind, TitleVI: r.TitleVI,
			TitleEN: r.TitleEN, BodyVI: r.BodyVI, BodyEN: r.BodyEN, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
	}
	total := counts.Total
	if unreadOnly {
		total = counts.Unread
	}
	return out, total, counts.Unread, nil
}

// MarkNotificationsRead marks the user's unread notifications named by ids (or all of them) read;
// ids of other users' notifications match nothing.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID string, ids []int64, all bool, at time.Time) (int64, int64, error) {
	db := s.conn(ctx)
	q, args := "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", []any{at, userID}
	if !all {
		q, args = q+" AND id = ANY(?)", append(args, int64Array(ids))
	}
	res := db.Exec(q, args...)
	if res.Error != nil {
		return 0, 0, translate(res.Error, "thông báo")
	}
	var unread int64
	if err := db.Raw("SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", userID).Scan(&unread).Error; err != nil {
		return 0, 0, translate(err, "thông báo")
	}
	return res.RowsAffected, unread, nil
}

// ClockStatusNow is the stored status of a case's clock, or "" when the case has no such clock.
func (s *Store) ClockStatusNow(ctx context.Context, caseID, clockKey string) (string, error) {
	var st []string
	if err := s.conn(ctx).Raw("SELECT status FROM case_clocks WHERE case_id = ? AND clock_key = ?", caseID, clockKey).Scan(&st).Error; err != nil {
		return "", translate(err, "thời hạn")
	}
	if len(st) == 0 {
		return "", nil
	}
	return st[0], nil
}
