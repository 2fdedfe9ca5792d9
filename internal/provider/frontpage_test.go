package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/carpsafe/terraform-provider-carp/internal/rules"
)

// frontPage is the provider's front page: the template tfplugindocs renders
// as docs/index.md (make docs-check keeps the two in step).
var frontPage = filepath.Join("..", "..", "templates", "index.md.tmpl")

// served are the type names the provider serves, by the label of the
// front page's list they belong in.
func served(t *testing.T) map[string][]string {
	ctx := t.Context()
	p := newProvider("test", nil)
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	out := map[string][]string{}
	for _, f := range p.Resources(ctx) {
		var r resource.MetadataResponse
		f().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &r)
		out["Resources"] = append(out["Resources"], r.TypeName)
	}
	for _, f := range p.DataSources(ctx) {
		var r datasource.MetadataResponse
		f().Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: meta.TypeName}, &r)
		out["Data sources"] = append(out["Data sources"], r.TypeName)
	}
	for _, f := range p.Actions(ctx) {
		var r action.MetadataResponse
		f().Metadata(ctx, action.MetadataRequest{ProviderTypeName: meta.TypeName}, &r)
		out["Action"] = append(out["Action"], r.TypeName)
	}
	for label, names := range out {
		for _, n := range names {
			if n == "" || !strings.HasPrefix(n, meta.TypeName+"_") {
				t.Fatalf("%s: type name %q does not start with %s_", label, n, meta.TypeName)
			}
		}
	}
	return out
}

// listedOn maps each type name the front page lists (a bullet starting
// with `carp_...`) to the label of its list: the nearest line above it
// that is neither a bullet nor a bullet's continuation.
func listedOn(page string) map[string]string {
	bullet := regexp.MustCompile("^- `(carp_[a-z_]+)`")
	out := map[string]string{}
	label := ""
	for _, line := range strings.Split(page, "\n") {
		if m := bullet.FindStringSubmatch(line); m != nil {
			out[m[1]] = label
			continue
		}
		if line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "- ") {
			label = line
		}
	}
	return out
}

// TestFrontPageCurrent: the provider's front page gives the code range of
// the rule catalog, lists every resource, data source and action the
// provider serves under its kind and nothing it does not serve, and links
// every guide of templates/guides.
func TestFrontPageCurrent(t *testing.T) {
	b, err := os.ReadFile(frontPage)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)

	cat := rules.Catalog()
	want := fmt.Sprintf("`%s`-`%s`", cat[0].Code, cat[len(cat)-1].Code)
	if !strings.Contains(page, want) {
		found := regexp.MustCompile("`CARP[0-9]{3}`-`CARP[0-9]{3}`").FindAllString(page, -1)
		t.Errorf("%s does not give the catalog's code range %s (it gives %v): update the sentence on the stable codes", frontPage, want, found)
	}

	listed := listedOn(page)
	serves := map[string]bool{}
	kinds := served(t)
	for _, label := range []string{"Resources", "Data sources", "Action"} {
		for _, n := range kinds[label] {
			serves[n] = true
			got, ok := listed[n]
			switch {
			case !ok:
				t.Errorf("%s does not list %s: add a bullet \"- `%s` ...\" under \"%s\"", frontPage, n, n, label)
			case !strings.HasPrefix(got, label):
				t.Errorf("%s lists %s under %q; it is one of the provider's %s", frontPage, n, got, label)
			}
		}
	}
	for n := range listed {
		if !serves[n] {
			t.Errorf("%s lists %s, which the provider does not serve", frontPage, n)
		}
	}

	guides, err := filepath.Glob(filepath.Join("..", "..", "templates", "guides", "*.md.tmpl"))
	if err != nil || len(guides) == 0 {
		t.Fatalf("no guide templates: %v", err)
	}
	var linked []string
	for _, m := range regexp.MustCompile(`\(guides/([a-z0-9-]+)\.md\)`).FindAllStringSubmatch(page, -1) {
		linked = append(linked, m[1])
	}
	for _, g := range guides {
		name := strings.TrimSuffix(filepath.Base(g), ".md.tmpl")
		if !slices.Contains(linked, name) {
			t.Errorf("%s does not link the guide %s: add [...](guides/%s.md)", frontPage, name, name)
		}
	}
	for _, name := range linked {
		if _, err := os.Stat(filepath.Join("..", "..", "templates", "guides", name+".md.tmpl")); err != nil {
			t.Errorf("%s links guides/%s.md, which has no template: %v", frontPage, name, err)
		}
	}
}
