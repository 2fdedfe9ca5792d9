package provider

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TestConnectionLost: a request whose gRPC context is cancelled while it
// runs, with no StopProvider before, is a broken connection; after
// StopProvider (Ctrl-C) it is not.
func TestConnectionLost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		stop      bool
		cancelled bool
		want      bool
	}{
		{"cancelled mid-request", false, true, true},
		{"cancelled after StopProvider", true, true, false},
		{"not cancelled", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sessions := &Sessions{}
			srv, err := NewServer("test", sessions)()
			if err != nil {
				t.Fatal(err)
			}
			if tc.stop {
				if _, err := srv.StopProvider(t.Context(), &tfprotov6.StopProviderRequest{}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			rs := srv.(releasingServer)
			_, _ = serve(rs, ctx, 0, func(context.Context, int) (int, error) {
				if tc.cancelled {
					cancel()
				}
				return 0, nil
			})
			got := false
			select {
			case <-sessions.lost.chanOf():
				got = true
			default:
			}
			if got != tc.want {
				t.Errorf("connection lost = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAwaitEnd: SIGTERM, the parent gone and the connection lost each end
// the wait, with the reason; a parent of 1 at start is not watched.
func TestAwaitEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		ppid  int
		act   func(s *Sessions, term chan os.Signal, parent *atomic.Int64)
		want  string
		never bool
	}{
		{"SIGTERM", 100, func(_ *Sessions, term chan os.Signal, _ *atomic.Int64) { term <- syscall.SIGTERM }, "received terminated", false},
		{"parent gone", 100, func(_ *Sessions, _ chan os.Signal, p *atomic.Int64) { p.Store(1) }, "the Terraform process that started the provider is gone", false},
		{"connection lost", 100, func(s *Sessions, _ chan os.Signal, _ *atomic.Int64) { s.connectionLost() }, "the connection to Terraform broke", false},
		{"started by init", 1, func(_ *Sessions, _ chan os.Signal, p *atomic.Int64) { p.Store(7) }, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &Sessions{}
			term := make(chan os.Signal, 1)
			var parent atomic.Int64
			parent.Store(int64(tc.ppid))
			got := make(chan string, 1)
			go func() { got <- s.AwaitEnd(term, tc.ppid, func() int { return int(parent.Load()) }) }()
			tc.act(s, term, &parent)
			select {
			case why := <-got:
				if tc.never || why != tc.want {
					t.Errorf("AwaitEnd = %q, want %q (never: %v)", why, tc.want, tc.never)
				}
			case <-time.After(3 * parentPoll):
				if !tc.never {
					t.Errorf("AwaitEnd did not return; want %q", tc.want)
				}
				term <- syscall.SIGTERM
				<-got
			}
		})
	}
}

// TestEndOnce: End runs once. A second End (main, when Terraform ends the
// plugin while the signal's End logs out) returns only when the first is
// over, the session logged out; no session opens after End began.
func TestEndOnce(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(simulator.DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	s := &Sessions{}
	cfg := vsphere.Config{Server: sim.URL.Host, User: sim.User, Password: sim.Password, Thumbprint: sim.Thumbprint, APITimeout: time.Minute}
	if _, err := vsphere.Connect(t.Context(), cfg, vsphere.Tracked(s.opening)); err != nil {
		t.Fatal(err)
	}
	const delay = 300 * time.Millisecond
	sim.SetDelay(delay)
	first := make(chan bool, 1)
	go func() { first <- s.End(t.Context()) }()
	for deadline := time.Now().Add(10 * time.Second); sim.Arrived("Logout") == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first End sent no Logout")
		}
	}
	if !s.End(t.Context()) {
		t.Error("the second End reports toggles unfinished")
	}
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("the second End returned with %d sessions open: it did not wait for the first one's logout", n)
	}
	<-first
	sim.SetDelay(0)
	if _, err := vsphere.Connect(t.Context(), cfg, vsphere.Tracked(s.opening)); !errors.Is(err, errEnding) {
		t.Errorf("a Connect after End: err = %v, want errEnding", err)
	}
	if n := sim.Arrived("Login"); n != 1 {
		t.Errorf("%d logins; want the first only", n)
	}
}
