package simulator

// What a test controls on a running server: the call record, delays,
// injected faults, sessions and their idle timeout, and a client of its own.

import (
	"context"
	"net/url"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// Calls returns a copy of the call record since start or the last reset.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ResetCalls clears the call record.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// CallCount is the number of SOAP round trips recorded.
func (s *Server) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// Arrived is how many requests of method have reached the server since
// start, answered or not: with a delay (SetDelay) or a pause, a request is
// in flight while Arrived counts it and Calls does not yet. Tests use it to
// act while a call is in flight (a SIGTERM during the login).
//
// A delayed request is carried out after its delay even when its client
// has gone away meanwhile, as any HTTP server whose handler does not watch
// the connection does (Go's net/http among them; the vSphere API promises
// nothing else for vpxd): a login abandoned by its client may still open a
// session whose cookie the client never gets, and such a session stays
// until it times out on the server (vmware/vic#5355). A paused request is
// dropped instead (pause.go).
func (s *Server) Arrived(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrived[method]
}

func (s *Server) arrive(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.arrived[method]++
}

// SetDelay sets the per-SOAP-method delay.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// FailCall makes the nth (1-based, counted from now) future call of method
// fail with fault. object "" matches any object, otherwise the moref value of
// _this must match. For *_Task methods the task is created and then fails.
func (s *Server) FailCall(method, object string, nth int, fault types.BaseMethodFault) {
	if nth < 1 {
		nth = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, &faultHook{method: method, object: object, remaining: nth, fault: fault})
}

// ClearFaults removes all fault hooks.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = nil
}

// takeFault counts a call against the hooks and returns the fault to inject.
func (s *Server) takeFault(method, object string) types.BaseMethodFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fault types.BaseMethodFault
	kept := s.hooks[:0]
	for _, h := range s.hooks {
		if h.method == method && (h.object == "" || h.object == object) {
			h.remaining--
			if h.remaining == 0 {
				if fault == nil {
					fault = h.fault
				}
				continue
			}
		}
		kept = append(kept, h)
	}
	s.hooks = kept
	return fault
}

// SessionCount is the current number of sessions in the SessionManager.
func (s *Server) SessionCount() int {
	s.expireIdle()
	return len(s.sessionList())
}

// SetSessionIdleTimeout expires sessions idle longer than d (NotAuthenticated
// on their next call); 0 means never.
func (s *Server) SetSessionIdleTimeout(d time.Duration) {
	s.mu.Lock()
	s.idleTimeout = d
	s.mu.Unlock()
}

// expireIdle terminates every tracked session idle longer than the timeout.
func (s *Server) expireIdle() {
	s.mu.Lock()
	d := s.idleTimeout
	var expired []string
	if d > 0 {
		now := time.Now()
		for k, t := range s.lastSeen {
			if now.Sub(t) > d {
				expired = append(expired, k)
				delete(s.lastSeen, k)
				s.expired[k] = true
			}
		}
	}
	s.mu.Unlock()
	for _, k := range expired {
		s.terminate(k)
	}
}

func (s *Server) terminate(key string) {
	req := types.TerminateSession{This: *s.intc.ServiceContent.SessionManager, SessionId: []string{key}}
	_, _ = methods.TerminateSession(s.ictx, s.intc, &req)
}

// Client returns a logged-in govmomi client. Its calls are recorded.
func (s *Server) Client(ctx context.Context) (*govmomi.Client, error) {
	u := *s.URL
	u.User = url.UserPassword(s.User, s.Password)
	return govmomi.NewClient(ctx, &u, true)
}
