package api

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
)

// --- the change feed (dòng thay đổi) ---

type changeJSON struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	CaseID   string `json:"case_id"`
	Kind     string `json:"kind"`
	Op       string `json:"op"`
	EntityID string `json:"entity_id"`
	Status   string `json:"status"`
}

type changePageJSON struct {
	Items      []changeJSON `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// changeCursor is "c1.<id>.<mac>": opaque to clients, and refused when changed.
func (s *Server) changeCursor(id int64) string {
	v := strconv.FormatInt(id, 10)
	return "c1." + v + "." + base64.RawURLEncoding.EncodeToString(s.jwt.MAC("changes", []byte(v))[:16])
}

func (s *Server) readChangeCursor(c string) (int64, error) {
	bad := &domain.Error{Code: domain.CodeBadRequest, Message: "con trỏ không hợp lệ hoặc đã bị sửa; hãy đọc lại toàn bộ (GET /cases) rồi theo dõi từ GET /changes/head",
		Details: []domain.Detail{{Field: "after", Rule: "cursor_invalid"}}}
	parts := strings.Split(c, ".")
	if len(parts) != 3 || parts[0] != "c1" {
		return 0, bad
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	mac, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || err2 != nil || id < 0 || !hmac.Equal(mac, s.jwt.MAC("changes", []byte(parts[1]))[:16]) {
		return 0, bad
	}
	return id, nil
}

// listChanges answers GET /changes?after=CURSOR: the next changes the caller may see, in commit
// order, and the cursor to go on from (also when the page is empty).
func (s *Server) listChanges(c *gin.Context) {
	var after int64
	if v := c.Query("after"); v != "" {
		var err error
		if after, err = s.readChangeCursor(v); err != nil {
			s.fail(c, err)
			return
		}
	}
	limit, err := queryInt(c, "limit", domain.DefaultPageSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Changes.Page(c.Request.Context(), principal(c), after, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := changePageJSON{Items: make([]changeJSON, len(items)), NextCursor: s.changeCursor(next)}
	for i, ch := range items {
		out.Items[i] = changeJSON{Seq: ch.ID, At: ictInstant(ch.At), CaseID: ch.CaseID, Kind: string(ch.Kind), Op: ch.Op, EntityID: ch.EntityID, Status: ch.Status}
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, out)
}

// changesHead answers GET /changes/head: the cursor of the newest change, to follow from after a
// snapshot.
func (s *Server) changesHead(c *gin.Context) {
	head, err := s.Changes.Head(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cursor": s.changeCursor(head)})
}
