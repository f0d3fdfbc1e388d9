package repository

import (
	"context"
	"strings"
	"time"

	"kiemsat/service"
)

type clientRow struct {
	ClientID   string     `gorm:"column:client_id"`
	UserID     string     `gorm:"column:user_id"`
	SecretHash string     `gorm:"column:secret_hash"`
	Scopes     string     `gorm:"column:scopes"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
}

// InsertClient registers a service client.
func (s *Store) InsertClient(ctx context.Context, c service.Client, secretHash string) error {
	err := s.conn(ctx).Exec(`INSERT INTO service_clients (client_id, user_id, secret_hash, scopes, created_at) VALUES (?, ?, ?, ?::text[], ?)`,
		c.ClientID, c.UserID, secretHash, textArray(c.Scopes), c.CreatedAt).Error
	return translate(err, "ứng dụng kết nối")
}

// GetClient loads a client with its secret's hash.
func (s *Store) GetClient(ctx context.Context, clientID string) (service.Client, string, error) {
	var r clientRow
	if err := s.conn(ctx).Raw(`SELECT client_id, user_id::text AS user_id, secret_hash, array_to_string(scopes, ',') AS scopes, created_at, revoked_at
		FROM service_clients WHERE client_id = ?`, clientID).Take(&r).Error; err != nil {
		return service.Client{}, "", translate(err, "ứng dụng kết nối")
	}
	return service.Client{ClientID: r.ClientID, UserID: r.UserID, Scopes: strings.Split(r.Scopes, ","), CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt},
		r.SecretHash, nil
}

// TouchClient records a client's last use.
func (s *Store) TouchClient(ctx context.Context, clientID string, at time.Time) error {
	return translate(s.conn(ctx).Exec(`UPDATE service_clients SET last_used_at = ? WHERE client_id = ?`, at, clientID).Error, "ứng dụng kết nối")
}

// RevokeClient revokes a client.
func (s *Store) RevokeClient(ctx context.Context, clientID string, at time.Time) error {
	res := s.conn(ctx).Exec(`UPDATE service_clients SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL`, at, clientID)
	if res.Error != nil {
		return translate(res.Error, "ứng dụng kết nối")
	}
	if res.RowsAffected != 1 {
		return translate(nil, "")
	}
	return nil
}
