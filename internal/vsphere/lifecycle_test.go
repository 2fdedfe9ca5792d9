package vsphere

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestQuiesce: Quiesce cancels the operations begun, waits for the toggle
// in flight (whose ctx it does not cancel), and no toggle starts after it.
func TestQuiesce(t *testing.T) {
	t.Parallel()
	c := &Client{cfg: Config{APITimeout: time.Minute}}
	c.initLifecycle(t.Context())

	op, cancelOp := c.Begin(t.Context())
	defer cancelOp()
	rctx, done, err := c.restoring(op)
	if err != nil {
		t.Fatal(err)
	}
	quiesced := make(chan error, 1)
	go func() { quiesced <- c.Quiesce(t.Context()) }()

	select {
	case <-op.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Quiesce did not cancel the operation in flight")
	}
	select {
	case err := <-quiesced:
		t.Fatalf("Quiesce returned (%v) before the toggle in flight made its restoring write", err)
	case <-time.After(200 * time.Millisecond):
	}
	if rctx.Err() != nil {
		t.Fatalf("the toggle's own ctx was cancelled: %v", rctx.Err())
	}
	done()
	select {
	case err := <-quiesced:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Quiesce did not return once the toggle was done")
	}

	op2, cancel2 := c.Begin(t.Context())
	defer cancel2()
	if _, _, err := c.restoring(op2); !errors.Is(err, ErrEnding) {
		t.Fatalf("a toggle started after Quiesce: err = %v, want ErrEnding", err)
	}
}

// TestQuiesceBounded: a toggle that does not finish holds Quiesce no longer
// than its ctx.
func TestQuiesceBounded(t *testing.T) {
	t.Parallel()
	c := &Client{cfg: Config{APITimeout: time.Minute}}
	c.initLifecycle(t.Context())
	op, cancelOp := c.Begin(t.Context())
	defer cancelOp()
	_, done, err := c.restoring(op)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := c.Quiesce(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Quiesce = %v, want DeadlineExceeded", err)
	}
}
