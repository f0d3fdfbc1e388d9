package service

import (
	"context"
	"fmt"
	"io"

	"kiemsat/domain"
)

// Reading the text of uploaded documents, so the search finds what they say (văn bản trong hồ sơ).

// TextExtractor reads the text of a file: it answers the text and a status, "extracted", "empty"
// (no text layer: a scan), "unsupported" (a format it does not read) or "failed" (with err).
type TextExtractor interface {
	Extract(ctx context.Context, contentType, fileName string, r io.Reader) (text, status string, err error)
}

// TextStore keeps document texts and lists the versions still to read.
type TextStore interface {
	PendingTexts(ctx context.Context, limit int) ([]domain.PendingText, error)
	SaveDocumentText(ctx context.Context, t domain.DocumentText) error
}

// ExtractTexts reads the text of up to limit document versions not read yet and keeps it; every
// version gets a row, so a file that cannot be read is not tried again, and its title stays
// searchable. It returns how many versions it read. The binary runs it on a timer beside the
// sweeper; tests call it directly.
func (s *Files) ExtractTexts(ctx context.Context, limit int) (int, error) {
	if s.texts == nil {
		return 0, nil
	}
	pending, err := s.texts.PendingTexts(ctx, limit)
	if err != nil {
		return 0, err
	}
	for _, p := range pending {
		t := domain.DocumentText{VersionID: p.VersionID, DocumentID: p.DocumentID, CaseID: p.CaseID, Status: "unsupported", At: s.clock.Now()}
		if s.extractor != nil {
			t.Body, t.Status, err = s.extract(ctx, p)
			if err != nil {
				if ctx.Err() != nil {
					return 0, ctx.Err()
				}
				t.Status, t.Detail, t.Body = "failed", truncate(err.Error(), 500), ""
			}
		}
		if err := s.texts.SaveDocumentText(ctx, t); err != nil {
			return 0, err
		}
	}
	return len(pending), nil
}

func (s *Files) extract(ctx context.Context, p domain.PendingText) (string, string, error) {
	rc, _, err := s.objects.Get(ctx, p.ObjectKey, 0, 0)
	if err != nil {
		return "", "", fmt.Errorf("open %s: %w", p.ObjectKey, err)
	}
	defer rc.Close()
	return s.extractor.Extract(ctx, p.ContentType, p.FileName, rc)
}
