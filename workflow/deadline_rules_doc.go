package workflow

import (
	"fmt"
	"strings"

	"kiemsat/domain"
)

// UncoveredRule is a time limit of the reference (§3 of the criminal procedure reference) that
// the rule table does not compute yet: its reference id, its article and what it is.
type UncoveredRule struct {
	ID      string
	Article string
	NoteVI  string
	NoteEN  string
}

// RulesNotYetCovered are the statutory time limits the engine does not compute yet, so that
// docs/deadline-rules.md says plainly what a user must still watch by hand. Most are notices and
// deliveries between agencies, which need events the lifecycle does not record yet (the receipt
// or dispatch of a document), the appellate and cassation limits, and the parts of covered
// limits that rest on facts not recorded (a complex case, a request's date, an absent party).
var RulesNotYetCovered = []UncoveredRule{
	{"trial_decision_to_accused", "Điều 286 BLTTHS", "Giao quyết định đưa vụ án ra xét xử cho bị cáo ít nhất 10 ngày trước phiên tòa (việc gửi cho Viện kiểm sát trong 02 ngày đã có: `trial_decision_service`).",
		"Serve the decision to bring to trial on the accused at least 10 days before the hearing (sending it to the procuracy in 2 days is computed: `trial_decision_service`)."},
	{"judgment_delivery_others", "Điều 262(1) BLTTHS", "Giao bản án cho bị cáo và gửi Viện kiểm sát cấp trên trong 10 ngày (việc gửi cho Viện kiểm sát cùng cấp đã có: `judgment_delivery`).",
		"Deliver the judgment to the accused and the higher procuracy in 10 days (sending it to the same-level procuracy is computed: `judgment_delivery`)."},
	{"report_receipt_notice", "Điều 146(5) BLTTHS", "Cơ quan điều tra thông báo bằng văn bản cho Viện kiểm sát việc tiếp nhận nguồn tin: 03 ngày.",
		"The investigating agency notifies the procuracy in writing of a report it received: 3 days."},
	{"urgent_hold_processing", "Điều 110(4) BLTTHS", "Lấy lời khai người bị giữ trong trường hợp khẩn cấp, rồi ra quyết định tạm giữ, lệnh bắt hoặc trả tự do: 12 giờ.",
		"Take the statement of a person held in an urgent case, then order custody, arrest or release: 12 hours."},
	{"arrest_processing", "Điều 114(1) BLTTHS", "Sau khi bắt người phạm tội quả tang, người đang bị truy nã: quyết định tạm giữ hoặc trả tự do: 12 giờ.",
		"After an arrest in the act or of a wanted person: custody or release within 12 hours."},
	{"family_notice", "Điều 116 BLTTHS", "Thông báo cho gia đình, chính quyền xã hoặc cơ quan, tổ chức của người bị giữ, bị bắt: 24 giờ.",
		"Notify the family and the commune or employer of a person held or arrested: 24 hours."},
	{"detention_special_extensions", "Điều 173(4)–(6) BLTTHS", "Gia hạn tạm giam đặc biệt của Viện trưởng VKSND tối cao (ĐBNT: thêm 01 lần không quá 04 tháng, rồi đến khi kết thúc điều tra) và thang gia hạn riêng của các tội xâm phạm an ninh quốc gia: tổng thời hạn tạm giam tính theo thang thông thường (ÍNT 3, NT 5, RNT 7, ĐBNT 12 tháng).",
		"The Supreme Chief Procurator's special detention extensions (ĐBNT: one more ≤ 4 months, then until the end of the investigation) and the national-security ladder: the detention total is computed on the ordinary ladder (ÍNT 3, NT 5, RNT 7, ĐBNT 12 months)."},
	{"juvenile_justice_law_2024", "Điều 419 BLTTHS; Luật Tư pháp người chưa thành niên 2024", "Từ 01/01/2026 Luật Tư pháp người chưa thành niên 2024 rút ngắn thời hạn điều tra, truy tố, xét xử đối với người dưới 18 tuổi (chưa kiểm chứng). Hiện chỉ áp dụng 2/3 thời hạn tạm giữ, tạm giam của Điều 419.",
		"From 01/01/2026 the Juvenile Justice Law 2024 shortens the investigation, prosecution and trial periods for persons under 18 (unverified). For now only the 2/3 custody and detention limits of Art. 419 are applied."},
	{"case_transfer", "Điều 169 BLTTHS", "Viện kiểm sát quyết định việc chuyển vụ án: 03 ngày, gửi quyết định trong 24 giờ; giao hồ sơ trong 03 ngày.",
		"The procuracy decides a transfer in 3 days and sends the decision in 24 hours; the file is handed over in 3 days."},
	{"investigation_termination_review", "Điều 230(3) BLTTHS", "Viện kiểm sát nghiên cứu quyết định đình chỉ điều tra kèm hồ sơ: 15 ngày.",
		"The procuracy reviews a decision terminating the investigation, with the file, in 15 days."},
	{"trial_extensions", "Điều 277(1), 277(3) BLTTHS", "Gia hạn chuẩn bị xét xử (ÍNT, NT 15 ngày; RNT, ĐBNT 30 ngày) và mở phiên tòa trong 30 ngày vì lý do bất khả kháng: chưa có bước gia hạn.",
		"Extending the trial preparation (ÍNT, NT 15 days; RNT, ĐBNT 30 days) and opening the hearing within 30 days for force majeure: no extension step yet."},
	{"indictment_delivery_complex", "Điều 240(3), 244 BLTTHS", "Vụ án phức tạp: giao cáo trạng và chuyển hồ sơ đến Tòa án trong 10 ngày (thời hạn 03 ngày đã có: `indictment_delivery`, `file_to_court`); chưa có dấu hiệu vụ án phức tạp.",
		"A complex case: the indictment is delivered and the file sent to the court in 10 days (the 3-day limits are computed: `indictment_delivery`, `file_to_court`); the platform has no complexity flag yet."},
	{"appeal_period_absent", "Điều 333(1) BLTTHS", "Người vắng mặt tại phiên tòa: thời hạn kháng cáo 15 ngày tính từ ngày nhận bản án hoặc ngày niêm yết (thời hạn từ ngày tuyên án đã có: `appeal_period_judgment`); ngày nhận, niêm yết chưa được ghi nhận.",
		"A party absent at the hearing appeals within 15 days of receiving the judgment or of its posting (the window from the pronouncement is computed: `appeal_period_judgment`); receipt and posting are not recorded."},
	{"protest_after_appeal", "Điều 337(1) BLTTHS", "Viện kiểm sát vẫn có thể kháng nghị trong thời hạn khi bị cáo đã kháng cáo (và ngược lại), nhưng vòng đời chỉ ghi nhận kháng cáo, kháng nghị đầu tiên: thời hạn còn lại tự đóng khi hết hạn, không tính là vi phạm.",
		"The procuracy may still protest within its window after a party appealed (and a party may appeal after a protest), but the lifecycle records only the first: the other windows close by themselves, without a violation."},
	{"protest_dispatch", "Điều 338 BLTTHS", "Gửi quyết định kháng nghị cho Tòa án, bị cáo và Viện kiểm sát khác: 02 ngày.",
		"The protest goes to the court, the accused and the other procuracy in 2 days."},
	{"file_to_appellate_court", "Điều 339 BLTTHS", "Hết thời hạn kháng cáo, kháng nghị: Tòa án cấp sơ thẩm gửi hồ sơ trong 07 ngày.",
		"After the appeal period, the first-instance court sends the file in 7 days."},
	{"vks_appellate_file_review", "Điều 341(1) BLTTHS", "Viện kiểm sát nghiên cứu hồ sơ phúc thẩm: cấp tỉnh 15 ngày, cấp cao 20 ngày (ĐBNT phức tạp 25/30 ngày; chưa kiểm chứng sau 2025).",
		"The procuracy reviews the appellate file: provincial 15 days, appellate 20 days (ĐBNT complex 25/30; unverified after 2025)."},
	{"appellate_preparation", "Điều 346 BLTTHS", "Chuẩn bị xét xử phúc thẩm: Tòa án cấp tỉnh 60 ngày, Tòa phúc thẩm TANDTC 90 ngày; mở phiên tòa trong 15 ngày từ quyết định đưa ra xét xử.",
		"Appellate preparation: provincial court 60 days, Supreme Court appellate courts 90 days; the hearing within 15 days of the decision to try."},
	{"summary_application", "Điều 457(1) BLTTHS", "Quyết định áp dụng thủ tục rút gọn trong 24 giờ kể từ khi có đủ điều kiện: thời điểm đủ điều kiện không được ghi nhận.",
		"The summary procedure is applied within 24 hours of its conditions being met: when they were met is not recorded."},
	{"summary_appeal", "Điều 459, 463 BLTTHS", "Xét xử phúc thẩm theo thủ tục rút gọn và tạm giam để xét xử phúc thẩm không quá 22 ngày: chưa có lệnh tạm giam cho giai đoạn phúc thẩm.",
		"Appeal under the summary procedure and detention for the appeal of at most 22 days: there is no detention order for the appellate stage yet."},
	{"cassation_hearing", "Điều 385 BLTTHS", "Mở phiên tòa giám đốc thẩm: 04 tháng từ ngày nhận kháng nghị và hồ sơ.", "Open the cassation hearing within 4 months of receiving the protest and file."},
}

var kindDoc = map[string]string{
	ruleKindCase:            "case",
	ruleKindPendingDecision: "pending decision (chờ phê chuẩn)",
	ruleKindMeasure:         "measure (biện pháp ngăn chặn)",
	ruleKindDelivery:        "delivery (gửi quyết định cho Viện kiểm sát), when the receipt is recorded",
}

// clockStatusDoc gives each clock status its Vietnamese name and what it means, in English.
var clockStatusDoc = map[ClockStatus]struct{ vi, meaning string }{
	ClockRunning:   {"đang chạy", "running: the limit is open and its warning window has not begun"},
	ClockDueSoon:   {"sắp hết hạn", "due soon: within the rule's warning days of the earliest reading (2 hours for hour limits)"},
	ClockMissed:    {"quá hạn, vi phạm", "missed: the latest reading has passed and nothing met the limit"},
	ClockMet:       {"đã thực hiện đúng hạn", "met: ended by one of the rule's steps on time (by the latest reading)"},
	ClockMetLate:   {"đã thực hiện nhưng quá hạn", "met late: ended after the latest reading had passed"},
	ClockStopped:   {"tạm dừng do tạm đình chỉ", "stopped: a suspension stopped it; a resumption starts a new clock"},
	ClockCancelled: {"không còn áp dụng", "cancelled: no longer applies: a window (appeal, protest) closed unused, the summary procedure was cancelled, or a later court act shows an unrecorded act was done; never a violation"},
}

// DeadlineRulesMarkdown renders the rule table as docs/deadline-rules.md: one row per rule with
// what starts, meets and stops its clock, its length by severity class, how time is counted, its
// extension ladder and warning days; the two readings and the statuses; and the time limits of
// the reference not computed yet. A test fails when the committed file differs.
func DeadlineRulesMarkdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from workflow.Rules by `go test ./workflow -run TestDeadlineRulesDoc -update`. Do not edit. -->\n\n")
	b.WriteString("# Deadline rules (thời hạn tố tụng)\n\n")
	b.WriteString("Every statutory time limit the platform computes is one row of the rule table in `workflow/rules.go`.\n")
	b.WriteString("`workflow.Clocks` turns a case's decisions, accused and preventive measures, the legal calendar and the\n")
	b.WriteString("current time into clocks; `GET /api/v1/cases/{id}/deadlines` serves them and `GET /api/v1/rules` serves this\n")
	b.WriteString("table. A clock is computed with the case's governing class (the heaviest standing charge, or the class of the\n")
	b.WriteString("offence named on the case while nobody is charged), applied from the clock's start, so a change of charges\n")
	b.WriteString("recomputes the limit with the time already used (TTLT 04/2018 Art. 14). A rule whose length depends on the\n")
	b.WriteString("class gives no clock while the class is unknown.\n\n")
	b.WriteString("## Rules\n\n")
	b.WriteString("| id | name | article | kind | starts | met by | stopped by | length by class | counting | extensions (gia hạn) | warns | effective from | conf. |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range Rules {
		fmt.Fprintf(&b, "| `%s` | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.ID, r.NameVI, r.NameEN, r.Article,
			kindDoc[r.Kind], startsDoc(r), metDoc(r), dash(codes(r.StoppedBy)), lengthsDoc(r.Length), countingDoc(r), ladderDoc(r.Ladder),
			warnDoc(r), r.EffectiveFrom.Format("2006-01-02"), r.Confidence)
	}
	b.WriteString("\nClasses: ÍNT ít nghiêm trọng (less serious), NT nghiêm trọng (serious), RNT rất nghiêm trọng (very serious),\n")
	b.WriteString("ĐBNT đặc biệt nghiêm trọng (particularly serious), Điều 9 BLHS. Confidence: `2+` the same figure in two or more\n")
	b.WriteString("sources, `1` the codified text only. Approvers are data, not code: the 2025 reform changed the levels and its\n")
	b.WriteString("wording was not seen.\n\n")

	b.WriteString("## Two readings of a limit\n\n")
	b.WriteString("Whether the day a limit starts counts as its first day is disputed in practice (Điều 134 BLTTHS; TTLT 04/2018\n")
	b.WriteString("Art. 17), so every clock is read both ways and says which reading each use takes:\n\n")
	b.WriteString("- **earliest** counts the start day as day one. It is the reading warnings use: a clock turns `due_soon`\n")
	b.WriteString("  its warning days before the earliest reading runs out.\n")
	b.WriteString("- **latest** starts counting the next day. It is the reading violations use: a clock is `missed` only once\n")
	b.WriteString("  the latest reading has run out, and `met_late` when the act came after it.\n\n")
	b.WriteString("A day or month limit runs out at 24:00 of its last day; an hour limit at the exact hour. Month limits end on\n")
	b.WriteString("the same-numbered day of the month they end in, or that month's last day. Where the rule rolls over, a last\n")
	b.WriteString("day on a day off of the legal calendar moves to the next working day (`rolled`). Custody and detention run\n")
	b.WriteString("continuously, count a month as 30 days and never roll over; a custody or detention clock ends at 24:00 of\n")
	b.WriteString("the end date written in the order (both readings are that day), and its explanation gives the law's maximum\n")
	b.WriteString("for the order. An extension runs on from the last day of the period it extends. `uncovered` marks an end in\n")
	b.WriteString("a year the legal calendar has no entries for, where only weekends were known days off.\n\n")

	b.WriteString("## Windows, the summary procedure and the legal maximum of an order\n\n")
	b.WriteString("- **Windows** (kháng cáo, kháng nghị: `appeal_period_judgment`, `vks_protest_judgment_same_level`,\n")
	b.WriteString("  `vks_protest_judgment_higher_level`) are rights, not duties. They open at each pronouncement, are met by the\n")
	b.WriteString("  appeal or protest, and close unused as `cancelled` at their latest reading, never `missed`; an appeal or\n")
	b.WriteString("  protest after that (out of time, Điều 335, or by the other procuracy) leaves them closed and is named in the\n")
	b.WriteString("  explanation.\n")
	b.WriteString("- **Closed by a later act**: `indictment_delivery` and `file_to_court` are met by their own steps\n")
	b.WriteString("  (`deliver_indictment`, `send_file_to_court`); when the court acts on the case first, the act was done on a\n")
	b.WriteString("  day nobody recorded, and the clock closes as `cancelled`.\n")
	b.WriteString("- **Summary procedure** (thủ tục rút gọn, Điều 455–464): while it applies (from `apply_summary_procedure` to\n")
	b.WriteString("  `cancel_summary_procedure`) each general clock it shortens gets a shortened twin with the same start (for\n")
	b.WriteString("  the prosecution and the trial, the application if it came later), ended by what ends the general clock. A\n")
	b.WriteString("  cancellation closes the twin as `cancelled` (`met_late` if the shortened limit had already run out) and the\n")
	b.WriteString("  general clock, which never stopped, continues. Detention orders under the procedure last at most 20 days\n")
	b.WriteString("  (investigation), 5 (prosecution) or 17 (trial) (Điều 459).\n")
	b.WriteString("- **Legal maximum of a custody or detention order** (`Clock.LegalMax`): the tightest of the single order's maximum\n")
	b.WriteString("  by the stage it serves, the investigation ladder's total (ÍNT 3, NT 5, RNT 7, ĐBNT 12 months, Điều\n")
	b.WriteString("  173(2)–(4)) from the first detention for the investigation less the custody days (Điều 118(4)), and the\n")
	b.WriteString("  investigation time left (Điều 173; TTLT 04/2018 Art. 14(3)); for a person under 18, 2/3 of each adult limit\n")
	b.WriteString("  (Điều 419), rounded down. The clock still runs to the end written in the order; an order that outlasts the\n")
	b.WriteString("  maximum says so in its explanation.\n")
	b.WriteString("- **Extensions after expiry** are refused: `extend_report_resolution`, `extend_investigation` and\n")
	b.WriteString("  `extend_prosecution` issued after the latest reading of the period they extend fail with the guards\n")
	b.WriteString("  `report_period_not_expired`, `investigation_period_not_expired` and `prosecution_period_not_expired`.\n\n")

	b.WriteString("## Statuses\n\n| status | | meaning |\n|---|---|---|\n")
	for _, s := range ClockStatuses {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s, clockStatusDoc[s].vi, clockStatusDoc[s].meaning)
	}
	b.WriteString("\n`days_left` counts whole days from today to the latest last day; it is negative once that day has passed.\n\n")

	b.WriteString("## Not yet covered\n\n")
	b.WriteString("These time limits of the reference are not computed yet (`workflow.RulesNotYetCovered`); watch them by hand.\n\n")
	b.WriteString("| id | article | limit | |\n|---|---|---|---|\n")
	for _, u := range RulesNotYetCovered {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", u.ID, u.Article, u.NoteVI, u.NoteEN)
	}
	return b.String()
}

func codes(steps []domain.Step) string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = "`" + string(s) + "`"
	}
	return strings.Join(out, ", ")
}

func startsDoc(r Rule) string {
	if r.Shortens != "" {
		from := "its start"
		if r.FromApplication {
			from = "its start, or `apply_summary_procedure` if later"
		}
		return fmt.Sprintf("each `%s` clock that runs while the summary procedure applies, from %s", r.Shortens, from)
	}
	switch r.Kind {
	case ruleKindPendingDecision:
		return "receipt by the procuracy (recording) of a pending " + codes(r.StartsOn)
	case ruleKindMeasure:
		return "an executed `" + string(r.Measure) + "` order, from its `start_at`"
	case ruleKindDelivery:
		return "the issue of a " + codes(r.StartsOn) + " decision by another body (its day: from 00:00 for the earliest reading, 24:00 for the latest)"
	}
	var parts []string
	switch r.StartsAtRegistration {
	case domain.KindReport:
		parts = append(parts, "registration as a report (`report`)")
	case domain.KindCase:
		parts = append(parts, "registration as a case already instituted (`case`)")
	}
	if len(r.StartsOn) > 0 {
		parts = append(parts, codes(r.StartsOn))
	}
	return strings.Join(parts, "; ")
}

func metDoc(r Rule) string {
	switch r.Kind {
	case ruleKindPendingDecision:
		return "the procuracy's answer (`decide_approval`)"
	case ruleKindMeasure:
		return "the measure ends (`end_measure`, an extension's new order, termination)"
	case ruleKindDelivery:
		return "its receipt by the procuracy (`received_at` of the decision); no clock without it"
	}
	if r.Shortens != "" {
		return fmt.Sprintf("what ends the `%s` clock; cancelled by `%s`", r.Shortens, StepCancelSummary)
	}
	out := codes(r.MetBy)
	if len(r.ClosedBy) > 0 {
		out += "; closed (cancelled) by " + codes(r.ClosedBy)
	}
	if r.Window {
		out += "; a window: closes unused as cancelled"
	}
	return out
}

// lengthsDoc writes a length by class compactly: "ÍNT 2 tháng; NT 3 tháng; …", or "mọi loại tội"
// for a length that does not depend on the class.
func lengthsDoc(b ByClass) string {
	if l, ok := b[everyClass]; ok && len(b) == 1 {
		return "mọi loại tội (every class) " + l.String()
	}
	var parts []string
	for _, c := range domain.SeverityClasses {
		if l, ok := b.For(c); ok {
			parts = append(parts, c.Abbrev()+" "+l.String())
		}
	}
	return strings.Join(parts, "; ")
}

func countingDoc(r Rule) string {
	hours := true
	for _, l := range r.Length {
		hours = hours && l.Unit == Hours
	}
	switch {
	case hours:
		return "by the hour (Điều 134(1))"
	case r.Counting.Continuous:
		return "continuous: weekends and holidays count, 1 month = 30 days, no roll-over (Điều 134(2))"
	case r.Counting.RollOver:
		return "calendar; a last day on a day off rolls over to the next working day (Điều 134(2))"
	}
	return "calendar days to 24:00 of the last day, no roll-over (Điều 134(2))"
}

func ladderDoc(l *Ladder) string {
	if l == nil {
		return "–"
	}
	var parts []string
	if rungs, ok := l.Each[everyClass]; ok && len(l.Each) == 1 {
		parts = append(parts, "mọi loại tội "+rungsDoc(rungs))
	} else {
		for _, c := range domain.SeverityClasses {
			if rungs := ladderFor(l, c); len(rungs) > 0 {
				parts = append(parts, c.Abbrev()+" "+rungsDoc(rungs))
			}
		}
	}
	s := fmt.Sprintf("`%s`: %s", l.Step, strings.Join(parts, "; "))
	if l.RequestDaysBefore > 0 {
		s += fmt.Sprintf("; asked ≥ %d days before expiry", l.RequestDaysBefore)
	}
	return s + "; granted by " + l.Approver + " (" + l.Article + ")"
}

// rungsDoc writes the successive extensions of one class: "4 tháng + 4 tháng".
func rungsDoc(rungs []Length) string {
	out := make([]string, len(rungs))
	for i, l := range rungs {
		out[i] = l.String()
	}
	return strings.Join(out, " + ")
}

func warnDoc(r Rule) string {
	switch r.WarnDays {
	case 0:
		return "2 hours before"
	case 1:
		return "1 day before"
	}
	return fmt.Sprintf("%d days before", r.WarnDays)
}
