package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
)

// supervisionSamples are the supervision DTOs as the handlers build them: an instruction in every
// status (named addressee or not, overdue or not), requests for case files in every status, the
// public-interest mark, subscriptions with and without each criterion, and the cases they match.
func supervisionSamples(now time.Time) []schemaSample {
	due := domain.DateOf(now).AddDate(0, 0, 7)
	in := domain.Instruction{ID: "0195e1a2-0001-7000-8000-0000000000a1", CaseID: "0195b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e01", IssuerUnitID: 4,
		AddresseeUnitID: 27, AddresseeUserID: "0195a0f0-1111-7222-8333-444455556667", Text: "Yêu cầu báo cáo tiến độ điều tra.", DueOn: due,
		Status: domain.InstrOpen, CreatedBy: "0195a0f0-1111-7222-8333-444455556601", CreatedAt: now, UpdatedAt: now, Version: 1,
		CaseNumber: "5/2026/VA", CaseCode: "VKS-HNI-KV01-2026-TB-000009", CaseUnitID: 27, CaseUnitCode: "VKS-HNI-KV01", IssuerUnitCode: "VKS-HNI",
		AddresseeUnitCode: "VKS-HNI-KV01", AddresseeName: "Bùi Văn Nam"}
	var out []schemaSample
	var items []instructionJSON
	for _, st := range domain.InstructionStatuses {
		x := in
		x.Status = st
		if st != domain.InstrOpen {
			x.Response, x.RespondedBy, x.RespondedAt = "Đã lấy lời khai bị hại.", "0195a0f0-1111-7222-8333-444455556667", &now
			x.AddresseeUserID, x.AddresseeName = "", ""
		}
		if st == domain.InstrClosed || st == domain.InstrCancelled {
			x.Note, x.ClosedAt, x.Reopened = "Chấp nhận báo cáo.", &now, 1
		}
		for _, at := range []time.Time{now, now.AddDate(0, 0, 10)} {
			items = append(items, toInstructionJSON(x, at))
			out = append(out, schemaSample{"Instruction", toInstructionJSON(x, at)})
		}
	}
	out = append(out, schemaSample{"InstructionList", gin.H{"items": items, "total": int64(len(items))}},
		schemaSample{"InstructionList", gin.H{"items": []instructionJSON{}, "total": int64(0)}})

	fr := domain.FileRequest{ID: "0195e1a2-0002-7000-8000-0000000000b1", CaseID: in.CaseID, RequesterUnitID: 4, CaseUnitID: 27,
		Reason: "Kiểm tra việc áp dụng biện pháp tạm giam.", DueOn: due, Status: domain.FileReqPending, RequestedBy: in.CreatedBy, CreatedAt: now,
		UpdatedAt: now, Version: 1, CaseNumber: in.CaseNumber, CaseCode: in.CaseCode, CaseUnitCode: "VKS-HNI-KV01", RequesterUnitCode: "VKS-HNI"}
	var frs []fileRequestJSON
	for _, st := range domain.FileRequestStatuses {
		x := fr
		x.Status = st
		if st != domain.FileReqPending {
			x.AnswerNote, x.AnsweredBy, x.AnsweredAt, x.Version = "Hồ sơ đang được Tòa án thụ lý.", "0195a0f0-1111-7222-8333-444455556668", &now, 2
		}
		frs = append(frs, toFileRequestJSON(x, now.AddDate(0, 0, 10)))
		out = append(out, schemaSample{"FileRequest", toFileRequestJSON(x, now)})
	}
	out = append(out, schemaSample{"FileRequestList", gin.H{"items": frs, "total": int64(len(frs))}},
		schemaSample{"PublicInterest", publicInterestJSON{CaseID: in.CaseID, PublicInterest: true, Version: 5, UpdatedAt: ictInstant(now)}})

	unit := int64(4)
	subs := []domain.Subscription{
		{ID: "0195e1a2-0003-7000-8000-0000000000c1", Name: "Án rất nghiêm trọng trở lên", UnitID: &unit, IncludeSubunits: true,
			MinClass: domain.ClassVerySerious, CreatedAt: now},
		{ID: "0195e1a2-0003-7000-8000-0000000000c2", DetentionOverDays: 60, PublicInterest: true, IncludeSubunits: true, CreatedAt: now},
	}
	var sj []subscriptionJSON
	for _, sub := range subs {
		sj = append(sj, toSubscriptionJSON(sub))
		out = append(out, schemaSample{"Subscription", toSubscriptionJSON(sub)})
	}
	matches := []subscriptionCaseJSON{
		toSubscriptionCaseJSON(domain.SubscriptionMatch{CaseID: in.CaseID, Number: in.CaseNumber, Code: in.CaseCode, UnitID: 27, UnitCode: "VKS-HNI-KV01",
			Stage: domain.StageInvestigation, ReceivedAt: now, Class: domain.ClassSerious, DetentionDays: 74}),
		toSubscriptionCaseJSON(domain.SubscriptionMatch{CaseID: in.CaseID, Number: "12/2026/TB", Code: "VKS-HNI-KV01-2026-TB-000012", UnitID: 27,
			UnitCode: "VKS-HNI-KV01", Stage: domain.StageReportResolution, ReceivedAt: now, PublicInterest: true}),
	}
	for _, m := range matches {
		out = append(out, schemaSample{"SubscriptionCase", m})
	}
	return append(out, schemaSample{"SubscriptionList", gin.H{"items": sj, "total": int64(len(sj))}},
		schemaSample{"SubscriptionCaseList", gin.H{"items": matches, "total": int64(len(matches))}})
}
