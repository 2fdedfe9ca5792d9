// Package tfvalue converts between framework values and Go values: lists
// and maps of strings, the raw tftypes values of a plan or state read
// without the framework's reflection, identities, and the validators of
// managed object ids.
package tfvalue

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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

// RawAttr is the top-level attribute name of an object value (a state or
// plan's Raw), without the framework's reflection: the null value when
// the object or the attribute is null, unknown or absent.
func RawAttr(obj tftypes.Value, name string) tftypes.Value {
	var attrs map[string]tftypes.Value
	if !obj.IsKnown() || obj.IsNull() || obj.As(&attrs) != nil {
		return tftypes.Value{}
	}
	return attrs[name]
}

// RawString is a known string value's text, "" otherwise.
func RawString(v tftypes.Value) string {
	var s string
	if !v.IsKnown() || v.IsNull() || v.As(&s) != nil {
		return ""
	}
	return s
}

// RawStrings are the strings of a known list of strings, nil otherwise.
func RawStrings(v tftypes.Value) []string {
	var elems []tftypes.Value
	if !v.IsKnown() || v.IsNull() || v.As(&elems) != nil {
		return nil
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		out = append(out, RawString(e))
	}
	return out
}

// RawSet is whether a configuration's top-level attribute is set: known
// and not null. unknown is true while it is unknown.
func RawSet(obj tftypes.Value, name string) (set, unknown bool) {
	v := RawAttr(obj, name)
	if !v.IsKnown() {
		return false, true
	}
	return !v.IsNull(), false
}

// SetIdentity stores v as a resource's identity; a nil identity (a request
// that carries none) is left alone.
func SetIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, v any, diags *diag.Diagnostics) {
	if id != nil {
		diags.Append(id.Set(ctx, v)...)
	}
}
