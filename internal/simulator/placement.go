package simulator

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/object"
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// What a scenario says about the firewalls beyond networking: clusters' DRS
// and VM anti-affinity rules, port groups letting ports override, and the
// own settings of the VMs' DV ports. Built after the VMs, since rules and
// ports name them.

// buildPlacement applies, once the VMs exist, the clusters' DRS settings
// and rules, the port groups' override flags and the NICs' port settings.
func (s *Server) buildPlacement(sc Scenario) error {
	ctx := &gosim.Context{Context: s.ictx, Map: s.model.Map()}
	for _, dc := range sc.Datacenters {
		for _, cl := range dc.Clusters {
			if err := s.configureCluster(cl); err != nil {
				return fmt.Errorf("cluster %s: %w", cl.Name, err)
			}
		}
		for _, d := range dc.DVSwitches {
			for _, pg := range d.PortGroups {
				if pg.AllowPortOverrides || pg.ResetPortConfigAtDisconnect {
					s.setPortGroupPolicy(ctx, s.DVPortGroupID(pg.Name), pg.AllowPortOverrides, pg.ResetPortConfigAtDisconnect)
				}
			}
		}
	}
	for _, vm := range sc.VMs {
		for i, nic := range vm.NICs {
			if nic.PortSecurity == nil {
				continue
			}
			if err := s.setBuiltPortSecurity(ctx, vm.Name, i, *nic.PortSecurity); err != nil {
				return fmt.Errorf("vm %s NIC %d: %w", vm.Name, i+1, err)
			}
		}
	}
	return nil
}

// configureCluster sets DRS and adds the anti-affinity rules with
// ReconfigureComputeResource_Task (vSphere API reference,
// ClusterConfigSpecEx.drsConfig and rulesSpec; ClusterAntiAffinityRuleSpec).
func (s *Server) configureCluster(cl Cluster) error {
	spec := clusterSpec(cl.DRS, nil)
	for _, r := range cl.AntiAffinity {
		var vms []types.ManagedObjectReference
		for _, name := range r.VMs {
			id := s.VMID(name)
			if id == "" {
				return fmt.Errorf("rule %s: unknown VM %q", r.Name, name)
			}
			vms = append(vms, types.ManagedObjectReference{Type: "VirtualMachine", Value: id})
		}
		spec.RulesSpec = append(spec.RulesSpec, antiAffinitySpec(r.Name, r.Enabled, vms))
	}
	cr := object.NewClusterComputeResource(s.intc, types.ManagedObjectReference{Type: "ClusterComputeResource", Value: s.ClusterID(cl.Name)})
	task, err := cr.Reconfigure(s.ictx, spec, true)
	if err != nil {
		return err
	}
	_, err = s.waitTask(task.Reference())
	return err
}

func clusterSpec(drs bool, rules []types.ClusterRuleSpec) *types.ClusterConfigSpecEx {
	return &types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{Enabled: types.NewBool(drs)}, RulesSpec: rules}
}

func antiAffinitySpec(name string, enabled bool, vms []types.ManagedObjectReference) types.ClusterRuleSpec {
	return types.ClusterRuleSpec{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info: &types.ClusterAntiAffinityRuleSpec{
			ClusterRuleInfo: types.ClusterRuleInfo{Name: name, Enabled: types.NewBool(enabled), UserCreated: types.NewBool(true)},
			Vm:              vms,
		},
	}
}

// portOverridePolicy returns the port group policy with the security and
// MAC management override flags set to allow.
func portOverridePolicy(cur types.BaseDVPortgroupPolicy, allow bool) *types.VMwareDVSPortgroupPolicy {
	p := &types.VMwareDVSPortgroupPolicy{}
	if v, ok := cur.(*types.VMwareDVSPortgroupPolicy); ok {
		*p = deepCopy(*v)
	} else if cur != nil {
		p.DVPortgroupPolicy = *cur.GetDVPortgroupPolicy()
	}
	p.SecurityPolicyOverrideAllowed = allow
	p.MacManagementOverrideAllowed = types.NewBool(allow)
	return p
}

// setPortGroupPolicy sets a port group's override flags and
// portConfigResetAtDisconnect in place (build only).
func (s *Server) setPortGroupPolicy(ctx *gosim.Context, pgID string, allow, resetAtDisconnect bool) {
	pg, ok := ctx.Map.Get(types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: pgID}).(*gosim.DistributedVirtualPortgroup)
	if !ok {
		return
	}
	ctx.WithLock(pg, func() {
		cfg := pg.Config
		p := portOverridePolicy(cfg.Policy, allow)
		p.PortConfigResetAtDisconnect = resetAtDisconnect
		cfg.Policy = p
		ctx.Update(pg, []types.PropertyChange{{Name: "config", Val: cfg}})
	})
}

// portSecuritySetting is a port setting whose security policy is the port's
// own where sec sets a value and the port group's where it is nil.
func portSecuritySetting(sec inventory.Security) *types.VMwareDVSPortSetting {
	own := sec.AllowPromiscuous != nil || sec.MacChanges != nil || sec.ForgedTransmits != nil
	return &types.VMwareDVSPortSetting{SecurityPolicy: &types.DVSSecurityPolicy{
		InheritablePolicy: types.InheritablePolicy{Inherited: !own},
		AllowPromiscuous:  boolPolicy(sec.AllowPromiscuous, false, true),
		MacChanges:        boolPolicy(sec.MacChanges, false, true),
		ForgedTransmits:   boolPolicy(sec.ForgedTransmits, false, true),
	}}
}

// setBuiltPortSecurity writes the own security policy of the port of the
// VM's NIC number idx (build only; ReconfigureDVPort_Task does the same
// over the API).
func (s *Server) setBuiltPortSecurity(ctx *gosim.Context, vmName string, idx int, sec inventory.Security) error {
	vm, ok := ctx.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID(vmName)}).(*gosim.VirtualMachine)
	if !ok {
		return fmt.Errorf("unknown VM %q", vmName)
	}
	var port *types.DistributedVirtualSwitchPortConnection
	ctx.WithLock(vm, func() {
		n := 0
		for _, d := range vm.Config.Hardware.Device {
			if c, ok := d.(types.BaseVirtualEthernetCard); ok {
				if b, ok := c.GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo); ok && n == idx {
					p := b.Port
					port = &p
				}
				n++
			}
		}
	})
	if port == nil || port.PortKey == "" {
		return fmt.Errorf("the NIC is not on a DV port")
	}
	dvs := s.switchByUUID(ctx, port.SwitchUuid)
	if dvs == "" {
		return fmt.Errorf("no switch %s", port.SwitchUuid)
	}
	own := portSecuritySetting(sec)
	dropInherited(reflect.ValueOf(own).Elem())
	s.netMu.Lock()
	defer s.netMu.Unlock()
	st := s.ensurePort(portRef{dvs, port.PortKey})
	st.Setting, st.ConfigVersion = own, bumpVersion(st.ConfigVersion)
	return nil
}

// switchByUUID returns the moref value of the switch with that uuid.
func (s *Server) switchByUUID(ctx *gosim.Context, uuid string) string {
	for _, o := range ctx.Map.All(vcsimDVSType) {
		if sw, ok := o.(*gosim.DistributedVirtualSwitch); ok && sw.Uuid == uuid {
			return sw.Self.Value
		}
	}
	return ""
}

// nicPort finds the DV port of a VM's NIC by label in a VM read over the
// API.
func nicPort(vm *mo.VirtualMachine, label string) (*types.DistributedVirtualSwitchPortConnection, error) {
	var labels []string
	for _, d := range vm.Config.Hardware.Device {
		c, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		dev := d.GetVirtualDevice()
		if dev.DeviceInfo == nil {
			continue
		}
		labels = append(labels, dev.DeviceInfo.GetDescription().Label)
		if dev.DeviceInfo.GetDescription().Label != label {
			continue
		}
		b, ok := c.GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo)
		if !ok {
			return nil, fmt.Errorf("simulator: NIC %q of %s is not on a DV port group", label, vm.Name)
		}
		p := b.Port
		return &p, nil
	}
	return nil, fmt.Errorf("simulator: VM %s has no NIC %q (has %s)", vm.Name, label, strings.Join(labels, ", "))
}
