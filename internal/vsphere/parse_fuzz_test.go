package vsphere

import (
	"strings"
	"testing"
)

func FuzzServerURL(f *testing.F) {
	for _, s := range []string{"vc.lab", "vc.lab:443", "10.0.0.5", "[::1]:8989", "https://vc/sdk", "vc/sdk", "vc:99999", "", " ", "user@vc", "vc:0", "vc:-1", "vc:abc", "ü.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ServerURL(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if u.Scheme != "https" || u.Path != "/sdk" || u.Hostname() == "" || u.User != nil {
			t.Fatalf("%q -> %v", s, u)
		}
	})
}

func FuzzNormalizeThumbprint(f *testing.F) {
	for _, s := range []string{strings.Repeat("ab:", 19) + "ab", strings.Repeat("AB:", 31) + "AB", "AB:CD", "", "zz:" + strings.Repeat("00:", 18) + "00", strings.Repeat("a:", 19) + "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := NormalizeThumbprint(s)
		if err != nil {
			return
		}
		parts := strings.Split(tp, ":")
		if len(parts) != 20 && len(parts) != 32 {
			t.Fatalf("%q -> %q has %d parts", s, tp, len(parts))
		}
		for _, p := range parts {
			if len(p) != 2 || strings.Trim(p, "0123456789ABCDEF") != "" {
				t.Fatalf("%q -> %q has part %q", s, tp, p)
			}
		}
		if again, err := NormalizeThumbprint(tp); err != nil || again != tp {
			t.Fatalf("not idempotent: %q -> %q, %v", tp, again, err)
		}
	})
}
