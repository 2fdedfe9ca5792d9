package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/carpsafe/terraform-provider-carp/internal/provider"
)

// TestSchemaGeneratesConfig: no resource has a computed-only or
// deprecated nested attribute. Terraform 1.5 to 1.7 generate configuration
// (`plan -generate-config-out`) from the schema filtered of read-only and
// deprecated attributes, and dereference the nested type of an attribute
// they have just filtered out: a nil pointer, and the CLI crashes
// (hashicorp/terraform#34463; configschema Block.Filter, fixed in later
// releases, and in OpenTofu by opentofu/opentofu#3553). A computed-only
// object is an object attribute instead: the same value in state.
func TestSchemaGeneratesConfig(t *testing.T) {
	t.Parallel()
	srv, err := provider.NewServer("test", &provider.Sessions{})()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.ResourceSchemas) == 0 {
		t.Fatal("no resource schemas")
	}
	var walk func(typ, at string, b *tfprotov6.SchemaBlock)
	walk = func(typ, at string, b *tfprotov6.SchemaBlock) {
		for _, a := range b.Attributes {
			if a.NestedType != nil && ((a.Computed && !a.Optional) || a.Deprecated) {
				t.Errorf("%s: %s%s is a computed-only or deprecated nested attribute: Terraform 1.5-1.7 crash generating its configuration (hashicorp/terraform#34463)", typ, at, a.Name)
			}
		}
		for _, nb := range b.BlockTypes {
			walk(typ, at+nb.TypeName+".", nb.Block)
		}
	}
	for typ, s := range resp.ResourceSchemas {
		walk(typ, "", s.Block)
	}
}
