package tfhelp

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/carpsafe/terraform-provider-carp/internal/rules"
)

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

// AddStoredFindings warns, on at, about each CARP code found on what at
// its last read (the hazards attribute in state), for a plan that read
// nothing: plan -refresh=false of a resource whose configuration equals
// its state judges the state as stored. The summaries are those of the
// findings of a plan that reads (code and name), so the CLI folds them
// alike.
func AddStoredFindings(diags *diag.Diagnostics, at path.Path, what string, codes []string) {
	for _, code := range codes {
		r, ok := rules.Lookup(code)
		if !ok {
			continue // a code of another provider version: nothing to say about it
		}
		diags.AddAttributeWarning(at, fmt.Sprintf("%s %s", r.Code, r.Name),
			fmt.Sprintf("%s: %s (found at the last read, the hazards attribute in state). "+
				"This plan read nothing from vSphere: without refresh and with the configuration equal to the state, it judges the state as stored. "+
				"Run a plan with refresh to judge %s as it is now.", what, r.Title, what))
	}
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
