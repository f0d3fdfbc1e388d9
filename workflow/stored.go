package workflow

import (
	"fmt"
	"slices"
	"time"

	"kiemsat/domain"
)

// WarnAt is the instant from which an open clock shows as due soon: its earliest reading less the
// rule's warning days (two hours for the hour limits, which have none). The monitor moves stored
// clocks by this instant, so it must agree with the status Clocks computes.
func WarnAt(c Clock) time.Time {
	r, ok := RuleAt(c.Rule, c.Start)
	if !ok {
		return c.Due.Earliest.Deadline
	}
	return c.Due.Earliest.Deadline.Add(-warnWindow(r))
}

func warnWindow(r Rule) time.Duration {
	if r.WarnDays == 0 {
		return 2 * time.Hour
	}
	return time.Duration(r.WarnDays) * 24 * time.Hour
}

// ClockKeys names each clock of one case stably: its rule, its subject and, for a rule that runs
// more than once on the same subject (a file returned twice for supplementary investigation), the
// occurrence. A recompute after a correction of a date gives the same key to the same clock, so a
// stored clock and its violation stay one row.
func ClockKeys(clocks []Clock) []string {
	seen := map[string]int{}
	out := make([]string, len(clocks))
	for i, c := range clocks {
		base := string(c.Rule) + "|" + c.Subject + "|" + c.SubjectID
		seen[base]++
		out[i] = fmt.Sprintf("%s|%d", base, seen[base])
	}
	return out
}

// ArticleEN renders a Vietnamese citation ("Điều 172 BLTTHS") for English text ("Art. 172 CPC").
func ArticleEN(vi string) string { return articleEN(vi) }

// Lapses reports whether a clock is a window (the time to appeal or to protest) rather than a
// duty: when it runs out unused the right lapses and the clock ends cancelled, with no violation.
func Lapses(c Clock) bool {
	r, ok := RuleAt(c.Rule, c.Start)
	return ok && r.Window
}

// AssumeExtension answers "what if the next extension were granted": the clocks of a case with
// the open clock of rule given its next rung, counted and explained as a granted one would be,
// and marked Assumed. It refuses (invalid, naming the rule and its article) a rule without an
// extension ladder or that is not a case period, a rule with no open clock, a ladder already used
// up, and a period that has already run out, for which the law allows no extension.
func AssumeExtension(cs *CaseState, clocks []Clock, rule RuleID, cal *Calendar, now time.Time) ([]Clock, error) {
	const field = "assume_extension"
	r, ok := RuleByID(rule)
	if !ok {
		return nil, domain.Invalid(field, "enum", "không có quy tắc thời hạn "+string(rule)+" (xem GET /api/v1/rules)")
	}
	var v domain.Validation
	if r.Ladder == nil || r.Kind != ruleKindCase {
		v.AddArticle(field, "no_ladder", r.Article, "thời hạn này không có bước gia hạn để giả định")
		return nil, v.Err()
	}
	idx := -1
	for i, c := range clocks {
		if c.Rule == rule && c.Status.Open() {
			idx = i
		}
	}
	if idx < 0 {
		v.AddArticle(field, "no_open_clock", r.Article, "hồ sơ không có thời hạn này đang chạy")
		return nil, v.Err()
	}
	c := clocks[idx]
	if v, ok := RuleAt(rule, c.Start); ok && v.Ladder != nil {
		r = v // the version that judges this clock
	}
	rungs := ladderFor(r.Ladder, cs.Class)
	if len(c.Extensions) >= len(rungs) {
		v.AddArticle(field, "no_extension_left", r.Ladder.Article, "đã hết số lần gia hạn theo loại tội phạm")
		return nil, v.Err()
	}
	if !now.Before(c.Due.Latest.Deadline) {
		v.AddArticle(field, "expired", r.Ladder.Article, "thời hạn đã hết: không thể gia hạn sau khi hết hạn")
		return nil, v.Err()
	}
	next := rungs[len(c.Extensions)]
	c.Extensions = append(slices.Clone(c.Extensions), next)
	c.EndedOn, c.Status = nil, ""
	finish(&c, r, cs.Class, cal, now)
	c.Assumed = true
	c.ExplanationVI = fmt.Sprintf("Giả định được gia hạn lần %d thêm %s (%s). ", len(c.Extensions), next, r.Ladder.Article) + c.ExplanationVI
	c.ExplanationEN = fmt.Sprintf("Assuming extension %d of %s is granted (%s). ", len(c.Extensions), lengthEN(next), articleEN(r.Ladder.Article)) + c.ExplanationEN
	out := slices.Clone(clocks)
	out[idx] = c
	return out, nil
}
