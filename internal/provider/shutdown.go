package provider

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// The end of the process, when Terraform does not end it (it ends the
// plugin through go-plugin's controller, and main logs out then):
//
//   - SIGTERM (a CI runner or a service manager stopping the job),
//   - the Terraform process that started the provider is gone (killed with
//     SIGKILL: the provider is re-parented),
//   - the gRPC connection to Terraform broke under a request in flight.
//
// Then the provider starts no new toggle, cancels what is in flight,
// finishes the toggles already started (their restoring write has its own
// deadline, vsphere.RestoreDeadline, 30 s), logs its sessions out and exits:
// all within EndBudget.
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

// End finishes the toggles in flight and logs every session out, within
// ctx (give it EndBudget). It reports whether every toggle finished.
func (s *Sessions) End(ctx context.Context) (finished bool) {
	if s == nil {
		return true
	}
	s.mu.Lock()
	clients := append([]*vsphere.Client(nil), s.clients...)
	s.mu.Unlock()
	finished = true
	deadline, ok := ctx.Deadline()
	qctx, cancel := ctx, context.CancelFunc(func() {})
	if ok {
		qctx, cancel = context.WithDeadline(ctx, deadline.Add(-logoutBudget))
	}
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
	cancel()
	s.LogoutAll(ctx)
	return finished
}
