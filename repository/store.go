package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	neturl "net/url"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"kiemsat/domain"
)

// Store is the PostgreSQL adapter behind every store interface of the service package.
type Store struct {
	db    *gorm.DB
	sqlDB *sql.DB
}

// Options tune the connection pool.
type Options struct {
	MaxOpenConns int
	MaxIdleConns int
}

// Open connects to PostgreSQL through gorm with the pgx driver.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	db, err := gorm.Open(postgres.New(postgres.Config{DSN: withRuntimeDefaults(url)}), &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 20
	}
	if opt.MaxIdleConns <= 0 {
		opt.MaxIdleConns = opt.MaxOpenConns
	}
	sqlDB.SetMaxOpenConns(opt.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opt.MaxIdleConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &Store{db: db, sqlDB: sqlDB}, nil
}

// SQL returns the underlying database/sql handle, for migrations and health checks.
func (s *Store) SQL() *sql.DB { return s.sqlDB }

// Close closes the pool.
func (s *Store) Close() error { return s.sqlDB.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

// withRuntimeDefaults turns JIT compilation off unless the URL sets it: our queries are short
// OLTP statements, and at a million cases the planner's JIT spent 140 ms compiling a count that
// runs in 20 ms. pgx passes unknown URL parameters to the server as run-time settings.
func withRuntimeDefaults(dsn string) string {
	u, err := neturl.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn
	}
	q := u.Query()
	if q.Get("jit") == "" {
		q.Set("jit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

type txKey struct{}

// txState is the transaction a context carries, with the audit rows waiting to be chained and
// written just before commit.
type txState struct {
	tx      *gorm.DB
	audits  []domain.AuditEntry
	changes []domain.Change
}

// conn returns the transaction carried by ctx, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// WithinTx runs fn in a transaction. Nested calls join the outer transaction. Audit rows
// recorded inside are appended to the chain as the transaction's last statements.
func (s *Store) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := &txState{tx: tx}
		if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
			return err
		}
		if len(st.changes) > 0 {
			if err := appendChanges(ctx, tx, st.changes); err != nil {
				return err
			}
		}
		if len(st.audits) > 0 {
			return appendAudit(ctx, tx, st.audits)
		}
		return nil
	})
}

// translate turns driver errors into domain errors by SQLSTATE, never by message text.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return domain.NotFound(what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return &domain.Error{Code: domain.CodeConflict, Message: what + " đã tồn tại", Details: []domain.Detail{{Rule: "unique", Field: constraintField(pe.ConstraintName)}}, Err: err}
		case "23503": // foreign_key_violation
			return &domain.Error{Code: domain.CodeInvalid, Message: "tham chiếu không tồn tại", Details: []domain.Detail{{Rule: "reference", Field: constraintField(pe.ConstraintName)}}, Err: err}
		case "23514", "22001", "22007", "22008", "22P02": // check, too long, bad datetime, out of range, bad text
			return &domain.Error{Code: domain.CodeInvalid, Message: "dữ liệu không hợp lệ", Details: []domain.Detail{{Rule: "constraint", Field: constraintField(pe.ConstraintName)}}, Err: err}
		case "40001", "40P01": // serialization failure, deadlock
			return &domain.Error{Code: domain.CodeConflict, Message: "thao tác trùng với một thay đổi khác, hãy thử lại", Err: err}
		case "57014": // query_canceled
			return fmt.Errorf("%s: query canceled: %w", what, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// constraintField names the field a constraint guards, for error details.
func constraintField(constraint string) string {
	switch constraint {
	case "users_username_key", "users_username_format":
		return "username"
	case "units_code_key", "units_code_format":
		return "code"
	case "grants_user_role_unit_key":
		return "role"
	case "case_assignments_one_lead":
		return "role"
	case "case_assignments_active_key":
		return "user_id"
	case "case_decisions_one_answer":
		return "decision_id"
	case "case_decisions_one_correction":
		return "supersedes_id"
	case "legal_calendar_swap_saturday", "legal_calendar_date_range":
		return "date"
	case "legal_calendar_kind_check":
		return "kind"
	}
	return ""
}
