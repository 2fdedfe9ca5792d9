package tfvalue

import (
	"strings"
	"testing"
)

func TestCheckHostID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"host-21":            "",
		"ha-host":            "",
		"host-1234":          "",
		"":                   "is empty",
		"   ":                "is empty",
		"esx 01":             "not a managed object id",
		"/dc/host/esx-01":    "not a managed object id",
		"host-21\n":          "not a managed object id",
		"vm-42":              "virtual machine",
		"dvportgroup-12":     "distributed port group",
		"domain-c7":          "cluster",
		"datastore-3":        "datastore",
		"HostSystem:host-21": "not a managed object id",
		"esx-01":             "not a managed object id",
		"host-":              "not a managed object id",
	} {
		got := CheckHostID(id)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("CheckHostID(%q) = %q, want %q", id, got, want)
		}
		if got != "" && !strings.Contains(got, `"host-21"`) {
			t.Errorf("CheckHostID(%q) does not show the expected format: %q", id, got)
		}
	}
}

// FuzzCheckHostID: never panics; a rejection always says what is expected.
func FuzzCheckHostID(f *testing.F) {
	for _, s := range []string{"host-21", "ha-host", "vm-42", "", "esx 01", "/dc/host/esx", "host-1:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if msg := CheckHostID(s); msg != "" && !strings.Contains(msg, "Expected") {
			t.Fatalf("%q: %s", s, msg)
		}
	})
}
