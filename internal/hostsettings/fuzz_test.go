package hostsettings

import (
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// FuzzConvertOption: option values convert to the declared type within the
// declared range, or fail with an error naming the key; a converted value
// formats back to a string that converts to the same value.
func FuzzConvertOption(f *testing.F) {
	lo, hi := int64(0), int64(1)
	defs := []*vsphere.OptionValue{
		{Key: "Net.ReversePathFwdCheckPromisc", Type: "long", Min: &lo, Max: &hi},
		{Key: "Misc.HeartbeatTimeout", Type: "int"},
		{Key: "UserVars.X", Type: "bool"},
		{Key: "Syslog.global.logHost", Type: "string"},
		{Key: "Misc.F", Type: "float"},
		{Key: "Config.HostAgent.log.level", Type: "choice", Choices: []string{"info", "verbose"}},
	}
	for _, s := range []string{"1", "0", "2", "-1", "true", "01", " 1", "x", "1e3", "NaN", "info", "", "9223372036854775808"} {
		for i := range defs {
			f.Add(i, s)
		}
	}
	f.Fuzz(func(t *testing.T, i int, s string) {
		if i < 0 {
			i = -i
		}
		ov := defs[i%len(defs)]
		v, err := convertOption(ov, s)
		if err != nil {
			if !strings.Contains(err.Error(), ov.Key) {
				t.Fatalf("error does not name the key: %v", err)
			}
			return
		}
		if ov.Type == "long" {
			n := v.(int64)
			if n < *ov.Min || n > *ov.Max {
				t.Fatalf("%q -> %d out of range", s, n)
			}
		}
		back, err := convertOption(ov, formatOption(v))
		if err != nil || formatOption(back) != formatOption(v) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, v, formatOption(v), back, err)
		}
	})
}
