package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kiemsat/domain"
)

// moreRoutes are the supervision and administration pages.
func (s *Server) moreRoutes(m *http.ServeMux) {
	m.Handle("GET /dashboard", s.user(s.dashboard))

	m.Handle("GET /violations", s.user(s.violationList))

	m.Handle("GET /statistics", s.user(s.statisticsPage))
	m.Handle("GET /statistics/cases", s.user(s.statisticCases))
	m.Handle("GET /statistics/export", s.user(s.statisticsExport))

	m.Handle("GET /admin", s.user(s.adminHome))
	m.Handle("GET /admin/users", s.user(s.adminUsers))
	m.Handle("GET /admin/users/new", s.user(s.adminUserNew))
	m.Handle("POST /admin/users", s.user(s.adminUserCreate))
	m.Handle("GET /admin/users/{id}", s.user(s.adminUser))
	m.Handle("POST /admin/users/{id}/active", s.user(s.adminUserActive))
	m.Handle("POST /admin/users/{id}/grants", s.user(s.adminGrantAdd))
	m.Handle("POST /admin/users/{id}/grants/{grant}/revoke", s.user(s.adminGrantRevoke))
	m.Handle("GET /admin/units", s.user(s.adminUnits))
	m.Handle("POST /admin/units", s.user(s.adminUnitCreate))
	m.Handle("GET /admin/units/{id}", s.user(s.adminUnit))
	m.Handle("POST /admin/units/{id}", s.user(s.adminUnitUpdate))
	m.Handle("GET /admin/calendar", s.user(s.adminCalendar))
	m.Handle("POST /admin/calendar", s.user(s.adminCalendarPut))
	m.Handle("POST /admin/calendar/{date}/delete", s.user(s.adminCalendarDelete))
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// flashOf is the message of a ?flash= key after a redirect; an unknown key shows nothing.
func (s *Server) flashOf(r *http.Request) string {
	f := r.URL.Query().Get("flash")
	if f == "" {
		return ""
	}
	if _, ok := messages["flash."+f]; !ok {
		return ""
	}
	return tr(s.lang(r), "flash."+f)
}

// pager is an offset-paged list's position: what is shown of the total, and the links to the
// previous and next pages with the same filters.
type pager struct {
	Path          string
	Query         url.Values
	Total         int64
	Limit, Offset int
	Shown         int
}

// From and To number the rows shown, from 1; From is 0 on an empty page.
func (p pager) From() int {
	if p.Shown == 0 {
		return 0
	}
	return p.Offset + 1
}

func (p pager) To() int { return p.Offset + p.Shown }

func (p pager) link(offset int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = append([]string(nil), v...)
	}
	q.Del("flash")
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	} else {
		q.Del("offset")
	}
	if enc := q.Encode(); enc != "" {
		return p.Path + "?" + enc
	}
	return p.Path
}

// Prev and Next are the links to the neighbouring pages, "" when there is none.
func (p pager) Prev() string {
	if p.Offset <= 0 {
		return ""
	}
	return p.link(max(0, p.Offset-p.Limit))
}

func (p pager) Next() string {
	if int64(p.Offset+p.Shown) >= p.Total || p.Shown == 0 {
		return ""
	}
	return p.link(p.Offset + p.Limit)
}

// maxOffset bounds offset paging, as the services do.
const maxOffset = 100000

// pageQuery reads limit and offset; values out of range fall back to the defaults.
func pageQuery(q url.Values) (limit, offset int) {
	limit = domain.DefaultPageSize
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= domain.MaxPageSize {
		limit = n
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 && n <= maxOffset {
		offset = n
	}
	return limit, offset
}

// unitQuery reads the unit filter of a list (unit_id and include_subunits, the subtree by
// default); a bad unit id is a filter error and is not applied.
func unitQuery(q url.Values, errs map[string]string) (*int64, bool) {
	var unit *int64
	if v := q.Get("unit_id"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			unit = &id
		} else {
			errs["unit_id"] = "filter.bad_unit"
		}
	}
	return unit, q.Get("include_subunits") != "false"
}

// comparePaths orders units as a tree: a parent before its subtree, siblings by id. The paths are
// compared id by id as numbers ("1.2" before "1.10"), which a comparison as text gets wrong.
func comparePaths(a, b domain.UnitPath) int {
	as, bs := strings.Split(string(a), "."), strings.Split(string(b), ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.ParseInt(as[i], 10, 64)
		y, _ := strconv.ParseInt(bs[i], 10, 64)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return len(as) - len(bs)
}

// treeUnits are the units a scope permits, in tree order (see comparePaths).
func treeUnits(all []domain.Unit, scope domain.Scope) []domain.Unit {
	return scopeUnits(all, scope)
}

// moreMessages are the text of the supervision and administration pages.
var moreMessages = map[string][2]string{
	// Shared.
	"more.apply":        {"Áp dụng", "Apply"},
	"more.reset":        {"Bỏ lọc", "Reset"},
	"more.all":          {"Tất cả", "All"},
	"more.unit":         {"Đơn vị", "Unit"},
	"more.all_units":    {"Mọi đơn vị trong phạm vi", "Every unit in scope"},
	"more.only_unit":    {"Chỉ riêng đơn vị này (không gồm cấp dưới)", "This unit only (not its subunits)"},
	"more.case":         {"Hồ sơ", "Case"},
	"more.pages":        {"Phân trang", "Pages"},
	"more.prev":         {"Trang trước", "Previous"},
	"more.next":         {"Trang sau", "Next"},
	"more.shown":        {"Hiển thị %d–%d / %s", "Showing %d–%d of %s"},
	"more.none":         {"Không có bản ghi nào.", "Nothing to show."},
	"more.yes":          {"Có", "Yes"},
	"more.no":           {"Không", "No"},
	"more.save":         {"Lưu", "Save"},
	"more.filters":      {"Bộ lọc", "Filters"},
	"more.actions":      {"Thao tác", "Actions"},
	"more.date_hint":    {"Dạng dd/mm/yyyy", "As dd/mm/yyyy"},
	"filter.bad_period": {"kỳ phải là năm (2026), quý (2026-Q3) hoặc tháng (2026-11)", "a period is a year (2026), a quarter (2026-Q3) or a month (2026-11)"},
	"filter.bad_by":     {"cách phân tổ không hợp lệ", "not a breakdown"},
	"filter.bad_open":   {"trạng thái không hợp lệ", "not a state"},

	// Violations, findings, recommendations.
	"viol.title":              {"Vi phạm và kiến nghị", "Violations and recommendations"},
	"viol.views":              {"Loại danh sách", "Lists"},
	"viol.view.deadlines":     {"Vi phạm thời hạn tố tụng", "Time-limit violations"},
	"viol.view.findings":      {"Vi phạm tố tụng phát hiện", "Procedural defects found"},
	"viol.view.recs":          {"Kiến nghị, yêu cầu", "Recommendations and requests"},
	"viol.state":              {"Tình trạng", "State"},
	"viol.open":               {"Chưa khắc phục", "Not remedied"},
	"viol.remedied":           {"Đã khắc phục", "Remedied"},
	"viol.rule":               {"Quy định thời hạn", "Time-limit rule"},
	"viol.all_rules":          {"Mọi quy định", "Every rule"},
	"viol.article":            {"Căn cứ", "Legal basis"},
	"viol.due":                {"Hạn cuối", "Due"},
	"viol.detected":           {"Phát hiện lúc", "Found at"},
	"viol.met":                {"Khắc phục lúc", "Remedied at"},
	"viol.days_late":          {"Số ngày quá hạn", "Days late"},
	"viol.withdrawn":          {"Đã rút", "Withdrawn"},
	"viol.severity":           {"Mức độ", "Severity"},
	"viol.sev.violation":      {"Vi phạm", "Violation"},
	"viol.sev.warning":        {"Cảnh báo", "Warning"},
	"viol.defect":             {"Nội dung vi phạm", "Defect"},
	"viol.remedy":             {"Biện pháp đề xuất", "Suggested remedy"},
	"viol.found":              {"Phát hiện lúc", "Found at"},
	"viol.resolved":           {"Hết vi phạm lúc", "Resolved at"},
	"viol.rec_kind":           {"Loại văn bản", "Kind"},
	"viol.rec_status":         {"Trạng thái", "Status"},
	"viol.addressee":          {"Nơi nhận", "Addressee"},
	"viol.subject":            {"Trích yếu", "Subject"},
	"viol.rec_number":         {"Số văn bản", "Number"},
	"viol.sent_on":            {"Ngày gửi", "Sent on"},
	"viol.due_on":             {"Hạn trả lời", "Reply due"},
	"rec.kind.recommendation": {"Kiến nghị", "Recommendation"},
	"rec.kind.request":        {"Yêu cầu", "Request"},
	"rec.status.draft":        {"Dự thảo", "Draft"},
	"rec.status.sent":         {"Đã gửi", "Sent"},
	"rec.status.answered":     {"Đã trả lời", "Answered"},
	"rec.status.resolved":     {"Đã khắc phục", "Resolved"},
	"rec.status.withdrawn":    {"Đã rút", "Withdrawn"},
	"remedy.request":          {"Yêu cầu", "Request"},
	"remedy.recommendation":   {"Kiến nghị", "Recommendation"},

	// Statistics.
	"stat.title":        {"Thống kê tự động", "Automatic statistics"},
	"stat.period":       {"Kỳ thống kê", "Period"},
	"stat.year":         {"Năm %d", "Year %d"},
	"stat.quarter":      {"Quý %[1]s/%[2]d", "Q%[3]d %[2]d"},
	"stat.month":        {"Tháng %s/%d", "%s/%d"},
	"stat.by":           {"Phân tổ theo", "Break down by"},
	"stat.by.none":      {"Không phân tổ (chỉ tổng)", "No breakdown (totals)"},
	"stat.by.unit":      {"Đơn vị", "Unit"},
	"stat.by.class":     {"Mức độ tội phạm", "Severity class"},
	"stat.by.chapter":   {"Chương BLHS", "Penal Code chapter"},
	"stat.indicator":    {"Chỉ tiêu", "Indicator"},
	"stat.total":        {"Tổng", "Total"},
	"stat.unknown":      {"Chưa xác định", "Unknown"},
	"stat.chapter":      {"Chương %s", "Chapter %s"},
	"stat.export":       {"Xuất Excel", "Export to Excel"},
	"stat.range":        {"Từ %s đến %s", "From %s to %s"},
	"stat.at":           {"Số liệu tính lúc %s", "Computed at %s"},
	"stat.table":        {"Bảng chỉ tiêu thống kê", "Indicator table"},
	"stat.drill":        {"Hồ sơ của số liệu", "Cases behind the figure"},
	"stat.back":         {"Quay lại bảng thống kê", "Back to the statistics"},
	"stat.cell_unit":    {"Đơn vị: %s", "Unit: %s"},
	"stat.cell_class":   {"Mức độ: %s", "Class: %s"},
	"stat.cell_chapter": {"Chương BLHS: %s", "Penal Code chapter: %s"},
	"stat.count_note":   {"Số liệu đếm từ các quyết định, sự kiện đã ghi nhận; bấm vào một số để xem hồ sơ tạo nên số đó.", "Figures are counted from the decisions and events recorded; follow a figure to see the cases behind it."},

	// Administration.
	"admin.title":             {"Quản trị", "Administration"},
	"admin.users":             {"Người dùng", "Users"},
	"admin.users_hint":        {"Tài khoản cán bộ trong phạm vi quản trị, vai trò và đơn vị được phân quyền.", "Staff accounts in your scope, their roles and units."},
	"admin.units":             {"Đơn vị", "Units"},
	"admin.units_hint":        {"Cây tổ chức các Viện kiểm sát; tạo mới, đổi tên đơn vị.", "The tree of procuracies; create and rename units."},
	"admin.calendar":          {"Lịch nghỉ lễ, Tết", "Holiday calendar"},
	"admin.calendar_hint":     {"Ngày nghỉ lễ, Tết, nghỉ bù và làm bù dùng để tính thời hạn tố tụng.", "Holidays, Tết, days off in lieu and make-up working days the time limits count by."},
	"admin.search":            {"Tìm theo tên đăng nhập hoặc họ tên", "Search by username or name"},
	"admin.username":          {"Tên đăng nhập", "Username"},
	"admin.username_hint":     {"3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới.", "3–64 characters: lower-case letters, digits, dot, dash, underscore."},
	"admin.full_name":         {"Họ và tên", "Full name"},
	"admin.email":             {"Thư điện tử", "E-mail"},
	"admin.status":            {"Trạng thái", "Status"},
	"admin.active":            {"Đang hoạt động", "Active"},
	"admin.inactive":          {"Đã vô hiệu hóa", "Deactivated"},
	"admin.locked":            {"Tạm khóa đến %s", "Locked until %s"},
	"admin.must_change":       {"Phải đổi mật khẩu", "Must change password"},
	"admin.new_user":          {"Tạo người dùng", "Create a user"},
	"admin.password":          {"Mật khẩu ban đầu", "Initial password"},
	"admin.password_hint":     {"Ít nhất 10 ký tự, không chứa tên đăng nhập. Trao trực tiếp cho người dùng.", "At least 10 characters, not containing the username. Hand it over in person."},
	"admin.must_change_label": {"Buộc đổi mật khẩu khi đăng nhập lần đầu", "Must change the password at first login"},
	"admin.create":            {"Tạo người dùng", "Create user"},
	"admin.user":              {"Người dùng", "User"},
	"admin.created":           {"Tạo lúc", "Created"},
	"admin.grants":            {"Vai trò được phân quyền", "Grants"},
	"admin.no_grants":         {"Chưa được phân quyền.", "No grants."},
	"admin.role":              {"Vai trò", "Role"},
	"admin.granted_at":        {"Cấp lúc", "Granted"},
	"admin.revoke":            {"Thu hồi", "Revoke"},
	"admin.revoke_label":      {"Thu hồi vai trò %s tại %s", "Revoke %s at %s"},
	"admin.add_grant":         {"Cấp vai trò", "Add a grant"},
	"admin.grant_submit":      {"Cấp vai trò", "Grant"},
	"admin.deactivate":        {"Vô hiệu hóa tài khoản", "Deactivate the account"},
	"admin.activate":          {"Kích hoạt lại tài khoản", "Reactivate the account"},
	"admin.deactivate_hint":   {"Vô hiệu hóa chấm dứt mọi phiên đăng nhập của người dùng.", "Deactivating ends every session of the user."},
	"admin.code":              {"Mã", "Code"},
	"admin.name":              {"Tên đơn vị", "Name"},
	"admin.name_en":           {"Tên tiếng Anh", "English name"},
	"admin.level":             {"Cấp", "Level"},
	"admin.parent":            {"Đơn vị cấp trên", "Parent unit"},
	"admin.new_unit":          {"Tạo đơn vị", "Create a unit"},
	"admin.unit_code_hint":    {"2–40 ký tự: chữ in hoa, số, dấu chấm, gạch ngang, gạch dưới.", "2–40 characters: capitals, digits, dot, dash, underscore."},
	"admin.create_unit":       {"Tạo đơn vị", "Create unit"},
	"admin.edit_unit":         {"Sửa đơn vị", "Edit the unit"},
	"admin.rename":            {"Lưu tên đơn vị", "Save the names"},
	"admin.unit_active":       {"Đang hoạt động", "Active"},
	"admin.edit":              {"Sửa", "Edit"},
	"admin.year":              {"Năm", "Year"},
	"admin.show":              {"Xem", "Show"},
	"admin.date":              {"Ngày", "Date"},
	"admin.weekday":           {"Thứ", "Weekday"},
	"admin.day_name":          {"Tên ngày nghỉ", "Name"},
	"admin.day_name_en":       {"Tên tiếng Anh", "English name"},
	"admin.day_kind":          {"Loại ngày", "Kind"},
	"admin.day_source":        {"Căn cứ (văn bản công bố)", "Source (announcement)"},
	"admin.day_confirmed":     {"Đã được Chính phủ công bố chính thức", "Officially announced"},
	"admin.day_off":           {"Ngày nghỉ", "Day off"},
	"admin.day_form":          {"Thêm hoặc sửa một ngày", "Add or change a day"},
	"admin.day_form_hint":     {"Nhập ngày đã có để thay nội dung của ngày đó. Các thời hạn tính qua ngày này được tính lại ngay.", "A date already listed is replaced. Time limits counted across it are recomputed at once."},
	"admin.day_delete":        {"Xóa", "Delete"},
	"admin.day_delete_label":  {"Xóa ngày %s", "Delete %s"},
	"admin.no_days":           {"Năm này chưa có ngày nào trong lịch.", "No day listed for this year."},
	"admin.provisional":       {"Dự kiến", "Provisional"},
	"admin.bad_year":          {"năm phải là số, ví dụ 2026", "a year is a number, such as 2026"},
	"admin.date_required":     {"phải nhập ngày", "enter the date"},
	"admin.read_only":         {"Bạn chỉ được xem mục này.", "You may only view this section."},
	"admin.kind.statutory":    {"Ngày lễ, Tết (Điều 112 BLLĐ)", "Public holiday"},
	"admin.kind.tet_span":     {"Nghỉ Tết theo quyết định của Thủ tướng", "Tết span"},
	"admin.kind.compensatory": {"Nghỉ bù, hoán đổi", "Day off in lieu"},
	"admin.kind.swap_workday": {"Làm bù (thứ Bảy đi làm)", "Make-up working Saturday"},
	"admin.role.clerk":        {"Thư ký, văn thư", "Clerk"},
	"admin.role.prosecutor":   {"Kiểm sát viên", "Prosecutor"},
	"admin.role.deputy_chief": {"Phó Viện trưởng", "Deputy chief"},
	"admin.role.chief":        {"Viện trưởng", "Chief"},
	"admin.role.unit_admin":   {"Quản trị đơn vị", "Unit administrator"},
	"admin.role.auditor":      {"Thanh tra, kiểm tra", "Auditor"},
	"admin.role.system_admin": {"Quản trị hệ thống", "System administrator"},
	"admin.role.service":      {"Ứng dụng kết nối", "Service client"},
	"weekday.0":               {"Chủ nhật", "Sunday"},
	"weekday.1":               {"Thứ Hai", "Monday"},
	"weekday.2":               {"Thứ Ba", "Tuesday"},
	"weekday.3":               {"Thứ Tư", "Wednesday"},
	"weekday.4":               {"Thứ Năm", "Thursday"},
	"weekday.5":               {"Thứ Sáu", "Friday"},
	"weekday.6":               {"Thứ Bảy", "Saturday"},
	"flash.user_created":      {"Đã tạo người dùng.", "User created."},
	"flash.user_updated":      {"Đã cập nhật tài khoản.", "Account updated."},
	"flash.grant_added":       {"Đã cấp vai trò.", "Grant added."},
	"flash.grant_revoked":     {"Đã thu hồi vai trò.", "Grant revoked."},
	"flash.unit_created":      {"Đã tạo đơn vị.", "Unit created."},
	"flash.unit_updated":      {"Đã lưu đơn vị.", "Unit saved."},
	"flash.day_saved":         {"Đã lưu ngày vào lịch; thời hạn liên quan đã được tính lại.", "Day saved; the time limits concerned were recomputed."},
	"flash.day_deleted":       {"Đã xóa ngày khỏi lịch; thời hạn liên quan đã được tính lại.", "Day deleted; the time limits concerned were recomputed."},
}
