package direct

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// verifiedFramework is the terraform-plugin-framework version the direct
// paths' conditions were verified against (doc.go).
const (
	frameworkModule   = "github.com/hashicorp/terraform-plugin-framework"
	verifiedFramework = "v1.19.0"
)

// reverifyHeading is the section of the package comment that says what
// to re-verify when the framework's version changes.
const reverifyHeading = "# When terraform-plugin-framework changes"

// TestFrameworkVersion: the module graph selects the framework version
// the direct paths were verified against, and the package comment names
// it. A new version may add a step before ModifyPlan or after Read that
// the direct paths would skip without a word: the failure prints what to
// re-verify (doc.go).
func TestFrameworkVersion(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	reverify := docSection(string(b), reverifyHeading)
	if reverify == "" {
		t.Fatalf("doc.go has no section %q", reverifyHeading)
	}
	if !strings.Contains(reverify, "terraform-plugin-framework "+verifiedFramework) {
		t.Errorf("the section %q of doc.go does not name terraform-plugin-framework %s, the version fence_test.go expects", reverifyHeading, verifiedFramework)
	}
	// go list -m: the version the build uses, a replace directive included.
	out, err := exec.CommandContext(t.Context(), "go", "list", "-m", "-f", "{{.Version}}{{with .Replace}} replaced by {{.Path}} {{.Version}}{{end}}", frameworkModule).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", frameworkModule, err)
	}
	if got := strings.TrimSpace(string(out)); got != verifiedFramework {
		t.Fatalf("the module graph selects %s %s, but the direct paths (internal/direct) were verified against %s: "+
			"they re-implement steps of the framework, and would skip a step the new version added without a word. "+
			"Re-verify them against the new version, then change verifiedFramework in fence_test.go and the version in doc.go. "+
			"From doc.go:\n\n%s", frameworkModule, got, verifiedFramework, reverify)
	}
}

// docSection is the text of the package comment's section under heading,
// without the comment markers: up to the next heading or the end of the
// comment.
func docSection(src, heading string) string {
	var lines []string
	in := false
	for _, l := range strings.Split(src, "\n") {
		if !strings.HasPrefix(l, "//") {
			if in {
				break
			}
			continue
		}
		text := strings.TrimPrefix(strings.TrimPrefix(l, "//"), " ")
		switch {
		case text == heading:
			in = true
			continue
		case in && strings.HasPrefix(text, "# "):
			return strings.TrimSpace(strings.Join(lines, "\n"))
		}
		if in {
			lines = append(lines, text)
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
