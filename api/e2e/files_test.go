package e2e_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kiemsat/repository"
	"kiemsat/repository/miniotest"
	"kiemsat/service"
)

// The digital case file (hồ sơ vụ án) end to end: uploads through the real API into a real MinIO
// server, downloads with Range, versions, withdrawal, classification, the signed manifest, the
// export, and the faults an object store brings (a server stopped mid-upload, a process dying
// between the object and its row, an object changed behind the platform's back).

// openMinio starts a MinIO server for the test and opens the adapter on it.
func openMinio(t *testing.T) (*repository.MinioObjects, *miniotest.Server) {
	t.Helper()
	srv := miniotest.Start(t)
	m, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: "kiemsat-files", PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return m, srv
}

// pdfBytes is a file whose bytes sniff as a PDF: the magic, then n pseudo-random bytes.
func pdfBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	copy(b, "%PDF-1.7\n")
	for i := 9; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// formBody builds a multipart body: the fields in order, then the file part.
func formBody(t *testing.T, fields [][2]string, fileName string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		fw, err := w.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// sendBody sends a body of the given type; length -1 sends it chunked.
func (e *env) sendBody(method, path, token, contentType string, body io.Reader, length int64, header map[string]string) response {
	e.t.Helper()
	hr, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	hr.ContentLength = length
	hr.Header.Set("Content-Type", contentType)
	hr.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		hr.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// upload posts a multipart form with a known length.
func (e *env) upload(path, token string, fields [][2]string, fileName string, data []byte) response {
	e.t.Helper()
	body, ct := formBody(e.t, fields, fileName, data)
	return e.sendBody("POST", path, token, ct, bytes.NewReader(body), int64(len(body)), nil)
}

type versionView struct {
	N           int    `json:"n"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	FileName    string `json:"file_name"`
	Note        string `json:"note"`
	UploadedBy  string `json:"uploaded_by"`
}

type documentView struct {
	ID             string        `json:"id"`
	CaseID         string        `json:"case_id"`
	Seq            int           `json:"seq"`
	Section        string        `json:"section"`
	Title          string        `json:"title"`
	Classification string        `json:"classification"`
	CurrentVersion int           `json:"current_version"`
	Withdrawn      bool          `json:"withdrawn"`
	WithdrawReason *string       `json:"withdraw_reason"`
	WithdrawnBy    *string       `json:"withdrawn_by"`
	Version        int           `json:"version"`
	DecisionID     *string       `json:"decision_id"`
	Date           *string       `json:"date"`
	Versions       []versionView `json:"versions"`
}

type documentListView struct {
	Items []documentView `json:"items"`
	Total int            `json:"total"`
}

func (e *env) listDocs(t *testing.T, caseID, token string, withdrawn bool) map[string]documentView {
	t.Helper()
	r := e.get(v1+"/cases/"+caseID+"/files?include_withdrawn="+strconv.FormatBool(withdrawn), token)
	if r.Status != http.StatusOK {
		t.Fatalf("list files: %d %s", r.Status, r.Body)
	}
	var l documentListView
	r.decode(t, &l)
	if l.Total != len(l.Items) {
		t.Fatalf("list total %d, %d items", l.Total, len(l.Items))
	}
	out := map[string]documentView{}
	for _, d := range l.Items {
		out[d.ID] = d
	}
	return out
}

// objectKeys lists the keys the store holds under a case.
func objectKeys(t *testing.T, store service.ObjectStore, caseID string) []string {
	t.Helper()
	var keys []string
	if err := store.List(context.Background(), "cases/"+caseID+"/", func(o service.ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

func docFields(section, title, class string, more ...string) [][2]string {
	f := [][2]string{{"section", section}, {"title", title}, {"classification", class}}
	for i := 0; i+1 < len(more); i += 2 {
		f = append(f, [2]string{more[i], more[i+1]})
	}
	return f
}

func TestCaseFileOnMinio(t *testing.T) {
	minio, _ := openMinio(t)
	e := newEnv(t, withObjects(func(*testing.T) service.ObjectStore { return minio }))
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	filesPath := v1 + "/cases/" + s.id + "/files"

	// The clerk files a scanned record: 201, hashed and sized as sent, typed from its bytes
	// (the part says text/plain and the name says .txt: both are ignored).
	scan := pdfBytes(1, 3<<20+17)
	r := e.upload(filesPath, tm.clerk, docFields("investigation", "Biên bản khám nghiệm hiện trường", "normal",
		"doc_type", "biên bản", "number", "05/BB-CSĐT", "date", today(e), "volume", "1"), "ghi-chu.txt", scan)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var doc documentView
	r.decode(t, &doc)
	if doc.Seq != 1 || doc.CurrentVersion != 1 || len(doc.Versions) != 1 || doc.Versions[0].SHA256 != sha(scan) ||
		doc.Versions[0].Size != int64(len(scan)) || doc.Versions[0].ContentType != "application/pdf" || doc.Versions[0].UploadedBy != e.userID("hnkv1.thuky") {
		t.Fatalf("uploaded document: %+v", doc)
	}
	if loc := r.Header.Get("Location"); loc != v1+"/files/"+doc.ID {
		t.Errorf("Location %q", loc)
	}
	// The object's key is made of ids only.
	keys := objectKeys(t, minio, s.id)
	if len(keys) != 1 || strings.Count(keys[0], "/") != 3 || !strings.HasPrefix(keys[0], "cases/"+s.id+"/"+doc.ID+"/") || strings.Contains(keys[0], "ghi") {
		t.Fatalf("object keys %v", keys)
	}

	// A second version by the lead prosecutor; the first stays.
	scan2 := pdfBytes(2, 1<<20)
	body, ct := formBody(t, [][2]string{{"note", "Bản quét rõ hơn"}}, "bb-v2.pdf", scan2)
	r = e.sendBody("POST", v1+"/files/"+doc.ID+"/versions", tm.ksv, ct, bytes.NewReader(body), int64(len(body)), nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("new version: %d %s", r.Status, r.Body)
	}
	r.decode(t, &doc)
	if doc.CurrentVersion != 2 || len(doc.Versions) != 2 || doc.Versions[1].SHA256 != sha(scan2) || doc.Versions[1].Note != "Bản quét rõ hơn" {
		t.Fatalf("after the new version: %+v", doc)
	}
	if n := len(objectKeys(t, minio, s.id)); n != 2 {
		t.Fatalf("%d objects after a new version, want 2", n)
	}

	// Downloads: the current version, an older one by number, a range; every one audited.
	downloads := func() int {
		return e.count(`SELECT count(*) FROM audit_log WHERE action = 'file.download' AND target_id = $1`, doc.ID)
	}
	before := downloads()
	content := v1 + "/files/" + doc.ID + "/content"
	r = e.get(content, tm.ksv)
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, scan2) || r.Header.Get("X-Content-SHA256") != sha(scan2) ||
		r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("download current: %d %v (%d bytes)", r.Status, r.Header, len(r.Body))
	}
	sum := sha256.Sum256(scan2)
	if got := r.Header.Get("Repr-Digest"); got != "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":" {
		t.Errorf("Repr-Digest %q", got)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "tai-lieu-0001-v2.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	r = e.get(content+"?version=1", tm.ksv)
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, scan) || r.Header.Get("X-Content-SHA256") != sha(scan) {
		t.Fatalf("download version 1: %d (%d bytes)", r.Status, len(r.Body))
	}
	r = e.send(req{Method: "GET", Path: content + "?version=1", Token: tm.ksv, Header: map[string]string{"Range": "bytes=2097152-2098175"}})
	if r.Status != http.StatusPartialContent || !bytes.Equal(r.Body, scan[2097152:2098176]) ||
		r.Header.Get("Content-Range") != fmt.Sprintf("bytes 2097152-2098175/%d", len(scan)) || r.Header.Get("X-Content-SHA256") != sha(scan) {
		t.Fatalf("range: %d %q (%d bytes)", r.Status, r.Header.Get("Content-Range"), len(r.Body))
	}
	r = e.send(req{Method: "GET", Path: content, Token: tm.ksv, Header: map[string]string{"Range": "bytes=-100"}})
	if r.Status != http.StatusPartialContent || !bytes.Equal(r.Body, scan2[len(scan2)-100:]) {
		t.Fatalf("suffix range: %d (%d bytes)", r.Status, len(r.Body))
	}
	r = e.send(req{Method: "GET", Path: content, Token: tm.ksv, Header: map[string]string{"Range": "bytes=99999999-"}})
	if r.Status != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("range past the end: %d", r.Status)
	}
	r = e.send(req{Method: "GET", Path: content, Token: tm.ksv, Header: map[string]string{"If-None-Match": `"` + sha(scan2) + `"`}})
	if r.Status != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	if n := downloads() - before; n != 6 {
		t.Errorf("%d downloads audited, want 6", n)
	}
	wantError(t, e.get(content+"?version=3", tm.ksv), http.StatusNotFound, "not_found")
	wantError(t, e.get(content+"?version=x", tm.ksv), http.StatusBadRequest, "bad_request")

	// A presigned link reads the object straight from MinIO, after the same checks.
	r = e.get(v1+"/files/"+doc.ID+"/link?version=1", tm.ksv)
	if r.Status != http.StatusOK {
		t.Fatalf("link: %d %s", r.Status, r.Body)
	}
	var link struct {
		URL string `json:"url"`
	}
	r.decode(t, &link)
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(direct, scan) {
		t.Fatalf("presigned GET: %d (%d bytes)", res.StatusCode, len(direct))
	}

	// A wrong type is refused before anything is stored: an executable named .pdf, an archive.
	for name, data := range map[string][]byte{"scan.pdf": append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 4000)...),
		"hoso.pdf": append([]byte("PK\x03\x04\x14\x00\x00\x00"), make([]byte, 4000)...), "empty.pdf": {}} {
		r = e.upload(filesPath, tm.clerk, docFields("evidence", "Tệp không hợp lệ", "normal"), name, data)
		rule := "type"
		if len(data) == 0 {
			rule = "empty"
		}
		wantDetail(t, r, http.StatusUnprocessableEntity, "invalid", "file", rule)
	}
	if n := len(objectKeys(t, minio, s.id)); n != 2 {
		t.Errorf("%d objects after refused types, want 2", n)
	}

	// Withdrawal: recorded, never deleted; out of the default list, still in the history.
	wantDetail(t, e.send(req{Method: "POST", Path: v1 + "/files/" + doc.ID + "/withdraw", Token: tm.clerk,
		Body: map[string]any{"version": doc.Version, "reason": " "}}), http.StatusUnprocessableEntity, "invalid", "reason", "required")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/files/" + doc.ID + "/withdraw", Token: tm.clerk,
		Body: map[string]any{"version": doc.Version + 5, "reason": "Nộp nhầm"}}), http.StatusConflict, "conflict")
	r = e.send(req{Method: "POST", Path: v1 + "/files/" + doc.ID + "/withdraw", Token: tm.clerk, Body: map[string]any{"version": doc.Version, "reason": "Nộp nhầm hồ sơ"}})
	if r.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", r.Status, r.Body)
	}
	r.decode(t, &doc)
	if !doc.Withdrawn || doc.WithdrawReason == nil || *doc.WithdrawReason != "Nộp nhầm hồ sơ" || len(doc.Versions) != 2 {
		t.Fatalf("withdrawn: %+v", doc)
	}
	if _, listed := e.listDocs(t, s.id, tm.clerk, false)[doc.ID]; listed {
		t.Error("a withdrawn document is in the default list")
	}
	if d, listed := e.listDocs(t, s.id, tm.clerk, true)[doc.ID]; !listed || !d.Withdrawn {
		t.Error("a withdrawn document is missing from the history")
	}
	if r := e.get(content+"?version=1", tm.ksv); r.Status != http.StatusOK || !bytes.Equal(r.Body, scan) {
		t.Errorf("a withdrawn document's version is no longer readable: %d", r.Status)
	}
	body, ct = formBody(t, nil, "v3.pdf", scan)
	wantError(t, e.sendBody("POST", v1+"/files/"+doc.ID+"/versions", tm.ksv, ct, bytes.NewReader(body), int64(len(body)), nil), http.StatusConflict, "conflict")
	wantError(t, e.send(req{Method: "POST", Path: v1 + "/files/" + doc.ID + "/withdraw", Token: tm.clerk,
		Body: map[string]any{"version": doc.Version, "reason": "Lần nữa"}}), http.StatusConflict, "conflict")
	if n := e.count(`SELECT count(*) FROM case_document_versions WHERE document_id = $1`, doc.ID); n != 2 {
		t.Errorf("%d versions stored, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'file.withdraw' AND target_id = $1 AND outcome = 'success'`, doc.ID); n != 1 {
		t.Errorf("withdrawal audited %d times", n)
	}

	// Another province's people do not learn the case file exists.
	hcm := e.login("hcm.vientruong").AccessToken
	for _, p := range []string{filesPath, v1 + "/files/" + doc.ID, content, filesPath + "/manifest", filesPath + "/export", v1 + "/files/" + doc.ID + "/link"} {
		wantError(t, e.get(p, hcm), http.StatusNotFound, "not_found")
	}
	wantError(t, e.upload(filesPath, hcm, docFields("evidence", "Thử", "normal"), "a.pdf", scan[:1000]), http.StatusNotFound, "not_found")
	// A prosecutor of the unit who is not on the team reads the case but may not add to it.
	ksv2 := e.login("hnkv1.ksv2").AccessToken
	wantError(t, e.upload(filesPath, ksv2, docFields("evidence", "Thử", "normal"), "a.pdf", scan[:1000]), http.StatusForbidden, "forbidden")

	// Classification: a secret (tối mật) and a confidential (mật) document.
	r = e.upload(filesPath, tm.chief, docFields("statements", "Lời khai của người làm chứng bí mật", "secret"), "loi-khai.pdf", pdfBytes(3, 5000))
	if r.Status != http.StatusCreated {
		t.Fatalf("secret upload: %d %s", r.Status, r.Body)
	}
	var secret documentView
	r.decode(t, &secret)
	r = e.upload(filesPath, tm.ksv, docFields("expert_reports", "Kết luận giám định", "confidential"), "gd.pdf", pdfBytes(4, 5000))
	if r.Status != http.StatusCreated {
		t.Fatalf("confidential upload: %d %s", r.Status, r.Body)
	}
	var conf documentView
	r.decode(t, &conf)
	hn := e.login("hn.vientruong").AccessToken
	for _, c := range []struct {
		who               string
		token             string
		secret, confident bool
	}{
		{"the lead prosecutor (team)", tm.ksv, true, true},
		{"the unit's chief", tm.chief, true, true},
		{"a prosecutor not on the team", ksv2, false, false},
		{"the clerk", tm.clerk, false, false},
		{"the provincial chief", hn, false, true},
	} {
		listed := e.listDocs(t, s.id, c.token, true)
		for _, x := range []struct {
			d    documentView
			want bool
		}{{secret, c.secret}, {conf, c.confident}} {
			_, got := listed[x.d.ID]
			status := e.get(v1+"/files/"+x.d.ID, c.token).Status
			dl := e.get(v1+"/files/"+x.d.ID+"/content", c.token).Status
			if got != x.want || (status == http.StatusOK) != x.want || (dl == http.StatusOK) != x.want {
				t.Errorf("%s and the %s document: listed %v, GET %d, content %d; want visible=%v", c.who, x.d.Classification, got, status, dl, x.want)
			}
			if !x.want && (status != http.StatusNotFound || dl != http.StatusNotFound) {
				t.Errorf("%s: a hidden document answers %d/%d, want 404", c.who, status, dl)
			}
		}
	}
	// Nobody files a document above what they may read.
	wantDetail(t, e.upload(filesPath, tm.clerk, docFields("evidence", "Tài liệu mật", "secret"), "a.pdf", scan[:2000]),
		http.StatusForbidden, "forbidden", "classification", "clearance")

	// The manifest, as the chief sees it, is signed by the server's key and lists every version.
	r = e.get(filesPath+"/manifest", tm.chief)
	if r.Status != http.StatusOK {
		t.Fatalf("manifest: %d %s", r.Status, r.Body)
	}
	var mf struct {
		Manifest       service.Manifest `json:"manifest"`
		ManifestBase64 string           `json:"manifest_base64"`
		Signature      string           `json:"signature"`
		PublicKey      string           `json:"public_key"`
	}
	r.decode(t, &mf)
	mb, _ := base64.StdEncoding.DecodeString(mf.ManifestBase64)
	sig, _ := base64.StdEncoding.DecodeString(mf.Signature)
	if !service.VerifyManifest(e.signer.PublicKey(), mb, sig) {
		t.Fatal("the manifest's signature does not verify with the server's key")
	}
	if service.VerifyManifest(e.signer.PublicKey(), bytes.Replace(mb, []byte(sha(scan)), []byte(sha(scan2)), 1), sig) {
		t.Fatal("a changed manifest still verifies")
	}
	hashes := map[string]bool{}
	for _, d := range mf.Manifest.Documents {
		for _, v := range d.Versions {
			hashes[v.SHA256] = true
		}
	}
	if len(mf.Manifest.Documents) != 3 || !hashes[sha(scan)] || !hashes[sha(scan2)] || mf.Manifest.CaseID != s.id {
		t.Fatalf("manifest: %+v", mf.Manifest)
	}

	// The export streams a ZIP whose manifest is signed and whose files match it; the default
	// holds the current versions of the documents in force (the withdrawn one is not).
	for _, all := range []bool{false, true} {
		r = e.get(filesPath+"/export?all_versions="+strconv.FormatBool(all), tm.chief)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %d %s", r.Status, r.Header)
		}
		chk, err := service.CheckExport(bytes.NewReader(r.Body), int64(len(r.Body)), e.signer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		want := 2
		if all {
			want = 4
		}
		if !chk.SignatureValid || len(chk.Problems) != 0 || chk.Files != want {
			t.Fatalf("export all=%v: %+v", all, chk)
		}
	}
	// A file changed inside the ZIP is caught by the offline check.
	zr, _ := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, "statements/") {
			b[len(b)-1] ^= 0xff
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(b)
	}
	_ = zw.Close()
	chk, err := service.CheckExport(bytes.NewReader(out.Bytes()), int64(out.Len()), e.signer.PublicKey())
	if err != nil || len(chk.Problems) != 1 || !strings.HasPrefix(chk.Problems[0], "statements/") {
		t.Fatalf("tampered export: %+v %v", chk, err)
	}
}

// limitedBody yields n bytes of a PDF-looking stream and counts how many the server pulled.
type limitedBody struct {
	n, read int64
	pulled  *atomic.Int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), b.n-b.read)
	for i := range p[:k] {
		p[i] = 'x'
	}
	if b.read == 0 && k >= 5 {
		copy(p, "%PDF-")
	}
	b.read += k
	b.pulled.Add(k)
	return int(k), nil
}

// streamedForm is a multipart upload whose file part is produced on the fly.
func streamedForm(fields [][2]string, file io.Reader) (io.Reader, string) {
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() {
		for _, f := range fields {
			_ = w.WriteField(f[0], f[1])
		}
		fw, _ := w.CreateFormFile("file", "lon.pdf")
		if _, err := io.Copy(fw, file); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(w.Close())
	}()
	return pr, w.FormDataContentType()
}

// TestUploadOverTheLimit refuses oversized uploads on both stores: the local folder of `make run`
// and a real MinIO server.
func TestUploadOverTheLimit(t *testing.T) {
	t.Run("disk", func(t *testing.T) { overTheLimit(t) })
	t.Run("minio", func(t *testing.T) {
		minio, _ := openMinio(t)
		overTheLimit(t, withObjects(func(*testing.T) service.ObjectStore { return minio }))
	})
}

func overTheLimit(t *testing.T, opts ...envOption) {
	const limit = 1 << 20
	e := newEnv(t, append(opts, withMaxFileSize(limit))...)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	path := v1 + "/cases/" + s.id + "/files"
	fields := docFields("evidence", "Video camera an ninh", "normal")

	// A declared length over the limit is refused from the header, before the body is read: on a
	// raw connection, the answer comes while not one byte of the body has been sent.
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, ct := formBody(t, fields, "lon.pdf", []byte("%PDF-"))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kiemsat\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		path, tm.clerk, ct, int64(3)<<30)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a declared over-size body: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "payload_too_large") {
		t.Fatalf("declared over-size: %d %s", res.StatusCode, b)
	}

	// A chunked body is cut off once past the limit: 413 naming the file, nothing kept.
	var pulled atomic.Int64
	body, ct := streamedForm(fields, &limitedBody{n: 16 << 20, pulled: &pulled})
	r := e.sendBody("POST", path, tm.clerk, ct, body, -1, nil)
	wantDetail(t, r, http.StatusRequestEntityTooLarge, "payload_too_large", "file", "max_size")
	if p := pulled.Load(); p > 8<<20 {
		t.Errorf("the server read %d bytes of a chunked body over a %d-byte limit", p, limit)
	}
	// Exactly the limit is accepted.
	body, ct = streamedForm(fields, &limitedBody{n: limit, pulled: &pulled})
	r = e.sendBody("POST", path, tm.clerk, ct, body, -1, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("a file of exactly the limit: %d %s", r.Status, r.Body)
	}
	if n := e.count(`SELECT count(*) FROM case_documents WHERE case_id = $1`, s.id); n != 1 {
		t.Errorf("%d documents, want the one within the limit", n)
	}
	if keys := objectKeys(t, e.objects, s.id); len(keys) != 1 {
		t.Errorf("objects left %v, want the one within the limit", keys)
	}
	if n := e.count(`SELECT count(*) FROM object_uploads`); n != 0 {
		t.Errorf("%d uploads still in flight", n)
	}
}

// faultyObjects fails Delete while broken is set, as a process that died before cleaning up would.
type faultyObjects struct {
	service.ObjectStore
	broken atomic.Bool
}

func (f *faultyObjects) Delete(ctx context.Context, key string) error {
	if f.broken.Load() {
		return errors.New("the process died here")
	}
	return f.ObjectStore.Delete(ctx, key)
}

func TestUploadFaultsOnMinio(t *testing.T) {
	minio, srv := openMinio(t)
	faulty := &faultyObjects{ObjectStore: minio}
	e := newEnv(t, withObjects(func(*testing.T) service.ObjectStore { return faulty }))
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	path := v1 + "/cases/" + s.id + "/files"
	ctx := context.Background()

	// Killed between the object and its row: the object is stored, the row is refused (a trigger
	// stands in for the crash) and the cleanup never happens. The upload's record in flight stays,
	// the object is unreferenced, and the sweeper removes it once the grace period has passed.
	e.exec(`CREATE FUNCTION refuse_doc() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$`)
	e.exec(`CREATE TRIGGER refuse_doc BEFORE INSERT ON case_documents FOR EACH ROW EXECUTE FUNCTION refuse_doc()`)
	faulty.broken.Store(true)
	r := e.upload(path, tm.clerk, docFields("evidence", "Ảnh hiện trường", "normal"), "a.pdf", pdfBytes(5, 200000))
	wantError(t, r, http.StatusInternalServerError, "internal")
	faulty.broken.Store(false)
	e.exec(`DROP TRIGGER refuse_doc ON case_documents`)
	orphans := objectKeys(t, minio, s.id)
	if len(orphans) != 1 || e.count(`SELECT count(*) FROM object_uploads WHERE object_key = $1`, orphans[0]) != 1 {
		t.Fatalf("after the crash: objects %v, in flight %d", orphans, e.count(`SELECT count(*) FROM object_uploads`))
	}
	rep, err := e.svc.Files.Verify(ctx, s.id, nil)
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Kind != "unreferenced" || rep.Problems[0].Key != orphans[0] {
		t.Fatalf("verify sees the orphan: %+v %v", rep, err)
	}
	if n, err := e.svc.Files.SweepUploads(ctx); err != nil || n != 0 {
		t.Fatalf("a sweep within the grace period removed %d (%v)", n, err)
	}
	// A committed upload in the meantime must survive every sweep.
	keep := pdfBytes(6, 70000)
	r = e.upload(path, tm.clerk, docFields("evidence", "Ảnh giữ lại", "normal"), "b.pdf", keep)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var kept documentView
	r.decode(t, &kept)
	e.clock.Advance(2 * time.Hour)
	tm = loginKV1(e) // the access tokens expired meanwhile
	if n, err := e.svc.Files.SweepUploads(ctx); err != nil || n != 1 {
		t.Fatalf("the sweep after the grace period removed %d (%v), want 1", n, err)
	}
	if keys := objectKeys(t, minio, s.id); len(keys) != 1 || strings.Contains(keys[0], orphans[0]) {
		t.Fatalf("objects after the sweep: %v", keys)
	}
	if n := e.count(`SELECT count(*) FROM object_uploads`); n != 0 {
		t.Errorf("%d uploads in flight after the sweep", n)
	}
	if r := e.get(v1+"/files/"+kept.ID+"/content", tm.clerk); r.Status != http.StatusOK || !bytes.Equal(r.Body, keep) {
		t.Fatalf("the committed file after the sweep: %d", r.Status)
	}

	// A tampered object and a vanished one are caught by verify.
	var tampered string
	r = e.upload(path, tm.clerk, docFields("evidence", "Ảnh sẽ bị sửa", "normal"), "c.pdf", pdfBytes(7, 9000))
	var victim documentView
	r.decode(t, &victim)
	for _, k := range objectKeys(t, minio, s.id) {
		if strings.Contains(k, victim.ID) {
			tampered = k
		}
	}
	if _, err := minio.Put(ctx, tampered, bytes.NewReader(pdfBytes(8, 9000)), 9000, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	rep, err = e.svc.Files.Verify(ctx, "", nil)
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Kind != "mismatch" || rep.Problems[0].Key != tampered || rep.Checked != 2 {
		t.Fatalf("verify after tampering: %+v %v", rep, err)
	}
	// Serving it refuses too: the download re-checks nothing but the size, so change that.
	if _, err := minio.Put(ctx, tampered, bytes.NewReader(pdfBytes(8, 100)), 100, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.get(v1+"/files/"+victim.ID+"/content", tm.clerk), http.StatusInternalServerError, "internal")
	if err := minio.Delete(ctx, tampered); err != nil {
		t.Fatal(err)
	}
	rep, _ = e.svc.Files.Verify(ctx, s.id, nil)
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != "missing" {
		t.Fatalf("verify after deletion: %+v", rep)
	}

	// The server stopped mid-upload: 503, and no document row.
	docs := e.count(`SELECT count(*) FROM case_documents`)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan response, 1)
	go func() {
		done <- e.sendBody("POST", path, tm.clerk, mw.FormDataContentType(), pr, -1, nil)
	}()
	for _, f := range docFields("evidence", "Video dài", "normal") {
		_ = mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", "video.pdf")
	chunk := pdfBytes(9, 1<<20)
	for i := 0; i < 8; i++ {
		if _, err := fw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	srv.Stop()
	go func() {
		for i := 0; i < 64; i++ {
			if _, err := fw.Write(chunk); err != nil {
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	select {
	case r = <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("the upload did not end after the store stopped")
	}
	pr.CloseWithError(errors.New("test over"))
	wantError(t, r, http.StatusServiceUnavailable, "unavailable")
	if n := e.count(`SELECT count(*) FROM case_documents`); n != docs {
		t.Errorf("%d documents after the failed upload, want %d", n, docs)
	}
	// Downloads say the same while the store is down.
	wantError(t, e.get(v1+"/files/"+kept.ID+"/content", tm.clerk), http.StatusServiceUnavailable, "unavailable")
}

// Concurrent uploads to one case file take distinct numbers, and concurrent re-uploads of one
// document distinct version numbers, with nothing lost: the case row and the document row are
// locked in turn.
func TestConcurrentUploads(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	s := newStory(t, e, tm, nil)
	const n = 8
	statuses := make(chan int, 2*n)
	docs := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.upload(v1+"/cases/"+s.id+"/files", tm.clerk, docFields("evidence", "Ảnh số "+strconv.Itoa(i), "normal"), "a.pdf", pdfBytes(uint64(100+i), 20000))
			statuses <- r.Status
			var d documentView
			if r.Status == http.StatusCreated {
				_ = json.Unmarshal(r.Body, &d)
				docs <- d.ID
			}
		}()
	}
	wg.Wait()
	first := <-docs
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, ct := formBody(t, nil, "b.pdf", pdfBytes(uint64(200+i), 20000))
			statuses <- e.sendBody("POST", v1+"/files/"+first+"/versions", tm.ksv, ct, bytes.NewReader(body), int64(len(body)), nil).Status
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusCreated {
			t.Errorf("a concurrent upload answered %d", st)
		}
	}
	if got := e.count(`SELECT count(DISTINCT seq) FROM case_documents WHERE case_id = $1 AND seq BETWEEN 1 AND $2`, s.id, n); got != n {
		t.Errorf("%d distinct document numbers 1..%d, want %d", got, n, n)
	}
	if got := e.count(`SELECT count(DISTINCT n) FROM case_document_versions WHERE document_id = $1 AND n BETWEEN 1 AND $2`, first, n+1); got != n+1 {
		t.Errorf("%d distinct versions 1..%d, want %d", got, n+1, n+1)
	}
	if got := e.count(`SELECT current_version FROM case_documents WHERE id = $1`, first); got != n+1 {
		t.Errorf("current version %d, want %d", got, n+1)
	}
	if keys := objectKeys(t, e.objects, s.id); len(keys) != 2*n {
		t.Errorf("%d objects, want %d", len(keys), 2*n)
	}
}
