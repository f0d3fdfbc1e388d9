package pgcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Options says where and how Start runs the private cluster.
type Options struct {
	// Dir is the cluster's data directory, such as ".data/pg"; a relative path is taken
	// from the working directory. It is created and initialized when it holds no cluster.
	Dir string
	// Log receives one-line progress messages and apt-get's output; nil discards them.
	Log io.Writer
	// Fast turns off fsync, synchronous_commit and full_page_writes. That makes test runs
	// much quicker and loses data only if the machine crashes, which is fine for a
	// throwaway test cluster and wrong for a developer's cluster with data they care about.
	Fast bool
	// Install lets Start install PostgreSQL with apt-get when no server binaries are found
	// and the process is root on Debian or Ubuntu (see FindBinaries).
	Install bool
	// Fresh stops any server still running in Dir and deletes Dir before starting, so that
	// every test run begins from an empty cluster. Start refuses to delete a non-empty Dir
	// that does not hold a PostgreSQL cluster, to protect a mistyped path.
	Fresh bool
}

// Cluster is a running private PostgreSQL server. Its methods are not safe for concurrent
// use; URL may be called from any goroutine once Start has returned.
type Cluster struct {
	binDir  string
	dir     string
	port    int
	log     io.Writer
	acct    *account
	stopped bool
}

// Names of files inside the data directory.
const (
	// confFile holds the settings Start writes at every start (port, addresses, tuning);
	// postgresql.conf includes it, so initdb's own file stays untouched otherwise.
	confFile = "kiemsat.conf"
	// logFile receives the server's log, which pg_ctl start redirects there.
	logFile = "server.log"
	// socketSubdir holds the Unix socket, kept private to the cluster so that it never
	// collides with a system server's socket in /var/run/postgresql.
	socketSubdir = "socket"
)

// maxSocketPath is the longest socket directory that still fits a Unix socket path
// (108 bytes on Linux, including "/.s.PGSQL.65535" and the terminating NUL).
const maxSocketPath = 90

// Start brings up the cluster in opts.Dir and returns once it accepts connections. It runs
// initdb when the directory holds no cluster yet (UTF8, locale C.UTF-8, superuser
// postgres, trust authentication), and reuses a server that an earlier run left running
// in the same directory, reading its port from postmaster.pid. The server listens on
// 127.0.0.1 only, on the port it used last time when that is free, otherwise on a free
// one.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: data directory: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	binDir, err := FindBinaries(opts.Install, log)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{binDir: binDir, dir: dir, log: log, acct: acct}

	if opts.Fresh {
		if err := c.wipe(ctx); err != nil {
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}
	if err := c.prepareDir(); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if !c.initialized() {
		if err := c.initdb(ctx, opts.Fast); err != nil {
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}
	if err := c.removeStaleLock(); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if port, ok := c.runningPort(ctx); ok {
		if err := waitForPort(ctx, port, 10*time.Second); err != nil {
			return nil, fmt.Errorf("pgcluster: a server is running in %s (see postmaster.pid) but port %d does not answer: %w", dir, port, err)
		}
		c.port = port
		fmt.Fprintf(log, "pgcluster: reusing the server already running in %s on 127.0.0.1:%d\n", dir, port)
		return c, nil
	}
	if err := c.start(ctx, opts.Fast); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	fmt.Fprintf(log, "pgcluster: PostgreSQL running on 127.0.0.1:%d (data %s, log %s)\n", c.port, dir, c.LogFile())
	return c, nil
}

// CheckReachable returns an error naming the directory to fix when dir could not serve as
// a data directory because this process is root and the postgres OS user, which the
// server must run as, cannot reach it (a parent such as /root has mode 0700). It returns
// nil when not root. Callers with a choice of directory use it to fall back to another
// place, such as a temporary directory, instead of failing.
func CheckReachable(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("pgcluster: data directory: %w", err)
	}
	acct, err := serverAccount()
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := acct.checkReachable(abs); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}

// URL returns a connection URL for the postgres superuser to the named database.
func (c *Cluster) URL(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port returns the TCP port the server listens on at 127.0.0.1, for messages that tell a
// developer how to connect with psql.
func (c *Cluster) Port() int { return c.port }

// Dir returns the absolute data directory.
func (c *Cluster) Dir() string { return c.dir }

// LogFile returns the path of the server's log, the first place to look when a query
// fails for a reason the client error does not explain.
func (c *Cluster) LogFile() string { return filepath.Join(c.dir, logFile) }

// Stop shuts the server down with pg_ctl's fast mode: open sessions are disconnected and
// their transactions rolled back, which is what a developer pressing Ctrl-C expects.
// It stops the server also when Start reused one left running by an earlier process, since
// this Cluster is then the server's only owner. Calling Stop again after it succeeded does
// nothing.
func (c *Cluster) Stop() error {
	if c.stopped {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := c.pgCtl(ctx, "stop", "-D", c.dir, "-m", "fast", "-w", "-t", "90"); err != nil {
		return fmt.Errorf("pgcluster: pg_ctl stop: %w: %s", err, bytes.TrimSpace(out))
	}
	c.stopped = true
	fmt.Fprintf(c.log, "pgcluster: PostgreSQL in %s stopped\n", c.dir)
	return nil
}

// initialized reports whether the data directory already holds a cluster.
func (c *Cluster) initialized() bool {
	_, err := os.Stat(filepath.Join(c.dir, "PG_VERSION"))
	return err == nil
}

// wipe stops a server left running in the directory and deletes the directory.
func (c *Cluster) wipe(ctx context.Context) error {
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", c.dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if !c.initialized() {
		return fmt.Errorf("refusing to delete %s: it is not empty and holds no PostgreSQL cluster (no PG_VERSION)", c.dir)
	}
	if err := c.removeStaleLock(); err != nil {
		return err
	}
	if _, ok := c.runningPort(ctx); ok {
		fmt.Fprintf(c.log, "pgcluster: stopping the server left running in %s\n", c.dir)
		if out, err := c.pgCtl(ctx, "stop", "-D", c.dir, "-m", "immediate", "-w", "-t", "60"); err != nil {
			return fmt.Errorf("stopping the old server in %s: %w: %s", c.dir, err, bytes.TrimSpace(out))
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("deleting %s: %w", c.dir, err)
	}
	return nil
}

// prepareDir creates the data directory with the owner and mode PostgreSQL insists on.
// Parents are created world-searchable so that the postgres user can reach the directory
// when we are root.
func (c *Cluster) prepareDir() error {
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(c.dir), err)
	}
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating %s: %w", c.dir, err)
	}
	if err := c.acct.checkReachable(c.dir); err != nil {
		return err
	}
	if err := c.acct.chown(c.dir); err != nil {
		return err
	}
	fi, err := os.Stat(c.dir)
	if err != nil {
		return fmt.Errorf("stat %s: %w", c.dir, err)
	}
	// The server refuses to start on a data directory readable by others.
	if perm := fi.Mode().Perm(); perm != 0o700 && perm != 0o750 {
		if err := os.Chmod(c.dir, 0o700); err != nil {
			return fmt.Errorf("chmod %s: %w", c.dir, err)
		}
	}
	return nil
}

// initdb creates the cluster. C.UTF-8 gives Unicode-aware lower(), upper() and pg_trgm
// word splitting for Vietnamese text; where that locale is missing, plain C still works
// but treats non-ASCII letters as punctuation, so a warning says so.
func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	fmt.Fprintf(c.log, "pgcluster: initializing a PostgreSQL cluster in %s\n", c.dir)
	var firstErr error
	for _, locale := range []string{"C.UTF-8", "C"} {
		args := []string{"-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=" + locale}
		if fast {
			args = append(args, "--no-sync")
		}
		out, err := c.run(ctx, "initdb", args...)
		if err == nil {
			if firstErr != nil {
				fmt.Fprintf(c.log, "pgcluster: warning: locale C.UTF-8 is unavailable, the cluster uses locale C: "+
					"text search will not treat Vietnamese letters as letters (%v)\n", firstErr)
			}
			return nil
		}
		err = fmt.Errorf("initdb --locale=%s: %w\n%s", locale, err, bytes.TrimSpace(out))
		if firstErr != nil || c.initialized() {
			return err
		}
		firstErr = err
	}
	return firstErr
}

// removeStaleLock deletes a postmaster.pid whose process is gone or is not a PostgreSQL
// server. After a container restart the old process id often belongs to an unrelated
// process; the server would then take the lock file for live and refuse to start. It only
// acts where /proc tells what a process is.
func (c *Cluster) removeStaleLock() error {
	pidFile := filepath.Join(c.dir, "postmaster.pid")
	pid, _, err := readPostmasterPID(pidFile)
	if err != nil {
		return nil // no lock file, or one the server itself will judge
	}
	if _, err := os.Stat("/proc/self/comm"); err != nil {
		return nil
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err == nil {
		name := strings.TrimSpace(string(comm))
		if strings.HasPrefix(name, "postgres") || strings.HasPrefix(name, "postmaster") {
			return nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	fmt.Fprintf(c.log, "pgcluster: removing stale %s (process %d is not a PostgreSQL server)\n", pidFile, pid)
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing stale lock file: %w", err)
	}
	return nil
}

// runningPort reports the port of a server already running in the data directory.
func (c *Cluster) runningPort(ctx context.Context) (int, bool) {
	// pg_ctl status exits 0 when the server runs, 3 when it does not.
	if _, err := c.pgCtl(ctx, "status", "-D", c.dir); err != nil {
		return 0, false
	}
	_, port, err := readPostmasterPID(filepath.Join(c.dir, "postmaster.pid"))
	if err != nil || port == 0 {
		return 0, false
	}
	return port, true
}

// start writes the settings file and runs pg_ctl start, trying another port when the
// chosen one was taken between choosing it and the server binding it.
func (c *Cluster) start(ctx context.Context, fast bool) error {
	if err := c.ensureInclude(); err != nil {
		return err
	}
	socketDir := filepath.Join(c.dir, socketSubdir)
	if len(socketDir) > maxSocketPath {
		socketDir = "" // TCP only; a longer path would not fit a socket address
	} else {
		if err := os.Mkdir(socketDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("creating %s: %w", socketDir, err)
		}
		if err := c.acct.chown(socketDir); err != nil {
			return err
		}
	}
	port := c.previousPort()
	const attempts = 3
	for attempt := 1; ; attempt++ {
		if port == 0 || !portFree(port) {
			var err error
			if port, err = freePort(); err != nil {
				return err
			}
		}
		if err := c.writeConf(port, socketDir, fast); err != nil {
			return err
		}
		logStart := c.logSize()
		out, err := c.pgCtl(ctx, "start", "-D", c.dir, "-l", c.LogFile(), "-w", "-t", "120")
		if err == nil {
			c.port = port
			return nil
		}
		tail := c.logTail(logStart)
		if attempt < attempts && strings.Contains(tail, "could not bind") {
			port = 0
			continue
		}
		return fmt.Errorf("pg_ctl start: %w: %s\nserver log %s:\n%s", err, bytes.TrimSpace(out), c.LogFile(), tail)
	}
}

// ensureInclude makes postgresql.conf read confFile, appending the line once.
func (c *Cluster) ensureInclude() error {
	path := filepath.Join(c.dir, "postgresql.conf")
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading postgresql.conf: %w", err)
	}
	line := fmt.Sprintf("include_if_exists = '%s'", confFile)
	if bytes.Contains(b, []byte(line)) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("opening postgresql.conf: %w", err)
	}
	if _, err := fmt.Fprintf(f, "\n# Settings written by kiemsat's pgcluster at every start.\n%s\n", line); err != nil {
		f.Close()
		return fmt.Errorf("writing postgresql.conf: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing postgresql.conf: %w", err)
	}
	return nil
}

// writeConf writes the per-start settings. Loopback only, since trust authentication lets
// anyone who can connect in as superuser.
func (c *Cluster) writeConf(port int, socketDir string, fast bool) error {
	var b strings.Builder
	b.WriteString("# Written by kiemsat's pgcluster at every start; edits here are overwritten.\n")
	fmt.Fprintf(&b, "listen_addresses = '127.0.0.1'\n")
	fmt.Fprintf(&b, "port = %d\n", port)
	fmt.Fprintf(&b, "unix_socket_directories = '%s'\n", strings.ReplaceAll(socketDir, "'", "''"))
	if fast {
		b.WriteString("# Test tuning: a crash of the machine may lose data, which a test cluster does not mind.\n")
		b.WriteString("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
		// Parallel test packages each hold a pool; the default of 100 is tight.
		b.WriteString("max_connections = 300\n")
	} else {
		b.WriteString("shared_buffers = 256MB\n")
	}
	path := filepath.Join(c.dir, confFile)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return c.acct.chown(path)
}

// previousPort reads the port the last start used, so that a developer's psql command
// keeps working across restarts; 0 when there is none.
func (c *Cluster) previousPort() int {
	b, err := os.ReadFile(filepath.Join(c.dir, confFile))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var port int
		if n, _ := fmt.Sscanf(sc.Text(), "port = %d", &port); n == 1 {
			return port
		}
	}
	return 0
}

// logSize returns the current length of the server log, so that an error shows only
// what this start wrote.
func (c *Cluster) logSize() int64 {
	fi, err := os.Stat(c.LogFile())
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logTail returns at most the last 30 lines the server logged after offset.
func (c *Cluster) logTail(offset int64) string {
	b, err := os.ReadFile(c.LogFile())
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b[offset:])), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// pgCtl runs pg_ctl with the given arguments.
func (c *Cluster) pgCtl(ctx context.Context, args ...string) ([]byte, error) {
	return c.run(ctx, "pg_ctl", args...)
}

// run runs one of the server programs as the server account and returns its output.
// Its working directory is the data directory, which the account can always enter.
func (c *Cluster) run(ctx context.Context, program string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, program), args...)
	cmd.Dir = c.dir
	if err := c.acct.runAs(cmd); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// pg_ctl start points the server's output at the log file, but should a child ever
	// keep our output pipe open, Wait must not block for the server's whole lifetime.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.Bytes(), err
}

// readPostmasterPID reads the server's process id (line 1) and port (line 4) from
// postmaster.pid.
func readPostmasterPID(path string) (pid, port int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, 0, fmt.Errorf("%s: too short", path)
	}
	if pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil {
		return 0, 0, fmt.Errorf("%s: pid: %w", path, err)
	}
	if port, err = strconv.Atoi(strings.TrimSpace(lines[3])); err != nil {
		return 0, 0, fmt.Errorf("%s: port: %w", path, err)
	}
	return pid, port, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree reports whether the port can be bound on 127.0.0.1 right now.
func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// waitForPort waits until something accepts TCP connections on the port.
func waitForPort(ctx context.Context, port int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}
