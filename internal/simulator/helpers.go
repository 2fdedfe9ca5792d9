package simulator

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The helpers below make out-of-band changes the way an administrator
// would, through a real client over HTTP (so their calls are recorded; call
// ResetCalls afterwards).

func (s *Server) hostNetworkSystem(ctx context.Context, hostName string) (*object.HostNetworkSystem, *types.HostNetworkInfo, func(), error) {
	id := s.HostID(hostName)
	if id == "" {
		return nil, nil, nil, fmt.Errorf("simulator: unknown host %q", hostName)
	}
	c, err := s.Client(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	done := func() { _ = c.Logout(ctx) }
	host := object.NewHostSystem(c.Client, types.ManagedObjectReference{Type: "HostSystem", Value: id})
	ns, err := host.ConfigManager().NetworkSystem(ctx)
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	var mns mo.HostNetworkSystem
	if err := ns.Properties(ctx, ns.Reference(), []string{"networkInfo"}, &mns); err != nil {
		done()
		return nil, nil, nil, err
	}
	return ns, mns.NetworkInfo, done, nil
}

// SetPortGroupSecurity writes the security policy of a standard port group
// (nil fields inherit from the vSwitch) with UpdatePortGroup.
func (s *Server) SetPortGroupSecurity(ctx context.Context, hostName, pg string, sec inventory.Security) error {
	ns, info, done, err := s.hostNetworkSystem(ctx, hostName)
	if err != nil {
		return err
	}
	defer done()
	for _, p := range info.Portgroup {
		if p.Spec.Name == pg {
			spec := p.Spec
			spec.Policy.Security = hostSec(sec)
			return ns.UpdatePortGroup(ctx, pg, spec)
		}
	}
	return fmt.Errorf("simulator: host %s has no port group %q", hostName, pg)
}

// SetVSwitchSecurity writes the switch-level security policy of a standard
// vSwitch with UpdateVirtualSwitch (nil fields take the ESXi defaults:
// promiscuous Reject, MAC changes and forged transmits Accept).
func (s *Server) SetVSwitchSecurity(ctx context.Context, hostName, vswitch string, sec inventory.Security) error {
	return s.editVSwitchSecurity(ctx, hostName, vswitch, func(*types.HostNetworkSecurityPolicy) *types.HostNetworkSecurityPolicy { return hostSec(sec) })
}

// SetHostOption sets an advanced option of a host. value must have the
// option's type (int64 for long options).
func (s *Server) SetHostOption(ctx context.Context, hostName, key string, value any) error {
	return s.withOptionManager(ctx, hostName, func(m *object.OptionManager) error {
		return m.Update(ctx, []types.BaseOptionValue{&types.OptionValue{Key: key, Value: value}})
	})
}

// AddMirrorSession adds a port-mirroring (VSPAN) session to a distributed
// switch with ReconfigureDvs_Task and returns its key.
func (s *Server) AddMirrorSession(ctx context.Context, dvsName, sessionName string, enabled bool) (string, error) {
	return s.editMirror(ctx, dvsName, types.VMwareVspanSession{Name: sessionName, Enabled: enabled, SessionType: "dvPortMirror"}, types.ConfigSpecOperationAdd)
}

// SetMirrorSessionEnabled enables or disables the named mirroring session.
func (s *Server) SetMirrorSessionEnabled(ctx context.Context, dvsName, sessionName string, enabled bool) error {
	_, err := s.editMirror(ctx, dvsName, types.VMwareVspanSession{Name: sessionName, Enabled: enabled}, types.ConfigSpecOperationEdit)
	return err
}

func (s *Server) editMirror(ctx context.Context, dvsName string, sess types.VMwareVspanSession, op types.ConfigSpecOperation) (string, error) {
	id := s.DVSwitchID(dvsName)
	if id == "" {
		return "", fmt.Errorf("simulator: unknown distributed switch %q", dvsName)
	}
	c, err := s.Client(ctx)
	if err != nil {
		return "", err
	}
	defer func() { _ = c.Logout(ctx) }()
	ref := types.ManagedObjectReference{Type: dvsType, Value: id}
	var dvs mo.DistributedVirtualSwitch
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, ref, []string{"config"}, &dvs); err != nil {
		return "", err
	}
	cfg := dvs.Config.(*types.VMwareDVSConfigInfo)
	if op == types.ConfigSpecOperationEdit {
		found := false
		for _, x := range cfg.VspanSession {
			if x.Name == sess.Name {
				enabled := sess.Enabled
				sess = x
				sess.Enabled = enabled
				found = true
			}
		}
		if !found {
			return "", fmt.Errorf("simulator: no mirroring session %q on %s", sess.Name, dvsName)
		}
	}
	spec := &types.VMwareDVSConfigSpec{
		DVSConfigSpec:   types.DVSConfigSpec{ConfigVersion: cfg.ConfigVersion},
		VspanConfigSpec: []types.VMwareDVSVspanConfigSpec{{VspanSession: sess, Operation: string(op)}},
	}
	task, err := object.NewDistributedVirtualSwitch(c.Client, ref).Reconfigure(ctx, spec)
	if err != nil {
		return "", err
	}
	if err := task.Wait(ctx); err != nil {
		return "", err
	}
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, ref, []string{"config"}, &dvs); err != nil {
		return "", err
	}
	for _, x := range dvs.Config.(*types.VMwareDVSConfigInfo).VspanSession {
		if x.Name == sess.Name {
			return x.Key, nil
		}
	}
	return "", fmt.Errorf("simulator: mirroring session %q not found after reconfigure", sess.Name)
}
