package nsx_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

func startNSX(t *testing.T) *simulator.NSXManager {
	t.Helper()
	s, err := simulator.Start(simulator.NSXPair())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s.NSX()
}

func client(t *testing.T, m *simulator.NSXManager, edit func(*nsx.Config)) *nsx.Client {
	t.Helper()
	cfg := nsx.Config{Manager: m.Host, User: m.User, Password: m.Password, Insecure: true, APITimeout: 10 * time.Second}
	if edit != nil {
		edit(&cfg)
	}
	c, err := nsx.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pairQuery(m *simulator.NSXManager) nsx.Query {
	return nsx.Query{
		Segments: []inventory.NSXBacking{
			{SegmentPath: "/infra/segments/fw-nsx", LogicalSwitchUUID: m.SegmentUUID("fw-nsx")},
			{LogicalSwitchUUID: m.SegmentUUID("fw-opq")},
		},
		Attachments: []string{m.Attachment("fw-a", "Network adapter 4"), m.Attachment("fw-b", "Network adapter 4")},
	}
}

// Two firewalls with a NIC each on an NSX segment: three calls, the
// segments, the ports, their bindings and every profile that decides.
func TestRead(t *testing.T) {
	m := startNSX(t)
	c := client(t, m, nil)
	var n atomic.Int64
	ctx := nsx.WithCallCounter(context.Background(), &n)
	st, err := c.Read(ctx, pairQuery(m))
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(m.Calls()) != 3 {
		t.Errorf("%d calls counted, %d answered; want 3", n.Load(), len(m.Calls()))
	}
	if len(st.Segments) != 2 || len(st.Ports) != 2 {
		t.Fatalf("segments %+v ports %+v", st.Segments, st.Ports)
	}
	seg := st.FindSegment(inventory.NSXBacking{LogicalSwitchUUID: m.SegmentUUID("fw-opq")})
	if seg == nil || seg.Path != "/infra/segments/fw-opq" || seg.Bound.MacDiscovery != simulator.CARPMacDiscoveryProfile.Path || seg.Bound.SpoofGuard != "" {
		t.Errorf("fw-opq: %+v", seg)
	}
	p := st.FindPort(m.Attachment("fw-a", "Network adapter 4"))
	if p == nil || p.SegmentPath != "/infra/segments/fw-nsx" || p.Path != m.PortPath("fw-a", "Network adapter 4") {
		t.Errorf("fw-a's port: %+v", p)
	}
	mac := st.FindMacDiscovery(simulator.CARPMacDiscoveryProfile.Path)
	if mac == nil || !mac.MacLearning || !mac.MacChange {
		t.Errorf("carp profile: %+v", mac)
	}
	if d := st.FindSpoofGuard(inventory.DefaultSpoofGuardProfile); d == nil || d.Enabled {
		t.Errorf("default SpoofGuard: %+v", d)
	}
	if d := st.FindIPDiscovery(inventory.DefaultIPDiscoveryProfile); d == nil || !d.ARPSnooping || d.ARPBindingLimit != 1 || !d.TOFU {
		t.Errorf("default IP discovery: %+v", d)
	}
	if st.FindMacDiscovery(inventory.DefaultMacDiscoveryProfile) != nil {
		t.Error("read the default MAC discovery profile that no segment uses")
	}

	// the same again in the command: no call
	if _, err := c.Read(ctx, pairQuery(m)); err != nil || n.Load() != 3 {
		t.Errorf("second read: %v, %d calls", err, n.Load())
	}
}

// A port's own bindings are read with the segment's; a cursor is followed.
func TestReadPortBindingAndPages(t *testing.T) {
	m := startNSX(t)
	if err := m.SetPortProfiles("fw-b", "Network adapter 4", inventory.NSXProfiles{MacDiscovery: inventory.DefaultMacDiscoveryProfile, SpoofGuard: inventory.DefaultSpoofGuardProfile}); err != nil {
		t.Fatal(err)
	}
	c := client(t, m, nil)
	nsx.SetPageSize(c, 1)
	st, err := c.Read(context.Background(), pairQuery(m))
	if err != nil {
		t.Fatal(err)
	}
	p := st.FindPort(m.Attachment("fw-b", "Network adapter 4"))
	if p == nil || p.Bound.MacDiscovery != inventory.DefaultMacDiscoveryProfile || p.Bound.SpoofGuard != inventory.DefaultSpoofGuardProfile || p.Bound.IPDiscovery != "" {
		t.Errorf("fw-b's port: %+v", p)
	}
	if st.FindMacDiscovery(inventory.DefaultMacDiscoveryProfile) == nil {
		t.Error("the port's profile was not read")
	}
	if n := len(m.Calls()); n < 6 {
		t.Errorf("%d calls with one result a page", n)
	}
}

// Rejected credentials: one request, whatever the number of concurrent
// readers, and the same error for all of them.
func TestCredentialsTriedOnce(t *testing.T) {
	m := startNSX(t)
	c := client(t, m, func(cfg *nsx.Config) { cfg.Password = "wrong" })
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Read(context.Background(), nsx.Query{Attachments: []string{string(rune('a' + i))}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var e *nsx.Error
		if !errors.As(err, &e) || e.Kind != nsx.KindCredentials || e.Status != 403 || !strings.Contains(e.Message, "credentials were incorrect") {
			t.Errorf("reader %d: %v", i, err)
		}
	}
	if m.Rejected() != 1 {
		t.Errorf("%d rejected logins, want 1", m.Rejected())
	}
}

// NSX Manager not answering: each call ends at api_timeout.
func TestTimeout(t *testing.T) {
	m := startNSX(t)
	m.Pause()
	c := client(t, m, func(cfg *nsx.Config) { cfg.APITimeout = 300 * time.Millisecond })
	start := time.Now()
	_, err := c.Read(context.Background(), pairQuery(m))
	var e *nsx.Error
	if !errors.As(err, &e) || e.Kind != nsx.KindUnreachable {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v with api_timeout 300ms", d)
	}
}

func TestTLS(t *testing.T) {
	m := startNSX(t)
	other := strings.Repeat("AB:", 19) + "AB"
	for _, tc := range []struct {
		name string
		edit func(*nsx.Config)
		kind nsx.ErrorKind
	}{
		{"verified by default", func(c *nsx.Config) { c.Insecure = false }, nsx.KindCertificate},
		{"pinned", func(c *nsx.Config) { c.Insecure, c.Thumbprint = false, m.Thumbprint }, -1},
		{"pinned, another certificate", func(c *nsx.Config) { c.Insecure, c.Thumbprint = false, other }, nsx.KindThumbprint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client(t, m, tc.edit).Read(context.Background(), pairQuery(m))
			var e *nsx.Error
			switch {
			case tc.kind < 0 && err != nil:
				t.Errorf("got %v", err)
			case tc.kind >= 0 && (!errors.As(err, &e) || e.Kind != tc.kind):
				t.Errorf("got %v, want kind %d", err, tc.kind)
			}
		})
	}
}

// The trace log names every call and holds neither the password nor the
// Basic credentials.
func TestLogsMaskSecrets(t *testing.T) {
	m := startNSX(t)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	c := client(t, m, nil)
	if _, err := c.Read(ctx, pairQuery(m)); err != nil {
		t.Fatal(err)
	}
	bad := client(t, m, func(cfg *nsx.Config) { cfg.Password = "An0ther-Secret" })
	_, _ = bad.Read(ctx, pairQuery(m))
	log := buf.String()
	if strings.Count(log, "NSX call") != 4 {
		t.Errorf("want 4 NSX call lines:\n%s", log)
	}
	for _, secret := range []string{m.Password, "An0ther-Secret", base64.StdEncoding.EncodeToString([]byte(m.User + ":" + m.Password))} {
		if strings.Contains(log, secret) {
			t.Errorf("%q is in the log", secret)
		}
	}
}

func TestManagerURL(t *testing.T) {
	for in, ok := range map[string]bool{"nsx.lab": true, "nsx.lab:8443": true, "https://nsx": false, "nsx/api": false, "": false, "u@nsx": false} {
		if _, err := nsx.ManagerURL(in); (err == nil) != ok {
			t.Errorf("ManagerURL(%q): %v", in, err)
		}
	}
}

func TestEscape(t *testing.T) {
	if got := nsx.Escape("/infra/segments/a-b:c d"); got != `\/infra\/segments\/a\-b\:c\ d` {
		t.Errorf("got %s", got)
	}
}
