package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// Assistant is the virtual assistant (trợ lý ảo). It answers questions about procedure from the
// rule table and the reference facts, about a case from the deadline engine and the timeline,
// about classification from the Penal Code catalog, and finds similar cases; every answer cites
// what it rests on. It needs no language model: an optional Phraser may reword an answer, and a
// rewording whose numbers or articles its sources do not hold is thrown away. When it does not
// know, it says so and shows the closest law passages.
type Assistant struct {
	store     SearchStore
	cases     *Cases
	procedure *Procedure
	catalog   *workflow.PenalCatalog
	authz     *Authz
	audit     Auditor
	clock     Clock
	phraser   Phraser
	law       *lawLibrary
}

// Phraser rewords an answer from its passages (an OpenAI-compatible model served inside the
// organisation). It is optional and off by default.
type Phraser interface {
	Phrase(ctx context.Context, language, question, answer string, passages []string) (string, error)
}

// NewAssistant wires the assistant; phraser may be nil.
func NewAssistant(store SearchStore, cases *Cases, procedure *Procedure, catalog *workflow.PenalCatalog, authz *Authz, audit Auditor, clock Clock,
	phraser Phraser, law *lawLibrary) *Assistant {
	return &Assistant{store: store, cases: cases, procedure: procedure, catalog: catalog, authz: authz, audit: audit, clock: clock,
		phraser: phraser, law: law}
}

// AskInput is a question, optionally about one case.
type AskInput struct {
	Question string
	CaseID   string
}

// The assistant's intents.
const (
	IntentProcedure      = "procedure"
	IntentCounting       = "counting"
	IntentDocuments      = "documents"
	IntentClassification = "classification"
	IntentCase           = "case"
	IntentSimilar        = "similar"
	IntentUnknown        = "unknown"
)

// Confidence of each kind of answer: an exact lookup in a table is surer than a rule picked by
// its words, which is surer than a similarity ranking.
const (
	confidenceLookup  = 0.95
	confidenceRule    = 0.85
	confidenceRuleNo  = 0.7
	confidenceSimilar = 0.6
)

const maxQuestion = 1000

// Ask answers a question and keeps it in the asker's history.
func (a *Assistant) Ask(ctx context.Context, p *Principal, in AskInput) (domain.AssistantAnswer, error) {
	text := strings.TrimSpace(in.Question)
	switch {
	case text == "":
		return domain.AssistantAnswer{}, domain.Invalid("question", "required", "nhập câu hỏi")
	case len([]rune(text)) > maxQuestion:
		return domain.AssistantAnswer{}, domain.Invalid("question", "length", fmt.Sprintf("câu hỏi tối đa %d ký tự", maxQuestion))
	case in.CaseID != "" && !validUUID(in.CaseID):
		return domain.AssistantAnswer{}, domain.Invalid("case_id", "format", "mã hồ sơ không hợp lệ")
	}
	q := readQuestion(text)
	ans, err := a.answer(ctx, p, q, in.CaseID)
	if err != nil {
		return domain.AssistantAnswer{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return domain.AssistantAnswer{}, err
	}
	ans.ID, ans.UserID, ans.AskedAt, ans.Question, ans.CaseID = id.String(), p.User.ID, a.clock.Now(), text, in.CaseID
	ans.Language = "vi"
	if q.en {
		ans.Language = "en"
	}
	if ans.Answered && a.phraser != nil {
		a.phrase(ctx, q, &ans)
	}
	if err := a.store.InsertAssistantAnswer(ctx, ans); err != nil {
		return domain.AssistantAnswer{}, err
	}
	// The cases an answer shows (cited, or found similar) are read through it: audited like a search.
	var shown []string
	for _, c := range ans.Citations {
		if c.Kind == "case" {
			shown = append(shown, c.ID)
		}
	}
	detail, _ := json.Marshal(map[string]any{"question_id": ans.ID, "intent": ans.Intent, "answered": ans.Answered, "case_ids": shown})
	if err := a.audit.Record(ctx, p.audit(a.clock.Now(), "assistant.ask", "case", in.CaseID, p.User.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return domain.AssistantAnswer{}, err
	}
	return ans, nil
}

// answer picks the intent and answers it.
func (a *Assistant) answer(ctx context.Context, p *Principal, q question, caseID string) (domain.AssistantAnswer, error) {
	// A case named by its code in the text is looked for through the case list, so in scope only.
	code := reCaseCode.FindString(q.raw)
	if caseID == "" && code != "" {
		id, err := a.caseByCode(ctx, p, code)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return a.refuseCase(q), nil
		} else if err != nil {
			return domain.AssistantAnswer{}, err
		}
		caseID = id
	}
	if q.has("tuong tu", "giong", "similar", "comparable", "vu an tuong tu") {
		return a.similar(ctx, p, q, caseID)
	}
	if caseID != "" || q.has("vu nay", "vu an nay", "ho so nay", "this case", "the case") {
		return a.aboutCase(ctx, p, q, caseID)
	}
	if ref, ok := q.articleRef(); ok && a.isClassification(q) {
		return a.classification(ctx, q, ref)
	}
	if q.has("cach tinh", "tinh thoi han", "tinh nhu the nao", "ngay nghi", "ngay le", "nghi le", "thu bay", "chu nhat", "counted", "count",
		"holiday", "holidays", "weekend", "weekends", "day off", "days off") && len(a.rulesIn(q)) == 0 {
		return a.counting(q), nil
	}
	if q.has("van ban nao", "quyet dinh nao", "chuyen sang", "chuyen vu an", "which document", "which documents", "which decision", "moves", "move") {
		if ans, ok := a.documents(q); ok {
			return ans, nil
		}
	}
	if rules := a.rulesIn(q); len(rules) > 0 {
		return a.procedureAnswer(q, rules), nil
	}
	if ref, ok := q.articleRef(); ok && !q.has("bltths", "to tung") {
		return a.classification(ctx, q, ref)
	}
	if ref, ok := a.crimeNamed(q); ok && q.has("khoan", "clause", "loai toi", "toi gi", "khung hinh phat") {
		// Which clause the facts fall under (a value, a harm) is the prosecutor's judgment: the
		// catalog holds brackets, not the thresholds of each clause.
		if ref.Clause == 0 && q.has("theo khoan nao", "ap dung khoan nao", "which clause applies", "which clause") {
			why := "Hệ thống không xác định khoản áp dụng theo tình tiết cụ thể (giá trị tài sản, hậu quả, tình tiết định khung)"
			if q.en {
				why = "The platform does not decide which clause the facts fall under (value, harm, qualifying circumstances)"
			}
			return a.unknown(ctx, q, why)
		}
		return a.classification(ctx, q, ref)
	}
	return a.unknown(ctx, q, "")
}

// crimeNamed finds the article whose crime the question names ("tội cướp giật tài sản khoản 1"),
// the longest name first, with the clause when one is named.
func (a *Assistant) crimeNamed(q question) (articleRef, bool) {
	best, bestLen := "", 0
	for _, art := range a.catalog.Articles() {
		cs := a.catalog.Article(art)
		if len(cs) == 0 {
			continue
		}
		name := strings.TrimSpace(fold(strings.TrimPrefix(cs[0].Title, "Tội ")))
		if len(name) > bestLen && q.has(name) {
			best, bestLen = art, len(name)
		}
	}
	if best == "" {
		return articleRef{}, false
	}
	ref := articleRef{Article: best}
	if c := reClause.FindStringSubmatch(q.folded); c != nil {
		ref.Clause = atoiOr(c[1])
	}
	return ref, true
}

// isClassification: an article named with words about its crime, class or penalty, and no word
// of a procedural limit.
func (a *Assistant) isClassification(q question) bool {
	if q.has("bltths", "to tung hinh su", "criminal procedure") {
		return false
	}
	if len(a.rulesIn(q)) > 0 && !q.has("loai toi", "toi gi", "khung hinh phat") {
		return false
	}
	return true
}

// ruleKeys map phrases of a question to the rules they ask about, the most specific first: the
// first entry whose phrase occurs wins, with every rule it lists.
var ruleKeys = []struct {
	phrases []string
	rules   []workflow.RuleID
}{
	{[]string{"rut gon", "summary procedure"}, nil}, // resolved by summaryRules
	{[]string{"giu nguoi trong truong hop khan cap", "giu nguoi khan cap", "bat khan cap", "bat nguoi trong truong hop khan cap", "urgent holding",
		"urgent arrest"}, []workflow.RuleID{workflow.RuleUrgentArrestApproval}},
	{[]string{"phe chuan lenh tam giam", "phe chuan lenh bat de tam giam", "phe chuan lenh bat", "approve a detention order", "approval of a detention order", "detention order approval"},
		[]workflow.RuleID{workflow.RuleDetentionApproval}},
	{[]string{"phe chuan gia han tam giu", "custody extension approval", "approve a custody extension"}, []workflow.RuleID{workflow.RuleCustodyExtApproval}},
	{[]string{"thay doi bo sung quyet dinh khoi to bi can", "change of charges", "thay doi toi danh"}, []workflow.RuleID{workflow.RuleAccusedChangeApproval}},
	{[]string{"phe chuan quyet dinh khoi to bi can", "phe chuan khoi to bi can", "approve the prosecution of an accused", "approval of the decision to prosecute"},
		[]workflow.RuleID{workflow.RuleAccusedApproval}},
	{[]string{"tam giu", "custody"}, []workflow.RuleID{workflow.RuleCustodyPeriod}},
	{[]string{"tam giam", "detention", "detained", "pre trial detention"}, []workflow.RuleID{workflow.RuleDetentionPeriod}},
	{[]string{"phuc hoi dieu tra", "resumed investigation", "resumption of the investigation", "resume the investigation"},
		[]workflow.RuleID{workflow.RuleInvestigationResumed}},
	{[]string{"dieu tra bo sung", "supplementary investigation"}, []workflow.RuleID{workflow.RuleSupplementaryVKS, workflow.RuleSupplementaryCourt}},
	{[]string{"giai quyet nguon tin", "nguon tin", "to giac", "tin bao", "crime report", "crime reports", "denunciation"},
		[]workflow.RuleID{workflow.RuleReportResolution}},
	{[]string{"giao ban cao trang", "giao cao trang", "deliver the indictment", "delivery of the indictment"}, []workflow.RuleID{workflow.RuleIndictmentDelivery}},
	{[]string{"chuyen ho so vu an", "chuyen ho so", "file to the court", "send the file"}, []workflow.RuleID{workflow.RuleFileToCourt}},
	{[]string{"khang nghi giam doc tham", "giam doc tham", "cassation"}, []workflow.RuleID{workflow.RuleCassationProtest}},
	{[]string{"khang nghi phuc tham", "khang nghi ban an", "protest", "khang nghi"}, []workflow.RuleID{workflow.RuleProtestSameLevel, workflow.RuleProtestHigherLevel}},
	{[]string{"khang cao quyet dinh", "appeal against a decision", "appeal a decision"}, []workflow.RuleID{workflow.RuleAppealDecision}},
	{[]string{"khang cao", "appeal", "appeals"}, []workflow.RuleID{workflow.RuleAppealJudgment}},
	{[]string{"mo phien toa", "open the hearing", "opening of the hearing"}, []workflow.RuleID{workflow.RuleTrialOpening}},
	{[]string{"chuan bi xet xu", "trial preparation", "prepare the trial", "preparing the trial"}, []workflow.RuleID{workflow.RuleTrialPreparation}},
	{[]string{"truy to", "prosecution decision", "decide on prosecution", "indict", "indictment"}, []workflow.RuleID{workflow.RuleProsecutionDecision}},
	{[]string{"thoi han dieu tra", "han dieu tra", "dieu tra", "investigation", "investigate"}, []workflow.RuleID{workflow.RuleInvestigation}},
}

// summaryRules are the summary procedure's rules by the stage the question names.
func summaryRules(q question) []workflow.RuleID {
	switch {
	case q.has("truy to", "prosecution"):
		return []workflow.RuleID{workflow.RuleSummaryProsecution}
	case q.has("mo phien toa", "opening"):
		return []workflow.RuleID{workflow.RuleSummaryTrialOpening}
	case q.has("xet xu", "trial"):
		return []workflow.RuleID{workflow.RuleSummaryTrialPrep}
	}
	return []workflow.RuleID{workflow.RuleSummaryInvestigation}
}

// rulesIn are the rules a question asks about, or none.
func (a *Assistant) rulesIn(q question) []workflow.Rule {
	for _, k := range ruleKeys {
		if !q.has(k.phrases...) {
			continue
		}
		ids := k.rules
		if ids == nil {
			ids = summaryRules(q)
		}
		var out []workflow.Rule
		for _, id := range ids {
			if r, ok := workflow.RuleByID(id); ok {
				out = append(out, r)
			}
		}
		return out
	}
	return nil
}

// detentionStages: detention to prosecute or to try may not outlast the prosecution or the trial
// preparation period (Điều 241, 278 BLTTHS); the answer states that period.
var detentionStages = []struct {
	phrases []string
	rule    workflow.RuleID
	article string
	vi, en  string
}{
	{[]string{"truy to", "prosecution", "prosecute"}, workflow.RuleProsecutionDecision, "241",
		"Thời hạn tạm giam để truy tố không được quá thời hạn quyết định việc truy tố (Điều 241 BLTTHS):",
		"Detention for prosecution may not exceed the period to decide on prosecution (Article 241 BLTTHS):"},
	{[]string{"xet xu", "chuan bi xet xu", "trial"}, workflow.RuleTrialPreparation, "278",
		"Thời hạn tạm giam để chuẩn bị xét xử không được quá thời hạn chuẩn bị xét xử (Điều 278 BLTTHS):",
		"Detention to prepare the trial may not exceed the trial preparation period (Article 278 BLTTHS):"},
}

// procedureAnswer states the rules asked about for the class named (or every class).
func (a *Assistant) procedureAnswer(q question, rules []workflow.Rule) domain.AssistantAnswer {
	if len(rules) == 1 && rules[0].ID == workflow.RuleDetentionPeriod {
		for _, ds := range detentionStages {
			if !q.has(ds.phrases...) {
				continue
			}
			r, _ := workflow.RuleByID(ds.rule)
			head := ds.vi
			if q.en {
				head = ds.en
			}
			ans := a.procedureAnswer(q, []workflow.Rule{r})
			ans.Answer = head + "\n" + ans.Answer
			ans.Citations = dedupeCitations(append([]domain.Citation{{Kind: "article", Ref: "BLTTHS:" + ds.article, Label: "Điều " + ds.article + " BLTTHS"}},
				ans.Citations...))
			return ans
		}
	}
	class := q.classIn()
	var lines []string
	var cites []domain.Citation
	for _, r := range rules {
		c := class
		if _, ok := r.Length[c]; !ok && c != "" {
			if _, every := r.Length[""]; every && (r.Ladder == nil || len(r.Ladder.Each) <= 1) {
				c = ""
			}
		}
		lines = append(lines, ruleSentence(r, c, wordsFor(q.en)))
		cites = append(cites, ruleCitations(r)...)
	}
	conf := confidenceRule
	if len(rules) > 1 {
		conf = confidenceRuleNo
	}
	return domain.AssistantAnswer{Intent: IntentProcedure, Answered: true, Answer: strings.Join(lines, "\n"), Citations: dedupeCitations(cites), Confidence: conf}
}

// counting answers how time limits are counted.
func (a *Assistant) counting(q question) domain.AssistantAnswer {
	text := countingVI
	if q.en {
		text = countingEN
	}
	return domain.AssistantAnswer{Intent: IntentCounting, Answered: true, Answer: text, Confidence: confidenceRule,
		Citations: []domain.Citation{{Kind: "article", Ref: "BLTTHS:134", Label: "Điều 134 BLTTHS"}, {Kind: "article", Ref: "TTLT04/2018:17", Label: "Điều 17 TTLT 04/2018"}}}
}

// documents answers which decisions move a case into the stage the question names.
func (a *Assistant) documents(q question) (domain.AssistantAnswer, bool) {
	target, best := domain.Stage(""), 0
	for st, n := range workflow.StageNames {
		for _, name := range []string{n.VI, n.EN} {
			f := strings.TrimSpace(fold(name))
			// The stage a case moves to is named after "sang" / "to"; any other mention counts less.
			score := 0
			switch {
			case q.has("sang "+f, "to "+f, "den "+f, "into "+f, "vao "+f):
				score = 2 * len(f)
			case q.has(f):
				score = len(f)
			}
			if score > best {
				target, best = st, score
			}
		}
	}
	if target == "" {
		return domain.AssistantAnswer{}, false
	}
	var lines []string
	var cites []domain.Citation
	for _, t := range workflow.Transitions {
		if t.Subject != domain.SubjectCase || domain.Stage(t.To) != target {
			continue
		}
		doc := workflow.DocNames[t.Doc]
		if q.en {
			lines = append(lines, fmt.Sprintf("%s: %s (%s)", t.NameEN, doc.EN, t.Article))
		} else {
			lines = append(lines, fmt.Sprintf("%s: %s (%s)", t.NameVI, doc.VI, t.Article))
		}
		cites = append(cites, articleRefs(t.Article)...)
	}
	if len(lines) == 0 {
		return domain.AssistantAnswer{}, false
	}
	name := workflow.StageNames[target]
	head := fmt.Sprintf("Vụ án chuyển sang giai đoạn %s bằng:", name.VI)
	if q.en {
		head = fmt.Sprintf("A case moves to %s through:", name.EN)
	}
	return domain.AssistantAnswer{Intent: IntentDocuments, Answered: true, Answer: head + "\n" + strings.Join(lines, "\n"),
		Citations: dedupeCitations(cites), Confidence: confidenceRule}, true
}

// classification answers the class and bracket of an article (and clause) of the Penal Code in
// force today.
func (a *Assistant) classification(ctx context.Context, q question, ref articleRef) (domain.AssistantAnswer, error) {
	today := a.clock.Now().In(VietnamTime)
	var clauses []domain.PenalClause
	for _, c := range a.catalog.Article(ref.Article) {
		if c.InForce(today) && (ref.Clause == 0 || c.Clause == ref.Clause) {
			clauses = append(clauses, c)
		}
	}
	if len(clauses) == 0 {
		why := fmt.Sprintf("Danh mục Bộ luật Hình sự của hệ thống không có Điều %s", ref.Article)
		if ref.Clause > 0 {
			why = fmt.Sprintf("Danh mục Bộ luật Hình sự của hệ thống không có khoản %d Điều %s", ref.Clause, ref.Article)
		}
		if q.en {
			why = fmt.Sprintf("The platform's Penal Code catalog has no article %s", ref.Article)
			if ref.Clause > 0 {
				why = fmt.Sprintf("The platform's Penal Code catalog has no clause %d of article %s", ref.Clause, ref.Article)
			}
		}
		return a.unknown(ctx, q, why)
	}
	var lines []string
	cites := []domain.Citation{}
	for _, c := range clauses {
		if q.en {
			lines = append(lines, fmt.Sprintf("Clause %d of article %s of the Penal Code (%s): penalty bracket %s to %s, a %s crime.",
				c.Clause, c.Article, c.Title, penaltyText(c.Min, penaltyWordsEN), penaltyText(c.Max, penaltyWordsEN), c.Class.NameEN()))
		} else {
			lines = append(lines, fmt.Sprintf("Khoản %d Điều %s Bộ luật Hình sự (%s): khung hình phạt từ %s đến %s, là %s.",
				c.Clause, c.Article, c.Title, penaltyText(c.Min, penaltyWordsVI), penaltyText(c.Max, penaltyWordsVI), "tội phạm "+c.Class.NameVI()))
		}
		cites = append(cites, domain.Citation{Kind: "article", Ref: fmt.Sprintf("BLHS:%s:%d", c.Article, c.Clause),
			Label: fmt.Sprintf("Khoản %d Điều %s BLHS", c.Clause, c.Article)})
	}
	if q.en {
		lines = append(lines, "The class follows the maximum of the bracket (Article 9 of the Penal Code).")
	} else {
		lines = append(lines, "Loại tội xác định theo mức cao nhất của khung hình phạt (Điều 9 BLHS).")
	}
	cites = append(cites, domain.Citation{Kind: "article", Ref: "BLHS:9", Label: "Điều 9 BLHS"})
	return domain.AssistantAnswer{Intent: IntentClassification, Answered: true, Answer: strings.Join(lines, "\n"), Citations: cites,
		Confidence: confidenceLookup}, nil
}

// penaltyWords name the penalties in one language.
type penaltyWords struct{ warning, fine, reform, life, death, prison, years, months string }

var (
	penaltyWordsVI = penaltyWords{warning: "cảnh cáo", fine: "phạt tiền", reform: "cải tạo không giam giữ %s", life: "tù chung thân", death: "tử hình",
		prison: "%s tù", years: "%d năm", months: "%d tháng"}
	penaltyWordsEN = penaltyWords{warning: "a warning", fine: "a fine", reform: "non-custodial reform of %s", life: "life imprisonment", death: "death",
		prison: "%s in prison", years: "%d years", months: "%d months"}
)

// penaltyText names a bracket's bound.
func penaltyText(p domain.Penalty, w penaltyWords) string {
	length := fmt.Sprintf(w.months, p.Months)
	if p.Months%12 == 0 {
		length = fmt.Sprintf(w.years, p.Months/12)
	}
	switch p.Kind {
	case domain.PenaltyWarning:
		return w.warning
	case domain.PenaltyFine:
		return w.fine
	case domain.PenaltyReform:
		return fmt.Sprintf(w.reform, length)
	case domain.PenaltyLife:
		return w.life
	case domain.PenaltyDeath:
		return w.death
	}
	return fmt.Sprintf(w.prison, length)
}

// unknown refuses, saying why when known, and shows the closest law passages.
func (a *Assistant) unknown(ctx context.Context, q question, why string) (domain.AssistantAnswer, error) {
	ans := domain.AssistantAnswer{Intent: IntentUnknown}
	msg := "Tôi chưa trả lời được câu hỏi này từ các quy định và dữ liệu của hệ thống."
	if q.en {
		msg = "I cannot answer this from the platform's rules and data."
	}
	if why != "" {
		msg = why + ". " + msg
	}
	terms, err := a.store.SearchTerms(ctx, q.describingWords(), true)
	if err != nil {
		return ans, err
	}
	if !terms.Empty() {
		if err := a.law.ensure(ctx, a.store); err != nil {
			return ans, err
		}
		page, err := a.store.SearchLaw(ctx, terms, a.clock.Now().In(VietnamTime), 3)
		if err != nil {
			return ans, err
		}
		ans.Related = page.Hits
		if len(page.Hits) > 0 {
			if q.en {
				msg += " The closest rules and articles are listed below."
			} else {
				msg += " Các quy định gần nhất được liệt kê dưới đây."
			}
		}
	}
	ans.Answer = msg
	return ans, nil
}

// caseByCode finds a case the caller may read by its code, through the case list (so the scope
// is the list's); a code out of scope is not found.
func (a *Assistant) caseByCode(ctx context.Context, p *Principal, code string) (string, error) {
	page, err := a.cases.List(ctx, p, domain.CaseFilter{Text: code, Limit: 1})
	if err != nil {
		return "", err
	}
	if len(page.Items) == 0 || page.Items[0].Code != code {
		return "", domain.NotFound("hồ sơ")
	}
	return page.Items[0].ID, nil
}

// aboutCase answers from a case's clocks and history: the time left on the limits asked about.
func (a *Assistant) aboutCase(ctx context.Context, p *Principal, q question, caseID string) (domain.AssistantAnswer, error) {
	if caseID == "" {
		msg := "Hãy hỏi từ trang của vụ án, hoặc ghi mã hồ sơ (ví dụ VKS-HNI-KV01-2026-VA-000001) trong câu hỏi."
		if q.en {
			msg = "Ask from the case's page, or write the case code (e.g. VKS-HNI-KV01-2026-VA-000001) in the question."
		}
		return domain.AssistantAnswer{Intent: IntentCase, Answer: msg}, nil
	}
	ov, err := a.procedure.Overview(ctx, p, caseID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return a.refuseCase(q), nil
	} else if err != nil {
		return domain.AssistantAnswer{}, err
	}
	return caseAnswer(q, ov), nil
}

// refuseCase answers a question about a case that does not exist or that the caller may not
// read, the same way for both.
func (a *Assistant) refuseCase(q question) domain.AssistantAnswer {
	msg := "Không tìm thấy hồ sơ này trong phạm vi bạn được xem."
	if q.en {
		msg = "No such case within what you may read."
	}
	return domain.AssistantAnswer{Intent: IntentCase, Answer: msg}
}

// caseRuleGroups are the clocks a case question asks about, by its words.
var caseRuleGroups = []struct {
	phrases []string
	rules   []workflow.RuleID
}{
	{[]string{"tam giam", "detention", "detained"}, []workflow.RuleID{workflow.RuleDetentionPeriod}},
	{[]string{"tam giu", "custody"}, []workflow.RuleID{workflow.RuleCustodyPeriod}},
	{[]string{"dieu tra", "investigation"}, []workflow.RuleID{workflow.RuleInvestigation, workflow.RuleInvestigationResumed, workflow.RuleSupplementaryVKS,
		workflow.RuleSupplementaryCourt, workflow.RuleSummaryInvestigation}},
	{[]string{"truy to", "prosecution", "indict"}, []workflow.RuleID{workflow.RuleProsecutionDecision, workflow.RuleSummaryProsecution}},
	{[]string{"xet xu", "trial", "phien toa", "hearing"}, []workflow.RuleID{workflow.RuleTrialPreparation, workflow.RuleTrialOpening, workflow.RuleTrialAfterReturn,
		workflow.RuleSummaryTrialPrep, workflow.RuleSummaryTrialOpening}},
	{[]string{"phe chuan", "approval", "approve"}, []workflow.RuleID{workflow.RuleAccusedApproval, workflow.RuleAccusedChangeApproval, workflow.RuleDetentionApproval,
		workflow.RuleUrgentArrestApproval, workflow.RuleCustodyExtApproval}},
	{[]string{"khang cao", "khang nghi", "appeal", "protest"}, []workflow.RuleID{workflow.RuleAppealJudgment, workflow.RuleProtestSameLevel,
		workflow.RuleProtestHigherLevel, workflow.RuleAppealDecision, workflow.RuleProtestDecisionSame, workflow.RuleProtestDecisionHigher}},
}

// caseAnswer states the open clocks of a case the question asks about, with days left, or the
// stage when it asks where the case is.
func caseAnswer(q question, ov *CaseOverview) domain.AssistantAnswer {
	cs := ov.Case
	caseCite := domain.Citation{Kind: "case", Ref: cs.Code, Label: cs.Number, ID: cs.ID}
	if q.has("giai doan", "stage", "dang o dau", "where is", "tien do") {
		st := workflow.StageNames[cs.Stage]
		msg := fmt.Sprintf("Hồ sơ %s đang ở giai đoạn %s.", cs.Number, st.VI)
		if q.en {
			msg = fmt.Sprintf("Case %s is at the %s stage.", cs.Number, st.EN)
		}
		return domain.AssistantAnswer{Intent: IntentCase, Answered: true, Answer: msg, Citations: []domain.Citation{caseCite}, Confidence: confidenceLookup}
	}
	var want map[workflow.RuleID]bool
	for _, g := range caseRuleGroups {
		if q.has(g.phrases...) {
			want = map[workflow.RuleID]bool{}
			for _, r := range g.rules {
				want[r] = true
			}
			break
		}
	}
	soon := q.has("sap het han", "sap het", "sap", "soon", "expiring", "expire")
	names := map[string]string{}
	for _, ac := range ov.Accused {
		names[ac.ID] = ac.FullName
	}
	var urgent, running []workflow.Clock
	for _, c := range ov.Clocks {
		if !c.Status.Open() || (want != nil && !want[c.Rule]) {
			continue
		}
		if c.Status == workflow.ClockRunning {
			running = append(running, c)
		} else {
			urgent = append(urgent, c)
		}
	}
	shown := append(append([]workflow.Clock{}, urgent...), running...)
	note := ""
	if soon {
		shown = urgent
		if len(urgent) == 0 && len(running) > 0 {
			shown = running
			note = "Không có thời hạn nào sắp hết hạn hoặc đã quá hạn; các thời hạn đang chạy:"
			if q.en {
				note = "Nothing is due soon or overdue; the running limits are:"
			}
		}
	}
	if want == nil && len(shown) > 3 {
		shown = shown[:3]
	}
	var lines []string
	cites := []domain.Citation{caseCite}
	if note != "" {
		lines = append(lines, note)
	}
	for _, c := range shown {
		lines = append(lines, clockLine(q, c, names[c.AccusedID]))
		if r, ok := workflow.RuleByID(c.Rule); ok {
			cites = append(cites, ruleCitations(r)...)
		}
	}
	if len(shown) == 0 {
		msg := fmt.Sprintf("Hồ sơ %s (giai đoạn %s) không có thời hạn nào đang chạy thuộc loại được hỏi.", cs.Number, workflow.StageNames[cs.Stage].VI)
		if q.en {
			msg = fmt.Sprintf("Case %s (%s) has no running time limit of the kind asked about.", cs.Number, workflow.StageNames[cs.Stage].EN)
		}
		return domain.AssistantAnswer{Intent: IntentCase, Answered: true, Answer: msg, Citations: []domain.Citation{caseCite}, Confidence: confidenceRule}
	}
	head := fmt.Sprintf("Hồ sơ %s (%s), tính đến %s:", cs.Number, cs.Code, ov.At.In(VietnamTime).Format("02/01/2006 15:04"))
	if q.en {
		head = fmt.Sprintf("Case %s (%s), as of %s:", cs.Number, cs.Code, ov.At.In(VietnamTime).Format("02/01/2006 15:04"))
	}
	return domain.AssistantAnswer{Intent: IntentCase, Answered: true, Answer: head + "\n" + strings.Join(lines, "\n"), Citations: dedupeCitations(cites),
		Confidence: confidenceLookup}
}

// clockLine states one clock: whose, when it ends, and how many days are left.
func clockLine(q question, c workflow.Clock, person string) string {
	last := c.Due.Latest.LastDay.Format("02/01/2006")
	if q.en {
		who := ""
		if person != "" {
			who = " for " + person
		}
		left := fmt.Sprintf("%d days left", c.DaysLeft)
		if c.DaysLeft < 0 {
			left = fmt.Sprintf("overdue by %d days", -c.DaysLeft)
		}
		return fmt.Sprintf("- %s%s (%s): ends %s, %s.", c.NameEN, who, c.Article, last, left)
	}
	who := ""
	if person != "" {
		who = " của " + person
	}
	left := fmt.Sprintf("còn %d ngày", c.DaysLeft)
	if c.DaysLeft < 0 {
		left = fmt.Sprintf("đã quá hạn %d ngày", -c.DaysLeft)
	}
	return fmt.Sprintf("- %s%s (%s): hết hạn ngày %s, %s.", c.NameVI, who, c.Article, last, left)
}

// similarLimit is how many similar cases an answer shows.
const similarLimit = 5

// similar finds cases like a case (the one asked from, or named by its code) or like the facts and
// articles the question gives. Only cases the caller may read are looked at; nothing is said of
// the others, not even how many there are.
func (a *Assistant) similar(ctx context.Context, p *Principal, q question, caseID string) (domain.AssistantAnswer, error) {
	var charges []domain.ChargeRef
	text := q.describingWords()
	var base *domain.Case
	if caseID != "" {
		cs, err := a.cases.Get(ctx, p, caseID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return a.refuseCase(q), nil
		} else if err != nil {
			return domain.AssistantAnswer{}, err
		}
		base = cs
		if charges, err = a.store.CaseCharges(ctx, caseID); err != nil {
			return domain.AssistantAnswer{}, err
		}
		text = cs.Summary
	} else if ref, ok := q.articleRef(); ok {
		charges = []domain.ChargeRef{{Article: ref.Article, Clause: ref.Clause, Point: ref.Point}}
		if ref.Clause == 0 {
			charges = nil
			for _, c := range a.catalog.Article(ref.Article) {
				charges = append(charges, domain.ChargeRef{Article: c.Article, Clause: c.Clause})
			}
		}
	}
	terms, err := a.store.SearchTerms(ctx, text, true)
	if err != nil {
		return domain.AssistantAnswer{}, err
	}
	if len(charges) == 0 && terms.Empty() {
		return a.unknown(ctx, q, "")
	}
	found, err := a.store.SimilarCases(ctx, a.authz.Scope(p, domain.ActCaseRead), domain.SimilarQuery{
		ExcludeID: caseID, Charges: charges, Terms: terms, Text: text, Limit: similarLimit}, a.clock.Now())
	if err != nil {
		return domain.AssistantAnswer{}, err
	}
	var lines []string
	var cites []domain.Citation
	for _, ch := range charges {
		if ch.Clause > 0 {
			cites = append(cites, domain.Citation{Kind: "article", Ref: fmt.Sprintf("BLHS:%s:%d", ch.Article, ch.Clause),
				Label: fmt.Sprintf("Khoản %d Điều %s BLHS", ch.Clause, ch.Article)})
		}
	}
	for _, s := range found {
		lines = append(lines, similarLine(q, s))
		cites = append(cites, domain.Citation{Kind: "case", Ref: s.Code, Label: s.Number, ID: s.CaseID})
	}
	ans := domain.AssistantAnswer{Intent: IntentSimilar, Similar: found, Citations: dedupeCitations(cites)}
	about := "các dữ kiện trong câu hỏi"
	if base != nil {
		about = "hồ sơ " + base.Number
	}
	if len(found) == 0 {
		ans.Answer = fmt.Sprintf("Không tìm thấy vụ án tương tự %s trong phạm vi bạn được xem.", about)
		if q.en {
			ans.Answer = "No similar case within what you may read."
		}
		ans.Answered, ans.Confidence = true, confidenceSimilar
		return ans, nil
	}
	head := fmt.Sprintf("Các vụ án tương tự %s trong phạm vi bạn được xem:", about)
	if q.en {
		head = "Similar cases within what you may read:"
	}
	ans.Answer, ans.Answered, ans.Confidence = head+"\n"+strings.Join(lines, "\n"), true, confidenceSimilar
	return ans, nil
}

// similarLine says what a similar case is and why it is similar.
func similarLine(q question, s domain.SimilarCase) string {
	var why []string
	for _, c := range s.SameCharges {
		art, clause, _ := strings.Cut(c, ":")
		if q.en {
			why = append(why, fmt.Sprintf("same article %s clause %s", art, clause))
		} else {
			why = append(why, fmt.Sprintf("cùng khoản %s Điều %s", clause, art))
		}
	}
	for _, p := range s.SamePoints {
		parts := strings.Split(p, ":")
		if len(parts) == 3 {
			if q.en {
				why = append(why, "same point "+parts[2])
			} else {
				why = append(why, "cùng điểm "+parts[2])
			}
		}
	}
	if s.TextScore >= 0.2 {
		if q.en {
			why = append(why, fmt.Sprintf("similar facts (%.2f)", s.TextScore))
		} else {
			why = append(why, fmt.Sprintf("tình tiết tương tự (%.2f)", s.TextScore))
		}
	}
	if len(why) == 0 {
		why = append(why, map[bool]string{false: "có từ ngữ chung với mô tả", true: "shares words with the description"}[q.en])
	}
	stage := workflow.StageNames[s.Stage]
	if q.en {
		return fmt.Sprintf("- %s (%s), %s: %s. Why: %s.", s.Number, s.Code, stage.EN, strings.TrimRight(s.Summary, ". "), strings.Join(why, "; "))
	}
	return fmt.Sprintf("- %s (%s), giai đoạn %s: %s. Lý do: %s.", s.Number, s.Code, stage.VI, strings.TrimRight(s.Summary, ". "), strings.Join(why, "; "))
}

func dedupeCitations(in []domain.Citation) []domain.Citation {
	seen := map[string]bool{}
	out := make([]domain.Citation, 0, len(in))
	for _, c := range in {
		if seen[c.Ref] {
			continue
		}
		seen[c.Ref] = true
		out = append(out, c)
	}
	return out
}

// History is the caller's own questions, newest first. An answer about a case the caller may no
// longer read is withheld (its question stays), so the history never outlives access.
func (a *Assistant) History(ctx context.Context, p *Principal, limit, offset int) ([]domain.AssistantAnswer, int64, error) {
	if limit <= 0 {
		limit = domain.DefaultPageSize
	}
	if limit > domain.MaxPageSize {
		return nil, 0, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	if offset < 0 || offset > 100000 {
		return nil, 0, domain.Invalid("offset", "range", "offset từ 0 đến 100.000")
	}
	items, total, err := a.store.AssistantHistory(ctx, p.User.ID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	scope := a.authz.Scope(p, domain.ActCaseRead)
	readable := map[string]bool{}
	mayRead := func(id string) bool {
		if ok, seen := readable[id]; seen {
			return ok
		}
		cs, err := a.cases.cases.GetCaseWithTeam(ctx, id)
		ok := err == nil && scope.PermitsCase(cs.Ref(p.User.ID))
		readable[id] = ok
		return ok
	}
	for i := range items {
		ids := []string{}
		if items[i].CaseID != "" {
			ids = append(ids, items[i].CaseID)
		}
		for _, c := range items[i].Citations {
			if c.Kind == "case" && c.ID != "" {
				ids = append(ids, c.ID)
			}
		}
		for _, id := range ids {
			if !mayRead(id) {
				items[i].Answer = "Câu trả lời được ẩn vì bạn không còn quyền xem hồ sơ liên quan."
				items[i].Citations = nil
				break
			}
		}
	}
	return items, total, nil
}

// CaseOverview is what the assistant reads of a case: its clocks now and its accused.
type CaseOverview struct {
	Case    *domain.Case
	Clocks  []workflow.Clock
	Accused []domain.Accused
	At      time.Time
}

// Overview reads a case's clocks and accused for the assistant, as one audited read of the case.
func (s *Procedure) Overview(ctx context.Context, p *Principal, caseID string) (*CaseOverview, error) {
	var out *CaseOverview
	err := s.readCase(ctx, p, caseID, "case.assistant", func(_ context.Context, cc *caseContext, now time.Time) error {
		clocks := workflow.Clocks(cc.state, cc.state.Calendar, now)
		workflow.SortByUrgency(clocks)
		out = &CaseOverview{Case: cc.cs, Clocks: clocks, Accused: cc.state.Accused, At: now}
		return nil
	})
	return out, err
}
