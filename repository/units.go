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

// int64Array passes a []int64 as one PostgreSQL array parameter; gorm would otherwise expand a
// slice into an IN list.
type int64Array []int64

// Value renders the array literal.
func (a int64Array) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(v, 10))
	}
	b.WriteByte('}')
	return b.String(), nil
}

type unitRow struct {
	ID            int64      `gorm:"column:id;primaryKey"`
	Code          string     `gorm:"column:code"`
	Name          string     `gorm:"column:name"`
	NameEN        string     `gorm:"column:name_en"`
	Level         string     `gorm:"column:level"`
	ParentID      *int64     `gorm:"column:parent_id"`
	Path          string     `gorm:"column:path"`
	Active        bool       `gorm:"column:active"`
	EffectiveFrom time.Time  `gorm:"column:effective_from"`
	EffectiveTo   *time.Time `gorm:"column:effective_to"`
	Version       int        `gorm:"column:version"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	UpdatedAt     time.Time  `gorm:"column:updated_at"`
}

func (unitRow) TableName() string { return "units" }

func (r unitRow) toDomain() domain.Unit {
	return domain.Unit{ID: r.ID, Code: r.Code, Name: r.Name, NameEN: r.NameEN, Level: domain.UnitLevel(r.Level), ParentID: r.ParentID,
		Path: domain.UnitPath(r.Path), Active: r.Active, EffectiveFrom: r.EffectiveFrom, EffectiveTo: r.EffectiveTo, Version: r.Version}
}

const unitColumns = "id, code, name, name_en, level, parent_id, path::text AS path, active, effective_from, effective_to, version, created_at, updated_at"

// GetUnit loads one unit.
func (s *Store) GetUnit(ctx context.Context, id int64) (domain.Unit, error) {
	var r unitRow
	err := s.conn(ctx).Raw("SELECT "+unitColumns+" FROM units WHERE id = ?", id).Take(&r).Error
	if err != nil {
		return domain.Unit{}, translate(err, "đơn vị")
	}
	return r.toDomain(), nil
}

// GetUnitByCode loads one unit by its code.
func (s *Store) GetUnitByCode(ctx context.Context, code string) (domain.Unit, error) {
	var r unitRow
	err := s.conn(ctx).Raw("SELECT "+unitColumns+" FROM units WHERE code = ?", code).Take(&r).Error
	if err != nil {
		return domain.Unit{}, translate(err, "đơn vị")
	}
	return r.toDomain(), nil
}

// ListUnits returns the whole tree in path order (parents before children). The tree has a few
// hundred units, so one bounded query serves every use.
func (s *Store) ListUnits(ctx context.Context) ([]domain.Unit, error) {
	var rows []unitRow
	if err := s.conn(ctx).Raw("SELECT " + unitColumns + " FROM units ORDER BY path LIMIT 10000").Scan(&rows).Error; err != nil {
		return nil, translate(err, "đơn vị")
	}
	out := make([]domain.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// CreateUnit inserts a unit under its parent (or as the root), computing its path from a
// pre-allocated id so that the row is complete in one statement.
func (s *Store) CreateUnit(ctx context.Context, in domain.UnitInput, now time.Time) (domain.Unit, error) {
	db := s.conn(ctx)
	var id int64
	if err := db.Raw("SELECT nextval(pg_get_serial_sequence('units', 'id'))").Scan(&id).Error; err != nil {
		return domain.Unit{}, translate(err, "đơn vị")
	}
	var path domain.UnitPath
	if in.ParentID != nil {
		parent, err := s.GetUnit(ctx, *in.ParentID)
		if err != nil {
			return domain.Unit{}, err
		}
		path = parent.Path.Child(id)
	} else {
		path = domain.UnitPath("").Child(id)
	}
	from := now
	if in.EffectiveFrom != nil {
		from = *in.EffectiveFrom
	}
	err := db.Exec(`INSERT INTO units (id, code, name, name_en, level, parent_id, path, active, effective_from, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?::ltree, true, ?, ?, ?)`, id, in.Code, in.Name, in.NameEN, string(in.Level), in.ParentID, string(path), from, now, now).Error
	if err != nil {
		return domain.Unit{}, translate(err, "mã đơn vị")
	}
	return s.GetUnit(ctx, id)
}

// UpdateUnit applies a patch under optimistic concurrency. A move rewrites the path of the unit
// and every descendant in one statement; case rows are untouched.
func (s *Store) UpdateUnit(ctx context.Context, id int64, p domain.UnitPatch, now time.Time) (domain.Unit, error) {
	db := s.conn(ctx)
	sets := []string{"version = version + 1", "updated_at = ?"}
	args := []any{now}
	if p.Name != nil {
		sets, args = append(sets, "name = ?"), append(args, strings.TrimSpace(*p.Name))
	}
	if p.NameEN != nil {
		sets, args = append(sets, "name_en = ?"), append(args, *p.NameEN)
	}
	if p.Active != nil {
		sets, args = append(sets, "active = ?"), append(args, *p.Active)
	}
	if p.EffectiveTo != nil {
		sets, args = append(sets, "effective_to = ?"), append(args, *p.EffectiveTo)
	}
	if p.ParentID != nil {
		sets, args = append(sets, "parent_id = ?"), append(args, *p.ParentID)
	}
	args = append(args, id, p.Version)
	res := db.Exec("UPDATE units SET "+strings.Join(sets, ", ")+" WHERE id = ? AND version = ?", args...)
	if res.Error != nil {
		return domain.Unit{}, translate(res.Error, "đơn vị")
	}
	if res.RowsAffected != 1 {
		if _, err := s.GetUnit(ctx, id); err != nil {
			return domain.Unit{}, err
		}
		return domain.Unit{}, domain.Conflict("đơn vị đã bị thay đổi bởi người khác; hãy tải lại")
	}
	if p.ParentID != nil {
		err := db.Exec(`WITH moved AS (SELECT path AS old_path FROM units WHERE id = ?),
			np AS (SELECT path || ?::text AS new_path FROM units WHERE id = ?)
			UPDATE units u SET path = np.new_path || CASE WHEN nlevel(u.path) > nlevel(moved.old_path) THEN subpath(u.path, nlevel(moved.old_path)) ELSE ''::ltree END
			FROM moved, np WHERE u.path <@ moved.old_path`, id, strconv.FormatInt(id, 10), *p.ParentID).Error
		if err != nil {
			return domain.Unit{}, translate(err, "đơn vị")
		}
	}
	return s.GetUnit(ctx, id)
}

// scopeUnitIDs expands scope entries to the ids of every unit they reach.
func (s *Store) scopeUnitIDs(ctx context.Context, entries []domain.ScopeEntry) ([]int64, error) {
	var ids []int64
	var paths []string
	for _, e := range entries {
		if e.Subtree {
			paths = append(paths, string(e.UnitPath))
		} else {
			ids = append(ids, e.UnitID)
		}
	}
	if len(paths) > 0 {
		var sub []int64
		q := "SELECT id FROM units WHERE " + strings.TrimSuffix(strings.Repeat("path <@ ?::ltree OR ", len(paths)), " OR ")
		args := make([]any, len(paths))
		for i, p := range paths {
			args[i] = p
		}
		if err := s.conn(ctx).Raw(q, args...).Scan(&sub).Error; err != nil {
			return nil, fmt.Errorf("expand scope: %w", err)
		}
		ids = append(ids, sub...)
	}
	return dedupe(ids), nil
}

func dedupe(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
