package seed

import (
	"context"
	"fmt"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// UnitSpec is one unit of the organisation to seed.
type UnitSpec struct {
	Code, Name, NameEN string
	Level              domain.UnitLevel
	Parent             string // parent's code; empty for the root
}

// SupremeCode is the code of the root unit.
const SupremeCode = "VKSNDTC"

// provinces are the 34 provincial-level units after the 2025 mergers (reference §5), with the
// codes the registry uses.
var provinces = []struct{ Code, Name string }{
	{"HNI", "Hà Nội"}, {"HUE", "Huế"}, {"LCU", "Lai Châu"}, {"DBN", "Điện Biên"}, {"SLA", "Sơn La"}, {"LSN", "Lạng Sơn"},
	{"QNH", "Quảng Ninh"}, {"THA", "Thanh Hóa"}, {"NAN", "Nghệ An"}, {"HTH", "Hà Tĩnh"}, {"CBG", "Cao Bằng"},
	{"TQG", "Tuyên Quang"}, {"LCI", "Lào Cai"}, {"TNN", "Thái Nguyên"}, {"PTO", "Phú Thọ"}, {"BNH", "Bắc Ninh"},
	{"HYN", "Hưng Yên"}, {"HPG", "Hải Phòng"}, {"NBH", "Ninh Bình"}, {"QTI", "Quảng Trị"}, {"DNG", "Đà Nẵng"},
	{"QNI", "Quảng Ngãi"}, {"GLI", "Gia Lai"}, {"KHA", "Khánh Hòa"}, {"LDG", "Lâm Đồng"}, {"DLK", "Đắk Lắk"},
	{"HCM", "Thành phố Hồ Chí Minh"}, {"DNI", "Đồng Nai"}, {"TNH", "Tây Ninh"}, {"CTO", "Cần Thơ"}, {"VLG", "Vĩnh Long"},
	{"DTP", "Đồng Tháp"}, {"CMU", "Cà Mau"}, {"AGG", "An Giang"},
}

// regionalSample says how many regional procuracies to seed under which provinces: enough to
// demonstrate supervision across levels, not the full 355.
var regionalSample = map[string]int{"HNI": 3, "HCM": 3, "DNG": 3, "HPG": 2}

// ProvinceCode is the unit code of a provincial procuracy.
func ProvinceCode(p string) string { return "VKS-" + p }

// RegionalCode is the unit code of the n-th regional procuracy of a province.
func RegionalCode(p string, n int) string { return fmt.Sprintf("VKS-%s-KV%02d", p, n) }

// Organisation returns the units to seed, parents before children.
func Organisation() []UnitSpec {
	units := []UnitSpec{
		{Code: SupremeCode, Name: "Viện kiểm sát nhân dân tối cao", NameEN: "Supreme People's Procuracy", Level: domain.LevelSupreme},
		{Code: "VKSNDTC-V1", Name: "Vụ Thực hành quyền công tố và kiểm sát điều tra án an ninh", NameEN: "Department of prosecution of national security cases", Level: domain.LevelSupremeDepartment, Parent: SupremeCode},
		{Code: "VPT-HNI", Name: "Viện Công tố và kiểm sát xét xử phúc thẩm tại Hà Nội", NameEN: "Appellate prosecution institute in Hanoi", Level: domain.LevelAppellateInstitute, Parent: SupremeCode},
		{Code: "VPT-DNG", Name: "Viện Công tố và kiểm sát xét xử phúc thẩm tại Đà Nẵng", NameEN: "Appellate prosecution institute in Da Nang", Level: domain.LevelAppellateInstitute, Parent: SupremeCode},
		{Code: "VPT-HCM", Name: "Viện Công tố và kiểm sát xét xử phúc thẩm tại Thành phố Hồ Chí Minh", NameEN: "Appellate prosecution institute in Ho Chi Minh City", Level: domain.LevelAppellateInstitute, Parent: SupremeCode},
	}
	for _, p := range provinces {
		units = append(units, UnitSpec{Code: ProvinceCode(p.Code), Name: "Viện kiểm sát nhân dân " + provinceTitle(p.Code, p.Name),
			NameEN: "People's Procuracy of " + p.Name, Level: domain.LevelProvincial, Parent: SupremeCode})
	}
	for _, p := range provinces {
		for n := 1; n <= regionalSample[p.Code]; n++ {
			units = append(units, UnitSpec{Code: RegionalCode(p.Code, n), Name: fmt.Sprintf("Viện kiểm sát nhân dân khu vực %d - %s", n, p.Name),
				NameEN: fmt.Sprintf("Regional People's Procuracy %d, %s", n, p.Name), Level: domain.LevelRegional, Parent: ProvinceCode(p.Code)})
		}
	}
	units = append(units,
		UnitSpec{Code: "VKSQS-TW", Name: "Viện kiểm sát quân sự trung ương", NameEN: "Central Military Procuracy", Level: domain.LevelMilitaryCentral, Parent: SupremeCode},
		UnitSpec{Code: "VKSQS-QK1", Name: "Viện kiểm sát quân sự Quân khu 1", NameEN: "Military Procuracy of Military Zone 1", Level: domain.LevelMilitaryZone, Parent: "VKSQS-TW"},
		UnitSpec{Code: "VKSQS-QK7", Name: "Viện kiểm sát quân sự Quân khu 7", NameEN: "Military Procuracy of Military Zone 7", Level: domain.LevelMilitaryZone, Parent: "VKSQS-TW"},
		UnitSpec{Code: "VKSQS-QK1-KV1", Name: "Viện kiểm sát quân sự khu vực 1 - Quân khu 1", NameEN: "Regional Military Procuracy 1, Military Zone 1", Level: domain.LevelMilitaryRegional, Parent: "VKSQS-QK1"},
		UnitSpec{Code: "VKSQS-QK7-KV1", Name: "Viện kiểm sát quân sự khu vực 1 - Quân khu 7", NameEN: "Regional Military Procuracy 1, Military Zone 7", Level: domain.LevelMilitaryRegional, Parent: "VKSQS-QK7"},
	)
	return units
}

func provinceTitle(code, name string) string {
	switch code {
	case "HNI", "HUE", "HPG", "DNG", "CTO":
		return "thành phố " + name
	case "HCM":
		return name
	}
	return "tỉnh " + name
}

// Org creates every unit of Organisation that does not exist yet and returns all units by code.
func Org(ctx context.Context, tx service.TxRunner, units service.UnitStore, now time.Time) (map[string]domain.Unit, error) {
	byCode := map[string]domain.Unit{}
	existing, err := units.ListUnits(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range existing {
		byCode[u.Code] = u
	}
	from := time.Date(2025, 7, 1, 0, 0, 0, 0, service.VietnamTime)
	err = tx.WithinTx(ctx, func(ctx context.Context) error {
		for _, spec := range Organisation() {
			if _, ok := byCode[spec.Code]; ok {
				continue
			}
			in := domain.UnitInput{Code: spec.Code, Name: spec.Name, NameEN: spec.NameEN, Level: spec.Level, EffectiveFrom: &from}
			if spec.Parent != "" {
				parent, ok := byCode[spec.Parent]
				if !ok {
					return fmt.Errorf("seed: parent %s of %s missing", spec.Parent, spec.Code)
				}
				in.ParentID = &parent.ID
			}
			if err := in.Validate(); err != nil {
				return fmt.Errorf("seed unit %s: %w", spec.Code, err)
			}
			u, err := units.CreateUnit(ctx, in, now)
			if err != nil {
				return fmt.Errorf("seed unit %s: %w", spec.Code, err)
			}
			byCode[u.Code] = u
		}
		return nil
	})
	return byCode, err
}
