package portgrouppolicy

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

// TestModelConversions: the hand-written conversions give what the
// framework's reflection (State.Set, State.Get) gives, null, unknown and
// nested values included.
func TestModelConversions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var sr resource.SchemaResponse
	New().Schema(ctx, resource.SchemaRequest{}, &sr)
	var diags = sr.Diagnostics
	full := policyModel{
		ID: types.StringValue("host-1:FW"), HostSystemID: types.StringValue("host-1"), PortGroup: types.StringValue("FW"), DVPortGroupID: types.StringNull(),
		AllowPromiscuous: types.BoolValue(true), AllowMacChanges: types.BoolUnknown(), AllowForgedTransmits: types.BoolValue(false),
		MacLearning:   macLearningValue(ctx, &inventory.MacLearning{Enabled: true, Limit: 10, LimitPolicy: "allow"}, &diags),
		Teaming:       teamingValue(ctx, inventory.Teaming{Policy: inventory.Ptr("loadbalance_ip"), Order: &inventory.UplinkOrder{Active: []string{"vmnic1"}}}, types.ObjectNull(teamingModel{}.attrTypes()), true, &diags),
		ToggleOnApply: types.BoolValue(false), ToggleTriggers: types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringValue("b")}),
		RestoreOnDestroy: types.BoolValue(true), AllowPortOverrides: types.BoolNull(), Switch: types.StringValue("vSwitch0"),
		EffectivePolicy: effectiveValue(inventory.Effective{LoadBalancing: "loadbalance_ip", ActiveUplinks: []string{"vmnic1"}}, nil, &diags),
		Hazards:         tfvalue.StringList([]string{"CARP011"}), HazardsRepaired: types.ListUnknown(types.StringType), ToggleHazards: types.ListNull(types.StringType),
		OriginalPolicy: types.StringValue("{}"),
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := tfsdk.State{Schema: sr.Schema}
	if d := want.Set(ctx, &full); d.HasError() {
		t.Fatal(d)
	}
	got := tfsdk.State{Schema: sr.Schema}
	if d := full.setIn(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	if !got.Raw.Equal(want.Raw) {
		t.Fatalf("setIn wrote\n%v\nState.Set writes\n%v", got.Raw, want.Raw)
	}
	var viaGet, viaRead policyModel
	if d := want.Get(ctx, &viaGet); d.HasError() {
		t.Fatal(d)
	}
	if d := viaRead.readValue(ctx, want.Raw); d.HasError() {
		t.Fatal(d)
	}
	if !reflect.DeepEqual(viaGet, viaRead) {
		t.Errorf("readValue read\n%+v\nState.Get reads\n%+v", viaRead, viaGet)
	}
	var zero policyModel // zero values are nulls of the field's type
	empty := tfsdk.State{Schema: sr.Schema}
	if d := zero.setIn(ctx, &empty); d.HasError() || !empty.Raw.IsFullyNull() {
		t.Errorf("a zero model wrote %v: %v", empty.Raw, d)
	}
}
