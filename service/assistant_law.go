package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// The law the search and the assistant read besides the Penal Code catalog: the deadline rule
// table and the reference facts, rendered as passages. Everything here comes from the workflow
// tables, so an answer can never state a limit the engine does not compute.

// Reference fact passages, by id.
const (
	factCounting  = "fact:counting"
	factClasses   = "fact:classes"
	factDocuments = "fact:documents"
)

// lawLibrary is the law the search reads: every version of the Penal Code catalog's clauses (with
// the days it is in force) and the fixed passages (rules and facts), written to the database once
// per content (SyncLaw) before the first law search of the process.
type lawLibrary struct {
	all  []domain.LawPassage
	hash string

	mu     sync.Mutex
	synced bool
}

// LawStore keeps the law passages the search reads.
type LawStore interface {
	SyncLaw(ctx context.Context, hash string, passages []domain.LawPassage) error
}

func newLawLibrary(catalog *workflow.PenalCatalog) *lawLibrary {
	var all []domain.LawPassage
	for _, c := range catalog.Clauses() {
		from := c.EffectiveFrom
		all = append(all, domain.LawPassage{ID: fmt.Sprintf("BLHS:%s:%d", c.Article, c.Clause), Cite: fmt.Sprintf("Điều %s khoản %d BLHS", c.Article, c.Clause),
			Title: c.Title, Body: fmt.Sprintf("Bộ luật Hình sự %s: khung hình phạt từ %s đến %s, tội phạm %s.", c.Title,
				penaltyText(c.Min, penaltyWordsVI), penaltyText(c.Max, penaltyWordsVI), c.Class.NameVI()),
			ValidFrom: &from, ValidTo: c.EffectiveTo})
	}
	all = append(all, LawPassages()...)
	h := sha256.New()
	for _, p := range all {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%v\x00%v\n", p.ID, p.Cite, p.Title, p.Body, p.ValidFrom, p.ValidTo)
	}
	return &lawLibrary{all: all, hash: hex.EncodeToString(h.Sum(nil))}
}

// ensure writes the passages once per process (a failed write is tried again next time).
func (l *lawLibrary) ensure(ctx context.Context, store LawStore) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.synced {
		return nil
	}
	if err := store.SyncLaw(ctx, l.hash, l.all); err != nil {
		return err
	}
	l.synced = true
	return nil
}

// LawPassages are the deadline rules (newest version of each) and the reference facts as
// passages for the law search.
func LawPassages() []domain.LawPassage {
	var out []domain.LawPassage
	seen := map[workflow.RuleID]bool{}
	for _, r := range workflow.Rules {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		nr, _ := workflow.RuleByID(r.ID)
		out = append(out, domain.LawPassage{ID: "rule:" + string(nr.ID), Cite: nr.Article, Title: nr.NameVI,
			Body: ruleSentence(nr, "", ruleWordsVI) + " " + nr.NameEN})
	}
	out = append(out,
		domain.LawPassage{ID: factCounting, Cite: "Điều 134 BLTTHS; Điều 17 TTLT 04/2018", Title: "Cách tính thời hạn tố tụng", Body: countingVI},
		domain.LawPassage{ID: factClasses, Cite: "Điều 9 BLHS", Title: "Phân loại tội phạm", Body: classesVI},
		domain.LawPassage{ID: factDocuments, Cite: "Điều 153–289 BLTTHS", Title: "Văn bản tố tụng chuyển giai đoạn vụ án", Body: documentsVI()},
	)
	return out
}

const countingVI = "Thời hạn tính theo giờ, ngày, tháng, năm; ban đêm từ 22 giờ đến 6 giờ. Thời hạn tính bằng ngày hết vào 24 giờ ngày cuối; " +
	"thời hạn tính bằng tháng hết vào ngày tương ứng của tháng cuối, tháng không có ngày tương ứng thì hết vào ngày cuối tháng. " +
	"Nếu ngày cuối là ngày nghỉ thì ngày làm việc tiếp theo là ngày cuối của thời hạn. Thời hạn tạm giữ, tạm giam tính liên tục cả ngày nghỉ, " +
	"hết vào 24 giờ ngày hết hạn ghi trong lệnh, một tháng tính 30 ngày; ngày tạm giữ được trừ vào thời hạn tạm giam. " +
	"Cách tính thời gian ngày nghỉ lễ, Tết theo lịch pháp lý do quản trị viên cập nhật."

const countingEN = "Limits are counted in hours, days, months and years; night is 22:00–06:00. A limit in days ends at 24:00 of its last day; " +
	"a limit in months ends on the same-numbered day of its last month, or that month's last day. If the last day is a day off, " +
	"the next working day is the last day. Custody and detention run continuously through days off, end at 24:00 of the end date " +
	"written in the order and count a month as 30 days; custody days are deducted from detention."

const classesVI = "Tội phạm ít nghiêm trọng: khung hình phạt cao nhất đến 3 năm tù (hoặc phạt tiền, cải tạo không giam giữ); " +
	"tội phạm nghiêm trọng: trên 3 năm đến 7 năm tù; tội phạm rất nghiêm trọng: trên 7 năm đến 15 năm tù; " +
	"tội phạm đặc biệt nghiêm trọng: trên 15 năm đến 20 năm tù, tù chung thân hoặc tử hình. Loại tội xác định theo mức cao nhất của khung hình phạt."

// documentsVI lists the decisions that move a case from one stage to another, from the
// transition table.
func documentsVI() string {
	var parts []string
	for _, t := range workflow.Transitions {
		if t.Subject != domain.SubjectCase || t.To == "" {
			continue
		}
		doc := workflow.DocNames[t.Doc]
		parts = append(parts, fmt.Sprintf("%s (%s) chuyển sang %s", doc.VI, t.Article, workflow.StageNames[domain.Stage(t.To)].VI))
	}
	return strings.Join(parts, "; ")
}

// classNameVI and classNameEN name a class as the answers do; the empty class is every class.
func classNameVI(c domain.SeverityClass) string {
	if c == "" {
		return "mọi loại tội"
	}
	return c.NameVI()
}

func classNameEN(c domain.SeverityClass) string {
	if c == "" {
		return "every class"
	}
	return c.NameEN()
}

// lengthEN renders a length in English.
func lengthEN(l workflow.Length) string {
	unit := map[workflow.Unit]string{workflow.Hours: "hour", workflow.Months: "month"}[l.Unit]
	if unit == "" {
		unit = "day"
	}
	if l.N != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", l.N, unit)
}

// ruleWords are the words a rule is stated in, in one language.
type ruleWords struct {
	name                                                                 func(workflow.Rule) string
	class                                                                func(domain.SeverityClass) string
	length                                                               func(workflow.Length) string
	then, extended, noExtension, approver, request, continuous, rollOver string
}

var (
	ruleWordsVI = ruleWords{name: func(r workflow.Rule) string { return r.NameVI }, class: classNameVI, length: workflow.Length.String,
		then: ", sau đó ", extended: "; được gia hạn %d lần (%s)", noExtension: "; không được gia hạn",
		approver: " Thẩm quyền gia hạn: %s (%s).", request: " Đề nghị gia hạn chậm nhất %d ngày trước khi hết hạn.",
		continuous: " Thời hạn tính liên tục, kể cả ngày nghỉ.", rollOver: " Nếu ngày cuối là ngày nghỉ thì hết hạn vào ngày làm việc tiếp theo."}
	ruleWordsEN = ruleWords{name: func(r workflow.Rule) string { return r.NameEN }, class: classNameEN, length: lengthEN,
		then: ", then ", extended: "; may be extended %d time(s) (%s)", noExtension: "; no extension",
		approver: " Extensions are granted by: %s (%s).", request: " The request must come at least %d days before expiry.",
		continuous: " It runs continuously, days off included.", rollOver: " A last day that is a day off moves to the next working day."}
)

func wordsFor(en bool) ruleWords {
	if en {
		return ruleWordsEN
	}
	return ruleWordsVI
}

// ruleSentence states a rule for one class (or every class it distinguishes when c is empty): its
// length, its extensions and who grants them, and the article.
func ruleSentence(r workflow.Rule, c domain.SeverityClass, w ruleWords) string {
	classes := []domain.SeverityClass{c}
	if c == "" {
		classes = ruleClasses(r)
	}
	var parts []string
	for _, cl := range classes {
		l, ok := r.Length.For(cl)
		if !ok {
			continue
		}
		s := fmt.Sprintf("%s: %s", w.class(cl), w.length(l))
		if r.Ladder != nil {
			if rungs := r.Ladder.Rungs(cl); len(rungs) > 0 {
				ls := make([]string, len(rungs))
				for i, x := range rungs {
					ls[i] = w.length(x)
				}
				s += fmt.Sprintf(w.extended, len(rungs), strings.Join(ls, w.then))
			} else {
				s += w.noExtension
			}
		}
		parts = append(parts, s)
	}
	out := fmt.Sprintf("%s (%s) — %s.", w.name(r), r.Article, strings.Join(parts, "; "))
	if r.Ladder != nil {
		out += fmt.Sprintf(w.approver, r.Ladder.Approver, r.Ladder.Article)
		if r.Ladder.RequestDaysBefore > 0 {
			out += fmt.Sprintf(w.request, r.Ladder.RequestDaysBefore)
		}
	}
	if r.Counting.Continuous {
		out += w.continuous
	} else if r.Counting.RollOver {
		out += w.rollOver
	}
	return out
}

// ruleClasses are the classes a rule's length or ladder distinguishes, or the empty class alone.
func ruleClasses(r workflow.Rule) []domain.SeverityClass {
	if _, ok := r.Length[""]; ok && (r.Ladder == nil || len(r.Ladder.Each) == 1) {
		return []domain.SeverityClass{""}
	}
	return domain.SeverityClasses
}

var (
	parenthesised = regexp.MustCompile(`\([^)]*\)`)
	articleNumber = regexp.MustCompile(`\d+[a-z]?`)
)

// articleRefs turns an article string of the tables ("Điều 172(2)–(6) BLTTHS", "Điều 119(5),
// 113(1)(a) BLTTHS") into citation refs ("BLTTHS:172", "BLTTHS:119", "BLTTHS:113"). Clauses in
// brackets are dropped: the refs name articles.
func articleRefs(s string) []domain.Citation {
	code := ""
	for _, c := range []string{"BLTTHS", "BLHS", "TTLT"} {
		if strings.Contains(s, c) {
			code = c
			break
		}
	}
	if code == "" {
		return nil
	}
	// Only the part before the code names articles of it ("Điều 134 BLTTHS; Điều 17 TTLT 04/2018").
	part := s[:strings.Index(s, code)]
	if i := strings.LastIndex(part, ";"); i >= 0 {
		part = part[i+1:]
	}
	var out []domain.Citation
	seen := map[string]bool{}
	for _, n := range articleNumber.FindAllString(parenthesised.ReplaceAllString(part, ""), -1) {
		ref := code + ":" + n
		if seen[ref] {
			continue
		}
		seen[ref] = true
		out = append(out, domain.Citation{Kind: "article", Ref: ref, Label: "Điều " + n + " " + code})
	}
	return out
}

// ruleCitations cite a rule and the articles it comes from.
func ruleCitations(r workflow.Rule) []domain.Citation {
	out := []domain.Citation{{Kind: "rule", Ref: "rule:" + string(r.ID), Label: r.NameVI}}
	out = append(out, articleRefs(r.Article)...)
	return out
}
