package service_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
	"kiemsat/workflow"
)

type noTokens struct{}

func (noTokens) Issue(service.AccessClaims, time.Time) (string, error) { return "", nil }
func (noTokens) TTL() time.Duration                                    { return time.Minute }

// The "record a decision" form's offers over the demo data, as each kind of user sees them: the
// lead prosecutor and the chief of the case's unit are offered what the table gives them, a
// prosecutor off the team, a clerk and a chief of the unit above (for own-unit steps) nothing, and
// a user who may not read the case gets not found.
func TestOffers(t *testing.T) {
	ctx := context.Background()
	store, err := repository.Open(ctx, pgtest.NewDatabase(t), repository.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	policy, err := repository.NewPolicy(ctx, store, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(policy.Close)
	hasher := service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	clock := service.SystemClock{}
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: noTokens{}, Hasher: hasher, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SyncAuthorities(ctx, workflow.DefaultAuthorities()); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(ctx, seed.DepsOf(store, svc, hasher, clock), "Demo-mat-khau-2026", false); err != nil {
		t.Fatal(err)
	}
	principal := func(username string) *service.Principal {
		cred, err := store.GetCredentials(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Auth.Authenticate(ctx, service.AccessClaims{UserID: cred.User.ID, PasswordEpoch: cred.User.PasswordChangedAt.Unix()}, service.Meta{RequestID: "offers-test"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	caseOf := func(summaryPrefix string) string {
		var id string
		if err := store.SQL().QueryRowContext(ctx, `SELECT id FROM cases WHERE summary LIKE $1 || '%'`, summaryPrefix).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	offers := func(user, caseID string) []workflow.Offer {
		t.Helper()
		got, err := svc.Procedure.Offers(ctx, principal(user), caseID)
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if got == nil {
			t.Fatalf("%s: nil offers, want a list", user)
		}
		return got
	}
	steps := func(os []workflow.Offer) []domain.Step {
		var out []domain.Step
		for _, o := range os {
			out = append(out, o.Transition.Step)
		}
		return out
	}
	offer := func(os []workflow.Offer, step domain.Step) *workflow.Offer {
		for i := range os {
			if os[i].Transition.Step == step {
				return &os[i]
			}
		}
		return nil
	}

	// A report at Khu vực 1 Hà Nội, led by hnkv1.ksv1.
	report := caseOf("Bà Nguyễn Thị Hòa tố giác")
	lead := steps(offers("hnkv1.ksv1", report))
	if !slices.Contains(lead, workflow.StepInstituteCase) || slices.Contains(lead, workflow.StepExtendReport) {
		t.Errorf("lead prosecutor on the report: %v", lead)
	}
	chief := steps(offers("hnkv1.vientruong", report))
	if !slices.Contains(chief, workflow.StepInstituteCase) || !slices.Contains(chief, workflow.StepExtendReport) {
		t.Errorf("chief on the report: %v", chief)
	}
	for _, user := range []string{"hnkv1.ksv2", "hnkv1.thuky", "hn.vientruong", "hn.thanhtra"} {
		if got := offers(user, report); len(got) != 0 {
			t.Errorf("%s offered %v", user, steps(got))
		}
	}
	for _, id := range []string{report, "not-a-uuid", "019a0000-0000-7000-8000-000000000000"} {
		if _, err := svc.Procedure.Offers(ctx, principal("hcmkv1.ksv"), id); domain.ErrorCodeOf(err) != domain.CodeNotFound {
			t.Errorf("other province, case %q: %v, want not found", id, err)
		}
	}

	// The assault case under investigation, its accused detained, led by hnkv1.ksv2.
	assault := caseOf("Cơ quan CSĐT khởi tố vụ án cố ý gây thương tích tại quán karaoke")
	var accusedID, detentionID string
	if err := store.SQL().QueryRowContext(ctx, `SELECT a.id, m.id FROM accused a JOIN measures m ON m.accused_id = a.id
		WHERE a.case_id = $1 AND m.kind = 'detention' AND m.status = 'active'`, assault).Scan(&accusedID, &detentionID); err != nil {
		t.Fatal(err)
	}
	got := offers("hnkv1.ksv2", assault)
	if o := offer(got, workflow.StepSuspendAccused); o == nil || !slices.Equal(o.AccusedIDs, []string{accusedID}) {
		t.Errorf("lead prosecutor, suspend the accused: %+v", o)
	}
	if o := offer(got, workflow.StepEndMeasure); o == nil || !slices.Contains(o.Measures, workflow.OfferMeasure{AccusedID: accusedID, MeasureID: detentionID}) {
		t.Errorf("lead prosecutor, end the detention: %+v", o)
	}
	if o := offer(got, workflow.StepInstituteAccused); o == nil || !o.NewPerson {
		t.Errorf("lead prosecutor, institute a new accused: %+v", o)
	}
	if s := steps(got); slices.Contains(s, workflow.StepExtendDetention) || slices.Contains(s, workflow.StepInstituteCase) {
		t.Errorf("lead prosecutor under investigation: %v", s)
	}
	if o := offer(offers("hnkv1.vientruong", assault), workflow.StepExtendDetention); o == nil ||
		!slices.Contains(o.Measures, workflow.OfferMeasure{AccusedID: accusedID, MeasureID: detentionID}) {
		t.Errorf("chief, extend the detention: %+v", o)
	}
	if got := offers("hnkv1.ksv1", assault); len(got) != 0 {
		t.Errorf("prosecutor off the team offered %v", steps(got))
	}
}
