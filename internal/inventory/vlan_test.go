package inventory

import "testing"

func TestVLANShapes(t *testing.T) {
	cases := []struct {
		v     VLAN
		str   string
		trunk bool
	}{
		{StandardVLAN(0), "none", false},
		{StandardVLAN(10), "10", false},
		{StandardVLAN(VLANAll), "trunk (all VLANs)", true},
		{TrunkVLAN([]VLANRange{{0, 4094}}), "trunk (all VLANs)", true},
		{TrunkVLAN([]VLANRange{{300, 300}, {150, 200}, {100, 160}}), "trunk 100-200,300", true},
		{TrunkVLAN([]VLANRange{{5, 1}, {6, 9}}), "trunk 1-9", true},
		{SingleVLAN(0), "none", false},
		{SingleVLAN(42), "42", false},
		{PrivateVLAN(201), "private 201", false},
	}
	for _, c := range cases {
		if got := c.v.String(); got != c.str {
			t.Errorf("%+v: String() = %q, want %q", c.v, got, c.str)
		}
		if c.v.Trunk() != c.trunk {
			t.Errorf("%s: Trunk() = %v", c.str, c.v.Trunk())
		}
	}
	if !StandardVLAN(VLANAll).Equal(TrunkVLAN([]VLANRange{{0, 2000}, {2001, 4094}})) {
		t.Error("VLAN 4095 and the trunk 0-4094 differ")
	}
	for _, pair := range [][2]VLAN{
		{StandardVLAN(10), StandardVLAN(VLANAll)},
		{StandardVLAN(10), PrivateVLAN(10)},
		{StandardVLAN(0), StandardVLAN(10)},
		{TrunkVLAN([]VLANRange{{100, 200}}), TrunkVLAN([]VLANRange{{100, 201}})},
	} {
		if pair[0].Equal(pair[1]) {
			t.Errorf("%s equals %s", pair[0], pair[1])
		}
	}
}
