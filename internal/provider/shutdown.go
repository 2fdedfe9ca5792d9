package provider

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// The end of the process, when Terraform does not end it (it ends the
// plugin through go-plugin's controller, and main calls End then):
//
//   - SIGTERM (a CI runner or a service manager stopping the job),
//   - the Terraform process that started the provider is gone (killed with
//     SIGKILL: the provider is re-parented),
//   - the gRPC connection to Terraform broke under a request in flight.
//
// Then the provider opens no new session and starts no new toggle, cancels
// what is in flight, finishes the toggles already started (their restoring
// write has its own deadline, vsphere.RestoreDeadline, 30 s), logs out its
// sessions, those whose login is in flight included, and exits: all within
// EndBudget.
const (
	EndBudget = 35 * time.Second
	// logoutBudget is kept back from EndBudget for the logouts.
	logoutBudget = 4 * time.Second
	parentPoll   = 250 * time.Millisecond
)

// lost is closed when the connection to Terraform broke (releasingServer).
type lost struct {
	once, closing sync.Once
	ch            chan struct{}
}

func (l *lost) chanOf() chan struct{} {
	l.once.Do(func() { l.ch = make(chan struct{}) })
	return l.ch
}

func (s *Sessions) connectionLost() {
	if s == nil {
		return
	}
	ch := s.lost.chanOf()
	s.lost.closing.Do(func() { close(ch) })
}

// AwaitEnd blocks until the process should end on its own and says why:
// a signal on term, the parent process (ppid at start) gone, or the
// connection to Terraform lost. getppid is os.Getppid outside tests.
func (s *Sessions) AwaitEnd(term <-chan os.Signal, ppid int, getppid func() int) string {
	tick := time.NewTicker(parentPoll)
	defer tick.Stop()
	for {
		select {
		case sig := <-term:
			return "received " + sig.String()
		case <-s.lost.chanOf():
			return "the connection to Terraform broke"
		case <-tick.C:
			// ppid 1 at start: started by init or a container's entry
			// point, not by Terraform; there is no parent to watch.
			if ppid > 1 && getppid() != ppid {
				return "the Terraform process that started the provider is gone"
			}
		}
	}
}

// errEnding refuses a login that would start once the process is ending.
var errEnding = errors.New("the provider process is ending (SIGTERM, Terraform gone, or its connection broken): no vSphere session is opened any more")

// endState is the one end of a Sessions: whoever calls End second waits
// for the first.
type endState struct {
	done     chan struct{}
	finished bool
}

// End finishes the toggles in flight and logs every session out, within
// ctx (give it EndBudget): the sessions open, and those whose login is
// in flight, once it is answered (vsphere.Client.Logout). No session
// opens after it began. It reports whether every toggle finished.
//
// It runs once. main calls it when Terraform ends the plugin, and when
// the process ends on its own (AwaitEnd): Terraform ends the plugin as
// soon as the requests that the end cancelled have answered, so the
// second call waits for the first (until its own ctx ends) rather than
// let the process exit under a logout in flight.
func (s *Sessions) End(ctx context.Context) (finished bool) {
	if s == nil {
		return true
	}
	s.mu.Lock()
	if e := s.end; e != nil {
		s.mu.Unlock()
		select {
		case <-e.done:
			return e.finished
		case <-ctx.Done():
			return false
		}
	}
	e := &endState{done: make(chan struct{})}
	s.end = e
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	defer close(e.done)
	e.finished = quiesce(ctx, clients)
	logoutAll(ctx, clients)
	return e.finished
}

// quiesce cancels what is in flight on every client and waits for the
// toggles already started, keeping logoutBudget of ctx for the logouts.
func quiesce(ctx context.Context, clients []*vsphere.Client) (finished bool) {
	finished = true
	qctx, cancel := ctx, context.CancelFunc(func() {})
	if deadline, ok := ctx.Deadline(); ok {
		qctx, cancel = context.WithDeadline(ctx, deadline.Add(-logoutBudget))
	}
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Quiesce(qctx); err != nil {
				mu.Lock()
				finished = false
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return finished
}

// logoutAll ends every session, all at once: a server that does not
// answer one holds up none of the others beyond ctx.
func logoutAll(ctx context.Context, clients []*vsphere.Client) {
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.Logout(ctx)
		}()
	}
	wg.Wait()
}
