package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"time"
)

// AuditOutcome is how an audited request ended.
type AuditOutcome string

// Outcomes.
const (
	OutcomeSuccess AuditOutcome = "success"
	OutcomeDenied  AuditOutcome = "denied"
	OutcomeFailure AuditOutcome = "failure"
)

// AuditEntry is one row of the audit log (nhật ký kiểm tra): who did what to which target, when,
// from where, and how it ended. Rows are append-only and hash-chained.
type AuditEntry struct {
	ID         int64
	At         time.Time
	UserID     string
	Username   string
	UnitID     int64
	Action     string
	TargetType string
	TargetID   string
	TargetUnit int64
	RequestID  string
	RemoteAddr string
	Outcome    AuditOutcome
	Detail     string // JSON object text, hashed exactly as stored
	PrevHash   []byte
	Hash       []byte
}

// AuditGenesis is the previous hash of the first row.
var AuditGenesis = make([]byte, sha256.Size)

// ComputeHash returns SHA-256 over the previous hash and every field of the entry in a fixed,
// length-prefixed encoding, so that no two different rows can serialize the same way. The time is
// taken in UTC at microsecond precision, which is what PostgreSQL stores.
func (e *AuditEntry) ComputeHash(prev []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	field(e.UserID)
	field(e.Username)
	field(strconv.FormatInt(e.UnitID, 10))
	field(e.Action)
	field(e.TargetType)
	field(e.TargetID)
	field(strconv.FormatInt(e.TargetUnit, 10))
	field(e.RequestID)
	field(e.RemoteAddr)
	field(string(e.Outcome))
	field(e.Detail)
	return h.Sum(nil)
}

// AuditFilter narrows the audit log. The caller's audit.read scope applies on top.
type AuditFilter struct {
	UserID     *string
	TargetType *string
	TargetID   *string
	Action     *string
	From, To   *time.Time
	Limit      int
	BeforeID   int64 // keyset: rows with id < BeforeID; 0 for the newest
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Items      []AuditEntry
	Total      int64
	NextBefore int64
}

// AuditVerifyReport is the result of walking the whole chain.
type AuditVerifyReport struct {
	Rows     int64
	FirstBad int64 // id of the first row whose hash or link does not match; 0 when intact
	Problem  string
}
