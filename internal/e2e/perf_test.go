package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// clusterScenario is one cluster of hosts, each with a teamed vSwitch and
// pgs port groups PG-0..PG-n.
func clusterScenario(hosts, pgs int) simulator.Scenario {
	hs := make([]simulator.Host, hosts)
	for i := range hs {
		groups := make([]simulator.PortGroup, pgs)
		for j := range groups {
			groups[j] = simulator.PortGroup{Name: fmt.Sprintf("PG-%d", j)}
		}
		hs[i] = simulator.Host{Name: fmt.Sprintf("esx-%03d", i), RPFCheckPromisc: 1, VSwitches: []simulator.VSwitch{
			{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, PortGroups: groups},
		}}
	}
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{Name: "dc", Clusters: []simulator.Cluster{{Name: "fw", Hosts: hs}}}}}
}

// policiesConfig writes a configuration with one carp_portgroup_policy per
// host and port group.
func policiesConfig(pgs int, toggle bool) string {
	names := make([]string, pgs)
	for i := range names {
		names[i] = fmt.Sprintf("%q", fmt.Sprintf("PG-%d", i))
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {}

data "carp_hosts" "fw" { cluster = "fw" }

locals {
  pairs = { for p in setproduct(data.carp_hosts.fw.hosts[*].id, [%s]) : "${p[0]}:${p[1]}" => p }
}

resource "carp_portgroup_policy" "p" {
  for_each        = local.pairs
  host_system_id  = each.value[0]
  portgroup       = each.value[1]
  toggle_on_apply = %t
}
`, strings.Join(names, ", "), toggle)
}

// perfEnv is a simulator, a CLI environment whose provider runs under
// rsswrap, and a working directory with a configuration.
type perfEnv struct {
	*cli
	sim *simulator.Server
	dir string
	rss string
}

func newPerfEnv(t testing.TB, sc simulator.Scenario, config string) *perfEnv {
	t.Helper()
	sim, err := simulator.Start(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	// Put rsswrap in front of the provider to measure its peak RSS.
	plugins := filepath.Join(filepath.Dir(c.work), "plugins")
	real := filepath.Join(filepath.Dir(c.work), "provider-real")
	if err := os.Rename(filepath.Join(plugins, "terraform-provider-carp"), real); err != nil {
		t.Fatal(err)
	}
	wrap := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-carp"), "./internal/cmd/rsswrap")
	wrap.Dir = c.root
	if out, err := wrap.CombinedOutput(); err != nil {
		t.Fatalf("building rsswrap: %v\n%s", err, out)
	}
	rss := filepath.Join(filepath.Dir(c.work), "rss.txt")
	c.env = append(c.env, "RSSWRAP_TARGET="+real, "RSSWRAP_OUT="+rss)
	dir := "perf"
	if err := os.MkdirAll(filepath.Join(c.work, dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.work, dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return &perfEnv{cli: c, sim: sim, dir: dir, rss: rss}
}

// peakRSS returns the largest provider RSS recorded since the last call, in MiB.
func (p *perfEnv) peakRSS() float64 {
	b, _ := os.ReadFile(p.rss)
	_ = os.Remove(p.rss)
	var max int64
	for _, l := range strings.Fields(string(b)) {
		if n, err := strconv.ParseInt(l, 10, 64); err == nil && n > max {
			max = n
		}
	}
	return float64(max) / 1024
}

// writes counts the write calls recorded since the last reset.
func (p *perfEnv) writes() (n int) {
	for _, c := range p.sim.Calls() {
		switch c.Method {
		case "UpdatePortGroup", "UpdateVirtualSwitch", "UpdateOptions", "ReconfigureDVPortgroup_Task":
			n++
		}
	}
	return n
}

// refreshCalls applies the configuration, then measures one plan: SOAP
// calls, wall time, and the provider's peak RSS.
func refreshCalls(t testing.TB, hosts, pgs int, delay time.Duration) (calls int, wall time.Duration, rssMiB float64) {
	p := newPerfEnv(t, clusterScenario(hosts, pgs), policiesConfig(pgs, false))
	p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
	p.peakRSS()
	p.sim.SetDelay(delay)
	p.sim.ResetCalls()
	start := time.Now()
	p.tf(p.dir, 0, "plan", "-input=false", "-detailed-exitcode")
	return p.sim.CallCount(), time.Since(start), p.peakRSS()
}

// refreshTarget is one of the refresh targets: a plan of hosts x
// pgs port group policies costs at most maxCalls SOAP calls, login
// included, and (when maxRSS is set) the provider stays under maxRSS MiB.
type refreshTarget struct {
	hosts, pgs, maxCalls int
	maxRSS               float64
}

var (
	refresh100  = refreshTarget{hosts: 20, pgs: 5, maxCalls: 25}
	refresh1000 = refreshTarget{hosts: 200, pgs: 5, maxCalls: 220, maxRSS: 100}
)

// check reports each figure over its target, and a missing RSS figure.
func (r refreshTarget) check(tb testing.TB, calls int, rss float64) {
	tb.Helper()
	if calls > r.maxCalls {
		tb.Errorf("target missed: %d SOAP calls, at most %d", calls, r.maxCalls)
	}
	if r.maxRSS > 0 && (rss <= 0 || rss >= r.maxRSS) {
		tb.Errorf("target missed: provider peak RSS %.1f MiB, under %.0f MiB", rss, r.maxRSS)
	}
}

// TestRefreshBudget is the refresh targets, part of make test,
// measured with no delay: 100 policies on 20 hosts in at most 25 SOAP
// calls; 1,000 on 200 hosts in at most 220, with the provider under 100 MiB.
func TestRefreshBudget(t *testing.T) {
	t.Parallel()
	for _, r := range []refreshTarget{refresh100, refresh1000} {
		t.Run(fmt.Sprintf("%d policies", r.hosts*r.pgs), func(t *testing.T) {
			t.Parallel()
			calls, wall, rss := refreshCalls(t, r.hosts, r.pgs, 0)
			t.Logf("plan of %d carp_portgroup_policy on %d hosts: %d SOAP calls, %v, provider peak RSS %.1f MiB",
				r.hosts*r.pgs, r.hosts, calls, wall.Round(time.Millisecond), rss)
			r.check(t, calls, rss)
		})
	}
}

// TestApplyWrites: one write per port group without toggle, two with.
func TestApplyWrites(t *testing.T) {
	t.Parallel()
	for _, toggle := range []bool{false, true} {
		t.Run(fmt.Sprintf("toggle=%t", toggle), func(t *testing.T) {
			t.Parallel()
			p := newPerfEnv(t, clusterScenario(4, 5), policiesConfig(5, toggle))
			p.sim.ResetCalls()
			p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
			want := 20
			if toggle {
				want = 40
			}
			if got := p.writes(); got != want {
				t.Errorf("apply of 20 policies made %d writes, want %d", got, want)
			}
		})
	}
}

const auditConfig = `
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {}
data "carp_hosts" "fw" { cluster = "fw" }
data "carp_audit" "fw" {
  host_system_ids = data.carp_hosts.fw.hosts[*].id
  portgroups      = ["PG-0", "PG-1", "PG-2", "PG-3", "PG-4"]
}
output "findings" { value = length(data.carp_audit.fw.findings) }
`

// auditCalls reads carp_audit over a cluster and returns the SOAP calls of
// the whole command (login and carp_hosts included).
func auditCalls(t testing.TB, hosts int, delay time.Duration) (int, time.Duration) {
	p := newPerfEnv(t, clusterScenario(hosts, 5), auditConfig)
	p.sim.SetDelay(delay)
	p.sim.ResetCalls()
	start := time.Now()
	p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
	return p.sim.CallCount(), time.Since(start)
}

// TestAuditBudget: the audit of a 200-host cluster costs at most 6 round
// trips for the data source (asserted per RPC in the acceptance tests);
// the whole command, login and carp_hosts included, stays under 10.
func TestAuditBudget(t *testing.T) {
	t.Parallel()
	calls, wall := auditCalls(t, 200, 0)
	t.Logf("carp_audit over 200 hosts: %d SOAP calls in the whole command, %v", calls, wall.Round(time.Millisecond))
	if calls > 10 {
		t.Errorf("%d SOAP calls; budget: 2 (login) + 1 (carp_hosts) + 6 (audit) = 9, plus one for logout", calls)
	}
}
