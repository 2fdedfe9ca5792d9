package provider

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The identity schemas are documented by hand in each resource's template
// (tfplugindocs renders them only from a CLI of 1.12 or later, and make docs
// runs Terraform 1.5.7): every resource with an identity has an "Import by
// identity" section that names each identity attribute and shows an
// import-identity.tf example with it, and no resource without one has it.
func TestIdentityDocumented(t *testing.T) {
	srv := frameworkServer(t)
	ids, err := srv.GetResourceIdentitySchemas(t.Context(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(ids.Diagnostics) > 0 {
		t.Fatalf("GetResourceIdentitySchemas: %v %v", err, ids.Diagnostics)
	}
	sch, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	for typeName := range sch.ResourceSchemas {
		tmpl, err := os.ReadFile(filepath.Join(root, "templates", "resources", strings.TrimPrefix(typeName, "carp_")+".md.tmpl"))
		if err != nil {
			t.Fatalf("%s: %v", typeName, err)
		}
		example := filepath.Join("examples", "resources", typeName, "import-identity.tf")
		id, has := ids.IdentitySchemas[typeName]
		if !has {
			if strings.Contains(string(tmpl), "Import by identity") {
				t.Errorf("%s has no identity schema, but its template documents import by identity", typeName)
			}
			continue
		}
		if !strings.Contains(string(tmpl), "### Import by identity") || !strings.Contains(string(tmpl), example) {
			t.Errorf("%s has an identity schema, but its template has no \"### Import by identity\" section with %s", typeName, example)
		}
		ex, err := os.ReadFile(filepath.Join(root, example))
		if err != nil {
			t.Errorf("%s: %v", typeName, err)
		}
		var names []string
		for _, a := range id.IdentityAttributes {
			names = append(names, a.Name)
			if !strings.Contains(string(tmpl), "`"+a.Name+"`") || !strings.Contains(string(ex), a.Name+" ") {
				t.Errorf("%s: identity attribute %s is not named in its template (as `%s`) and in %s", typeName, a.Name, a.Name, example)
			}
		}
		if len(names) == 0 {
			t.Errorf("%s: empty identity schema", typeName)
		}
		slices.Sort(names)
		t.Logf("%s identity: %v", typeName, names)
	}
}
