package inventory

import (
	"strconv"
	"strings"
)

// Version is a "major.minor.patch" product version.
type Version struct {
	Major, Minor, Patch int
}

// ParseVersion parses "major.minor.patch". Missing parts are 0 ("7" is
// 7.0.0, "6.6" is 6.6.0). Anything else (empty, more than three parts, signs,
// letters, empty parts, overflow) is not a version and returns false.
// Surrounding white space is ignored.
func ParseVersion(s string) (Version, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Version{}, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return Version{}, false
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 9 {
			return Version{}, false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return Version{}, false
			}
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, false
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2]}, true
}

// AtLeast reports whether v >= maj.min.patch.
func (v Version) AtLeast(maj, min, patch int) bool {
	if v.Major != maj {
		return v.Major > maj
	}
	if v.Minor != min {
		return v.Minor > min
	}
	return v.Patch >= patch
}

// String formats v as "major.minor.patch".
func (v Version) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "." + strconv.Itoa(v.Patch)
}

// The thresholds of the distributed switch versions the rules and the
// writers act on.

// LegacyDVS reports whether a switch version is 4.1.x or 5.0.x: possibly
// an upgraded 4.0 switch that does not pass CARP until promiscuous mode is
// toggled (CARP006).
func LegacyDVS(version string) bool {
	v, ok := ParseVersion(version)
	return ok && ((v.Major == 4 && v.Minor == 1) || (v.Major == 5 && v.Minor == 0))
}

// MacLearningSupport reports whether the switch version is known (parses)
// and whether it is 6.6.0 or later, which MAC learning needs.
func MacLearningSupport(version string) (known, supported bool) {
	v, ok := ParseVersion(version)
	if !ok {
		return false, false
	}
	return true, v.AtLeast(6, 6, 0)
}

// UsesMacManagement tells whether a distributed switch of this product
// version takes a port group's security policy as macManagementPolicy
// (6.6.0 and later) rather than the legacy securityPolicy.
func UsesMacManagement(version string) bool {
	v, ok := ParseVersion(version)
	return ok && v.AtLeast(6, 6, 0)
}
