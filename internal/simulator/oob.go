package simulator

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
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
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	task, err := object.NewHostSystem(c.Client, types.ManagedObjectReference{Type: "HostSystem", Value: id}).Destroy(ctx)
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
