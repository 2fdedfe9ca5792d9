package vsphere

import (
	"fmt"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// TestDecodeDVPort: a port's setting as FetchDVPorts returns it holds
// every policy, those the port inherits from its port group marked
// inherited with the port group's values (vSphere API reference,
// DistributedVirtualPort.config, InheritablePolicy.inherited): only what
// the port sets itself is decoded as its own. An inherited MAC management
// policy that rejects promiscuous mode is the port group's, not an
// override of the port's (read as one, every inheriting port of a port
// group set to accept would report a false CARP015).
func TestDecodeDVPort(t *testing.T) {
	t.Parallel()
	f := false
	mac := func(inherited bool, learning *types.DVSMacLearningPolicy) *types.DVSMacManagementPolicy {
		return &types.DVSMacManagementPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: inherited},
			AllowPromiscuous: &f, MacChanges: &f, ForgedTransmits: &f, MacLearningPolicy: learning}
	}
	sec := func(inherited bool) *types.DVSSecurityPolicy {
		b := &types.BoolPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: inherited}, Value: &f}
		return &types.DVSSecurityPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: inherited}, AllowPromiscuous: b, MacChanges: b, ForgedTransmits: b}
	}
	learning := func(inherited bool) *types.DVSMacLearningPolicy {
		return &types.DVSMacLearningPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: inherited}, Enabled: true}
	}
	own := &inventory.PortMacManagement{}
	for _, tc := range []struct {
		name    string
		setting *types.VMwareDVSPortSetting
		wantSec inventory.Security
		wantMac *inventory.PortMacManagement
	}{
		{"inherits everything", &types.VMwareDVSPortSetting{SecurityPolicy: sec(true), MacManagementPolicy: mac(true, learning(true))}, inventory.Security{}, nil},
		{"its own MAC management", &types.VMwareDVSPortSetting{SecurityPolicy: sec(true), MacManagementPolicy: mac(false, learning(true))}, inventory.Security{}, own},
		{"its own MAC learning", &types.VMwareDVSPortSetting{MacManagementPolicy: mac(false, learning(false))}, inventory.Security{},
			&inventory.PortMacManagement{MacLearning: inventory.Ptr(true)}},
		{"its own security", &types.VMwareDVSPortSetting{SecurityPolicy: sec(false), MacManagementPolicy: mac(true, nil)},
			inventory.Security{AllowPromiscuous: &f, MacChanges: &f, ForgedTransmits: &f}, nil},
		{"no MAC management (below 6.6)", &types.VMwareDVSPortSetting{SecurityPolicy: sec(true)}, inventory.Security{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := types.DistributedVirtualPort{Key: "7", PortgroupKey: "dvportgroup-1", Config: types.DVPortConfigInfo{Setting: tc.setting}}
			got := decodeDVPort("dvs-1", p)
			if g, w := describeSec(got.Security), describeSec(tc.wantSec); g != w {
				t.Errorf("security = %s, want %s", g, w)
			}
			if g, w := describeMac(got.MacManagement), describeMac(tc.wantMac); g != w {
				t.Errorf("MAC management = %s, want %s", g, w)
			}
		})
	}
}

// describeMac shows a port's own MAC management policy, "inherited" for nil.
func describeMac(m *inventory.PortMacManagement) string {
	if m == nil {
		return "inherited"
	}
	learning := "inherited"
	if m.MacLearning != nil {
		learning = fmt.Sprint(*m.MacLearning)
	}
	return fmt.Sprintf("own: promiscuous %t, MAC changes %t, forged transmits %t, MAC learning %s", m.AllowPromiscuous, m.MacChanges, m.ForgedTransmits, learning)
}

// describeSec shows a port's own security values, "inherit" for nil.
func describeSec(s inventory.Security) string {
	v := func(b *bool) string {
		if b == nil {
			return "inherit"
		}
		return fmt.Sprint(*b)
	}
	return fmt.Sprintf("promiscuous %s, MAC changes %s, forged transmits %s", v(s.AllowPromiscuous), v(s.MacChanges), v(s.ForgedTransmits))
}
