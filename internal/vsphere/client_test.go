package vsphere_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TestSessionExpiry: a session that expires between calls is
// re-established transparently, once.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(hostsScenario(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c := connect(t, sim)
	if _, err := c.InventoryTree(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Idle longer than the server's session timeout.
	sim.SetSessionIdleTimeout(50 * time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	sim.ResetCalls()
	var n atomic.Int64
	tree, err := c.InventoryTree(vsphere.WithCallCounter(t.Context(), &n))
	if err != nil {
		t.Fatalf("read after session expiry: %v", err)
	}
	if len(tree.Hosts) != 1 {
		t.Fatalf("hosts = %+v", tree.Hosts)
	}
	var methods []string
	for _, call := range sim.Calls() {
		methods = append(methods, call.Method+"/"+call.Fault)
	}
	got := strings.Join(methods, " ")
	if got != "RetrievePropertiesEx/NotAuthenticated Login/ RetrievePropertiesEx/" {
		t.Errorf("calls = %s; want the failed read, one login, the retried read", got)
	}
	if n.Load() != 3 {
		t.Errorf("counted %d round trips, want 3", n.Load())
	}
}

func TestConnectErrors(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(hostsScenario(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	base := vsphere.Config{Server: sim.URL.Host, User: sim.User, Password: sim.Password, APITimeout: 10 * time.Second}
	cases := []struct {
		name string
		mod  func(*vsphere.Config)
		kind vsphere.ErrorKind
	}{
		{"untrusted", func(c *vsphere.Config) {}, vsphere.KindCertificate},
		{"bad password", func(c *vsphere.Config) { c.Insecure = true; c.Password = "nope" }, vsphere.KindCredentials},
		{"bad user", func(c *vsphere.Config) { c.Insecure = true; c.User = "root" }, vsphere.KindCredentials},
		{"thumbprint", func(c *vsphere.Config) { c.Thumbprint = strings.Repeat("AB:", 31) + "AB" }, vsphere.KindThumbprint},
		{"ca file", func(c *vsphere.Config) { c.CAFile = sim.CAFile; c.Password = "nope" }, vsphere.KindCredentials},
		{"unreachable", func(c *vsphere.Config) { c.Insecure = true; c.Server = "127.0.0.1:1" }, vsphere.KindUnreachable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mod(&cfg)
			_, err := vsphere.Connect(t.Context(), cfg)
			var ce *vsphere.ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ConnectError", err)
			}
			if ce.Kind != tc.kind {
				t.Errorf("kind = %v, want %v: %v", ce.Kind, tc.kind, err)
			}
			if tc.kind == vsphere.KindThumbprint && (len(ce.Actual) != len(ce.Expected) || ce.Actual == ce.Expected) {
				t.Errorf("thumbprints: expected %q actual %q", ce.Expected, ce.Actual)
			}
		})
	}
}
