package api

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// fileSamples are the case-file DTOs as the handlers build them: a document in force with two
// versions, a withdrawn one tied to a decision, their list, the signed manifest and a link.
func fileSamples(t *testing.T, now time.Time) []schemaSample {
	t.Helper()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, domain.ICT)
	v1 := domain.DocumentVersion{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5a01", DocumentID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5a00", N: 1,
		ObjectKey: "cases/x/y/z", Size: 48213, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: "application/pdf",
		FileName: "bien-ban.pdf", UploadedBy: "0195a0f0-1111-7222-8333-444455556666", UploadedAt: now}
	v2 := v1
	v2.ID, v2.N, v2.Note, v2.UploadedAt = "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5a02", 2, "Bản quét rõ hơn", now.Add(time.Hour)
	inForce := domain.Document{ID: v1.DocumentID, CaseID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", Seq: 1, Section: domain.SectionInvestigation,
		Volume: 1, Title: "Biên bản khám nghiệm hiện trường", DocType: "biên bản", Number: "12/BB", Date: &day, Classification: domain.ClassNormal,
		CreatedBy: v1.UploadedBy, CreatedAt: now, CurrentVersion: 2, RowVersion: 2, Versions: []domain.DocumentVersion{v1, v2}}
	at := now.Add(2 * time.Hour)
	withdrawn := domain.Document{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5b00", CaseID: inForce.CaseID, Seq: 2, Section: domain.SectionDecisions, Volume: 1,
		Title: "Quyết định khởi tố vụ án", DecisionID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5c00", Classification: domain.ClassSecret,
		CreatedBy: v1.UploadedBy, CreatedAt: now, CurrentVersion: 1, WithdrawnAt: &at, WithdrawnBy: v1.UploadedBy, WithdrawReason: "Nhầm hồ sơ",
		RowVersion: 2, Versions: []domain.DocumentVersion{{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5b01", DocumentID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f5b00",
			N: 1, Size: 0, SHA256: v1.SHA256, ContentType: "image/jpeg", UploadedBy: v1.UploadedBy, UploadedAt: now}}}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cs := &domain.Case{ID: inForce.CaseID, Code: "VKS-HNI-KV01-2026-VA-000012", Number: "12/2026/VA", UnitID: 27}
	docs := []domain.Document{inForce, withdrawn}
	var out []schemaSample
	for _, all := range []bool{false, true} {
		sm, err := service.NewManifestSigner(key).Sign(v1.UploadedBy, cs, docs, all, now)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, schemaSample{"FileManifest", toFileManifestJSON(sm)})
	}
	return append(out,
		schemaSample{"Document", toDocumentJSON(inForce)},
		schemaSample{"Document", toDocumentJSON(withdrawn)},
		schemaSample{"DocumentList", documentListJSON{CaseID: cs.ID, Items: []documentJSON{toDocumentJSON(inForce), toDocumentJSON(withdrawn)}, Total: 2}},
		schemaSample{"FileLink", fileLinkJSON{URL: "http://127.0.0.1:9000/kiemsat-files/cases/x?X-Amz-Signature=ab", ExpiresAt: now.Format(time.RFC3339)}},
	)
}
