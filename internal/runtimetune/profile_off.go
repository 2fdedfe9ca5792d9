//go:build !carpprof

package runtimetune

// StartProfile is a no-op in the normal build; see profile_on.go.
func StartProfile() (stop func(), err error) { return func() {}, nil }
