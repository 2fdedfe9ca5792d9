package vsphere

import (
	"context"
	"maps"
	"slices"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// SetVSwitchPromiscuous writes allowPromiscuous of the standard vSwitch name
// of host hostID as snap read it, keeping the rest of its spec. One
// UpdateVirtualSwitch round trip. A vSwitch snap does not hold is a
// *NotFoundError.
func (c *Client) SetVSwitchPromiscuous(ctx context.Context, snap *Snapshot, hostID, name string, allow bool) error {
	spec, ok := snap.vsSpecs[hostID+":"+name]
	if !ok {
		return &NotFoundError{Kind: KindVSwitch, ID: name, Host: hostID}
	}
	netSys := snap.hostRefs[hostID].NetworkSystem
	pol := types.HostNetworkPolicy{}
	if spec.Policy != nil {
		pol = *spec.Policy
	}
	sec := types.HostNetworkSecurityPolicy{}
	if pol.Security != nil {
		sec = *pol.Security
	}
	sec.AllowPromiscuous = types.NewBool(allow)
	pol.Security = &sec
	spec.Policy = &pol
	defer c.invalidateOwner(netSys)
	_, err := methods.UpdateVirtualSwitch(ctx, c.vim, &types.UpdateVirtualSwitch{This: netSys, VswitchName: name, Spec: spec})
	return err
}

// UpdateOptions writes advanced options of host hostID (read in snap): one
// UpdateOptions round trip. Values must already have the type the host
// declares (see OptionValue). A host snap does not hold is a
// *NotFoundError.
func (c *Client) UpdateOptions(ctx context.Context, snap *Snapshot, hostID string, values map[string]any) error {
	refs, ok := snap.hostRefs[hostID]
	if !ok {
		return &NotFoundError{Kind: KindHost, ID: hostID}
	}
	var changes []types.BaseOptionValue
	for _, k := range slices.Sorted(maps.Keys(values)) {
		changes = append(changes, &types.OptionValue{Key: k, Value: values[k]})
	}
	defer c.invalidateOwner(refs.AdvancedOption)
	_, err := methods.UpdateOptions(ctx, c.vim, &types.UpdateOptions{This: refs.AdvancedOption, ChangedValue: changes})
	return err
}
