package e2e

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// writeMethods are the SOAP methods that change vSphere.
var writeMethods = map[string]bool{
	"UpdatePortGroup": true, "UpdateVirtualSwitch": true, "UpdateNetworkConfig": true,
	"ReconfigureDVPortgroup_Task": true, "ReconfigureDvs_Task": true, "UpdateOptions": true,
}

func writesIn(calls []simulator.Call) []string {
	var out []string
	for _, c := range calls {
		if writeMethods[c.Method] {
			out = append(out, c.Method+" "+c.Detail)
		}
	}
	return out
}

// TestImportGeneratedConfig: adopting existing infrastructure changes
// nothing. For each kind (a standard port group that inherits its whole
// policy from its vSwitch, one with explicit values, a distributed port
// group, host settings), an import block and `plan -generate-config-out`
// write a configuration that validates; the apply of it imports with 0
// writes to vSphere; the next plan is empty; and destroy puts back what
// was there before the import, inheritance included. It runs with the CLI
// TF_ACC_TERRAFORM_PATH names (Terraform 1.5.7 crashed on the schema here,
// hashicorp/terraform#34463).
func TestImportGeneratedConfig(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	for _, tc := range []struct {
		name, typ, id string
		// own reads the object's own settings, to compare before the
		// import and after destroy.
		own func(s *vsphere.Snapshot) any
	}{
		{"inheriting standard port group", "carp_portgroup_policy", sim.HostID("esx-02.lab") + ":Lab-Shared",
			func(s *vsphere.Snapshot) any {
				return s.FindHost(sim.HostID("esx-02.lab")).PortGroup("Lab-Shared").Security
			}},
		{"explicit standard port group", "carp_portgroup_policy", sim.HostID("esx-01.lab") + ":FW-LAN",
			func(s *vsphere.Snapshot) any {
				return s.FindHost(sim.HostID("esx-01.lab")).PortGroup("FW-LAN").Security
			}},
		{"distributed port group", "carp_portgroup_policy", sim.DVPortGroupID("FW-CORE"),
			func(s *vsphere.Snapshot) any { return s.FindDVPortGroup(sim.DVPortGroupID("FW-CORE")).Security }},
		{"host settings", "carp_host_settings", sim.HostID("esx-02.lab"),
			func(s *vsphere.Snapshot) any { return *s.FindHost(sim.HostID("esx-02.lab")).RPFCheckPromisc }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-")
			dir := endConfig(t, c, "import-"+name, `import {
  to = `+tc.typ+`.imported
  id = "`+tc.id+`"
}
`)
			rel, _ := filepath.Rel(c.work, dir)
			req := vsphere.Request{HostIDs: []string{sim.HostID("esx-01.lab"), sim.HostID("esx-02.lab")}, DVPortGroupIDs: []string{sim.DVPortGroupID("FW-CORE")}}
			before := tc.own(acctest.NewOOB(t, sim).Read(req))

			c.tf(rel, 0, "plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
			gen, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
			if err != nil {
				t.Fatalf("no generated configuration: %v", err)
			}
			c.tf(rel, 0, "validate", "-no-color")

			sim.ResetCalls()
			out := c.tf(rel, 0, "apply", "-input=false", "-auto-approve", "-no-color")
			if w := writesIn(sim.Calls()); len(w) != 0 {
				t.Errorf("the import wrote to vSphere: %q\ngenerated:\n%s\n%s", w, gen, out)
			}
			if !strings.Contains(out, "1 imported, 0 added, 0 changed, 0 destroyed") {
				t.Errorf("the apply did more than import:\n%s\ngenerated:\n%s", out, gen)
			}
			sim.ResetCalls()
			if out, code := c.run(rel, c.bin, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
				t.Errorf("the plan after the import is not empty (exit %d):\n%s\ngenerated:\n%s", code, out, gen)
			}
			if w := writesIn(sim.Calls()); len(w) != 0 {
				t.Errorf("a plan wrote: %q", w)
			}

			if tc.name == "inheriting standard port group" {
				adoptionEnds(t, c, sim, rel, filepath.Join(dir, "generated.tf"), gen)
			}

			c.tf(rel, 0, "destroy", "-input=false", "-auto-approve", "-no-color")
			if after := tc.own(acctest.NewOOB(t, sim).Read(req)); !reflect.DeepEqual(after, before) {
				t.Errorf("after destroy the object's own settings are %s, before the import %s", show(after), show(before))
			}
			if t.Failed() {
				return
			}
			t.Logf("%s: generated %d bytes, import applied with 0 writes, empty plan, destroy restored %s", tc.name, len(gen), show(before))
		})
	}
}

// adoptionEnds: once the adopted port group is written (a toggle
// trigger), its fields are explicit; set back to inherit outside
// Terraform, it then shows as drift.
func adoptionEnds(t *testing.T, c *cli, sim *simulator.Server, rel, file string, gen []byte) {
	t.Helper()
	changed := strings.Replace(string(gen), "toggle_triggers          = null", `toggle_triggers          = { t = "1" }`, 1)
	if changed == string(gen) {
		t.Fatalf("no toggle_triggers line in the generated configuration:\n%s", gen)
	}
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	sim.ResetCalls()
	c.tf(rel, 0, "apply", "-input=false", "-auto-approve", "-no-color")
	// A trigger toggles: off, then the desired policy, every field explicit.
	if w := writesIn(sim.Calls()); len(w) != 2 || !strings.HasSuffix(w[1], "promisc=true mac=true forged=true") {
		t.Errorf("the writes after the import: %q, want a toggle ending with every field explicit", w)
	}
	if err := sim.SetPortGroupSecurity(t.Context(), "esx-02.lab", "Lab-Shared", inventory.Security{}); err != nil {
		t.Fatal(err)
	}
	if out, code := c.run(rel, c.bin, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 2 || !strings.Contains(out, "+ allow_promiscuous") {
		t.Errorf("a port group set back to inherit after the first write does not show as drift (exit %d):\n%s", code, out)
	}
}

func show(v any) string {
	if s, ok := v.(inventory.Security); ok {
		f := func(b *bool) string {
			if b == nil {
				return "inherit"
			}
			if *b {
				return "true"
			}
			return "false"
		}
		return "promisc=" + f(s.AllowPromiscuous) + " mac=" + f(s.MacChanges) + " forged=" + f(s.ForgedTransmits)
	}
	if n, ok := v.(int64); ok {
		return "rpf=" + strconv.FormatInt(n, 10)
	}
	return ""
}
