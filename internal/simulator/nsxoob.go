package simulator

import (
	"fmt"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// What a test does to the NSX Manager behind the provider's back: its call
// record, a pause, profiles and bindings, a port's address bindings.

// Pause makes NSX Manager stop answering: every request from now on waits
// without an answer until Resume, or until its client gives up (pause.go).
func (m *NSXManager) Pause() { m.pause.pause() }

// Resume answers again.
func (m *NSXManager) Resume() { m.pause.resume() }

// Calls returns the requests answered since start or the last ResetCalls,
// rejected logins included.
func (m *NSXManager) Calls() []NSXCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]NSXCall(nil), m.calls...)
}

// ResetCalls clears the call record.
func (m *NSXManager) ResetCalls() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = nil
}

// Rejected is the number of requests rejected as a failed login so far.
func (m *NSXManager) Rejected() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rejected
}

// Locked reports whether the account is locked out.
func (m *NSXManager) Locked() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.locked
}

// Unlock ends a lockout (as its 15 minutes passing would).
func (m *NSXManager) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.locked, m.failures = false, 0
}

// SegmentUUID is the unique id (logical switch) of segment id.
func (m *NSXManager) SegmentUUID(id string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.segmentUUID[id]
}

// PortPath is the path of the segment port of a VM's NIC ("" if none).
func (m *NSXManager) PortPath(vm, label string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ports[nicKey{vm, label}]
}

// PutMacDiscoveryProfile creates or replaces a MAC discovery profile.
func (m *NSXManager) PutMacDiscoveryProfile(p inventory.MacDiscoveryProfile) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[p.Path] = macDiscoveryObject(p, false)
}

// PutSpoofGuardProfile creates or replaces a SpoofGuard profile.
func (m *NSXManager) PutSpoofGuardProfile(p inventory.SpoofGuardProfile) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[p.Path] = spoofGuardObject(p, false)
}

// PutIPDiscoveryProfile creates or replaces an IP discovery profile.
func (m *NSXManager) PutIPDiscoveryProfile(p inventory.IPDiscoveryProfile) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[p.Path] = ipDiscoveryObject(p, false)
}

// SetSegmentProfiles binds profiles to segment id (paths; "" binds none).
func (m *NSXManager) SetSegmentProfiles(id string, b inventory.NSXProfiles) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[segmentPath(id)]; !ok {
		return fmt.Errorf("no segment %q", id)
	}
	m.bind(segmentPath(id), b, false)
	return nil
}

// SetPortProfiles binds profiles to the segment port of a VM's NIC, which
// then replace the segment's.
func (m *NSXManager) SetPortProfiles(vm, label string, b inventory.NSXProfiles) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.ports[nicKey{vm, label}]
	if p == "" {
		return fmt.Errorf("no segment port for %s %q", vm, label)
	}
	m.bind(p, b, true)
	return nil
}

// SetPortAddressBindings sets the manual address bindings of a NIC's
// segment port (SegmentPort.address_bindings).
func (m *NSXManager) SetPortAddressBindings(vm, label string, bs []inventory.NSXAddressBinding) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o := m.objects[m.ports[nicKey{vm, label}]]
	if o == nil {
		return fmt.Errorf("no segment port for %s %q", vm, label)
	}
	list := []any{}
	for _, b := range bs {
		list = append(list, map[string]any{"ip_address": b.IP, "mac_address": b.MAC})
	}
	o["address_bindings"] = list
	return nil
}

// RemovePort deletes the segment port of a VM's NIC (as when NSX detached
// it), with its binding maps.
func (m *NSXManager) RemovePort(vm, label string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.ports[nicKey{vm, label}]
	if p == "" {
		return fmt.Errorf("no segment port for %s %q", vm, label)
	}
	for k := range m.objects {
		if k == p || len(k) > len(p) && k[:len(p)+1] == p+"/" {
			delete(m.objects, k)
		}
	}
	delete(m.ports, nicKey{vm, label})
	return nil
}

// Attachment is the VIF attachment id of a VM's NIC (its externalId).
func (m *NSXManager) Attachment(vm, label string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	o := m.objects[m.ports[nicKey{vm, label}]]
	if o == nil {
		return ""
	}
	return o["attachment"].(map[string]any)["id"].(string)
}
