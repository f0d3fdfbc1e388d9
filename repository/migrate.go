package repository

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var embeddedMigrations embed.FS

// newMigrationProvider builds a goose provider over the embedded SQL files. The session
// locker takes a PostgreSQL advisory lock so that several instances starting at once
// migrate one after another instead of racing.
func newMigrationProvider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(embeddedMigrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration. It is safe to call from several processes at once.
func Migrate(ctx context.Context, db *sql.DB) error {
	p, err := newMigrationProvider(db)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// MigrationsCurrent reports whether the database schema is at the newest embedded version;
// /readyz uses it so that a load balancer never routes to an instance on an old schema.
func MigrationsCurrent(ctx context.Context, db *sql.DB) (bool, error) {
	p, err := newMigrationProvider(db)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, err
	}
	return !pending, nil
}

// SchemaVersion is the newest migration applied to the database (0 for an empty one).
func SchemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	p, err := newMigrationProvider(db)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// StoredClocksVersion is the migration that brought stored clocks: a database migrated across it
// has cases whose clocks were never computed, and the binary computes them once after migrating.
const StoredClocksVersion = 6

// MigrateDownTo rolls the schema back to version, for tests of upgrades from an older schema.
func MigrateDownTo(ctx context.Context, db *sql.DB, version int64) error {
	p, err := newMigrationProvider(db)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
