package vsphere_test

import (
	"context"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// slowLogin starts a simulator that answers every call after delay, and
// Connect on it in the background with track; it returns once the Login
// has reached the server (in flight), with Connect's result to come on
// the channel.
func slowLogin(t *testing.T, ctx context.Context, delay time.Duration, track func(*vsphere.Client) error) (*simulator.Server, <-chan error) {
	t.Helper()
	sim, err := simulator.Start(hostsScenario(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.SetDelay(delay)
	cfg := vsphere.Config{Server: sim.URL.Host, User: sim.User, Password: sim.Password, Thumbprint: sim.Thumbprint, APITimeout: time.Minute}
	done := make(chan error, 1)
	go func() {
		_, err := vsphere.Connect(ctx, cfg, vsphere.Tracked(track))
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); sim.Arrived("Login") == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the login never reached the server")
		}
	}
	return sim, done
}

// TestLoginGivenUp: Connect's ctx ends while its Login is in flight (a
// Ctrl-C, the connection to Terraform lost). Connect returns at once; the
// login, which the server carries out all the same, is logged out once
// answered, so no session is left.
func TestLoginGivenUp(t *testing.T) {
	t.Parallel()
	const delay = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sim, done := slowLogin(t, ctx, delay, func(*vsphere.Client) error { return nil })
	gaveUp := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Connect succeeded after its ctx was cancelled")
		}
		if took := time.Since(gaveUp); took > delay/2 {
			t.Errorf("Connect returned %v after its ctx ended; want at once", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Connect did not return when its ctx ended")
	}
	// The login is answered (a session opens), then logged out.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, logouts := sim.SessionCount(), sim.Arrived("Logout")
		if n == 0 && logouts == 1 && len(sim.Calls()) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions, %d logouts, calls %+v: the login given up on was not logged out", n, logouts, sim.Calls())
		}
	}
}

// TestLogoutWaitsForLogin: a Logout while the login is in flight (the end
// of the process) waits for the login and logs that session out; a login
// not yet sent when Logout came is never sent.
func TestLogoutWaitsForLogin(t *testing.T) {
	t.Parallel()
	t.Run("in flight", func(t *testing.T) {
		t.Parallel()
		const delay = 300 * time.Millisecond
		var c *vsphere.Client
		sim, done := slowLogin(t, t.Context(), delay, func(cl *vsphere.Client) error { c = cl; return nil })
		start := time.Now()
		if err := c.Logout(t.Context()); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < delay/2 {
			t.Errorf("Logout returned after %v, before the login in flight was answered", took)
		}
		if n := sim.SessionCount(); n != 0 {
			t.Errorf("%d sessions after Logout; want the session of the login in flight logged out", n)
		}
		if err := <-done; err != nil {
			t.Logf("the login in flight ended with %v", err)
		}
	})
	t.Run("not sent", func(t *testing.T) {
		t.Parallel()
		sim, err := simulator.Start(hostsScenario(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		cfg := vsphere.Config{Server: sim.URL.Host, User: sim.User, Password: sim.Password, Thumbprint: sim.Thumbprint, APITimeout: time.Minute}
		_, err = vsphere.Connect(t.Context(), cfg, vsphere.Tracked(func(c *vsphere.Client) error { return c.Logout(t.Context()) }))
		if err == nil {
			t.Fatal("Connect logged in after its client was logged out")
		}
		if n := sim.Arrived("Login"); n != 0 {
			t.Errorf("%d logins sent after the client was logged out", n)
		}
	})
}
