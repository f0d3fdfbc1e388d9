package main

import (
	"context"
	"errors"
)

func runLoad(ctx context.Context, args []string) error { return errors.New("load: being written") }
