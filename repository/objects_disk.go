package repository

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"kiemsat/domain"
	"kiemsat/service"
)

// objectKeyPattern is the shape of object keys: ids and slashes, never names, so no path trick
// (.., absolute paths, odd characters) reaches the file system or the bucket.
var objectKeyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,127}(/[a-z0-9][a-z0-9._-]{0,127}){0,7}$`)

func checkObjectKey(key string) error {
	if !objectKeyPattern.MatchString(key) || strings.Contains(key, "..") {
		return domain.Invalid("key", "format", "khóa lưu trữ không hợp lệ")
	}
	return nil
}

// DiskObjects keeps objects as files under a root folder: the embedded default for `make run`
// when no MinIO is configured. A write goes to a temporary file in the same folder and is renamed
// into place, so a reader never sees half an object and a crash leaves only a temporary file.
type DiskObjects struct {
	root string
}

// NewDiskObjects uses root, created with the first object (so opening it has no side effect for
// the commands that never store a file).
func NewDiskObjects(root string) (*DiskObjects, error) {
	if root == "" {
		return nil, errors.New("object folder: no path given")
	}
	return &DiskObjects{root: root}, nil
}

func (d *DiskObjects) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

// Put streams r to a temporary file, then renames it to the key's path.
func (d *DiskObjects) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) (service.ObjectInfo, error) {
	if err := checkObjectKey(key); err != nil {
		return service.ObjectInfo{}, err
	}
	p := d.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return service.ObjectInfo{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return service.ObjectInfo{}, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	n, err := io.Copy(tmp, contextReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("object %s: %d bytes written, %d announced", key, n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return service.ObjectInfo{}, err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return service.ObjectInfo{}, err
	}
	return d.Stat(ctx, key)
}

// Get opens the file, positioned at off and limited to n bytes when n > 0.
func (d *DiskObjects) Get(_ context.Context, key string, off, n int64) (io.ReadCloser, service.ObjectInfo, error) {
	if err := checkObjectKey(key); err != nil {
		return nil, service.ObjectInfo{}, err
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, service.ObjectInfo{}, domain.NotFound("tệp")
	} else if err != nil {
		return nil, service.ObjectInfo{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, service.ObjectInfo{}, err
	}
	info := service.ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}
	if off < 0 || off > info.Size || (n > 0 && off+n > info.Size) {
		f.Close()
		return nil, info, domain.Invalid("range", "out_of_range", "khoảng byte vượt quá kích thước tệp")
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return nil, info, err
	}
	if n > 0 {
		return readCloser{io.LimitReader(f, n), f}, info, nil
	}
	return f, info, nil
}

// Stat describes the file.
func (d *DiskObjects) Stat(_ context.Context, key string) (service.ObjectInfo, error) {
	if err := checkObjectKey(key); err != nil {
		return service.ObjectInfo{}, err
	}
	st, err := os.Stat(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return service.ObjectInfo{}, domain.NotFound("tệp")
	} else if err != nil {
		return service.ObjectInfo{}, err
	}
	return service.ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes the file; a missing one is fine.
func (d *DiskObjects) Delete(_ context.Context, key string) error {
	if err := checkObjectKey(key); err != nil {
		return err
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List walks the folder for keys with the prefix, in key order, skipping temporary files.
func (d *DiskObjects) List(ctx context.Context, prefix string, fn func(service.ObjectInfo) error) error {
	if _, err := os.Stat(d.root); errors.Is(err, fs.ErrNotExist) {
		return nil // nothing stored yet
	}
	var infos []service.ObjectInfo
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), ".upload-") {
			return err
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		st, err := e.Info()
		if err != nil {
			return err
		}
		infos = append(infos, service.ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()})
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Key < infos[j].Key })
	for _, in := range infos {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

// contextReader stops a copy when the context ends (a client gone mid-upload).
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type readCloser struct {
	io.Reader
	io.Closer
}
