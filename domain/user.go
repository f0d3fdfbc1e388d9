package domain

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Role is what a grant lets a person do. What each role may do at which scope is policy data
// (role_permissions, enforced through casbin), not code.
type Role string

// The roles of the procuracy.
const (
	RoleClerk       Role = "clerk"        // thư ký / văn thư: registers reports and cases
	RoleProsecutor  Role = "prosecutor"   // kiểm sát viên: works the cases assigned to them
	RoleDeputyChief Role = "deputy_chief" // phó viện trưởng
	RoleChief       Role = "chief"        // viện trưởng: the unit, and supervision of its subtree
	RoleUnitAdmin   Role = "unit_admin"   // quản trị đơn vị: users and grants of the subtree
	RoleAuditor     Role = "auditor"      // thanh tra, kiểm tra: read-only and the audit log
	RoleSystemAdmin Role = "system_admin" // quản trị hệ thống
	RoleService     Role = "service"      // machine clients of other levels or agencies
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleClerk, RoleProsecutor, RoleDeputyChief, RoleChief, RoleUnitAdmin, RoleAuditor, RoleSystemAdmin, RoleService}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is a member of staff (cán bộ) or a service account, belonging to one unit.
type User struct {
	ID                 string
	Username           string
	FullName           string
	Email              string
	UnitID             int64
	Active             bool
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        *time.Time
	PasswordChangedAt  time.Time
	Version            int
	CreatedAt          time.Time
}

// Grant gives a user a role at a unit. The role's permissions reach either that unit only or its
// whole subtree, as the policy says.
type Grant struct {
	ID        string
	UserID    string
	Role      Role
	UnitID    int64
	UnitPath  UnitPath
	UnitCode  string
	GrantedBy string
	CreatedAt time.Time
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// ValidUsername reports whether a username has the registry's shape: 3–64 lower-case ASCII
// letters, digits, dot, dash, underscore.
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// MinPasswordLength is the shortest password accepted. Length beats composition rules (NIST
// SP 800-63B), so only a minimum length and a few obvious checks are enforced.
const MinPasswordLength = 10

// CheckPassword validates a new password, adding problems to v under the given field.
func CheckPassword(v *Validation, field, password, username string) {
	n := len([]rune(password))
	switch {
	case n < MinPasswordLength:
		v.Add(field, "min_length", "mật khẩu phải có ít nhất 10 ký tự")
	case n > 256:
		v.Add(field, "max_length", "mật khẩu tối đa 256 ký tự")
	case username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		v.Add(field, "contains_username", "mật khẩu không được chứa tên đăng nhập")
	case strings.IndexFunc(password, func(r rune) bool { return !unicode.IsSpace(r) }) < 0:
		v.Add(field, "blank", "mật khẩu không được để trống")
	}
}

// UserInput is what an administrator supplies to create a user.
type UserInput struct {
	Username           string
	FullName           string
	Email              string
	UnitID             int64
	Password           string
	MustChangePassword bool
}

// Validate checks the fields that do not need the database.
func (in UserInput) Validate() error {
	var v Validation
	if !ValidUsername(in.Username) {
		v.Add("username", "format", "tên đăng nhập 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới")
	}
	if n := len([]rune(strings.TrimSpace(in.FullName))); n < 2 || n > 200 {
		v.Add("full_name", "length", "họ và tên từ 2 đến 200 ký tự")
	}
	if in.Email != "" && (len(in.Email) > 254 || !strings.Contains(in.Email, "@")) {
		v.Add("email", "format", "địa chỉ thư điện tử không hợp lệ")
	}
	if in.UnitID <= 0 {
		v.Add("unit_id", "required", "phải chọn đơn vị")
	}
	CheckPassword(&v, "password", in.Password, in.Username)
	return v.Err()
}

// UserPatch changes a user; nil fields stay as they are.
type UserPatch struct {
	Version  int
	FullName *string
	Email    *string
	Active   *bool
	UnitID   *int64
}
