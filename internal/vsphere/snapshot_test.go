package vsphere_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func connect(t testing.TB, sim *simulator.Server) *vsphere.Client {
	t.Helper()
	c, err := vsphere.Connect(t.Context(), vsphere.Config{
		Server: sim.URL.Host, User: sim.User, Password: sim.Password, Thumbprint: sim.Thumbprint, APITimeout: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.WithoutCancel(t.Context())) })
	return c
}

func hostsScenario(n, pgs int) simulator.Scenario {
	var hosts []simulator.Host
	for i := 0; i < n; i++ {
		var groups []simulator.PortGroup
		for j := 0; j < pgs; j++ {
			groups = append(groups, simulator.PortGroup{Name: fmt.Sprintf("PG-%d", j)})
		}
		hosts = append(hosts, simulator.Host{Name: fmt.Sprintf("esx-%03d", i), VSwitches: []simulator.VSwitch{
			{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, PortGroups: groups},
		}})
	}
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{Name: "dc", Clusters: []simulator.Cluster{{Name: "c", Hosts: hosts}}}}}
}

func counted(t testing.TB, n *atomic.Int64) context.Context {
	return vsphere.WithCallCounter(t.Context(), n)
}

func TestReadHost(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(simulator.DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c := connect(t, sim)
	id := sim.HostID("esx-02.lab")
	var n atomic.Int64
	snap, err := c.Read(counted(t, &n), vsphere.Request{HostIDs: []string{id, "host-404"}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Errorf("host read made %d round trips, want 1", n.Load())
	}
	if len(snap.Missing) != 1 || snap.Missing[0] != "host-404" {
		t.Errorf("missing = %v", snap.Missing)
	}
	h := snap.FindHost(id)
	if h == nil || h.Name != "esx-02.lab" {
		t.Fatalf("host = %+v", h)
	}
	if h.RPFCheckPromisc == nil || *h.RPFCheckPromisc != 0 {
		t.Errorf("RPFCheckPromisc = %v, want 0", h.RPFCheckPromisc)
	}
	vs0 := h.VSwitch("vSwitch0")
	if vs0 == nil || fmt.Sprint(vs0.Uplinks) != "[vmnic0 vmnic1]" {
		t.Errorf("vSwitch0 = %+v", vs0)
	}
	wan := h.PortGroup("FW-WAN")
	if wan == nil {
		t.Fatal("no FW-WAN")
	}
	// FW-WAN sets promiscuous false itself and inherits the rest.
	if wan.Security.AllowPromiscuous == nil || *wan.Security.AllowPromiscuous || wan.Security.MacChanges != nil {
		t.Errorf("FW-WAN own security = %+v", wan.Security)
	}
	if wan.Effective.AllowPromiscuous || wan.Effective.LoadBalancing != inventory.LBSrcID || len(wan.Effective.ActiveUplinks) != 2 {
		t.Errorf("FW-WAN effective = %+v", wan.Effective)
	}
	lab := h.PortGroup("Lab-Shared")
	if lab == nil || !lab.Effective.AllowPromiscuous || lab.Security.AllowPromiscuous != nil {
		t.Errorf("Lab-Shared inherits promiscuous from vSwitch2: %+v", lab)
	}
	if r := vsphere.HostManagers(snap, id); r.NetworkSystem.Value == "" || r.AdvancedOption.Value == "" {
		t.Errorf("host managers = %+v", r)
	}
	if _, err := c.PortGroupWriter(snap, vsphere.PortGroupRef{HostID: id, Name: "FW-WAN"}); err != nil {
		t.Errorf("no writer for FW-WAN: %v", err)
	}
	if _, err := c.PortGroupWriter(snap, vsphere.PortGroupRef{HostID: id, Name: "FW-NOPE"}); !vsphere.IsNotFound(err) {
		t.Errorf("writer for a missing port group: %v, want a NotFoundError", err)
	}
}

func TestReadDVPortGroups(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(simulator.DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c := connect(t, sim)
	core, legacy := sim.DVPortGroupID("FW-CORE"), sim.DVPortGroupID("FW-LEGACY")
	var n atomic.Int64
	snap, err := c.Read(counted(t, &n), vsphere.Request{DVPortGroupIDs: []string{core, legacy}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("DV read made %d round trips, want 2", n.Load())
	}
	pg := snap.FindDVPortGroup(core)
	if pg == nil || pg.Name != "FW-CORE" || !pg.Effective.AllowPromiscuous || pg.SwitchID != sim.DVSwitchID("dvs-core") {
		t.Fatalf("FW-CORE = %+v", pg)
	}
	sw := snap.FindDVSwitch(pg.SwitchID)
	if sw == nil || sw.Version != "7.0.0" || len(sw.Mirroring) != 1 || !sw.Mirroring[0].Enabled {
		t.Errorf("dvs-core = %+v", sw)
	}
	if old := snap.FindDVSwitch(sim.DVSwitchID("dvs-legacy")); old == nil || old.Version != "5.0.0" {
		t.Errorf("dvs-legacy = %+v", old)
	}
	if vsphere.ConfigVersion(snap, core) == "" {
		t.Error("no config version")
	}
}

// TestReadCoalesced: concurrent reads of 20 hosts share round trips, a
// second read is served from the cache, and a write invalidates.
func TestReadCoalesced(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(hostsScenario(20, 5), simulator.WithDelay(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c := connect(t, sim)
	var ids []string
	for i := 0; i < 20; i++ {
		ids = append(ids, sim.HostID(fmt.Sprintf("esx-%03d", i)))
	}
	sim.ResetCalls()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10) // Terraform's default parallelism
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var n atomic.Int64
			snap, err := c.Read(counted(t, &n), vsphere.Request{HostIDs: []string{id}})
			if err == nil && snap.FindHost(id) == nil {
				err = fmt.Errorf("%s not read", id)
			}
			if err == nil && n.Load() > 1 {
				err = fmt.Errorf("a read of one host made %d round trips", n.Load())
			}
			errs <- err
		}(ids[i%20])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	calls := sim.CallCount()
	t.Logf("100 reads of 20 hosts at parallelism 10: %d round trips", calls)
	if calls > 20 || calls < 1 {
		t.Errorf("%d round trips for 20 hosts, want at most 20", calls)
	}

	// Cached now.
	sim.ResetCalls()
	snap, err := c.Read(t.Context(), vsphere.Request{HostIDs: ids[:3]})
	if err != nil || sim.CallCount() != 0 {
		t.Fatalf("cached read: %v, %d calls", err, sim.CallCount())
	}

	// A write invalidates the host it touched.
	h := snap.FindHost(ids[0])
	tr := true
	w, err := c.PortGroupWriter(snap, vsphere.PortGroupRef{HostID: h.ID, Name: "PG-0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(t.Context(), vsphere.Policy{Security: inventory.Security{AllowPromiscuous: &tr}}); err != nil {
		t.Fatal(err)
	}
	sim.ResetCalls()
	snap, err = c.Read(t.Context(), vsphere.Request{HostIDs: ids[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if sim.CallCount() != 1 {
		t.Errorf("read after write made %d calls, want 1", sim.CallCount())
	}
	if pg := snap.FindHost(ids[0]).PortGroup("PG-0"); pg == nil || !pg.Effective.AllowPromiscuous {
		t.Errorf("read after write is stale: %+v", pg)
	}
}
