package service

import (
	"archive/zip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"kiemsat/domain"
)

// ManifestFormat names the manifest's layout; a verifier refuses a format it does not know.
const ManifestFormat = "kiemsat-manifest/1"

// ManifestSigner signs case-file manifests with the server's Ed25519 key, so that a court or the
// defence can check an exported file set later against the public key alone.
type ManifestSigner struct {
	key   ed25519.PrivateKey
	keyID string
}

// NewManifestSigner wraps a private key; its id is the first 16 hex digits of the SHA-256 of the
// public key.
func NewManifestSigner(key ed25519.PrivateKey) *ManifestSigner {
	pub := key.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	return &ManifestSigner{key: key, keyID: hex.EncodeToString(sum[:8])}
}

// PublicKey is the key that checks the signatures.
func (m *ManifestSigner) PublicKey() ed25519.PublicKey { return m.key.Public().(ed25519.PublicKey) }

// KeyID names the key.
func (m *ManifestSigner) KeyID() string { return m.keyID }

// Manifest lists every document version of a case file the requester may read, with its hash.
type Manifest struct {
	Format      string             `json:"format"`
	CaseID      string             `json:"case_id"`
	CaseCode    string             `json:"case_code"`
	CaseNumber  string             `json:"case_number"`
	UnitID      int64              `json:"unit_id"`
	GeneratedAt string             `json:"generated_at"`
	GeneratedBy string             `json:"generated_by"`
	KeyID       string             `json:"key_id"`
	Documents   []ManifestDocument `json:"documents"`
}

// ManifestDocument is one document of the manifest.
type ManifestDocument struct {
	ID             string            `json:"id"`
	Seq            int               `json:"seq"`
	Section        string            `json:"section"`
	Volume         int               `json:"volume"`
	Title          string            `json:"title"`
	DocType        string            `json:"doc_type"`
	Number         string            `json:"number"`
	Date           string            `json:"date,omitempty"`
	Classification string            `json:"classification"`
	CurrentVersion int               `json:"current_version"`
	WithdrawnAt    string            `json:"withdrawn_at,omitempty"`
	Versions       []ManifestVersion `json:"versions"`
}

// ManifestVersion is one version: its hash and size, and its path inside an export when the export
// holds it.
type ManifestVersion struct {
	N           int    `json:"n"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	UploadedAt  string `json:"uploaded_at"`
	Path        string `json:"path,omitempty"`
}

// SignedManifest is a manifest's exact bytes and their Ed25519 signature.
type SignedManifest struct {
	Manifest  Manifest
	Bytes     []byte
	Signature []byte
	KeyID     string
	PublicKey ed25519.PublicKey
}

// VerifyManifest checks a manifest's signature against a public key.
func VerifyManifest(pub ed25519.PublicKey, manifest, signature []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, manifest, signature)
}

// exportPath is where a version sits inside an export: by section, the document's number and the
// version, never its title.
func exportPath(d domain.Document, v domain.DocumentVersion) string {
	return fmt.Sprintf("%s/tap-%02d/%s", d.Section, d.Volume, DownloadName(d, v))
}

// inExport says whether an export holds a version: the current version of every document in force,
// or every version when all is set.
func inExport(d domain.Document, v domain.DocumentVersion, all bool) bool {
	return all || (!d.Withdrawn() && v.N == d.CurrentVersion)
}

func (s *Files) buildManifest(p *Principal, cs *domain.Case, docs []domain.Document, all bool, now time.Time) (SignedManifest, error) {
	if s.cfg.Signer == nil {
		return SignedManifest{}, domain.Errorf(domain.CodeUnavailable, "máy chủ chưa được cấu hình khóa ký danh mục hồ sơ")
	}
	return s.cfg.Signer.Sign(p.User.ID, cs, docs, all, now)
}

// Sign builds the manifest of a case file's documents as requested by userID at now, and signs
// its bytes. all marks every version as held in the export, otherwise the current version of each
// document in force.
func (m *ManifestSigner) Sign(userID string, cs *domain.Case, docs []domain.Document, all bool, now time.Time) (SignedManifest, error) {
	mf := Manifest{Format: ManifestFormat, CaseID: cs.ID, CaseCode: cs.Code, CaseNumber: cs.Number, UnitID: cs.UnitID,
		GeneratedAt: now.UTC().Format(time.RFC3339Nano), GeneratedBy: userID, KeyID: m.keyID, Documents: []ManifestDocument{}}
	for _, d := range docs {
		md := ManifestDocument{ID: d.ID, Seq: d.Seq, Section: string(d.Section), Volume: d.Volume, Title: d.Title, DocType: d.DocType,
			Number: d.Number, Classification: string(d.Classification), CurrentVersion: d.CurrentVersion, Versions: []ManifestVersion{}}
		if d.Date != nil {
			md.Date = d.Date.Format(time.DateOnly)
		}
		if d.WithdrawnAt != nil {
			md.WithdrawnAt = d.WithdrawnAt.UTC().Format(time.RFC3339Nano)
		}
		for _, v := range d.Versions {
			mv := ManifestVersion{N: v.N, SHA256: v.SHA256, Size: v.Size, ContentType: v.ContentType, UploadedAt: v.UploadedAt.UTC().Format(time.RFC3339Nano)}
			if inExport(d, v, all) {
				mv.Path = exportPath(d, v)
			}
			md.Versions = append(md.Versions, mv)
		}
		mf.Documents = append(mf.Documents, md)
	}
	b, err := json.MarshalIndent(mf, "", "  ")
	if err != nil {
		return SignedManifest{}, err
	}
	return SignedManifest{Manifest: mf, Bytes: b, Signature: ed25519.Sign(m.key, b), KeyID: m.keyID, PublicKey: m.PublicKey()}, nil
}

// caseFile loads a case file the caller may read, every version of every visible document,
// withdrawn ones too.
func (s *Files) caseFile(ctx context.Context, p *Principal, caseID, auditAction string) (*domain.Case, []domain.Document, error) {
	cs, err := s.caseAccess(ctx, p, caseID, domain.ActCaseRead, auditAction)
	if err != nil {
		return nil, nil, err
	}
	docs, err := s.files.ListDocuments(ctx, cs.ID, true)
	if err != nil {
		return nil, nil, err
	}
	return cs, s.visible(p, cs, docs), nil
}

// Manifest returns the signed list of every version of the case file the caller may read, with
// hashes, audited.
func (s *Files) Manifest(ctx context.Context, p *Principal, caseID string) (SignedManifest, error) {
	cs, docs, err := s.caseFile(ctx, p, caseID, "file.manifest")
	if err != nil {
		return SignedManifest{}, err
	}
	now := s.clock.Now()
	sm, err := s.buildManifest(p, cs, docs, false, now)
	if err != nil {
		return SignedManifest{}, err
	}
	if err := s.audit.Record(ctx, p.audit(now, "file.manifest", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess,
		fmt.Sprintf(`{"documents":%d}`, len(docs)))); err != nil {
		return SignedManifest{}, err
	}
	return sm, nil
}

// Export is a case file ready to stream as a ZIP.
type Export struct {
	Manifest SignedManifest
	FileName string
	docs     []domain.Document
	all      bool
	files    *Files
	ctx      context.Context
}

// Export checks the caller may read the case file, audits the export and returns it, to be written
// with WriteTo once the response has started. all includes every version and withdrawn documents;
// otherwise the current version of each document in force.
func (s *Files) Export(ctx context.Context, p *Principal, caseID string, all bool) (*Export, error) {
	cs, docs, err := s.caseFile(ctx, p, caseID, "file.export")
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sm, err := s.buildManifest(p, cs, docs, all, now)
	if err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, p.audit(now, "file.export", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess,
		fmt.Sprintf(`{"documents":%d,"all_versions":%t}`, len(docs), all))); err != nil {
		return nil, err
	}
	name := cs.Code
	if name == "" {
		name = cs.ID
	}
	return &Export{Manifest: sm, FileName: "ho-so-" + name + ".zip", docs: docs, all: all, files: s, ctx: ctx}, nil
}

// WriteTo streams the ZIP: the manifest, its signature and public key, then each version's bytes,
// stored uncompressed (scans are compressed already) and re-hashed on the way. A version whose
// bytes no longer match the manifest stops the export with an error, so a ZIP that is complete is
// one whose manifest is true.
func (e *Export) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	put := func(name string, b []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: e.files.clock.Now()})
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	}
	sig := base64.StdEncoding.EncodeToString(e.Manifest.Signature) + "\n"
	pub := base64.StdEncoding.EncodeToString(e.Manifest.PublicKey) + "\n"
	if err := put("manifest.json", e.Manifest.Bytes); err != nil {
		return cw.n, err
	}
	if err := put("manifest.sig", []byte(sig)); err != nil {
		return cw.n, err
	}
	if err := put("public-key.txt", []byte(pub)); err != nil {
		return cw.n, err
	}
	for _, d := range e.docs {
		for _, v := range d.Versions {
			if !inExport(d, v, e.all) {
				continue
			}
			if err := e.copyVersion(zw, d, v); err != nil {
				return cw.n, err
			}
		}
	}
	return cw.n, zw.Close()
}

func (e *Export) copyVersion(zw *zip.Writer, d domain.Document, v domain.DocumentVersion) error {
	rc, _, err := e.files.objects.Get(e.ctx, v.ObjectKey, 0, 0)
	if err != nil {
		return fmt.Errorf("export %s: %w", v.ObjectKey, err)
	}
	defer rc.Close()
	f, err := zw.CreateHeader(&zip.FileHeader{Name: exportPath(d, v), Method: zip.Store, Modified: v.UploadedAt})
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), rc)
	if err != nil {
		return fmt.Errorf("export %s: %w", v.ObjectKey, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != v.SHA256 || n != v.Size {
		return fmt.Errorf("export %s: stored bytes differ from the manifest (sha256 %s, %d bytes)", v.ObjectKey, got, n)
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// VerifyProblem is one object that is not what its row says.
type VerifyProblem struct {
	// Kind: missing (no object), mismatch (hash or size differ), unreadable (the store failed on
	// it), unreferenced (an object no version points at: an upload in flight, or an orphan).
	Kind       string
	Key        string
	CaseID     string
	DocumentID string
	N          int
	Want, Got  string
}

// VerifyReport is what an integrity check found.
type VerifyReport struct {
	Checked  int
	Bytes    int64
	Objects  int
	Problems []VerifyProblem
}

// Verify re-reads every stored version (of one case when caseID is set), re-hashes its bytes and
// compares hash and size with its row, then lists the objects no version points at. It changes
// nothing. progress, when set, is called after each version.
func (s *Files) Verify(ctx context.Context, caseID string, progress func(StoredVersion, *VerifyProblem)) (VerifyReport, error) {
	var rep VerifyReport
	after := ""
	for {
		page, err := s.files.VersionsAfter(ctx, caseID, after, 500)
		if err != nil {
			return rep, err
		}
		for _, sv := range page {
			v := sv.Version
			after = v.ObjectKey
			prob := s.checkVersion(ctx, sv)
			rep.Checked++
			rep.Bytes += v.Size
			if prob != nil {
				rep.Problems = append(rep.Problems, *prob)
			}
			if progress != nil {
				progress(sv, prob)
			}
		}
		if len(page) < 500 {
			break
		}
	}
	prefix := "cases/"
	if caseID != "" {
		prefix += caseID + "/"
	}
	var batch []string
	flush := func() error {
		known, err := s.files.KnownObjectKeys(ctx, batch)
		if err != nil {
			return err
		}
		for _, k := range batch {
			if !known[k] {
				parts := strings.Split(k, "/")
				p := VerifyProblem{Kind: "unreferenced", Key: k}
				if len(parts) == 4 {
					p.CaseID, p.DocumentID = parts[1], parts[2]
				}
				rep.Problems = append(rep.Problems, p)
			}
		}
		batch = batch[:0]
		return nil
	}
	err := s.objects.List(ctx, prefix, func(o ObjectInfo) error {
		rep.Objects++
		batch = append(batch, o.Key)
		if len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	return rep, flush()
}

func (s *Files) checkVersion(ctx context.Context, sv StoredVersion) *VerifyProblem {
	v := sv.Version
	prob := &VerifyProblem{Key: v.ObjectKey, CaseID: sv.CaseID, DocumentID: v.DocumentID, N: v.N, Want: v.SHA256}
	rc, _, err := s.objects.Get(ctx, v.ObjectKey, 0, 0)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		prob.Kind = "missing"
		return prob
	} else if err != nil {
		prob.Kind, prob.Got = "unreadable", err.Error()
		return prob
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		prob.Kind, prob.Got = "unreadable", err.Error()
		return prob
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != v.SHA256 || n != v.Size {
		prob.Kind, prob.Got = "mismatch", fmt.Sprintf("%s (%d bytes, want %d)", got, n, v.Size)
		return prob
	}
	return nil
}

// SweepUploads removes the objects of uploads that started more than the grace period ago and were
// never committed (the process died between the object and its row, or the row was refused), then
// forgets them. An object a version row points at is never removed. It returns how many objects it
// removed.
func (s *Files) SweepUploads(ctx context.Context) (int, error) {
	removed := 0
	for {
		keys, err := s.files.StaleUploads(ctx, s.clock.Now().Add(-s.cfg.Grace), 500)
		if err != nil || len(keys) == 0 {
			return removed, err
		}
		known, err := s.files.KnownObjectKeys(ctx, keys)
		if err != nil {
			return removed, err
		}
		for _, k := range keys {
			if !known[k] {
				if err := s.objects.Delete(ctx, k); err != nil {
					return removed, err
				}
				removed++
			}
			if err := s.files.FinishUpload(ctx, k); err != nil {
				return removed, err
			}
		}
		if removed > 0 {
			s.cfg.Log.Info("removed unfinished uploads", "objects", removed)
		}
		if len(keys) < 500 {
			return removed, nil
		}
	}
}

// ExportCheck is what checking an exported ZIP found.
type ExportCheck struct {
	Manifest Manifest
	// SignatureValid: the manifest's signature checks against the public key given (or, when none
	// is given, the one in the ZIP, which proves only that the ZIP is whole).
	SignatureValid bool
	Files          int
	Problems       []string
}

// CheckExport verifies an exported case file offline: the manifest's signature against pub (the
// ZIP's own key when pub is nil), then every file the manifest places in the ZIP against its
// SHA-256 and size. Anything in the ZIP the manifest does not name is a problem too.
func CheckExport(r io.ReaderAt, size int64, pub ed25519.PublicKey) (ExportCheck, error) {
	var out ExportCheck
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return out, fmt.Errorf("not a ZIP: %w", err)
	}
	read := func(name string) ([]byte, error) {
		f, err := zr.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, 64<<20))
	}
	mb, err := read("manifest.json")
	if err != nil {
		return out, err
	}
	sigText, err := read("manifest.sig")
	if err != nil {
		return out, err
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigText)))
	if err != nil {
		return out, fmt.Errorf("manifest.sig: %w", err)
	}
	if pub == nil {
		kt, err := read("public-key.txt")
		if err != nil {
			return out, err
		}
		if pub, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(kt))); err != nil {
			return out, fmt.Errorf("public-key.txt: %w", err)
		}
	}
	out.SignatureValid = VerifyManifest(pub, mb, sig)
	if !out.SignatureValid {
		out.Problems = append(out.Problems, "manifest.json: the signature does not match")
	}
	if err := json.Unmarshal(mb, &out.Manifest); err != nil {
		return out, fmt.Errorf("manifest.json: %w", err)
	}
	if out.Manifest.Format != ManifestFormat {
		return out, fmt.Errorf("manifest.json: unknown format %q", out.Manifest.Format)
	}
	want := map[string]ManifestVersion{}
	for _, d := range out.Manifest.Documents {
		for _, v := range d.Versions {
			if v.Path != "" {
				want[v.Path] = v
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range zr.File {
		switch f.Name {
		case "manifest.json", "manifest.sig", "public-key.txt":
			continue
		}
		v, ok := want[f.Name]
		if !ok {
			out.Problems = append(out.Problems, f.Name+": not in the manifest")
			continue
		}
		seen[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			out.Problems = append(out.Problems, f.Name+": "+err.Error())
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		out.Files++
		if err != nil {
			out.Problems = append(out.Problems, f.Name+": "+err.Error())
		} else if got := hex.EncodeToString(h.Sum(nil)); got != v.SHA256 || n != v.Size {
			out.Problems = append(out.Problems, fmt.Sprintf("%s: sha256 %s (%d bytes), the manifest says %s (%d bytes)", f.Name, got, n, v.SHA256, v.Size))
		}
	}
	for p := range want {
		if !seen[p] {
			out.Problems = append(out.Problems, p+": in the manifest but not in the ZIP")
		}
	}
	return out, nil
}
