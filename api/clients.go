package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
)

// --- service accounts: the client-credentials grant ---

type clientTokenJSON struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

type clientTokenResponseJSON struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// clientToken answers POST /auth/token: grant_type=client_credentials with the client's id and
// secret, as JSON or as an OAuth 2.0 form (application/x-www-form-urlencoded, or HTTP Basic with
// the id and secret).
func (s *Server) clientToken(c *gin.Context) {
	var in clientTokenJSON
	if c.ContentType() == "application/x-www-form-urlencoded" {
		if err := c.Request.ParseForm(); err != nil {
			s.fail(c, bodyReadError(err))
			return
		}
		for k := range c.Request.PostForm {
			if k != "grant_type" && k != "client_id" && k != "client_secret" && k != "scope" {
				s.fail(c, badRequest("trường không được hỗ trợ: "+k, k))
				return
			}
		}
		in = clientTokenJSON{GrantType: c.Request.PostForm.Get("grant_type"), ClientID: c.Request.PostForm.Get("client_id"),
			ClientSecret: c.Request.PostForm.Get("client_secret")}
	} else if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if id, secret, ok := c.Request.BasicAuth(); ok && in.ClientID == "" {
		in.ClientID, in.ClientSecret = id, secret
	}
	if in.GrantType != "client_credentials" {
		s.fail(c, domain.Invalid("grant_type", "enum", "chỉ hỗ trợ grant_type=client_credentials"))
		return
	}
	t, err := s.auth.ClientToken(c.Request.Context(), strings.TrimSpace(in.ClientID), in.ClientSecret, s.meta(c))
	if err != nil {
		c.Set("kiemsat.audited", true)
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, clientTokenResponseJSON{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: int(t.ExpiresAt.Sub(s.Now()).Seconds()),
		Scope: strings.Join(t.Scopes, " ")})
}

// requireScope refuses, for a service client's token, a route outside its scopes: an action it was
// not given, or any change through a route open to every logged-in user (the password, the
// notifications). Reading reference data stays open.
func (s *Server) requireScope(r Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		if p.Scopes == nil {
			c.Next()
			return
		}
		ok := false
		switch r.Rule {
		case RuleAuthenticated:
			ok = r.Method == http.MethodGet
		default:
			ok = p.MayAct(domain.Action(r.Rule))
		}
		if !ok {
			writeError(c, s.log, &domain.Error{Code: domain.CodeForbidden, Message: "token của ứng dụng kết nối không có quyền này",
				Details: []domain.Detail{{Field: "scope", Rule: "insufficient_scope"}}})
			return
		}
		c.Next()
	}
}
