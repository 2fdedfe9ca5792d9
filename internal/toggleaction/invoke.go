package toggleaction

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/tfhelp"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// run is one invocation's record: what it toggled, skipped, could not
// toggle, left off, and did not reach.
type run struct {
	send       func(action.InvokeProgressEvent)
	toggled    []string
	skipped    []string
	leftOff    []string // "<desc> (was <restore>; <fault>: <err>)"
	notReached []string
	stopped    bool // cancelled, or vSphere stopped answering
}

// progress sends one progress event and logs it. It does not wait for
// Terraform past ctx: the framework's SendProgress blocks until the event is
// read, and nobody reads it once Terraform stopped reading the stream, while
// the toggles must go on (and their locks be released).
func (r *run) progress(ctx context.Context, msg string) {
	tflog.Info(ctx, "carp_toggle_promiscuous: "+msg)
	if r.send == nil {
		return
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		r.send(action.InvokeProgressEvent{Message: msg})
	}()
	select {
	case <-sent:
	case <-ctx.Done():
	}
}

// Invoke toggles every target, one host network or distributed switch at a
// time under its lock (the lock the resources take), each read fresh under
// it. It changes no state.
func (a *toggleAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.client == nil {
		tfhelp.NotConfigured(&resp.Diagnostics)
		return
	}
	ctx, cancel := a.client.Begin(ctx)
	defer cancel()
	units, dvIDs := targets(ctx, m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	units = a.resolve(ctx, units, dvIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r := &run{send: resp.SendProgress}
	for _, u := range units {
		a.toggleUnit(ctx, u, r, &resp.Diagnostics)
	}
	r.report(ctx, &resp.Diagnostics)
}

// toggleUnit takes the unit's lock, reads it fresh and toggles its targets
// in order.
func (a *toggleAction) toggleUnit(ctx context.Context, u *unit, r *run, diags *diag.Diagnostics) {
	if r.stopped {
		for _, it := range u.items {
			r.notReached = append(r.notReached, it.t.String())
		}
		return
	}
	var unlock func()
	req := vsphere.Request{}
	if u.switchID != "" {
		unlock = a.client.LockSwitch(u.switchID)
		for _, it := range u.items {
			req.DVPortGroupIDs = append(req.DVPortGroupIDs, it.t.DVPortGroupID)
		}
	} else {
		var err error
		if unlock, err = a.client.LockHostNetwork(ctx, u.hostID); err != nil {
			diags.AddError("Cannot read the host", tfhelp.ObjectError("Reading", "host", "", u.hostID, err)+". Its port groups were not toggled.")
			return
		}
		req.HostIDs = []string{u.hostID}
	}
	defer unlock()
	snap, err := a.client.ReadFresh(ctx, req, u.switchID)
	if err != nil {
		diags.AddError("Cannot read the port groups to toggle", fmt.Sprintf("Reading %v %v under the lock failed: %v. They were not toggled.", req.HostIDs, req.DVPortGroupIDs, err))
		return
	}
	for _, it := range u.expand(snap) {
		st := current(snap, it.t)
		if r.stopped || ctx.Err() != nil {
			r.stopped = true
			r.notReached = append(r.notReached, st.desc)
			continue
		}
		a.toggleOne(ctx, snap, it, st, r, diags)
	}
}

// toggleOne toggles one target, or skips it when it does not accept
// promiscuous mode.
func (a *toggleAction) toggleOne(ctx context.Context, snap *vsphere.Snapshot, it item, st state, r *run, diags *diag.Diagnostics) {
	switch {
	case !st.found:
		diags.AddAttributeError(it.at, "Port group gone", fmt.Sprintf("%s no longer exists (it was there when the action started); nothing toggled on it.", st.desc))
		return
	case st.nsxSegment != "":
		r.skipped = append(r.skipped, st.desc)
		r.progress(ctx, fmt.Sprintf("skipped %s: it is the NSX port group of segment %s, where NSX segment profiles decide, not promiscuous mode, and vCenter does not reconfigure it (CARP022)",
			st.desc, st.nsxSegment))
		return
	case !st.accepts:
		r.skipped = append(r.skipped, st.desc)
		r.progress(ctx, fmt.Sprintf("skipped %s: it does not accept promiscuous mode, so it is left untouched (a toggle never turns on what was off)", st.desc))
		return
	}
	written, err := a.client.TogglePromiscuous(ctx, snap, st.t)
	switch {
	case err == nil:
		r.toggled = append(r.toggled, st.desc)
		r.progress(ctx, fmt.Sprintf("toggled %s: promiscuous mode off, then back to %s", st.desc, st.restore))
	case !written:
		tfhelp.AddObjectError(diags, it.at, "Promiscuous mode toggle failed",
			tfhelp.ObjectError("Toggling promiscuous mode of", st.desc, "", "", err)+". It is not left off: promiscuous mode is as it was.", err)
		r.progress(ctx, fmt.Sprintf("could not toggle %s (%v); it is not left off", st.desc, err))
	default:
		r.leftOff = append(r.leftOff, fmt.Sprintf("%s (was %s; %s: %v)", st.desc, st.restore, vsphere.FaultName(err), err))
		r.progress(ctx, fmt.Sprintf("%s LEFT with promiscuous mode OFF: putting back %s failed", st.desc, st.restore))
		if vsphere.IsNoAnswer(err) {
			r.stopped = true // vSphere does not answer: do not turn off more
		}
	}
}

// report adds the run's errors: every port group left off in one, and what
// an interruption did not reach.
func (r *run) report(ctx context.Context, diags *diag.Diagnostics) {
	tflog.Info(ctx, "carp_toggle_promiscuous done", map[string]any{
		"toggled": len(r.toggled), "skipped": len(r.skipped), "left_off": len(r.leftOff), "not_reached": len(r.notReached),
	})
	if len(r.leftOff) > 0 {
		diags.AddError("Promiscuous mode left off",
			fmt.Sprintf("Promiscuous mode was turned off and could not be put back (%d attempts, or vSphere stopped answering) on: %s. "+
				"CARP on them does not work until it is back. Set it back by hand to what it was, or run terraform apply where a carp_portgroup_policy manages the port group; "+
				"invoking this action again skips them, as they no longer accept promiscuous mode.",
				vsphere.RestoreAttempts, strings.Join(r.leftOff, "; ")))
	}
	if len(r.notReached) > 0 {
		diags.AddError("Toggle interrupted",
			fmt.Sprintf("The toggle stopped (%v) before these, which were not toggled and keep promiscuous mode as it was: %s. Toggled and restored: %s. Invoke the action again to toggle them.",
				stopReason(ctx), strings.Join(r.notReached, ", "), tfhelp.ListOrNone(r.toggled)))
	}
}

func stopReason(ctx context.Context) string {
	if err := ctx.Err(); err != nil {
		return err.Error()
	}
	return "vSphere stopped answering"
}
