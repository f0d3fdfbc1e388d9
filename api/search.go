package api

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- search (tìm kiếm) and the virtual assistant (trợ lý ảo) ---

type highlightJSON struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}

type searchHitJSON struct {
	Kind       string          `json:"kind"`
	ID         string          `json:"id"`
	CaseID     string          `json:"case_id,omitempty"`
	CaseNumber string          `json:"case_number,omitempty"`
	CaseCode   string          `json:"case_code,omitempty"`
	UnitID     int64           `json:"unit_id,omitempty"`
	Stage      string          `json:"stage,omitempty"`
	ReceivedAt *time.Time      `json:"received_at,omitempty"`
	Title      string          `json:"title"`
	Cite       string          `json:"cite,omitempty"`
	Highlight  []highlightJSON `json:"highlight"`
	Rank       float64         `json:"rank"`
}

type searchPageJSON struct {
	Kind   string          `json:"kind"`
	Total  int64           `json:"total"`
	Capped bool            `json:"capped"`
	Items  []searchHitJSON `json:"items"`
}

type searchJSON struct {
	Q         string              `json:"q"`
	Corrected map[string][]string `json:"corrected"`
	Results   []searchPageJSON    `json:"results"`
}

func toSearchHitJSON(h domain.SearchHit) searchHitJSON {
	j := searchHitJSON{Kind: string(h.Kind), ID: h.ID, CaseID: h.CaseID, CaseNumber: h.CaseNumber, CaseCode: h.CaseCode, UnitID: h.UnitID,
		Stage: string(h.Stage), Title: h.Title, Cite: h.Cite, Highlight: make([]highlightJSON, 0, len(h.Snippet)), Rank: math.Round(h.Rank*10000) / 10000}
	if !h.ReceivedAt.IsZero() {
		t := h.ReceivedAt.In(service.VietnamTime)
		j.ReceivedAt = &t
	}
	for _, p := range h.Snippet {
		j.Highlight = append(j.Highlight, highlightJSON{Text: p.Text, Match: p.Match})
	}
	return j
}

func toSearchHitsJSON(hits []domain.SearchHit) []searchHitJSON {
	out := make([]searchHitJSON, 0, len(hits))
	for _, h := range hits {
		out = append(out, toSearchHitJSON(h))
	}
	return out
}

// search answers GET /search: cases and documents in the caller's read scope, and the law.
func (s *Server) search(c *gin.Context) {
	limit, err := queryInt(c, "limit", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := service.SearchInput{Text: c.Query("q"), Limit: limit}
	for _, v := range c.QueryArray("kind") {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				in.Kinds = append(in.Kinds, domain.SearchKind(k))
			}
		}
	}
	res, err := s.Search.Search(c.Request.Context(), principal(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := searchJSON{Q: res.Text, Corrected: res.Corrected, Results: make([]searchPageJSON, 0, len(res.Pages))}
	if out.Corrected == nil {
		out.Corrected = map[string][]string{}
	}
	for _, p := range res.Pages {
		out.Results = append(out.Results, searchPageJSON{Kind: string(p.Kind), Total: p.Total, Capped: p.Capped, Items: toSearchHitsJSON(p.Hits)})
	}
	c.JSON(http.StatusOK, out)
}

type askJSON struct {
	Question string `json:"question"`
	CaseID   string `json:"case_id"`
}

type citationJSON struct {
	Kind  string `json:"kind"`
	Ref   string `json:"ref"`
	Label string `json:"label"`
	ID    string `json:"id,omitempty"`
}

type similarCaseJSON struct {
	CaseID      string    `json:"case_id"`
	Number      string    `json:"number"`
	Code        string    `json:"code"`
	UnitID      int64     `json:"unit_id"`
	Stage       string    `json:"stage"`
	Summary     string    `json:"summary"`
	ReceivedAt  time.Time `json:"received_at"`
	SameCharges []string  `json:"same_charges"`
	SamePoints  []string  `json:"same_points"`
	TextScore   float64   `json:"text_score"`
	Outcome     string    `json:"outcome"`
	Score       float64   `json:"score"`
}

type answerJSON struct {
	ID         string            `json:"id"`
	Question   string            `json:"question"`
	CaseID     string            `json:"case_id,omitempty"`
	AskedAt    time.Time         `json:"asked_at"`
	Language   string            `json:"language"`
	Intent     string            `json:"intent"`
	Answered   bool              `json:"answered"`
	Answer     string            `json:"answer"`
	Citations  []citationJSON    `json:"citations"`
	Confidence float64           `json:"confidence"`
	Phrased    bool              `json:"phrased"`
	Similar    []similarCaseJSON `json:"similar"`
	Related    []searchHitJSON   `json:"related"`
}

type answerListJSON struct {
	Items []answerJSON `json:"items"`
	Total int64        `json:"total"`
}

func toAnswerJSON(a domain.AssistantAnswer) answerJSON {
	j := answerJSON{ID: a.ID, Question: a.Question, CaseID: a.CaseID, AskedAt: a.AskedAt.In(service.VietnamTime), Language: a.Language, Intent: a.Intent,
		Answered: a.Answered, Answer: a.Answer, Citations: make([]citationJSON, 0, len(a.Citations)), Confidence: math.Round(a.Confidence*100) / 100,
		Phrased: a.Phrased, Similar: make([]similarCaseJSON, 0, len(a.Similar)), Related: toSearchHitsJSON(a.Related)}
	for _, c := range a.Citations {
		j.Citations = append(j.Citations, citationJSON{Kind: c.Kind, Ref: c.Ref, Label: c.Label, ID: c.ID})
	}
	for _, s := range a.Similar {
		j.Similar = append(j.Similar, similarCaseJSON{CaseID: s.CaseID, Number: s.Number, Code: s.Code, UnitID: s.UnitID, Stage: string(s.Stage),
			Summary: s.Summary, ReceivedAt: s.ReceivedAt.In(service.VietnamTime), SameCharges: nonNil(s.SameCharges), SamePoints: nonNil(s.SamePoints),
			TextScore: math.Round(s.TextScore*1000) / 1000, Outcome: s.Outcome, Score: math.Round(s.Score*1000) / 1000})
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ask answers POST /assistant/ask.
func (s *Server) ask(c *gin.Context) {
	var in askJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.Assistant.Ask(c.Request.Context(), principal(c), service.AskInput{Question: in.Question, CaseID: in.CaseID})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAnswerJSON(a))
}

// assistantHistory answers GET /assistant/history: the caller's own questions, newest first.
func (s *Server) assistantHistory(c *gin.Context) {
	limit, err := queryInt(c, "limit", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	offset, err := queryInt(c, "offset", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Assistant.History(c.Request.Context(), principal(c), limit, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := answerListJSON{Items: make([]answerJSON, 0, len(items)), Total: total}
	for _, a := range items {
		out.Items = append(out.Items, toAnswerJSON(a))
	}
	c.JSON(http.StatusOK, out)
}
