// Package gen fills the registry with synthetic cases for benchmarks and load tests. It writes
// with COPY in batches, each batch in its own transaction, and keeps case_counters in step so
// that registrations made through the service afterwards (or meanwhile) get the next number and
// never collide with a generated one.
//
// Each case is spread to a stage of the lifecycle (stageShares: most open cases in report
// resolution, investigation, prosecution and trial) with the history that leads there: its
// decisions, accused with their charges, custody and detention orders, every step judged by
// workflow.Apply or workflow.Decide against the state the earlier steps left, as the service
// judges them. Its clocks are then computed by workflow.Clocks at Config.Now with the shipped
// legal calendar, converted by service.ClockRecords and copied into case_clocks in the same
// transaction, with the violations a recompute would record for the clocks found missed or met
// late (the outbox events it would enqueue are left out).
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
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/service"
	"kiemsat/service/seed"
	"kiemsat/workflow"
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
	Cases, Parties, Assignments                   int
	Decisions, Accused, Charges, Measures, Clocks int
	Violations                                    int
	Stages                                        map[domain.Stage]int
	// Refused counts the cases whose planned history the transition table refused part of (they
	// stop at the last step it allowed); FirstRefusal says why for the first of them. Both stay
	// empty unless the generator and the table disagree.
	Refused      int
	FirstRefusal error
	Elapsed      time.Duration
}

// Rows is the number of rows the run inserted.
func (r Result) Rows() int {
	return r.Cases + r.Parties + r.Assignments + r.Decisions + r.Accused + r.Charges + r.Measures + r.Clocks + r.Violations
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
	kind       domain.CaseKind // now: a report instituted as a case is a case
	registered domain.CaseKind // as registered
	unit       *unitInfo
	year       int
	seq        int
	reportSeq  int // the report's number once it became a case
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
	version    int
	updatedAt  time.Time
	decisions  []domain.Decision
	accused    []domain.Accused
	clocks     []domain.ClockRecord
	refused    error
	// accusedUpdated is when each accused's status last changed.
	accusedUpdated map[string]time.Time
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

// Run generates cfg.Cases cases into the database behind pool. A first pass draws every case's
// story to learn its received date; the second generates the cases in received order, one batch
// ahead of the batch being copied in, so that the generator and PostgreSQL work at the same time.
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
	g, err := newGenerator(cfg, units, creator)
	if err != nil {
		return Result{}, err
	}
	plans := g.plans()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*caseRec, 1)
	go func() {
		defer close(batches)
		for done := 0; done < len(plans); {
			n := min(cfg.Batch, len(plans)-done)
			batch := make([]*caseRec, n)
			for i := range batch {
				batch[i] = g.next(plans[done+i])
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
			done += n
		}
	}()
	res := Result{Stages: map[domain.Stage]int{}}
	for n := 1; ; n++ {
		batch, ok := <-batches
		if !ok {
			break
		}
		// The facts of each batch are computed by joins over the tables being filled; without
		// statistics the planner takes them for empty and a batch crawls (minutes each on an empty
		// database). The copied tables are analyzed as they grow: in batches 1, 2, 4, 8, ….
		if err := insertBatch(ctx, pool, batch, cfg.Now, n&(n-1) == 0, &res); err != nil {
			return res, fmt.Errorf("gen: batch at case %d: %w", res.Cases, err)
		}
		if cfg.Progress != nil {
			cfg.Progress(len(batch))
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// The generated cases enter the change feed once each, as created, like cases recorded before
	// the feed existed (migration 00013), under the feed's lock so ids stay in commit order.
	tx, err := pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+strconv.FormatInt(repository.FeedLockKey, 10)+`)`); err != nil {
		return res, fmt.Errorf("gen: change feed lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO changes (at, case_id, kind, op, entity_id)
		SELECT c.created_at, c.id, 'case', 'created', c.id::text FROM cases c WHERE NOT EXISTS (SELECT 1 FROM changes ch WHERE ch.case_id = c.id)
		ORDER BY c.created_at, c.id`); err != nil {
		return res, fmt.Errorf("gen: change feed: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, err
	}
	if !cfg.SkipAnalyze {
		if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) cases, case_parties, case_assignments, case_counters, case_decisions, accused, charges,
			measures, case_clocks, violations, case_facts, caseload_stage_counts, caseload_day_counts, stat_facts, stat_counts, case_search`); err != nil {
			return res, fmt.Errorf("gen: analyze: %w", err)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func newGenerator(cfg Config, units []*unitInfo, creator uuid.UUID) (*generator, error) {
	g := &generator{cfg: cfg, units: units, creator: creator, pcg: mrand.NewPCG(cfg.Seed, 0), catalog: workflow.DefaultPenalCatalog(),
		cal: workflow.NewCalendar(workflow.DefaultCalendarDays(), true), lengths: map[domain.SeverityClass]*lengths{}}
	g.rng = mrand.New(g.pcg)
	for _, u := range units {
		g.totalWeight += u.weight
	}
	for _, w := range offenceWeights {
		g.offenceTotal += w
	}
	// The classes of the offences' clauses do not change across the window (the 2025 amendments
	// moved penalties, not classes, for these clauses), so a story can be plotted before its dates
	// are known; the charges are still read from the catalog on each accused's offence date.
	for _, off := range offences {
		var cs []domain.SeverityClass
		for clause := 1; clause <= off.maxClause; clause++ {
			pc, err := g.catalog.Lookup(strconv.Itoa(off.article), clause, cfg.Now)
			if err != nil {
				return nil, fmt.Errorf("gen: offence %d(%d): %w", off.article, clause, err)
			}
			cs = append(cs, pc.Class)
			if g.lengths[pc.Class] == nil {
				g.lengths[pc.Class] = lengthsFor(pc.Class)
			}
		}
		g.classes = append(g.classes, cs)
	}
	return g, nil
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
// batch instead of colliding with it. A report instituted as a case holds a number in both
// registers of its year, as the service gives it.
func insertBatch(ctx context.Context, pool *pgxpool.Pool, batch []*caseRec, now time.Time, analyze bool, res *Result) error {
	type key struct {
		unit int64
		year int
		kind domain.CaseKind
	}
	counts := map[key]int{}
	for _, c := range batch {
		counts[key{c.unit.id, c.year, c.registered}]++
		if c.registered != c.kind {
			counts[key{c.unit.id, c.year, c.kind}]++
		}
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
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	rows, err := tx.Query(ctx, `INSERT INTO case_counters AS cc (unit_id, year, kind, last)
		SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[]) ORDER BY 1, 2, 3
		ON CONFLICT (unit_id, year, kind) DO UPDATE SET last = cc.last + EXCLUDED.last
		RETURNING unit_id, year, kind, last`, unitIDs, years, kinds, ns)
	if err != nil {
		return fmt.Errorf("reserve numbers: %w", err)
	}
	next := map[key]int{}
	for rows.Next() {
		var k key
		var kind string
		var last int
		if err := rows.Scan(&k.unit, &k.year, &kind, &last); err != nil {
			rows.Close()
			return err
		}
		k.kind = domain.CaseKind(kind)
		next[k] = last - counts[k] + 1
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reserve numbers: %w", err)
	}
	var w rowSet
	for _, c := range batch {
		k := key{c.unit.id, c.year, c.registered}
		regSeq := next[k]
		next[k]++
		c.seq = regSeq
		reportNumber := ""
		if c.registered != c.kind {
			c.reportSeq = regSeq
			reportNumber = fmt.Sprintf("%d/%d/%s", regSeq, c.year, c.registered.NumberTag())
			ck := key{c.unit.id, c.year, c.kind}
			c.seq = next[ck]
			next[ck]++
		}
		w.add(c, reportNumber, service.CaseCode(c.unit.code, c.year, c.registered, regSeq), now)
		res.Stages[c.stage]++
		if c.refused != nil {
			if res.Refused == 0 {
				res.FirstRefusal = c.refused
			}
			res.Refused++
		}
	}
	// The facts the caseload and the statistics read, and the search rows, are kept by triggers on
	// every table copied below, each of which would recompute the whole batch's facts (migrations
	// 00015, 00018, 00024). A superuser copies with triggers off and computes the batch's facts and
	// search rows once; anyone else copies with the triggers on, slower but to the same result.
	var super bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return fmt.Errorf("role: %w", err)
	}
	if super {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
	}
	for _, t := range w.tables() {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	if super {
		ids := make([]string, len(batch))
		for i, c := range batch {
			ids[i] = c.id.String()
		}
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = origin`); err != nil {
			return err
		}
		if analyze {
			if _, err := tx.Exec(ctx, `ANALYZE cases, case_parties, case_assignments, case_decisions, accused, charges, measures, case_clocks, violations`); err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `SELECT refresh_case_facts($1::uuid[]), refresh_stat_facts($1::uuid[]), case_search_refresh($1::uuid[])`, ids); err != nil {
			return fmt.Errorf("facts: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	res.Cases += len(batch)
	res.Parties += len(w.parties)
	res.Assignments += len(w.leads)
	res.Decisions += len(w.decisions)
	res.Accused += len(w.accused)
	res.Charges += len(w.charges)
	res.Measures += len(w.measures)
	res.Clocks += len(w.clocks)
	res.Violations += len(w.violations)
	return nil
}
