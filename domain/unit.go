package domain

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// UnitLevel is the place of a unit (đơn vị) in the procuracy organisation since the 2025 reform.
type UnitLevel string

// The levels. The tree itself is data of any depth, so a future reform is an edit, not a rewrite.
const (
	LevelSupreme            UnitLevel = "supreme"             // Viện kiểm sát nhân dân tối cao
	LevelSupremeDepartment  UnitLevel = "supreme_department"  // a department (Vụ, Cục) inside the Supreme Procuracy
	LevelAppellateInstitute UnitLevel = "appellate_institute" // Viện Công tố và kiểm sát xét xử phúc thẩm
	LevelProvincial         UnitLevel = "provincial"          // VKSND cấp tỉnh
	LevelRegional           UnitLevel = "regional"            // VKSND khu vực
	LevelMilitaryCentral    UnitLevel = "military_central"    // Viện kiểm sát quân sự trung ương
	LevelMilitaryZone       UnitLevel = "military_zone"       // VKS quân sự quân khu và tương đương
	LevelMilitaryRegional   UnitLevel = "military_regional"   // VKS quân sự khu vực
)

// UnitLevels lists every level in a stable order, for validation and documentation.
var UnitLevels = []UnitLevel{LevelSupreme, LevelSupremeDepartment, LevelAppellateInstitute, LevelProvincial,
	LevelRegional, LevelMilitaryCentral, LevelMilitaryZone, LevelMilitaryRegional}

// Valid reports whether l is a known level.
func (l UnitLevel) Valid() bool {
	for _, x := range UnitLevels {
		if x == l {
			return true
		}
	}
	return false
}

// UnitPath is the materialized path of a unit: the ids from the root down to the unit, joined by
// dots ("1.4.27"). It makes "is X inside Y's subtree" a prefix test in Go and an ltree <@ in SQL.
type UnitPath string

// Contains reports whether other is p itself or a descendant of p.
func (p UnitPath) Contains(other UnitPath) bool {
	return other == p || strings.HasPrefix(string(other), string(p)+".")
}

// Child returns the path of a child unit with the given id.
func (p UnitPath) Child(id int64) UnitPath {
	if p == "" {
		return UnitPath(strconv.FormatInt(id, 10))
	}
	return UnitPath(string(p) + "." + strconv.FormatInt(id, 10))
}

// Depth is the number of units from the root to this one, the root counting as 1.
func (p UnitPath) Depth() int {
	if p == "" {
		return 0
	}
	return strings.Count(string(p), ".") + 1
}

// Unit is one procuracy in the tree.
type Unit struct {
	ID            int64
	Code          string
	Name          string
	NameEN        string
	Level         UnitLevel
	ParentID      *int64
	Path          UnitPath
	Active        bool
	EffectiveFrom time.Time
	EffectiveTo   *time.Time
	Version       int
}

var unitCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_.-]{1,39}$`)

// ValidUnitCode reports whether a unit code has the shape the registry uses in case codes:
// upper-case letters, digits, dot, dash and underscore, 2 to 40 characters.
func ValidUnitCode(code string) bool { return unitCodeRE.MatchString(code) }

// UnitInput is what an administrator supplies to create a unit.
type UnitInput struct {
	Code          string
	Name          string
	NameEN        string
	Level         UnitLevel
	ParentID      *int64
	EffectiveFrom *time.Time
}

// Validate checks the fields that do not need the database.
func (in UnitInput) Validate() error {
	var v Validation
	if !ValidUnitCode(in.Code) {
		v.Add("code", "format", "mã đơn vị gồm 2–40 ký tự: chữ in hoa, số, dấu chấm, gạch ngang, gạch dưới")
	}
	if n := len([]rune(strings.TrimSpace(in.Name))); n < 2 || n > 200 {
		v.Add("name", "length", "tên đơn vị từ 2 đến 200 ký tự")
	}
	if len([]rune(in.NameEN)) > 200 {
		v.Add("name_en", "length", "English name at most 200 characters")
	}
	if !in.Level.Valid() {
		v.Add("level", "enum", "cấp đơn vị không hợp lệ")
	}
	if in.ParentID == nil && in.Level != LevelSupreme {
		v.Add("parent_id", "required", "đơn vị phải có đơn vị cấp trên (trừ Viện kiểm sát nhân dân tối cao)")
	}
	return v.Err()
}

// UnitPatch changes a unit; nil fields stay as they are. Moving a unit (ParentID) rewrites the
// paths of its subtree only, never case rows.
type UnitPatch struct {
	Version     int
	Name        *string
	NameEN      *string
	Active      *bool
	ParentID    *int64
	EffectiveTo *time.Time
}
