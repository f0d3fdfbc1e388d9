package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"kiemsat/domain"
	"kiemsat/service"
)

const (
	ctxRequestID = "kiemsat.request_id"
	ctxPrincipal = "kiemsat.principal"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestIDMiddleware takes a well-formed X-Request-ID from the client (or a proxy) or makes one,
// and echoes it, so that a user's report, the logs and the audit rows can be joined.
func requestIDMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		rid := c.GetHeader("X-Request-ID")
		if !requestIDRE.MatchString(rid) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			rid = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, rid)
		c.Header("X-Request-ID", rid)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// metrics are the Prometheus series of the HTTP layer.
type metrics struct {
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "kiemsat", Name: "http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "kiemsat", Name: "http_requests_in_flight", Help: "Requests being served."}),
	}
	reg.MustRegister(m.duration, m.inflight)
	return m
}

// logAndMeasure logs each request as one JSON line with its request id and observes its latency.
func logAndMeasure(log *slog.Logger, m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		m.inflight.Inc()
		c.Next()
		m.inflight.Dec()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		elapsed := time.Since(start)
		m.duration.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
		attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", route, "status", status,
			"duration_ms", float64(elapsed.Microseconds()) / 1000, "remote", c.ClientIP()}
		if p, ok := c.Get(ctxPrincipal); ok {
			attrs = append(attrs, "user", p.(*service.Principal).User.Username)
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "http request", attrs...)
	}
}

// recovery turns a panic into a logged internal error instead of a dropped connection.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					// A response already under way that must be cut off (a failed export).
					panic(r)
				}
				log.Error("panic", "request_id", requestID(c), "panic", r)
				writeError(c, log, errors.New("panic"))
			}
		}()
		c.Next()
	}
}

// limitBody refuses bodies over max bytes: at once from Content-Length, and while reading for
// chunked bodies.
func limitBody(max int64, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			writeError(c, log, &domain.Error{Code: domain.CodePayloadTooLarge, Message: "nội dung yêu cầu vượt quá giới hạn " + strconv.FormatInt(max, 10) + " byte"})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// decodeJSON reads a JSON body strictly: one object, no unknown fields, nothing after it.
func decodeJSON(c *gin.Context, v any) error {
	ct := c.ContentType()
	if ct != "application/json" {
		return &domain.Error{Code: domain.CodeBadRequest, Message: "Content-Type phải là application/json", Details: []domain.Detail{{Rule: "content_type"}}}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &domain.Error{Code: domain.CodePayloadTooLarge, Message: "nội dung yêu cầu vượt quá giới hạn"}
		}
		return badRequest("không đọc được nội dung yêu cầu", "")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("nội dung yêu cầu chỉ được chứa một đối tượng JSON", "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("nội dung yêu cầu chỉ được chứa một đối tượng JSON", "")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest("JSON không hợp lệ tại vị trí "+strconv.FormatInt(syn.Offset, 10), "")
	case errors.As(err, &typ):
		return badRequest("trường "+typ.Field+" phải có kiểu "+typ.Type.String(), typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Code: domain.CodeBadRequest, Message: "trường không được hỗ trợ: " + f, Details: []domain.Detail{{Field: f, Rule: "unknown_field"}}}
	case errors.Is(err, io.EOF):
		return badRequest("thiếu nội dung JSON", "")
	}
	var ute *time.ParseError
	if errors.As(err, &ute) {
		return badRequest("thời gian phải theo RFC 3339, ví dụ 2026-11-23T08:30:00+07:00", "")
	}
	return badRequest("JSON không hợp lệ: "+err.Error(), "")
}

// authenticate verifies the bearer token and loads the Principal. Routes flagged as allowed
// during a forced password change are the only ones such an account can reach.
func (s *Server) authenticate(allowDuringPasswordChange bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			writeError(c, s.log, domain.Unauthenticated("thiếu token truy cập (Authorization: Bearer ...)"))
			return
		}
		claims, err := s.jwt.Parse(strings.TrimSpace(token))
		if err != nil {
			s.log.InfoContext(c.Request.Context(), "token refused", "request_id", requestID(c), "err", err)
			writeError(c, s.log, domain.Unauthenticated("token truy cập không hợp lệ hoặc đã hết hạn"))
			return
		}
		p, err := s.auth.Authenticate(c.Request.Context(), claims, s.meta(c))
		if err != nil {
			writeError(c, s.log, err)
			return
		}
		if p.User.MustChangePassword && !allowDuringPasswordChange {
			writeError(c, s.log, service.ErrPasswordChangeRequired)
			return
		}
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}

func principal(c *gin.Context) *service.Principal {
	return c.MustGet(ctxPrincipal).(*service.Principal)
}

func (s *Server) meta(c *gin.Context) service.Meta {
	return service.Meta{RequestID: requestID(c), RemoteAddr: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// auditFailures writes a denied/failure audit row for state-changing requests refused before
// the service could record them (bad token, malformed body), so every such request leaves a trace.
func (s *Server) auditFailures() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
			return
		}
		status := c.Writer.Status()
		if status < 400 || c.GetBool("kiemsat.audited") {
			return
		}
		e := domain.AuditEntry{At: s.Now(), Action: "http." + strings.ToLower(c.Request.Method), TargetType: "route", TargetID: c.FullPath(),
			RequestID: requestID(c), RemoteAddr: c.ClientIP(), Outcome: domain.OutcomeFailure, Detail: `{"status":` + strconv.Itoa(status) + `}`}
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			e.Outcome = domain.OutcomeDenied
		}
		if v, ok := c.Get(ctxPrincipal); ok {
			p := v.(*service.Principal)
			e.UserID, e.Username, e.UnitID = p.User.ID, p.User.Username, p.User.UnitID
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
		defer cancel()
		if err := s.auditor.Record(ctx, e); err != nil {
			s.log.Error("audit of failed request not written", "request_id", requestID(c), "err", err)
		}
	}
}
