package vsphere

import (
	"context"
	"errors"
	"sync"
	"time"
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

// Begin prepares a request ctx for vSphere calls: the logging subsystem with
// secrets masked, api_timeout and the end of the process (Quiesce).
func (c *Client) Begin(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := c.WithTimeout(WithLogging(ctx))
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
func (c *Client) restoring(ctx context.Context) (context.Context, context.CancelFunc, error) {
	c.life.mu.Lock()
	ending := c.life.ending
	if !ending {
		c.life.toggles.Add(1)
	}
	c.life.mu.Unlock()
	if ending {
		return nil, nil, ErrEnding
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RestoreDeadline)
	return rctx, func() {
		cancel()
		c.life.toggles.Done()
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

// ConnectOption changes how Connect opens a session.
type ConnectOption func(*Client)

// Tracked has Connect tell track of the client before it sends the login,
// so that the end of the process can log out a session still being
// opened (Logout waits for its login). An error from track refuses the
// login: Connect returns it.
func Tracked(track func(*Client) error) ConnectOption {
	return func(c *Client) { c.track = track }
}

// LogoutDeadline bounds the logout of a session whose login its caller
// gave up on (logIn).
const LogoutDeadline = 10 * time.Second

// sessionState is a client's session: a lock that a waiter can give up
// on (the logout at the end of the process waits for a login in flight no
// longer than its budget), whether a login succeeded, and whether the
// session was closed (logged out, or closed before any login).
type sessionState struct {
	once   sync.Once
	sem    chan struct{}
	open   bool
	closed bool
}

func (s *sessionState) lock(ctx context.Context) error {
	s.once.Do(func() { s.sem = make(chan struct{}, 1) })
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *sessionState) unlock() { <-s.sem }

// logIn opens the session. The login is sent on a ctx of its own, ctx's
// values without its cancellation, bounded by api_timeout: a login that
// its client abandons halfway may still open a session on the server,
// with a cookie the client never gets and so cannot log out
// (simulator.Server.Arrived). When ctx ends first (Ctrl-C, the gRPC
// connection lost, the caller's deadline), logIn returns its error at
// once and the login, when it is answered, is logged out, within
// LogoutDeadline. A Logout meanwhile waits for the login and logs it out
// itself; a login after a Logout is not sent.
func (c *Client) logIn(ctx context.Context) error {
	if err := c.session.lock(ctx); err != nil {
		return err
	}
	if c.session.closed {
		c.session.unlock()
		return errors.New("the vSphere session was closed before its login (the provider process is ending)")
	}
	lctx, cancel := c.WithTimeout(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() {
		defer cancel()
		err := c.login(lctx)
		c.session.open = err == nil
		c.session.unlock()
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		go func() {
			if <-done == nil {
				octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), LogoutDeadline)
				defer cancel()
				if err := c.Logout(octx); err != nil {
					logf(octx, "logging out the session of a login given up on failed", "error", err.Error())
				}
			}
		}()
		return ctx.Err()
	}
}
