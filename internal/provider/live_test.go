package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/provider"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TestAccLive_readOnly runs against a real vCenter (make testacc-live, with
// VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD and, for a lab,
// VSPHERE_ALLOW_UNVERIFIED_SSL): it lists the hosts and audits every
// standard port group of the first one, changing nothing. It asserts what holds of any vCenter: hosts are
// found, each with an id and a name; every finding is well-formed (a
// catalog code, a known severity, a message that starts with the code and
// names the object by name and moref); counts and ready agree with the
// findings. The rest of the suite builds its own inventories in the
// simulator, which a real vCenter cannot offer.
func TestAccLive_readOnly(t *testing.T) {
	if !acctest.Live() {
		t.Skip("live test: run make testacc-live with VSPHERE_SERVER set")
	}
	hostID, pgs := liveFirstHost(t)
	sessions := &provider.Sessions{}
	t.Cleanup(func() { sessions.End(context.WithoutCancel(t.Context())) })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"carp": provider.NewServer("live", sessions),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "carp" {}
data "carp_hosts" "all" {}
data "carp_audit" "first" {
  host_system_ids = [%q]
  portgroups      = %s
}`, hostID, hclList(pgs)),
			Check: resource.ComposeAggregateTestCheckFunc(liveHostsFound, liveFindingsWellFormed),
		}},
	})
}

// liveFirstHost reads, outside Terraform, the first host of the inventory
// and the names of its standard port groups (the audit checks only the
// port groups it is given).
func liveFirstHost(t *testing.T) (string, []string) {
	t.Helper()
	insecure, _ := strconv.ParseBool(os.Getenv(provider.EnvInsecure))
	c, err := vsphere.Connect(t.Context(), vsphere.Config{
		Server: os.Getenv(provider.EnvServer), User: os.Getenv(provider.EnvUser), Password: os.Getenv(provider.EnvPassword),
		Insecure: insecure, Thumbprint: os.Getenv(provider.EnvThumbprint), CAFile: os.Getenv(provider.EnvCAFile), APITimeout: time.Minute,
	})
	if err != nil {
		t.Fatalf("connecting to %s: %v", os.Getenv(provider.EnvServer), err)
	}
	defer func() { _ = c.Logout(t.Context()) }()
	tree, err := c.InventoryTree(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Hosts) == 0 {
		t.Fatal("the vCenter has no hosts")
	}
	id := tree.Hosts[0].ID
	snap, err := c.Read(t.Context(), vsphere.Request{HostIDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	if h := snap.FindHost(id); h != nil {
		for _, pg := range h.PortGroups {
			names = append(names, pg.Name)
		}
	}
	return id, names
}

func hclList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func attrsOf(s *terraform.State, addr string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.Attributes, nil
}

func liveHostsFound(s *terraform.State) error {
	a, err := attrsOf(s, "data.carp_hosts.all")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(a["hosts.#"])
	if n == 0 {
		return fmt.Errorf("carp_hosts found no hosts")
	}
	for i := 0; i < n; i++ {
		if a[fmt.Sprintf("hosts.%d.id", i)] == "" || a[fmt.Sprintf("hosts.%d.name", i)] == "" {
			return fmt.Errorf("host %d has no id or name: %v", i, a)
		}
	}
	return nil
}

var liveCode = regexp.MustCompile(`^CARP0\d\d$`)

func liveFindingsWellFormed(s *terraform.State) error {
	a, err := attrsOf(s, "data.carp_audit.first")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(a["findings.#"])
	counts := map[string]int{}
	var bad []string
	for i := 0; i < n; i++ {
		f := func(k string) string { return a[fmt.Sprintf("findings.%d.%s", i, k)] }
		code, sev, msg, id, name := f("code"), f("severity"), f("message"), f("object_id"), f("object_name")
		moref, _, _ := strings.Cut(id, ":")
		switch {
		case !liveCode.MatchString(code):
			bad = append(bad, fmt.Sprintf("finding %d: code %q", i, code))
		case !slices.Contains([]string{"error", "warning", "info"}, sev):
			bad = append(bad, fmt.Sprintf("finding %d (%s): severity %q", i, code, sev))
		case id == "" || name == "":
			bad = append(bad, fmt.Sprintf("finding %d (%s): object id %q, name %q", i, code, id, name))
		case !strings.HasPrefix(msg, code+" ") || !strings.Contains(msg, name) || !strings.Contains(msg, moref):
			bad = append(bad, fmt.Sprintf("finding %d: message %q does not start with %s and name %s (%s)", i, msg, code, name, moref))
		}
		counts[sev]++
	}
	for _, sev := range []string{"error", "warning", "info"} {
		if got := a["counts."+sev]; got != strconv.Itoa(counts[sev]) {
			bad = append(bad, fmt.Sprintf("counts.%s = %s, the findings have %d", sev, got, counts[sev]))
		}
	}
	if want := strconv.FormatBool(counts["error"] == 0); a["ready"] != want {
		bad = append(bad, fmt.Sprintf("ready = %s with %d errors", a["ready"], counts["error"]))
	}
	if len(bad) > 0 {
		return fmt.Errorf("audit of a real vCenter:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}
