package direct

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// fakeResource is a resource with a schema of the test's.
type fakeResource struct{ s schema.Schema }

func (f fakeResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "fake"
}
func (f fakeResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = f.s
}
func (fakeResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (fakeResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (fakeResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (fakeResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
func (fakeResource) ModifyPlan(context.Context, resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
}

type customModifier struct{ planmodifier.String }

// TestPlannable: what makes the framework's steps before ModifyPlan do
// something to an unchanged plan or a read keeps a resource type on the framework's
// path.
func TestPlannable(t *testing.T) {
	t.Parallel()
	str := func(mods ...planmodifier.String) map[string]schema.Attribute {
		return map[string]schema.Attribute{"a": schema.StringAttribute{Optional: true, PlanModifiers: mods}}
	}
	for _, tc := range []struct {
		name string
		s    schema.Schema
		why  string // "" = plannable
	}{
		{"plain", schema.Schema{Attributes: str()}, ""},
		{"replace and keep", schema.Schema{Attributes: str(stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown())}, ""},
		{"custom modifier", schema.Schema{Attributes: str(customModifier{})}, "a: plan modifier direct.customModifier"},
		{"write-only", schema.Schema{Attributes: map[string]schema.Attribute{"a": schema.StringAttribute{Optional: true, WriteOnly: true}}}, "a: write-only"},
		{"list block", schema.Schema{Blocks: map[string]schema.Block{"b": schema.ListNestedBlock{}}}, "b: block kind schema.ListNestedBlock"},
		{"set attribute kind", schema.Schema{Attributes: map[string]schema.Attribute{"a": schema.SetNestedAttribute{Optional: true}}}, "a: attribute kind schema.SetNestedAttribute"},
		{"modifier in a list", schema.Schema{Attributes: map[string]schema.Attribute{"l": schema.ListNestedAttribute{Optional: true,
			NestedObject: schema.NestedAttributeObject{Attributes: str(stringplanmodifier.RequiresReplace())}}}}, "l.a: plan modifiers inside a collection"},
		{"modifier in a block", schema.Schema{Blocks: map[string]schema.Block{"b": schema.SingleNestedBlock{Attributes: str(customModifier{})}}}, "b.a: plan modifier direct.customModifier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, why := plannable(t.Context(), "carp", func() resource.Resource { return fakeResource{tc.s} })
			if !strings.HasPrefix(why, tc.why) || (tc.why == "" && why != "") {
				t.Errorf("got %q, want %q", why, tc.why)
			}
		})
	}
}

// TestAttrAt: the value at a path of attribute names, absent when an
// object on the way is null.
func TestAttrAt(t *testing.T) {
	t.Parallel()
	inner := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"x": tftypes.Bool}}
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"b": inner}}
	set := tftypes.NewValue(typ, map[string]tftypes.Value{"b": tftypes.NewValue(inner, map[string]tftypes.Value{"x": tftypes.NewValue(tftypes.Bool, true)})})
	null := tftypes.NewValue(typ, map[string]tftypes.Value{"b": tftypes.NewValue(inner, nil)})
	p := path.Root("b").AtName("x")
	if v, ok := attrAt(set, p); !ok || !v.Equal(tftypes.NewValue(tftypes.Bool, true)) {
		t.Errorf("set: %v %v", v, ok)
	}
	if _, ok := attrAt(null, p); ok {
		t.Error("null object: found")
	}
	if _, ok := attrAt(set, path.Root("b").AtName("y")); ok {
		t.Error("an attribute the object lacks: found")
	}
}

// TestPrivateData: the private state of the direct read behaves as the
// framework's (internal/privatestate): the framework's keys send the
// request to the framework, a restricted key or a value that is not JSON
// is an error, an empty value removes its key, and nothing left is nil.
func TestPrivateData(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	if _, ok := parsePrivate([]byte(`{".import_before_read":"dHJ1ZQ=="}`)); ok {
		t.Error("a framework key: parsed")
	}
	if _, ok := parsePrivate([]byte(`not json`)); ok {
		t.Error("not JSON: parsed")
	}
	p, ok := parsePrivate([]byte(`{"adopted":"WyJhbGxvd19wcm9taXNjdW91cyJd"}`)) // ["allow_promiscuous"]
	if !ok {
		t.Fatal("provider key: not parsed")
	}
	if v, d := p.GetKey(ctx, "adopted"); d.HasError() || string(v) != `["allow_promiscuous"]` {
		t.Errorf("GetKey: %q %v", v, d)
	}
	if d := p.SetKey(ctx, ".x", []byte(`1`)); !d.HasError() || d[0].Summary() != "Restricted Resource Private State Namespace" {
		t.Errorf("SetKey of a restricted key: %v", d)
	}
	if d := p.SetKey(ctx, "k", []byte(`{`)); !d.HasError() || d[0].Summary() != "JSON Invalid" {
		t.Errorf("SetKey of a value that is not JSON: %v", d)
	}
	if d := p.SetKey(ctx, "k", []byte(`true`)); d.HasError() {
		t.Errorf("SetKey: %v", d)
	}
	if got := string(p.bytes()); got != `{"adopted":"WyJhbGxvd19wcm9taXNjdW91cyJd","k":"dHJ1ZQ=="}` {
		t.Errorf("bytes: %s", got)
	}
	_ = p.SetKey(ctx, "adopted", nil)
	_ = p.SetKey(ctx, "k", nil)
	if b := p.bytes(); b != nil {
		t.Errorf("bytes of an empty private state: %q", b)
	}
}
