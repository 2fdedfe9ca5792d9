package provider

import (
	"slices"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/direct"
)

// TestDirectTypes: both resources of the provider are answered by the
// direct paths (a schema change that stops that shows here, not only as a
// slower make bench), with the defaults a plan checks.
func TestDirectTypes(t *testing.T) {
	t.Parallel()
	p := &carpProvider{}
	types := direct.New(p, p.resourceData.Load).Types(t.Context())
	for name, want := range map[string][]string{
		"carp_portgroup_policy": {"allow_forged_transmits", "allow_mac_changes", "allow_promiscuous", "mac_learning.allow_unicast_flooding",
			"mac_learning.limit", "mac_learning.limit_policy", "restore_on_destroy", "toggle_on_apply"},
		"carp_host_settings": {"restore_on_destroy"},
	} {
		got, ok := types[name]
		if !ok {
			t.Errorf("%s: not answered by the direct paths", name)
			continue
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: the default of %s is not checked (checked: %v)", name, w, got)
			}
		}
	}
}
