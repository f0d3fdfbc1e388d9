package repository

import "context"

// SetDuplicateFilterMax sets how many records of the window FindDuplicates compares one by one
// before it reads the trigram index instead, and returns a function putting it back.
func SetDuplicateFilterMax(n int) (restore func()) {
	old := duplicateFilterMax
	duplicateFilterMax = n
	return func() { duplicateFilterMax = old }
}

// CurrentSetting reads a run-time setting on the connection (or transaction) ctx carries.
func (s *Store) CurrentSetting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.conn(ctx).Raw(`SELECT coalesce(current_setting(?, true), '')`, name).Scan(&v).Error
	return v, err
}
