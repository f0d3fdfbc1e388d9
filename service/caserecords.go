package service

import (
	"context"
	"fmt"
	"time"

	"kiemsat/domain"
)

// readCaseRecord reads one record attached to a case (a hearing, an instruction) for a caller who
// may read the case, and audits the read; a caller who may not gets the same 404 as a record that
// does not exist, and the refusal is audited. what names the record in the 404, action is the audit
// action and key names the record's id in the audit detail; get fetches the record and its case id.
func readCaseRecord[T any](ctx context.Context, tx TxRunner, cases CaseStore, audit Auditor, p *Principal, now time.Time,
	readable func(*domain.Case) bool, what, action, key, id string, get func(context.Context) (T, string, error)) (*T, error) {
	if !validUUID(id) {
		return nil, domain.NotFound(what)
	}
	detail := fmt.Sprintf(`{%q:%q}`, key, id)
	var out *T
	var denied *domain.Case
	err := tx.WithinTx(ctx, func(ctx context.Context) error {
		rec, caseID, err := get(ctx)
		if err != nil {
			return err
		}
		cs, err := cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		if !readable(cs) {
			denied = cs
			return nil
		}
		out = &rec
		return audit.Record(ctx, p.audit(now, action, "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, detail))
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, audit, p.audit(now, action, "case", denied.ID, denied.UnitID, domain.OutcomeDenied, detail)); err != nil {
			return nil, err
		}
		return nil, domain.NotFound(what)
	}
	return out, nil
}
