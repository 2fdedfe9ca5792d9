package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPlanWithoutRefresh: plan -refresh=false of policies whose
// configuration equals their state reads no port group from vSphere (the
// calls do not grow with the number of policies: the data source's reads
// and the login only) and judges the state as stored: the same warning
// summaries as a plan with refresh, from the hazards in state.
func TestPlanWithoutRefresh(t *testing.T) {
	t.Parallel()
	calls := map[int]int{}
	for _, hosts := range []int{2, 6} {
		p := newPerfEnv(t, clusterScenario(hosts, 5), policiesConfig(5, false))
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
		refreshed := summaries(diagnostics(t, p.tf(p.dir, 0, "plan", "-input=false", "-json", "-detailed-exitcode")))
		p.sim.ResetCalls()
		stored := summaries(diagnostics(t, p.tf(p.dir, 0, "plan", "-input=false", "-json", "-refresh=false", "-detailed-exitcode")))
		calls[hosts] = p.sim.CallCount()
		var methods []string
		for _, c := range p.sim.Calls() {
			methods = append(methods, c.Method+" "+c.Object)
		}
		t.Logf("%d policies, plan -refresh=false: %d calls: %s", hosts*5, calls[hosts], strings.Join(methods, ", "))
		if !slices.Equal(refreshed, stored) {
			t.Errorf("%d policies: plan -refresh=false warned\n%s\nwant the plan's\n%s", hosts*5, strings.Join(stored, "\n"), strings.Join(refreshed, "\n"))
		}
		if len(stored) == 0 {
			t.Errorf("%d policies: no warning: the scenario should have hazards to judge", hosts*5)
		}
	}
	if calls[6] != calls[2] {
		t.Errorf("plan -refresh=false made %d calls for 30 policies, %d for 10: it reads per policy", calls[6], calls[2])
	}
}

// TestHostSettingsPlanWithoutRefresh: the same for carp_host_settings:
// plan -refresh=false of unchanged settings reads no host, and warns as
// the plan with refresh does.
func TestHostSettingsPlanWithoutRefresh(t *testing.T) {
	t.Parallel()
	calls := map[int]int{}
	for _, hosts := range []int{2, 6} {
		// created with the policies in one apply, after them: the
		// settings' hazards (CARP004 with the option off) hang on the port
		// groups the policies turn promiscuous, so the plan does not
		// promise them (a known [] would be an inconsistent final plan)
		p := newPerfEnv(t, clusterScenario(hosts, 2), policiesConfig(2, false)+`
resource "carp_host_settings" "h" {
  for_each                       = toset(data.carp_hosts.fw.hosts[*].id)
  host_system_id                 = each.value
  reverse_path_fwd_check_promisc = false
  depends_on                     = [carp_portgroup_policy.p]
}
`)
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
		// the state the policies left behind: a plan without refresh
		// judges the stored hazards, which this refresh brings up to date
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve", "-refresh-only")
		refreshed := summaries(diagnostics(t, p.tf(p.dir, 0, "plan", "-input=false", "-json", "-detailed-exitcode")))
		p.sim.ResetCalls()
		stored := summaries(diagnostics(t, p.tf(p.dir, 0, "plan", "-input=false", "-json", "-refresh=false", "-detailed-exitcode")))
		calls[hosts] = p.sim.CallCount()
		t.Logf("%d hosts: plan warned %v; plan -refresh=false %v, %d calls", hosts, refreshed, stored, calls[hosts])
		if !slices.Contains(stored, "warning CARP004 rpf_check_off_with_teaming") {
			t.Errorf("%d hosts: plan -refresh=false did not warn CARP004 from the hosts' hazards: %v", hosts, stored)
		}
	}
	if calls[6] != calls[2] {
		t.Errorf("plan -refresh=false made %d calls for 6 hosts, %d for 2: it reads per resource", calls[6], calls[2])
	}
}

// TestOldStateLoads: a state of carp_portgroup_policy as earlier versions
// wrote it (effective_policy with the security fields, original_policy
// with every inherited field null) loads: plans with and without refresh
// plan no change, and the next apply writes effective_policy's current
// fields (original_policy stays as saved: it still decodes).
func TestOldStateLoads(t *testing.T) {
	t.Parallel()
	p := newPerfEnv(t, clusterScenario(1, 2), policiesConfig(2, false))
	p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
	file := filepath.Join(p.work, p.dir, "terraform.tfstate")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range st["resources"].([]any) {
		r := r.(map[string]any)
		if r["type"] != "carp_portgroup_policy" {
			continue
		}
		for _, i := range r["instances"].([]any) {
			a := i.(map[string]any)["attributes"].(map[string]any)
			eff := a["effective_policy"].(map[string]any)
			eff["allow_promiscuous"], eff["allow_mac_changes"], eff["allow_forged_transmits"] = true, true, true
			a["original_policy"] = `{"allow_promiscuous":null,"allow_mac_changes":null,"allow_forged_transmits":null,"load_balancing":null,"notify_switches":null,"rolling_order":null,"check_beacon":null,"uplink_order":null,"mac_learning":null}`
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d policies in state, want 2", n)
	}
	st["serial"] = st["serial"].(float64) + 1
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p.tf(p.dir, 0, "plan", "-input=false", "-refresh=false", "-detailed-exitcode")
	p.tf(p.dir, 0, "plan", "-input=false", "-detailed-exitcode")
	p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
	// the security fields are left in the policies' own attributes only
	if b, _ = os.ReadFile(file); strings.Count(string(b), `"allow_promiscuous"`) != 2 {
		t.Errorf("the apply kept effective_policy's former fields:\n%s", b)
	}
}
