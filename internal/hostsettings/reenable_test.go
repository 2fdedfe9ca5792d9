package hostsettings

import (
	"slices"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// TestReenabledPortGroups: the port groups whose promiscuous mode a
// re-enable of pending_reenable changes, noted for the policies' plans.
func TestReenabledPortGroups(t *testing.T) {
	t.Parallel()
	h := &inventory.Host{PortGroups: []inventory.PortGroup{
		{Name: "A", VSwitch: "vSwitch0", Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true)}},
		{Name: "B", VSwitch: "vSwitch1"}, // inherits from vSwitch1
		{Name: "C", VSwitch: "vSwitch1", Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true)}},
		{Name: "D", VSwitch: "vSwitch0"},
	}}
	for _, tc := range []struct {
		name    string
		pending map[string]string
		want    []string
	}{
		{"none", map[string]string{}, nil},
		{"a port group", map[string]string{"A": "true"}, []string{"A"}},
		{"an inheriting port group", map[string]string{"D": "inherit"}, []string{"D"}},
		{"a vSwitch: the port groups that inherit from it", map[string]string{vswitchPrefix + "vSwitch1": "true"}, []string{"B"}},
		{"gone", map[string]string{"Z": "true"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := reenabledPortGroups(h, tc.pending); !slices.Equal(got, tc.want) {
				t.Errorf("reenabledPortGroups(%v) = %v, want %v", tc.pending, got, tc.want)
			}
		})
	}
}
