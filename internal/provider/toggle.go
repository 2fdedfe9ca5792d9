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
	if _, _, _, refused := vsphere.MissingPrivilege(firstErr); refused {
		// Refused before anything was done: there is nothing to restore.
		return false, firstErr
	}
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

// noAnswerDetail ends the error of a toggle whose restoring write got no
// answer (api_timeout, then the toggle's deadline): whether it landed is
// unknown. Its verbs: api_timeout, vsphere.RestoreDeadline.
const noAnswerDetail = "Whether the desired policy was written is unknown (no answer within api_timeout, %v, per call, or the toggle's %v): promiscuous mode may be left off, and CARP on this port group broken, until the next apply. " +
	"When vSphere answers again, the next plan reads the port group and, if promiscuous mode is off, shows allow_promiscuous false -> true; terraform apply re-enables it."
