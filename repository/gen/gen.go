// Package gen fills the registry with synthetic cases for benchmarks and load tests. It writes
// with COPY in batches, each batch in its own transaction, and keeps case_counters in step so
// that registrations made through the service afterwards (or meanwhile) get the next number and
// never collide with a generated one.
//
// The content is deterministic: the same seed, reference time and database state (units,
// users, counters) produce the same cases, ids included.
package gen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/service"
	"kiemsat/service/seed"
)

// BotUsername is the account created to stand as the creator of generated cases when the
// database has no user at all.
const BotUsername = "gen.bot"

// Config says how many cases to generate and how.
type Config struct {
	Cases int
	Seed  uint64
	Batch int // cases per transaction; 10000 when zero
	// Now ends the three-year window of received dates. Pass a fixed time for reproducible data.
	Now time.Time
	// CreatorID is the user recorded as created_by where the unit has no clerk (see Prepare).
	CreatorID string
	// Progress, when set, is called after each committed batch with the cases it inserted.
	Progress func(cases int)
	// SkipAnalyze leaves the planner statistics alone at the end.
	SkipAnalyze bool
}

// Result counts what was inserted.
type Result struct {
	Cases, Parties, Assignments int
	Elapsed                     time.Duration
}

// Prepare loads the organisation if no provincial or regional unit exists yet and returns the
// id of the user to record as the creator of generated cases: gen.bot if it exists, else the
// oldest user, else a newly created, inactive gen.bot at the root unit.
func Prepare(ctx context.Context, store *repository.Store, pool *pgxpool.Pool, hasher service.PasswordHasher, now time.Time) (string, error) {
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM units WHERE level IN ('provincial', 'regional') AND active`).Scan(&n); err != nil {
		return "", fmt.Errorf("gen: count units: %w", err)
	}
	if n == 0 {
		if _, err := seed.Org(ctx, store, store, now); err != nil {
			return "", fmt.Errorf("gen: load organisation: %w", err)
		}
	}
	var id string
	err := pool.QueryRow(ctx, `SELECT id::text FROM users ORDER BY (username = $1) DESC, created_at, id LIMIT 1`, BotUsername).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("gen: find a user: %w", err)
	}
	root, err := store.GetUnitByCode(ctx, seed.SupremeCode)
	if err != nil {
		return "", fmt.Errorf("gen: root unit %s: %w", seed.SupremeCode, err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	hash, err := hasher.Hash(hex.EncodeToString(secret)) // nobody knows it; the account is inactive anyway
	if err != nil {
		return "", err
	}
	uid, _ := uuid.NewV7()
	u := domain.User{ID: uid.String(), Username: BotUsername, FullName: "Bộ sinh dữ liệu thử nghiệm", UnitID: root.ID, Active: false,
		MustChangePassword: true, PasswordChangedAt: now, CreatedAt: now}
	err = store.WithinTx(ctx, func(ctx context.Context) error {
		if err := store.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		return store.Record(ctx, domain.AuditEntry{At: now, Username: "cli", Action: "user.create", TargetType: "user", TargetID: u.ID,
			TargetUnit: root.ID, Outcome: domain.OutcomeSuccess, Detail: fmt.Sprintf(`{"username":%q,"via":"gen"}`, BotUsername)})
	})
	if err != nil {
		return "", fmt.Errorf("gen: create %s: %w", BotUsername, err)
	}
	return u.ID, nil
}

type unitInfo struct {
	id          int64
	code        string
	province    string // three-letter province code, for CCCD prefixes
	place       string // "tỉnh Thanh Hóa", for agency names and addresses
	weight      int
	prosecutors []uuid.UUID
	clerks      []uuid.UUID
	chiefs      []uuid.UUID
}

type caseRec struct {
	id         uuid.UUID
	kind       domain.CaseKind
	unit       *unitInfo
	year       int
	seq        int
	stage      domain.Stage
	receivedAt time.Time
	channel    domain.Channel
	source     domain.SourceType
	summary    string
	reporter   string
	repKind    domain.ReporterKind
	contact    string
	article    int
	clause     int
	secret     bool
	createdBy  uuid.UUID
	createdAt  time.Time
	parties    []partyRec
	lead       *leadRec
}

type partyRec struct {
	id         uuid.UUID
	role       domain.PartyRole
	name       string
	nationalID string
	birth      time.Time
	gender     string
	address    string
}

type leadRec struct {
	id         uuid.UUID
	userID     uuid.UUID
	assignedBy uuid.UUID
	at         time.Time
}

// Run generates cfg.Cases cases into the database behind pool.
func Run(ctx context.Context, pool *pgxpool.Pool, cfg Config) (Result, error) {
	start := time.Now()
	if cfg.Cases <= 0 {
		return Result{}, errors.New("gen: the number of cases must be positive")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 10000
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	if cfg.CreatorID == "" {
		return Result{}, errors.New("gen: no creator (call Prepare first)")
	}
	creator, err := uuid.Parse(cfg.CreatorID)
	if err != nil {
		return Result{}, fmt.Errorf("gen: creator id: %w", err)
	}
	units, err := loadUnits(ctx, pool)
	if err != nil {
		return Result{}, err
	}
	g := &generator{cfg: cfg, units: units, creator: creator,
		rng: mrand.New(mrand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	for _, u := range units {
		g.totalWeight += u.weight
	}
	var res Result
	for done := 0; done < cfg.Cases; {
		n := min(cfg.Batch, cfg.Cases-done)
		batch := make([]*caseRec, n)
		for i := range batch {
			batch[i] = g.next(done + i)
		}
		p, a, err := insertBatch(ctx, pool, batch)
		if err != nil {
			return res, fmt.Errorf("gen: batch at case %d: %w", done, err)
		}
		done += n
		res.Cases, res.Parties, res.Assignments = done, res.Parties+p, res.Assignments+a
		if cfg.Progress != nil {
			cfg.Progress(n)
		}
	}
	if !cfg.SkipAnalyze {
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) cases, case_parties, case_assignments, case_counters"); err != nil {
			return res, fmt.Errorf("gen: analyze: %w", err)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func loadUnits(ctx context.Context, pool *pgxpool.Pool) ([]*unitInfo, error) {
	rows, err := pool.Query(ctx, `SELECT u.id, u.code, u.level, coalesce(p.code, u.code), coalesce(p.name, u.name) FROM units u LEFT JOIN units p ON p.id = u.parent_id
		WHERE u.active AND u.level IN ('provincial', 'regional') ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("gen: load units: %w", err)
	}
	var units []*unitInfo
	byID := map[int64]*unitInfo{}
	for rows.Next() {
		var u unitInfo
		var level, provCode, provName string
		if err := rows.Scan(&u.id, &u.code, &level, &provCode, &provName); err != nil {
			return nil, err
		}
		u.place = strings.TrimPrefix(provName, "Viện kiểm sát nhân dân ")
		if level == string(domain.LevelProvincial) {
			u.weight, provCode = 1, u.code
		} else {
			u.weight = 3
		}
		if len(provCode) >= 7 && provCode[:4] == "VKS-" {
			u.province = provCode[4:7]
		}
		units = append(units, &u)
		byID[u.id] = &u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, errors.New("gen: no active provincial or regional unit (load the organisation first)")
	}
	rows, err = pool.Query(ctx, `SELECT g.unit_id, g.role, u.id FROM grants g JOIN users u ON u.id = g.user_id
		WHERE u.active AND g.role IN ('prosecutor', 'clerk', 'chief', 'deputy_chief') ORDER BY g.unit_id, g.role, u.username`)
	if err != nil {
		return nil, fmt.Errorf("gen: load staff: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var unitID int64
		var role string
		var userID uuid.UUID
		if err := rows.Scan(&unitID, &role, &userID); err != nil {
			return nil, err
		}
		u := byID[unitID]
		if u == nil {
			continue
		}
		switch domain.Role(role) {
		case domain.RoleProsecutor:
			u.prosecutors = append(u.prosecutors, userID)
		case domain.RoleClerk:
			u.clerks = append(u.clerks, userID)
		default:
			u.chiefs = append(u.chiefs, userID)
		}
	}
	return units, rows.Err()
}

// insertBatch reserves the numbers of the batch in case_counters and copies the batch in, all in
// one transaction. Reserving first (last = last + n, returning the new last) holds the counter
// rows until commit, so a registration through the service waits and then continues after the
// batch instead of colliding with it.
func insertBatch(ctx context.Context, pool *pgxpool.Pool, batch []*caseRec) (parties, assignments int, err error) {
	type key struct {
		unit int64
		year int
		kind domain.CaseKind
	}
	counts := map[key]int{}
	for _, c := range batch {
		counts[key{c.unit.id, c.year, c.kind}]++
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.unit != b.unit {
			return a.unit < b.unit
		}
		if a.year != b.year {
			return a.year < b.year
		}
		return a.kind < b.kind
	})
	unitIDs, years, kinds, ns := make([]int64, len(keys)), make([]int32, len(keys)), make([]string, len(keys)), make([]int32, len(keys))
	for i, k := range keys {
		unitIDs[i], years[i], kinds[i], ns[i] = k.unit, int32(k.year), string(k.kind), int32(counts[k])
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	rows, err := tx.Query(ctx, `INSERT INTO case_counters AS cc (unit_id, year, kind, last)
		SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[]) ORDER BY 1, 2, 3
		ON CONFLICT (unit_id, year, kind) DO UPDATE SET last = cc.last + EXCLUDED.last
		RETURNING unit_id, year, kind, last`, unitIDs, years, kinds, ns)
	if err != nil {
		return 0, 0, fmt.Errorf("reserve numbers: %w", err)
	}
	next := map[key]int{}
	for rows.Next() {
		var k key
		var kind string
		var last int
		if err := rows.Scan(&k.unit, &k.year, &kind, &last); err != nil {
			rows.Close()
			return 0, 0, err
		}
		k.kind = domain.CaseKind(kind)
		next[k] = last - counts[k] + 1
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("reserve numbers: %w", err)
	}
	caseRows := make([][]any, len(batch))
	var partyRows, leadRows [][]any
	for i, c := range batch {
		k := key{c.unit.id, c.year, c.kind}
		c.seq = next[k]
		next[k]++
		var article, clause any
		if c.article > 0 {
			article = int32(c.article)
			if c.clause > 0 {
				clause = int32(c.clause)
			}
		}
		caseRows[i] = []any{[16]byte(c.id), string(c.kind), fmt.Sprintf("%d/%d/%s", c.seq, c.year, c.kind.NumberTag()), int32(c.seq), int32(c.year),
			service.CaseCode(c.unit.code, c.year, c.kind, c.seq), c.unit.id, string(c.stage), c.receivedAt, string(c.channel), string(c.source),
			c.summary, c.reporter, string(c.repKind), c.contact, article, clause, "", c.secret, int32(1), [16]byte(c.createdBy), c.createdAt, c.createdAt}
		for _, p := range c.parties {
			partyRows = append(partyRows, []any{[16]byte(p.id), [16]byte(c.id), string(p.role), p.name, p.nationalID, p.birth, p.gender, p.address, c.createdAt})
		}
		if c.lead != nil {
			leadRows = append(leadRows, []any{[16]byte(c.lead.id), [16]byte(c.id), [16]byte(c.lead.userID), string(domain.AssignLead), [16]byte(c.lead.assignedBy), c.lead.at, "Phân công thụ lý"})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cases"}, []string{"id", "kind", "number", "seq", "year", "code", "unit_id", "stage",
		"received_at", "channel", "source_type", "summary", "reporter_name", "reporter_kind", "reporter_contact", "offence_article",
		"offence_clause", "offence_point", "secret", "version", "created_by", "created_at", "updated_at"}, pgx.CopyFromRows(caseRows)); err != nil {
		return 0, 0, fmt.Errorf("copy cases: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"case_parties"}, []string{"id", "case_id", "role", "full_name", "national_id", "birth_date",
		"gender", "address", "created_at"}, pgx.CopyFromRows(partyRows)); err != nil {
		return 0, 0, fmt.Errorf("copy parties: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"case_assignments"}, []string{"id", "case_id", "user_id", "role", "assigned_by",
		"assigned_at", "note"}, pgx.CopyFromRows(leadRows)); err != nil {
		return 0, 0, fmt.Errorf("copy assignments: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, 0, err
	}
	return len(partyRows), len(leadRows), nil
}
