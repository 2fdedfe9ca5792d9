package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// Retries of the write that puts promiscuous mode back after a toggle, for
// both resources: 4 attempts, 200ms, 400ms and 800ms apart.
const (
	restoreAttempts = 4
	restoreBackoff  = 200 * time.Millisecond
)

// toggleWrites makes the two writes of a toggle: promiscuous mode off, then
// the desired policy (retried). Once started, both run on a ctx of their own
// (vsphere.Restoring): a Ctrl-C cannot stop the toggle between them, and an
// aborted request cannot leave it unknown whether the first one landed, and
// a provider process that ends (SIGTERM, Terraform gone) waits for it. If
// the first write fails it may still have landed (a task can succeed while
// waiting for it fails), so the desired policy is written all the same.
// written reports that the port group may be left with promiscuous mode off.
func toggleWrites(ctx context.Context, first, second func(context.Context) error) (written bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	rctx, cancel, err := vsphere.Restoring(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	firstErr := first(rctx)
	err = vsphere.Retry(rctx, restoreAttempts, restoreBackoff, second)
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
