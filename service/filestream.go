package service

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"kiemsat/domain"
)

// AllowedFileTypes are the content types a case file may have, judged from its bytes, never from
// the name or the header the client sends: scans and documents the procuracy keeps. Anything else
// (an executable, an archive that could hide one) is refused.
var AllowedFileTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/tiff", "image/gif", "image/webp",
	"text/plain", "audio/mpeg", "audio/wave", "video/mp4", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/msword", "application/vnd.oasis.opendocument.text"}

// StoredFile is what storing a stream produced: the bytes' size, SHA-256 and the content type read
// from them.
type StoredFile struct {
	Key         string
	Size        int64
	SHA256      string // hex
	ContentType string
}

// StoreStream stores a file's bytes under key while reading them once: the content type is judged
// from the first bytes before anything is stored (refused types store nothing), the SHA-256 and
// the size are computed on the way, and a file over limit bytes is refused with a 413 and its
// partial object removed. Only one buffer of the stream is ever in memory.
func StoreStream(ctx context.Context, store ObjectStore, key string, r io.Reader, limit int64) (StoredFile, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return StoredFile{}, fmt.Errorf("read the upload: %w", err)
	}
	if len(head) == 0 {
		return StoredFile{}, invalidFile("empty", "tệp rỗng")
	}
	ct := sniff(head)
	if !slices.Contains(AllowedFileTypes, ct) {
		return StoredFile{}, invalidFile("type", fmt.Sprintf("loại tệp %s không được phép; cho phép: PDF, ảnh, văn bản, âm thanh, video", ct))
	}
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(io.LimitReader(br, limit+1), h), h: h}
	// Most case files are scans of a few hundred kilobytes: the first MiB is read into a pooled
	// buffer, and a file that ends within it is stored with its length known (one request, no
	// part buffers); a longer one streams on from there.
	buf := smallFiles.Get().(*[]byte)
	defer smallFiles.Put(buf)
	n, err := io.ReadFull(counted, *buf)
	var body io.Reader = bytes.NewReader((*buf)[:n])
	size := int64(n)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
	case err != nil:
		return StoredFile{}, fmt.Errorf("read the upload: %w", err)
	default:
		body, size = io.MultiReader(body, counted), -1
	}
	info, err := store.Put(ctx, key, body, size, ct)
	if err != nil {
		return StoredFile{}, err
	}
	if counted.n > limit || info.Size > limit {
		// The object is removed before answering: a refused upload leaves nothing behind.
		if derr := store.Delete(context.WithoutCancel(ctx), key); derr != nil {
			return StoredFile{}, fmt.Errorf("remove an oversized upload: %w", derr)
		}
		return StoredFile{}, &domain.Error{Code: domain.CodePayloadTooLarge, Message: fmt.Sprintf("tệp vượt quá %d byte", limit),
			Details: []domain.Detail{{Field: "file", Rule: "max_size", Message: fmt.Sprintf("tối đa %d byte", limit)}}}
	}
	return StoredFile{Key: key, Size: info.Size, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: ct}, nil
}

// smallFiles are the buffers a file's first MiB is read into.
var smallFiles = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// sniff reads a content type from the first bytes (WHATWG sniffing, plus the Office formats it
// does not know), dropping parameters.
func sniff(head []byte) string {
	ct := http.DetectContentType(head)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if ct == "application/zip" && strings.Contains(string(head), "word/") {
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	return ct
}

type countingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func invalidFile(rule, msg string) error { return domain.Invalid("file", rule, msg) }
