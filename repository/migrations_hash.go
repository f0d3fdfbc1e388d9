package repository

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
)

// MigrationsFingerprint returns the hex SHA-256 of every embedded migration file, names
// and contents, in lexical order. Test harnesses name their migrated template database
// after it, so that a template built from older migrations is never reused by mistake.
func MigrationsFingerprint() string {
	h := sha256.New()
	err := fs.WalkDir(embeddedMigrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(embeddedMigrations, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write([]byte{0})
		h.Write(b)
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		// The files are compiled into the binary, so reading them cannot fail short of a
		// broken build; a fingerprint that silently ignored a file would be worse.
		panic("repository: reading embedded migrations: " + err.Error())
	}
	return hex.EncodeToString(h.Sum(nil))
}
