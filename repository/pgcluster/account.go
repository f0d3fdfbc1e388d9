package pgcluster

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// account is the OS user the server programs run as when this process is root.
type account struct {
	name     string
	uid, gid int
}

// serverAccount returns nil when the process is not root, since then the programs simply
// run as the current user; as root it returns the postgres user, because initdb and
// postgres refuse to run as root.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, so the server must run as the postgres OS user, but looking it up failed "+
			"(installing the Debian package postgresql creates it, or run as a normal user): %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("postgres user id %q: %w", u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("postgres group id %q: %w", u.Gid, err)
	}
	return &account{name: u.Username, uid: uid, gid: gid}, nil
}

// chown hands path to the account; it does nothing when there is no account to switch to.
func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	if err := os.Chown(path, a.uid, a.gid); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, a.name, err)
	}
	return nil
}
