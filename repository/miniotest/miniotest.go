// Package miniotest starts a real MinIO server for tests: the binary installed by `make test`
// (go install of the pinned release, cached in GOBIN), on loopback ports of its own, with a
// temporary data folder, stopped and removed when the test ends. Tests of object storage run
// against it, never against a fake.
package miniotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running MinIO server.
type Server struct {
	Endpoint  string // host:port of the S3 API
	AccessKey string
	SecretKey string
	cmd       *exec.Cmd
	done      chan struct{}
	dir       string
	t         testing.TB
	env       []string
}

// Binary finds the MinIO server binary: $MINIO_BIN, then minio on PATH, then GOBIN or
// $(go env GOPATH)/bin, where `make test` installs it.
func Binary() (string, error) {
	if b := os.Getenv("MINIO_BIN"); b != "" {
		return b, nil
	}
	if b, err := exec.LookPath("minio"); err == nil {
		return b, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, p := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	for _, d := range dirs {
		b := filepath.Join(d, "minio")
		if st, err := os.Stat(b); err == nil && !st.IsDir() {
			return b, nil
		}
	}
	return "", fmt.Errorf("no MinIO server binary: run `make test` (it installs the pinned release) or set MINIO_BIN")
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Start runs a MinIO server for the test and stops it when the test ends. env adds variables of
// the server's (NAME=value), e.g. a KMS key for server-side encryption.
func Start(t testing.TB, env ...string) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "kiemsat-minio-")
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 12)
	_, _ = rand.Read(secret)
	s := &Server{AccessKey: "kiemsat-test", SecretKey: hex.EncodeToString(secret), dir: dir, t: t, env: env}
	var lastErr error
	for range 3 { // a port taken between choosing and binding it: try again
		if lastErr = s.start(bin); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		_ = os.RemoveAll(dir)
		t.Fatal(lastErr)
	}
	t.Cleanup(func() {
		s.Stop()
		_ = os.RemoveAll(dir)
	})
	return s
}

func (s *Server) start(bin string) error {
	api, err := freeAddr()
	if err != nil {
		return err
	}
	console, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "server", "--quiet", "--address", api, "--console-address", console, filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey, "MINIO_BROWSER=off",
		"MINIO_UPDATE=off", "MINIO_CI_CD=1")
	cmd.Env = append(cmd.Env, s.env...)
	logf, err := os.Create(filepath.Join(s.dir, "minio.log"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start minio: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	s.cmd, s.done, s.Endpoint = cmd, done, api
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "minio.log"))
			return fmt.Errorf("minio exited at start: %s", log)
		default:
		}
		if s.ready(api) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("minio on %s not ready within 60 s", api)
}

// Stop ends the server (a fault test stops it mid-operation); stopping twice is harmless.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// ready says whether the server takes S3 requests: its readiness probe answers 200 and an
// anonymous S3 request is refused as unauthorised rather than with "Server not initialized yet"
// (503), which MinIO answers for a while after its liveness probe is already up.
func (s *Server) ready(api string) bool {
	get := func(path string) int {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+api+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("/minio/health/ready") != http.StatusOK {
		return false
	}
	code := get("/")
	return code != 0 && code != http.StatusServiceUnavailable
}
