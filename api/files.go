package api

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- the digital case file (hồ sơ vụ án): documents, versions, downloads, manifest, export ---

type documentVersionJSON struct {
	N           int    `json:"n"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	FileName    string `json:"file_name"`
	Note        string `json:"note"`
	UploadedBy  string `json:"uploaded_by"`
	UploadedAt  string `json:"uploaded_at"`
}

type documentJSON struct {
	ID             string                `json:"id"`
	CaseID         string                `json:"case_id"`
	Seq            int                   `json:"seq"`
	Section        string                `json:"section"`
	Volume         int                   `json:"volume"`
	Title          string                `json:"title"`
	DocType        string                `json:"doc_type"`
	Number         string                `json:"number"`
	Date           *string               `json:"date"`
	DecisionID     *string               `json:"decision_id"`
	Classification string                `json:"classification"`
	CreatedBy      string                `json:"created_by"`
	CreatedAt      string                `json:"created_at"`
	CurrentVersion int                   `json:"current_version"`
	Withdrawn      bool                  `json:"withdrawn"`
	WithdrawnAt    *string               `json:"withdrawn_at"`
	WithdrawnBy    *string               `json:"withdrawn_by"`
	WithdrawReason *string               `json:"withdraw_reason"`
	Version        int                   `json:"version"`
	Versions       []documentVersionJSON `json:"versions"`
}

func toDocumentJSON(d domain.Document) documentJSON {
	out := documentJSON{ID: d.ID, CaseID: d.CaseID, Seq: d.Seq, Section: string(d.Section), Volume: d.Volume, Title: d.Title, DocType: d.DocType,
		Number: d.Number, Date: optDateString(d.Date), DecisionID: nonEmpty(d.DecisionID), Classification: string(d.Classification),
		CreatedBy: d.CreatedBy, CreatedAt: ictInstant(d.CreatedAt), CurrentVersion: d.CurrentVersion, Withdrawn: d.Withdrawn(),
		WithdrawnAt: optInstant(d.WithdrawnAt), WithdrawnBy: nonEmpty(d.WithdrawnBy), WithdrawReason: nonEmpty(d.WithdrawReason),
		Version: d.RowVersion, Versions: make([]documentVersionJSON, len(d.Versions))}
	for i, v := range d.Versions {
		out.Versions[i] = documentVersionJSON{N: v.N, Size: v.Size, SHA256: v.SHA256, ContentType: v.ContentType, FileName: v.FileName,
			Note: v.Note, UploadedBy: v.UploadedBy, UploadedAt: ictInstant(v.UploadedAt)}
	}
	return out
}

type documentListJSON struct {
	CaseID string         `json:"case_id"`
	Items  []documentJSON `json:"items"`
	Total  int            `json:"total"`
}

type fileLinkJSON struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
}

// fileManifestJSON is the signed manifest: the manifest as JSON for reading, and its exact signed
// bytes with the signature and key for checking.
type fileManifestJSON struct {
	Manifest       service.Manifest `json:"manifest"`
	ManifestBase64 string           `json:"manifest_base64"`
	Signature      string           `json:"signature"`
	Algorithm      string           `json:"algorithm"`
	KeyID          string           `json:"key_id"`
	PublicKey      string           `json:"public_key"`
}

func toFileManifestJSON(sm service.SignedManifest) fileManifestJSON {
	return fileManifestJSON{Manifest: sm.Manifest, ManifestBase64: base64.StdEncoding.EncodeToString(sm.Bytes),
		Signature: base64.StdEncoding.EncodeToString(sm.Signature), Algorithm: "Ed25519", KeyID: sm.KeyID,
		PublicKey: base64.StdEncoding.EncodeToString(sm.PublicKey)}
}

// files returns the case-file use cases, or answers 503 when the platform runs without storage.
func (s *Server) files(c *gin.Context) *service.Files {
	if s.Files == nil {
		s.fail(c, domain.Errorf(domain.CodeUnavailable, "kho lưu trữ hồ sơ chưa được cấu hình"))
		return nil
	}
	return s.Files
}

// uploadFields are the form fields an upload may carry before its file part.
var uploadFields = map[string]bool{"section": true, "volume": true, "title": true, "doc_type": true, "number": true, "date": true,
	"decision_id": true, "classification": true, "note": true}

// readUploadForm reads a multipart/form-data body up to its "file" part: the fields before it
// (each at most 8 KiB, names from allowed) and the file part itself, left unread so that the
// service streams it. The file must be the last part.
func readUploadForm(c *gin.Context, allowed map[string]bool) (map[string]string, *multipart.Part, error) {
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, &domain.Error{Code: domain.CodeBadRequest, Message: "Content-Type phải là multipart/form-data",
			Details: []domain.Detail{{Rule: "content_type"}}}
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) && len(fields) == 0 {
			// Not one part: a body that is not the multipart form it claims to be.
			return nil, nil, &domain.Error{Code: domain.CodeBadRequest, Message: "nội dung không phải biểu mẫu multipart có phần tệp",
				Details: []domain.Detail{{Field: "file", Rule: "syntax"}}}
		}
		if errors.Is(err, io.EOF) {
			return nil, nil, domain.Invalid("file", "required", "thiếu phần tệp (file)")
		}
		if err != nil {
			return nil, nil, bodyReadError(err)
		}
		name := part.FormName()
		if name == "file" {
			return fields, part, nil
		}
		if !allowed[name] {
			return nil, nil, badRequest("trường không được hỗ trợ: "+name, name)
		}
		if _, dup := fields[name]; dup {
			return nil, nil, badRequest("trường "+name+" xuất hiện hai lần", name)
		}
		b, err := io.ReadAll(io.LimitReader(part, 8<<10+1))
		if err != nil {
			return nil, nil, bodyReadError(err)
		}
		if len(b) > 8<<10 {
			return nil, nil, badRequest("trường "+name+" quá dài", name)
		}
		fields[name] = string(b)
	}
}

// bodyReadError classifies a failure to read the request body: over the limit, or cut short.
func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &domain.Error{Code: domain.CodePayloadTooLarge, Message: "nội dung yêu cầu vượt quá giới hạn " + strconv.FormatInt(mbe.Limit, 10) + " byte",
			Details: []domain.Detail{{Field: "file", Rule: "max_size"}}}
	}
	return &domain.Error{Code: domain.CodeBadRequest, Message: "nội dung tải lên bị gián đoạn hoặc không đúng định dạng multipart", Err: err,
		Details: []domain.Detail{{Field: "file", Rule: "syntax"}}}
}

// watchedReader remembers the first error reading the upload, so that a failure of the client (the
// body cut short, over the limit) is told apart from a failure of the store.
type watchedReader struct {
	r   io.Reader
	err error
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && w.err == nil {
		w.err = err
	}
	return n, err
}

// uploadError prefers the client's reading error over what the store made of it.
func uploadError(err error, body *watchedReader) error {
	if body.err != nil {
		return bodyReadError(body.err)
	}
	return err
}

// uploadFile answers POST /cases/{id}/files: a multipart form with the document's description
// and its file, streamed to storage.
func (s *Server) uploadFile(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	s.longTransfer(c)
	fields, part, err := readUploadForm(c, uploadFields)
	if err != nil {
		s.fail(c, err)
		return
	}
	var v domain.Validation
	in := service.UploadInput{FileName: part.FileName(), Note: fields["note"], Document: domain.DocumentInput{Section: domain.Section(fields["section"]),
		Title: fields["title"], DocType: fields["doc_type"], Number: fields["number"], DecisionID: fields["decision_id"],
		Classification: domain.Classification(fields["classification"])}}
	if vol, ok := fields["volume"]; ok {
		n, err := strconv.Atoi(vol)
		if err != nil {
			v.Add("volume", "format", "tập phải là số nguyên")
		}
		in.Document.Volume = n
	}
	if d := parseDate(&v, "date", fields["date"]); !d.IsZero() {
		in.Document.Date = &d
	}
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	body := &watchedReader{r: part}
	doc, err := files.Upload(c.Request.Context(), principal(c), c.Param("id"), in, body)
	if err != nil {
		s.fail(c, uploadError(err, body))
		return
	}
	c.Header("Location", "/api/v1/files/"+doc.ID)
	c.JSON(http.StatusCreated, toDocumentJSON(doc))
}

// addFileVersion answers POST /files/{id}/versions: a new version of a document.
func (s *Server) addFileVersion(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	s.longTransfer(c)
	fields, part, err := readUploadForm(c, map[string]bool{"note": true})
	if err != nil {
		s.fail(c, err)
		return
	}
	body := &watchedReader{r: part}
	doc, err := files.AddVersion(c.Request.Context(), principal(c), c.Param("id"), service.VersionInput{FileName: part.FileName(), Note: fields["note"]}, body)
	if err != nil {
		s.fail(c, uploadError(err, body))
		return
	}
	c.JSON(http.StatusCreated, toDocumentJSON(doc))
}

type withdrawJSON struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// withdrawFile answers POST /files/{id}/withdraw: the document leaves the case file, on the record.
func (s *Server) withdrawFile(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	var in withdrawJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	doc, err := files.Withdraw(c.Request.Context(), principal(c), c.Param("id"), in.Reason, in.Version)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toDocumentJSON(doc))
}

// listFiles answers GET /cases/{id}/files: the case file in filing order.
func (s *Server) listFiles(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	all, err := queryBool(c, "include_withdrawn", false)
	if err != nil {
		s.fail(c, err)
		return
	}
	docs, err := files.List(c.Request.Context(), principal(c), c.Param("id"), all)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]documentJSON, len(docs))
	for i, d := range docs {
		items[i] = toDocumentJSON(d)
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, documentListJSON{CaseID: c.Param("id"), Items: items, Total: len(items)})
}

// getFile answers GET /files/{id}: a document with every version.
func (s *Server) getFile(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	doc, err := files.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toDocumentJSON(doc))
}

func versionParam(c *gin.Context) (int, error) {
	n, err := queryInt(c, "version", 0)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// attachment is a Content-Disposition header for a file name of ASCII letters, digits and -._.
func attachment(name string) string {
	return `attachment; filename="` + name + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// downloadFile answers GET /files/{id}/content: the bytes of a version (the current one unless
// ?version=N), with Range support, its SHA-256 in X-Content-SHA256 and Repr-Digest, audited.
func (s *Server) downloadFile(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	s.longTransfer(c)
	n, err := versionParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	dl, err := files.Open(c.Request.Context(), principal(c), c.Param("id"), n, c.GetHeader("Range"))
	if err != nil {
		s.fail(c, err)
		return
	}
	defer dl.Content.Close()
	// Checked before the first byte goes out, so a store that is down or an object that is gone
	// is a clean error and not a cut-off download.
	if err := dl.Content.Check(); err != nil {
		s.fail(c, err)
		return
	}
	v := dl.Version
	sum, _ := hex.DecodeString(v.SHA256)
	h := c.Writer.Header()
	h.Set("Content-Type", v.ContentType)
	h.Set("X-Content-SHA256", v.SHA256)
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	h.Set("ETag", `"`+v.SHA256+`"`)
	h.Set("Content-Disposition", attachment(service.DownloadName(dl.Document, v)))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	if c.GetHeader("Range") != "" || c.GetHeader("If-None-Match") != "" || c.GetHeader("If-Modified-Since") != "" || c.Request.Method != http.MethodGet {
		// Ranges and conditional requests: the standard library's rules, fetching only the
		// ranges asked for.
		http.ServeContent(c.Writer, c.Request, "", v.UploadedAt, dl.Content)
		return
	}
	// The whole version: copied in large blocks, which moves a big scan with fewer system calls
	// than ServeContent's 32 KiB.
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	h.Set("Last-Modified", v.UploadedAt.UTC().Format(http.TimeFormat))
	c.Status(http.StatusOK)
	buf := make([]byte, 256<<10)
	if _, err := io.CopyBuffer(writerOnly{c.Writer}, readerOnly{dl.Content}, buf); err != nil {
		s.log.WarnContext(c.Request.Context(), "download cut short", "request_id", requestID(c), "document_id", dl.Document.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// writerOnly and readerOnly hide ReadFrom and WriteTo, so io.CopyBuffer uses its buffer.
type writerOnly struct{ io.Writer }
type readerOnly struct{ io.Reader }

// fileLink answers GET /files/{id}/link: a short-lived presigned URL to the object itself.
func (s *Server) fileLink(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	n, err := versionParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	u, exp, err := files.Link(c.Request.Context(), principal(c), c.Param("id"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, fileLinkJSON{URL: u, ExpiresAt: exp.In(service.VietnamTime).Format(time.RFC3339)})
}

// fileManifest answers GET /cases/{id}/files/manifest: every version with its hash, signed.
func (s *Server) fileManifest(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	sm, err := files.Manifest(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toFileManifestJSON(sm))
}

// exportFiles answers GET /cases/{id}/files/export: the case file as a ZIP with its signed
// manifest, streamed. An error after the first byte aborts the connection, so a client never takes
// a cut-off ZIP for a whole one.
func (s *Server) exportFiles(c *gin.Context) {
	files := s.files(c)
	if files == nil {
		return
	}
	s.longTransfer(c)
	all, err := queryBool(c, "all_versions", false)
	if err != nil {
		s.fail(c, err)
		return
	}
	ex, err := files.Export(c.Request.Context(), principal(c), c.Param("id"), all)
	if err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", attachment(ex.FileName))
	h.Set("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if _, err := ex.WriteTo(c.Writer); err != nil {
		s.log.ErrorContext(c.Request.Context(), "export aborted", "request_id", requestID(c), "case_id", c.Param("id"), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// longTransfer lifts the server's short read and write deadlines for one file transfer: a 2 GiB
// scan over a slow link takes far longer than an ordinary request may.
func (s *Server) longTransfer(c *gin.Context) {
	rc := http.NewResponseController(c.Writer)
	dl := time.Now().Add(s.TransferTimeout)
	// A writer without deadlines (a test recorder) has nothing to lift.
	_ = rc.SetReadDeadline(dl)
	_ = rc.SetWriteDeadline(dl)
}

// uploadLimit is the body limit of the upload routes: the largest file plus room for the form.
func (s *Server) uploadLimit() int64 {
	if s.Files == nil {
		return 0
	}
	return s.Files.MaxSize() + 1<<20
}
