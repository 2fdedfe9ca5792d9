package toggleaction

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// run is one invocation's record: what the toggle engine did to each
// target, what it skipped, and how each target is named, where its errors
// go and what it had.
type run struct {
	send    func(action.InvokeProgressEvent)
	results []vsphere.ToggleResult
	skipped []string
	desc    map[vsphere.PromiscuousTarget]string
	at      map[vsphere.PromiscuousTarget]path.Path
	was     map[vsphere.PromiscuousTarget]string
	stop    error // why later targets are not reached: cancelled, or vSphere stopped answering
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
		tfdiag.NotConfigured(&resp.Diagnostics)
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
		if r.stop == nil && ctx.Err() != nil {
			r.stop = ctx.Err()
		}
		a.toggleUnit(ctx, u, r, &resp.Diagnostics)
	}
	r.report(ctx, &resp.Diagnostics, a.client.APITimeout())
}

// toggleUnit takes the unit's lock, reads it fresh and toggles its targets
// in order, one at a time through the toggle engine, so that what is
// skipped is told in order with what is toggled.
func (a *toggleAction) toggleUnit(ctx context.Context, u *unit, r *run, diags *diag.Diagnostics) {
	if r.stop != nil {
		for _, it := range u.items {
			r.note(it.t, it.t.String(), it.at, "")
			r.results = append(r.results, vsphere.ToggleResult{Target: it.t, State: vsphere.NotReached, Err: r.stop})
		}
		return
	}
	snap, unlock := a.readUnit(ctx, u, diags)
	if snap == nil {
		return
	}
	defer unlock()
	for _, it := range u.expand(snap) {
		st := current(snap, it.t)
		if r.skip(ctx, it, st, diags) {
			continue
		}
		r.note(st.t, st.desc, it.at, st.restore)
		if r.stop != nil {
			r.results = append(r.results, vsphere.ToggleResult{Target: st.t, State: vsphere.NotReached, Err: r.stop})
			continue
		}
		for _, res := range a.client.ToggleTargets(ctx, snap, []vsphere.PromiscuousTarget{st.t}, false) {
			r.record(ctx, res)
		}
	}
}

// readUnit takes the unit's lock and reads its targets fresh under it;
// nil (with an error) when it cannot.
func (a *toggleAction) readUnit(ctx context.Context, u *unit, diags *diag.Diagnostics) (*vsphere.Snapshot, func()) {
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
			diags.AddError("Cannot read the host", tfdiag.ObjectError("Reading", "host", "", u.hostID, err)+". Its port groups were not toggled.")
			return nil, nil
		}
		req.HostIDs = []string{u.hostID}
	}
	snap, err := a.client.ReadFresh(ctx, req, u.switchID)
	if err != nil {
		unlock()
		diags.AddError("Cannot read the port groups to toggle", fmt.Sprintf("Reading %v %v under the lock failed: %v. They were not toggled.", req.HostIDs, req.DVPortGroupIDs, err))
		return nil, nil
	}
	return snap, unlock
}

// skip reports (and says why) a target not to toggle: gone, an NSX port
// group, or one that does not accept promiscuous mode.
func (r *run) skip(ctx context.Context, it item, st state, diags *diag.Diagnostics) bool {
	switch {
	case !st.found:
		diags.AddAttributeError(it.at, "Port group gone", fmt.Sprintf("%s no longer exists (it was there when the action started); nothing toggled on it.", st.desc))
	case st.nsxSegment != "":
		r.skipped = append(r.skipped, st.desc)
		r.progress(ctx, fmt.Sprintf("skipped %s: it is the NSX port group of segment %s, where NSX segment profiles decide, not promiscuous mode, and vCenter does not reconfigure it (CARP022)",
			st.desc, st.nsxSegment))
	case !st.accepts:
		r.skipped = append(r.skipped, st.desc)
		r.progress(ctx, fmt.Sprintf("skipped %s: it does not accept promiscuous mode, so it is left untouched (a toggle never turns on what was off)", st.desc))
	default:
		return false
	}
	return true
}

// note records how a target is named, where its errors go and what it
// had.
func (r *run) note(t vsphere.PromiscuousTarget, desc string, at path.Path, was string) {
	if r.desc == nil {
		r.desc, r.at, r.was = map[vsphere.PromiscuousTarget]string{}, map[vsphere.PromiscuousTarget]path.Path{}, map[vsphere.PromiscuousTarget]string{}
	}
	r.desc[t], r.at[t], r.was[t] = desc, at, was
}

// record keeps one target's outcome and tells its progress; vSphere no
// longer answering (or a cancellation) stops the later units.
func (r *run) record(ctx context.Context, res vsphere.ToggleResult) {
	r.results = append(r.results, res)
	desc, was := r.desc[res.Target], r.was[res.Target]
	switch res.State {
	case vsphere.Toggled:
		r.progress(ctx, fmt.Sprintf("toggled %s: promiscuous mode off, then back to %s", desc, was))
	case vsphere.NotToggled:
		r.progress(ctx, fmt.Sprintf("could not toggle %s (%v); it is not left off", desc, res.Err))
	case vsphere.LeftOff, vsphere.MaybeLeftOff:
		r.progress(ctx, fmt.Sprintf("%s LEFT with promiscuous mode OFF: putting back %s failed", desc, was))
	case vsphere.NotReached:
		if r.stop == nil {
			r.stop = res.Err
		}
	}
	if res.State == vsphere.MaybeLeftOff && r.stop == nil {
		r.stop = &vsphere.StoppedError{Target: res.Target, State: res.State}
	}
}

// report adds the run's errors: the toggle engine's (one for every port
// group left off, one for what the run did not reach).
func (r *run) report(ctx context.Context, diags *diag.Diagnostics, apiTimeout time.Duration) {
	counts := map[vsphere.ToggleState]int{}
	for _, res := range r.results {
		counts[res.State]++
	}
	tflog.Info(ctx, "carp_toggle_promiscuous done", map[string]any{
		"toggled": counts[vsphere.Toggled], "skipped": len(r.skipped), "left_off": counts[vsphere.LeftOff] + counts[vsphere.MaybeLeftOff], "not_reached": counts[vsphere.NotReached],
	})
	again := "Invoke the action again to toggle them."
	tfdiag.Toggle{
		Describe: func(t vsphere.PromiscuousTarget) string { return r.desc[t] },
		At:       func(t vsphere.PromiscuousTarget) path.Path { return r.at[t] },
		Was:      func(t vsphere.PromiscuousTarget) string { return r.was[t] },
		Next: tfdiag.ToggleNext{
			LeftOff: "Set it back by hand to what it was, or run terraform apply where a carp_portgroup_policy manages the port group; " +
				"invoking this action again skips them, as they no longer accept promiscuous mode.",
			Cancelled: again, Stopped: again,
		},
		APITimeout: apiTimeout,
	}.AddResults(ctx, diags, r.results)
}
