package api

import (
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- the duplicate check before a registration (kiểm tra trùng trước khi thụ lý) ---

// duplicateHintJSON is a record a registration may repeat. national_id and party_name are set
// for a national_id hint, similarity for a similar_summary one.
type duplicateHintJSON struct {
	CaseID     string      `json:"case_id"`
	Number     string      `json:"number"`
	Code       string      `json:"code"`
	Kind       string      `json:"kind"`
	Unit       unitRefJSON `json:"unit"`
	Stage      string      `json:"stage"`
	ReceivedAt time.Time   `json:"received_at"`
	Summary    string      `json:"summary"`
	Reason     string      `json:"reason"`
	NationalID string      `json:"national_id,omitempty"`
	PartyName  string      `json:"party_name,omitempty"`
	Similarity *float64    `json:"similarity,omitempty"`
}

type duplicateListJSON struct {
	Items []duplicateHintJSON `json:"items"`
}

func toDuplicateHintJSON(h domain.DuplicateHint) duplicateHintJSON {
	j := duplicateHintJSON{CaseID: h.CaseID, Number: h.Number, Code: h.Code, Kind: string(h.Kind), Unit: unitRefJSON{ID: h.UnitID, Code: h.UnitCode},
		Stage: string(h.Stage), ReceivedAt: h.ReceivedAt.In(service.VietnamTime), Summary: h.Summary, Reason: h.Reason, NationalID: h.NationalID,
		PartyName: h.PartyName}
	if h.Reason == domain.DuplicateSimilarSummary {
		sim := math.Round(h.Similarity*1000) / 1000
		j.Similarity = &sim
	}
	return j
}

func toDuplicateListJSON(hints []domain.DuplicateHint) duplicateListJSON {
	out := duplicateListJSON{Items: make([]duplicateHintJSON, 0, len(hints))}
	for _, h := range hints {
		out.Items = append(out.Items, toDuplicateHintJSON(h))
	}
	return out
}

// caseDuplicates takes the body of POST /cases and answers the records already registered, in
// the caller's read scope, that the registration may repeat. Nothing is saved.
func (s *Server) caseDuplicates(c *gin.Context) {
	ci, ok := s.caseInput(c)
	if !ok {
		return
	}
	hints, err := s.Cases.Duplicates(c.Request.Context(), principal(c), ci)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toDuplicateListJSON(hints))
}
