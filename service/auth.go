package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
)

// AuthConfig sets the login security parameters.
type AuthConfig struct {
	RefreshTTL time.Duration // how long a refresh token lives if unused
	// LockAfter consecutive failed logins lock an account for LockFor.
	LockAfter int
	LockFor   time.Duration
	// AddressLimit failed logins from one address within AddressWindow refuse further attempts.
	AddressLimit  int
	AddressWindow time.Duration
}

// DefaultAuthConfig is the production default.
var DefaultAuthConfig = AuthConfig{
	RefreshTTL: 12 * time.Hour, LockAfter: 5, LockFor: 15 * time.Minute,
	AddressLimit: 30, AddressWindow: 15 * time.Minute,
}

// Tokens is what a successful login or refresh returns.
type Tokens struct {
	AccessToken        string
	AccessExpiresAt    time.Time
	RefreshToken       string
	RefreshExpiresAt   time.Time
	MustChangePassword bool
}

// Auth holds the login, token and password use cases.
type Auth struct {
	cfg    AuthConfig
	tx     TxRunner
	users  UserStore
	units  UnitStore
	tokens TokenStore
	access AccessTokens
	hasher PasswordHasher
	audit  Auditor
	clock  Clock
	// dummyHash is verified against when a username does not exist, so that a login for an
	// unknown user takes as long as one for a known user.
	dummyHash string
	// clients are the service accounts' clients (client credentials).
	clients ClientStore
}

// NewAuth wires the authentication use cases.
func NewAuth(cfg AuthConfig, tx TxRunner, users UserStore, units UnitStore, tokens TokenStore, access AccessTokens, hasher PasswordHasher, audit Auditor, clock Clock) (*Auth, error) {
	dummy, err := hasher.Hash("not-a-real-password-" + uuid.NewString())
	if err != nil {
		return nil, err
	}
	return &Auth{cfg: cfg, tx: tx, users: users, units: units, tokens: tokens, access: access, hasher: hasher, audit: audit, clock: clock, dummyHash: dummy}, nil
}

var errBadLogin = domain.Unauthenticated("sai tên đăng nhập hoặc mật khẩu")

// Login checks a username and password and starts a new token family. Failures are throttled per
// address and per account, and every attempt is audited.
func (a *Auth) Login(ctx context.Context, username, password string, m Meta) (Tokens, error) {
	now := a.clock.Now()
	var v domain.Validation
	if username == "" {
		v.Add("username", "required", "phải nhập tên đăng nhập")
	}
	if password == "" {
		v.Add("password", "required", "phải nhập mật khẩu")
	}
	if err := v.Err(); err != nil {
		return Tokens{}, err
	}
	addrKey := "addr:" + m.RemoteAddr
	n, windowStart, err := a.tokens.AddressFailures(ctx, addrKey, a.cfg.AddressWindow, now)
	if err != nil {
		return Tokens{}, err
	}
	if n >= a.cfg.AddressLimit {
		retry := int(windowStart.Add(a.cfg.AddressWindow).Sub(now).Seconds()) + 1
		return Tokens{}, &domain.Error{Code: domain.CodeRateLimited, Message: "quá nhiều lần đăng nhập sai từ địa chỉ này, hãy thử lại sau", RetryAfterSeconds: retry}
	}
	entry := domain.AuditEntry{At: now, Username: username, Action: "auth.login", TargetType: "user", RequestID: m.RequestID, RemoteAddr: m.RemoteAddr, Detail: "{}"}
	fail := func(reason string, user *domain.User, out error) (Tokens, error) {
		if _, err := a.tokens.AddressFailure(ctx, addrKey, a.cfg.AddressWindow, now); err != nil {
			return Tokens{}, err
		}
		entry.Outcome = domain.OutcomeDenied
		entry.Detail = fmt.Sprintf(`{"reason":%q}`, reason)
		if user != nil {
			entry.UserID, entry.UnitID, entry.TargetID, entry.TargetUnit = user.ID, user.UnitID, user.ID, user.UnitID
		}
		if err := a.audit.Record(ctx, entry); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, out
	}
	cred, err := a.users.GetCredentials(ctx, username)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		_, _ = a.hasher.Verify(a.dummyHash, password)
		return fail("unknown_user", nil, errBadLogin)
	} else if err != nil {
		return Tokens{}, err
	}
	u := cred.User
	if u.LockedUntil != nil && u.LockedUntil.After(now) {
		return fail("locked", &u, lockedError(*u.LockedUntil, now))
	}
	ok, err := a.hasher.Verify(cred.PasswordHash, password)
	if err != nil {
		return Tokens{}, fmt.Errorf("verify password of %s: %w", u.ID, err)
	}
	if !ok {
		_, locked, err := a.users.RecordLoginFailure(ctx, u.ID, a.cfg.LockAfter, a.cfg.LockFor, now)
		if err != nil {
			return Tokens{}, err
		}
		if locked != nil {
			return fail("bad_password_locked", &u, lockedError(*locked, now))
		}
		return fail("bad_password", &u, errBadLogin)
	}
	if !u.Active {
		return fail("inactive", &u, errBadLogin)
	}
	var t Tokens
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		if u.FailedLogins > 0 {
			if err := a.users.ResetLoginFailures(ctx, u.ID); err != nil {
				return err
			}
		}
		var err error
		t, err = a.issue(ctx, u, uuid.NewString(), m, now)
		if err != nil {
			return err
		}
		entry.UserID, entry.UnitID, entry.TargetID, entry.TargetUnit, entry.Outcome = u.ID, u.UnitID, u.ID, u.UnitID, domain.OutcomeSuccess
		return a.audit.Record(ctx, entry)
	})
	return t, err
}

func lockedError(until, now time.Time) error {
	return &domain.Error{Code: domain.CodeAccountLocked,
		Message:           fmt.Sprintf("tài khoản tạm khóa do đăng nhập sai nhiều lần, thử lại sau %d phút", int(until.Sub(now).Minutes())+1),
		RetryAfterSeconds: int(until.Sub(now).Seconds()) + 1}
}

// issue creates an access token and a new refresh token in the given family.
func (a *Auth) issue(ctx context.Context, u domain.User, family string, m Meta, now time.Time) (Tokens, error) {
	access, err := a.access.Issue(AccessClaims{UserID: u.ID, PasswordEpoch: u.PasswordChangedAt.Unix(), MustChangePassword: u.MustChangePassword}, now)
	if err != nil {
		return Tokens{}, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Tokens{}, err
	}
	refresh := base64.RawURLEncoding.EncodeToString(raw)
	rt := RefreshToken{ID: uuid.NewString(), UserID: u.ID, FamilyID: family, TokenHash: hashToken(refresh),
		IssuedAt: now, ExpiresAt: now.Add(a.cfg.RefreshTTL), UserAgent: truncate(m.UserAgent, 300), RemoteAddr: m.RemoteAddr}
	if err := a.tokens.InsertRefresh(ctx, rt); err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, AccessExpiresAt: now.Add(a.access.TTL()), RefreshToken: refresh,
		RefreshExpiresAt: rt.ExpiresAt, MustChangePassword: u.MustChangePassword}, nil
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

var errBadRefresh = domain.Unauthenticated("phiên đăng nhập đã hết hạn hoặc bị thu hồi, hãy đăng nhập lại")

// Refresh spends a refresh token and returns a new pair in the same family. Presenting a token
// that was already spent means it was stolen or replayed: the whole family is revoked.
func (a *Auth) Refresh(ctx context.Context, refresh string, m Meta) (Tokens, error) {
	now := a.clock.Now()
	if refresh == "" {
		return Tokens{}, domain.Invalid("refresh_token", "required", "phải gửi refresh_token")
	}
	rt, err := a.tokens.GetRefreshByHash(ctx, hashToken(refresh))
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return Tokens{}, errBadRefresh
	} else if err != nil {
		return Tokens{}, err
	}
	entry := domain.AuditEntry{At: now, UserID: rt.UserID, Action: "auth.refresh", TargetType: "token_family", TargetID: rt.FamilyID, RequestID: m.RequestID, RemoteAddr: m.RemoteAddr, Detail: "{}"}
	reuse := func() (Tokens, error) {
		if err := a.tokens.RevokeFamily(ctx, rt.FamilyID, now); err != nil {
			return Tokens{}, err
		}
		entry.Outcome, entry.Detail = domain.OutcomeDenied, `{"reason":"refresh_token_reuse","family_revoked":true}`
		if err := a.audit.Record(ctx, entry); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadRefresh
	}
	if rt.RevokedAt != nil || !rt.ExpiresAt.After(now) {
		return Tokens{}, errBadRefresh
	}
	if rt.UsedAt != nil {
		return reuse()
	}
	u, err := a.users.GetUser(ctx, rt.UserID)
	if err != nil {
		return Tokens{}, err
	}
	if !u.Active {
		return Tokens{}, errBadRefresh
	}
	var t Tokens
	reused := false
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		ok, err := a.tokens.MarkRefreshUsed(ctx, rt.ID, now)
		if err != nil {
			return err
		}
		if !ok { // spent concurrently: a replay raced the legitimate client
			reused = true
			return nil
		}
		if t, err = a.issue(ctx, u, rt.FamilyID, m, now); err != nil {
			return err
		}
		entry.UnitID, entry.Username, entry.TargetUnit, entry.Outcome = u.UnitID, u.Username, u.UnitID, domain.OutcomeSuccess
		return a.audit.Record(ctx, entry)
	})
	if err != nil {
		return Tokens{}, err
	}
	if reused {
		return reuse()
	}
	return t, nil
}

// Logout revokes the family of the given refresh token. It is idempotent: an unknown or already
// revoked token is not an error, so a client can always log out.
func (a *Auth) Logout(ctx context.Context, p *Principal, refresh string) error {
	now := a.clock.Now()
	return a.tx.WithinTx(ctx, func(ctx context.Context) error {
		detail := `{"scope":"all_sessions"}`
		if refresh != "" {
			rt, err := a.tokens.GetRefreshByHash(ctx, hashToken(refresh))
			if err != nil && domain.ErrorCodeOf(err) != domain.CodeNotFound {
				return err
			}
			if err == nil && rt.UserID == p.User.ID {
				if err := a.tokens.RevokeFamily(ctx, rt.FamilyID, now); err != nil {
					return err
				}
				detail = `{"scope":"session"}`
			}
		} else if err := a.tokens.RevokeUserTokens(ctx, p.User.ID, now); err != nil {
			return err
		}
		return a.audit.Record(ctx, p.audit(now, "auth.logout", "user", p.User.ID, p.User.UnitID, domain.OutcomeSuccess, detail))
	})
}

// ChangePassword replaces the caller's password after checking the current one, revokes every
// refresh token of the user (other sessions end) and returns a fresh login.
func (a *Auth) ChangePassword(ctx context.Context, p *Principal, current, next string, m Meta) (Tokens, error) {
	now := a.clock.Now()
	var v domain.Validation
	if current == "" {
		v.Add("current_password", "required", "phải nhập mật khẩu hiện tại")
	}
	domain.CheckPassword(&v, "new_password", next, p.User.Username)
	if next != "" && next == current {
		v.Add("new_password", "unchanged", "mật khẩu mới phải khác mật khẩu hiện tại")
	}
	if err := v.Err(); err != nil {
		return Tokens{}, err
	}
	cred, err := a.users.GetCredentials(ctx, p.User.Username)
	if err != nil {
		return Tokens{}, err
	}
	ok, err := a.hasher.Verify(cred.PasswordHash, current)
	if err != nil {
		return Tokens{}, err
	}
	if !ok {
		e := p.audit(now, "auth.change_password", "user", p.User.ID, p.User.UnitID, domain.OutcomeDenied, `{"reason":"bad_current_password"}`)
		if err := recordDenied(ctx, a.audit, e); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, domain.Invalid("current_password", "mismatch", "mật khẩu hiện tại không đúng")
	}
	hash, err := a.hasher.Hash(next)
	if err != nil {
		return Tokens{}, err
	}
	var t Tokens
	err = a.tx.WithinTx(ctx, func(ctx context.Context) error {
		// Tokens carry the password epoch in whole seconds; make sure the new epoch differs
		// from the old one even when both fall in the same second.
		changedAt := now.Truncate(time.Second)
		if !changedAt.After(p.User.PasswordChangedAt.Truncate(time.Second)) {
			changedAt = p.User.PasswordChangedAt.Truncate(time.Second).Add(time.Second)
		}
		if err := a.users.SetPassword(ctx, p.User.ID, hash, false, changedAt); err != nil {
			return err
		}
		if err := a.tokens.RevokeUserTokens(ctx, p.User.ID, now); err != nil {
			return err
		}
		u := p.User
		u.MustChangePassword, u.PasswordChangedAt = false, changedAt
		if t, err = a.issue(ctx, u, uuid.NewString(), m, now); err != nil {
			return err
		}
		return a.audit.Record(ctx, p.audit(now, "auth.change_password", "user", p.User.ID, p.User.UnitID, domain.OutcomeSuccess, ""))
	})
	return t, err
}

// Authenticate turns verified access-token claims into a Principal, loading the user and grants
// fresh so that deactivation, revoked grants and password changes take effect at once.
func (a *Auth) Authenticate(ctx context.Context, c AccessClaims, m Meta) (*Principal, error) {
	u, err := a.users.GetUser(ctx, c.UserID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return nil, domain.Unauthenticated("người dùng không còn tồn tại")
	} else if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, domain.Unauthenticated("tài khoản đã bị vô hiệu hóa")
	}
	if u.PasswordChangedAt.Unix() != c.PasswordEpoch {
		return nil, domain.Unauthenticated("mật khẩu đã thay đổi, hãy đăng nhập lại")
	}
	grants, err := a.users.GrantsOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	unit, err := a.units.GetUnit(ctx, u.UnitID)
	if err != nil {
		return nil, err
	}
	p := &Principal{User: u, Unit: unit, Grants: grants, RequestID: m.RequestID, RemoteAddr: m.RemoteAddr}
	if c.ClientID != "" {
		// A client's token is good only while the client is: revocation takes effect at once.
		cl, _, err := a.clients.GetClient(ctx, c.ClientID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound || (err == nil && (cl.RevokedAt != nil || cl.UserID != u.ID)) {
			return nil, domain.Unauthenticated("ứng dụng kết nối đã bị thu hồi")
		} else if err != nil {
			return nil, err
		}
		p.ClientID, p.Scopes = cl.ClientID, make([]domain.Action, 0, len(c.Scopes))
		for _, sc := range c.Scopes {
			if slices.Contains(cl.Scopes, sc) {
				p.Scopes = append(p.Scopes, domain.Action(sc))
			}
		}
	}
	return p, nil
}

// ErrPasswordChangeRequired is returned for any use case other than changing the password while
// the account must change its password first.
var ErrPasswordChangeRequired = &domain.Error{Code: domain.CodePasswordChange, Message: "phải đổi mật khẩu trước khi tiếp tục"}
