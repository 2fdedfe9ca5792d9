package vsphere

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Retries of the write that puts promiscuous mode back after a toggle, for
// both resources: 4 attempts, 200ms, 400ms and 800ms apart.
const (
	RestoreAttempts = 4
	restoreBackoff  = 200 * time.Millisecond
)

// RestoreDeadline bounds a toggle once started: both of its writes and the
// retries of the second, which outlive the operation's cancellation (see
// restoring in lifecycle.go).
const RestoreDeadline = 30 * time.Second

// Toggle makes the two writes of a toggle: promiscuous mode off, then back
// (the desired policy), the second retried (RestoreAttempts, with backoff).
// Once started, both run on a ctx of their own: a Ctrl-C cannot stop the
// toggle between them, and an aborted request cannot leave it unknown
// whether the first one landed, and a provider process that ends (SIGTERM,
// Terraform gone) waits for it (Quiesce). If the first write fails it may still have
// landed (a task can succeed while waiting for it fails), so the second is
// made all the same. written reports that the object may be left with
// promiscuous mode off (when err is not nil).
func Toggle(ctx context.Context, off, on func(context.Context) error) (written bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	rctx, cancel, err := restoring(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	firstErr := off(rctx)
	if _, _, _, refused := MissingPrivilege(firstErr); refused {
		// Refused before anything was done: there is nothing to restore.
		return false, firstErr
	}
	err = retry(rctx, RestoreAttempts, restoreBackoff, on)
	switch {
	case err != nil:
		if firstErr != nil {
			err = fmt.Errorf("turning promiscuous mode off: %v; then writing the desired policy: %w", firstErr, err)
		}
		return true, err
	case firstErr != nil:
		return false, fmt.Errorf("turning promiscuous mode off failed, so the toggle did not take place (the desired policy was written): %w", firstErr)
	}
	return true, nil
}

// Restore makes a write that puts promiscuous mode back (a toggle's
// second write, made again later), retried like the second write of Toggle.
func Restore(ctx context.Context, on func(context.Context) error) error {
	return retry(ctx, RestoreAttempts, restoreBackoff, on)
}

// retry runs f up to attempts times with exponential backoff starting at
// base, stopping early on success or when ctx ends.
func retry(ctx context.Context, attempts int, base time.Duration, f func(context.Context) error) error {
	var err error
	delay := base
	for i := 0; i < attempts; i++ {
		if err = f(ctx); err == nil {
			return nil
		}
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
	return err
}
