package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/repository"
)

// multipartForm writes fields (in order) then a file part, as the case page's forms send them.
func multipartForm(t *testing.T, fields [][2]string, name string, content []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), &buf
}

func (u *pagesUser) postMultipart(path string, fields [][2]string, name string, content []byte) pagesResp {
	u.e.t.Helper()
	ct, body := multipartForm(u.e.t, fields, name, content)
	req, err := http.NewRequest(http.MethodPost, u.e.srv.URL+path, body)
	if err != nil {
		u.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	return u.do(req)
}

// The case file on the case page: upload, a new version (both kept, each downloadable), a
// withdrawal that needs its reason, and the document only ever reached through its own case.
func TestPagesCaseFile(t *testing.T) {
	objects, err := repository.NewDiskObjects(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := &pagesClock{now: time.Now().Truncate(time.Millisecond)}
	app := NewTestApp(t, TestAppOptions{Clock: clock, Password: pagesPassword, Objects: objects})
	e := &pagesEnv{t: t, srv: app.Srv, svc: app.Svc, jwt: app.JWT, clock: clock, units: app.Units}
	ctx := context.Background()
	ksvP := e.principal("hnkv1.ksv1")
	open := true
	list, err := e.svc.Cases.List(ctx, ksvP, domain.CaseFilter{ProsecutorID: &ksvP.User.ID, Open: &open, IncludeSubunits: true, Limit: 2})
	if err != nil || len(list.Items) < 2 {
		t.Fatalf("hnkv1.ksv1 needs two open cases in the demo data (%v)", err)
	}
	caseID, otherCase := list.Items[0].ID, list.Items[1].ID
	ksv := e.login("hnkv1.ksv1")

	first, second := []byte("%PDF-1.4 bản quét lần 1\n"), []byte("%PDF-1.4 bản quét lần 2, đã sửa\n")
	if r := ksv.postMultipart("/cases/"+caseID+"/files", [][2]string{{"title", "Biên bản khám nghiệm"}, {"section", "investigation"}}, "kn.pdf", first); r.status != http.StatusForbidden {
		t.Errorf("upload without the CSRF field: %d", r.status)
	}
	r := ksv.postMultipart("/cases/"+caseID+"/files", [][2]string{{"csrf", ksv.csrf}, {"title", "Biên bản khám nghiệm"}, {"section", "investigation"}}, "kn.pdf", first)
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.status, excerpt(r.body))
	}
	docs, err := e.svc.Files.List(ctx, ksvP, caseID, false)
	if err != nil || len(docs) == 0 {
		t.Fatalf("after the upload the case file has %d documents (%v)", len(docs), err)
	}
	doc := docs[len(docs)-1]
	for _, d := range docs {
		if d.Title == "Biên bản khám nghiệm" {
			doc = d
		}
	}
	base := "/cases/" + caseID + "/files/" + doc.ID
	// The document is reached only through its own case.
	if r := ksv.postMultipart("/cases/"+otherCase+"/files/"+doc.ID+"/versions", [][2]string{{"csrf", ksv.csrf}, {"note", "x"}}, "kn2.pdf", second); r.status != http.StatusNotFound {
		t.Errorf("a new version through another case: %d", r.status)
	}
	r = ksv.postMultipart(base+"/versions", [][2]string{{"csrf", ksv.csrf}, {"note", "bản quét rõ hơn"}}, "kn2.pdf", second)
	if r.status != http.StatusSeeOther {
		t.Fatalf("new version: %d\n%s", r.status, excerpt(r.body))
	}
	got, err := e.svc.Files.Get(ctx, ksvP, doc.ID)
	if err != nil || got.CurrentVersion != 2 {
		t.Fatalf("after a new version: current %d (%v)", got.CurrentVersion, err)
	}
	for v, want := range map[string][]byte{"1": first, "2": second, "": second} {
		r := ksv.get("/files/" + doc.ID + "/content?v=" + v)
		if r.status != http.StatusOK || r.body != string(want) {
			t.Errorf("download v=%q: %d, %q", v, r.status, r.body)
		}
	}
	// Withdrawal: the reason is required, shown next to the form; with it, the document leaves
	// the list but stays on record.
	r = ksv.post(base+"/withdraw", url.Values{"row_version": {itoa(got.RowVersion)}, "reason": {""}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "field-error") {
		t.Fatalf("withdraw without a reason: %d\n%s", r.status, excerpt(r.body))
	}
	r = ksv.post(base+"/withdraw", url.Values{"row_version": {itoa(got.RowVersion)}, "reason": {"Nộp nhầm hồ sơ"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d\n%s", r.status, excerpt(r.body))
	}
	if got, err := e.svc.Files.Get(ctx, ksvP, doc.ID); err != nil || !got.Withdrawn() || got.WithdrawReason != "Nộp nhầm hồ sơ" {
		t.Fatalf("after withdrawal: %+v (%v)", got.WithdrawnAt, err)
	}
	if strings.Contains(ksv.mustGet("/cases/"+caseID), base+"/withdraw") {
		t.Errorf("the withdrawn document is still listed on the case page")
	}
}
