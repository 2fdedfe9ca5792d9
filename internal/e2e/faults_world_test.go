package e2e

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// The fault campaign's configuration: the host option of esx-01 flips every
// run (so carp_host_settings writes it and toggles the host's promiscuous
// port groups), and four port group policies, two standard and two
// distributed, toggle on every run.
func campaignConfig(sim *simulator.Server, run int) string {
	// Runs are dealt to the workers in turn, so flip on run/2: each worker
	// sees the option change on every one of its runs.
	rpfOn := (run/2)%2 == 0
	return fmt.Sprintf(`
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {}

resource "carp_host_settings" "esx01" {
  host_system_id                 = %q
  reverse_path_fwd_check_promisc = %t
  toggle_promiscuous_on_apply    = true
}

resource "carp_portgroup_policy" "std" {
  for_each        = toset(["FW-WAN", "FW-LAN"])
  host_system_id  = %q
  portgroup       = each.value
  toggle_on_apply = true
  toggle_triggers = { run = "%d" }
  # As the carp-ha-firewall module does: the host option first, so each
  # policy records the option's new value among its toggle hazards.
  depends_on = [carp_host_settings.esx01]
}

resource "carp_portgroup_policy" "dv" {
  for_each                 = toset([%q, %q])
  distributed_portgroup_id = each.value
  toggle_on_apply          = true
  toggle_triggers          = { run = "%d" }
}
`, sim.HostID("esx-01.lab"), rpfOn, sim.HostID("esx-01.lab"), run, sim.DVPortGroupID("FW-CORE"), sim.DVPortGroupID("FW-LEGACY"), run)
}

// campaignState is what the campaign checks after each run.
type campaignState struct {
	rpf int64
	// security by object: promiscuous, MAC changes, forged transmits
	sec map[string][3]bool
	// the vSwitch of each standard port group that inherits promiscuous
	// mode from it, and whether each vSwitch accepts it (to check what an
	// error says of a vSwitch); not part of the compared state
	inheritsFrom map[string]string
	vswitchOn    map[string]bool
}

// String is the compared state: the option and every object's security.
func (s campaignState) String() string { return fmt.Sprint(s.rpf, " ", s.sec) }

type watched struct{ name, id string }

func campaignObjects(sim *simulator.Server) []watched {
	return []watched{
		{"FW-WAN", "FW-WAN"}, {"FW-LAN", "FW-LAN"}, {"FW-SYNC", "FW-SYNC"}, {"FW-DMZ", "FW-DMZ"},
		{"FW-CORE", sim.DVPortGroupID("FW-CORE")}, {"FW-LEGACY", sim.DVPortGroupID("FW-LEGACY")},
	}
}

func readCampaign(t testing.TB, sim *simulator.Server) campaignState {
	t.Helper()
	host := sim.HostID("esx-01.lab")
	snap := acctest.NewOOB(t, sim).Read(vsphere.Request{HostIDs: []string{host}, DVPortGroupIDs: []string{sim.DVPortGroupID("FW-CORE"), sim.DVPortGroupID("FW-LEGACY")}})
	st := campaignState{sec: map[string][3]bool{}, inheritsFrom: map[string]string{}, vswitchOn: map[string]bool{}}
	h := snap.FindHost(host)
	if h.RPFCheckPromisc != nil {
		st.rpf = *h.RPFCheckPromisc
	}
	for _, pg := range h.PortGroups {
		e := pg.Effective
		st.sec[pg.Name] = [3]bool{e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits}
		if pg.Security.AllowPromiscuous == nil {
			st.inheritsFrom[pg.Name] = pg.VSwitch
		}
	}
	for _, vs := range h.VSwitches {
		st.vswitchOn[vs.Name] = vs.Security.AllowPromiscuous != nil && *vs.Security.AllowPromiscuous
	}
	for _, pg := range snap.DVPortGroups {
		e := pg.Effective
		st.sec[pg.ID] = [3]bool{e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits}
	}
	return st
}

// desired is the state the configuration of a run asks for.
func desired(sim *simulator.Server, run int) campaignState {
	st := campaignState{sec: map[string][3]bool{}}
	if (run/2)%2 == 0 {
		st.rpf = 1
	}
	all := [3]bool{true, true, true}
	for _, w := range campaignObjects(sim) {
		st.sec[w.id] = all
	}
	return st
}

// faultPlan is one injected fault: the nth call of a method (on object,
// "" for any) fails, and the attempts-1 calls after it too. retried marks
// a single fault on the restoring write of a toggle, which its retry must
// absorb; lasting, a fault on a restoring write that outlasts every retry
// (vsphere.RestoreAttempts), on the resource kind named.
type faultPlan struct {
	method, object string
	nth, attempts  int
	retried        bool
	lasting        string // resource kind, "" when not lasting
}

func (f faultPlan) String() string {
	s := fmt.Sprintf("%s #%d", f.method, f.nth)
	if f.attempts > 1 {
		s += fmt.Sprintf("-#%d", f.nth+f.attempts-1)
	}
	if f.object != "" {
		s += " on " + f.object
	}
	if f.retried {
		s += " (restoring write)"
	}
	if f.lasting != "" {
		s += " (every attempt of a restoring write of " + f.lasting + ")"
	}
	return s
}

// inject arms the fault of run on sim.
func (f faultPlan) inject(sim *simulator.Server, run int) {
	for i := 0; i < max(1, f.attempts); i++ {
		sim.FailCall(f.method, f.object, f.nth+i, &types.SystemError{Reason: fmt.Sprintf("injected by the fault campaign (run %d)", run)})
	}
}

// The resource kinds whose restoring writes a lasting fault outlasts.
const (
	kindHost = "carp_host_settings"
	kindStd  = "carp_portgroup_policy (standard)"
	kindDV   = "carp_portgroup_policy (distributed)"
)

var lastingKinds = []string{kindHost, kindStd, kindDV}

// drawFault draws the fault of a run. One run in four faults a restoring
// write once: toggles come in pairs (off, restore) under the per-host lock, so
// every even UpdatePortGroup call of esx-01 restores; a DV port group gets
// exactly two ReconfigureDVPortgroup_Task calls, the second restoring.
// One run in four faults a restoring write on every attempt (lastingFault).
// The others fault the nth call of a method, drawn from the calls the
// previous, fault-free apply made of it, so that nearly every fault fires.
func drawFault(rng *rand.Rand, sim *simulator.Server, counts map[string]int) faultPlan {
	switch rng.Intn(4) {
	case 0:
		switch rng.Intn(3) {
		case 0:
			return faultPlan{method: "UpdatePortGroup", nth: 2 * (1 + rng.Intn(max(1, counts["UpdatePortGroup"]/2))), attempts: 1, retried: true}
		case 1:
			return faultPlan{method: "ReconfigureDVPortgroup_Task", object: sim.DVPortGroupID("FW-CORE"), nth: 2, attempts: 1, retried: true}
		default:
			return faultPlan{method: "ReconfigureDVPortgroup_Task", object: sim.DVPortGroupID("FW-LEGACY"), nth: 2, attempts: 1, retried: true}
		}
	case 1:
		return lastingFault(rng, sim, counts, lastingKinds[rng.Intn(len(lastingKinds))])
	}
	method := campaignMethods[rng.Intn(len(campaignMethods))]
	return faultPlan{method: method, nth: 1 + rng.Intn(max(1, counts[method])), attempts: 1}
}

// lastingFault faults every attempt of a restoring write of kind. A run's
// UpdatePortGroup calls are the host's toggle first, a pair per
// promiscuous port group of esx-01 (carp_host_settings toggles them in
// name order), then the two policies' toggles, a pair each (they depend
// on the host settings): the calibration counts them. A DV port group's
// restoring write is its second ReconfigureDVPortgroup_Task.
func lastingFault(rng *rand.Rand, sim *simulator.Server, counts map[string]int, kind string) faultPlan {
	f := faultPlan{method: "UpdatePortGroup", attempts: vsphere.RestoreAttempts, lasting: kind}
	hostPairs := max(1, (counts["UpdatePortGroup"]-4)/2)
	switch kind {
	case kindHost:
		f.nth = 2 + 2*rng.Intn(hostPairs)
	case kindStd:
		f.nth = 2*hostPairs + 2 + 2*rng.Intn(2)
	default:
		f.method, f.object, f.nth = "ReconfigureDVPortgroup_Task", sim.DVPortGroupID([]string{"FW-CORE", "FW-LEGACY"}[rng.Intn(2)]), 2
	}
	return f
}
