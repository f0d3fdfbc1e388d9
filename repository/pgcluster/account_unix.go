//go:build unix

package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// runAs makes cmd run as the account, dropping root's supplementary groups.
func (a *account) runAs(cmd *exec.Cmd) error {
	if a == nil {
		return nil
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid), Groups: []uint32{}},
	}
	return nil
}

// checkReachable fails early, with a message naming the culprit, when a directory above
// dir cannot be searched by the account: initdb's own error for that ("could not change
// directory" or "permission denied") does not say which directory to fix.
func (a *account) checkReachable(dir string) error {
	if a == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		// A missing directory will be created world-searchable; only existing ones count.
		if st, ok := statT(fi); ok {
			perm := fi.Mode().Perm()
			var search bool
			switch {
			case int(st.Uid) == a.uid:
				search = perm&0o100 != 0
			case int(st.Gid) == a.gid:
				search = perm&0o010 != 0
			default:
				search = perm&0o001 != 0
			}
			if !search {
				return fmt.Errorf("the %s OS user cannot reach %s because %s has mode %v: "+
					"run chmod o+x %s, or put the data directory elsewhere", a.name, dir, p, perm, p)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// statT returns the owner information of an existing file.
func statT(fi os.FileInfo) (*syscall.Stat_t, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
}
