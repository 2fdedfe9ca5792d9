package main

import (
	"strings"
	"testing"
)

// TestRenderAction: the generated argument reference names every attribute
// of the action, nested ones included, between the markers; a guide
// without the markers is an error.
func TestRenderAction(t *testing.T) {
	t.Parallel()
	out, err := renderAction([]byte("prose\n" + beginMark + "stale\n" + endMark + "tail\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"prose\n", "### Optional", "- `portgroups` (Attributes List)", "- `distributed_portgroup_ids` (List of String)",
		"- `host_system_ids` (List of String)", "### Nested Schema for `portgroups`", "Required:", "- `host_system_id` (String)", "- `portgroup` (String)", "tail\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("the rendered guide lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "stale") {
		t.Errorf("the old argument reference is kept:\n%s", s)
	}
	if _, err := renderAction([]byte("no markers\n")); err == nil {
		t.Error("a guide without markers is accepted")
	}
}
