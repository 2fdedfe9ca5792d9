package simulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
)

// TestPause: PauseAfter answers the nth call of its method and then no
// other; a request held is dropped once its client gives up, and is not
// recorded; after Resume the server answers again.
func TestPause(t *testing.T) {
	t.Parallel()
	s, c := start(t, twoHosts())
	now := func(d time.Duration) error {
		ctx, cancel := context.WithTimeout(t.Context(), d)
		defer cancel()
		_, err := methods.GetCurrentTime(ctx, c.Client)
		return err
	}
	s.PauseAfter("CurrentTime", 2)
	s.ResetCalls()
	for i := 1; i <= 2; i++ {
		if err := now(5 * time.Second); err != nil {
			t.Fatalf("call %d before the pause: %v", i, err)
		}
	}
	if err := now(300 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call after the pause: err = %v, want no answer (deadline exceeded)", err)
	}
	if n := s.CallCount(); n != 2 {
		t.Errorf("%d calls recorded, want the 2 answered", n)
	}
	s.Resume()
	if err := now(5 * time.Second); err != nil {
		t.Fatalf("call after Resume: %v", err)
	}
}
