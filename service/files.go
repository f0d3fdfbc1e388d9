package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"kiemsat/domain"
)

// FileStore keeps the case file's documents and versions (hồ sơ vụ án) and the uploads in flight.
// Document and version rows are never deleted.
type FileStore interface {
	// StartUpload records an upload in flight before its object is stored, committed at once.
	StartUpload(ctx context.Context, key, caseID string, at time.Time) error
	// FinishUpload forgets an upload in flight: in the transaction that commits its version, or
	// once its object is removed.
	FinishUpload(ctx context.Context, key string) error
	// StaleUploads returns the keys of uploads started before before and never finished.
	StaleUploads(ctx context.Context, before time.Time, limit int) ([]string, error)
	// InsertDocument files a document with the case's next number (set on d); the caller holds
	// the case row.
	InsertDocument(ctx context.Context, d *domain.Document) error
	InsertDocumentVersion(ctx context.Context, v domain.DocumentVersion) error
	// GetDocument loads a document with its versions, locking its row when lock is set.
	GetDocument(ctx context.Context, id string, lock bool) (domain.Document, error)
	// ListDocuments returns a case file's documents in filing order with their versions.
	ListDocuments(ctx context.Context, caseID string, includeWithdrawn bool) ([]domain.Document, error)
	// SetCurrentVersion and WithdrawDocument change a document still at rowVersion; otherwise
	// they are a conflict.
	SetCurrentVersion(ctx context.Context, id string, n, rowVersion int) error
	WithdrawDocument(ctx context.Context, id, by, reason string, at time.Time, rowVersion int) error
	// VersionsAfter pages through every version (of one case when caseID is set) by object key.
	VersionsAfter(ctx context.Context, caseID, afterKey string, limit int) ([]StoredVersion, error)
	// KnownObjectKeys returns which of keys a version row points at.
	KnownObjectKeys(ctx context.Context, keys []string) (map[string]bool, error)
}

// StoredVersion is a version with the case it belongs to, for the integrity check.
type StoredVersion struct {
	CaseID  string
	Version domain.DocumentVersion
}

// FilesConfig is what the case-file use cases need besides their stores.
type FilesConfig struct {
	// MaxSize is the largest file accepted, in bytes (KIEMSAT_MAX_FILE_SIZE, default 2 GiB).
	MaxSize int64
	// Grace is how long an unfinished upload's object is left alone before the sweeper removes it
	// (KIEMSAT_UPLOAD_GRACE, default 24h): longer than any upload can take.
	Grace time.Duration
	// Signer signs manifests; nil refuses manifests and exports.
	Signer *ManifestSigner
	// LinkTTL is how long a presigned download link lives (default 5 minutes).
	LinkTTL time.Duration
	Log     *slog.Logger
}

// DefaultMaxFileSize is the largest case file accepted unless configured otherwise.
const DefaultMaxFileSize int64 = 2 << 30

// Files are the use cases of the digital case file: filing documents, new versions, withdrawal,
// reading, downloading, the signed manifest, the export and the integrity checks.
type Files struct {
	tx      TxRunner
	cases   CaseStore
	proc    ProcedureStore
	files   FileStore
	objects ObjectStore
	authz   *Authz
	audit   Auditor
	clock   Clock
	cfg     FilesConfig
	// texts and extractor read uploaded documents' text for the search (extract.go).
	texts     TextStore
	extractor TextExtractor
}

// NewFiles wires the case-file use cases.
func NewFiles(tx TxRunner, cases CaseStore, proc ProcedureStore, files FileStore, objects ObjectStore, authz *Authz, audit Auditor, clock Clock, cfg FilesConfig) *Files {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxFileSize
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 24 * time.Hour
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 5 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Files{tx: tx, cases: cases, proc: proc, files: files, objects: objects, authz: authz, audit: audit, clock: clock, cfg: cfg}
}

// MaxSize is the largest file accepted, so the API can refuse a larger body before reading it.
func (s *Files) MaxSize() int64 { return s.cfg.MaxSize }

// UploadInput describes a new document and its first version.
type UploadInput struct {
	Document domain.DocumentInput
	FileName string
	Note     string
}

// VersionInput describes a new version of a document.
type VersionInput struct {
	FileName string
	Note     string
}

// objectKey is where a version's bytes live: ids only, so a key never reveals a name.
func objectKey(caseID, docID, versionID string) string {
	return "cases/" + caseID + "/" + docID + "/" + versionID
}

func validateText(field, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return domain.Invalid(field, "required", "bắt buộc")
	}
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		return domain.Invalid(field, "format", "không phải văn bản UTF-8 hợp lệ")
	}
	if utf8.RuneCountInString(v) > max {
		return domain.Invalid(field, "max_length", fmt.Sprintf("tối đa %d ký tự", max))
	}
	return nil
}

// ValidateDocument checks a new document's description before any byte is stored.
func ValidateDocument(in UploadInput) error {
	d := in.Document
	var errs []domain.Detail
	add := func(err error) {
		if de, ok := domain.AsError(err); ok {
			errs = append(errs, de.Details...)
		}
	}
	if !d.Section.Valid() {
		errs = append(errs, domain.Detail{Field: "section", Rule: "enum", Message: "phần hồ sơ không hợp lệ"})
	}
	if !d.Classification.Valid() {
		errs = append(errs, domain.Detail{Field: "classification", Rule: "enum", Message: "độ mật phải là normal, confidential hoặc secret"})
	}
	if d.Volume < 1 || d.Volume > 999 {
		errs = append(errs, domain.Detail{Field: "volume", Rule: "range", Message: "tập từ 1 đến 999"})
	}
	add(validateText("title", d.Title, 500, true))
	add(validateText("doc_type", d.DocType, 100, false))
	add(validateText("number", d.Number, 100, false))
	add(validateText("file_name", in.FileName, 255, false))
	add(validateText("note", in.Note, 2000, false))
	if d.DecisionID != "" && !validUUID(d.DecisionID) {
		errs = append(errs, domain.Detail{Field: "decision_id", Rule: "format", Message: "mã quyết định không hợp lệ"})
	}
	if len(errs) > 0 {
		return &domain.Error{Code: domain.CodeInvalid, Message: "thông tin tài liệu không hợp lệ", Details: errs}
	}
	return nil
}

// caseAccess loads a case and checks that the caller may take act on it: a caller who may not read
// it gets not found, one who may read but not act gets forbidden; refusals are audited.
func (s *Files) caseAccess(ctx context.Context, p *Principal, caseID string, act domain.Action, auditAction string) (*domain.Case, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	cs, err := s.cases.GetCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	ref := cs.Ref(p.User.ID)
	if s.authz.Scope(p, act).PermitsCase(ref) {
		return cs, nil
	}
	if err := recordDenied(ctx, s.audit, p.audit(s.clock.Now(), auditAction, "case", cs.ID, cs.UnitID, domain.OutcomeDenied, "")); err != nil {
		return nil, err
	}
	if act != domain.ActCaseRead && s.authz.Scope(p, domain.ActCaseRead).PermitsCase(ref) {
		return nil, domain.Errorf(domain.CodeForbidden, "không có quyền thực hiện thao tác này với hồ sơ")
	}
	return nil, domain.NotFound("hồ sơ")
}

// mayReadClass reports whether the caller, who may read the case, may read its documents of class c:
// confidential ones need the case's team or a chief over its unit; secret ones the team or a chief
// of its own unit.
func (s *Files) mayReadClass(p *Principal, cs *domain.Case, c domain.Classification) bool {
	if c == domain.ClassNormal {
		return true
	}
	if cs.Ref(p.User.ID).OnTeam {
		return true
	}
	switch c {
	case domain.ClassConfidential:
		return s.authz.Scope(p, domain.ActFileReadConfidential).PermitsUnit(cs.UnitID, cs.UnitPath) ||
			s.authz.Scope(p, domain.ActCaseReadSecret).PermitsUnit(cs.UnitID, cs.UnitPath)
	case domain.ClassSecret:
		return s.authz.Scope(p, domain.ActCaseReadSecret).PermitsUnit(cs.UnitID, cs.UnitPath)
	}
	return false
}

// documentAccess loads a document and its case and checks the caller may take act on the case and
// read the document's class. A document the caller may not see is not found, like one that does
// not exist.
func (s *Files) documentAccess(ctx context.Context, p *Principal, docID string, act domain.Action, auditAction string) (domain.Document, *domain.Case, error) {
	if !validUUID(docID) {
		return domain.Document{}, nil, domain.NotFound("tài liệu")
	}
	doc, err := s.files.GetDocument(ctx, docID, false)
	if err != nil {
		return domain.Document{}, nil, err
	}
	cs, err := s.caseAccess(ctx, p, doc.CaseID, domain.ActCaseRead, auditAction)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Document{}, nil, domain.NotFound("tài liệu")
	} else if err != nil {
		return domain.Document{}, nil, err
	}
	if !s.mayReadClass(p, cs, doc.Classification) {
		if err := recordDenied(ctx, s.audit, p.audit(s.clock.Now(), auditAction, "document", doc.ID, cs.UnitID, domain.OutcomeDenied,
			`{"reason":"classification"}`)); err != nil {
			return domain.Document{}, nil, err
		}
		return domain.Document{}, nil, domain.NotFound("tài liệu")
	}
	if act != domain.ActCaseRead {
		if _, err := s.caseAccess(ctx, p, doc.CaseID, act, auditAction); err != nil {
			return domain.Document{}, nil, err
		}
	}
	return doc, cs, nil
}

// storeObject stores a version's bytes under a new key, with the upload recorded in flight first.
// On failure nothing is left but, at worst, the in-flight record for the sweeper.
func (s *Files) storeObject(ctx context.Context, caseID, key string, body io.Reader) (StoredFile, error) {
	if err := s.files.StartUpload(ctx, key, caseID, s.clock.Now()); err != nil {
		return StoredFile{}, err
	}
	stored, err := StoreStream(ctx, s.objects, key, body, s.cfg.MaxSize)
	if err != nil {
		s.abandon(ctx, key)
		return StoredFile{}, err
	}
	return stored, nil
}

// commitUpload commits, in one transaction, the rows that point at a stored object and the end of
// its upload's record in flight; when that fails, the object is abandoned.
func (s *Files) commitUpload(ctx context.Context, key string, rows func(ctx context.Context) error) error {
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := rows(ctx); err != nil {
			return err
		}
		return s.files.FinishUpload(ctx, key)
	})
	if err != nil {
		s.abandon(ctx, key)
	}
	return err
}

// abandon removes the object of an upload that will not be committed, then its in-flight record.
// When either fails (the store is down), the record stays and the sweeper finishes the job.
func (s *Files) abandon(ctx context.Context, key string) {
	ctx = context.WithoutCancel(ctx)
	if err := s.objects.Delete(ctx, key); err != nil {
		s.cfg.Log.Warn("abandoned upload left for the sweeper", "key", key, "err", err)
		return
	}
	if err := s.files.FinishUpload(ctx, key); err != nil {
		s.cfg.Log.Warn("abandoned upload record left for the sweeper", "key", key, "err", err)
	}
}

// Upload files a new document in a case file with its first version, streaming the bytes from
// body: the description and the caller's rights are checked before any byte is stored; the object
// is stored first and the rows that point at it are committed after, with the audit row.
func (s *Files) Upload(ctx context.Context, p *Principal, caseID string, in UploadInput, body io.Reader) (domain.Document, error) {
	if in.Document.Volume == 0 {
		in.Document.Volume = 1
	}
	if in.Document.Classification == "" {
		in.Document.Classification = domain.ClassNormal
	}
	cs, err := s.caseAccess(ctx, p, caseID, domain.ActCaseUpdate, "file.upload")
	if err != nil {
		return domain.Document{}, err
	}
	if err := ValidateDocument(in); err != nil {
		return domain.Document{}, err
	}
	if !s.mayReadClass(p, cs, in.Document.Classification) {
		return domain.Document{}, &domain.Error{Code: domain.CodeForbidden, Message: "không được lưu tài liệu có độ mật cao hơn quyền đọc của mình",
			Details: []domain.Detail{{Field: "classification", Rule: "clearance"}}}
	}
	if in.Document.DecisionID != "" {
		d, err := s.proc.GetDecision(ctx, in.Document.DecisionID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound || (err == nil && d.CaseID != cs.ID) {
			return domain.Document{}, domain.Invalid("decision_id", "exists", "quyết định không thuộc hồ sơ này")
		} else if err != nil {
			return domain.Document{}, err
		}
	}
	docID, verID := mustUUIDv7(), mustUUIDv7()
	key := objectKey(cs.ID, docID, verID)
	stored, err := s.storeObject(ctx, cs.ID, key, body)
	if err != nil {
		return domain.Document{}, err
	}
	now := s.clock.Now()
	d := in.Document
	doc := domain.Document{ID: docID, CaseID: cs.ID, Section: d.Section, Volume: d.Volume, Title: strings.TrimSpace(d.Title), DocType: d.DocType,
		Number: d.Number, Date: d.Date, DecisionID: d.DecisionID, Classification: d.Classification, CreatedBy: p.User.ID, CreatedAt: now,
		CurrentVersion: 1, UnitID: cs.UnitID}
	ver := domain.DocumentVersion{ID: verID, DocumentID: docID, N: 1, ObjectKey: key, Size: stored.Size, SHA256: stored.SHA256,
		ContentType: stored.ContentType, FileName: in.FileName, Note: in.Note, UploadedBy: p.User.ID, UploadedAt: now}
	err = s.commitUpload(ctx, key, func(ctx context.Context) error {
		if err := s.proc.LockCase(ctx, cs.ID); err != nil {
			return err
		}
		if err := s.files.InsertDocument(ctx, &doc); err != nil {
			return err
		}
		if err := s.files.InsertDocumentVersion(ctx, ver); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "file.upload", "document", doc.ID, cs.UnitID, domain.OutcomeSuccess, versionDetail(doc, ver)))
	})
	if err != nil {
		return domain.Document{}, err
	}
	doc.Versions = []domain.DocumentVersion{ver}
	return doc, nil
}

func versionDetail(d domain.Document, v domain.DocumentVersion) string {
	b, _ := json.Marshal(map[string]any{"case_id": d.CaseID, "version": v.N, "size": v.Size, "sha256": v.SHA256, "content_type": v.ContentType,
		"classification": d.Classification})
	return string(b)
}

// AddVersion stores a new version of a document (a re-upload): the earlier versions stay.
func (s *Files) AddVersion(ctx context.Context, p *Principal, docID string, in VersionInput, body io.Reader) (domain.Document, error) {
	doc, cs, err := s.documentAccess(ctx, p, docID, domain.ActCaseUpdate, "file.version")
	if err != nil {
		return domain.Document{}, err
	}
	if err := errors.Join(validateText("file_name", in.FileName, 255, false), validateText("note", in.Note, 2000, false)); err != nil {
		return domain.Document{}, firstInvalid(err)
	}
	if doc.Withdrawn() {
		return domain.Document{}, withdrawnConflict()
	}
	verID := mustUUIDv7()
	key := objectKey(cs.ID, doc.ID, verID)
	stored, err := s.storeObject(ctx, cs.ID, key, body)
	if err != nil {
		return domain.Document{}, err
	}
	now := s.clock.Now()
	var ver domain.DocumentVersion
	err = s.commitUpload(ctx, key, func(ctx context.Context) error {
		cur, err := s.files.GetDocument(ctx, doc.ID, true)
		if err != nil {
			return err
		}
		if cur.Withdrawn() {
			return withdrawnConflict()
		}
		ver = domain.DocumentVersion{ID: verID, DocumentID: doc.ID, N: cur.CurrentVersion + 1, ObjectKey: key, Size: stored.Size,
			SHA256: stored.SHA256, ContentType: stored.ContentType, FileName: in.FileName, Note: in.Note, UploadedBy: p.User.ID, UploadedAt: now}
		if err := s.files.InsertDocumentVersion(ctx, ver); err != nil {
			return err
		}
		if err := s.files.SetCurrentVersion(ctx, doc.ID, ver.N, cur.RowVersion); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "file.version", "document", doc.ID, cs.UnitID, domain.OutcomeSuccess, versionDetail(cur, ver)))
	})
	if err != nil {
		return domain.Document{}, err
	}
	return s.files.GetDocument(ctx, doc.ID, false)
}

func withdrawnConflict() error {
	return &domain.Error{Code: domain.CodeConflict, Message: "tài liệu đã bị rút khỏi hồ sơ", Details: []domain.Detail{{Field: "id", Rule: "withdrawn"}}}
}

// firstInvalid keeps the domain error of a joined validation.
func firstInvalid(err error) error {
	if de, ok := domain.AsError(err); ok {
		return de
	}
	return err
}

// Withdraw takes a document out of the case file (rút tài liệu): recorded with its reason, never
// deleted; its versions stay readable in the history.
func (s *Files) Withdraw(ctx context.Context, p *Principal, docID, reason string, rowVersion int) (domain.Document, error) {
	// The rights are checked before the transaction, so a refusal's audit row is not rolled back
	// with it; the row is then locked and its version compared.
	doc, cs, err := s.documentAccess(ctx, p, docID, domain.ActCaseUpdate, "file.withdraw")
	if err != nil {
		return domain.Document{}, err
	}
	if err := validateText("reason", reason, 2000, true); err != nil {
		return domain.Document{}, err
	}
	if rowVersion < 1 {
		return domain.Document{}, domain.Invalid("version", "required", "phiên bản của bản ghi tài liệu là bắt buộc")
	}
	now := s.clock.Now()
	var out domain.Document
	err = s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cur, err := s.files.GetDocument(ctx, doc.ID, true)
		if err != nil {
			return err
		}
		if cur.Withdrawn() {
			return withdrawnConflict()
		}
		if cur.RowVersion != rowVersion {
			return &domain.Error{Code: domain.CodeConflict, Message: "tài liệu đã được người khác thay đổi",
				Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
		}
		if err := s.files.WithdrawDocument(ctx, doc.ID, p.User.ID, strings.TrimSpace(reason), now, rowVersion); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"case_id": doc.CaseID, "reason": strings.TrimSpace(reason)})
		if err := s.audit.Record(ctx, p.audit(now, "file.withdraw", "document", doc.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		out, err = s.files.GetDocument(ctx, doc.ID, false)
		return err
	})
	return out, err
}

// List returns the case file's documents the caller may read (classification applied), in filing
// order, the withdrawn ones too when asked. The read is audited.
func (s *Files) List(ctx context.Context, p *Principal, caseID string, includeWithdrawn bool) ([]domain.Document, error) {
	cs, err := s.caseAccess(ctx, p, caseID, domain.ActCaseRead, "file.list")
	if err != nil {
		return nil, err
	}
	docs, err := s.files.ListDocuments(ctx, cs.ID, includeWithdrawn)
	if err != nil {
		return nil, err
	}
	out := s.visible(p, cs, docs)
	detail, _ := json.Marshal(map[string]any{"returned": len(out), "include_withdrawn": includeWithdrawn})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "file.list", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Files) visible(p *Principal, cs *domain.Case, docs []domain.Document) []domain.Document {
	out := make([]domain.Document, 0, len(docs))
	allowed := map[domain.Classification]bool{}
	for _, c := range domain.Classifications {
		allowed[c] = s.mayReadClass(p, cs, c)
	}
	for _, d := range docs {
		if allowed[d.Classification] {
			out = append(out, d)
		}
	}
	return out
}

// Get returns a document's description and every version, audited.
func (s *Files) Get(ctx context.Context, p *Principal, docID string) (domain.Document, error) {
	doc, cs, err := s.documentAccess(ctx, p, docID, domain.ActCaseRead, "file.read")
	if err != nil {
		return domain.Document{}, err
	}
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "file.read", "document", doc.ID, cs.UnitID, domain.OutcomeSuccess, "")); err != nil {
		return domain.Document{}, err
	}
	return doc, nil
}

// Download is a version the caller may read, opened for serving with Range support.
type Download struct {
	Document domain.Document
	Version  domain.DocumentVersion
	Content  *ObjectReader
}

// pickVersion returns version n of a document, or the current one when n is 0.
func pickVersion(doc domain.Document, n int) (domain.DocumentVersion, error) {
	if n == 0 {
		n = doc.CurrentVersion
	}
	for _, v := range doc.Versions {
		if v.N == n {
			return v, nil
		}
	}
	return domain.DocumentVersion{}, domain.NotFound("phiên bản tài liệu")
}

// Open checks the caller may read a document's version n (0: the current one), audits the
// download, and returns its bytes as a seekable reader that fetches only the ranges asked for.
// rangeHeader is recorded in the audit row.
func (s *Files) Open(ctx context.Context, p *Principal, docID string, n int, rangeHeader string) (Download, error) {
	doc, cs, err := s.documentAccess(ctx, p, docID, domain.ActCaseRead, "file.download")
	if err != nil {
		return Download{}, err
	}
	v, err := pickVersion(doc, n)
	if err != nil {
		return Download{}, err
	}
	detail, _ := json.Marshal(map[string]any{"case_id": doc.CaseID, "version": v.N, "range": rangeHeader})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "file.download", "document", doc.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return Download{}, err
	}
	return Download{Document: doc, Version: v, Content: &ObjectReader{ctx: ctx, store: s.objects, key: v.ObjectKey, size: v.Size}}, nil
}

// Presigner is an object store that can issue short-lived links to read an object directly
// (MinIO's presigned GET).
type Presigner interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration, fileName, contentType string) (string, error)
}

// Link issues a short-lived link to download version n (0: current) straight from the object
// store, after the same checks as a download, and audits it.
func (s *Files) Link(ctx context.Context, p *Principal, docID string, n int) (string, time.Time, error) {
	ps, ok := s.objects.(Presigner)
	if !ok {
		return "", time.Time{}, domain.Errorf(domain.CodeUnavailable, "kho lưu trữ này không cấp liên kết tải trực tiếp; hãy tải qua /content")
	}
	doc, cs, err := s.documentAccess(ctx, p, docID, domain.ActCaseRead, "file.link")
	if err != nil {
		return "", time.Time{}, err
	}
	v, err := pickVersion(doc, n)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.clock.Now()
	detail, _ := json.Marshal(map[string]any{"case_id": doc.CaseID, "version": v.N, "ttl_seconds": int(s.cfg.LinkTTL.Seconds())})
	if err := s.audit.Record(ctx, p.audit(now, "file.link", "document", doc.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return "", time.Time{}, err
	}
	u, err := ps.PresignGet(ctx, v.ObjectKey, s.cfg.LinkTTL, DownloadName(doc, v), v.ContentType)
	if err != nil {
		return "", time.Time{}, err
	}
	return u, now.Add(s.cfg.LinkTTL), nil
}

// ObjectReader reads an object as an io.ReadSeeker without holding it: each read after a seek
// opens the object from that offset, so serving a Range fetches just that range.
type ObjectReader struct {
	ctx   context.Context
	store ObjectStore
	key   string
	size  int64
	off   int64
	rc    io.ReadCloser
}

// Read reads from the current offset.
func (r *ObjectReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.rc == nil {
		rc, _, err := r.store.Get(r.ctx, r.key, r.off, r.size-r.off)
		if err != nil {
			return 0, err
		}
		r.rc = rc
	}
	n, err := r.rc.Read(p)
	r.off += int64(n)
	if errors.Is(err, io.EOF) && r.off < r.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Seek moves the offset; the object is reopened at the next read if the offset changed.
func (r *ObjectReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.off + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, errors.New("seek: bad whence")
	}
	if abs < 0 {
		return 0, errors.New("seek: negative position")
	}
	if abs != r.off && r.rc != nil {
		_ = r.rc.Close()
		r.rc = nil
	}
	r.off = abs
	return abs, nil
}

// Check makes sure, before anything is served, that the object is there with the size its row
// says: a store that is down is an unavailable error, an object gone or changed in size is an
// integrity failure (internal, logged, never shown).
func (r *ObjectReader) Check() error {
	info, err := r.store.Stat(r.ctx, r.key)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return fmt.Errorf("integrity: object %s of a stored version is missing", r.key)
	} else if err != nil {
		return err
	}
	if info.Size != r.size {
		return fmt.Errorf("integrity: object %s holds %d bytes, its version row says %d", r.key, info.Size, r.size)
	}
	return nil
}

// Close releases the open object, if any.
func (r *ObjectReader) Close() error {
	if r.rc != nil {
		err := r.rc.Close()
		r.rc = nil
		return err
	}
	return nil
}

// DownloadName is the file name a version is served under: the document's number in the file, its
// version and the uploaded name's extension (never the name itself, which may hold personal data
// the document's classification does not allow in logs and caches).
func DownloadName(d domain.Document, v domain.DocumentVersion) string {
	ext := ""
	if i := strings.LastIndexByte(v.FileName, '.'); i >= 0 && len(v.FileName)-i <= 6 {
		ext = strings.ToLower(v.FileName[i:])
		for _, r := range ext[1:] {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				ext = ""
				break
			}
		}
	}
	if ext == "" {
		ext = extensionOf(v.ContentType)
	}
	return fmt.Sprintf("tai-lieu-%04d-v%d%s", d.Seq, v.N, ext)
}

func extensionOf(ct string) string {
	switch ct {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/tiff":
		return ".tif"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "text/plain":
		return ".txt"
	case "audio/mpeg":
		return ".mp3"
	case "audio/wave":
		return ".wav"
	case "video/mp4":
		return ".mp4"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx"
	case "application/msword":
		return ".doc"
	case "application/vnd.oasis.opendocument.text":
		return ".odt"
	}
	return ".bin"
}
