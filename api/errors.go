package api

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
)

// statusOf is the one table from domain error code to HTTP status.
var statusOf = map[domain.ErrorCode]int{
	domain.CodeBadRequest:      http.StatusBadRequest,
	domain.CodeInvalid:         http.StatusUnprocessableEntity,
	domain.CodeUnauthenticated: http.StatusUnauthorized,
	domain.CodeForbidden:       http.StatusForbidden,
	domain.CodePasswordChange:  http.StatusForbidden,
	domain.CodeNotFound:        http.StatusNotFound,
	domain.CodeConflict:        http.StatusConflict,
	domain.CodePayloadTooLarge: http.StatusRequestEntityTooLarge,
	domain.CodeRateLimited:     http.StatusTooManyRequests,
	domain.CodeAccountLocked:   http.StatusTooManyRequests,
	domain.CodeUnavailable:     http.StatusServiceUnavailable,
	domain.CodeInternal:        http.StatusInternalServerError,
}

type errorDetail struct {
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Article string `json:"article,omitempty"`
	Message string `json:"message,omitempty"`
}

type errorBody struct {
	Code      string        `json:"code"`
	Message   string        `json:"message"`
	Details   []errorDetail `json:"details"`
	RequestID string        `json:"request_id"`
}

type errorEnvelope struct {
	Error errorBody `json:"error"`
}

// writeError answers with the JSON error envelope. Internal errors are logged with the request
// id and never shown: the user sees a generic sentence and the id to quote to support.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	rid := requestID(c)
	de, ok := domain.AsError(err)
	if !ok || de.Code == domain.CodeInternal {
		log.ErrorContext(c.Request.Context(), "internal error", "request_id", rid, "method", c.Request.Method, "path", c.FullPath(), "err", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorEnvelope{errorBody{Code: string(domain.CodeInternal),
			Message: "lỗi hệ thống; hãy thử lại hoặc báo quản trị kèm mã yêu cầu", Details: []errorDetail{}, RequestID: rid}})
		return
	}
	status, ok := statusOf[de.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		log.ErrorContext(c.Request.Context(), "request failed", "request_id", rid, "code", de.Code, "err", err)
	}
	if de.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(de.RetryAfterSeconds))
	}
	body := errorBody{Code: string(de.Code), Message: de.Message, Details: []errorDetail{}, RequestID: rid}
	for _, d := range de.Details {
		body.Details = append(body.Details, errorDetail(d))
	}
	if de.Code == domain.CodeUnauthenticated {
		c.Header("WWW-Authenticate", `Bearer realm="kiemsat"`)
	}
	c.AbortWithStatusJSON(status, errorEnvelope{body})
}

func badRequest(msg, field string) error {
	return &domain.Error{Code: domain.CodeBadRequest, Message: msg, Details: []domain.Detail{{Field: field, Rule: "syntax", Message: msg}}}
}
