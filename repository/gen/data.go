package gen

import (
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/service"
)

type generator struct {
	cfg         Config
	units       []*unitInfo
	totalWeight int
	creator     uuid.UUID
	rng         *mrand.Rand
}

// window is how far back received dates reach.
const window = 3 * 365 * 24 * time.Hour

var (
	surnames     = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai"}
	middleMale   = []string{"Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Công", "Xuân"}
	middleFemale = []string{"Thị", "Ngọc", "Thu", "Thanh", "Kim", "Thùy", "Phương", "Mỹ"}
	givenMale    = []string{"Hùng", "Dũng", "Nam", "Tuấn", "Long", "Minh", "Sơn", "Hải", "Phúc", "Thắng", "Cường", "Khoa", "Quân", "Tùng", "Trung", "Bình"}
	givenFemale  = []string{"Hoa", "Lan", "Mai", "Hạnh", "Ngọc", "Thu", "Yến", "Linh", "Hương", "Trang", "Nga", "Vân", "Thảo", "Hằng", "Nhung", "Oanh"}
	streets      = []string{"Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ", "Quang Trung", "Nguyễn Huệ", "Phan Đình Phùng", "Hùng Vương", "Lê Duẩn", "Võ Thị Sáu"}
	places       = []string{"chợ đầu mối", "bến xe khách", "khu công nghiệp", "quán cà phê", "khu chung cư", "bãi gửi xe", "trường học", "cửa hàng điện thoại", "quán karaoke", "công trường xây dựng"}
	vehicles     = []string{"xe máy Honda Vision", "xe máy Yamaha Exciter", "xe máy Honda Wave", "xe đạp điện", "xe ô tô Toyota Vios"}
	banks        = []string{"Ngân hàng TMCP Ngoại thương Việt Nam", "Ngân hàng TMCP Công thương Việt Nam", "Ngân hàng TMCP Á Châu", "Ngân hàng TMCP Kỹ thương Việt Nam", "Ngân hàng Nông nghiệp và Phát triển Nông thôn"}
	// CCCD province prefixes (the first three digits name the place of birth registration).
	cccdPrefix = map[string]string{"HNI": "001", "HCM": "079", "DNG": "048", "HPG": "031", "HUE": "046", "CTO": "092", "QNH": "022", "NAN": "040", "THA": "038"}
)

type offenceTpl struct {
	article   int
	maxClause int
	templates []string // %[1]s: person, %[2]s: street, %[3]s: place, %[4]s: vehicle/bank, %[5]d: amount (million đồng)
	secretPct int
}

// offences are the Penal Code articles synthetic cases are drawn from, the most frequent first.
var offences = []offenceTpl{
	{173, 4, []string{
		"Ông/bà %[1]s trình báo bị mất trộm %[4]s dựng trước cửa nhà trên đường %[2]s, thiệt hại ước tính %[5]d triệu đồng.",
		"Phát hiện đối tượng đột nhập %[3]s trên đường %[2]s lấy trộm tài sản trị giá khoảng %[5]d triệu đồng.",
		"Trộm cắp tài sản tại %[3]s: camera ghi lại đối tượng lấy %[4]s của %[1]s.",
	}, 0},
	{134, 5, []string{
		"Xô xát tại %[3]s trên đường %[2]s, %[1]s bị đánh gây thương tích, tỷ lệ tổn thương cơ thể %[5]d%%.",
		"Cố ý gây thương tích: do mâu thuẫn cá nhân, đối tượng dùng hung khí tấn công %[1]s trước %[3]s.",
	}, 0},
	{171, 4, []string{
		"Đối tượng đi %[4]s giật túi xách của %[1]s trên đường %[2]s, tài sản trị giá khoảng %[5]d triệu đồng.",
		"Cướp giật điện thoại của %[1]s khi đang đứng tại %[3]s, đối tượng bỏ chạy về hướng đường %[2]s.",
	}, 0},
	{174, 4, []string{
		"%[4]s báo tin khách hàng %[1]s bị lừa chuyển %[5]d triệu đồng qua ứng dụng đầu tư giả mạo.",
		"Ông/bà %[1]s tố giác bị đối tượng giả danh cán bộ công an gọi điện chiếm đoạt %[5]d triệu đồng.",
		"Lừa đảo chiếm đoạt tài sản: đối tượng hứa hẹn xin việc làm, nhận của %[1]s %[5]d triệu đồng rồi bỏ trốn.",
	}, 0},
	{251, 4, []string{
		"Bắt quả tang đối tượng mua bán trái phép %[5]d gam ma túy tổng hợp tại %[3]s trên đường %[2]s.",
		"Triệt phá đường dây mua bán trái phép chất ma túy hoạt động quanh %[3]s, thu giữ %[5]d gam heroin.",
	}, 10},
	{249, 4, []string{
		"Kiểm tra hành chính tại %[3]s phát hiện đối tượng tàng trữ trái phép %[5]d gam ma túy đá.",
		"Tàng trữ trái phép chất ma túy: thu giữ trong %[4]s của đối tượng %[5]d gam cần sa.",
	}, 0},
	{353, 4, []string{
		"Tham ô tài sản: kế toán đơn vị lập chứng từ khống rút %[5]d triệu đồng từ ngân sách dự án.",
		"Thanh tra phát hiện thủ quỹ %[3]s chiếm đoạt %[5]d triệu đồng tiền thu phí trong hai năm.",
	}, 15},
	{260, 4, []string{
		"Tai nạn giao thông trên đường %[2]s: %[4]s va chạm làm %[1]s tử vong tại chỗ.",
		"Vi phạm quy định về tham gia giao thông đường bộ gây thương tích cho %[1]s gần %[3]s, thiệt hại %[5]d triệu đồng.",
	}, 0},
}

// offenceWeights skews the draw toward theft and fraud, as in real registries.
var offenceWeights = []int{30, 14, 8, 20, 8, 8, 3, 9}

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

func (g *generator) one(xs []string) string { return xs[g.pick(len(xs))] }

func (g *generator) person() (name, gender string) {
	if g.pick(2) == 0 {
		return g.one(surnames) + " " + g.one(middleMale) + " " + g.one(givenMale), "male"
	}
	return g.one(surnames) + " " + g.one(middleFemale) + " " + g.one(givenFemale), "female"
}

// cccd builds a 12-digit citizen identity number: place prefix, gender-and-century digit, the
// last two digits of the birth year and six random digits.
func (g *generator) cccd(province string, birth time.Time, gender string) string {
	prefix, ok := cccdPrefix[province]
	if !ok {
		prefix = fmt.Sprintf("%03d", 1+g.pick(96))
	}
	d := 0
	if birth.Year() >= 2000 {
		d = 2
	}
	if gender == "female" {
		d++
	}
	return fmt.Sprintf("%s%d%02d%06d", prefix, d, birth.Year()%100, g.pick(1000000))
}

// uuidAt is a version 7 UUID for the given time whose random bits come from the seeded source.
func (g *generator) uuidAt(t time.Time) uuid.UUID {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint64(u[8:], g.rng.Uint64())
	r := g.rng.Uint64()
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6], u[7] = 0x70|byte(r&0x0f), byte(r>>8)
	u[8] = 0x80 | u[8]&0x3f
	return u
}

func (g *generator) unit() *unitInfo {
	w := g.pick(g.totalWeight)
	for _, u := range g.units {
		if w < u.weight {
			return u
		}
		w -= u.weight
	}
	return g.units[len(g.units)-1]
}

func (g *generator) offence() offenceTpl {
	total := 0
	for _, w := range offenceWeights {
		total += w
	}
	w := g.pick(total)
	for i, x := range offenceWeights {
		if w < x {
			return offences[i]
		}
		w -= x
	}
	return offences[0]
}

// next generates the i-th case. Received dates advance with i across the window (with jitter
// inside each slot), so batches go in time order and numbers follow received dates.
func (g *generator) next(i int) *caseRec {
	cfg := g.cfg
	from := cfg.Now.Add(-window)
	slot := window / time.Duration(cfg.Cases)
	received := from.Add(slot*time.Duration(i) + time.Duration(g.rng.Int64N(int64(max(slot, time.Second))))).Truncate(time.Minute)
	if received.After(cfg.Now) {
		received = cfg.Now
	}
	u := g.unit()
	c := &caseRec{unit: u, receivedAt: received, year: received.In(service.VietnamTime).Year(), createdBy: g.creator}
	c.createdAt = received.Add(time.Duration(5+g.pick(240)) * time.Minute)
	if c.createdAt.After(cfg.Now) {
		c.createdAt = cfg.Now
	}
	c.id = g.uuidAt(c.createdAt)
	if len(u.clerks) > 0 {
		c.createdBy = u.clerks[g.pick(len(u.clerks))]
	}
	c.kind = domain.KindReport
	if g.pick(100) < 40 {
		c.kind = domain.KindCase
	}
	c.stage = domain.InitialStage(c.kind)
	off := g.offence()
	c.article, c.clause = off.article, 1+g.pick(off.maxClause)
	c.secret = off.secretPct > 0 && g.pick(100) < off.secretPct

	victim, _ := g.person()
	amount := 5 + g.pick(495)
	if off.article == 134 {
		amount = 11 + g.pick(50)
	}
	extra := g.one(vehicles)
	if off.article == 174 || off.article == 353 {
		extra = g.one(banks)
	}
	c.summary = fmt.Sprintf(g.one(off.templates), victim, g.one(streets), g.one(places), extra, amount)

	province := u.place
	if c.kind == domain.KindCase {
		c.channel = domain.ChannelAgency
		c.source = domain.SourceInstitutionDecision
		if g.pick(100) < 8 {
			c.source = domain.SourceTransferred
		}
		c.repKind = domain.ReporterAgency
		c.reporter = "Cơ quan Cảnh sát điều tra Công an " + province
	} else {
		srcs := domain.SourcesFor(domain.KindReport)
		c.source = srcs[g.pick(len(srcs))]
		c.channel = domain.Channels[g.pick(len(domain.Channels))]
		switch {
		case c.source == domain.SourceDenunciation && g.pick(100) < 6:
			c.repKind = domain.ReporterAnonymous
		case c.source == domain.SourceDenunciation:
			c.repKind, c.reporter = domain.ReporterPerson, victim
			c.contact = fmt.Sprintf("09%08d", g.pick(100000000))
		case off.article == 174:
			c.repKind, c.reporter = domain.ReporterAgency, extra
		default:
			c.repKind, c.reporter = domain.ReporterAgency, "Công an "+province
		}
	}

	nParties := 1 + g.pick(3)
	for j := 0; j < nParties; j++ {
		var role domain.PartyRole
		switch {
		case j == 0 && c.kind == domain.KindCase:
			role = domain.PartyAccused
		case j == 0:
			role = domain.PartySuspect
		case j == 1:
			role = domain.PartyVictim
		default:
			role = domain.PartyWitness
		}
		name, gender := g.person()
		if role == domain.PartyVictim {
			name = victim
		}
		birth := time.Date(1950+g.pick(58), time.Month(1+g.pick(12)), 1+g.pick(28), 0, 0, 0, 0, time.UTC)
		c.parties = append(c.parties, partyRec{id: g.uuidAt(c.createdAt), role: role, name: name, gender: gender, birth: birth,
			nationalID: g.cccd(u.province, birth, gender),
			address:    fmt.Sprintf("Số %d đường %s, %s", 1+g.pick(300), g.one(streets), province)})
	}

	if g.pick(100) < 30 && len(u.prosecutors) > 0 {
		l := &leadRec{userID: u.prosecutors[g.pick(len(u.prosecutors))], assignedBy: c.createdBy}
		if len(u.chiefs) > 0 {
			l.assignedBy = u.chiefs[g.pick(len(u.chiefs))]
		}
		l.at = c.createdAt.Add(time.Duration(1+g.pick(72)) * time.Hour)
		if l.at.After(cfg.Now) {
			l.at = cfg.Now
		}
		l.id = g.uuidAt(l.at)
		c.lead = l
	}
	return c
}
