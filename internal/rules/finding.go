package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Object kinds of a finding.
const (
	KindHost        = "host"
	KindPortGroup   = "portgroup"
	KindDVPortGroup = "dvportgroup"
	KindDVSwitch    = "dvswitch"
	KindVSwitch     = "vswitch"
	KindVM          = "vm"
)

// Finding is one rule firing on one object.
type Finding struct {
	Code, Name string
	Severity   Severity
	ObjectKind string // KindHost, KindPortGroup, ...
	// ObjectID is the moref, or "<host moref>:<name>" for a standard port
	// group or a standard vSwitch.
	ObjectID   string
	ObjectName string // inventory name
	// Message is the whole one-line finding: code, object by name and
	// moref, what was read, the remedy.
	Message string
	Remedy  string // the remedy sentence that ends Message
}

// String returns the message.
func (f Finding) String() string { return f.Message }

// unicastNote is inserted before the remedy of MulticastOnly findings when
// the transport is unicast.
const unicastNote = "CARP uses unicast here, which may not need this, so it is reported as info."

// object names the thing a finding is about.
type object struct {
	kind, id, name string
	subject        string // how the message names it
}

// emitter builds findings for one guest: its transport and its kind of
// VIP.
type emitter struct {
	unicast bool
	// interfaceMAC: the VIP answers from the NIC's own MAC (VIPInterface),
	// so the VirtualMACOnly rules do not apply.
	interfaceMAC bool
	// vhids is the number of virtual MACs per firewall NIC (at least 1).
	vhids int
	out   []Finding
}

// newEmitter is the emitter of a scope's guest.
func newEmitter(sc Scope) *emitter {
	return &emitter{unicast: sc.Transport == Unicast, interfaceMAC: sc.VIPMac == VIPInterface, vhids: sc.virtualMACs()}
}

// add adds a finding of the rule code on o: read says what was found on
// it (with the numbers and names its remedy needs), the remedy is the
// catalog's, the one text of it.
func (e *emitter) add(code string, o object, read string) {
	e.addAs(code, "", o, read)
}

// addAs adds a finding with the severity sev ("": the rule's).
func (e *emitter) addAs(code string, sev Severity, o object, read string) {
	r := rule(code)
	remedy := r.plainRemedy()
	if e.interfaceMAC && r.VirtualMACOnly {
		return
	}
	if sev == "" {
		sev = r.Severity
	}
	msg := fmt.Sprintf("%s %s: %s.", code, o.subject, read)
	if e.unicast && r.MulticastOnly {
		sev = SeverityInfo
		msg += " " + unicastNote
	}
	msg += " " + remedy
	e.out = append(e.out, Finding{
		Code: code, Name: r.Name, Severity: sev,
		ObjectKind: o.kind, ObjectID: o.id, ObjectName: o.name,
		Message: msg, Remedy: remedy,
	})
}

// result sorts by code then object id (stable) and drops repeats of the
// same (code, object id), keeping the first.
func (e *emitter) result() []Finding {
	sort.SliceStable(e.out, func(i, j int) bool {
		a, b := e.out[i], e.out[j]
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.ObjectID < b.ObjectID
	})
	out := e.out[:0]
	for i, f := range e.out {
		if i > 0 && f.Code == e.out[i-1].Code && f.ObjectID == e.out[i-1].ObjectID {
			continue
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func hostObject(h *inventory.Host) object {
	return object{KindHost, h.ID, h.Name, fmt.Sprintf("host %s (%s)", h.Name, h.ID)}
}

func vswitchObject(h *inventory.Host, vs *inventory.VSwitch) object {
	return object{KindVSwitch, h.ID + ":" + vs.Name, vs.Name,
		fmt.Sprintf("vSwitch %s on host %s (%s)", vs.Name, h.Name, h.ID)}
}

func dvsObject(sw *inventory.DVSwitch) object {
	return object{KindDVSwitch, sw.ID, sw.Name, fmt.Sprintf("distributed switch %s (%s)", sw.Name, sw.ID)}
}

func vmObject(vm *inventory.VM) object {
	return object{KindVM, vm.ID, vm.Name, fmt.Sprintf("VM %s (%s)", vm.Name, vm.ID)}
}

func stdPGObject(h *inventory.Host, pgName string) object {
	return object{KindPortGroup, h.ID + ":" + pgName, pgName,
		fmt.Sprintf("port group %q on host %s (%s)", pgName, h.Name, h.ID)}
}

func dvPGObject(pg *inventory.DVPortGroup, sw *inventory.DVSwitch) object {
	s := fmt.Sprintf("port group %q (%s)", pg.Name, pg.ID)
	if sw != nil {
		s += fmt.Sprintf(" on %s (%s)", sw.Name, sw.ID)
	}
	return object{KindDVPortGroup, pg.ID, pg.Name, s}
}

// joinList joins with ", " (no sorting; callers sort where order is not
// meaningful).
func joinList(items []string) string { return strings.Join(items, ", ") }

// quoteList returns the items quoted, sorted, without duplicates.
func quoteList(items []string) string {
	s := sortedUnique(items)
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func sortedUnique(items []string) []string {
	s := append([]string(nil), items...)
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i > 0 && v == s[i-1] {
			continue
		}
		out = append(out, v)
	}
	return out
}

// plural returns one when n == 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
