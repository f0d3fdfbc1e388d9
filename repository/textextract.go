package repository

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// TextExtractor reads the text of uploaded documents for the search: PDFs through pdftotext
// (Debian's poppler-utils), plain text files directly. The Go PDF readers tried (rsc.io/pdf,
// github.com/ledongthuc/pdf) garbled Vietnamese set in a Unicode TrueType font (composed
// letters such as "ả", "ờ", "ạ" came out as other glyphs), while poppler reads them right, so the
// PDF side is an external program with a timeout. Scans without a text layer come out empty:
// OCR is not done here.
type TextExtractor struct {
	// PDFToText is the pdftotext program; empty when it is not installed (PDFs then count as
	// unsupported).
	PDFToText string
	Timeout   time.Duration
	// MaxBytes of a file are read; MaxRunes of text are kept (a text search vector holds at most
	// 1 MB).
	MaxBytes int64
	MaxRunes int
}

// NewTextExtractor finds pdftotext on PATH.
func NewTextExtractor() *TextExtractor {
	x := &TextExtractor{Timeout: 30 * time.Second, MaxBytes: 64 << 20, MaxRunes: 100_000}
	if p, err := exec.LookPath("pdftotext"); err == nil {
		x.PDFToText = p
	}
	return x
}

// Extract returns the text of a file and its status: extracted, empty, unsupported or failed.
func (x *TextExtractor) Extract(ctx context.Context, contentType, fileName string, r io.Reader) (string, string, error) {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	ext := strings.ToLower(filepath.Ext(fileName))
	var text string
	var err error
	switch {
	case ct == "application/pdf" || ext == ".pdf":
		if x.PDFToText == "" {
			return "", "unsupported", nil
		}
		text, err = x.pdf(ctx, r)
	case strings.HasPrefix(ct, "text/") || ext == ".txt" || ext == ".csv" || ext == ".md":
		text, err = x.plain(r)
	default:
		return "", "unsupported", nil
	}
	if err != nil {
		return "", "failed", err
	}
	text = strings.TrimSpace(strings.ToValidUTF8(text, ""))
	if text == "" {
		return "", "empty", nil
	}
	if utf8.RuneCountInString(text) > x.MaxRunes {
		text = string([]rune(text)[:x.MaxRunes])
	}
	return text, "extracted", nil
}

// plain reads a text file: UTF-8 (with or without a byte-order mark) or UTF-16 with one.
func (x *TextExtractor) plain(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, x.MaxBytes))
	if err != nil {
		return "", err
	}
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		out, _, err := transform.Bytes(unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder(), b)
		if err != nil {
			return "", fmt.Errorf("utf-16 text: %w", err)
		}
		b = out
	}
	return string(bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})), nil
}

// pdf copies the file to a temporary file and runs pdftotext on it.
func (x *TextExtractor) pdf(ctx context.Context, r io.Reader) (string, error) {
	f, err := os.CreateTemp("", "kiemsat-extract-*.pdf")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, io.LimitReader(r, x.MaxBytes)); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, x.Timeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, x.PDFToText, "-enc", "UTF-8", "-q", f.Name(), "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("pdftotext: timed out after %s", x.Timeout)
		}
		return "", fmt.Errorf("pdftotext: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.String(), nil
}
