package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// TestTraceLogHasNoNSXSecrets: an audit that reads NSX Manager, under
// TF_LOG=trace, logs its NSX calls and neither the NSX password nor the
// Basic credentials made of it; nor does a run whose NSX login is
// rejected, with another password.
func TestTraceLogHasNoNSXSecrets(t *testing.T) {
	t.Parallel()
	const pass, wrong = "Nsx-S3cr3t-Pa55!", "Wr0ng-Nsx-Pa55!"
	sim, err := simulator.Start(simulator.NSXPair(), simulator.WithNSXCredentials("nsx-reader", pass))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	c.configure("nsx", fmt.Sprintf(`data "carp_audit" "fw" { firewall_vm_ids = [%q, %q] }
output "ready" { value = data.carp_audit.fw.ready }
`, sim.VMID("fw-a"), sim.VMID("fw-b")))
	secrets := []string{pass, wrong,
		base64.StdEncoding.EncodeToString([]byte("nsx-reader:" + pass)), base64.StdEncoding.EncodeToString([]byte("nsx-reader:" + wrong))}
	for _, run := range []struct {
		name, password string
		exit           int
	}{{"accepted", pass, 0}, {"rejected", wrong, 1}} {
		logPath := filepath.Join(t.TempDir(), "trace.log")
		env := c.env
		c.env = append(append([]string(nil), env...), "TF_LOG=trace", "TF_LOG_PATH="+logPath, "TF_LOG_PROVIDER=trace", "NSXT_PASSWORD="+run.password)
		out := c.tf("nsx", run.exit, "apply", "-input=false", "-auto-approve", "-no-color")
		c.env = env
		if run.exit != 0 && !strings.Contains(out, "NSX Manager rejected nsx_user / nsx_password") {
			t.Errorf("%s: the apply does not say nsx_user / nsx_password were rejected:\n%s", run.name, out)
		}
		b, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		log := string(b)
		if n := strings.Count(log, "NSX call"); n == 0 {
			t.Fatalf("%s: the trace log has no NSX call line (%d bytes)", run.name, len(b))
		}
		for _, s := range secrets {
			if i := strings.Index(log, s); i >= 0 {
				t.Errorf("%s: %q is in the trace log: ...%s...", run.name, s, log[max(0, i-200):min(len(log), i+50)])
			}
		}
		if m := regexp.MustCompile(`(?i)authorization"?\s*[:=]\s*"?basic\s+[A-Za-z0-9+/=]{8,}`).FindString(log); m != "" {
			t.Errorf("%s: an Authorization header is in the trace log: %s", run.name, m)
		}
		t.Logf("%s: trace log %d bytes, %d NSX call lines, no NSX secret", run.name, len(b), strings.Count(log, "NSX call"))
	}
}
