package vsphere

import (
	"testing"
	"time"
)

// TestKeyedMutex: a second lock on a key waits until the first is
// released; a lock on another key does not wait.
func TestKeyedMutex(t *testing.T) {
	t.Parallel()
	var k keyedMutex
	unlockA := k.lock("vc/networkSystem-1")

	other := make(chan struct{})
	go func() {
		k.lock("vc/networkSystem-2")()
		close(other)
	}()
	select {
	case <-other:
	case <-time.After(5 * time.Second):
		t.Fatal("a lock on another key waited for the first")
	}

	second := make(chan struct{})
	go func() {
		unlock := k.lock("vc/networkSystem-1")
		close(second)
		unlock()
	}()
	select {
	case <-second:
		t.Fatal("a second lock on the same key did not wait for the first")
	case <-time.After(100 * time.Millisecond):
	}
	unlockA()
	select {
	case <-second:
	case <-time.After(5 * time.Second):
		t.Fatal("the second lock was not granted after the first was released")
	}
}
