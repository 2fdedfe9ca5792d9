package simulator

import (
	"context"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

func reconfigureDVS(ctx context.Context, c *object.DistributedVirtualSwitch, spec types.BaseDVSConfigSpec) error {
	task, err := c.Reconfigure(ctx, spec)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// Gap 6: ReconfigureDvs_Task merges the config (vspan sessions survive),
// checks and bumps configVersion.
func TestReconfigureDvsMerge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ref := types.ManagedObjectReference{Type: dvsType, Value: s.DVSwitchID("dvs7")}
	dvs := object.NewDistributedVirtualSwitch(c.Client, ref)

	cfg := dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	if len(cfg.VspanSession) != 1 || cfg.VspanSession[0].Name != "m1" || !cfg.VspanSession[0].Enabled {
		t.Fatalf("scenario session: %+v", cfg.VspanSession)
	}
	v0 := cfg.ConfigVersion

	// unrelated change keeps the session, bumps the version
	err := reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{ConfigVersion: v0, Description: "core", MaxPorts: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	cfg = dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	if len(cfg.VspanSession) != 1 || cfg.Description != "core" || cfg.MaxPorts != 4096 || cfg.ConfigVersion == v0 {
		t.Fatalf("after reconfigure: sessions=%v desc=%q max=%d version=%s", cfg.VspanSession, cfg.Description, cfg.MaxPorts, cfg.ConfigVersion)
	}
	if cfg.ProductInfo.Version != "7.0.0" {
		t.Fatal("product info lost")
	}
	// stale version
	wantFault(t, reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{ConfigVersion: v0, Description: "x"}}), "ConcurrentAccess")

	// add, edit, remove sessions
	key, err := s.AddMirrorSession(ctx, "dvs7", "m2", false)
	if err != nil || key == "" || key == "vspan_1" {
		t.Fatalf("add: %q %v", key, err)
	}
	if err := s.SetMirrorSessionEnabled(ctx, "dvs7", "m2", true); err != nil {
		t.Fatal(err)
	}
	cfg = dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	if len(cfg.VspanSession) != 2 || !cfg.VspanSession[1].Enabled || cfg.VspanSession[1].Key != key {
		t.Fatalf("sessions: %+v", cfg.VspanSession)
	}
	err = reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{
		DVSConfigSpec:   types.DVSConfigSpec{ConfigVersion: cfg.ConfigVersion},
		VspanConfigSpec: []types.VMwareDVSVspanConfigSpec{{Operation: "remove", VspanSession: types.VMwareVspanSession{Key: "vspan_1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg = dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	if len(cfg.VspanSession) != 1 || cfg.VspanSession[0].Name != "m2" {
		t.Fatalf("after remove: %+v", cfg.VspanSession)
	}
	wantFault(t, reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{
		DVSConfigSpec:   types.DVSConfigSpec{ConfigVersion: cfg.ConfigVersion},
		VspanConfigSpec: []types.VMwareDVSVspanConfigSpec{{Operation: "edit", VspanSession: types.VMwareVspanSession{Key: "nope"}}},
	}), "NotFound")

	// default port config merge: only promiscuous changes
	err = reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{
		ConfigVersion:     cfg.ConfigVersion,
		DefaultPortConfig: &types.VMwareDVSPortSetting{SecurityPolicy: &types.DVSSecurityPolicy{AllowPromiscuous: &types.BoolPolicy{Value: types.NewBool(true)}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cfg = dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	dp := cfg.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if !*dp.SecurityPolicy.AllowPromiscuous.Value || dp.SecurityPolicy.MacChanges == nil || *dp.SecurityPolicy.MacChanges.Value || dp.UplinkTeamingPolicy == nil || dp.Vlan == nil {
		t.Fatalf("switch default port config not merged: %+v", dp)
	}
	if !*dp.MacManagementPolicy.AllowPromiscuous {
		t.Fatal("macManagementPolicy not kept in sync")
	}

	// host membership still works through the override
	h, err := object.NewDistributedVirtualSwitch(c.Client, types.ManagedObjectReference{Type: dvsType, Value: s.DVSwitchID("dvs5")}), error(nil)
	_ = err
	v5 := dvswitch(t, c, s, "dvs5").Config.GetDVSConfigInfo().ConfigVersion
	err = reconfigureDVS(ctx, h, &types.DVSConfigSpec{ConfigVersion: v5, Host: []types.DistributedVirtualSwitchHostMemberConfigSpec{{Operation: "add", Host: hostRef(s, "h2")}}})
	if err != nil {
		t.Fatal(err)
	}
	sw5 := dvswitch(t, c, s, "dvs5")
	if len(sw5.Summary.HostMember) != 2 {
		t.Fatalf("members %v", sw5.Summary.HostMember)
	}
	wantFault(t, reconfigureDVS(ctx, h, &types.DVSConfigSpec{ConfigVersion: sw5.Config.GetDVSConfigInfo().ConfigVersion, Host: []types.DistributedVirtualSwitchHostMemberConfigSpec{{Operation: "add", Host: hostRef(s, "h2")}}}), "AlreadyExists")
}

// Gap 7: product version in config and summary; MAC management only >= 6.6.
func TestDVSProductVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	for name, want := range map[string]string{"dvs7": "7.0.0", "dvs5": "5.0.0"} {
		sw := dvswitch(t, c, s, name)
		cfg := sw.Config.(*types.VMwareDVSConfigInfo)
		if cfg.ProductInfo.Version != want || sw.Summary.ProductInfo == nil || sw.Summary.ProductInfo.Version != want {
			t.Fatalf("%s: config %q summary %+v", name, cfg.ProductInfo.Version, sw.Summary.ProductInfo)
		}
		dp := cfg.DefaultPortConfig.(*types.VMwareDVSPortSetting)
		if (dp.MacManagementPolicy != nil) != (want == "7.0.0") {
			t.Fatalf("%s: macManagementPolicy %+v", name, dp.MacManagementPolicy)
		}
		up, ok := cfg.UplinkPortPolicy.(*types.DVSNameArrayUplinkPortPolicy)
		if !ok || !reflect.DeepEqual(up.UplinkPortName, []string{"uplink1", "uplink2"}) {
			t.Fatalf("%s: uplink policy %#v", name, cfg.UplinkPortPolicy)
		}
	}
	old := dvpg(t, c, s, "DV-OLD")
	if old.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).MacManagementPolicy != nil {
		t.Fatal("legacy port group has macManagementPolicy")
	}
	pg := object.NewDistributedVirtualPortgroup(c.Client, old.Self)
	task, err := pg.Reconfigure(ctx, types.DVPortgroupConfigSpec{
		ConfigVersion: old.Config.ConfigVersion,
		DefaultPortConfig: &types.VMwareDVSPortSetting{MacManagementPolicy: &types.DVSMacManagementPolicy{
			MacLearningPolicy: &types.DVSMacLearningPolicy{Enabled: true},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFault(t, task.Wait(ctx), "NotSupported")
}

func reconfigurePG(ctx context.Context, pg *object.DistributedVirtualPortgroup, spec types.DVPortgroupConfigSpec) error {
	task, err := pg.Reconfigure(ctx, spec)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// Gap 8: ReconfigureDVPortgroup_Task merges a partial spec and checks
// configVersion.
func TestReconfigureDVPortgroupMerge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	before := dvpg(t, c, s, "DV-A")
	pg := object.NewDistributedVirtualPortgroup(c.Client, before.Self)
	bs := before.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if before.Config.DistributedVirtualSwitch == nil || before.Config.DistributedVirtualSwitch.Value != s.DVSwitchID("dvs7") {
		t.Fatalf("distributedVirtualSwitch %v", before.Config.DistributedVirtualSwitch)
	}
	// scenario values: promiscuous set, others inherited (with the switch's value)
	if bs.SecurityPolicy.AllowPromiscuous.Inherited || !*bs.SecurityPolicy.AllowPromiscuous.Value ||
		!bs.SecurityPolicy.MacChanges.Inherited || bs.SecurityPolicy.MacChanges.Value == nil || *bs.SecurityPolicy.MacChanges.Value {
		t.Fatalf("scenario security %+v %+v", bs.SecurityPolicy.AllowPromiscuous, bs.SecurityPolicy.MacChanges)
	}
	if bs.UplinkTeamingPolicy.Policy.Value != "loadbalance_ip" || !bs.MacManagementPolicy.MacLearningPolicy.Enabled || *bs.MacManagementPolicy.MacLearningPolicy.Limit != 100 {
		t.Fatalf("scenario teaming/mac learning %+v %+v", bs.UplinkTeamingPolicy.Policy, bs.MacManagementPolicy.MacLearningPolicy)
	}

	// stale and missing configVersion
	spec := types.DVPortgroupConfigSpec{ConfigVersion: "999", DefaultPortConfig: &types.VMwareDVSPortSetting{
		SecurityPolicy: &types.DVSSecurityPolicy{ForgedTransmits: &types.BoolPolicy{Value: types.NewBool(true)}},
	}}
	wantFault(t, reconfigurePG(ctx, pg, spec), "ConcurrentAccess")
	spec.ConfigVersion = ""
	wantFault(t, reconfigurePG(ctx, pg, spec), "InvalidArgument")

	// partial: only forged transmits
	spec.ConfigVersion = before.Config.ConfigVersion
	if err := reconfigurePG(ctx, pg, spec); err != nil {
		t.Fatal(err)
	}
	after := dvpg(t, c, s, "DV-A")
	as := after.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if after.Config.ConfigVersion == before.Config.ConfigVersion {
		t.Fatal("configVersion not bumped")
	}
	if !*as.SecurityPolicy.ForgedTransmits.Value || !*as.SecurityPolicy.AllowPromiscuous.Value || !as.SecurityPolicy.MacChanges.Inherited {
		t.Fatalf("security not merged: %+v", as.SecurityPolicy)
	}
	if as.UplinkTeamingPolicy.Policy.Value != "loadbalance_ip" || as.Vlan == nil || as.MacManagementPolicy.MacLearningPolicy == nil || !as.MacManagementPolicy.MacLearningPolicy.Enabled {
		t.Fatalf("other policies lost: %+v", as)
	}
	if after.Config.Name != "DV-A" || after.Config.NumPorts != before.Config.NumPorts || after.Config.Type != before.Config.Type {
		t.Fatalf("config fields lost: %+v", after.Config)
	}
	// security -> mac management booleans
	if !*as.MacManagementPolicy.ForgedTransmits || !*as.MacManagementPolicy.AllowPromiscuous {
		t.Fatalf("macManagementPolicy not synced: %+v", as.MacManagementPolicy)
	}
	// mac management -> security booleans, MAC learning off
	err := reconfigurePG(ctx, pg, types.DVPortgroupConfigSpec{ConfigVersion: after.Config.ConfigVersion, DefaultPortConfig: &types.VMwareDVSPortSetting{
		MacManagementPolicy: &types.DVSMacManagementPolicy{
			AllowPromiscuous: types.NewBool(false), MacChanges: types.NewBool(true), ForgedTransmits: types.NewBool(true),
			MacLearningPolicy: &types.DVSMacLearningPolicy{Enabled: false},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	as = dvpg(t, c, s, "DV-A").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if *as.SecurityPolicy.AllowPromiscuous.Value || !*as.SecurityPolicy.MacChanges.Value || as.MacManagementPolicy.MacLearningPolicy.Enabled {
		t.Fatalf("security not synced from mac management: %+v %+v", as.SecurityPolicy, as.MacManagementPolicy)
	}
	if as.UplinkTeamingPolicy.Policy.Value != "loadbalance_ip" {
		t.Fatal("teaming lost")
	}
	// inherited=true resets a leaf to the switch's value
	cur := dvpg(t, c, s, "DV-A")
	err = reconfigurePG(ctx, pg, types.DVPortgroupConfigSpec{ConfigVersion: cur.Config.ConfigVersion, DefaultPortConfig: &types.VMwareDVSPortSetting{
		UplinkTeamingPolicy: &types.VmwareUplinkPortTeamingPolicy{Policy: &types.StringPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	as = dvpg(t, c, s, "DV-A").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if !as.UplinkTeamingPolicy.Policy.Inherited || as.UplinkTeamingPolicy.Policy.Value != "loadbalance_srcid" || as.UplinkTeamingPolicy.NotifySwitches == nil {
		t.Fatalf("inherit: %+v", as.UplinkTeamingPolicy)
	}
	// rename keeps everything else
	cur = dvpg(t, c, s, "DV-A")
	if err := reconfigurePG(ctx, pg, types.DVPortgroupConfigSpec{ConfigVersion: cur.Config.ConfigVersion, Name: "DV-A2"}); err != nil {
		t.Fatal(err)
	}
	if got := dvpg(t, c, s, "DV-A2"); got.Name != "DV-A2" || got.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).SecurityPolicy == nil {
		t.Fatalf("rename: %+v", got)
	}
}
