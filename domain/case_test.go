package domain

import (
	"strings"
	"testing"
	"time"
)

func validInput(now time.Time) CaseInput {
	return CaseInput{Kind: KindReport, UnitID: 5, ReceivedAt: now.Add(-time.Hour), Channel: ChannelInPerson, SourceType: SourceDenunciation,
		Summary: "Tố giác về hành vi trộm cắp tài sản tại chợ.", ReporterName: "Nguyễn Văn A", ReporterKind: ReporterPerson,
		Offence: &Offence{Article: 173, Clause: 1}, Parties: []Party{{Role: PartyVictim, FullName: "Nguyễn Văn A", NationalID: "001190123456"}}}
}

func fields(err error) []string {
	de, ok := AsError(err)
	if !ok {
		return nil
	}
	var out []string
	for _, d := range de.Details {
		out = append(out, d.Field+":"+d.Rule)
	}
	return out
}

func TestCaseInputValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if err := validInput(now).Validate(now); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*CaseInput)
		field string
	}{
		{"future received date", func(in *CaseInput) { in.ReceivedAt = now.Add(time.Hour) }, "received_at:not_future"},
		{"unknown kind", func(in *CaseInput) { in.Kind = "x" }, "kind:enum"},
		{"source does not fit kind", func(in *CaseInput) { in.SourceType = SourceInstitutionDecision }, "source_type:enum"},
		{"short summary", func(in *CaseInput) { in.Summary = "ngắn" }, "summary:length"},
		{"bad CCCD", func(in *CaseInput) { in.Parties[0].NationalID = "12345" }, "parties[0].national_id:format"},
		{"article beyond the Penal Code", func(in *CaseInput) { in.Offence.Article = 500 }, "offence.article:range"},
		{"anonymous with a name", func(in *CaseInput) { in.ReporterKind = ReporterAnonymous }, "reporter_name:anonymous"},
		{"duplicate CCCD in one role", func(in *CaseInput) {
			in.Parties = append(in.Parties, Party{Role: PartyVictim, FullName: "Trần B", NationalID: "001190123456"})
		}, "parties[1].national_id:duplicate"},
		{"summary too long", func(in *CaseInput) { in.Summary = strings.Repeat("a", MaxSummaryLength+1) }, "summary:length"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput(now)
			tc.edit(&in)
			err := in.Validate(now)
			if ErrorCodeOf(err) != CodeInvalid {
				t.Fatalf("want invalid, got %v", err)
			}
			found := false
			for _, f := range fields(err) {
				found = found || f == tc.field
			}
			if !found {
				t.Fatalf("want detail %s, got %v", tc.field, fields(err))
			}
		})
	}
}

func TestAuditHashDetectsEveryField(t *testing.T) {
	e := AuditEntry{At: time.Date(2026, 1, 2, 3, 4, 5, 123456100, time.UTC), UserID: "u", Username: "n", UnitID: 3, Action: "case.read",
		TargetType: "case", TargetID: "c", TargetUnit: 4, RequestID: "r", RemoteAddr: "a", Outcome: OutcomeSuccess, Detail: "{}"}
	base := e.ComputeHash(AuditGenesis)
	if string(base) != string(e.ComputeHash(AuditGenesis)) {
		t.Fatal("hash must be deterministic")
	}
	// Nanoseconds below a microsecond are not stored by PostgreSQL and must not change the hash.
	e2 := e
	e2.At = e.At.Add(300 * time.Nanosecond)
	if string(e2.ComputeHash(AuditGenesis)) != string(base) {
		t.Fatal("hash must use microsecond precision")
	}
	mutations := []func(*AuditEntry){
		func(x *AuditEntry) { x.At = x.At.Add(time.Microsecond) }, func(x *AuditEntry) { x.UserID = "v" },
		func(x *AuditEntry) { x.Username = "m" }, func(x *AuditEntry) { x.UnitID = 9 }, func(x *AuditEntry) { x.Action = "case.update" },
		func(x *AuditEntry) { x.TargetType = "user" }, func(x *AuditEntry) { x.TargetID = "d" }, func(x *AuditEntry) { x.TargetUnit = 5 },
		func(x *AuditEntry) { x.RequestID = "s" }, func(x *AuditEntry) { x.RemoteAddr = "b" }, func(x *AuditEntry) { x.Outcome = OutcomeDenied },
		func(x *AuditEntry) { x.Detail = `{"a":1}` },
		// Moving a boundary between two fields must change the hash too.
		func(x *AuditEntry) { x.TargetType, x.TargetID = "cas", "ec" },
	}
	for i, m := range mutations {
		x := e
		m(&x)
		if string(x.ComputeHash(AuditGenesis)) == string(base) {
			t.Fatalf("mutation %d not detected", i)
		}
	}
	if string(e.ComputeHash(base)) == string(base) {
		t.Fatal("the previous hash must be part of the hash")
	}
}

func TestIsMinorOn(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, ICT) }
	p := func(t time.Time) *time.Time { return &t }
	cases := []struct {
		birth *time.Time
		day   time.Time
		want  bool
	}{
		{p(d(2008, 6, 15)), d(2026, 6, 14), true},  // the day before the 18th birthday
		{p(d(2008, 6, 15)), d(2026, 6, 15), false}, // on it
		{p(d(2008, 2, 29)), d(2026, 2, 28), true},  // born on a leap day: 18 on 1 March
		{p(d(2008, 2, 29)), d(2026, 3, 1), false},
		{nil, d(2026, 1, 1), false}, // unknown birth date: not flagged
		{p(d(2010, 1, 1)), time.Time{}, false},
	}
	for _, c := range cases {
		if got := IsMinorOn(c.birth, c.day); got != c.want {
			t.Errorf("IsMinorOn(%v, %v) = %v, want %v", c.birth, c.day, got, c.want)
		}
	}
}
