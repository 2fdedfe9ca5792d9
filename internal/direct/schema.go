package direct

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// typesOf is the resource types the planner answers for, by type name,
// found once from the provider's resources and their schemas.
func (u *Paths) typesOf(ctx context.Context) map[string]*plannableType {
	u.once.Do(func() {
		u.types = map[string]*plannableType{}
		if _, ok := any(u.provider).(provider.ProviderWithMetaSchema); ok {
			return // ModifyPlan would need the provider_meta, which is not decoded here
		}
		var meta provider.MetadataResponse
		u.provider.Metadata(ctx, provider.MetadataRequest{}, &meta)
		for _, factory := range u.provider.Resources(ctx) {
			t, name, why := plannable(ctx, meta.TypeName, factory)
			if why != "" {
				tflog.Debug(ctx, "this resource type is answered by the framework only", map[string]any{"type": name, "why": why})
				continue
			}
			u.types[name] = t
		}
	})
	return u.types
}

// Types are the resource types the direct paths answer for, each with
// the attributes whose defaults a plan checks.
func (u *Paths) Types(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	for name, t := range u.typesOf(ctx) {
		out[name] = []string{}
		for _, d := range t.defaults {
			out[name] = append(out[name], d.path.String())
		}
	}
	return out
}

// plannable describes the resource of factory, or says why the direct
// path cannot answer for it.
func plannable(ctx context.Context, providerType string, factory func() resource.Resource) (*plannableType, string, string) {
	r := factory()
	var md resource.MetadataResponse
	r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: providerType}, &md)
	if _, ok := r.(resource.ResourceWithModifyPlan); !ok {
		return nil, md.TypeName, "no ModifyPlan"
	}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		return nil, md.TypeName, "schema errors"
	}
	t := &plannableType{newResource: factory, schema: sr.Schema, tfType: sr.Schema.Type().TerraformType(ctx), mutableIdentity: md.ResourceBehavior.MutableIdentity}
	if why := t.walk(ctx, path.Empty(), sr.Schema.Attributes, sr.Schema.Blocks, false); why != "" {
		return nil, md.TypeName, why
	}
	if ri, ok := r.(resource.ResourceWithIdentity); ok {
		var ir resource.IdentitySchemaResponse
		ri.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
		if ir.Diagnostics.HasError() {
			return nil, md.TypeName, "identity schema errors"
		}
		t.identitySchema, t.identityType = ir.IdentitySchema, ir.IdentitySchema.Type().TerraformType(ctx)
	}
	return t, md.TypeName, ""
}

// noOpWhenEqual are the plan modifiers that change nothing when the
// planned value equals the state's: the framework's RequiresReplace,
// RequiresReplaceIf and RequiresReplaceIfConfigured (one type; they return
// at once when the values are equal) and UseStateForUnknown and
// UseNonNullStateForUnknown (they act on unknown values only).
var noOpWhenEqual = func() map[reflect.Type]bool {
	m := map[reflect.Type]bool{}
	for _, v := range []any{
		stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown(), stringplanmodifier.UseNonNullStateForUnknown(),
		boolplanmodifier.RequiresReplace(), boolplanmodifier.UseStateForUnknown(), boolplanmodifier.UseNonNullStateForUnknown(),
		int64planmodifier.RequiresReplace(), int64planmodifier.UseStateForUnknown(), int64planmodifier.UseNonNullStateForUnknown(),
		listplanmodifier.RequiresReplace(), listplanmodifier.UseStateForUnknown(), listplanmodifier.UseNonNullStateForUnknown(),
		mapplanmodifier.RequiresReplace(), mapplanmodifier.UseStateForUnknown(), mapplanmodifier.UseNonNullStateForUnknown(),
		objectplanmodifier.RequiresReplace(), objectplanmodifier.UseStateForUnknown(), objectplanmodifier.UseNonNullStateForUnknown(),
	} {
		m[reflect.TypeOf(v)] = true
	}
	return m
}()

// facts are what the planner needs of one attribute.
type facts struct {
	writeOnly bool
	// custom: a custom type (of the attribute, or of a collection's
	// objects), which may have semantic equality the framework's read
	// applies.
	custom, nestedCustom bool
	modifiers            []any
	// def is the attribute's default (defaults.Bool, defaults.String...),
	// nil when it has none.
	def any
	// nested are the attributes of a single nested attribute; inList
	// those of a list, set or map nested attribute.
	nested, inList map[string]schema.Attribute
}

func factsOf(a schema.Attribute) (facts, bool) {
	switch a := a.(type) {
	case schema.StringAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default}, true
	case schema.BoolAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default}, true
	case schema.Int64Attribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default}, true
	case schema.ListAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default}, true
	case schema.MapAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default}, true
	case schema.ObjectAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default}, true
	case schema.SingleNestedAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default, nested: a.Attributes}, true
	case schema.ListNestedAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default, inList: a.NestedObject.Attributes, nestedCustom: a.NestedObject.CustomType != nil}, true
	case schema.MapNestedAttribute:
		return facts{writeOnly: a.WriteOnly, custom: a.CustomType != nil, modifiers: anys(a.PlanModifiers), def: a.Default, inList: a.NestedObject.Attributes, nestedCustom: a.NestedObject.CustomType != nil}, true
	}
	return facts{}, false // a kind not described here: the framework plans it
}

// defaultValue is what def, a default of the kinds handled, sets at p;
// ok is false for other kinds.
func defaultValue(ctx context.Context, def any, p path.Path) (v tftypes.Value, diags diag.Diagnostics, ok bool) {
	var value attr.Value
	switch d := def.(type) {
	case defaults.Bool:
		var r defaults.BoolResponse
		d.DefaultBool(ctx, defaults.BoolRequest{Path: p}, &r)
		value, diags = r.PlanValue, r.Diagnostics
	case defaults.String:
		var r defaults.StringResponse
		d.DefaultString(ctx, defaults.StringRequest{Path: p}, &r)
		value, diags = r.PlanValue, r.Diagnostics
	case defaults.Int64:
		var r defaults.Int64Response
		d.DefaultInt64(ctx, defaults.Int64Request{Path: p}, &r)
		value, diags = r.PlanValue, r.Diagnostics
	default:
		return tftypes.Value{}, nil, false
	}
	v, diags = terraformValue(ctx, value, diags)
	return v, diags, true
}

// walk checks the attributes and blocks at p and collects their defaults;
// inList is true inside a list, set or map, where no default, plan
// modifier or write-only attribute is handled.
func (t *plannableType) walk(ctx context.Context, p path.Path, attrs map[string]schema.Attribute, blocks map[string]schema.Block, inList bool) string {
	for name, a := range attrs {
		at := p.AtName(name)
		f, ok := factsOf(a)
		switch {
		case !ok:
			return fmt.Sprintf("%s: attribute kind %T", at, a)
		case f.writeOnly:
			return fmt.Sprintf("%s: write-only", at)
		case f.custom || f.nestedCustom:
			return fmt.Sprintf("%s: a custom type", at)
		case f.def != nil && (inList || !handledDefault(f.def)):
			return fmt.Sprintf("%s: a default not handled (%T)", at, f.def)
		case inList && len(f.modifiers) > 0:
			return fmt.Sprintf("%s: plan modifiers inside a collection", at)
		}
		for _, m := range f.modifiers {
			if !noOpWhenEqual[reflect.TypeOf(m)] {
				return fmt.Sprintf("%s: plan modifier %T", at, m)
			}
		}
		if f.def != nil {
			t.defaults = append(t.defaults, defaultAt{path: at, def: f.def})
		}
		if why := t.walk(ctx, at, f.nested, nil, inList); why != "" {
			return why
		}
		if why := t.walk(ctx, at, f.inList, nil, true); why != "" {
			return why
		}
	}
	for name, b := range blocks {
		sb, ok := b.(schema.SingleNestedBlock)
		if !ok {
			return fmt.Sprintf("%s: block kind %T (list and set blocks are normalised by the framework)", p.AtName(name), b)
		}
		if sb.CustomType != nil {
			return fmt.Sprintf("%s: a custom type", p.AtName(name))
		}
		for _, m := range sb.PlanModifiers {
			if !noOpWhenEqual[reflect.TypeOf(m)] {
				return fmt.Sprintf("%s: plan modifier %T", p.AtName(name), m)
			}
		}
		if why := t.walk(ctx, p.AtName(name), sb.Attributes, sb.Blocks, inList); why != "" {
			return why
		}
	}
	return ""
}

func anys[T any](in []T) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = v
	}
	return out
}

func terraformValue(ctx context.Context, v attr.Value, diags diag.Diagnostics) (tftypes.Value, diag.Diagnostics) {
	if diags.HasError() || v == nil {
		return tftypes.Value{}, diags
	}
	tv, err := v.ToTerraformValue(ctx)
	if err != nil {
		diags.AddError("Default value", err.Error())
	}
	return tv, diags
}

// defaultAt is an attribute with a default, outside any collection: its
// path is attribute names only.
type defaultAt struct {
	path path.Path
	def  any
}

func handledDefault(def any) bool {
	switch def.(type) {
	case defaults.Bool, defaults.String, defaults.Int64:
		return true
	}
	return false
}

// noDefaultApplies: the framework's defaults change nothing in prior,
// the proposed new state of config. The framework sets an attribute's
// default where the attribute is present in the plan (its object is not
// null) and null in the config (its object null included).
func (t *plannableType) noDefaultApplies(ctx context.Context, prior, config tftypes.Value) bool {
	for _, d := range t.defaults {
		planned, ok := attrAt(prior, d.path)
		if !ok {
			continue
		}
		if configured, ok := attrAt(config, d.path); ok && !configured.IsNull() {
			continue
		}
		def, diags, ok := defaultValue(ctx, d.def, d.path)
		if !ok || diags.HasError() || !planned.Equal(def) {
			return false
		}
	}
	return true
}

// attrAt is the value at p (attribute names only) in v, false when an
// object on the way is null, unknown or lacks the attribute.
func attrAt(v tftypes.Value, p path.Path) (tftypes.Value, bool) {
	for _, step := range p.Steps() {
		name, ok := step.(path.PathStepAttributeName)
		if !ok {
			return tftypes.Value{}, false
		}
		// An error: v is null, unknown, or has no such attribute.
		next, err := v.ApplyTerraform5AttributePathStep(tftypes.AttributeName(name))
		if err != nil {
			return tftypes.Value{}, false
		}
		if v, ok = next.(tftypes.Value); !ok {
			return tftypes.Value{}, false
		}
	}
	return v, true
}

// protoDiagnostics are diagnostics as the framework sends them
// (internal/toproto6/diagnostics.go): severity, summary, detail and the
// attribute path; a path that does not convert gives an error first.
func protoDiagnostics(ctx context.Context, diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityInvalid, Summary: d.Summary(), Detail: d.Detail()}
		switch d.Severity() {
		case diag.SeverityError:
			pd.Severity = tfprotov6.DiagnosticSeverityError
		case diag.SeverityWarning:
			pd.Severity = tfprotov6.DiagnosticSeverityWarning
		}
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			if pd.Attribute = attributePath(ctx, dp.Path()); pd.Attribute == nil {
				out = append(out, &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError, Summary: "Unable to Convert Attribute Path",
					Detail: "An unexpected error occurred while trying to convert an attribute path. " +
						"This is either an error in terraform-plugin-framework or a custom attribute type used by the provider. " +
						"Please report the following to the provider developers.\n\n" + fmt.Sprintf("Attribute Path: %s\n", dp.Path())})
			}
		}
		out = append(out, pd)
	}
	return out
}

// attributePath is p as a protocol path (internal/totftypes), nil when a
// step does not convert.
func attributePath(ctx context.Context, p path.Path) *tftypes.AttributePath {
	var steps []tftypes.AttributePathStep
	for _, s := range p.Steps() {
		switch s := s.(type) {
		case path.PathStepAttributeName:
			steps = append(steps, tftypes.AttributeName(string(s)))
		case path.PathStepElementKeyInt:
			steps = append(steps, tftypes.ElementKeyInt(int64(s)))
		case path.PathStepElementKeyString:
			steps = append(steps, tftypes.ElementKeyString(string(s)))
		case path.PathStepElementKeyValue:
			v, err := s.ToTerraformValue(ctx)
			if err != nil {
				return nil
			}
			steps = append(steps, tftypes.ElementKeyValue(v))
		default:
			return nil
		}
	}
	return tftypes.NewAttributePathWithSteps(steps)
}
