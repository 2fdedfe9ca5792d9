package vsphere_test

import (
	"context"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// The audit reads the VMs on a DV port group through
// DistributedVirtualPortgroup.vm (Network.vm: "the virtual machines using
// this network", vSphere API reference), the only path when no host is
// given. Stock vcsim leaves vm empty, so this found nothing before the
// simulator filled it (issue 13 item 7).
func TestReadNetworkVMsOfDVPortGroup(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(simulator.DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	snap, err := connect(t, sim).Read(context.Background(), vsphere.Request{
		DVPortGroupIDs: []string{sim.DVPortGroupID("FW-CORE")}, VMIDs: []string{sim.VMID("fw-b")}, NetworkVMs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, vm := range snap.VMs {
		names = append(names, vm.Name)
	}
	if len(names) != 2 || (names[0] != "fw-a" && names[1] != "fw-a") {
		t.Fatalf("VMs read: %v, want fw-a (on FW-CORE) and fw-b (asked for)", names)
	}
}
