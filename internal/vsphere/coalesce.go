package vsphere

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/vmware/govmomi/vim25/types"
)

// objectCache coalesces concurrent reads of objects of one kind and keeps
// what it read for the life of the Client (one provider process, one
// Terraform command). Terraform runs up to 10 Reads at once: while one
// RetrievePropertiesEx is in flight, the objects other Reads ask for queue
// up, and the next call fetches all of them together. A host's network info
// read for one port group serves its other port groups. Writers call
// Invalidate for what they touched, so a read after a write is never stale.
type objectCache struct {
	props   func(extra []string) []types.PropertySpec
	fetch   func(ctx context.Context, spec types.PropertyFilterSpec) ([]types.ObjectContent, error)
	mu      sync.Mutex
	entries map[string]*cacheEntry
	queue   []*cacheEntry
	running bool
	wake    chan struct{} // closed when a batch ends with entries still queued
}

type cacheEntry struct {
	id    string
	typ   string   // the moref's type as the server reported it
	extra []string // extra property keys (host options) this entry covers
	done  chan struct{}
	// queued is true until a batch takes the entry (guarded by mu).
	queued bool
	obj    *types.ObjectContent // nil when the object does not exist
	err    error
}

func (e *cacheEntry) covers(extra []string) bool {
	for _, x := range extra {
		found := false
		for _, y := range e.extra {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func newObjectCache(props func([]string) []types.PropertySpec, fetch func(context.Context, types.PropertyFilterSpec) ([]types.ObjectContent, error)) *objectCache {
	return &objectCache{props: props, fetch: fetch, entries: map[string]*cacheEntry{}, wake: make(chan struct{})}
}

// get returns the contents of the objects (nil for one that does not
// exist), fetching what is not cached in as few round trips as concurrency
// allows.
func (oc *objectCache) get(ctx context.Context, refs []types.ManagedObjectReference, extra []string) (map[string]*types.ObjectContent, error) {
	for attempt := 0; ; attempt++ {
		out, retry, err := oc.tryGet(ctx, refs, extra)
		if err == nil || !retry || attempt == 2 {
			return out, err
		}
	}
}

func (oc *objectCache) tryGet(ctx context.Context, refs []types.ManagedObjectReference, extra []string) (map[string]*types.ObjectContent, bool, error) {
	oc.mu.Lock()
	mine := make([]*cacheEntry, 0, len(refs))
	for _, r := range refs {
		id := r.Value
		e := oc.entries[id]
		if e == nil || !e.covers(extra) || e.failed() {
			union := append([]string{}, extra...)
			if e != nil {
				union = mergeKeys(union, e.extra)
			}
			e = &cacheEntry{id: id, typ: r.Type, extra: union, done: make(chan struct{}), queued: true}
			oc.entries[id] = e
			oc.queue = append(oc.queue, e)
		}
		mine = append(mine, e)
	}
	oc.mu.Unlock()

	out := make(map[string]*types.ObjectContent, len(mine))
	for _, e := range mine {
		if err := oc.await(ctx, e); err != nil {
			return nil, false, err
		}
		if e.err != nil {
			// Another caller's ctx may have ended its batch: retry with ours.
			if ctx.Err() == nil && (errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
				return nil, true, e.err
			}
			return nil, false, e.err
		}
		out[e.id] = e.obj
	}
	return out, false, nil
}

// await waits for e. While e is still queued and no batch is running, the
// caller leads the next batch: everything queued at that moment, its own
// entry included. A caller therefore pays at most one round trip per cache
// for its own objects, and the others' objects ride along for free.
func (oc *objectCache) await(ctx context.Context, e *cacheEntry) error {
	for {
		oc.mu.Lock()
		lead := e.queued && !oc.running
		var batch []*cacheEntry
		if lead {
			oc.running = true
			batch, oc.queue = oc.queue, nil
			for _, b := range batch {
				b.queued = false
			}
		}
		wake := oc.wake
		oc.mu.Unlock()

		if lead {
			oc.fetchBatch(ctx, batch)
			oc.mu.Lock()
			oc.running = false
			if len(oc.queue) > 0 {
				close(oc.wake) // let a waiting caller with queued entries lead
				oc.wake = make(chan struct{})
			}
			oc.mu.Unlock()
		}
		select {
		case <-e.done:
			return nil
		default:
		}
		select {
		case <-e.done:
			return nil
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (e *cacheEntry) failed() bool {
	select {
	case <-e.done:
		return e.err != nil
	default:
		return false
	}
}

// fetchBatch is one RetrievePropertiesEx for a batch of entries.
func (oc *objectCache) fetchBatch(ctx context.Context, batch []*cacheEntry) {
	var extra []string
	specs := make([]types.ObjectSpec, 0, len(batch))
	for _, e := range batch {
		extra = mergeKeys(extra, e.extra)
		specs = append(specs, types.ObjectSpec{Obj: types.ManagedObjectReference{Type: e.typ, Value: e.id}})
	}
	objs, err := oc.fetch(ctx, types.PropertyFilterSpec{ObjectSet: specs, PropSet: oc.props(extra), ReportMissingObjectsInResults: types.NewBool(true)})
	byID := map[string]*types.ObjectContent{}
	for i := range objs {
		o := &objs[i]
		if len(o.PropSet) == 0 && isMissingObject(o.MissingSet) {
			continue
		}
		byID[o.Obj.Value] = o
	}
	for _, e := range batch {
		e.obj, e.err = byID[e.id], err
		close(e.done)
	}
}

// Invalidate forgets the cached objects, so the next read fetches them.
func (oc *objectCache) Invalidate(ids ...string) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	for _, id := range ids {
		delete(oc.entries, id)
	}
}

// mergeKeys is the sorted union of two key lists.
func mergeKeys(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(slices.Concat(a, b))))
}
