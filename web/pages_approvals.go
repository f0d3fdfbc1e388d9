package web

import (
	"net/http"
	"strconv"

	"kiemsat/domain"
	"kiemsat/service"
)

type approvalsData struct {
	Items  []service.PendingApproval
	Total  int64
	Offset int
	Next   int
}

// approvals lists the decisions awaiting the procuracy's approval (phê chuẩn) in the caller's
// scope, oldest first as the API gives them, each a link to its case where it is answered.
func (s *Server) approvals(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if s.Cases.Scope(p, domain.ActCaseApprove).Empty() {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	if offset < 0 || offset > 100000 {
		offset = 0
	}
	items, total, err := s.Procedure.PendingApprovals(r.Context(), p, service.ApprovalFilter{IncludeSubunits: true, Limit: domain.DefaultPageSize, Offset: offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := approvalsData{Items: items, Total: total, Offset: offset}
	if int64(offset+len(items)) < total {
		d.Next = offset + len(items)
	}
	s.render(w, r, http.StatusOK, "approvals", page{Title: "approval.title", Nav: "approvals", Data: d})
}
