package simulator

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// start starts a server for the scenario and a logged-in client.
func start(t *testing.T, sc Scenario, opts ...Option) (*Server, *govmomi.Client) {
	t.Helper()
	s, err := Start(sc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := s.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// twoHosts is a small scenario: one cluster with two hosts, each with
// vSwitch0 (vmnic0, vmnic1) and port group "PG-A"; vmnic2, vmnic3 spare.
func twoHosts() Scenario {
	h := func(name string) Host {
		return Host{Name: name, VSwitches: []VSwitch{{
			Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"},
			PortGroups: []PortGroup{{Name: "PG-A", VLAN: 5}},
		}}}
	}
	h1, h2 := h("h1"), h("h2")
	return Scenario{Datacenters: []Datacenter{{
		Name:     "dc",
		Clusters: []Cluster{{Name: "cl", Hosts: []Host{h1, h2}}},
		DVSwitches: []DVSwitch{
			{Name: "dvs7", Version: "7.0.0", HostNames: []string{"h1", "h2"},
				PortGroups: []DVPortGroup{
					{Name: "DV-A", Security: inventory.Security{AllowPromiscuous: bp(true)},
						Teaming:     inventory.Teaming{Policy: sp(inventory.LBIPHash)},
						MacLearning: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 100, LimitPolicy: "allow"}},
					{Name: "DV-B"},
				},
				Mirroring: []inventory.MirrorSession{{Key: "vspan_1", Name: "m1", Enabled: true}},
			},
			{Name: "dvs5", Version: "5.0.0", HostNames: []string{"h1"},
				PortGroups: []DVPortGroup{{Name: "DV-OLD"}}},
		},
	}}}
}

func hostRef(s *Server, name string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "HostSystem", Value: s.HostID(name)}
}

func netSys(t *testing.T, c *govmomi.Client, s *Server, host string) *object.HostNetworkSystem {
	t.Helper()
	ns, err := object.NewHostSystem(c.Client, hostRef(s, host)).ConfigManager().NetworkSystem(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func netInfo(t *testing.T, c *govmomi.Client, ns *object.HostNetworkSystem) *types.HostNetworkInfo {
	t.Helper()
	var m mo.HostNetworkSystem
	if err := ns.Properties(context.Background(), ns.Reference(), []string{"networkInfo"}, &m); err != nil {
		t.Fatal(err)
	}
	return m.NetworkInfo
}

func hostConfig(t *testing.T, c *govmomi.Client, s *Server, host string, props ...string) mo.HostSystem {
	t.Helper()
	var h mo.HostSystem
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), hostRef(s, host), props, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func findPG(info *types.HostNetworkInfo, name string) *types.HostPortGroup {
	for i := range info.Portgroup {
		if info.Portgroup[i].Spec.Name == name {
			return &info.Portgroup[i]
		}
	}
	return nil
}

func findVS(info *types.HostNetworkInfo, name string) *types.HostVirtualSwitch {
	for i := range info.Vswitch {
		if info.Vswitch[i].Name == name {
			return &info.Vswitch[i]
		}
	}
	return nil
}

// faultOf returns the vim fault of a SOAP or task error.
func faultOf(err error) any {
	if err == nil {
		return nil
	}
	if soap.IsSoapFault(err) {
		return soap.ToSoapFault(err).VimFault()
	}
	var te task.Error
	if errors.As(err, &te) {
		return te.Fault()
	}
	return err
}

// wantFault checks the fault's type name, e.g. "NotFound" (SOAP faults
// decode to values, task faults to pointers).
func wantFault(t *testing.T, err error, name string) {
	t.Helper()
	f := faultOf(err)
	got := ""
	if f != nil {
		ty := reflect.TypeOf(f)
		if ty.Kind() == reflect.Pointer {
			ty = ty.Elem()
		}
		got = ty.Name()
	}
	if got != name {
		t.Fatalf("want fault %s, got %v (%T)", name, err, f)
	}
}

func deref(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

func dvpg(t *testing.T, c *govmomi.Client, s *Server, name string) mo.DistributedVirtualPortgroup {
	t.Helper()
	var pg mo.DistributedVirtualPortgroup
	ref := types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: s.DVPortGroupID(name)}
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), ref, nil, &pg); err != nil {
		t.Fatal(err)
	}
	return pg
}

func dvswitch(t *testing.T, c *govmomi.Client, s *Server, name string) mo.DistributedVirtualSwitch {
	t.Helper()
	var sw mo.DistributedVirtualSwitch
	ref := types.ManagedObjectReference{Type: dvsType, Value: s.DVSwitchID(name)}
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), ref, []string{"config", "summary", "name"}, &sw); err != nil {
		t.Fatal(err)
	}
	return sw
}

func viewManager(c *govmomi.Client) *view.Manager { return view.NewManager(c.Client) }

func sortStrings(l []string) { sort.Strings(l) }
