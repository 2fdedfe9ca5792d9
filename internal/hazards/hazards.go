// Package hazards is the arithmetic of the hazards attributes both
// resources keep: what an apply repaired (hazards_repaired), and the
// planned lists an apply must keep.
package hazards

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

// Repaired is the hazards_repaired value of both resources: the codes found
// before (found) that are not among those left after (left), sorted;
// unknown while left is. An apply that repairs nothing leaves the value of
// the one before (prior, the state's; null on create), so that a plan shows
// hazards_repaired only when it repairs something.
func Repaired(ctx context.Context, found []string, left, prior types.List, diags *diag.Diagnostics) types.List {
	if left.IsUnknown() {
		return types.ListUnknown(types.StringType)
	}
	after := tfvalue.Strings(ctx, left, diags)
	out := []string{}
	for _, c := range tfvalue.SortedUnique(found) {
		if !slices.Contains(after, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 && !prior.IsNull() && !prior.IsUnknown() {
		return prior
	}
	return tfvalue.StringList(out)
}

// KeepPlannedHazards makes the state after an apply hold the hazards the
// plan showed when they were known (Terraform rejects a computed value that
// differs from a known planned one). When the object's surroundings changed
// between plan and apply (a host option, a mirroring session), it warns with
// the codes found; the next refresh stores them. what names the object.
// attr is the attribute (hazards, toggle_hazards).
func KeepPlannedHazards(ctx context.Context, attr string, planned types.List, got *types.List, what string, diags *diag.Diagnostics) {
	if planned.IsUnknown() || planned.IsNull() || planned.Equal(*got) {
		return
	}
	diags.AddAttributeWarning(path.Root(attr), "The "+attr+" changed between plan and apply",
		fmt.Sprintf("After the apply %s has [%s]; the plan showed [%s]: something around it changed meanwhile (a host option, a mirroring session, another port group). "+
			"The state keeps the planned list; the next plan reads the codes found.",
			what, strings.Join(tfvalue.Strings(ctx, *got, diags), ", "), strings.Join(tfvalue.Strings(ctx, planned, diags), ", ")))
	*got = planned
}

// Attributes are the hazards and hazards_repaired attributes of a
// resource's schema; hazardsDoc describes hazards on it.
func Attributes(hazardsDoc string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"hazards": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			MarkdownDescription: hazardsDoc,
		},
		"hazards_repaired": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			MarkdownDescription: hazardsRepairedDoc,
		},
	}
}

// hazardsRepairedDoc describes hazards_repaired, the same on both resources.
const hazardsRepairedDoc = "The CARP codes the latest apply that repaired any repaired: found on the object just before it and gone after it, sorted; empty when none did (and after an import). " +
	"A plan that repairs something shows the codes it repairs, so that a create reads `+ hazards_repaired = [\"CARP001\", \"CARP010\"]` next to `+ hazards = []` (the codes left), and an update `hazards = [\"CARP001\"] -> []` with `hazards_repaired = [] -> [\"CARP001\"]`; a plan that repairs nothing leaves it as it is. " +
	"Unknown in the plan while what the apply repairs hangs on other resources of the run. A refresh keeps it: it describes an apply, not the object now (that is `hazards`)."
