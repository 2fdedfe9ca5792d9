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
	id := s.DVPortGroupID(pgName)
	if id == "" {
		return fmt.Errorf("simulator: unknown DV port group %q", pgName)
	}
	return s.admin(ctx, func(c *vim25.Client) error {
		ref := types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: id}
		var pg mo.DistributedVirtualPortgroup
		if err := property.DefaultCollector(c).RetrieveOne(ctx, ref, []string{"config"}, &pg); err != nil {
			return err
		}
		spec := types.DVPortgroupConfigSpec{ConfigVersion: pg.Config.ConfigVersion, Policy: portOverridePolicy(pg.Config.Policy, allow)}
		task, err := object.NewDistributedVirtualPortgroup(c, ref).Reconfigure(ctx, spec)
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
	dvs, key, err := s.NICPort(ctx, vmName, label)
	if err != nil {
		return err
	}
	return s.admin(ctx, func(c *vim25.Client) error {
		ref := types.ManagedObjectReference{Type: dvsType, Value: dvs}
		req := types.ReconfigureDVPort_Task{This: ref, Port: []types.DVPortConfigSpec{{
			Operation: string(types.ConfigSpecOperationEdit), Key: key, Setting: portSecuritySetting(sec),
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
