package workflow

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"kiemsat/domain"
)

// Name is a label in Vietnamese and English.
type Name struct{ VI, EN string }

// StageNames names every stage.
var StageNames = map[domain.Stage]Name{
	domain.StageReportResolution:  {"giải quyết nguồn tin", "crime report resolution"},
	domain.StageReportSuspended:   {"tạm đình chỉ giải quyết nguồn tin", "report resolution suspended"},
	domain.StageNotInstituted:     {"không khởi tố", "not instituted"},
	domain.StageInstitution:       {"khởi tố vụ án", "institution"},
	domain.StageInvestigation:     {"điều tra", "investigation"},
	domain.StageInvestigationSusp: {"tạm đình chỉ điều tra", "investigation suspended"},
	domain.StageSupplementary:     {"điều tra bổ sung", "supplementary investigation"},
	domain.StageProsecution:       {"truy tố", "prosecution"},
	domain.StageProsecutionSusp:   {"tạm đình chỉ vụ án (truy tố)", "suspended at prosecution"},
	domain.StageFirstInstance:     {"xét xử sơ thẩm", "first-instance trial"},
	domain.StageTrialSuspended:    {"tạm đình chỉ vụ án (xét xử)", "suspended at trial"},
	domain.StageAppeal:            {"phúc thẩm", "appeal"},
	domain.StageCassation:         {"giám đốc thẩm, tái thẩm", "cassation or reopening"},
	domain.StageExecution:         {"thi hành án", "execution of judgment"},
	domain.StageClosed:            {"kết thúc", "closed"},
	domain.StageTerminated:        {"đình chỉ", "terminated"},
	domain.StageJoined:            {"đã nhập vào vụ án khác", "joined into another case"},
}

// AccusedStatusNames names every accused status.
var AccusedStatusNames = map[domain.AccusedStatus]Name{
	domain.AccusedSuspect:    {"bị giữ, bị bắt, bị tạm giữ (chưa khởi tố)", "held, not yet instituted"},
	domain.AccusedPending:    {"chờ phê chuẩn khởi tố", "awaiting approval of the institution"},
	domain.AccusedInstituted: {"bị can", "instituted accused"},
	domain.AccusedSuspended:  {"tạm đình chỉ", "suspended"},
	domain.AccusedTerminated: {"đình chỉ", "terminated"},
	domain.AccusedCancelled:  {"hủy bỏ khởi tố", "institution cancelled"},
}

// MeasureStatusNames names every measure status.
var MeasureStatusNames = map[domain.MeasureStatus]Name{
	domain.MeasurePending: {"chờ phê chuẩn", "awaiting approval"},
	domain.MeasureActive:  {"đang áp dụng", "in force"},
	domain.MeasureEnded:   {"đã kết thúc", "ended"},
	domain.MeasureRefused: {"không được phê chuẩn", "approval refused"},
}

// IssuerNames names every issuing body.
var IssuerNames = map[domain.IssuerBody]Name{
	domain.IssuerInvestigation: {"Cơ quan điều tra", "the investigating agency"},
	domain.IssuerProcuracy:     {"Viện kiểm sát", "the procuracy"},
	domain.IssuerCourt:         {"Tòa án", "the court"},
	domain.IssuerParty:         {"người tham gia tố tụng", "a participant"},
}

// RoleNames names the roles that record steps.
var RoleNames = map[domain.Role]Name{
	domain.RoleProsecutor:  {"Kiểm sát viên được phân công", "the assigned prosecutor"},
	domain.RoleDeputyChief: {"Phó Viện trưởng", "a deputy chief procurator"},
	domain.RoleChief:       {"Viện trưởng", "the chief procurator"},
}

// LevelNames names the unit levels.
var LevelNames = map[domain.UnitLevel]Name{
	domain.LevelSupreme:            {"VKSND tối cao", "Supreme"},
	domain.LevelSupremeDepartment:  {"đơn vị thuộc VKSND tối cao", "Supreme department"},
	domain.LevelAppellateInstitute: {"Viện phúc thẩm", "appellate institute"},
	domain.LevelProvincial:         {"cấp tỉnh", "provincial"},
	domain.LevelRegional:           {"khu vực", "regional"},
	domain.LevelMilitaryCentral:    {"VKS quân sự trung ương", "central military"},
	domain.LevelMilitaryZone:       {"VKS quân sự quân khu", "military zone"},
	domain.LevelMilitaryRegional:   {"VKS quân sự khu vực", "military regional"},
}

func stateName(subject domain.Subject, s State) Name {
	if s == StateNew {
		return Name{"mới", "new"}
	}
	switch subject {
	case domain.SubjectAccused:
		return AccusedStatusNames[domain.AccusedStatus(s)]
	case domain.SubjectMeasure:
		return MeasureStatusNames[domain.MeasureStatus(s)]
	}
	return StageNames[domain.Stage(s)]
}

func statesVI(ss []State) string {
	var out []string
	for _, s := range ss {
		out = append(out, StageNames[domain.Stage(s)].VI)
	}
	return strings.Join(out, ", ")
}

func issuerVI(b domain.IssuerBody) string {
	if n, ok := IssuerNames[b]; ok {
		return n.VI
	}
	return "cơ quan không xác định"
}

func issuersVI(bs []domain.IssuerBody) string {
	var out []string
	for _, b := range bs {
		out = append(out, issuerVI(b))
	}
	return strings.Join(out, " hoặc ")
}

func rolesVI(rs []domain.Role) string {
	var out []string
	for _, r := range rs {
		out = append(out, RoleNames[r].VI)
	}
	return strings.Join(out, ", ")
}

func levelsVI(ls []domain.UnitLevel) string {
	var out []string
	for _, l := range ls {
		out = append(out, LevelNames[l].VI)
	}
	return strings.Join(out, ", ")
}

// lower turns the first letter to lower case, for names used inside a sentence.
func lower(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
