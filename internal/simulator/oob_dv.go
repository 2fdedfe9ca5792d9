package simulator

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Out-of-band changes to distributed switches and port groups the way other
// tools make them, over the API (each through the simulator's overrides):
// LAGs, teaming, VLANs, MAC learning, and the two security policies written
// apart.

// AddLAG adds a link aggregation group to a switch built with LAGs
// (UpdateDVSLacpGroupConfig_Task, operation add; lacp.go).
func (s *Server) AddLAG(ctx context.Context, dvsName string, lag inventory.LAG) error {
	id := s.DVSwitchID(dvsName)
	if id == "" {
		return fmt.Errorf("simulator: unknown distributed switch %q", dvsName)
	}
	return s.admin(ctx, func(c *vim25.Client) error {
		req := types.UpdateDVSLacpGroupConfig_Task{
			This: types.ManagedObjectReference{Type: dvsType, Value: id},
			LacpGroupSpec: []types.VMwareDvsLacpGroupSpec{{Operation: string(types.ConfigSpecOperationAdd), LacpGroupConfig: types.VMwareDvsLacpGroupConfig{
				Name: lag.Name, Mode: lag.Mode, UplinkNum: int32(lag.Uplinks), LoadbalanceAlgorithm: lag.Algorithm,
			}}},
		}
		res, err := methods.UpdateDVSLacpGroupConfig_Task(ctx, c, &req)
		if err != nil {
			return err
		}
		return object.NewTask(c, res.Returnval).Wait(ctx)
	})
}

// reconfigureDVPortGroupSetting writes a partial default port setting to a
// DV port group (ReconfigureDVPortgroup_Task with its config version).
func (s *Server) reconfigureDVPortGroupSetting(ctx context.Context, name string, setting *types.VMwareDVSPortSetting) error {
	return s.withDVPortGroup(ctx, name, func(pg *object.DistributedVirtualPortgroup) error {
		var cur mo.DistributedVirtualPortgroup
		if err := pg.Properties(ctx, pg.Reference(), []string{"config"}, &cur); err != nil {
			return err
		}
		task, err := pg.Reconfigure(ctx, types.DVPortgroupConfigSpec{ConfigVersion: cur.Config.ConfigVersion, DefaultPortConfig: setting})
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	})
}

// SetDVPortGroupTeaming sets a DV port group's own uplink order and load
// balancing (empty lb leaves it as it is).
func (s *Server) SetDVPortGroupTeaming(ctx context.Context, name string, active, standby []string, lb string) error {
	t := &types.VmwareUplinkPortTeamingPolicy{UplinkPortOrder: &types.VMwareUplinkPortOrderPolicy{
		ActiveUplinkPort: append([]string(nil), active...), StandbyUplinkPort: append([]string(nil), standby...),
	}}
	if lb != "" {
		t.Policy = &types.StringPolicy{Value: lb}
	}
	return s.reconfigureDVPortGroupSetting(ctx, name, &types.VMwareDVSPortSetting{UplinkTeamingPolicy: t})
}

// SetDVPortGroupVLAN sets a DV port group's VLAN spec.
func (s *Server) SetDVPortGroupVLAN(ctx context.Context, name string, v inventory.VLAN) error {
	return s.reconfigureDVPortGroupSetting(ctx, name, &types.VMwareDVSPortSetting{Vlan: encodeVLAN(v)})
}

// SetDVPortGroupMacLearning sets a DV port group's own MAC learning policy
// (its macManagementPolicy's macLearningPolicy; the three security booleans
// are left as they are).
func (s *Server) SetDVPortGroupMacLearning(ctx context.Context, name string, ml inventory.MacLearning) error {
	cur, err := s.macManagement(ctx, name)
	if err != nil {
		return err
	}
	mm := *cur
	mm.Inherited = false
	limit := ml.Limit
	mm.MacLearningPolicy = &types.DVSMacLearningPolicy{Enabled: ml.Enabled, AllowUnicastFlooding: types.NewBool(ml.AllowUnicastFlooding), Limit: &limit, LimitPolicy: ml.LimitPolicy}
	return s.reconfigureDVPortGroupSetting(ctx, name, &types.VMwareDVSPortSetting{MacManagementPolicy: &mm})
}

// SetDVPortGroupPolicies writes a DV port group's securityPolicy (legacy)
// and macManagementPolicy (mac) in one spec, each as given, as a tool that
// writes both would; they may disagree (syncSecurityMac). Nil fields
// inherit.
func (s *Server) SetDVPortGroupPolicies(ctx context.Context, name string, legacy, mac inventory.Security) error {
	cur, err := s.macManagement(ctx, name)
	if err != nil {
		return err
	}
	return s.reconfigureDVPortGroupSetting(ctx, name, bothPolicies(cur, legacy, mac))
}

// macManagement is a DV port group's MAC management policy as read.
func (s *Server) macManagement(ctx context.Context, name string) (*types.DVSMacManagementPolicy, error) {
	cfg, err := s.DVPortGroupConfig(ctx, name)
	if err != nil {
		return nil, err
	}
	cur, _ := cfg.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if cur == nil || cur.MacManagementPolicy == nil {
		return nil, fmt.Errorf("simulator: %s has no MAC management policy (a switch below 6.6.0)", name)
	}
	return cur.MacManagementPolicy, nil
}

// SetNICPortPolicies gives the DV port of a VM's NIC its own
// securityPolicy (legacy) and macManagementPolicy (mac), each as given
// (ReconfigureDVPort_Task); the port group must let ports override.
func (s *Server) SetNICPortPolicies(ctx context.Context, vmName, label string, legacy, mac inventory.Security) error {
	return s.setNICPortSetting(ctx, vmName, label, bothPolicies(&types.DVSMacManagementPolicy{}, legacy, mac))
}

// bothPolicies is a setting with both security policies written as given
// (nil fields inherit), the MAC management policy's MAC learning kept from
// base.
func bothPolicies(base *types.DVSMacManagementPolicy, legacy, mac inventory.Security) *types.VMwareDVSPortSetting {
	ps := portSecuritySetting(legacy)
	mm := *base
	mm.Inherited = mac.AllowPromiscuous == nil && mac.MacChanges == nil && mac.ForgedTransmits == nil
	mm.AllowPromiscuous, mm.MacChanges, mm.ForgedTransmits = inventory.Clone(mac.AllowPromiscuous), inventory.Clone(mac.MacChanges), inventory.Clone(mac.ForgedTransmits)
	ps.MacManagementPolicy = &mm
	return ps
}
