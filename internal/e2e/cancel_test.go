package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TestCancelDuringToggle sends Ctrl-C (SIGINT) to terraform right after the
// first write of a toggle, promiscuous mode off, has landed. The provider
// must still make the second write (it has a deadline of its own) and say
// so, rather than return between the two writes.
func TestCancelDuringToggle(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"standard", "distributed", "host"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			sim, c := demoCLI(t)
			target := `host_system_id = "` + sim.HostID("esx-01.lab") + `"
  portgroup      = "FW-WAN"`
			first, second := "FW-WAN promisc=false", "FW-WAN promisc=true"
			resourceHCL := `resource "carp_portgroup_policy" "p" {
  ` + target + `
  toggle_on_apply = true
}`
			switch kind {
			case "distributed":
				id := sim.DVPortGroupID("FW-CORE")
				target = `distributed_portgroup_id = "` + id + `"`
				first, second = id+" promisc=false", id+" promisc=true"
				resourceHCL = `resource "carp_portgroup_policy" "p" {
  ` + target + `
  toggle_on_apply = true
}`
			case "host":
				// The host option changes, so carp_host_settings toggles
				// every promiscuous port group of esx-01, in name order.
				first, second = "FW-DMZ promisc=false", "FW-DMZ promisc=true"
				resourceHCL = `resource "carp_host_settings" "h" {
  host_system_id              = "` + sim.HostID("esx-01.lab") + `"
  toggle_promiscuous_on_apply = true
}`
			}
			dir := endConfig(t, c, "cancel", resourceHCL)
			// Slow every call down, so the interrupt lands between the writes.
			sim.SetDelay(300 * time.Millisecond)
			sim.ResetCalls()

			cmd, out := startApply(t, c, dir)
			interrupted := false
			deadline := time.Now().Add(2 * time.Minute)
			for !interrupted && time.Now().Before(deadline) {
				for _, call := range sim.Calls() {
					if strings.HasPrefix(call.Detail, first) {
						_ = cmd.Process.Signal(syscall.SIGINT)
						interrupted = true
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
			}
			_ = cmd.Wait()
			if !interrupted {
				t.Fatalf("the first write of the toggle never came:\n%s", out.String())
			}

			// The second write was made after the interrupt...
			var writes []string
			for _, call := range sim.Calls() {
				if call.Method == "UpdatePortGroup" || call.Method == "ReconfigureDVPortgroup_Task" {
					writes = append(writes, call.Detail)
				}
			}
			if kind == "host" {
				// The port group in progress is finished; the others are
				// not started.
				if len(writes) < 2 {
					t.Fatalf("writes = %q\n%s", writes, out.String())
				}
				writes = writes[:2]
			}
			if !strings.HasPrefix(writes[0], first) || !strings.HasPrefix(writes[1], second) || (kind != "host" && len(writes) != 2) {
				t.Fatalf("writes = %q; want the disabling write, then the desired policy\n%s", writes, out.String())
			}
			// ...so promiscuous mode is on,
			sim.SetDelay(0)
			snap := acctest.NewOOB(t, sim).Read(vsphere.Request{HostIDs: []string{sim.HostID("esx-01.lab")}, DVPortGroupIDs: []string{sim.DVPortGroupID("FW-CORE")}})
			on := snap.FindHost(sim.HostID("esx-01.lab")).PortGroup("FW-WAN").Effective.AllowPromiscuous
			switch kind {
			case "distributed":
				on = snap.FindDVPortGroup(sim.DVPortGroupID("FW-CORE")).Effective.AllowPromiscuous
			case "host":
				h := snap.FindHost(sim.HostID("esx-01.lab"))
				on = h.PortGroup("FW-DMZ").Effective.AllowPromiscuous && h.PortGroup("FW-LAN").Effective.AllowPromiscuous && h.PortGroup("FW-SYNC").Effective.AllowPromiscuous
			}
			if !on {
				t.Fatalf("promiscuous mode left off after the interrupt\n%s", out.String())
			}
			// ...and the provider said what it did.
			said := "Interrupted during a toggle: promiscuous mode restored"
			if kind == "host" {
				said = "Toggle interrupted"
			}
			if !strings.Contains(out.String(), said) {
				t.Errorf("terraform output does not say the toggle was finished after the interrupt:\n%s", out.String())
			}
			if kind == "host" {
				// The next plan finishes the interrupted toggle.
				sim.ResetCalls()
				c.tf("cancel", 0, "apply", "-input=false", "-auto-approve", "-no-color")
				toggled := map[string]bool{}
				for _, call := range sim.Calls() {
					if call.Method == "UpdatePortGroup" && strings.Contains(call.Detail, "promisc=false") {
						toggled[strings.Fields(call.Detail)[0]] = true
					}
				}
				if !toggled["FW-LAN"] || !toggled["FW-SYNC"] {
					t.Errorf("the apply after the interrupt did not finish the toggle: %v", toggled)
				}
				c.tf("cancel", 0, "plan", "-input=false", "-detailed-exitcode", "-no-color")
			}
			t.Logf("%s: interrupted after %q; second write %q made; promiscuous mode on", kind, writes[0], writes[1])
		})
	}
}
