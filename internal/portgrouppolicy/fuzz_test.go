package portgrouppolicy

import (
	"strings"
	"testing"
)

// FuzzParsePortGroupID: import ids never panic, and what parses names
// exactly one target that formats back to the same id.
func FuzzParsePortGroupID(f *testing.F) {
	for _, s := range []string{"host-21:FW-WAN", "dvportgroup-42", "host-21:", ":FW", "host-21:FW:WAN", "dvportgroup-", "vm-1", "", " host-9:pg ", "host-21:FW WAN", "ha-host:VM Network"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := parsePortGroupID(s)
		if err != nil {
			if !strings.Contains(err.Error(), "expected") {
				t.Fatalf("error does not say what was expected: %v", err)
			}
			return
		}
		if tg.isDV() == (tg.HostID != "") {
			t.Fatalf("%q -> %+v names both or neither target", s, tg)
		}
		again, err := parsePortGroupID(tg.ID())
		if err != nil || again != tg {
			t.Fatalf("%q -> %q -> %+v, %v", s, tg.ID(), again, err)
		}
	})
}
