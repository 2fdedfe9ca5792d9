package toggleaction

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

type model struct {
	PortGroups     types.List `tfsdk:"portgroups"`
	DVPortGroupIDs types.List `tfsdk:"distributed_portgroup_ids"`
	HostSystemIDs  types.List `tfsdk:"host_system_ids"`
}

type portGroupModel struct {
	HostSystemID types.String `tfsdk:"host_system_id"`
	PortGroup    types.String `tfsdk:"portgroup"`
}

// item is one target named in the configuration, with the attribute that
// names it.
type item struct {
	t  vsphere.PromiscuousTarget
	at path.Path
}

// unit is what one lock covers: the standard port groups of one host (and,
// with whole, every one of them that accepts promiscuous mode, and its
// vSwitches), or the DV port groups of one distributed switch.
type unit struct {
	hostID   string
	switchID string
	items    []item
	whole    bool
	wholeAt  path.Path
}

// targets reads the configuration's targets into units, in the order the
// configuration names them: hosts first (portgroups, then host_system_ids),
// then distributed switches.
func targets(ctx context.Context, m model, diags *diag.Diagnostics) (units []*unit, dvIDs []item) {
	var pgs []portGroupModel
	if !m.PortGroups.IsNull() {
		diags.Append(m.PortGroups.ElementsAs(ctx, &pgs, false)...)
	}
	hosts := tfvalue.Strings(ctx, m.HostSystemIDs, diags)
	dvs := tfvalue.Strings(ctx, m.DVPortGroupIDs, diags)
	byHost := map[string]*unit{}
	hostUnit := func(id string) *unit {
		if u := byHost[id]; u != nil {
			return u
		}
		u := &unit{hostID: id}
		byHost[id] = u
		units = append(units, u)
		return u
	}
	for i, pg := range pgs {
		u := hostUnit(pg.HostSystemID.ValueString())
		t := vsphere.PromiscuousTarget{HostID: u.hostID, PortGroup: pg.PortGroup.ValueString()}
		if !slices.ContainsFunc(u.items, func(it item) bool { return it.t == t }) {
			u.items = append(u.items, item{t: t, at: path.Root("portgroups").AtListIndex(i)})
		}
	}
	for i, id := range hosts {
		u := hostUnit(id)
		if !u.whole {
			u.whole, u.wholeAt = true, path.Root("host_system_ids").AtListIndex(i)
		}
	}
	for i, id := range dvs {
		it := item{t: vsphere.PromiscuousTarget{DVPortGroupID: id}, at: path.Root("distributed_portgroup_ids").AtListIndex(i)}
		if !slices.ContainsFunc(dvIDs, func(o item) bool { return o.t == it.t }) {
			dvIDs = append(dvIDs, it)
		}
	}
	return units, dvIDs
}

// resolve checks that every target exists (one cached read) and groups the
// DV port groups by switch. Every target not found is an error naming it
// and what exists; then nothing is toggled.
func (a *toggleAction) resolve(ctx context.Context, units []*unit, dvIDs []item, diags *diag.Diagnostics) []*unit {
	req := vsphere.Request{}
	for _, u := range units {
		req.HostIDs = append(req.HostIDs, u.hostID)
	}
	for _, it := range dvIDs {
		req.DVPortGroupIDs = append(req.DVPortGroupIDs, it.t.DVPortGroupID)
	}
	snap, err := a.client.Read(ctx, req)
	if err != nil {
		diags.AddError("Cannot read the port groups to toggle", fmt.Sprintf("Reading hosts %v and distributed port groups %v failed: %v", req.HostIDs, req.DVPortGroupIDs, err))
		return nil
	}
	for _, u := range units {
		h := snap.FindHost(u.hostID)
		if h == nil {
			at := u.wholeAt
			if len(u.items) > 0 {
				at = u.items[0].at.AtName("host_system_id")
			}
			names, err := a.client.HostNames(ctx)
			tfdiag.HostNotFound(diags, at, u.hostID, names, err)
			continue
		}
		for _, it := range u.items {
			if h.PortGroup(it.t.PortGroup) == nil {
				tfdiag.PortGroupNotFound(diags, it.at.AtName("portgroup"), h, it.t.PortGroup)
			}
		}
	}
	bySwitch := map[string]*unit{}
	for _, it := range dvIDs {
		pg := snap.FindDVPortGroup(it.t.DVPortGroupID)
		if pg == nil {
			names, err := a.client.DVPortGroupNames(ctx)
			tfdiag.DVPortGroupNotFound(diags, it.at, it.t.DVPortGroupID, names, err)
			continue
		}
		u := bySwitch[pg.SwitchID]
		if u == nil {
			u = &unit{switchID: pg.SwitchID}
			bySwitch[pg.SwitchID] = u
			units = append(units, u)
		}
		u.items = append(u.items, it)
	}
	return units
}

// expand lists what a unit toggles, as its fresh read shows it: the named
// port groups, then (whole) every other one of the host that accepts
// promiscuous mode, then its vSwitches that do (vsphere.HostToggleTargets).
func (u *unit) expand(snap *vsphere.Snapshot) []item {
	out := slices.Clone(u.items)
	if !u.whole {
		return out
	}
	h := snap.FindHost(u.hostID)
	if h == nil {
		return out
	}
	for _, t := range vsphere.HostToggleTargets(h) {
		named := slices.ContainsFunc(out, func(it item) bool { return it.t.PortGroup == t.PortGroup && it.t.VSwitch == t.VSwitch })
		if !named {
			out = append(out, item{t: t, at: u.wholeAt})
		}
	}
	return out
}

// state is a target as the fresh read shows it.
type state struct {
	t       vsphere.PromiscuousTarget // with Inherit as read
	desc    string                    // inventory name and moref, host or switch
	accepts bool                      // promiscuous mode accepted (effective)
	found   bool
	restore string // what the second write puts back: "true" or "inherit"
	// nsxSegment is the segment of an NSX port group, which is not toggled.
	nsxSegment string
}

// current is t as snap shows it.
func current(snap *vsphere.Snapshot, t vsphere.PromiscuousTarget) state {
	if t.DVPortGroupID != "" {
		pg := snap.FindDVPortGroup(t.DVPortGroupID)
		if pg == nil {
			return state{t: t, desc: "distributed port group " + t.DVPortGroupID}
		}
		sw := pg.SwitchID
		if s := snap.FindDVSwitch(pg.SwitchID); s != nil {
			sw = fmt.Sprintf("%s (%s)", s.Name, s.ID)
		}
		st := state{t: t, desc: fmt.Sprintf("distributed port group %q (%s) on switch %s", pg.Name, pg.ID, sw),
			accepts: pg.Effective.AllowPromiscuous, found: true, restore: ownValue(pg.Security.AllowPromiscuous)}
		if pg.NSX != nil {
			st.nsxSegment = pg.NSX.Segment()
		}
		return st
	}
	h := snap.FindHost(t.HostID)
	if h == nil {
		return state{t: t, desc: fmt.Sprintf("%s on host %s", t, t.HostID)}
	}
	st := state{t: t, desc: fmt.Sprintf("%s on host %s (%s)", t, h.Name, h.ID), restore: "true"}
	if t.VSwitch != "" {
		vs := h.VSwitch(t.VSwitch)
		st.found = vs != nil
		st.accepts = vs != nil && vs.Security.AllowPromiscuous != nil && *vs.Security.AllowPromiscuous
		return st
	}
	if pg := h.PortGroup(t.PortGroup); pg != nil {
		st.found, st.accepts = true, pg.Effective.AllowPromiscuous
		st.t.Inherit = pg.Security.AllowPromiscuous == nil
		st.restore = ownValue(pg.Security.AllowPromiscuous)
	}
	return st
}

// ownValue shows a port group's own allowPromiscuous: "true", "false" or
// "inherit".
func ownValue(b *bool) string {
	if b == nil {
		return "inherit"
	}
	return fmt.Sprint(*b)
}
