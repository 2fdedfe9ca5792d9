package portgrouppolicy

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// pgTarget is what a carp_portgroup_policy points at: a standard port group
// (hostID + name) or a DV port group (dvpgID).
type pgTarget struct {
	HostID, PortGroup string
	DVPortGroupID     string
	// guest is what the firewalls on it need (vip_mac, vhids): the rules
	// judge the port group for it.
	guest guest
}

// guest is the kind of VIP and the virtual MACs per NIC of the firewalls
// on a port group.
type guest struct {
	vip   rules.VIPMac
	vhids int
}

func (t pgTarget) isDV() bool { return t.DVPortGroupID != "" }

// ref is the target as the vSphere layer names it.
func (t pgTarget) ref() vsphere.PortGroupRef {
	return vsphere.PortGroupRef{HostID: t.HostID, Name: t.PortGroup, DVPortGroupID: t.DVPortGroupID}
}

// promiscuousTarget is the target as the toggle engine names it.
func (t pgTarget) promiscuousTarget() vsphere.PromiscuousTarget {
	return vsphere.PromiscuousTarget{HostID: t.HostID, PortGroup: t.PortGroup, DVPortGroupID: t.DVPortGroupID}
}

// ID is the resource id: "<host moref>:<port group name>" or the DV port
// group moref.
func (t pgTarget) ID() string {
	if t.isDV() {
		return t.DVPortGroupID
	}
	return t.HostID + ":" + t.PortGroup
}

// kind names the target's kind in messages.
func (t pgTarget) kind() string {
	if t.isDV() {
		return "distributed port group"
	}
	return "port group"
}

// path is the attribute that names the port group.
func (t pgTarget) path() path.Path {
	if t.isDV() {
		return path.Root("distributed_portgroup_id")
	}
	return path.Root("portgroup")
}

// attr is the attribute that names the object vSphere checks a write's
// privilege on: the host of a standard port group (Host.Config.Network),
// the distributed port group itself (DVPortgroup.Modify).
func (t pgTarget) attr() path.Path {
	if t.isDV() {
		return path.Root("distributed_portgroup_id")
	}
	return path.Root("host_system_id")
}

// scope is the rules scope of the target alone, for its guest.
func (t pgTarget) scope() rules.Scope {
	sc := t.guestScope()
	if t.isDV() {
		sc.DVPortGroups = []string{t.DVPortGroupID}
	} else {
		sc.PortGroups = []rules.PortGroupRef{{HostID: t.HostID, Name: t.PortGroup}}
	}
	return sc
}

// guestScope is a scope that says only what the guest needs.
func (t pgTarget) guestScope() rules.Scope {
	return rules.Scope{VIPMac: t.guest.vip, VHIDs: t.guest.vhids}
}

const importFormats = "`<host moref>:<port group name>` for a standard port group (such as `host-21:FW-WAN`) or `<DV port group moref>` for a distributed one (such as `dvportgroup-42`)"

// parsePortGroupID parses an import id.
func parsePortGroupID(id string) (pgTarget, error) {
	id = strings.TrimSpace(id)
	if tfvalue.IsDVPortGroupID(id) {
		return pgTarget{DVPortGroupID: id}, nil
	}
	host, pg, ok := strings.Cut(id, ":")
	if ok && tfvalue.IsHostID(host) && pg != "" {
		return pgTarget{HostID: host, PortGroup: pg}, nil
	}
	return pgTarget{}, fmt.Errorf("%q is not a carp_portgroup_policy id; expected %s", id, importFormats)
}

// targetOf returns the model's target; ok is false while it is unknown.
func targetOf(m *policyModel) (pgTarget, bool) {
	if m.HostSystemID.IsUnknown() || m.PortGroup.IsUnknown() || m.DVPortGroupID.IsUnknown() || m.VIPMac.IsUnknown() || m.VHIDs.IsUnknown() {
		return pgTarget{}, false
	}
	g := guest{vip: rules.VIPMac(m.VIPMac.ValueString()), vhids: int(m.VHIDs.ValueInt64())}
	if id := m.DVPortGroupID.ValueString(); id != "" {
		return pgTarget{DVPortGroupID: id, guest: g}, true
	}
	if m.HostSystemID.ValueString() == "" || m.PortGroup.ValueString() == "" {
		return pgTarget{}, false
	}
	return pgTarget{HostID: m.HostSystemID.ValueString(), PortGroup: m.PortGroup.ValueString(), guest: g}, true
}

// pgView is the target as one snapshot shows it.
type pgView struct {
	t          pgTarget
	name       string // port group name
	hostName   string // standard only
	switchName string
	switchID   string // DVS moref; "" on a standard vSwitch
	version    string // DVS product version
	useMM      bool   // DVS >= 6.6.0: write macManagementPolicy
	own        inventory.Security
	ownTeam    inventory.Teaming
	ownML      *inventory.MacLearning
	overrides  inventory.PortOverrides // DV: the override flags
	eff        inventory.Effective
	uplinks    []string
}

// viewOf finds the target in the snapshot; nil when it is not there.
func viewOf(snap *vsphere.Snapshot, t pgTarget) *pgView {
	if t.isDV() {
		pg := snap.FindDVPortGroup(t.DVPortGroupID)
		if pg == nil {
			return nil
		}
		v := &pgView{t: t, name: pg.Name, switchID: pg.SwitchID, switchName: pg.SwitchID,
			own: pg.Security, ownTeam: pg.Teaming, ownML: pg.MacLearning, overrides: pg.Overrides, eff: pg.Effective}
		if sw := snap.FindDVSwitch(pg.SwitchID); sw != nil {
			v.switchName, v.version, v.uplinks = sw.Name, sw.Version, teamable(sw)
			v.useMM = inventory.UsesMacManagement(sw.Version)
		}
		return v
	}
	h := snap.FindHost(t.HostID)
	if h == nil {
		return nil
	}
	pg := h.PortGroup(t.PortGroup)
	if pg == nil {
		return nil
	}
	v := &pgView{t: t, name: pg.Name, hostName: h.Name, switchName: pg.VSwitch, own: pg.Security, ownTeam: pg.Teaming, eff: pg.Effective}
	if vs := h.VSwitch(pg.VSwitch); vs != nil {
		v.uplinks = vs.Uplinks
	}
	return v
}

// teamable are the names a DV port group's teaming may list: the switch's
// uplink ports and its LAGs.
func teamable(sw *inventory.DVSwitch) []string {
	out := append([]string{}, sw.Uplinks...)
	for _, l := range sw.LAGs {
		out = append(out, l.Name)
	}
	return out
}

// describe names the port group for messages: name, host or switch, morefs.
func (v *pgView) describe() string {
	if v.t.isDV() {
		return fmt.Sprintf("distributed port group %q (%s) on switch %s (%s)", v.name, v.t.DVPortGroupID, v.switchName, v.switchID)
	}
	return fmt.Sprintf("port group %q on vSwitch %s of host %s (%s)", v.name, v.switchName, v.hostName, v.t.HostID)
}

// switchKey is the `switch` attribute.
func (v *pgView) switchKey() string {
	if v.t.isDV() {
		return v.switchID
	}
	return v.switchName
}

// setLocal writes the post-write policy into the snapshot so that the rules
// judge what the port group has now, without reading it back.
func setLocal(snap *vsphere.Snapshot, t pgTarget, sec inventory.Security, team inventory.Teaming, ml *inventory.MacLearning, eff inventory.Effective) {
	if t.isDV() {
		if pg := snap.FindDVPortGroup(t.DVPortGroupID); pg != nil {
			pg.Security, pg.Teaming, pg.MacLearning, pg.Effective = sec, team, ml, eff
			if pg.Legacy != nil {
				// the write sets securityPolicy as macManagementPolicy
				pg.Legacy = &inventory.Security{AllowPromiscuous: inventory.Ptr(eff.AllowPromiscuous), MacChanges: inventory.Ptr(eff.MacChanges), ForgedTransmits: inventory.Ptr(eff.ForgedTransmits)}
			}
		}
		return
	}
	if h := snap.FindHost(t.HostID); h != nil {
		if pg := h.PortGroup(t.PortGroup); pg != nil {
			pg.Security, pg.Teaming, pg.Effective = sec, team, eff
		}
	}
}

// hazardsOf are the sorted, distinct codes of what the rules find on t now,
// but CARP004: a finding on the host (its Net.ReversePathFwdCheckPromisc),
// held by the host's carp_host_settings and the audit. The port group's
// plan warns about it; its hazards do not hang on a host option that
// another resource of the same run may change before this one's apply
// (Terraform rejects a final plan whose known value changed).
func hazardsOf(snap *vsphere.Snapshot, t pgTarget) []string {
	fs := currentFindings(snap, t)
	codes := make([]string, 0, len(fs))
	for _, f := range fs {
		if f.Code != rules.CodeRPFCheckOffWithTeaming {
			codes = append(codes, f.Code)
		}
	}
	return tfvalue.SortedUnique(codes)
}

func toggleHazardsOf(snap *vsphere.Snapshot, t pgTarget) []string {
	if t.isDV() {
		return rules.ToggleHazardsDV(snap.Snapshot, t.DVPortGroupID)
	}
	return rules.ToggleHazardsStandard(snap.Snapshot, t.HostID, t.PortGroup)
}

// fillComputed sets the computed attributes from a snapshot that already
// holds the port group's current (or just written) policy.
func fillComputed(ctx context.Context, m *policyModel, snap *vsphere.Snapshot, v *pgView, eff inventory.Effective, ml *inventory.MacLearning, diags *diag.Diagnostics) {
	m.ID = types.StringValue(v.t.ID())
	m.Switch = types.StringValue(v.switchKey())
	m.EffectivePolicy = effectiveValue(eff, ml, diags)
	m.Hazards = tfvalue.StringList(hazardsOf(snap, v.t))
}

// addMissing explains a target that does not exist, naming what does. h is
// the target's host as read (nil when there is no such host).
func (r *policyResource) addMissing(ctx context.Context, diags *diag.Diagnostics, h *inventory.Host, t pgTarget) {
	switch {
	case t.isDV():
		names, err := r.client.DVPortGroupNames(ctx)
		tfdiag.DVPortGroupNotFound(diags, path.Root("distributed_portgroup_id"), t.DVPortGroupID, names, err)
	case h == nil:
		names, err := r.client.HostNames(ctx)
		tfdiag.HostNotFound(diags, path.Root("host_system_id"), t.HostID, names, err)
	default:
		tfdiag.PortGroupNotFound(diags, path.Root("portgroup"), h, t.PortGroup)
	}
}

// currentFindings are what the rules find on t as it is: the catalog over
// its scope and, on a DV port group, the ports that override it (CARP015,
// from the snapshot's DVPorts; see readPorts).
func currentFindings(snap *vsphere.Snapshot, t pgTarget) []rules.Finding {
	fs := rules.Evaluate(snap.Snapshot, t.scope())
	if t.isDV() {
		fs = append(fs, rules.PortOverrides(snap.Snapshot, t.DVPortGroupID, t.guestScope())...)
	}
	return fs
}

// readPorts adds the ports of a DV port group that lets ports override to
// snap: one round trip then, none otherwise.
func (r *policyResource) readPorts(ctx context.Context, snap *vsphere.Snapshot, v *pgView, diags *diag.Diagnostics) {
	if !v.t.isDV() || !v.overrides.Allowed() {
		return
	}
	if err := r.client.ReadPorts(ctx, snap, v.t.DVPortGroupID); err != nil {
		diags.AddWarning("Cannot read the ports of the port group",
			fmt.Sprintf("Reading the ports of %s failed, so the ports that override it (CARP015) are not judged: %v", v.describe(), err))
	}
}
