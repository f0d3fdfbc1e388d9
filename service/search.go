package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kiemsat/domain"
)

// SearchStore is what search reads: the text search over cases, document texts and the law, the
// typo-tolerant query builder, similar cases, and the assistant's history.
type SearchStore interface {
	SearchTerms(ctx context.Context, text string, anyWord bool) (domain.SearchTerms, error)
	SearchCases(ctx context.Context, scope domain.Scope, t domain.SearchTerms, now time.Time, limit int) (domain.SearchPage, error)
	SearchDocuments(ctx context.Context, ds domain.DocumentScope, t domain.SearchTerms, limit int) (domain.SearchPage, error)
	SearchLaw(ctx context.Context, t domain.SearchTerms, day time.Time, limit int) (domain.SearchPage, error)
	LawStore
	SimilarCases(ctx context.Context, scope domain.Scope, q domain.SimilarQuery, now time.Time) ([]domain.SimilarCase, error)
	CaseCharges(ctx context.Context, caseID string) ([]domain.ChargeRef, error)
	InsertAssistantAnswer(ctx context.Context, a domain.AssistantAnswer) error
	AssistantHistory(ctx context.Context, userID string, limit, offset int) ([]domain.AssistantAnswer, int64, error)
}

// Search is the search box (tìm kiếm): cases, documents and the law, without diacritics or with,
// tolerant of typos, scoped exactly like the case list.
type Search struct {
	store SearchStore
	authz *Authz
	audit Auditor
	clock Clock
	law   *lawLibrary
}

// NewSearch wires the search use case.
func NewSearch(store SearchStore, authz *Authz, audit Auditor, clock Clock, law *lawLibrary) *Search {
	return &Search{store: store, authz: authz, audit: audit, clock: clock, law: law}
}

// SearchInput is a search: the text, the kinds wanted (all when empty) and the hits per kind.
type SearchInput struct {
	Text  string
	Kinds []domain.SearchKind
	Limit int
}

// SearchResult is a search's answer: one page per kind asked, and the words corrected.
type SearchResult struct {
	Text      string
	Corrected map[string][]string
	Pages     []domain.SearchPage
}

// Search limits.
const (
	searchMaxText      = 200
	searchDefaultLimit = 10
	searchMaxLimit     = 50
)

func (in SearchInput) validate() error {
	var errs []domain.Detail
	t := strings.TrimSpace(in.Text)
	switch {
	case t == "":
		errs = append(errs, domain.Detail{Field: "q", Rule: "required", Message: "nhập nội dung cần tìm"})
	case utf8.RuneCountInString(t) > searchMaxText:
		errs = append(errs, domain.Detail{Field: "q", Rule: "length", Message: fmt.Sprintf("chuỗi tìm kiếm tối đa %d ký tự", searchMaxText)})
	}
	for _, k := range in.Kinds {
		if !k.Valid() {
			errs = append(errs, domain.Detail{Field: "kind", Rule: "enum", Message: "kind phải là case, document hoặc law"})
			break
		}
	}
	if in.Limit < 0 || in.Limit > searchMaxLimit {
		errs = append(errs, domain.Detail{Field: "limit", Rule: "range", Message: fmt.Sprintf("limit từ 1 đến %d", searchMaxLimit)})
	}
	if len(errs) > 0 {
		return &domain.Error{Code: domain.CodeInvalid, Message: "yêu cầu tìm kiếm không hợp lệ", Details: errs}
	}
	return nil
}

// Search runs a search for the caller. Cases and documents come from the caller's read scope only
// (documents also by their classification); the law is the same for everyone. The search is
// audited with the text and what it returned.
func (s *Search) Search(ctx context.Context, p *Principal, in SearchInput) (SearchResult, error) {
	if err := in.validate(); err != nil {
		return SearchResult{}, err
	}
	if in.Limit == 0 {
		in.Limit = searchDefaultLimit
	}
	kinds := in.Kinds
	if len(kinds) == 0 {
		kinds = []domain.SearchKind{domain.SearchCase, domain.SearchDocument, domain.SearchLaw}
	}
	text := strings.TrimSpace(in.Text)
	terms, err := s.store.SearchTerms(ctx, text, false)
	if err != nil {
		return SearchResult{}, err
	}
	if terms.Empty() {
		return SearchResult{}, domain.Invalid("q", "terms", "chuỗi tìm kiếm không có từ nào để tìm")
	}
	out := SearchResult{Text: text, Corrected: terms.Corrected}
	returned := map[domain.SearchKind]int{}
	var caseIDs []string
	for _, k := range kinds {
		page, err := s.searchKind(ctx, p, k, terms, in.Limit)
		if err != nil {
			return SearchResult{}, err
		}
		returned[k] = len(page.Hits)
		for _, h := range page.Hits {
			if h.CaseID != "" {
				caseIDs = append(caseIDs, h.CaseID)
			}
		}
		out.Pages = append(out.Pages, page)
	}
	detail, _ := json.Marshal(map[string]any{"q": text, "returned": returned, "case_ids": caseIDs})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "search", "case", "", p.User.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return SearchResult{}, err
	}
	return out, nil
}

func (s *Search) searchKind(ctx context.Context, p *Principal, k domain.SearchKind, t domain.SearchTerms, limit int) (domain.SearchPage, error) {
	switch k {
	case domain.SearchCase:
		return s.store.SearchCases(ctx, s.authz.Scope(p, domain.ActCaseRead), t, s.clock.Now(), limit)
	case domain.SearchDocument:
		return s.store.SearchDocuments(ctx, s.documentScope(p), t, limit)
	default:
		if err := s.law.ensure(ctx, s.store); err != nil {
			return domain.SearchPage{}, err
		}
		return s.store.SearchLaw(ctx, t, s.clock.Now().In(VietnamTime), limit)
	}
}

// documentScope is Files.mayReadClass as scopes: the case read scope, and the units whose
// confidential and secret documents the caller may read beyond the cases they are on the team of.
func (s *Search) documentScope(p *Principal) domain.DocumentScope {
	return domain.DocumentScope{Read: s.authz.Scope(p, domain.ActCaseRead), Confidential: s.authz.Scope(p, domain.ActFileReadConfidential),
		Secret: s.authz.Scope(p, domain.ActCaseReadSecret)}
}
