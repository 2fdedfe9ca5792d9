package rules

import (
	"fmt"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// CodeHostNotConnected: a host the verdict needs is one vCenter is not in
// touch with, so what it reports of the host's configuration is not
// current.
const CodeHostNotConnected = "CARP026"

var hostCatalog = [...]Rule{
	{
		Code: CodeHostNotConnected, Name: "host_not_connected", Severity: SeverityError,
		Title: "A host the verdict needs is disconnected or not responding: its network settings are not judged.",
		Trigger: "A host the audit judges (the host of a standard port group it is given, a member host of a promiscuous teamed distributed switch, " +
			"a host of a firewall VM's cluster) has `runtime.connectionState` `disconnected` or `notResponding`. " +
			"Its port groups, vSwitches and `Net.ReversePathFwdCheckPromisc` are then not judged (no CARP001-011 or CARP016 from them). " +
			"A plan says so where it would judge `Net.ReversePathFwdCheckPromisc` on such a host (CARP004).",
		Why: "Of a host it is not in touch with, vCenter gives the configuration it last saw, or none: a port group that reads as missing or as right may be neither. " +
			"HA or DRS can put a firewall on the host once it is back, so there is no verdict for it, and the audit does not give a green one: `ready` is false.",
		Remedy: "Reconnect the host in vCenter (or remove it from the cluster), then run the audit again.",
		// The audit, and a plan's CARP004 check of the hosts a promiscuous
		// port group is on (rpfCollector).
		Shows: showHostPolicy,
	},
}

// unreachable adds CARP026 for h when vCenter is not in touch with it, and
// reports whether it did: the caller then judges nothing of h's
// configuration.
func (e *emitter) unreachable(h *inventory.Host) bool {
	if h.Connected() {
		return false
	}
	e.add(CodeHostNotConnected, hostObject(h), fmt.Sprintf("connection state %s, so what vCenter has of its network settings is not current", h.Connection))
	return true
}
