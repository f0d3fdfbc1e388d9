package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
)

// --- authorities (thẩm quyền theo cấp): who grants extensions and approves decisions ---

type authorityJSON struct {
	ID        int64    `json:"id"`
	Step      string   `json:"step"`
	Power     string   `json:"power"`
	Rung      int      `json:"rung"`
	Class     *string  `json:"class"`
	Levels    []string `json:"levels"`
	Article   string   `json:"article"`
	Note      string   `json:"note"`
	Confirmed bool     `json:"confirmed"`
	UpdatedAt string   `json:"updated_at"`
	UpdatedBy *string  `json:"updated_by"`
}

func toAuthorityJSON(a domain.Authority) authorityJSON {
	return authorityJSON{ID: a.ID, Step: string(a.Step), Power: string(a.Power), Rung: a.Rung, Class: nonEmpty(string(a.Class)), Levels: strs(a.Levels),
		Article: a.Article, Note: a.Note, Confirmed: a.Confirmed, UpdatedAt: ictInstant(a.UpdatedAt), UpdatedBy: nonEmpty(a.UpdatedBy)}
}

// authorityInputJSON is a row as an administrator writes it; step, power, rung and class are its
// key.
type authorityInputJSON struct {
	Step      string   `json:"step"`
	Power     string   `json:"power"`
	Rung      int      `json:"rung"`
	Class     string   `json:"class"`
	Levels    []string `json:"levels"`
	Article   string   `json:"article"`
	Note      string   `json:"note"`
	Confirmed bool     `json:"confirmed"`
}

func (s *Server) listAuthorities(c *gin.Context) {
	rows, err := s.Authorities.List(c.Request.Context(), principal(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]authorityJSON, len(rows))
	for i, a := range rows {
		items[i] = toAuthorityJSON(a)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

func (s *Server) putAuthority(c *gin.Context) {
	var in authorityInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	a := domain.Authority{Step: domain.Step(in.Step), Power: domain.Power(in.Power), Rung: in.Rung, Class: domain.SeverityClass(in.Class),
		Levels: []domain.UnitLevel{}, Article: in.Article, Note: in.Note, Confirmed: in.Confirmed}
	for _, l := range in.Levels {
		a.Levels = append(a.Levels, domain.UnitLevel(l))
	}
	out, created, err := s.Authorities.Put(c.Request.Context(), principal(c), a)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toAuthorityJSON(out))
}

func (s *Server) deleteAuthority(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, domain.NotFound("thẩm quyền"))
		return
	}
	if err := s.Authorities.Delete(c.Request.Context(), principal(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
