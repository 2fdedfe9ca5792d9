package simulator

import (
	"net/http"
	"sync"
)

// A vCenter that stops answering: requests are accepted and never answered,
// until the client gives up. It is how a vpxd that hangs or a network that
// drops the traffic on the floor looks to a client: "vSphere SDK API
// Endpoint becomes unresponsive" (vmware/vic#5621), a request to vCenter
// that "could take forever without timing out" (20 minutes for a query,
// kubernetes-sigs/cluster-api-provider-vsphere#2453). The pause imitates
// it at the HTTP layer, before vcsim: a paused request has no effect on
// the inventory, and once its client has given up it is never carried out
// (a write on vCenter may still land after its client gave up; this
// simulator takes the case that leaves the most undone). Unanswered
// requests are not in the call record: they were never answered.
type pauseState struct {
	mu sync.Mutex
	// resumed is non-nil while the server is paused; Resume closes it.
	resumed chan struct{}
	// after counts down answered calls of a method; at zero the server
	// pauses, before that answer is sent.
	after map[string]int
}

// Pause makes the server stop answering: every SOAP request from now on
// waits without an answer until Resume, or until its client gives up.
func (s *Server) Pause() { s.pause.pause() }

// Resume answers again; the requests held and not yet given up go on.
func (s *Server) Resume() { s.pause.resume() }

// PauseAfter pauses the server when the nth call of method from now is
// answered: the answer is sent, and every request after it waits. With
// method "UpdatePortGroup" and n = 1, a toggle's first write lands and its
// second never gets an answer.
func (s *Server) PauseAfter(method string, n int) { s.pause.pauseAfter(method, n) }

func (s *Server) hold(r *http.Request) bool { return s.pause.hold(r) }

func (s *Server) answering(method string) { s.pause.answering(method) }

// The pause of one server (vCenter here, the NSX Manager of nsx.go).

func (p *pauseState) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pauseLocked()
}

func (p *pauseState) pauseLocked() {
	if p.resumed == nil {
		p.resumed = make(chan struct{})
	}
}

func (p *pauseState) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resumed != nil {
		close(p.resumed)
		p.resumed = nil
	}
	p.after = nil
}

func (p *pauseState) pauseAfter(method string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.after == nil {
		p.after = map[string]int{}
	}
	p.after[method] = max(n, 1)
}

// hold makes a request wait while the server is paused. It reports false
// when the client gave up first: the request is then dropped.
func (p *pauseState) hold(r *http.Request) bool {
	p.mu.Lock()
	resumed := p.resumed
	p.mu.Unlock()
	if resumed == nil {
		return true
	}
	select {
	case <-resumed:
		return true
	case <-r.Context().Done():
		return false
	}
}

// answering counts an answered call against pauseAfter, before its answer
// is sent, so that no request of the client can come in between.
func (p *pauseState) answering(method string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.after[method]
	if !ok {
		return
	}
	if n <= 1 {
		delete(p.after, method)
		p.pauseLocked()
		return
	}
	p.after[method] = n - 1
}
