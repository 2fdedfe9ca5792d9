package simulator

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func nsxGet(t *testing.T, m *NSXManager, user, pass, p string, q url.Values) (int, map[string]any) {
	t.Helper()
	u := *m.URL
	u.Path = nsxAPIBase + p
	u.RawQuery = q.Encode()
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.SetBasicAuth(user, pass)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // test
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// vCenter's side of NSX: the NSX port group, the opaque network and the
// NICs on them, as the vSphere API shows them.
func TestNSXvCenterSide(t *testing.T) {
	s, err := Start(NSXPair())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	c, err := s.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pc := property.DefaultCollector(c.Client)
	m := s.NSX()

	var pg mo.DistributedVirtualPortgroup
	if err := pc.RetrieveOne(ctx, types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: s.DVPortGroupID("FW-NSX")}, []string{"config"}, &pg); err != nil {
		t.Fatal(err)
	}
	if pg.Config.BackingType != "nsx" || pg.Config.SegmentId != "/infra/segments/fw-nsx" || pg.Config.LogicalSwitchUuid != m.SegmentUUID("fw-nsx") || pg.Config.Type != "ephemeral" {
		t.Errorf("NSX port group config: backing %q segment %q ls %q type %q", pg.Config.BackingType, pg.Config.SegmentId, pg.Config.LogicalSwitchUuid, pg.Config.Type)
	}

	var on mo.OpaqueNetwork
	if err := pc.RetrieveOne(ctx, types.ManagedObjectReference{Type: "OpaqueNetwork", Value: s.OpaqueNetworkID("FW-OPQ")}, []string{"summary", "host", "vm"}, &on); err != nil {
		t.Fatal(err)
	}
	sum, _ := on.Summary.(*types.OpaqueNetworkSummary)
	if sum == nil || sum.OpaqueNetworkId != m.SegmentUUID("fw-opq") || sum.OpaqueNetworkType != "nsx.LogicalSwitch" || len(on.Host) != 3 {
		t.Errorf("opaque network: summary %+v hosts %v", on.Summary, on.Host)
	}
	if len(on.Vm) != 1 || on.Vm[0].Value != s.VMID("fw-b") {
		t.Errorf("opaque network vm = %v, want fw-b", on.Vm)
	}

	for vm, want := range map[string]string{"fw-a": "dv", "fw-b": "opaque"} {
		devs, err := object.NewVirtualMachine(c.Client, types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID(vm)}).Device(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nic := devs.Find("ethernet-3")
		card := nic.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		switch b := card.Backing.(type) {
		case *types.VirtualEthernetCardOpaqueNetworkBackingInfo:
			if want != "opaque" || b.OpaqueNetworkId != m.SegmentUUID("fw-opq") {
				t.Errorf("%s: opaque backing %+v", vm, b)
			}
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			if want != "dv" || b.Port.PortgroupKey != s.DVPortGroupID("FW-NSX") {
				t.Errorf("%s: DV backing %+v", vm, b)
			}
		default:
			t.Errorf("%s: backing %T", vm, card.Backing)
		}
		if card.ExternalId == "" {
			t.Errorf("%s: no externalId", vm)
		}
		_, port := nsxGet(t, m, m.User, m.Password, m.PortPath(vm, "Network adapter 4"), nil)
		if att, _ := port["attachment"].(map[string]any); att == nil || att["id"] != card.ExternalId {
			t.Errorf("%s: port attachment %v, NIC externalId %s", vm, port["attachment"], card.ExternalId)
		}
	}

	// vCenter does not reconfigure an NSX port group (nsxbuild.go)
	dvpg := object.NewDistributedVirtualPortgroup(c.Client, pg.Self)
	task, err := dvpg.Reconfigure(ctx, types.DVPortgroupConfigSpec{ConfigVersion: pg.Config.ConfigVersion, Description: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err == nil || !strings.Contains(err.Error(), "NotSupported") {
		t.Errorf("reconfigure of an NSX port group: %v, want NotSupported", err)
	}
}

// The Policy API: objects by path, collections, search with escaping,
// cursor paging, the defaults, bindings out of band.
func TestNSXPolicyAPI(t *testing.T) {
	s, err := Start(NSXPair())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := s.NSX()
	get := func(p string, q url.Values) (int, map[string]any) { return nsxGet(t, m, m.User, m.Password, p, q) }

	if code, o := get("/infra/mac-discovery-profiles/default-mac-discovery-profile", nil); code != 200 || o["mac_change_enabled"] != true || o["mac_learning_enabled"] != false || o["mac_limit"] != float64(4096) {
		t.Errorf("default MAC discovery profile: %d %v", code, o)
	}
	if code, o := get("/infra/segments/fw-nsx/segment-discovery-profile-binding-maps", nil); code != 200 || o["result_count"] != float64(1) {
		t.Errorf("binding maps: %d %v", code, o)
	}
	if code, o := get("/infra/segments/fw-nsx/segment-security-profile-binding-maps", nil); code != 200 || o["result_count"] != float64(0) {
		t.Errorf("security binding maps: %d %v", code, o)
	}
	if code, _ := get("/infra/segments/nope", nil); code != 404 {
		t.Errorf("missing segment: %d", code)
	}
	port := m.PortPath("fw-a", "Network adapter 4")
	q := `(resource_type:Segment AND (unique_id:` + m.SegmentUUID("fw-opq") + ` OR path:\/infra\/segments\/fw\-nsx)) OR resource_type:SegmentPort AND attachment.id:(nope OR ` + portAttachment(t, get, port) + `)`
	code, res := get("/search/query", url.Values{"query": {q}})
	if code != 200 || res["result_count"] != float64(3) {
		t.Fatalf("search: %d %v", code, res)
	}
	code, res = get("/search/query", url.Values{"query": {"resource_type:SegmentPort"}, "page_size": {"1"}})
	if code != 200 || res["result_count"] != float64(2) || res["cursor"] != "1" || len(res["results"].([]any)) != 1 {
		t.Errorf("paged search: %d %v", code, res)
	}
	if code, _ := get("/search/query", url.Values{"query": {"resource_type:(Segment"}}); code != 400 {
		t.Errorf("bad query: %d", code)
	}
	if err := m.SetPortProfiles("fw-a", "Network adapter 4", inventory.NSXProfiles{SpoofGuard: inventory.DefaultSpoofGuardProfile}); err != nil {
		t.Fatal(err)
	}
	if code, res := get("/search/query", url.Values{"query": {"resource_type:PortSecurityProfileBindingMap AND parent_path:" + escapeForTest(port)}}); code != 200 || res["result_count"] != float64(1) {
		t.Errorf("port binding: %d %v", code, res)
	}
}

func portAttachment(t *testing.T, get func(string, url.Values) (int, map[string]any), port string) string {
	t.Helper()
	_, o := get(port, nil)
	return o["attachment"].(map[string]any)["id"].(string)
}

func escapeForTest(v string) string {
	r := strings.NewReplacer("/", `\/`, ":", `\:`, "-", `\-`)
	return r.Replace(v)
}

// A rejected login is answered as NSX does (403, its ApiError), five lock
// the account, a locked account rejects the right password too.
func TestNSXAuthAndLockout(t *testing.T) {
	s, err := Start(NSXPair())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := s.NSX()
	for i := 1; i <= 5; i++ {
		code, body := nsxGet(t, m, m.User, "wrong", "/infra/segments", nil)
		if code != 403 || body["error_message"] != "The credentials were incorrect or the account specified has been locked." || body["error_code"] != float64(403) {
			t.Fatalf("attempt %d: %d %v", i, code, body)
		}
	}
	if !m.Locked() || m.Rejected() != 5 {
		t.Fatalf("locked %v rejected %d", m.Locked(), m.Rejected())
	}
	if code, _ := nsxGet(t, m, m.User, m.Password, "/infra/segments", nil); code != 403 {
		t.Errorf("locked account with the right password: %d", code)
	}
	m.Unlock()
	if code, _ := nsxGet(t, m, m.User, m.Password, "/infra/segments", nil); code != 200 {
		t.Errorf("after unlock: %d", code)
	}
	if n := len(m.Calls()); n != 7 {
		t.Errorf("%d calls recorded, want 7", n)
	}
}

// Paused, a request is held until its client gives up, and not recorded.
func TestNSXPause(t *testing.T) {
	s, err := Start(NSXPair())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := s.NSX()
	m.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	u := *m.URL
	u.Path = nsxAPIBase + "/infra/segments"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	req.SetBasicAuth(m.User, m.Password)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // test
	start := time.Now()
	if res, err := c.Do(req); err == nil {
		_ = res.Body.Close()
		t.Fatal("a paused NSX Manager answered")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("held %v past the client's deadline", d)
	}
	m.Resume()
	if n := len(m.Calls()); n != 0 {
		t.Errorf("%d calls recorded for an unanswered request", n)
	}
}
