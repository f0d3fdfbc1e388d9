package service

import (
	"context"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// Offers are the steps the caller may record on the case now (the "record a decision" form):
// those the transition table admits for this case and the caller's grants to decide on it, each
// with the accused and measures it may apply to. Issuer, dates and guards are judged when the form
// is submitted (Record). A case the caller may not read is not found; one they may read but not
// decide on offers nothing. The read is not audited: the case page that shows the form is.
func (s *Procedure) Offers(ctx context.Context, p *Principal, caseID string) ([]workflow.Offer, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	out := []workflow.Offer{}
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cc, err := s.load(ctx, caseID, false)
		if err != nil {
			return err
		}
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cc.cs.Ref(p.User.ID)) {
			return domain.NotFound("hồ sơ")
		}
		actor, err := s.actor(ctx, p, domain.ActCaseDecide, cc.cs)
		if err != nil || len(actor.Grants) == 0 {
			return err
		}
		out = workflow.Offers(cc.state, actor)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
