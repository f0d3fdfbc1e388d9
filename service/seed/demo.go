package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/service"
)

// DemoUser is a demo account: who, where, and with which role.
type DemoUser struct {
	Username, FullName string
	Unit               string // unit code
	Role               domain.Role
	// RoleUnit is the unit of the grant when it differs from the user's unit.
	RoleUnit string
}

// DemoUsers are the accounts seed-demo creates, chosen to show every role and every relation
// between units: a regional unit of Hà Nội, its province, another province, the Supreme level.
var DemoUsers = []DemoUser{
	{"admin", "Quản trị hệ thống", SupremeCode, domain.RoleSystemAdmin, ""},
	{"tc.vientruong", "Lê Minh Chánh", SupremeCode, domain.RoleChief, ""},
	{"hn.vientruong", "Nguyễn Văn Hùng", ProvinceCode("HNI"), domain.RoleChief, ""},
	{"hn.quantri", "Trần Thị Mai", ProvinceCode("HNI"), domain.RoleUnitAdmin, ""},
	{"hn.thanhtra", "Phạm Quốc Bảo", ProvinceCode("HNI"), domain.RoleAuditor, ""},
	{"hn.ksv", "Đỗ Thị Hạnh", ProvinceCode("HNI"), domain.RoleProsecutor, ""},
	{"hnkv1.vientruong", "Vũ Đức Thắng", RegionalCode("HNI", 1), domain.RoleChief, ""},
	{"hnkv1.phovt", "Hoàng Thị Lan", RegionalCode("HNI", 1), domain.RoleDeputyChief, ""},
	{"hnkv1.ksv1", "Bùi Văn Nam", RegionalCode("HNI", 1), domain.RoleProsecutor, ""},
	{"hnkv1.ksv2", "Ngô Thị Thu", RegionalCode("HNI", 1), domain.RoleProsecutor, ""},
	{"hnkv1.thuky", "Đặng Văn Tú", RegionalCode("HNI", 1), domain.RoleClerk, ""},
	{"hnkv2.vientruong", "Lý Văn Long", RegionalCode("HNI", 2), domain.RoleChief, ""},
	{"hnkv2.thuky", "Mai Thị Hoa", RegionalCode("HNI", 2), domain.RoleClerk, ""},
	{"hcm.vientruong", "Trương Văn Phúc", ProvinceCode("HCM"), domain.RoleChief, ""},
	{"hcmkv1.thuky", "Phan Thị Ngọc", RegionalCode("HCM", 1), domain.RoleClerk, ""},
	{"hcmkv1.ksv", "Võ Minh Tâm", RegionalCode("HCM", 1), domain.RoleProsecutor, ""},
	{"dng.vientruong", "Huỳnh Văn Sơn", ProvinceCode("DNG"), domain.RoleChief, ""},
	{"qs.vientruong", "Đại tá Nguyễn Quang Vinh", "VKSQS-TW", domain.RoleChief, ""},
	{"svc.congan.hn", "Cơ quan CSĐT Công an TP Hà Nội", ProvinceCode("HNI"), domain.RoleService, ""},
}

// DemoDeps are what seeding demo data needs.
type DemoDeps struct {
	Tx        service.TxRunner
	Units     service.UnitStore
	Users     service.UserStore
	Auth      *service.Auth
	Cases     *service.Cases
	Procedure *service.Procedure
	Hasher    service.PasswordHasher
	Clock     service.Clock
}

// DepsOf builds the demo dependencies from the stores and the wired services.
func DepsOf(st service.Stores, svc *service.Services, hasher service.PasswordHasher, clock service.Clock) DemoDeps {
	return DemoDeps{Tx: st, Units: st, Users: st, Auth: svc.Auth, Cases: svc.Cases, Procedure: svc.Procedure, Hasher: hasher, Clock: clock}
}

// Demo loads the organisation, the demo users (all with the given password) and, when the
// registry is empty, demo cases registered and assigned through the services. It is idempotent.
func Demo(ctx context.Context, d DemoDeps, password string, mustChange bool) (map[string]domain.Unit, error) {
	now := d.Clock.Now()
	units, err := Org(ctx, d.Tx, d.Units, now)
	if err != nil {
		return nil, err
	}
	hash, err := d.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	created := false
	err = d.Tx.WithinTx(ctx, func(ctx context.Context) error {
		for _, du := range DemoUsers {
			if _, err := d.Users.GetCredentials(ctx, du.Username); err == nil {
				continue
			} else if domain.ErrorCodeOf(err) != domain.CodeNotFound {
				return err
			}
			created = true
			unit, ok := units[du.Unit]
			if !ok {
				return fmt.Errorf("demo user %s: unit %s missing", du.Username, du.Unit)
			}
			id, _ := uuid.NewV7()
			u := domain.User{ID: id.String(), Username: du.Username, FullName: du.FullName, UnitID: unit.ID, Active: true,
				MustChangePassword: mustChange, PasswordChangedAt: now, CreatedAt: now}
			if err := d.Users.CreateUser(ctx, u, hash); err != nil {
				return fmt.Errorf("demo user %s: %w", du.Username, err)
			}
			roleUnit := unit
			if du.RoleUnit != "" {
				roleUnit = units[du.RoleUnit]
			}
			gid, _ := uuid.NewV7()
			if _, err := d.Users.AddGrant(ctx, domain.Grant{ID: gid.String(), UserID: u.ID, Role: du.Role, UnitID: roleUnit.ID, CreatedAt: now}); err != nil {
				return fmt.Errorf("demo grant %s: %w", du.Username, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if created {
		if err := demoCases(ctx, d, now); err != nil {
			return nil, err
		}
	}
	return units, nil
}

// principalOf builds the Principal of a demo user, as the API would for their token.
func principalOf(ctx context.Context, d DemoDeps, username string) (*service.Principal, error) {
	cred, err := d.Users.GetCredentials(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("demo principal %s: %w", username, err)
	}
	return d.Auth.Authenticate(ctx, service.AccessClaims{UserID: cred.User.ID, PasswordEpoch: cred.User.PasswordChangedAt.Unix()}, service.Meta{RequestID: "seed-demo"})
}

type demoCase struct {
	clerk    string
	unit     string
	kind     domain.CaseKind
	source   domain.SourceType
	channel  domain.Channel
	daysAgo  int
	summary  string
	reporter string
	article  int
	clause   int
	secret   bool
	parties  []domain.Party
	lead     string // username of the lead prosecutor, assigned by the unit's chief
	chief    string
}

func demoCaseList() []demoCase {
	hn1, hn2, hcm1 := RegionalCode("HNI", 1), RegionalCode("HNI", 2), RegionalCode("HCM", 1)
	p := func(role domain.PartyRole, name, cccd string) domain.Party {
		return domain.Party{Role: role, FullName: name, NationalID: cccd}
	}
	return []demoCase{
		{"hnkv1.thuky", hn1, domain.KindReport, domain.SourceDenunciation, domain.ChannelInPerson, 3,
			"Bà Nguyễn Thị Hòa tố giác việc bị lấy trộm xe máy Honda Vision biển số 29X1-234.56 trước cửa nhà tại phường Cầu Giấy.",
			"Nguyễn Thị Hòa", 173, 1, false, []domain.Party{p(domain.PartyVictim, "Nguyễn Thị Hòa", "001185012345")}, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 40,
			"Cơ quan CSĐT khởi tố vụ án cố ý gây thương tích tại quán karaoke trên phố Trần Duy Hưng; nạn nhân tổn hại sức khỏe 35%.",
			"Cơ quan CSĐT Công an TP Hà Nội", 134, 3, false, []domain.Party{p(domain.PartyAccused, "Trần Văn Mạnh", "001090011122"), p(domain.PartyVictim, "Lê Văn Dũng", "001092033344")}, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 75,
			"Vụ án mua bán trái phép chất ma túy: bắt quả tang đối tượng tàng trữ 12 gam heroin để bán tại khu vực bến xe Mỹ Đình.",
			"Cơ quan CSĐT Công an TP Hà Nội", 251, 2, true, []domain.Party{p(domain.PartyAccused, "Hà Văn Tùng", "001088077788")}, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindReport, domain.SourceCrimeInformation, domain.ChannelElectronic, 12,
			"Ngân hàng thương mại báo tin về giao dịch lừa đảo chiếm đoạt 450 triệu đồng qua ứng dụng đầu tư tiền ảo giả mạo.",
			"Ngân hàng TMCP Á Châu - Chi nhánh Cầu Giấy", 174, 3, false, []domain.Party{p(domain.PartySuspect, "Không rõ danh tính", "")}, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv2.thuky", hn2, domain.KindReport, domain.SourceDenunciation, domain.ChannelPhone, 5,
			"Ông Phạm Văn Khoa tố giác bị hàng xóm đe dọa giết người bằng dao sau mâu thuẫn về ranh giới đất.",
			"Phạm Văn Khoa", 133, 1, false, []domain.Party{p(domain.PartySuspect, "Đinh Văn Lực", "001075099900"), p(domain.PartyVictim, "Phạm Văn Khoa", "001070088811")}, "hnkv2.vientruong", "hnkv2.vientruong"},
		{"hnkv2.thuky", hn2, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 120,
			"Vụ án tham ô tài sản tại Ban quản lý dự án quận: kế toán lập chứng từ khống rút 1,2 tỷ đồng.",
			"Cơ quan CSĐT Công an TP Hà Nội", 353, 3, false, []domain.Party{p(domain.PartyAccused, "Vương Thị Yến", "001186055566")}, "hnkv2.vientruong", "hnkv2.vientruong"},
		{"hcmkv1.thuky", hcm1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 30,
			"Vụ án cướp giật tài sản: đối tượng đi xe máy giật túi xách của du khách trên đường Đồng Khởi.",
			"Cơ quan CSĐT Công an TP Hồ Chí Minh", 171, 2, false, []domain.Party{p(domain.PartyAccused, "Lâm Văn Hậu", "079095012312")}, "hcmkv1.ksv", ""},
		{"hcmkv1.thuky", hcm1, domain.KindReport, domain.SourceProsecutionPetition, domain.ChannelMail, 8,
			"Thanh tra Sở Xây dựng kiến nghị khởi tố vi phạm quy định về xây dựng gây hậu quả nghiêm trọng tại công trình nhà ở.",
			"Thanh tra Sở Xây dựng TP Hồ Chí Minh", 298, 1, false, nil, "", ""},
		// From here on, cases whose stories (lifecycle.go) take them through the rest of the table.
		{"hnkv1.thuky", hn1, domain.KindReport, domain.SourceDenunciation, domain.ChannelInPerson, 25,
			"Anh Đặng Quốc Việt tố giác bị lấy trộm xe đạp cũ trị giá khoảng 800.000 đồng tại nhà xe chung cư.",
			"Đặng Quốc Việt", 173, 1, false, []domain.Party{p(domain.PartyVictim, "Đặng Quốc Việt", "001097055123")}, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 150,
			"Vụ án cướp tài sản tại cửa hàng vàng trên phố Hàng Bạc; bị can bỏ trốn khỏi nơi cư trú sau khi bị khởi tố.",
			"Cơ quan CSĐT Công an TP Hà Nội", 171, 2, false, nil, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 110,
			"Vụ án trộm cắp tài sản: đột nhập nhà dân ở phường Nghĩa Đô lấy trộm 120 triệu đồng và trang sức.",
			"Cơ quan CSĐT Công an TP Hà Nội", 173, 2, false, nil, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 130,
			"Vụ án vi phạm quy định về tham gia giao thông đường bộ: lái xe có nồng độ cồn gây tai nạn làm chết hai người.",
			"Cơ quan CSĐT Công an TP Hà Nội", 260, 3, false, nil, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 140,
			"Vụ án tiêu thụ tài sản do người khác phạm tội mà có: thu mua 15 xe máy trộm cắp tại cửa hàng sửa xe.",
			"Cơ quan CSĐT Công an TP Hà Nội", 323, 1, false, nil, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 220,
			"Vụ án đánh bạc dưới hình thức cá độ bóng đá qua mạng với số tiền 60 triệu đồng.",
			"Cơ quan CSĐT Công an TP Hà Nội", 321, 1, false, nil, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 60,
			"Vụ án cố ý gây thương tích 12% do xô xát tại quán nước; khởi tố theo yêu cầu của bị hại.",
			"Cơ quan CSĐT Công an TP Hà Nội", 134, 1, false, nil, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 30,
			"Vụ án cố ý gây thương tích thứ hai của nhóm đối tượng tại quán karaoke trên phố Trần Duy Hưng.",
			"Cơ quan CSĐT Công an TP Hà Nội", 134, 1, false, nil, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 12,
			"Vụ án trộm cắp tài sản tại siêu thị: bị bắt quả tang khi lấy trộm hàng hóa trị giá 3 triệu đồng, đã thành khẩn khai báo.",
			"Cơ quan CSĐT Công an TP Hà Nội", 173, 1, false, nil, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv2.thuky", hn2, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 25,
			"Vụ án buôn bán hàng giả: phát hiện kho mỹ phẩm giả tại địa bàn khu vực 2, hành vi sản xuất thực hiện ở khu vực 1.",
			"Cơ quan CSĐT Công an TP Hà Nội", 192, 1, false, nil, "hnkv2.vientruong", "hnkv2.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 100,
			"Vụ án lừa đảo chiếm đoạt tài sản qua hình thức vay tiền hứa trả lãi cao, chiếm đoạt 250 triệu đồng.",
			"Cơ quan CSĐT Công an TP Hà Nội", 174, 2, false, nil, "hnkv1.ksv1", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 120,
			"Vụ án cố ý gây thương tích 25% bằng hung khí nguy hiểm sau va chạm giao thông.",
			"Cơ quan CSĐT Công an TP Hà Nội", 134, 2, false, nil, "hnkv1.ksv2", "hnkv1.vientruong"},
		{"hnkv1.thuky", hn1, domain.KindCase, domain.SourceInstitutionDecision, domain.ChannelAgency, 200,
			"Vụ án cướp tài sản: dùng dao khống chế tài xế xe công nghệ, cướp điện thoại và 5 triệu đồng.",
			"Cơ quan CSĐT Công an TP Hà Nội", 168, 1, false, nil, "hnkv1.ksv1", "hnkv1.vientruong"},
	}
}

func demoCases(ctx context.Context, d DemoDeps, now time.Time) error {
	stories := demoStories()
	var ids []string
	for i, dc := range demoCaseList() {
		clerk, err := principalOf(ctx, d, dc.clerk)
		if err != nil {
			return err
		}
		in := domain.CaseInput{Kind: dc.kind, UnitID: clerk.User.UnitID, ReceivedAt: now.AddDate(0, 0, -dc.daysAgo).Add(-time.Duration(i) * time.Minute),
			Channel: dc.channel, SourceType: dc.source, Summary: dc.summary, ReporterName: dc.reporter, ReporterKind: domain.ReporterPerson,
			Offence: &domain.Offence{Article: dc.article, Clause: dc.clause}, Secret: dc.secret, Parties: dc.parties}
		if dc.source != domain.SourceDenunciation {
			in.ReporterKind = domain.ReporterAgency
		}
		cs, err := d.Cases.Register(ctx, clerk, in)
		if err != nil {
			return fmt.Errorf("demo case %d: %w", i, err)
		}
		ids = append(ids, cs.ID)
		if dc.lead == "" {
			continue
		}
		chiefName := dc.chief
		if chiefName == "" {
			continue
		}
		chief, err := principalOf(ctx, d, chiefName)
		if err != nil {
			return err
		}
		lead, err := d.Users.GetCredentials(ctx, dc.lead)
		if err != nil {
			return err
		}
		cs, err = d.Cases.Assign(ctx, chief, cs.ID, cs.Version, domain.AssignmentInput{UserID: lead.User.ID, Role: domain.AssignLead, Note: "Phân công thụ lý"})
		if err != nil {
			return fmt.Errorf("demo assignment %d: %w", i, err)
		}
		if story, ok := stories[i]; ok && d.Procedure != nil {
			r := &storyRun{ctx: ctx, d: d, id: cs.ID, version: cs.Version, received: cs.ReceivedAt, now: now, ids: ids,
				accused: map[string]string{}, measure: map[string]string{}}
			story(r)
			if r.err != nil {
				return r.err
			}
		}
	}
	return nil
}
