package portgrouppolicy

// The pure part of carp_portgroup_policy: the teaming merge, the effective
// policy after a write and the policy kept for restore. Nothing here talks
// to vSphere or Terraform; policy_test.go tests it on plain values.

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

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
		out.Policy = inventory.Ptr(*t.LoadBalancing)
	}
	if t.NotifySwitches != nil {
		out.NotifySwitches = inventory.Ptr(*t.NotifySwitches)
	}
	if t.Failback != nil {
		out.RollingOrder = inventory.Ptr(!*t.Failback)
	}
	if t.FailureDetection != nil {
		out.CheckBeacon = inventory.Ptr(*t.FailureDetection == FailureBeaconProbing)
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
		out.Order = copyOrder(active, standby)
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
// field absent (or null: earlier versions wrote every inherited field as
// null, and such states still decode) inherited and inherits again. Absent,
// not null, keeps the state small: most port groups inherit most of their
// policy.
type savedPolicy struct {
	AllowPromiscuous     *bool             `json:"allow_promiscuous,omitempty"`
	AllowMacChanges      *bool             `json:"allow_mac_changes,omitempty"`
	AllowForgedTransmits *bool             `json:"allow_forged_transmits,omitempty"`
	LoadBalancing        *string           `json:"load_balancing,omitempty"`
	NotifySwitches       *bool             `json:"notify_switches,omitempty"`
	RollingOrder         *bool             `json:"rolling_order,omitempty"`
	CheckBeacon          *bool             `json:"check_beacon,omitempty"`
	UplinkOrder          *savedOrder       `json:"uplink_order,omitempty"`
	MacLearning          *savedMacLearning `json:"mac_learning,omitempty"`
	// PortOverrides are the DV port group's override flags, saved when
	// allow_port_overrides is first set (absent otherwise: destroy leaves
	// the flags alone).
	PortOverrides *savedOverrides `json:"port_overrides,omitempty"`
}

// savedOverrides are a DV port group's override flags as found.
type savedOverrides struct {
	SecurityPolicy bool `json:"security_policy_override_allowed"`
	MacManagement  bool `json:"mac_management_override_allowed"`
}

func newSavedOverrides(o inventory.PortOverrides) *savedOverrides {
	return &savedOverrides{SecurityPolicy: o.Security, MacManagement: o.MacManagement}
}

func (s *savedOverrides) flags() inventory.PortOverrides {
	return inventory.PortOverrides{Security: s.SecurityPolicy, MacManagement: s.MacManagement}
}

// overridesToSave reports whether applying m must add the port group's
// current override flags to original_policy: allow_port_overrides is set on
// a DV port group and the saved policy has none yet (created or imported
// before the attribute was set).
func overridesToSave(m *policyModel) bool {
	if m.AllowPortOverrides.IsNull() || m.DVPortGroupID.IsNull() || m.OriginalPolicy.IsNull() || m.OriginalPolicy.IsUnknown() {
		return false
	}
	sp, err := decodeSavedPolicy(m.OriginalPolicy.ValueString())
	return err == nil && sp.PortOverrides == nil
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
		AllowPromiscuous: inventory.Clone(sec.AllowPromiscuous), AllowMacChanges: inventory.Clone(sec.MacChanges), AllowForgedTransmits: inventory.Clone(sec.ForgedTransmits),
		LoadBalancing: inventory.Clone(team.Policy), NotifySwitches: inventory.Clone(team.NotifySwitches), RollingOrder: inventory.Clone(team.RollingOrder), CheckBeacon: inventory.Clone(team.CheckBeacon),
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
	return inventory.Security{AllowPromiscuous: inventory.Clone(sp.AllowPromiscuous), MacChanges: inventory.Clone(sp.AllowMacChanges), ForgedTransmits: inventory.Clone(sp.AllowForgedTransmits)}
}

func (sp savedPolicy) teaming() inventory.Teaming {
	t := inventory.Teaming{Policy: inventory.Clone(sp.LoadBalancing), NotifySwitches: inventory.Clone(sp.NotifySwitches), RollingOrder: inventory.Clone(sp.RollingOrder), CheckBeacon: inventory.Clone(sp.CheckBeacon)}
	if sp.UplinkOrder != nil {
		t.Order = copyOrder(sp.UplinkOrder.Active, sp.UplinkOrder.Standby)
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
	return inventory.EqualPtr(a.AllowPromiscuous, b.AllowPromiscuous) && inventory.EqualPtr(a.MacChanges, b.MacChanges) && inventory.EqualPtr(a.ForgedTransmits, b.ForgedTransmits)
}

func teamingEqual(a, b inventory.Teaming) bool {
	if !inventory.EqualPtr(a.Policy, b.Policy) || !inventory.EqualPtr(a.NotifySwitches, b.NotifySwitches) ||
		!inventory.EqualPtr(a.RollingOrder, b.RollingOrder) || !inventory.EqualPtr(a.CheckBeacon, b.CheckBeacon) {
		return false
	}
	if (a.Order == nil) != (b.Order == nil) {
		return false
	}
	return a.Order == nil || (slices.Equal(a.Order.Active, b.Order.Active) && slices.Equal(a.Order.Standby, b.Order.Standby))
}

func macLearningEqual(a, b *inventory.MacLearning) bool { return inventory.EqualPtr(a, b) }

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
	out := inventory.Teaming{Policy: inventory.Clone(t.Policy), NotifySwitches: inventory.Clone(t.NotifySwitches), RollingOrder: inventory.Clone(t.RollingOrder), CheckBeacon: inventory.Clone(t.CheckBeacon)}
	if t.Order != nil {
		out.Order = copyOrder(t.Order.Active, t.Order.Standby)
	}
	return out
}

// copyOrder is an uplink order of copies of active and standby (empty, not
// nil, when there are none).
func copyOrder(active, standby []string) *inventory.UplinkOrder {
	return &inventory.UplinkOrder{Active: append([]string{}, active...), Standby: append([]string{}, standby...)}
}
