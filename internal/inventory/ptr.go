package inventory

// Ptr returns a pointer to a copy of v: an explicit value (Security,
// Teaming fields).
func Ptr[T any](v T) *T { return &v }

// Clone returns a pointer to a copy of *p, or nil for nil: an explicit value
// stays explicit, an inherited one stays inherited.
func Clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return Ptr(*p)
}

// EqualPtr reports whether a and b are both nil (inherited) or point to
// equal values.
func EqualPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// RPFValue is the value of Net.ReversePathFwdCheckPromisc for on (1) or
// off (0), as Host.RPFCheckPromisc holds it.
func RPFValue(on bool) *int64 {
	v := int64(0)
	if on {
		v = 1
	}
	return &v
}
