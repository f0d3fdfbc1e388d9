//go:build !unix

package pgcluster

import (
	"errors"
	"os/exec"
)

// runAs cannot switch users on this platform; serverAccount only returns an account for
// root, which does not exist here, so this is never reached in practice.
func (a *account) runAs(cmd *exec.Cmd) error {
	if a == nil {
		return nil
	}
	return errors.New("running the server as another user is only supported on Unix")
}

// checkReachable has nothing to check where users cannot be switched.
func (a *account) checkReachable(dir string) error { return nil }
