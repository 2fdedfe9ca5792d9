package hostsettings

import (
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func i64(n int64) *int64 { return &n }

func TestConvertOption(t *testing.T) {
	t.Parallel()
	long := &vsphere.OptionValue{Key: "Net.X", Type: "long", Min: i64(0), Max: i64(1)}
	intOpt := &vsphere.OptionValue{Key: "Misc.Y", Type: "int", Min: i64(1), Max: i64(86400)}
	boolOpt := &vsphere.OptionValue{Key: "B", Type: "bool"}
	str := &vsphere.OptionValue{Key: "S", Type: "string"}
	choice := &vsphere.OptionValue{Key: "C", Type: "choice", Choices: []string{"info", "verbose"}}
	flt := &vsphere.OptionValue{Key: "F", Type: "float"}
	cases := []struct {
		ov      *vsphere.OptionValue
		in      string
		want    any
		wantErr string
	}{
		{long, "1", int64(1), ""},
		{long, " 0 ", int64(0), ""},
		{long, "2", nil, "an integer (long) from 0 to 1"},
		{long, "-1", nil, "from 0 to 1"},
		{long, "yes", nil, `"yes" is not valid for Net.X`},
		{intOpt, "120", int32(120), ""},
		{intOpt, "0", nil, "an integer (int) from 1 to 86400"},
		{intOpt, "99999999999", nil, "from 1 to 86400"},
		{boolOpt, "true", true, ""},
		{boolOpt, "0", false, ""},
		{boolOpt, "maybe", nil, `a boolean ("true" or "false")`},
		{str, "", "", ""},
		{str, "udp://h:514", "udp://h:514", ""},
		{choice, "verbose", "verbose", ""},
		{choice, "debug", nil, "one of info, verbose"},
		{flt, "1.5", float32(1.5), ""},
		{flt, "NaN", nil, "a number (float)"},
		{&vsphere.OptionValue{Key: "W", Type: "weird"}, "1", nil, "cannot write"},
	}
	for _, c := range cases {
		got, err := convertOption(c.ov, c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("convertOption(%s, %q) error = %v, want %q", c.ov.Type, c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("convertOption(%s, %q) = %#v, %v; want %#v", c.ov.Type, c.in, got, err, c.want)
		}
	}
}

func TestFormatAndSameOption(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want string
	}{{int64(1), "1"}, {int32(60), "60"}, {true, "true"}, {"x", "x"}, {float32(1.5), "1.5"}, {nil, ""}} {
		if got := formatOption(c.v); got != c.want {
			t.Errorf("formatOption(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
	long := &vsphere.OptionValue{Key: "K", Type: "long", Min: i64(0), Max: i64(10)}
	if !sameOption(long, "01", int64(1)) || sameOption(long, "2", int64(1)) || sameOption(long, "x", int64(1)) {
		t.Error("sameOption compares typed values")
	}
	if !sameOption(&vsphere.OptionValue{Type: "bool"}, "1", true) {
		t.Error(`"1" is the bool true`)
	}
}

func TestToggleTargets(t *testing.T) {
	t.Parallel()
	tr, fa := true, false
	h := inventory.Host{
		VSwitches: []inventory.VSwitch{
			{Name: "vSwitch1", Security: inventory.Security{AllowPromiscuous: &tr}},
			{Name: "vSwitch0", Security: inventory.Security{AllowPromiscuous: &fa}},
		},
		PortGroups: []inventory.PortGroup{
			{Name: "Z-own", Security: inventory.Security{AllowPromiscuous: &tr}, Effective: inventory.Effective{AllowPromiscuous: true}},
			{Name: "A-inherits", Effective: inventory.Effective{AllowPromiscuous: true}},
			{Name: "M-rejects", Security: inventory.Security{AllowPromiscuous: &fa}},
			{Name: "N-inherits-reject"},
		},
	}
	var got []string
	for _, t := range vsphere.HostToggleTargets(&h) {
		key, restore := itemOf(t)
		got = append(got, key+"="+restore)
	}
	want := "A-inherits=inherit Z-own=true vswitch/vSwitch1=true"
	if strings.Join(got, " ") != want {
		t.Errorf("HostToggleTargets as pending_reenable keeps them = %v, want %s", got, want)
	}
}
