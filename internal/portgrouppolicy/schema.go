package portgrouppolicy

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/helpers/validatordiag"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/hazards"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
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

func (r *policyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_portgroup_policy"
}

func (r *policyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := targetAttributes()
	maps.Copy(attrs, securityAttributes())
	maps.Copy(attrs, judgementAttributes())
	maps.Copy(attrs, stateAttributes())
	maps.Copy(attrs, hazards.Attributes(hazardsDoc))
	resp.Schema = schema.Schema{
		MarkdownDescription: "The security (and optionally MAC learning and teaming) policy of one existing port group used by CARP firewalls: " +
			"a port group of a standard vSwitch on one host, or a distributed port group. The provider never creates or deletes port groups; " +
			"it writes explicit overrides, warns at plan time about the CARP pitfalls it finds, can toggle promiscuous mode off and on, and puts the " +
			"original policy back on destroy.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"mac_learning": macLearningBlock(), "teaming": teamingBlock()},
	}
}

// hazardsDoc describes the hazards attribute.
const hazardsDoc = "The CARP codes (`CARP001`...) found on this port group at the last read, sorted; empty when none. A plan shows the codes left once it is applied, so a repair reads as `[\"CARP001\"] -> []` in the diff. CARP004, a finding on the host, is held by the host's `carp_host_settings` instead (the plan still warns about it)."

var (
	replaceOnChange = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepState       = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
)

// targetAttributes: the port group the resource manages, and its id.
func targetAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed: true, PlanModifiers: keepState,
			MarkdownDescription: "`<host moref>:<port group name>` for a standard port group, the DV port group moref for a distributed one.",
		},
		"host_system_id": schema.StringAttribute{
			Optional: true, PlanModifiers: replaceOnChange,
			MarkdownDescription: "Managed object id of the ESXi host (such as `host-21`) whose standard port group `portgroup` is managed. Set with `portgroup`, not with `distributed_portgroup_id`. Changing it replaces the resource.",
			Validators:          []validator.String{tfvalue.HostID()},
		},
		"portgroup": schema.StringAttribute{
			Optional: true, PlanModifiers: replaceOnChange,
			MarkdownDescription: "Name of an existing port group on a standard vSwitch of `host_system_id`. Changing it replaces the resource.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"distributed_portgroup_id": schema.StringAttribute{
			Optional: true, PlanModifiers: replaceOnChange,
			MarkdownDescription: "Managed object id of an existing distributed port group, such as `dvportgroup-42`. Not with `host_system_id`/`portgroup`. Changing it replaces the resource.",
			Validators:          []validator.String{tfvalue.DVPortGroupID()},
		},
	}
}

// secBool is one of the three security flags, accepting what.
func secBool(what string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(true),
		MarkdownDescription: fmt.Sprintf("Accept %s, written as the port group's own explicit value (never left to inherit). Default `true`, which CARP needs. "+
			"Refresh reports the port group's own value, so a change made outside Terraform shows as drift; when the port group inherits the value, it reads as null and the plan sets it explicitly. "+
			"Imported, a value the port group inherits reads as the value it inherits until the first write, so adopting a port group writes nothing.", what),
	}
}

// securityAttributes: what the resource writes (the security policy, the
// port override flags) and how (the toggle).
func securityAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"allow_promiscuous":      secBool("promiscuous mode"),
		"allow_mac_changes":      secBool("MAC address changes"),
		"allow_forged_transmits": secBool("forged transmits"),
		"toggle_on_apply": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "On create and on every update, first save the port group with promiscuous mode off, then write the desired policy: two writes, " +
				"in that order, with a moment without promiscuous mode. Clears CARP006 (an upgraded 4.x/5.0 switch) and CARP007 (port mirroring). " +
				"While set, a change of those hazards (or of the host's reverse-path check) after the last apply makes the next plan toggle again. Default `false`.",
		},
		"toggle_triggers": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Arbitrary values; any change makes the next apply toggle promiscuous mode, like a null resource's triggers (for example the mirroring state).",
		},
		"allow_port_overrides": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Distributed port groups only: whether a port of the port group may override its security and MAC management policy " +
				"(`securityPolicyOverrideAllowed` and `macManagementOverrideAllowed`, both written). `false` makes the policy this resource writes what every port gets: " +
				"a port's own setting no longer counts (CARP015). The vSphere API reference documents no reset of the ports' own settings when overrides are disallowed, " +
				"so a port may still show its old setting; the provider does not judge it while overrides stay off. Null leaves the flags as they are. " +
				"Refresh reports the flags (true when either lets ports override), so a change outside Terraform shows as drift; `restore_on_destroy` puts back the flags found when this attribute was first set.",
		},
	}
}

// judgementAttributes: what the plan judges by, never written.
func judgementAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"vip_mac": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "What the firewalls on this port group need, for the plan's judgement only (nothing is written from it): " +
				"`" + string(rules.VIPVirtual) + "` (null means it) when the VIP has a virtual MAC of its own (CARP; VRRP with a virtual MAC: keepalived `use_vmac`, FRR), " +
				"`" + string(rules.VIPInterface) + "` when it answers from the NIC's own MAC (keepalived without `use_vmac`): then promiscuous mode or MAC learning, MAC changes and forged transmits " +
				"are not needed, and CARP001-CARP003, CARP013, CARP015, CARP019 and CARP020 are not reported. Set it as on `carp_audit`.",
			Validators: []validator.String{stringvalidator.OneOf(string(rules.VIPVirtual), string(rules.VIPInterface))},
		},
		"vhids": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Virtual MACs each firewall NIC on this port group adds (CARP VHIDs, VRRP VRIDs), for the plan's judgement only: " +
				"MAC learning with limit policy `drop` needs a limit of at least 1 + `vhids` (CARP019). Null means 1. Set it as on `carp_audit`.",
			Validators: []validator.Int64{int64validator.Between(1, 255)},
		},
	}
}

// stateAttributes: restore on destroy and what the reads found.
func stateAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"restore_on_destroy": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			MarkdownDescription: "On destroy, put back the policy found before create (`original_policy`), inheritance included: a value that inherited before inherits again. Default `true`.",
		},
		"switch": schema.StringAttribute{
			Computed: true, PlanModifiers: keepState,
			MarkdownDescription: "The vSwitch name (standard) or the distributed switch moref.",
		},
		// An object attribute, not a single nested attribute: Terraform
		// 1.5-1.7 crash generating the configuration of a resource with
		// a computed-only nested attribute (hashicorp/terraform#34463).
		// The value in state is the same object.
		"effective_policy": schema.ObjectAttribute{
			Computed: true, AttributeTypes: effectiveTypes(),
			MarkdownDescription: "What a port of the port group really gets once inheritance from the switch is resolved: " +
				"`mac_learning_enabled` (false on standard port groups), `load_balancing`, `active_uplinks`, `standby_uplinks`, `notify_switches`, `failback`, and `failure_detection` (" + mdList(failureDetections) + "). " +
				"The security policy is not repeated here: the resource writes it explicitly, so `allow_promiscuous`, `allow_mac_changes` and `allow_forged_transmits` are what ports get " +
				"(a value that inherits reads as null and the plan sets it). Earlier versions had those three fields here too; their states load unchanged.",
		},
		"toggle_hazards": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			MarkdownDescription: "The conditions that call for a toggle, as found at the last apply (`CARP006`, `CARP007`, `mirror=<session>`, `rpf=<value>`). A plan that applies shows the ones the apply finds (known at plan time on a distributed port group), so with `toggle_on_apply` the diff says what the toggle answers; CARP006 and CARP007 are then not warned. With `toggle_on_apply`, a change re-toggles, with one warning saying why.",
		},
		"original_policy": schema.StringAttribute{
			Computed: true, PlanModifiers: keepState,
			MarkdownDescription: "The port group's own policy found before create (or at import), as JSON; a field absent (or null, as earlier versions wrote it) was inherited. `restore_on_destroy` writes it back.",
		},
	}
}

// macLearningBlock is the mac_learning block (DV port groups of 6.6.0 or later).
func macLearningBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "MAC learning, on distributed port groups of a switch of version 6.6.0 or later only (elsewhere the plan fails with CARP014). " +
			"With it enabled, `allow_promiscuous` may be `false` without CARP001. Absent leaves the port group's MAC learning as it is.",
		Attributes: map[string]schema.Attribute{
			"enabled": schema.BoolAttribute{Optional: true, MarkdownDescription: "Enable MAC learning. Required in the block."},
			"allow_unicast_flooding": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Flood unicast frames to unknown MAC addresses. Default `true`."},
			"limit": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(macLimitDefault),
				MarkdownDescription: fmt.Sprintf("How many MAC addresses a port learns, %d to %d. Default `%d`.", macLimitMin, macLimitMax, macLimitDefault),
				Validators:          []validator.Int64{int64validator.Between(macLimitMin, macLimitMax)}},
			"limit_policy": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(MacLimitDrop),
				MarkdownDescription: "What happens to frames from new MAC addresses once the limit is reached: " + mdList(macLimitPolicies) + ". Default `" + MacLimitDrop + "`.",
				Validators:          []validator.String{stringvalidator.OneOf(macLimitPolicies...)}},
		},
	}
}

// uplinkList is the active or standby uplinks of the teaming block.
func uplinkList(what string) schema.ListAttribute {
	return schema.ListAttribute{
		Optional: true, ElementType: types.StringType,
		MarkdownDescription: what + " Physical NIC names (`vmnic1`) on a standard vSwitch, uplink port names (`uplink1`) on a distributed switch. Null leaves the list as it is.",
		Validators:          []validator.List{listvalidator.UniqueValues(), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
	}
}

// teamingBlock is the teaming block.
func teamingBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "NIC teaming override of the port group. Absent leaves the teaming as it is; inside the block, a null field leaves that value as it is.",
		Attributes: map[string]schema.Attribute{
			"load_balancing": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Load balancing: " + mdList(loadBalancingAll) + " (`" + inventory.LBLoadBased + "` on a distributed switch only). " +
					"Use `" + inventory.LBIPHash + "` when the uplinks are aggregated (CARP010).",
				Validators: []validator.String{stringvalidator.OneOf(loadBalancingAll...)}},
			"active_uplinks":  uplinkList("Active uplinks, in order."),
			"standby_uplinks": uplinkList("Standby uplinks, in order. One active uplink without a standby hides link loss from CARP (CARP011)."),
			"notify_switches": schema.BoolAttribute{Optional: true, MarkdownDescription: "Notify physical switches on failover."},
			"failback":        schema.BoolAttribute{Optional: true, MarkdownDescription: "Return to an active uplink once it recovers."},
			"failure_detection": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Network failure detection: " + mdList(failureDetections) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(failureDetections...)}},
		},
	}
}

// The attribute combinations of carp_portgroup_policy. ValidateConfig
// checks them over the configuration's top-level values, in this order,
// with the diagnostics of the framework validators' (their descriptions):
// the validators themselves walk the whole configuration for each path
// expression, a cost paid for every resource of every command.
var (
	exactlyOneTarget = resourcevalidator.ExactlyOneOf(path.MatchRoot("host_system_id"), path.MatchRoot("distributed_portgroup_id"))
	hostAndPortGroup = resourcevalidator.RequiredTogether(path.MatchRoot("host_system_id"), path.MatchRoot("portgroup"))
	portGroupOrDV    = resourcevalidator.Conflicting(path.MatchRoot("portgroup"), path.MatchRoot("distributed_portgroup_id"))
	overridesOnDV    = resourcevalidator.Conflicting(path.MatchRoot("host_system_id"), path.MatchRoot("allow_port_overrides"))
)

// ValidateConfig checks the attribute combinations, and that a mac_learning
// block says whether MAC learning is on (a block cannot mark its attribute
// Required without requiring the block). It reads only the attributes it
// checks, from the configuration's value.
func (r *policyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	raw := req.Config.Raw
	set := func(name string) (bool, bool) { return tfvalue.RawSet(raw, name) }
	host, hostUnknown := set("host_system_id")
	pg, pgUnknown := set("portgroup")
	dv, dvUnknown := set("distributed_portgroup_id")
	overrides, _ := set("allow_port_overrides")
	switch {
	case host && dv:
		resp.Diagnostics.Append(validatordiag.InvalidAttributeCombinationDiagnostic(path.Root("host_system_id"), exactlyOneTarget.Description(ctx)))
	case !host && !dv && !hostUnknown && !dvUnknown:
		resp.Diagnostics.AddError("Missing Attribute Configuration", exactlyOneTarget.Description(ctx))
	}
	if (host || pg) && !hostUnknown && !pgUnknown && host != pg {
		at := path.Root("host_system_id")
		if !host {
			at = path.Root("portgroup")
		}
		resp.Diagnostics.Append(validatordiag.InvalidAttributeCombinationDiagnostic(at, hostAndPortGroup.Description(ctx)))
	}
	if pg && dv {
		resp.Diagnostics.Append(validatordiag.InvalidAttributeCombinationDiagnostic(path.Root("portgroup"), portGroupOrDV.Description(ctx)))
	}
	if host && overrides {
		resp.Diagnostics.Append(validatordiag.InvalidAttributeCombinationDiagnostic(path.Root("host_system_id"), overridesOnDV.Description(ctx)))
	}
	if ml, _ := set("mac_learning"); !ml {
		return
	}
	if enabled := tfvalue.RawAttr(tfvalue.RawAttr(raw, "mac_learning"), "enabled"); enabled.IsKnown() && enabled.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("mac_learning").AtName("enabled"), "Missing mac_learning.enabled",
			"The mac_learning block needs enabled = true or enabled = false.")
	}
}
