package hostsettings

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// expectedType describes what an option accepts, for error messages:
// "an integer (long) from 0 to 1", "true or false", "one of a, b".
func expectedType(ov *vsphere.OptionValue) string {
	rng := func() string {
		if ov.Min != nil && ov.Max != nil {
			return fmt.Sprintf(" from %d to %d", *ov.Min, *ov.Max)
		}
		return ""
	}
	switch ov.Type {
	case "long":
		return "an integer (long)" + rng()
	case "int":
		return "an integer (int)" + rng()
	case "bool":
		return `a boolean ("true" or "false")`
	case "string":
		return "a string"
	case "float":
		return "a number (float)"
	case "choice":
		return "one of " + strings.Join(ov.Choices, ", ")
	}
	return "a value of type " + ov.Type
}

// convertOption turns the configured string into the value type the host
// declares for the option, checking the declared range or choices.
func convertOption(ov *vsphere.OptionValue, s string) (any, error) {
	bad := func() error {
		return fmt.Errorf("%q is not valid for %s: expected %s", s, ov.Key, expectedType(ov))
	}
	inRange := func(n int64) bool {
		return (ov.Min == nil || n >= *ov.Min) && (ov.Max == nil || n <= *ov.Max)
	}
	switch ov.Type {
	case "long":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || !inRange(n) {
			return nil, bad()
		}
		return n, nil
	case "int":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
		if err != nil || !inRange(n) {
			return nil, bad()
		}
		return int32(n), nil
	case "bool":
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, bad()
		}
		return b, nil
	case "string":
		return s, nil
	case "float":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad()
		}
		return float32(f), nil
	case "choice":
		for _, c := range ov.Choices {
			if c == s {
				return s, nil
			}
		}
		return nil, bad()
	}
	return nil, fmt.Errorf("%s has a type (%q) this provider cannot write", ov.Key, ov.Type)
}

// formatOption is the string form of a value as read.
func formatOption(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// sameOption reports whether the configured string s denotes the value v
// read from the host ("01" and 1 are the same long).
func sameOption(ov *vsphere.OptionValue, s string, v any) bool {
	want, err := convertOption(ov, s)
	if err != nil {
		return false
	}
	return formatOption(want) == formatOption(v)
}

// rpfValue is the value to write for the planned boolean, typed as declared.
func rpfValue(ov *vsphere.OptionValue, on bool) (any, error) {
	s := "0"
	if on {
		s = "1"
	}
	return convertOption(ov, s)
}

// supported returns the host's option, or nil when the host does not declare it.
func supported(snap *vsphere.Snapshot, hostID, key string) *vsphere.OptionValue {
	ov := snap.Options[hostID][key]
	if ov == nil || ov.Type == "" {
		return nil
	}
	return ov
}
