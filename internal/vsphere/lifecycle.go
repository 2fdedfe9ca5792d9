package vsphere

import (
	"context"
	"errors"
	"sync"
)

// ErrEnding is what a toggle gets when the provider process is ending
// (Quiesce): a toggle not yet started is not started.
var ErrEnding = errors.New("the provider process is ending (SIGTERM, or Terraform is gone), so the toggle was not started; promiscuous mode is as it was")

// lifecycle is a client's bookkeeping of the toggles in flight, so that a
// process that ends finishes them before it logs out.
type lifecycle struct {
	mu      sync.Mutex
	ending  bool
	toggles sync.WaitGroup
	// down is cancelled by Quiesce; every operation begun by Begin ends
	// with it (toggles in flight excepted, they run on their own ctx).
	down context.Context
	stop context.CancelFunc
}

func (c *Client) initLifecycle(ctx context.Context) {
	c.life.down, c.life.stop = context.WithCancel(context.WithoutCancel(ctx))
}

type clientKey struct{}

// Begin prepares a request ctx for vSphere calls: the logging subsystem with
// secrets masked, api_timeout, the end of the process (Quiesce), and the
// client's toggle bookkeeping for restoring.
func (c *Client) Begin(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := c.WithTimeout(context.WithValue(WithLogging(ctx), clientKey{}, c))
	if c.life.down == nil {
		return ctx, cancel
	}
	stop := context.AfterFunc(c.life.down, cancel)
	return ctx, func() { stop(); cancel() }
}

// restoring starts a toggle: it returns the ctx for its two writes. It
// outlives the cancellation of ctx (Ctrl-C, api_timeout, the end of the
// process) with a deadline of its own, RestoreDeadline, so a toggle never
// stops between its two writes without trying the second. The toggle counts
// as in flight until cancel is called; Quiesce waits for it. Once the
// client is quiescing, it returns ErrEnding and the toggle must not start.
func restoring(ctx context.Context) (context.Context, context.CancelFunc, error) {
	c, _ := ctx.Value(clientKey{}).(*Client)
	if c != nil {
		c.life.mu.Lock()
		ending := c.life.ending
		if !ending {
			c.life.toggles.Add(1)
		}
		c.life.mu.Unlock()
		if ending {
			return nil, nil, ErrEnding
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RestoreDeadline)
	return rctx, func() {
		cancel()
		if c != nil {
			c.life.toggles.Done()
		}
	}, nil
}

// Quiesce prepares the client for the end of the process: no toggle starts
// from now on, the operations in flight are cancelled, and it waits until
// the toggles already started have made their restoring write (each within
// RestoreDeadline of its start) or ctx ends. It does not log out.
func (c *Client) Quiesce(ctx context.Context) error {
	c.life.mu.Lock()
	c.life.ending = true
	c.life.mu.Unlock()
	if c.life.stop != nil {
		c.life.stop()
	}
	done := make(chan struct{})
	go func() {
		c.life.toggles.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
