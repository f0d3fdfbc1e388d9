package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"time"

	"kiemsat/domain"
)

// Client is a service account's client (ứng dụng kết nối): another procuracy's system or an
// agency, acting as a service user with a narrowed set of actions.
type Client struct {
	ClientID  string
	UserID    string
	Scopes    []string // actions the tokens may take, e.g. case.read
	CreatedAt time.Time
	RevokedAt *time.Time
}

// ClientStore keeps service clients.
type ClientStore interface {
	InsertClient(ctx context.Context, c Client, secretHash string) error
	GetClient(ctx context.Context, clientID string) (Client, string, error)
	TouchClient(ctx context.Context, clientID string, at time.Time) error
	RevokeClient(ctx context.Context, clientID string, at time.Time) error
}

// ClientScopes are the actions a client may be given: reading and registering cases, and
// recording decisions. Administration is never a client's.
var ClientScopes = []domain.Action{domain.ActCaseRead, domain.ActCaseCreate, domain.ActCaseUpdate, domain.ActCaseDecide}

var clientIDFormat = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// TokenResponse is what the token endpoint answers a client.
type TokenResponse struct {
	AccessToken string
	ExpiresAt   time.Time
	Scopes      []string
}

// CreateClient registers a client for a service user and returns its secret, shown once. It is an
// operator's act (kiemsat create-client), audited.
func (a *Auth) CreateClient(ctx context.Context, clientID, username string, scopes []string) (string, error) {
	if !clientIDFormat.MatchString(clientID) {
		return "", domain.Invalid("client_id", "format", "mã ứng dụng: 3–64 chữ thường, số, . _ -")
	}
	if len(scopes) == 0 {
		return "", domain.Invalid("scopes", "required", "phải có ít nhất một quyền")
	}
	for _, sc := range scopes {
		if !slices.Contains(ClientScopes, domain.Action(sc)) {
			return "", domain.Invalid("scopes", "enum", "quyền không cấp cho ứng dụng: "+sc)
		}
	}
	cred, err := a.users.GetCredentials(ctx, username)
	if err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	hash, err := a.hasher.Hash(secret)
	if err != nil {
		return "", err
	}
	now := a.clock.Now()
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := a.clients.InsertClient(ctx, Client{ClientID: clientID, UserID: cred.User.ID, Scopes: scopes, CreatedAt: now}, hash); err != nil {
			return err
		}
		return a.audit.Record(ctx, domain.AuditEntry{At: now, UserID: cred.User.ID, Username: cred.User.Username, UnitID: cred.User.UnitID,
			Action: "client.create", TargetType: "client", TargetID: clientID, TargetUnit: cred.User.UnitID, Outcome: domain.OutcomeSuccess,
			Detail: fmt.Sprintf(`{"scopes":%q}`, scopes)})
	})
	return secret, err
}

// ClientToken is the client-credentials grant (OAuth 2.0, RFC 6749 §4.4): a client's id and
// secret give a short access token, without refresh, for its service user narrowed to its scopes.
// Failures count against the address like failed logins.
func (a *Auth) ClientToken(ctx context.Context, clientID, secret string, m Meta) (TokenResponse, error) {
	now := a.clock.Now()
	if clientID == "" || secret == "" {
		return TokenResponse{}, domain.Invalid("client_id", "required", "phải có client_id và client_secret")
	}
	addrKey := "addr:" + m.RemoteAddr
	n, windowStart, err := a.tokens.AddressFailures(ctx, addrKey, a.cfg.AddressWindow, now)
	if err != nil {
		return TokenResponse{}, err
	}
	if n >= a.cfg.AddressLimit {
		retry := int(windowStart.Add(a.cfg.AddressWindow).Sub(now).Seconds()) + 1
		return TokenResponse{}, &domain.Error{Code: domain.CodeRateLimited, Message: "quá nhiều lần xác thực sai từ địa chỉ này, hãy thử lại sau", RetryAfterSeconds: retry}
	}
	entry := domain.AuditEntry{At: now, Action: "auth.client_token", TargetType: "client", TargetID: clientID, RequestID: m.RequestID, RemoteAddr: m.RemoteAddr}
	refuse := func(reason string) (TokenResponse, error) {
		if _, err := a.tokens.AddressFailure(ctx, addrKey, a.cfg.AddressWindow, now); err != nil {
			return TokenResponse{}, err
		}
		entry.Outcome, entry.Detail = domain.OutcomeDenied, fmt.Sprintf(`{"reason":%q}`, reason)
		if err := a.audit.Record(ctx, entry); err != nil {
			return TokenResponse{}, err
		}
		return TokenResponse{}, domain.Unauthenticated("client_id hoặc client_secret không đúng")
	}
	c, hash, err := a.clients.GetClient(ctx, clientID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		_, _ = a.hasher.Verify(a.dummyHash, secret)
		return refuse("unknown_client")
	} else if err != nil {
		return TokenResponse{}, err
	}
	ok, err := a.hasher.Verify(hash, secret)
	if err != nil {
		return TokenResponse{}, err
	}
	if !ok {
		return refuse("bad_secret")
	}
	if c.RevokedAt != nil {
		return refuse("revoked")
	}
	u, err := a.users.GetUser(ctx, c.UserID)
	if err != nil {
		return TokenResponse{}, err
	}
	if !u.Active {
		return refuse("inactive")
	}
	token, err := a.access.Issue(AccessClaims{UserID: u.ID, PasswordEpoch: u.PasswordChangedAt.Unix(), ClientID: c.ClientID, Scopes: c.Scopes}, now)
	if err != nil {
		return TokenResponse{}, err
	}
	entry.UserID, entry.Username, entry.UnitID, entry.TargetUnit, entry.Outcome = u.ID, u.Username, u.UnitID, u.UnitID, domain.OutcomeSuccess
	if err := a.audit.Record(ctx, entry); err != nil {
		return TokenResponse{}, err
	}
	if err := a.clients.TouchClient(ctx, c.ClientID, now); err != nil {
		return TokenResponse{}, err
	}
	return TokenResponse{AccessToken: token, ExpiresAt: now.Add(a.access.TTL()), Scopes: c.Scopes}, nil
}
