package e2e

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/demo-diagnostics.golden from this run")

// diagnostics returns "<severity> <summary>" of each diagnostic of a
// `-json` stream, in order, without the CLI's dev_overrides note (it
// depends on the CLI configuration, not on the provider).
func diagnostics(t *testing.T, stream string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(stream))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary, Detail string
			} `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Type != "diagnostic" {
			continue
		}
		if m.Diagnostic.Summary == "Provider development overrides are in effect" {
			continue
		}
		out = append(out, m.Diagnostic.Severity+" "+m.Diagnostic.Summary+"\t"+m.Diagnostic.Detail)
	}
	return out
}

func summaries(ds []string) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i], _, _ = strings.Cut(d, "\t")
	}
	slices.Sort(out)
	return out
}

// TestE2E_demoDiagnosticsGolden: the demo configuration's first plan, its
// apply and its second plan have exactly the diagnostics (severity and
// summary) of testdata/demo-diagnostics.golden (go test -run
// TestE2E_demoDiagnosticsGolden -update rewrites it: a reviewed change).
// The second plan's warnings are among the first plan's, and no
// diagnostic promises a future action.
func TestE2E_demoDiagnosticsGolden(t *testing.T) {
	t.Parallel()
	_, c := demoCLI(t)
	c.tf("demo", 0, "get")
	first := diagnostics(t, c.tf("demo", 2, "plan", "-json", "-input=false", "-detailed-exitcode", "-out=demo.plan"))
	apply := diagnostics(t, c.tf("demo", 0, "apply", "-json", "-input=false", "demo.plan"))
	second := diagnostics(t, c.tf("demo", 0, "plan", "-json", "-input=false", "-detailed-exitcode"))

	var b strings.Builder
	for _, p := range []struct {
		name string
		ds   []string
	}{{"plan", first}, {"apply", apply}, {"plan again", second}} {
		for _, s := range summaries(p.ds) {
			fmt.Fprintf(&b, "%s: %s\n", p.name, s)
		}
	}
	golden := filepath.Join("testdata", "demo-diagnostics.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("demo diagnostics differ from %s (go test -run %s -update rewrites it):\n--- got\n%s--- want\n%s", golden, t.Name(), b.String(), want)
	}
	// The audit's check block is pending in the first plan ("known after
	// apply") and judged in the second: one warning under two summaries.
	check := func(ss []string) []string {
		for i, s := range ss {
			if strings.HasPrefix(s, "warning Check block assertion") {
				ss[i] = "warning Check block assertion"
			}
		}
		return ss
	}
	firstSet := check(summaries(first))
	for _, s := range check(summaries(second)) {
		if strings.HasPrefix(s, "warning ") && !slices.Contains(firstSet, s) {
			t.Errorf("second plan warns %q, which the first plan did not", s)
		}
	}
	for _, d := range slices.Concat(first, apply, second) {
		for _, promise := range []string{"next apply", "fixed by this plan", "will be toggled"} {
			if strings.Contains(d, promise) {
				t.Errorf("a diagnostic promises a future action (%q): %s", promise, d)
			}
		}
	}
}
