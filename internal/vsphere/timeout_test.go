package vsphere_test

import (
	"context"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TestEveryCallUnderAPITimeout: against a server that stops answering,
// every call the provider makes (reads, each kind of write, the logout)
// ends within api_timeout, even on a ctx without a deadline of its own,
// such as the ctx of a toggle's restoring write or of the logout at the end.
func TestEveryCallUnderAPITimeout(t *testing.T) {
	t.Parallel()
	const apiTimeout = 400 * time.Millisecond
	sim, err := simulator.Start(simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name:  "dc",
		Hosts: []simulator.Host{{Name: "esx-01", VSwitches: []simulator.VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0"}, PortGroups: []simulator.PortGroup{{Name: "PG"}}}}}},
		DVSwitches: []simulator.DVSwitch{{Name: "dvs-70", Version: "7.0.0", HostNames: []string{"esx-01"},
			PortGroups: []simulator.DVPortGroup{{Name: "fw"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c, err := vsphere.Connect(t.Context(), vsphere.Config{Server: sim.URL.Host, User: sim.User, Password: sim.Password, Insecure: true, APITimeout: apiTimeout})
	if err != nil {
		t.Fatal(err)
	}
	host, dvpg := sim.HostID("esx-01"), sim.DVPortGroupID("fw")
	snap, err := c.Read(t.Context(), vsphere.Request{HostIDs: []string{host}, DVPortGroupIDs: []string{dvpg}})
	if err != nil {
		t.Fatal(err)
	}
	std, err := c.PortGroupWriter(snap, vsphere.PortGroupRef{HostID: host, Name: "PG"})
	if err != nil {
		t.Fatal(err)
	}
	dv, err := c.PortGroupWriter(snap, vsphere.PortGroupRef{DVPortGroupID: dvpg})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"Read", func(ctx context.Context) error {
			_, err := c.ReadFresh(ctx, vsphere.Request{HostIDs: []string{host}})
			return err
		}},
		{"InventoryTree", func(ctx context.Context) error { _, err := c.InventoryTree(ctx); return err }},
		{"DVPortGroups", func(ctx context.Context) error { _, err := c.DVPortGroups(ctx); return err }},
		{"UpdatePortGroup", func(ctx context.Context) error {
			return std.Write(ctx, vsphere.Policy{Security: inventory.Security{AllowPromiscuous: &yes}})
		}},
		{"UpdateVirtualSwitch", func(ctx context.Context) error {
			return c.SetVSwitchPromiscuous(ctx, snap, host, "vSwitch0", false)
		}},
		{"UpdateOptions", func(ctx context.Context) error {
			return c.UpdateOptions(ctx, snap, host, map[string]any{inventory.OptionRPFKey: int64(1)})
		}},
		{"ReconfigureDVPortgroup_Task", func(ctx context.Context) error {
			return dv.Write(ctx, vsphere.Policy{Security: inventory.Security{AllowPromiscuous: &yes}})
		}},
		{"Logout", c.Logout},
	}
	sim.Pause()
	defer sim.Resume()
	for _, tc := range calls {
		// A ctx that is never cancelled and has no deadline.
		ctx := context.WithoutCancel(t.Context())
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- tc.call(ctx) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(20 * apiTimeout):
			t.Fatalf("%s is still waiting %v later: not bounded by api_timeout (%v)", tc.name, 20*apiTimeout, apiTimeout)
		}
		took := time.Since(start)
		if err == nil || !vsphere.IsNoAnswer(err) {
			t.Errorf("%s against a server that does not answer: err = %v, want a timeout", tc.name, err)
		}
		// One call, or a few (a task and its wait), each under api_timeout.
		if took > 4*apiTimeout {
			t.Errorf("%s took %v against a server that does not answer; api_timeout is %v", tc.name, took, apiTimeout)
		}
		t.Logf("%s: ended after %v: %v", tc.name, took.Round(time.Millisecond), err)
	}
}
