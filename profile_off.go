//go:build !carpprof

package main

// startProfile is a no-op in the normal build; see profile_on.go.
func startProfile() (stop func()) { return func() {} }
