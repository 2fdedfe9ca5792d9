package tfdiag

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// The diagnostics of a toggle, one set for carp_host_settings,
// carp_portgroup_policy and the carp_toggle_promiscuous action: what the
// toggle engine (vsphere.ToggleTargets) reports per target, in the words of
// what the user does next.

// ToggleNext is what the user does next, in the words of the resource or
// action that ran the toggle.
type ToggleNext struct {
	// LeftOff follows the targets left (or maybe left) off.
	LeftOff string
	// Cancelled follows the targets a cancelled run did not reach.
	Cancelled string
	// Stopped follows the targets not reached after a failure stopped the
	// run.
	Stopped string
}

// Toggle names the targets of a run and where an error about each goes.
type Toggle struct {
	// Describe names a target: kind, inventory name, moref, host or switch.
	Describe func(vsphere.PromiscuousTarget) string
	// At is the attribute an error about a target goes on.
	At func(vsphere.PromiscuousTarget) path.Path
	// Was, when set, says what a target left off had ("true", "inherit"),
	// so that it can be set back by hand.
	Was        func(vsphere.PromiscuousTarget) string
	Next       ToggleNext
	APITimeout time.Duration
}

// AddResults adds the errors of a toggle run: one per target not toggled
// (promiscuous mode as it was), one for the targets left off, one for
// those maybe left off (vSphere stopped answering), and one for what the
// run did not reach.
func (tg Toggle) AddResults(ctx context.Context, diags *diag.Diagnostics, results []vsphere.ToggleResult) {
	var leftOff, maybe, notReached, toggled []string
	var stop error
	next := tg.Next.Cancelled
	for _, r := range results {
		desc := tg.Describe(r.Target)
		switch r.State {
		case vsphere.Toggled:
			toggled = append(toggled, desc)
		case vsphere.NotToggled:
			AddObjectError(diags, tg.At(r.Target), "Promiscuous mode toggle failed",
				ObjectError("Toggling promiscuous mode of", desc, "", "", r.Err)+". It is not left off: promiscuous mode is as it was.", r.Err)
		case vsphere.LeftOff:
			leftOff = append(leftOff, tg.leftOffEntry(r))
		case vsphere.MaybeLeftOff:
			maybe = append(maybe, fmt.Sprintf("%s (%v)", desc, r.Err))
		case vsphere.NotReached:
			notReached = append(notReached, desc)
			if stop == nil {
				stop = r.Err
			}
			if vsphere.StoppedByFailure(r.Err) {
				next = tg.Next.Stopped
			}
		}
	}
	tg.LeftOff(diags, leftOff)
	if len(maybe) > 0 {
		diags.AddError("Promiscuous mode may be left off",
			fmt.Sprintf("Promiscuous mode may be left OFF on: %s: it was turned off, then vSphere stopped answering. Whether it was put back is unknown (no answer within api_timeout, %v, per call, or the toggle's %v): "+
				"CARP on it may not work until it is back. %s", strings.Join(maybe, "; "), tg.APITimeout, vsphere.RestoreDeadline, tg.Next.LeftOff))
	}
	if len(notReached) > 0 {
		diags.AddError("Toggle interrupted",
			fmt.Sprintf("The toggle stopped (%v) before these, which were not toggled and keep promiscuous mode as it was: %s. Toggled and restored: %s. %s",
				stopReason(ctx, stop), strings.Join(notReached, ", "), ListOrNone(toggled), next))
	}
}

// leftOffEntry names a target left off with its fault (and what it had).
func (tg Toggle) leftOffEntry(r vsphere.ToggleResult) string {
	was := ""
	if tg.Was != nil {
		was = "was " + tg.Was(r.Target) + "; "
	}
	return fmt.Sprintf("%s (%s%s: %v)", tg.Describe(r.Target), was, vsphere.FaultName(r.Err), r.Err)
}

// LeftOff adds the error for targets (described, each with its fault)
// left with promiscuous mode off after RestoreAttempts tries to put it
// back: by a toggle, or by a later re-enable of what a toggle left off.
func (tg Toggle) LeftOff(diags *diag.Diagnostics, targets []string) {
	if len(targets) == 0 {
		return
	}
	diags.AddError("Promiscuous mode left off",
		fmt.Sprintf("Promiscuous mode is left OFF on: %s: putting it back failed %d times. CARP on %s does not work until it is back. %s",
			strings.Join(targets, "; "), vsphere.RestoreAttempts, Plural(len(targets), "it", "them"), tg.Next.LeftOff))
}

// stopReason says why a run stopped: the failure it stopped at
// (vsphere.StoppedError), or the cancellation.
func stopReason(ctx context.Context, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case ctx.Err() != nil:
		return ctx.Err().Error()
	}
	return "vSphere stopped answering"
}
