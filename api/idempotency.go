package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// IdempotencyTTL is how long a POST's answer is kept for retries with the same Idempotency-Key.
const IdempotencyTTL = 24 * time.Hour

// maxReplayBody is the largest answer kept for a replay; POST answers are small JSON documents.
const maxReplayBody = 1 << 20

// captureWriter keeps a copy of the answer as it is written.
type captureWriter struct {
	gin.ResponseWriter
	buf      bytes.Buffer
	overflow bool
}

func (w *captureWriter) keep(p []byte) {
	if w.buf.Len()+len(p) > maxReplayBody {
		w.overflow = true
		return
	}
	w.buf.Write(p)
}

func (w *captureWriter) Write(p []byte) (int, error) {
	w.keep(p)
	return w.ResponseWriter.Write(p)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.keep([]byte(s))
	return w.ResponseWriter.WriteString(s)
}

func idempotencyError(code domain.ErrorCode, rule, msg string) error {
	return &domain.Error{Code: code, Message: msg, Details: []domain.Detail{{Field: "Idempotency-Key", Rule: rule, Message: msg}}}
}

// idempotency makes a POST safe to retry: with an Idempotency-Key header, the first request runs and
// its answer is kept for 24 hours; a retry with the same key and the same body gets that answer
// again (Idempotent-Replayed: true) and changes nothing; the same key with another body is a 422;
// a retry while the first still runs is a 409. A server error forgets the key, so the retry runs.
// Keys are per user.
func (s *Server) idempotency() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" || s.Idempotency == nil {
			c.Next()
			return
		}
		if len(key) > 255 {
			writeError(c, s.log, idempotencyError(domain.CodeBadRequest, "format", "Idempotency-Key tối đa 255 ký tự"))
			return
		}
		for _, r := range key {
			if r < 0x21 || r > 0x7e {
				writeError(c, s.log, idempotencyError(domain.CodeBadRequest, "format", "Idempotency-Key chỉ gồm ký tự ASCII in được, không có khoảng trắng"))
				return
			}
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			writeError(c, s.log, bodyReadError(err))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		h.Write([]byte(c.Request.Method + "\n" + c.Request.URL.Path + "\n" + c.Request.URL.RawQuery + "\n"))
		h.Write(body)
		p := principal(c)
		rec := service.IdempotencyRecord{UserID: p.User.ID, Key: key, Method: c.Request.Method, Path: c.Request.URL.Path, RequestHash: hex.EncodeToString(h.Sum(nil))}
		got, claimed, err := s.Idempotency.ClaimIdempotencyKey(c.Request.Context(), rec, s.Now(), IdempotencyTTL)
		if err != nil {
			writeError(c, s.log, err)
			return
		}
		if !claimed {
			switch {
			case got.RequestHash != rec.RequestHash:
				writeError(c, s.log, idempotencyError(domain.CodeInvalid, "reused", "Idempotency-Key này đã dùng cho một yêu cầu khác"))
			case got.Status == 0:
				writeError(c, s.log, idempotencyError(domain.CodeConflict, "in_progress", "yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau"))
			default:
				c.Header("Idempotent-Replayed", "true")
				if got.Location != "" {
					c.Header("Location", got.Location)
				}
				c.Data(got.Status, got.ContentType, got.Body)
				c.Abort()
			}
			return
		}
		w := &captureWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		ctx := context.WithoutCancel(c.Request.Context())
		if st := w.Status(); st >= 500 || w.overflow {
			if err := s.Idempotency.ReleaseIdempotencyKey(ctx, rec.UserID, rec.Key); err != nil {
				s.log.Error("release idempotency key", "request_id", requestID(c), "err", err)
			}
			return
		}
		rec.Status, rec.ContentType, rec.Location, rec.Body = w.Status(), w.Header().Get("Content-Type"), w.Header().Get("Location"), w.buf.Bytes()
		if err := s.Idempotency.CompleteIdempotencyKey(ctx, rec); err != nil {
			s.log.Error("complete idempotency key", "request_id", requestID(c), "err", err)
		}
	}
}
