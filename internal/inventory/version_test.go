package inventory

import "testing"

func TestParseVersion(t *testing.T) {
	cases := []struct {
		in   string
		want Version
		ok   bool
	}{
		{"6.6.0", Version{6, 6, 0}, true},
		{"7.0.3", Version{7, 0, 3}, true},
		{"8", Version{8, 0, 0}, true},
		{"6.5", Version{6, 5, 0}, true},
		{" 5.0.0 ", Version{5, 0, 0}, true},
		{"06.06.00", Version{6, 6, 0}, true},
		{"", Version{}, false},
		{" ", Version{}, false},
		{"6.6.0.1", Version{}, false},
		{"6..0", Version{}, false},
		{"6.6.", Version{}, false},
		{".6", Version{}, false},
		{"v7", Version{}, false},
		{"7.0.3a", Version{}, false},
		{"-1.0", Version{}, false},
		{"+7.0", Version{}, false},
		{"7.x", Version{}, false},
		{"99999999999999999999", Version{}, false},
		{"1234567890", Version{}, false},
		{"123456789", Version{123456789, 0, 0}, true},
		{"７.0", Version{}, false},
	}
	for _, c := range cases {
		got, ok := ParseVersion(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	if s := (Version{6, 6, 0}).String(); s != "6.6.0" {
		t.Errorf("String = %q", s)
	}
}

func TestAtLeast(t *testing.T) {
	cases := []struct {
		v    string
		want bool
	}{
		{"6.6.0", true}, {"6.6.1", true}, {"6.7", true}, {"7", true},
		{"6.5.9", false}, {"6.5", false}, {"5.9.9", false}, {"6", false},
	}
	for _, c := range cases {
		v, _ := ParseVersion(c.v)
		if got := v.AtLeast(6, 6, 0); got != c.want {
			t.Errorf("%s AtLeast 6.6.0 = %v", c.v, got)
		}
	}
	legacy := map[string]bool{"4.1.0": true, "4.1": true, "5.0.0": true, "5.0.9": true, "4.0.0": false, "5.1.0": false, "5.5.0": false, "x": false}
	for v, want := range legacy {
		if LegacyDVS(v) != want {
			t.Errorf("LegacyDVS(%s) != %v", v, want)
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"6.6.0", "", "7", "1.2.3.4", "-1", "6..6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseVersion(s)
		if !ok {
			if v != (Version{}) {
				t.Fatalf("not ok but %v", v)
			}
			return
		}
		if v.Major < 0 || v.Minor < 0 || v.Patch < 0 {
			t.Fatalf("negative %v", v)
		}
		w, ok2 := ParseVersion(v.String())
		if !ok2 || w != v {
			t.Fatalf("round trip %q -> %v -> %v", s, v, w)
		}
		if !v.AtLeast(v.Major, v.Minor, v.Patch) || v.AtLeast(v.Major, v.Minor, v.Patch+1) {
			t.Fatalf("AtLeast on itself: %v", v)
		}
	})
}
