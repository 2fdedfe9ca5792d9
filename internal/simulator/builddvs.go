package simulator

import (
	"fmt"
	"reflect"

	"github.com/vmware/govmomi/object"
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// buildDVS creates a distributed switch of the scenario: its product
// version and configuration (mirroring sessions, LAGs), its host members
// and its port groups.
func (s *Server) buildDVS(ctx *gosim.Context, folders *object.DatacenterFolders, d DVSwitch, hosts map[string]*builtHost) error {
	version := d.Version
	if version == "" {
		version = "8.0.0"
	}
	uplinks := d.Uplinks
	if len(uplinks) == 0 {
		uplinks = []string{"uplink1", "uplink2"}
	}
	macMgmt := versionAtLeast(version, "6.6.0")
	setting := dvsSetting(d.Security, d.Teaming, uplinks, nil, macMgmt, false)
	product := &types.DistributedVirtualSwitchProductSpec{
		Name: "DVS", Vendor: "VMware, Inc.", Version: version, ForwardingClass: "etherswitch",
	}
	ref, err := s.createDVS(folders, d, uplinks, setting, product)
	if err != nil {
		return err
	}
	s.setID("dvs", d.Name, ref.Value)
	s.netMu.Lock()
	s.dvsVer[ref.Value] = version
	s.netMu.Unlock()

	sw := s.model.Map().Get(ref).(*gosim.DistributedVirtualSwitch)
	ctx.WithLock(sw, func() { s.seedDVSConfig(sw, d, product) })

	dvs := object.NewDistributedVirtualSwitch(s.intc, ref)
	if err := s.addDVSHosts(dvs, d.HostNames, hosts); err != nil {
		return err
	}
	for _, pg := range d.PortGroups {
		if err := s.addDVPortGroup(ctx, folders, dvs, pg, setting, macMgmt); err != nil {
			return err
		}
	}
	s.renumberPorts(ctx, sw)
	return nil
}

// createDVS creates the switch in the datacenter's network folder with its
// uplinks and default port setting and returns its moref.
func (s *Server) createDVS(folders *object.DatacenterFolders, d DVSwitch, uplinks []string, setting *types.VMwareDVSPortSetting, product *types.DistributedVirtualSwitchProductSpec) (types.ManagedObjectReference, error) {
	spec := &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{
		Name:              d.Name,
		MaxPorts:          2147483647,
		UplinkPortPolicy:  &types.DVSNameArrayUplinkPortPolicy{UplinkPortName: append([]string(nil), uplinks...)},
		DefaultPortConfig: setting,
	}, MaxMtu: 1500}
	if len(d.LAGs) > 0 {
		spec.LacpApiVersion = string(types.VMwareDvsLacpApiVersionMultipleLag)
	}
	return s.waitCreated(folders.NetworkFolder.CreateDVS(s.ictx, types.DVSCreateSpec{ConfigSpec: spec, ProductInfo: product}))
}

// seedDVSConfig writes what CreateDVS_Task does not take into the new
// switch's config: the product, configVersion "1", the scenario's
// mirroring sessions and LAGs. The caller holds the switch's lock.
func (s *Server) seedDVSConfig(sw *gosim.DistributedVirtualSwitch, d DVSwitch, product *types.DistributedVirtualSwitchProductSpec) {
	cfg := sw.Config.(*types.VMwareDVSConfigInfo)
	cfg.ProductInfo = *product
	cfg.ConfigVersion = "1"
	for i, m := range d.Mirroring {
		key := m.Key
		if key == "" {
			key = fmt.Sprintf("vspan_%d", i+1)
		}
		cfg.VspanSession = append(cfg.VspanSession, types.VMwareVspanSession{
			Key: key, Name: m.Name, Enabled: m.Enabled, SessionType: "dvPortMirror",
			NormalTrafficAllowed: false, MirroredPacketLength: 0,
		})
	}
	s.netMu.Lock()
	s.vspanSeq += len(d.Mirroring)
	for _, l := range d.LAGs {
		s.lagSeq++
		g := types.VMwareDvsLacpGroupConfig{Key: l.Key, Name: l.Name, Mode: l.Mode, UplinkNum: int32(l.Uplinks), LoadbalanceAlgorithm: l.Algorithm}
		if g.Key == "" {
			g.Key = fmt.Sprintf("lacp-%d", s.lagSeq)
		}
		fillLAG(&g)
		cfg.LacpGroupConfig = append(cfg.LacpGroupConfig, g)
	}
	s.netMu.Unlock()
	sp := *product
	sw.Summary.ProductInfo = &sp
}

// addDVSHosts makes the named hosts members of the switch (through vcsim's
// ReconfigureDvs_Task).
func (s *Server) addDVSHosts(dvs *object.DistributedVirtualSwitch, names []string, hosts map[string]*builtHost) error {
	if len(names) == 0 {
		return nil
	}
	hs := &types.DVSConfigSpec{}
	for _, name := range names {
		h := hosts[name]
		if h == nil {
			return fmt.Errorf("unknown host %q", name)
		}
		hs.Host = append(hs.Host, types.DistributedVirtualSwitchHostMemberConfigSpec{
			Operation: string(types.ConfigSpecOperationAdd), Host: h.ref,
			Backing: &types.DistributedVirtualSwitchHostMemberPnicBacking{},
		})
	}
	t, err := dvs.Reconfigure(s.ictx, hs)
	if err != nil {
		return err
	}
	_, err = s.waitTask(t.Reference())
	return err
}

// addDVPortGroup creates a port group of the scenario on the switch whose
// default port setting is setting, its inherited policies resolved from it
// as vCenter reports them.
func (s *Server) addDVPortGroup(ctx *gosim.Context, folders *object.DatacenterFolders, dvs *object.DistributedVirtualSwitch, pg DVPortGroup, setting *types.VMwareDVSPortSetting, macMgmt bool) error {
	ml := pg.MacLearning
	pset := dvsSetting(pg.Security, pg.Teaming, nil, ml, macMgmt, true)
	pset.Vlan = encodeVLAN(pg.VLAN)
	if macMgmt {
		// the three booleans follow the effective security policy
		macFollowsSecurity(pset, setting)
	}
	resolveInherited(reflect.ValueOf(pset).Elem(), reflect.ValueOf(setting).Elem())
	spec := types.DVPortgroupConfigSpec{
		Name: pg.Name, Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding),
		NumPorts: 8, DefaultPortConfig: pset, ConfigVersion: "1", AutoExpand: types.NewBool(true),
	}
	s.nsxSpec(&spec, pg.NSXSegment)
	t, err := dvs.AddPortgroup(s.ictx, []types.DVPortgroupConfigSpec{spec})
	if err != nil {
		return err
	}
	if _, err := s.waitTask(t.Reference()); err != nil {
		return fmt.Errorf("port group %s: %w", pg.Name, err)
	}
	nf := folders.NetworkFolder.Reference()
	id := s.findNetworkByName(ctx, &nf, pg.Name)
	if id == nil {
		return fmt.Errorf("port group %s not found after creation", pg.Name)
	}
	s.setID("dvpg", pg.Name, id.Value)
	return nil
}

// macFollowsSecurity sets the three booleans of the port group setting's
// MAC management policy to its effective security policy: the port group's
// own value where it sets one, else the switch setting's.
func macFollowsSecurity(pset, setting *types.VMwareDVSPortSetting) {
	eff := func(pgv, swv *types.BoolPolicy) *bool {
		if pgv != nil && !pgv.Inherited && pgv.Value != nil {
			return types.NewBool(*pgv.Value)
		}
		return types.NewBool(*swv.Value)
	}
	mm := pset.MacManagementPolicy
	mm.AllowPromiscuous = eff(pset.SecurityPolicy.AllowPromiscuous, setting.SecurityPolicy.AllowPromiscuous)
	mm.MacChanges = eff(pset.SecurityPolicy.MacChanges, setting.SecurityPolicy.MacChanges)
	mm.ForgedTransmits = eff(pset.SecurityPolicy.ForgedTransmits, setting.SecurityPolicy.ForgedTransmits)
}
