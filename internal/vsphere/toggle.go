package vsphere

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The toggle engine: promiscuous mode off, then back, target by target,
// for carp_host_settings (a host's port groups after its reverse-path
// option changed), carp_portgroup_policy (toggle_on_apply, whose second
// write is the desired policy) and the carp_toggle_promiscuous action.
// Targets go in; each comes out toggled, not toggled (as it was), left off,
// maybe left off (vSphere stopped answering) or not reached.

// Retries of the write that puts promiscuous mode back after a toggle: 4
// attempts, 200ms, 400ms and 800ms apart.
const (
	RestoreAttempts = 4
	restoreBackoff  = 200 * time.Millisecond
)

// RestoreDeadline bounds a toggle once started: both of its writes and the
// retries of the second, which outlive the operation's cancellation (see
// restoring in lifecycle.go).
const RestoreDeadline = 30 * time.Second

// ToggleState is what a toggle did to one target.
type ToggleState int

const (
	// Toggled: promiscuous mode was turned off, then back (or the desired
	// policy written).
	Toggled ToggleState = iota
	// NotToggled: the toggle failed before anything changed, or the first
	// write failed and the second was made all the same: promiscuous mode
	// is as it was (or as desired).
	NotToggled
	// LeftOff: promiscuous mode was turned off and putting it back failed
	// RestoreAttempts times.
	LeftOff
	// MaybeLeftOff: promiscuous mode was turned off, then vSphere stopped
	// answering before it was known to be back.
	MaybeLeftOff
	// NotReached: the run stopped before the target (cancelled, an
	// earlier failure, or vSphere stopped answering): it is as it was.
	NotReached
)

// ToggleResult is one target's outcome; Err is nil for Toggled.
type ToggleResult struct {
	Target PromiscuousTarget
	State  ToggleState
	Err    error
}

// StoppedError is why a run did not reach a target: the toggle of an
// earlier one failed (NotReached's Err; a cancellation is ctx's error).
type StoppedError struct {
	Target PromiscuousTarget
	State  ToggleState
}

// StoppedByFailure reports whether a NotReached result's Err is the
// failure of an earlier target, not a cancellation.
func StoppedByFailure(err error) bool {
	var stopped *StoppedError
	return errors.As(err, &stopped)
}

func (e *StoppedError) Error() string {
	what := "failed"
	switch e.State {
	case LeftOff:
		what = "left it off"
	case MaybeLeftOff:
		what = "got no answer"
	}
	return fmt.Sprintf("the toggle of %s %s", e.Target, what)
}

// ToggleTargets toggles the targets in order, each as snap read it (fresh,
// under the lock of its host network or switch, which the caller holds).
// With stopAtFailure a target not toggled stops the run, so that nothing is
// turned off after a failure; without it every target is tried, but
// vSphere no longer answering stops it. A cancelled ctx stops the run
// between targets (a toggle started finishes its second write). Every
// target has one result, in order.
func (c *Client) ToggleTargets(ctx context.Context, snap *Snapshot, targets []PromiscuousTarget, stopAtFailure bool) []ToggleResult {
	out := make([]ToggleResult, 0, len(targets))
	var stop error
	for _, t := range targets {
		if stop == nil {
			stop = ctx.Err()
		}
		if stop != nil {
			out = append(out, ToggleResult{Target: t, State: NotReached, Err: stop})
			continue
		}
		r := c.toggleTarget(ctx, snap, t)
		out = append(out, r)
		if r.State == MaybeLeftOff || (stopAtFailure && r.State != Toggled) {
			stop = &StoppedError{Target: t, State: r.State}
		}
	}
	return out
}

// Reenable puts promiscuous mode back on targets an earlier toggle left
// off, each retried like a toggle's second write: Toggled when it is back,
// LeftOff when it is still off.
func (c *Client) Reenable(ctx context.Context, snap *Snapshot, targets []PromiscuousTarget) []ToggleResult {
	out := make([]ToggleResult, 0, len(targets))
	for _, t := range targets {
		_, on, err := c.toggleWrites(snap, t)
		if err == nil {
			err = retry(ctx, RestoreAttempts, restoreBackoff, on)
		}
		r := ToggleResult{Target: t, Err: err}
		if err != nil {
			r.State = LeftOff
		}
		out = append(out, r)
	}
	return out
}

// toggleTarget toggles one target.
func (c *Client) toggleTarget(ctx context.Context, snap *Snapshot, t PromiscuousTarget) ToggleResult {
	off, on, err := c.toggleWrites(snap, t)
	if err != nil {
		return ToggleResult{Target: t, State: NotToggled, Err: err}
	}
	written, err := c.toggle(ctx, off, on)
	return ToggleResult{Target: t, State: toggleState(written, err), Err: err}
}

func toggleState(written bool, err error) ToggleState {
	switch {
	case err == nil:
		return Toggled
	case !written:
		return NotToggled
	case IsNoAnswer(err):
		return MaybeLeftOff
	}
	return LeftOff
}

// toggleWrites are a target's two writes as snap read it: promiscuous mode
// off, then back (true, or inherit for a standard port group with Inherit;
// a distributed port group's own value as read), or the target's Want. A
// port group's two writes share one writer, so that a distributed one's
// second write carries the config version its first left. What snap does
// not hold is a *NotFoundError.
func (c *Client) toggleWrites(snap *Snapshot, t PromiscuousTarget) (off, on func(context.Context) error, err error) {
	if t.VSwitch != "" {
		if h := snap.FindHost(t.HostID); h == nil || h.VSwitch(t.VSwitch) == nil {
			return nil, nil, &NotFoundError{Kind: KindVSwitch, ID: t.VSwitch, Host: t.HostID}
		}
		return func(ctx context.Context) error { return c.SetVSwitchPromiscuous(ctx, snap, t.HostID, t.VSwitch, false) },
			func(ctx context.Context) error { return c.SetVSwitchPromiscuous(ctx, snap, t.HostID, t.VSwitch, true) }, nil
	}
	sec, useMM, err := targetSecurity(snap, t)
	if err != nil {
		return nil, nil, err
	}
	w, err := c.PortGroupWriter(snap, t.ref())
	if err != nil {
		return nil, nil, err
	}
	offSec, back := sec, sec
	offSec.AllowPromiscuous = inventory.Ptr(false)
	if t.DVPortGroupID == "" {
		back.AllowPromiscuous = inventory.Ptr(true)
		if t.Inherit {
			back.AllowPromiscuous = nil
		}
	}
	want := Policy{Security: back, UseMacManagement: useMM}
	if t.Want != nil {
		want = *t.Want
	}
	return func(ctx context.Context) error {
			return w.Write(ctx, Policy{Security: offSec, UseMacManagement: useMM})
		},
		func(ctx context.Context) error { return w.Write(ctx, want) }, nil
}

// targetSecurity is a port group target's own security policy as snap
// read it, and whether its switch takes the MAC management policy.
func targetSecurity(snap *Snapshot, t PromiscuousTarget) (inventory.Security, bool, error) {
	if t.DVPortGroupID == "" {
		if h := snap.FindHost(t.HostID); h != nil {
			if pg := h.PortGroup(t.PortGroup); pg != nil {
				return pg.Security, false, nil
			}
		}
		return inventory.Security{}, false, &NotFoundError{Kind: KindPortGroup, ID: t.PortGroup, Host: t.HostID}
	}
	pg := snap.FindDVPortGroup(t.DVPortGroupID)
	if pg == nil {
		return inventory.Security{}, false, &NotFoundError{Kind: KindDVPortGroup, ID: t.DVPortGroupID}
	}
	useMM := false
	if sw := snap.FindDVSwitch(pg.SwitchID); sw != nil {
		useMM = inventory.UsesMacManagement(sw.Version)
	}
	return pg.Security, useMM, nil
}

// toggle makes the two writes of a toggle: promiscuous mode off, then back
// (or the desired policy), the second retried (RestoreAttempts, with
// backoff). Once started, both run on a ctx of their own: a Ctrl-C cannot
// stop the toggle between them, an aborted request cannot leave it unknown
// whether the first one landed, and a provider process that ends (SIGTERM,
// Terraform gone) waits for it (Quiesce). If the first write fails it may
// still have landed (a task can succeed while waiting for it fails), so the
// second is made all the same. written reports that the object may be left
// with promiscuous mode off (when err is not nil).
func (c *Client) toggle(ctx context.Context, off, on func(context.Context) error) (written bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	rctx, cancel, err := c.restoring(ctx)
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
