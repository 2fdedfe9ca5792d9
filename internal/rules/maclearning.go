package rules

import (
	"fmt"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The MAC management rules of distributed port groups: CARP013 (MAC
// learning would do), CARP019 (a MAC limit that drops the VIP), CARP020
// (unknown-unicast flooding off) and CARP021 (the deprecated security
// policy and the MAC management policy disagree).

// macLearningAvailable: CARP013 (DV port groups only).
func (e *emitter) macLearningAvailable(t target) {
	if t.dvpg == nil || t.sw == nil || !t.eff.AllowPromiscuous || t.macLearning {
		return
	}
	if _, ok := inventory.MacLearningSupport(t.sw.Version); !ok {
		return
	}
	e.add(CodeMacLearningAvailable, t.obj,
		fmt.Sprintf("the port group uses promiscuous mode, but its switch is version %s and supports MAC learning", t.sw.Version))
}

// macLimit: CARP019. Each virtual MAC (CARP VHID, VRRP VRID) is one more
// MAC the firewall's port learns besides the NIC's own; with limit policy
// drop, a port at its limit drops frames from a new MAC, the VIP's after a
// failover. A limit not read (0) is not judged.
func (e *emitter) macLimit(t target) {
	ml := t.ml
	if ml == nil || !ml.Enabled || !strings.EqualFold(ml.LimitPolicy, "drop") || ml.Limit <= 0 {
		return
	}
	need := 1 + e.vhids
	if int(ml.Limit) >= need {
		return
	}
	e.add(CodeMacLimitDropsVIP, t.obj,
		fmt.Sprintf("MAC learning drops frames from new MACs past a limit of %d per port, below the %d a firewall NIC needs (its own MAC and %s): after a failover the VIP's frames are dropped",
			ml.Limit, need, plural(e.vhids, "1 virtual MAC", fmt.Sprintf("%d virtual MACs, one per VHID or VRID", e.vhids))))
}

// flooding: CARP020, a warning, or an error with unicast CARP, whose
// advertisements leave from the NIC's own MAC, so that the port never
// learns the virtual MAC (opnsense/src#239).
func (e *emitter) flooding(t target) {
	ml := t.ml
	if ml == nil || !ml.Enabled || ml.AllowUnicastFlooding {
		return
	}
	read := "MAC learning is on and unknown-unicast flooding is off: frames to a MAC the port has not learned yet, such as the VIP's right after a failover, are dropped"
	sev := SeverityWarning
	if e.unicast {
		read += "; with unicast CARP, which advertises from the NIC's own MAC, the VIP's virtual MAC is never learned, so its traffic is always dropped"
		sev = SeverityError
	}
	e.addAs(CodeUnknownUnicastFloodingOff, sev, t.obj, read)
}

// flagDiff lists where two security policies differ, as "a (b)" phrases:
// what one accepts that the other rejects.
func flagDiff(applied, legacy inventory.Security) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, l *bool
	}{
		{"promiscuous mode", applied.AllowPromiscuous, legacy.AllowPromiscuous},
		{"MAC address changes", applied.MacChanges, legacy.MacChanges},
		{"forged transmits", applied.ForgedTransmits, legacy.ForgedTransmits},
	} {
		if f.a == nil || f.l == nil || *f.a == *f.l {
			continue
		}
		out = append(out, fmt.Sprintf("%s (macManagementPolicy %s, securityPolicy %s)", f.name, acceptWord(*f.a), acceptWord(*f.l)))
	}
	return out
}

func acceptWord(b bool) string {
	if b {
		return "accepts"
	}
	return "rejects"
}

// policiesDisagree: CARP021 on a DV port group whose deprecated security
// policy says something else than the MAC management policy the host
// applies (the verdict of the other rules follows the latter).
func (e *emitter) policiesDisagree(t target) {
	if t.dvpg == nil || t.dvpg.Legacy == nil {
		return
	}
	applied := inventory.Security{AllowPromiscuous: &t.eff.AllowPromiscuous, MacChanges: &t.eff.MacChanges, ForgedTransmits: &t.eff.ForgedTransmits}
	diff := flagDiff(applied, *t.dvpg.Legacy)
	if len(diff) == 0 {
		return
	}
	e.add(CodeVDSPoliciesDisagree, t.obj,
		fmt.Sprintf("the deprecated securityPolicy and the macManagementPolicy disagree on %s; the host applies macManagementPolicy, which the verdict follows", joinAnd(diff)))
}

// portPoliciesDisagree: CARP021 on a port that sets both policies itself
// and they disagree (only where the port group lets ports override: the
// port's own settings count only then).
func (e *emitter) portPoliciesDisagree(t target, allowed bool, p *inventory.DVPort) {
	mm := p.MacManagement
	if !allowed || mm == nil {
		return
	}
	applied := inventory.Security{AllowPromiscuous: &mm.AllowPromiscuous, MacChanges: &mm.MacChanges, ForgedTransmits: &mm.ForgedTransmits}
	diff := flagDiff(applied, p.Security)
	if len(diff) == 0 {
		return
	}
	e.add(CodeVDSPoliciesDisagree, dvPortObject(p, t.dvpg, t.sw),
		fmt.Sprintf("the port's own securityPolicy and macManagementPolicy disagree on %s; the host applies macManagementPolicy, which the verdict follows", joinAnd(diff)))
}

// macManagement runs the MAC management rules on a DV port group target.
func (e *emitter) macManagement(t target) {
	if t.dvpg == nil {
		return
	}
	e.macLearningAvailable(t)
	e.macLimit(t)
	e.flooding(t)
	e.policiesDisagree(t)
}
