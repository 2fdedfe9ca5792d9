package acctest

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// NSX helpers: the provider lines for the test's NSX Manager, the NSX call
// budgets, and out-of-band changes of its profiles and bindings.

// NSXLines are the provider block lines for this test's NSX Manager
// (certificate not verified); password overrides its password when set.
func (e *Env) NSXLines(password ...string) []string {
	m := e.nsxManager()
	pass := m.Password
	if len(password) > 0 {
		pass = password[0]
	}
	return []string{
		fmt.Sprintf("nsx_manager = %q", m.Host), fmt.Sprintf("nsx_user = %q", m.User),
		fmt.Sprintf("nsx_password = %q", pass), "nsx_allow_unverified_ssl = true",
	}
}

func (e *Env) nsxManager() *simulator.NSXManager {
	e.T.Helper()
	m := e.Sim.NSX()
	if m == nil {
		e.T.Fatal("the scenario has no NSX Manager (no NSX segment)")
	}
	return m
}

// NSXCalls is the number of NSX calls the provider counted for rpc of
// typeName ("" = any), in all.
func (r *Recorder) NSXCalls(rpc, typeName string) int64 {
	var n int64
	for _, c := range r.Calls() {
		if c.RPC == rpc && (typeName == "" || c.TypeName == typeName) {
			n += c.NSXCalls
		}
	}
	return n
}

// ExpectMaxNSXCalls fails unless every recorded rpc of typeName ("" = any)
// made at most max NSX calls, and at least one such rpc ran.
func (r *Recorder) ExpectMaxNSXCalls(rpc, typeName string, max int64) func(*terraform.State) error {
	return r.expectMax(rpc, typeName, max, "NSX calls", func(c RPCCalls) int64 { return c.NSXCalls })
}

// ExpectNoNSXCall fails if any recorded RPC made an NSX call, or the NSX
// Manager answered one.
func (e *Env) ExpectNoNSXCall() func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, c := range e.Diags.Calls() {
			if c.NSXCalls > 0 {
				return fmt.Errorf("%s of %s made %d NSX calls; it needs none", c.RPC, c.TypeName, c.NSXCalls)
			}
		}
		if m := e.Sim.NSX(); m != nil && len(m.Calls()) > 0 {
			return fmt.Errorf("NSX Manager answered %d calls: %+v", len(m.Calls()), m.Calls())
		}
		return nil
	}
}

// NSX is out-of-band access to the test's NSX Manager.
type NSX struct {
	o *OOB
	m *simulator.NSXManager
}

// NSX is out-of-band access to this test's NSX Manager.
func (e *Env) NSX() *NSX { return &NSX{o: e.OOB(), m: e.nsxManager()} }

// Manager is the simulator's NSX Manager (its call record, pause, ids).
func (n *NSX) Manager() *simulator.NSXManager { return n.m }

// SetSegmentProfiles binds profiles (paths) to segment id.
func (n *NSX) SetSegmentProfiles(id string, b inventory.NSXProfiles) {
	n.o.t.Helper()
	n.o.check("binding profiles to segment "+id, n.m.SetSegmentProfiles(id, b))
}

// SetPortProfiles binds profiles to the segment port of a VM's NIC.
func (n *NSX) SetPortProfiles(vm, label string, b inventory.NSXProfiles) {
	n.o.t.Helper()
	n.o.check("binding profiles to the port of "+vm, n.m.SetPortProfiles(vm, label, b))
}

// SetPortAddressBindings sets the manual address bindings of a NIC's port.
func (n *NSX) SetPortAddressBindings(vm, label string, bs ...inventory.NSXAddressBinding) {
	n.o.t.Helper()
	n.o.check("address bindings of the port of "+vm, n.m.SetPortAddressBindings(vm, label, bs))
}

// RemovePort deletes the segment port of a VM's NIC.
func (n *NSX) RemovePort(vm, label string) {
	n.o.t.Helper()
	n.o.check("removing the port of "+vm, n.m.RemovePort(vm, label))
}
