package simulator

import (
	"reflect"
	"strconv"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// dvsType is the type vCenter gives a VMware distributed switch
// (VmwareDistributedVirtualSwitch; govmomi PRs #4120, #4130): stock vcsim
// registers its switches as the abstract DistributedVirtualSwitch, and
// cannot hold them under the concrete type (its property updates look the
// Go type up by the moref's type). The HTTP layer translates instead (see
// the wire types in wire.go): clients see and send the concrete type, vcsim
// works on the abstract one.
const dvsType = "VmwareDistributedVirtualSwitch"

// vcsimDVSType is the type vcsim registers its switches under.
const vcsimDVSType = "DistributedVirtualSwitch"

// dvPort is the simulator's state of one distributed port, beyond the port
// keys vcsim keeps on the port group. It is where port-level state lives:
// the connectee and the port's own setting (ReconfigureDVPort_Task writes
// Setting, see dvportcfg.go; FetchDVPorts merges it over the port group's
// default port config and clears `inherited` on what it sets).
type dvPort struct {
	// Connectee is the VM NIC on the port (nil: free).
	Connectee *types.DistributedVirtualSwitchPortConnectee
	// Setting is the port's own, partial setting (nil: every policy is
	// inherited from the port group).
	Setting *types.VMwareDVSPortSetting
	// ConfigVersion of the port's config ("" until the port is written).
	ConfigVersion string
}

// port returns the state of a port, nil when nothing was recorded. netMu is
// held.
func (s *Server) port(p portRef) *dvPort { return s.ports[p.dvs][p.key] }

// ensurePort returns the state of a port, creating it. netMu is held.
func (s *Server) ensurePort(p portRef) *dvPort {
	if s.ports[p.dvs] == nil {
		s.ports[p.dvs] = map[string]*dvPort{}
	}
	st := s.ports[p.dvs][p.key]
	if st == nil {
		st = &dvPort{}
		s.ports[p.dvs][p.key] = st
	}
	return st
}

// renumberPorts gives the ports of every port group of a switch keys unique
// on the switch ("0", "1", ... in port group order), as vCenter does; stock
// vcsim numbers each port group's ports from 0.
func (s *Server) renumberPorts(ctx *gosim.Context, sw *gosim.DistributedVirtualSwitch) {
	n := 0
	for _, ref := range sw.Portgroup {
		pg, ok := ctx.Map.Get(ref).(*gosim.DistributedVirtualPortgroup)
		if !ok {
			continue
		}
		ctx.WithLock(pg, func() {
			keys := make([]string, len(pg.PortKeys))
			for i := range keys {
				keys[i] = strconv.Itoa(n)
				n++
			}
			ctx.Update(pg, []types.PropertyChange{{Name: "portKeys", Val: keys}})
		})
	}
}

// FetchDVPorts answers with every port of the switch's port groups, as
// vCenter does (vSphere API reference, DistributedVirtualSwitch.FetchDVPorts
// and DistributedVirtualPort):
//   - config.setting is the port group's default port config with every
//     policy marked inherited (InheritablePolicy.inherited: the port takes
//     it from its port group), then the port's own setting merged over it
//     with inherited false where it sets a policy;
//   - connectee names the VM NIC on the port: connectedEntity, nicKey (the
//     device key) and type vmVnic (DistributedVirtualSwitchPortConnectee);
//   - criteria: portgroupKey with inside, portKey, connected and uplinkPort
//     are applied (DistributedVirtualSwitchPortCriteria); active, host,
//     scope and nsxPort are not.
func (d *dvSwitch) FetchDVPorts(ctx *gosim.Context, req *types.FetchDVPorts) soap.HasFault {
	var pgs []*gosim.DistributedVirtualPortgroup
	var uuid string
	var uplinks []types.ManagedObjectReference
	ctx.WithLock(d.DistributedVirtualSwitch, func() {
		uuid = d.Uuid
		uplinks = d.Config.GetDVSConfigInfo().UplinkPortgroup
		for _, ref := range d.Portgroup {
			if pg, ok := ctx.Map.Get(ref).(*gosim.DistributedVirtualPortgroup); ok {
				pgs = append(pgs, pg)
			}
		}
	})
	dvs := d.DistributedVirtualSwitch.Self.Value
	var out []types.DistributedVirtualPort
	for _, pg := range pgs {
		var keys []string
		var setting types.BaseDVPortSetting
		var pgKey string
		ctx.WithLock(pg, func() {
			keys = append(keys, pg.PortKeys...)
			setting = pg.Config.DefaultPortConfig
			pgKey = pg.Key
		})
		uplink := hasRef(uplinks, pg.Self)
		for _, key := range keys {
			p := types.DistributedVirtualPort{Key: key, DvsUuid: uuid, PortgroupKey: pgKey}
			d.srv.netMu.Lock()
			st := d.srv.port(portRef{dvs, key})
			var own *types.VMwareDVSPortSetting
			if st != nil {
				if st.Connectee != nil {
					c := deepCopy(*st.Connectee)
					p.Connectee = &c
				}
				own = st.Setting
				p.Config.ConfigVersion = st.ConfigVersion
			}
			p.Config.Setting = portSetting(setting, own)
			d.srv.netMu.Unlock()
			if matchPort(req.Criteria, p, uplink) {
				out = append(out, p)
			}
		}
	}
	return &methods.FetchDVPortsBody{Res: &types.FetchDVPortsResponse{Returnval: out}}
}

// portSetting is the effective setting of a port: the port group's, marked
// inherited throughout, with the port's own setting merged over it.
func portSetting(pg types.BaseDVPortSetting, own *types.VMwareDVSPortSetting) types.BaseDVPortSetting {
	if pg == nil {
		return nil
	}
	out := deepCopy(pg)
	markInherited(reflect.ValueOf(out))
	if ps, ok := out.(*types.VMwareDVSPortSetting); ok && own != nil {
		mergeValue(reflect.ValueOf(ps).Elem(), reflect.ValueOf(own).Elem())
		// as on a port group of a 6.6+ switch (syncSecurityMac): the
		// port's own security and MAC management booleans agree
		syncSecurityMac(ps, own.SecurityPolicy != nil, own.MacManagementPolicy != nil)
	}
	return out
}

// markInherited sets inherited on every InheritablePolicy under v.
func markInherited(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			markInherited(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(types.InheritablePolicy{}) {
			v.FieldByName("Inherited").SetBool(true)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				markInherited(v.Field(i))
			}
		}
	}
}

func matchPort(c *types.DistributedVirtualSwitchPortCriteria, p types.DistributedVirtualPort, uplink bool) bool {
	if c == nil {
		return true
	}
	if len(c.PortgroupKey) > 0 && c.Inside != nil {
		in := false
		for _, k := range c.PortgroupKey {
			in = in || k == p.PortgroupKey
		}
		if in != *c.Inside {
			return false
		}
	}
	if len(c.PortKey) > 0 {
		in := false
		for _, k := range c.PortKey {
			in = in || k == p.Key
		}
		if !in {
			return false
		}
	}
	if c.Connected != nil && *c.Connected != (p.Connectee != nil) {
		return false
	}
	if c.UplinkPort != nil && *c.UplinkPort != uplink {
		return false
	}
	return true
}
