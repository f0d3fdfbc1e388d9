package api

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"kiemsat/service"
)

// JWT issues and verifies access tokens signed with Ed25519. The algorithm is pinned on both
// sides: a token claiming any other algorithm ("none", HS256 with the public key as secret, ...)
// is refused before its signature is even looked at. Issuer and audience are checked too.
type JWT struct {
	priv     ed25519.PrivateKey
	pub      ed25519.PublicKey
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewJWT builds the token service from an Ed25519 private key.
func NewJWT(priv ed25519.PrivateKey, issuer, audience string, ttl time.Duration, now func() time.Time) *JWT {
	return &JWT{priv: priv, pub: priv.Public().(ed25519.PublicKey), issuer: issuer, audience: audience, ttl: ttl, now: now}
}

type accessClaims struct {
	jwt.RegisteredClaims
	PasswordEpoch      int64  `json:"pwe"`
	MustChangePassword bool   `json:"mcp,omitempty"`
	ClientID           string `json:"cid,omitempty"`
	Scope              string `json:"scope,omitempty"` // space-separated actions of a client token
}

// TTL is the lifetime of an access token.
func (j *JWT) TTL() time.Duration { return j.ttl }

// Issue signs an access token for the claims.
func (j *JWT) Issue(c service.AccessClaims, now time.Time) (string, error) {
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: j.issuer, Subject: c.UserID, Audience: jwt.ClaimStrings{j.audience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
			ExpiresAt: jwt.NewNumericDate(now.Add(j.ttl)), ID: uuid.NewString(),
		},
		PasswordEpoch: c.PasswordEpoch, MustChangePassword: c.MustChangePassword, ClientID: c.ClientID, Scope: strings.Join(c.Scopes, " "),
	}
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims).SignedString(j.priv)
}

// Parse verifies a token and returns its claims.
func (j *JWT) Parse(token string) (service.AccessClaims, error) {
	var c accessClaims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return j.pub, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(j.issuer), jwt.WithAudience(j.audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(j.now), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return service.AccessClaims{}, fmt.Errorf("access token: %w", err)
	}
	if _, err := uuid.Parse(c.Subject); err != nil {
		return service.AccessClaims{}, errors.New("access token: bad subject")
	}
	out := service.AccessClaims{UserID: c.Subject, PasswordEpoch: c.PasswordEpoch, MustChangePassword: c.MustChangePassword, ExpiresAt: c.ExpiresAt.Time,
		ClientID: c.ClientID}
	if c.ClientID != "" {
		// A client token always carries its scopes; none means none.
		out.Scopes = strings.Fields(c.Scope)
		if out.Scopes == nil {
			out.Scopes = []string{}
		}
	}
	return out, nil
}

// MAC authenticates a small value the server hands out and takes back (a change-feed cursor), with
// a key derived from the signing key, so every instance sharing the key accepts it and nobody
// else can forge one.
func (j *JWT) MAC(purpose string, data []byte) []byte {
	k := sha256.Sum256(append([]byte("kiemsat mac "+purpose+"\x00"), j.priv.Seed()...))
	m := hmac.New(sha256.New, k[:])
	m.Write(data)
	return m.Sum(nil)
}
