package endpoint

import (
	"context"
	"sync/atomic"
)

type counterKey struct{ kind string }

// WithCounter makes every call to servers of kind ("vsphere", "nsx") made
// with ctx, or a ctx derived from it, add one to n: what the test harness
// checks call budgets with, per Terraform operation. A nil n counts
// nothing from there on.
func WithCounter(ctx context.Context, kind string, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, counterKey{kind}, n)
}

// Count counts one call of kind made with ctx.
func Count(ctx context.Context, kind string) {
	if n, ok := ctx.Value(counterKey{kind}).(*atomic.Int64); ok && n != nil {
		n.Add(1)
	}
}
