package tfhelp

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StringList is a list of strings as a framework value; nil is the empty
// list.
func StringList(items []string) types.List {
	vals := make([]attr.Value, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

// Strings is a list value's strings; nil when null or unknown.
func Strings(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

// StringMap is a map value's strings; empty when null or unknown.
func StringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// MapValue is a map of strings as a framework value.
func MapValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// SortedKeys are a map's keys, sorted.
func SortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// SortedUnique is the sorted set of in; nil when in is empty.
func SortedUnique(in []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(in)))
}

// Repaired is the hazards_repaired value of both resources: the codes found
// before (found) that are not among those left after (left), sorted;
// unknown while left is. An apply that repairs nothing leaves the value of
// the one before (prior, the state's; null on create), so that a plan shows
// hazards_repaired only when it repairs something.
func Repaired(ctx context.Context, found []string, left, prior types.List, diags *diag.Diagnostics) types.List {
	if left.IsUnknown() {
		return types.ListUnknown(types.StringType)
	}
	after := Strings(ctx, left, diags)
	out := []string{}
	for _, c := range SortedUnique(found) {
		if !slices.Contains(after, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 && !prior.IsNull() && !prior.IsUnknown() {
		return prior
	}
	return StringList(out)
}
