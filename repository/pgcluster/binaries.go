package pgcluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrBinariesNotFound is returned (wrapped) by FindBinaries and Start when no PostgreSQL
// server binaries exist and they could not be installed, so that callers such as tests can
// tell "this machine has no PostgreSQL" apart from a real failure.
var ErrBinariesNotFound = errors.New("PostgreSQL server binaries not found: install the Debian package postgresql-15 " +
	"(apt-get install postgresql-15 postgresql-contrib; on other releases apt-get install postgresql postgresql-contrib), " +
	"or set DATABASE_URL to an existing server")

// serverPrograms are the programs a cluster needs; they must sit in one directory because
// pg_ctl finds postgres next to itself.
var serverPrograms = []string{"initdb", "pg_ctl", "postgres"}

// debianLibDir is where Debian and Ubuntu put each major version's server binaries
// (/usr/lib/postgresql/15/bin), outside PATH.
const debianLibDir = "/usr/lib/postgresql"

// FindBinaries returns the directory holding initdb, pg_ctl and postgres. It looks on PATH
// first (the user's explicit choice), then in /usr/lib/postgresql/*/bin, highest version
// first. When none are found and install is true, and the process is root on a
// Debian-like system, it installs the distribution's PostgreSQL with apt-get, showing
// apt-get's output on log, and looks again; this is what lets a fresh machine run the
// project with a single make command. Otherwise the error wraps ErrBinariesNotFound and
// names the package to install.
func FindBinaries(install bool, log io.Writer) (binDir string, err error) {
	if log == nil {
		log = io.Discard
	}
	if dir, ok := lookBinaries(); ok {
		return dir, nil
	}
	if !install {
		return "", ErrBinariesNotFound
	}
	if reason := cannotInstall(); reason != "" {
		return "", fmt.Errorf("%w (not installing them automatically: %s)", ErrBinariesNotFound, reason)
	}
	fmt.Fprintln(log, "pgcluster: PostgreSQL server binaries not found; installing them with apt-get")
	for _, args := range [][]string{
		{"update"},
		{"install", "-y", "postgresql", "postgresql-contrib"},
	} {
		fmt.Fprintf(log, "pgcluster: running apt-get %s\n", strings.Join(args, " "))
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout = log
		cmd.Stderr = log
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w (%w)", args[0], err, ErrBinariesNotFound)
		}
	}
	if dir, ok := lookBinaries(); ok {
		fmt.Fprintf(log, "pgcluster: using PostgreSQL binaries in %s\n", dir)
		return dir, nil
	}
	return "", fmt.Errorf("apt-get installed postgresql but no initdb appeared: %w", ErrBinariesNotFound)
}

// lookBinaries searches PATH, then the Debian version directories.
func lookBinaries() (string, bool) {
	if p, err := exec.LookPath("initdb"); err == nil {
		candidates := []string{filepath.Dir(p)}
		// /usr/local/bin/initdb is often a symlink into /usr/lib/postgresql/N/bin, where
		// the other programs are even if they are not linked too.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
		for _, dir := range candidates {
			if hasServerPrograms(dir) {
				return dir, true
			}
		}
	}
	for _, dir := range debianVersionDirs() {
		if hasServerPrograms(dir) {
			return dir, true
		}
	}
	return "", false
}

// debianVersionDirs lists /usr/lib/postgresql/*/bin, highest major version first.
func debianVersionDirs() []string {
	entries, err := os.ReadDir(debianLibDir)
	if err != nil {
		return nil
	}
	type versioned struct {
		dir string
		ver []int
	}
	var found []versioned
	for _, e := range entries {
		ver, ok := parseVersion(e.Name())
		if !ok {
			continue
		}
		found = append(found, versioned{filepath.Join(debianLibDir, e.Name(), "bin"), ver})
	}
	sort.Slice(found, func(i, j int) bool { return versionLess(found[j].ver, found[i].ver) })
	dirs := make([]string, len(found))
	for i, f := range found {
		dirs[i] = f.dir
	}
	return dirs
}

// parseVersion reads "15" or "9.6" as numbers so that 15 sorts above 9.6.
func parseVersion(s string) ([]int, bool) {
	var ver []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		ver = append(ver, n)
	}
	return ver, true
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func hasServerPrograms(dir string) bool {
	for _, name := range serverPrograms {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// cannotInstall says why apt-get cannot be used here, or "" when it can.
func cannotInstall() string {
	if os.Geteuid() != 0 {
		return "not running as root"
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "apt-get not found, this is not a Debian or Ubuntu system"
	}
	return ""
}
