package e2e

import (
	"fmt"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// The carp-ha-firewall module with the hosts and port groups listed (the
// input before firewall_vms): still planned, applied and audited, with an
// empty second plan. The audit judges what it is given plus the firewalls'
// own ports and placement.
func TestE2E_moduleByLists(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(simulator.FirewallPair())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	c.configure("bylists", fmt.Sprintf(`
module "firewall" {
  source = "../modules/carp-ha-firewall"

  datacenter                = "dc-fw"
  cluster                   = "fw-cluster"
  portgroups                = ["FW-WAN"]
  distributed_portgroup_ids = [%q, %q]
  firewall_vm_ids           = [%q, %q]
  load_balancing            = "loadbalance_ip"
}

output "ready" { value = module.firewall.ready }
output "host_ids" { value = module.firewall.host_ids }
`, sim.DVPortGroupID("FW-LAN"), sim.DVPortGroupID("FW-SYNC"), sim.VMID("fw-a"), sim.VMID("fw-b")))
	c.tf("bylists", 0, "get")
	c.tf("bylists", 0, "apply", "-input=false", "-auto-approve")
	c.tf("bylists", 0, "plan", "-input=false", "-detailed-exitcode")
	if ready := c.output("bylists", "ready"); ready != true {
		t.Fatalf("ready = %v, want true", ready)
	}
	if hosts, ok := c.output("bylists", "host_ids").([]any); !ok || len(hosts) != 3 {
		t.Fatalf("host_ids = %v, want the cluster's 3 hosts", c.output("bylists", "host_ids"))
	}
}

// The module for keepalived without use_vmac (vip_mac = "interface"): the
// firewall port groups are closed (all three rejected), nothing is asked of
// them, and the pair is ready; the second plan is empty.
func TestE2E_moduleInterfaceVIP(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(simulator.FirewallPair())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	c.configure("keepalived", `
module "firewall" {
  source = "../modules/carp-ha-firewall"

  datacenter     = "dc-fw"
  firewall_vms   = ["fw-a", "fw-b"]
  vip_mac        = "interface"
  load_balancing = "loadbalance_ip"
}

output "ready" { value = module.firewall.ready }
output "findings" { value = module.firewall.findings[*].code }
`)
	c.tf("keepalived", 0, "get")
	c.tf("keepalived", 0, "apply", "-input=false", "-auto-approve")
	c.tf("keepalived", 0, "plan", "-input=false", "-detailed-exitcode")
	if ready := c.output("keepalived", "ready"); ready != true {
		t.Fatalf("ready = %v, want true (findings %v)", ready, c.output("keepalived", "findings"))
	}
	for _, host := range []string{"esx-1", "esx-2", "esx-3"} {
		if got := acctest.NewOOB(t, sim).PortGroupSecurity(host, "FW-WAN"); got != "promisc=false mac=false forged=false vlan=10" {
			t.Errorf("FW-WAN on %s is %s, want all three rejected", host, got)
		}
	}
}
