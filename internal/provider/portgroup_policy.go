package provider

// Pure helpers of carp_portgroup_policy: id parsing, the policy kept for
// restore, the teaming merge and the effective policy after a write. Nothing
// here talks to vSphere; portgroup_policy_test.go tests them on plain values.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
)

// Enum values of carp_portgroup_policy, feeding both the validators and the
// MarkdownDescriptions.
const (
	FailureLinkStatus    = "link_status"
	FailureBeaconProbing = "beacon_probing"

	MacLimitAllow = "allow"
	MacLimitDrop  = "drop"

	macLimitMin     = 1
	macLimitMax     = 4096
	macLimitDefault = 4096
)

var (
	// loadBalancingStandard are the policies of a standard port group.
	loadBalancingStandard = []string{inventory.LBIPHash, inventory.LBSrcMAC, inventory.LBSrcID, inventory.LBExplicit}
	// loadBalancingAll adds the DVS-only load-based teaming.
	loadBalancingAll  = append(append([]string{}, loadBalancingStandard...), inventory.LBLoadBased)
	failureDetections = []string{FailureLinkStatus, FailureBeaconProbing}
	macLimitPolicies  = []string{MacLimitAllow, MacLimitDrop}
)

// mdList renders enum values for a MarkdownDescription: `a`, `b` or `c`.
func mdList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// pgTarget is what a carp_portgroup_policy points at: a standard port group
// (hostID + name) or a DV port group (dvpgID).
type pgTarget struct {
	HostID, PortGroup string
	DVPortGroupID     string
}

func (t pgTarget) isDV() bool { return t.DVPortGroupID != "" }

// ID is the resource id: "<host moref>:<port group name>" or the DV port
// group moref.
func (t pgTarget) ID() string {
	if t.isDV() {
		return t.DVPortGroupID
	}
	return t.HostID + ":" + t.PortGroup
}

const importFormats = "`<host moref>:<port group name>` for a standard port group (such as `host-21:FW-WAN`) or `<DV port group moref>` for a distributed one (such as `dvportgroup-42`)"

// morefRE matches a managed object id of a kind ("host-21"); a host may
// also be "ha-host" when the provider talks to ESXi directly.
var (
	hostMorefRE = regexp.MustCompile(`^(host-[0-9]+|ha-host)$`)
	morefREs    sync.Map // kind -> *regexp.Regexp
)

func morefRE(kind string) *regexp.Regexp {
	if kind == "host" {
		return hostMorefRE
	}
	if re, ok := morefREs.Load(kind); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(kind) + `-[0-9]+$`)
	morefREs.Store(kind, re)
	return re
}

// parsePortGroupID parses an import id.
func parsePortGroupID(id string) (pgTarget, error) {
	id = strings.TrimSpace(id)
	if morefRE("dvportgroup").MatchString(id) {
		return pgTarget{DVPortGroupID: id}, nil
	}
	host, pg, ok := strings.Cut(id, ":")
	if ok && morefRE("host").MatchString(host) && pg != "" {
		return pgTarget{HostID: host, PortGroup: pg}, nil
	}
	return pgTarget{}, fmt.Errorf("%q is not a carp_portgroup_policy id; expected %s", id, importFormats)
}

// teamingSpec is the configured teaming block; nil fields (and unset
// lists) leave the port group's value as it is.
type teamingSpec struct {
	LoadBalancing    *string
	Active, Standby  []string
	HasActive        bool
	HasStandby       bool
	NotifySwitches   *bool
	Failback         *bool
	FailureDetection *string
}

// mergeTeaming returns the teaming override to write: the port group's own
// override as read, with the configured fields over it. When the uplink
// order is configured but only one of its lists, the other comes from the
// current order (own, else effective) without the uplinks now listed.
func mergeTeaming(own inventory.Teaming, eff inventory.Effective, t teamingSpec) inventory.Teaming {
	out := copyTeaming(own)
	if t.LoadBalancing != nil {
		out.Policy = strp(*t.LoadBalancing)
	}
	if t.NotifySwitches != nil {
		out.NotifySwitches = boolp(*t.NotifySwitches)
	}
	if t.Failback != nil {
		out.RollingOrder = boolp(!*t.Failback)
	}
	if t.FailureDetection != nil {
		out.CheckBeacon = boolp(*t.FailureDetection == FailureBeaconProbing)
	}
	if t.HasActive || t.HasStandby {
		curActive, curStandby := eff.ActiveUplinks, eff.StandbyUplinks
		if own.Order != nil {
			curActive, curStandby = own.Order.Active, own.Order.Standby
		}
		active, standby := curActive, curStandby
		if t.HasActive {
			active = t.Active
		}
		if t.HasStandby {
			standby = t.Standby
		}
		if !t.HasActive {
			active = without(active, standby)
		}
		if !t.HasStandby {
			standby = without(standby, active)
		}
		out.Order = &inventory.UplinkOrder{Active: append([]string{}, active...), Standby: append([]string{}, standby...)}
	}
	return out
}

// effectiveAfter is the effective policy once the given own values are
// written over a port group whose effective policy was eff: explicit values
// win, fields left inheriting keep what they resolved to (the switch did not
// change). A pure stand-in for reading the port group back.
func effectiveAfter(eff inventory.Effective, sec inventory.Security, team inventory.Teaming) inventory.Effective {
	out := eff
	out.ActiveUplinks = append([]string{}, eff.ActiveUplinks...)
	out.StandbyUplinks = append([]string{}, eff.StandbyUplinks...)
	if sec.AllowPromiscuous != nil {
		out.AllowPromiscuous = *sec.AllowPromiscuous
	}
	if sec.MacChanges != nil {
		out.MacChanges = *sec.MacChanges
	}
	if sec.ForgedTransmits != nil {
		out.ForgedTransmits = *sec.ForgedTransmits
	}
	if team.Policy != nil {
		out.LoadBalancing = *team.Policy
	}
	if team.NotifySwitches != nil {
		out.NotifySwitches = *team.NotifySwitches
	}
	if team.RollingOrder != nil {
		out.Failback = !*team.RollingOrder
	}
	if team.CheckBeacon != nil {
		out.BeaconProbing = *team.CheckBeacon
	}
	if team.Order != nil {
		out.ActiveUplinks = append([]string{}, team.Order.Active...)
		out.StandbyUplinks = append([]string{}, team.Order.Standby...)
	}
	return out
}

// unknownUplinks returns the configured uplinks that the switch does not
// have, in configuration order.
func unknownUplinks(t teamingSpec, valid []string) []string {
	var bad []string
	for _, u := range append(append([]string{}, t.Active...), t.Standby...) {
		if !slices.Contains(valid, u) && !slices.Contains(bad, u) {
			bad = append(bad, u)
		}
	}
	return bad
}

// savedPolicy is the port group's own policy as found before create, kept in
// state (original_policy, JSON) so that destroy can put it back exactly: a
// null field inherited and inherits again.
type savedPolicy struct {
	AllowPromiscuous     *bool             `json:"allow_promiscuous"`
	AllowMacChanges      *bool             `json:"allow_mac_changes"`
	AllowForgedTransmits *bool             `json:"allow_forged_transmits"`
	LoadBalancing        *string           `json:"load_balancing"`
	NotifySwitches       *bool             `json:"notify_switches"`
	RollingOrder         *bool             `json:"rolling_order"`
	CheckBeacon          *bool             `json:"check_beacon"`
	UplinkOrder          *savedOrder       `json:"uplink_order"`
	MacLearning          *savedMacLearning `json:"mac_learning"`
}

type savedOrder struct {
	Active  []string `json:"active"`
	Standby []string `json:"standby"`
}

type savedMacLearning struct {
	Enabled              bool   `json:"enabled"`
	AllowUnicastFlooding bool   `json:"allow_unicast_flooding"`
	Limit                int32  `json:"limit"`
	LimitPolicy          string `json:"limit_policy"`
}

func newSavedPolicy(sec inventory.Security, team inventory.Teaming, ml *inventory.MacLearning) savedPolicy {
	sp := savedPolicy{
		AllowPromiscuous: copyBool(sec.AllowPromiscuous), AllowMacChanges: copyBool(sec.MacChanges), AllowForgedTransmits: copyBool(sec.ForgedTransmits),
		LoadBalancing: copyStr(team.Policy), NotifySwitches: copyBool(team.NotifySwitches), RollingOrder: copyBool(team.RollingOrder), CheckBeacon: copyBool(team.CheckBeacon),
	}
	if team.Order != nil {
		sp.UplinkOrder = &savedOrder{Active: append([]string{}, team.Order.Active...), Standby: append([]string{}, team.Order.Standby...)}
	}
	if ml != nil {
		sp.MacLearning = &savedMacLearning{Enabled: ml.Enabled, AllowUnicastFlooding: ml.AllowUnicastFlooding, Limit: ml.Limit, LimitPolicy: ml.LimitPolicy}
	}
	return sp
}

func (sp savedPolicy) security() inventory.Security {
	return inventory.Security{AllowPromiscuous: copyBool(sp.AllowPromiscuous), MacChanges: copyBool(sp.AllowMacChanges), ForgedTransmits: copyBool(sp.AllowForgedTransmits)}
}

func (sp savedPolicy) teaming() inventory.Teaming {
	t := inventory.Teaming{Policy: copyStr(sp.LoadBalancing), NotifySwitches: copyBool(sp.NotifySwitches), RollingOrder: copyBool(sp.RollingOrder), CheckBeacon: copyBool(sp.CheckBeacon)}
	if sp.UplinkOrder != nil {
		t.Order = &inventory.UplinkOrder{Active: append([]string{}, sp.UplinkOrder.Active...), Standby: append([]string{}, sp.UplinkOrder.Standby...)}
	}
	return t
}

func (sp savedPolicy) macLearning() *inventory.MacLearning {
	if sp.MacLearning == nil {
		return nil
	}
	m := sp.MacLearning
	return &inventory.MacLearning{Enabled: m.Enabled, AllowUnicastFlooding: m.AllowUnicastFlooding, Limit: m.Limit, LimitPolicy: m.LimitPolicy}
}

func (sp savedPolicy) encode() string {
	b, _ := json.Marshal(sp) // plain values: cannot fail
	return string(b)
}

func decodeSavedPolicy(s string) (savedPolicy, error) {
	var sp savedPolicy
	if err := json.Unmarshal([]byte(s), &sp); err != nil {
		return sp, fmt.Errorf("original_policy is not the JSON this provider writes: %w", err)
	}
	return sp, nil
}

func securityEqual(a, b inventory.Security) bool {
	return boolPtrEqual(a.AllowPromiscuous, b.AllowPromiscuous) && boolPtrEqual(a.MacChanges, b.MacChanges) && boolPtrEqual(a.ForgedTransmits, b.ForgedTransmits)
}

func teamingEqual(a, b inventory.Teaming) bool {
	if !strPtrEqual(a.Policy, b.Policy) || !boolPtrEqual(a.NotifySwitches, b.NotifySwitches) ||
		!boolPtrEqual(a.RollingOrder, b.RollingOrder) || !boolPtrEqual(a.CheckBeacon, b.CheckBeacon) {
		return false
	}
	if (a.Order == nil) != (b.Order == nil) {
		return false
	}
	return a.Order == nil || (slices.Equal(a.Order.Active, b.Order.Active) && slices.Equal(a.Order.Standby, b.Order.Standby))
}

func macLearningEqual(a, b *inventory.MacLearning) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// findingCodes returns the sorted, distinct codes of findings.
func findingCodes(fs []rules.Finding) []string {
	codes := make([]string, 0, len(fs))
	for _, f := range fs {
		codes = append(codes, f.Code)
	}
	return sortedUnique(codes)
}

func without(list, drop []string) []string {
	out := []string{}
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

func copyTeaming(t inventory.Teaming) inventory.Teaming {
	out := inventory.Teaming{Policy: copyStr(t.Policy), NotifySwitches: copyBool(t.NotifySwitches), RollingOrder: copyBool(t.RollingOrder), CheckBeacon: copyBool(t.CheckBeacon)}
	if t.Order != nil {
		out.Order = &inventory.UplinkOrder{Active: append([]string{}, t.Order.Active...), Standby: append([]string{}, t.Order.Standby...)}
	}
	return out
}

func boolp(b bool) *bool        { return &b }
func strp(s string) *string     { return &s }
func copyBool(b *bool) *bool    { return cp(b) }
func copyStr(s *string) *string { return cp(s) }

func cp[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func boolPtrEqual(a, b *bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func strPtrEqual(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
