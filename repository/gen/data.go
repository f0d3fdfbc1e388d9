package gen

import (
	"cmp"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

type generator struct {
	cfg         Config
	units       []*unitInfo
	totalWeight int
	creator     uuid.UUID
	// rng is the source of the case being generated: pcg is reseeded from the case's own seed, so
	// a case is the same whatever was generated before it.
	pcg          *mrand.PCG
	rng          *mrand.Rand
	catalog      *workflow.PenalCatalog
	cal          *workflow.Calendar
	offenceTotal int
	classes      [][]domain.SeverityClass // by offence and clause
	lengths      map[domain.SeverityClass]*lengths
	story        story
}

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

// plan is what the first pass keeps of a case: its seed and its received time, by which the cases
// are ordered before they are generated, so that batches go in time order and numbers follow
// received dates.
type plan struct {
	seed     uint64
	received int64 // Unix seconds
}

func (g *generator) reseed(seed uint64) { g.pcg.Seed(seed, seed^0xda942042e4dd58b5) }

// receivedAt is when a case whose story is s was received: s.age days before the day of
// Config.Now, at s.minute of that day (Vietnam time).
func (g *generator) receivedAt(s *story) time.Time {
	t := domain.DateOf(g.cfg.Now).AddDate(0, 0, -s.age).Add(time.Duration(s.minute) * time.Minute)
	if t.After(g.cfg.Now) {
		t = g.cfg.Now.Truncate(time.Minute)
	}
	return t
}

// plans draws every case's story once to learn when it was received, and orders the cases by it.
func (g *generator) plans() []plan {
	master := mrand.New(mrand.NewPCG(g.cfg.Seed, g.cfg.Seed^0x9e3779b97f4a7c15))
	out := make([]plan, g.cfg.Cases)
	for i := range out {
		seed := master.Uint64()
		g.reseed(seed)
		g.plot(g.rng, &g.story)
		out[i] = plan{seed: seed, received: g.receivedAt(&g.story).Unix()}
	}
	slices.SortStableFunc(out, func(a, b plan) int { return cmp.Compare(a.received, b.received) })
	return out
}

// next generates a planned case: the record as registered, then its history played through the
// transition table, then its clocks as the deadline engine computes them at Config.Now.
func (g *generator) next(p plan) *caseRec {
	cfg := g.cfg
	g.reseed(p.seed)
	s := &g.story
	g.plot(g.rng, s)
	received := g.receivedAt(s)
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
	c.registered = s.kind
	off := offences[s.off]
	c.article, c.clause = off.article, s.clause
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
	if c.registered == domain.KindCase {
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
		case j == 0 && c.registered == domain.KindCase:
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

	// A case past institution has a lead prosecutor: the procuracy takes it in charge only then
	// (Điều 41, 42). Where the unit has no prosecutor account, the record's creator stands in, so
	// that the guard holds. Earlier records get one on about 30% where the unit has prosecutors.
	day0 := domain.DateOf(received)
	var leadAt time.Time
	switch {
	case s.accept >= 0:
		leadAt = day0.AddDate(0, 0, s.accept-1).Add(time.Duration(8*60+g.pick(9*60)) * time.Minute)
	case s.stage == domain.StageInstitution && g.pick(100) < 70,
		g.pick(100) < 30 && len(u.prosecutors) > 0:
		leadAt = c.createdAt.Add(time.Duration(1+g.pick(47)) * time.Hour)
	}
	if !leadAt.IsZero() {
		l := &leadRec{userID: c.createdBy, assignedBy: c.createdBy}
		if len(u.prosecutors) > 0 {
			l.userID = u.prosecutors[g.pick(len(u.prosecutors))]
		}
		if len(u.chiefs) > 0 {
			l.assignedBy = u.chiefs[g.pick(len(u.chiefs))]
		}
		if leadAt.Before(c.createdAt) {
			leadAt = c.createdAt.Add(time.Minute)
		}
		if limit := cfg.Now.Add(-time.Minute); leadAt.After(limit) {
			leadAt = limit
		}
		l.at = leadAt
		l.id = g.uuidAt(l.at)
		c.lead = l
	}

	g.live(c, s, day0)
	return c
}

// live plays the case's story and computes its clocks.
func (g *generator) live(c *caseRec, s *story, day0 time.Time) {
	cfg := g.cfg
	kind := c.registered
	sm := &sim{g: g, rng: g.rng, c: c, s: s, day0: day0, cursor: c.createdAt, lastDay: s.age - 1,
		dc: domain.Case{Offence: &domain.Offence{Article: c.article, Clause: c.clause}, ReceivedAt: c.receivedAt},
		st: workflow.CaseState{ID: c.id.String(), Stage: domain.InitialStage(kind), Kind: kind, UnitID: c.unit.id, ReceivedAt: c.receivedAt,
			HasLead: c.lead != nil, RegisteredAs: kind, Calendar: g.cal},
		actor: workflow.Actor{OnTeam: true, Grants: []workflow.ActorGrant{{Role: domain.RoleChief, AtCaseUnit: true},
			{Role: domain.RoleProsecutor, AtCaseUnit: true}}}}
	if c.lead != nil && c.lead.at.After(sm.cursor) {
		sm.cursor = c.lead.at
	}
	sm.st.Class = service.GoverningClass(&sm.dc, nil, g.catalog)
	c.version, c.updatedAt = 1, c.createdAt
	if s.accuseFrom >= 0 {
		n := 1
		if x := g.pick(100); x < 10 {
			n = 3
		} else if x < 40 {
			n = 2
		}
		detainPct := map[domain.SeverityClass]int{domain.ClassLessSerious: 10, domain.ClassSerious: 35, domain.ClassVerySerious: 55,
			domain.ClassParticularlySerious: 75}[s.class]
		for k := 0; k < n; k++ {
			p := person{offence: day0.AddDate(0, 0, -g.pick(11)), detain: g.pick(100) < detainPct}
			if k == 0 && len(c.parties) > 0 {
				pr := c.parties[0]
				p.name, p.gender, p.birth, p.nationalID, p.address = pr.name, pr.gender, pr.birth, pr.nationalID, pr.address
			} else {
				p.name, p.gender = g.person()
				p.birth = time.Date(1955+g.pick(53), time.Month(1+g.pick(12)), 1+g.pick(28), 0, 0, 0, 0, time.UTC)
				p.nationalID = g.cccd(c.unit.province, p.birth, p.gender)
				p.address = fmt.Sprintf("Số %d đường %s, %s", 1+g.pick(300), g.one(streets), c.unit.place)
			}
			sm.people = append(sm.people, p)
		}
	}
	sm.run()
	if sm.failed != nil {
		c.refused = sm.failed
	}
	c.stage, c.kind = sm.st.Stage, sm.st.Kind
	c.decisions, c.accused = sm.st.Decisions, sm.st.Accused
	c.clocks = service.ClockRecords(&domain.Case{ID: c.id.String(), UnitID: c.unit.id, Secret: c.secret}, workflow.Clocks(&sm.st, g.cal, cfg.Now), cfg.Now)
}
