package simulator

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// More out-of-band reads and changes for tests, made like those of
// helpers.go through a real client over HTTP (recorded; call ResetCalls
// afterwards). internal/acctest wraps them for tests (acctest.OOB).

// HostPortGroup returns the standard port group pg as host hostName reports
// it (config.network.portgroup).
func (s *Server) HostPortGroup(ctx context.Context, hostName, pg string) (types.HostPortGroup, error) {
	_, info, done, err := s.hostNetworkSystem(ctx, hostName)
	if err != nil {
		return types.HostPortGroup{}, err
	}
	defer done()
	for _, p := range info.Portgroup {
		if p.Spec.Name == pg {
			return p, nil
		}
	}
	return types.HostPortGroup{}, fmt.Errorf("simulator: host %s has no port group %q", hostName, pg)
}

// SetVSwitchPromiscuous sets allowPromiscuous of a standard vSwitch, keeping
// the rest of its policy, with UpdateVirtualSwitch.
func (s *Server) SetVSwitchPromiscuous(ctx context.Context, hostName, vswitch string, allow bool) error {
	return s.editVSwitchSecurity(ctx, hostName, vswitch, func(old *types.HostNetworkSecurityPolicy) *types.HostNetworkSecurityPolicy {
		sec := types.HostNetworkSecurityPolicy{}
		if old != nil {
			sec = *old
		}
		sec.AllowPromiscuous = types.NewBool(allow)
		return &sec
	})
}

// editVSwitchSecurity replaces a standard vSwitch's security policy with
// what edit makes of it, keeping the rest of its spec (UpdateVirtualSwitch).
func (s *Server) editVSwitchSecurity(ctx context.Context, hostName, vswitch string, edit func(*types.HostNetworkSecurityPolicy) *types.HostNetworkSecurityPolicy) error {
	ns, info, done, err := s.hostNetworkSystem(ctx, hostName)
	if err != nil {
		return err
	}
	defer done()
	for _, v := range info.Vswitch {
		if v.Name == vswitch {
			spec := v.Spec
			policy := types.HostNetworkPolicy{}
			if spec.Policy != nil {
				policy = *spec.Policy
			}
			policy.Security = edit(policy.Security)
			spec.Policy = &policy
			return ns.UpdateVirtualSwitch(ctx, vswitch, spec)
		}
	}
	return fmt.Errorf("simulator: host %s has no vSwitch %q", hostName, vswitch)
}

// RemovePortGroup deletes a standard port group with RemovePortGroup.
func (s *Server) RemovePortGroup(ctx context.Context, hostName, pg string) error {
	ns, _, done, err := s.hostNetworkSystem(ctx, hostName)
	if err != nil {
		return err
	}
	defer done()
	return ns.RemovePortGroup(ctx, pg)
}

// NetworkSystemID is the moref of a host's network system.
func (s *Server) NetworkSystemID(ctx context.Context, hostName string) (string, error) {
	ns, _, done, err := s.hostNetworkSystem(ctx, hostName)
	if err != nil {
		return "", err
	}
	defer done()
	return ns.Reference().Value, nil
}

// HostOption reads an advanced option of a host (OptionManager.QueryView).
func (s *Server) HostOption(ctx context.Context, hostName, key string) (any, error) {
	var out any
	err := s.withOptionManager(ctx, hostName, func(m *object.OptionManager) error {
		opts, err := m.Query(ctx, key)
		if err != nil {
			return err
		}
		if len(opts) != 1 {
			return fmt.Errorf("simulator: %s on host %s: %d options, want 1", key, hostName, len(opts))
		}
		out = opts[0].GetOptionValue().Value
		return nil
	})
	return out, err
}

func (s *Server) withOptionManager(ctx context.Context, hostName string, f func(*object.OptionManager) error) error {
	id := s.HostID(hostName)
	if id == "" {
		return fmt.Errorf("simulator: unknown host %q", hostName)
	}
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	host := object.NewHostSystem(c.Client, types.ManagedObjectReference{Type: "HostSystem", Value: id})
	m, err := host.ConfigManager().OptionManager(ctx)
	if err != nil {
		return err
	}
	return f(m)
}

// DestroyHost removes a host from the inventory (Destroy_Task on the
// HostSystem id).
func (s *Server) DestroyHost(ctx context.Context, id string) error {
	return s.hostTask(ctx, id, (*object.HostSystem).Destroy)
}

// DisconnectHost disconnects the host named hostName from vCenter
// (DisconnectHost_Task): its runtime.connectionState becomes
// "disconnected" and its configuration stays as vCenter last saw it, as
// vCenter keeps it (community.vmware#318: "vCenter provides a stale
// information about ESXi hostsystem"; govmomi's simulator changes the
// state alone).
func (s *Server) DisconnectHost(ctx context.Context, hostName string) error {
	return s.hostTask(ctx, s.HostID(hostName), (*object.HostSystem).Disconnect)
}

// hostTask runs a task of the host id and waits for it.
func (s *Server) hostTask(ctx context.Context, id string, start func(*object.HostSystem, context.Context) (*object.Task, error)) error {
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	task, err := start(object.NewHostSystem(c.Client, types.ManagedObjectReference{Type: "HostSystem", Value: id}), ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// DVPortGroupConfig returns a DV port group's config.
func (s *Server) DVPortGroupConfig(ctx context.Context, name string) (types.DVPortgroupConfigInfo, error) {
	var pg mo.DistributedVirtualPortgroup
	err := s.withDVPortGroup(ctx, name, func(c *object.DistributedVirtualPortgroup) error {
		return property.DefaultCollector(c.Client()).RetrieveOne(ctx, c.Reference(), []string{"config"}, &pg)
	})
	return pg.Config, err
}

// SetDVPortGroupPromiscuous writes allowPromiscuous on a DV port group
// (securityPolicy, which vCenter keeps in step with macManagementPolicy)
// with ReconfigureDVPortgroup_Task.
func (s *Server) SetDVPortGroupPromiscuous(ctx context.Context, name string, allow bool) error {
	return s.withDVPortGroup(ctx, name, func(c *object.DistributedVirtualPortgroup) error {
		var pg mo.DistributedVirtualPortgroup
		if err := property.DefaultCollector(c.Client()).RetrieveOne(ctx, c.Reference(), []string{"config"}, &pg); err != nil {
			return err
		}
		task, err := c.Reconfigure(ctx, types.DVPortgroupConfigSpec{ConfigVersion: pg.Config.ConfigVersion, DefaultPortConfig: &types.VMwareDVSPortSetting{
			SecurityPolicy: &types.DVSSecurityPolicy{AllowPromiscuous: &types.BoolPolicy{Value: types.NewBool(allow)}},
		}})
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	})
}

func (s *Server) withDVPortGroup(ctx context.Context, name string, f func(*object.DistributedVirtualPortgroup) error) error {
	id := s.DVPortGroupID(name)
	if id == "" {
		return fmt.Errorf("simulator: unknown distributed port group %q", name)
	}
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	return f(object.NewDistributedVirtualPortgroup(c.Client, types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: id}))
}

// RemoveMirrorSessions deletes every port-mirroring session of a
// distributed switch with ReconfigureDvs_Task.
func (s *Server) RemoveMirrorSessions(ctx context.Context, dvsName string) error {
	id := s.DVSwitchID(dvsName)
	if id == "" {
		return fmt.Errorf("simulator: unknown distributed switch %q", dvsName)
	}
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	ref := types.ManagedObjectReference{Type: dvsType, Value: id}
	var dvs mo.DistributedVirtualSwitch
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, ref, []string{"config"}, &dvs); err != nil {
		return err
	}
	cfg := dvs.Config.(*types.VMwareDVSConfigInfo)
	spec := &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{ConfigVersion: cfg.ConfigVersion}}
	for _, x := range cfg.VspanSession {
		spec.VspanConfigSpec = append(spec.VspanConfigSpec, types.VMwareDVSVspanConfigSpec{Operation: string(types.ConfigSpecOperationRemove), VspanSession: types.VMwareVspanSession{Key: x.Key}})
	}
	task, err := object.NewDistributedVirtualSwitch(c.Client, ref).Reconfigure(ctx, spec)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// Out-of-band changes around the firewalls (ports, placement, DRS rules),
// made like those of helpers.go through a real client over HTTP (recorded;
// call ResetCalls afterwards).

// admin runs f with a logged-in client.
func (s *Server) admin(ctx context.Context, f func(*vim25.Client) error) error {
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	return f(c.Client)
}

func (s *Server) vmRef(name string) (types.ManagedObjectReference, error) {
	id := s.VMID(name)
	if id == "" {
		return types.ManagedObjectReference{}, fmt.Errorf("simulator: unknown VM %q", name)
	}
	return types.ManagedObjectReference{Type: "VirtualMachine", Value: id}, nil
}

// SetPortOverridesAllowed sets securityPolicyOverrideAllowed and
// macManagementOverrideAllowed of a DV port group (ReconfigureDVPortgroup_Task).
func (s *Server) SetPortOverridesAllowed(ctx context.Context, pgName string, allow bool) error {
	return s.withDVPortGroup(ctx, pgName, func(pg *object.DistributedVirtualPortgroup) error {
		var cur mo.DistributedVirtualPortgroup
		if err := pg.Properties(ctx, pg.Reference(), []string{"config"}, &cur); err != nil {
			return err
		}
		spec := types.DVPortgroupConfigSpec{ConfigVersion: cur.Config.ConfigVersion, Policy: portOverridePolicy(cur.Config.Policy, allow)}
		task, err := pg.Reconfigure(ctx, spec)
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	})
}

// NICPort returns the switch moref and port key of a VM's NIC (by label,
// "Network adapter 2") on a DV port group.
func (s *Server) NICPort(ctx context.Context, vmName, label string) (dvs, key string, err error) {
	ref, err := s.vmRef(vmName)
	if err != nil {
		return "", "", err
	}
	err = s.admin(ctx, func(c *vim25.Client) error {
		var vm mo.VirtualMachine
		if err := property.DefaultCollector(c).RetrieveOne(ctx, ref, []string{"name", "config.hardware.device"}, &vm); err != nil {
			return err
		}
		p, err := nicPort(&vm, label)
		if err != nil {
			return err
		}
		dvs = s.switchByUUID(&gosim.Context{Context: s.ictx, Map: s.model.Map()}, p.SwitchUuid)
		key = p.PortKey
		return nil
	})
	return dvs, key, err
}

// SetNICPortSecurity gives the DV port of a VM's NIC its own security
// policy (nil fields inherit from the port group) with
// ReconfigureDVPort_Task; the port group must let ports override.
func (s *Server) SetNICPortSecurity(ctx context.Context, vmName, label string, sec inventory.Security) error {
	return s.setNICPortSetting(ctx, vmName, label, portSecuritySetting(sec))
}

// setNICPortSetting writes the own setting of the DV port of a VM's NIC
// (ReconfigureDVPort_Task, operation edit).
func (s *Server) setNICPortSetting(ctx context.Context, vmName, label string, setting *types.VMwareDVSPortSetting) error {
	dvs, key, err := s.NICPort(ctx, vmName, label)
	if err != nil {
		return err
	}
	return s.admin(ctx, func(c *vim25.Client) error {
		ref := types.ManagedObjectReference{Type: dvsType, Value: dvs}
		req := types.ReconfigureDVPort_Task{This: ref, Port: []types.DVPortConfigSpec{{
			Operation: string(types.ConfigSpecOperationEdit), Key: key, Setting: setting,
		}}}
		res, err := methods.ReconfigureDVPort_Task(ctx, c, &req)
		if err != nil {
			return err
		}
		return object.NewTask(c, res.Returnval).Wait(ctx)
	})
}

// DVPort returns a port as FetchDVPorts reports it.
func (s *Server) DVPort(ctx context.Context, dvs, key string) (types.DistributedVirtualPort, error) {
	var out types.DistributedVirtualPort
	err := s.admin(ctx, func(c *vim25.Client) error {
		sw := object.NewDistributedVirtualSwitch(c, types.ManagedObjectReference{Type: dvsType, Value: dvs})
		ports, err := sw.FetchDVPorts(ctx, &types.DistributedVirtualSwitchPortCriteria{PortKey: []string{key}})
		if err != nil {
			return err
		}
		if len(ports) != 1 {
			return fmt.Errorf("simulator: %d ports %s on %s", len(ports), key, dvs)
		}
		out = ports[0]
		return nil
	})
	return out, err
}

// MoveVM moves a VM to another host (and that host's resource pool) with
// RelocateVM_Task, as a vMotion or an HA restart does.
func (s *Server) MoveVM(ctx context.Context, vmName, hostName string) error {
	ref, err := s.vmRef(vmName)
	if err != nil {
		return err
	}
	hid := s.HostID(hostName)
	if hid == "" {
		return fmt.Errorf("simulator: unknown host %q", hostName)
	}
	return s.admin(ctx, func(c *vim25.Client) error {
		host := types.ManagedObjectReference{Type: "HostSystem", Value: hid}
		var h mo.HostSystem
		if err := property.DefaultCollector(c).RetrieveOne(ctx, host, []string{"parent"}, &h); err != nil {
			return err
		}
		var cr mo.ComputeResource
		if err := property.DefaultCollector(c).RetrieveOne(ctx, *h.Parent, []string{"resourcePool"}, &cr); err != nil {
			return err
		}
		task, err := object.NewVirtualMachine(c, ref).Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &host, Pool: cr.ResourcePool}, types.VirtualMachineMovePriorityDefaultPriority)
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	})
}

func (s *Server) reconfigureCluster(ctx context.Context, cluster string, spec *types.ClusterConfigSpecEx) error {
	id := s.ClusterID(cluster)
	if id == "" {
		return fmt.Errorf("simulator: unknown cluster %q", cluster)
	}
	return s.admin(ctx, func(c *vim25.Client) error {
		cr := object.NewClusterComputeResource(c, types.ManagedObjectReference{Type: "ClusterComputeResource", Value: id})
		task, err := cr.Reconfigure(ctx, spec, true)
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	})
}

// SetClusterDRS turns DRS on or off (ReconfigureComputeResource_Task).
func (s *Server) SetClusterDRS(ctx context.Context, cluster string, enabled bool) error {
	return s.reconfigureCluster(ctx, cluster, clusterSpec(enabled, nil))
}

// AddAntiAffinityRule adds a DRS VM anti-affinity rule naming the VMs
// (ReconfigureComputeResource_Task, rulesSpec add).
func (s *Server) AddAntiAffinityRule(ctx context.Context, cluster, rule string, enabled bool, vmNames ...string) error {
	var vms []types.ManagedObjectReference
	for _, n := range vmNames {
		ref, err := s.vmRef(n)
		if err != nil {
			return err
		}
		vms = append(vms, ref)
	}
	spec := &types.ClusterConfigSpecEx{RulesSpec: []types.ClusterRuleSpec{antiAffinitySpec(rule, enabled, vms)}}
	return s.reconfigureCluster(ctx, cluster, spec)
}

// SetPortGroupVLAN sets the VLAN of a standard port group with
// UpdatePortGroup, keeping the rest of its spec.
func (s *Server) SetPortGroupVLAN(ctx context.Context, hostName, pg string, vlan int32) error {
	return s.editPortGroup(ctx, hostName, pg, func(spec *types.HostPortGroupSpec) { spec.VlanId = vlan })
}

// editPortGroup writes a standard port group's spec as edit leaves it
// (UpdatePortGroup).
func (s *Server) editPortGroup(ctx context.Context, hostName, pg string, edit func(*types.HostPortGroupSpec)) error {
	ns, info, done, err := s.hostNetworkSystem(ctx, hostName)
	if err != nil {
		return err
	}
	defer done()
	for _, p := range info.Portgroup {
		if p.Spec.Name == pg {
			spec := p.Spec
			edit(&spec)
			return ns.UpdatePortGroup(ctx, pg, spec)
		}
	}
	return fmt.Errorf("simulator: host %s has no port group %q", hostName, pg)
}
