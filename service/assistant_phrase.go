package service

import (
	"context"
	"regexp"
	"strings"

	"kiemsat/domain"
)

// The optional language-model step: a Phraser rewords an answer built from retrieval. The
// rewording is shown only when every number and every article it states is in the answer it was
// given; otherwise the answer built from retrieval is kept. Citations always come from retrieval.

var (
	reNumber     = regexp.MustCompile(`\d+`)
	reArticleRef = regexp.MustCompile(`(?i)(?:điều|dieu|article)\s+(\d+[a-z]?)`)
)

// phrase asks the phraser for a rewording and keeps it if it checks out.
func (a *Assistant) phrase(ctx context.Context, q question, ans *domain.AssistantAnswer) {
	var passages []string
	for _, c := range ans.Citations {
		passages = append(passages, c.Label)
	}
	lang := "vi"
	if q.en {
		lang = "en"
	}
	text, err := a.phraser.Phrase(ctx, lang, q.raw, ans.Answer, passages)
	if err != nil || strings.TrimSpace(text) == "" || !claimsSupported(text, ans.Answer, ans.Citations) {
		return
	}
	ans.Answer, ans.Phrased = strings.TrimSpace(text), true
}

// claimsSupported reports whether every number in the rewording occurs in the source answer, and
// every article it names is in the source or cited.
func claimsSupported(phrased, source string, cites []domain.Citation) bool {
	have := map[string]bool{}
	for _, n := range reNumber.FindAllString(source, -1) {
		have[n] = true
	}
	for _, c := range cites {
		for _, n := range reNumber.FindAllString(c.Ref+" "+c.Label, -1) {
			have[n] = true
		}
	}
	for _, n := range reNumber.FindAllString(phrased, -1) {
		if !have[n] {
			return false
		}
	}
	for _, m := range reArticleRef.FindAllStringSubmatch(phrased, -1) {
		if !strings.Contains(source, m[1]) {
			return false
		}
	}
	return true
}
