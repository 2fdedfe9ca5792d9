package provider

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type bigKey struct{}

// payload is a value large enough that a leak of it is not noise.
type payload [1 << 20]byte

// requestsRetain runs n requests of several kinds, each on a context that
// carries its own 1 MiB value, and reports how many of those values are
// still reachable after the requests returned.
func requestsRetain(t *testing.T, srv tfprotov6.ProviderServer, n int) (retained int) {
	t.Helper()
	var refs []weak.Pointer[payload]
	for i := range n {
		p := new(payload)
		refs = append(refs, weak.Make(p))
		ctx := context.WithValue(t.Context(), bigKey{}, p)
		var err error
		switch i % 3 {
		case 0:
			_, err = srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		case 1:
			_, err = srv.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{})
		case 2:
			_, err = srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "carp_portgroup_policy"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
	for _, r := range refs {
		if r.Value() != nil {
			retained++
		}
	}
	return retained
}

// TestServerReleasesRequestContexts: once a request has returned, nothing
// in the provider's server keeps its context.
func TestServerReleasesRequestContexts(t *testing.T) {
	t.Parallel()
	srv, err := NewServer("test", &Sessions{})()
	if err != nil {
		t.Fatal(err)
	}
	if n := requestsRetain(t, srv, 30); n != 0 {
		t.Errorf("%d of 30 request contexts still reachable after their requests returned", n)
	}
}

// TestFrameworkRetainsRequestContexts is the reason for releasingServer:
// the framework's own server keeps every request context until
// StopProvider. When an upgrade of terraform-plugin-framework makes this
// test fail, the leak is fixed upstream and releasingServer can go.
func TestFrameworkRetainsRequestContexts(t *testing.T) {
	t.Parallel()
	srv, err := providerserver.NewProtocol6WithError(New("test", &Sessions{})())()
	if err != nil {
		t.Fatal(err)
	}
	if n := requestsRetain(t, srv, 30); n != 30 {
		t.Errorf("the framework's server retained %d of 30 request contexts, not all: check whether releasingServer is still needed", n)
	}
	// StopProvider lets them go.
	if _, err := srv.StopProvider(t.Context(), &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
}

// TestRequestContext: a requestContext is its request's context until the
// request returns: values, deadline and cancellation, including for
// contexts derived from it; then a cancelled context without values.
func TestRequestContext(t *testing.T) {
	t.Parallel()
	parent, cancel := context.WithTimeout(context.WithValue(t.Context(), bigKey{}, "v"), time.Hour)
	defer cancel()

	var inside context.Context
	var derived context.Context
	_, _ = serve(releasingServer{}, parent, 0, func(ctx context.Context, _ int) (int, error) {
		inside = ctx
		if ctx.Value(bigKey{}) != "v" {
			t.Error("value not visible during the request")
		}
		if _, ok := ctx.Deadline(); !ok {
			t.Error("deadline not visible during the request")
		}
		if ctx.Err() != nil {
			t.Errorf("Err() = %v during the request", ctx.Err())
		}
		var dcancel context.CancelFunc
		derived, dcancel = context.WithCancel(ctx)
		_ = dcancel // the framework never calls it either
		return 0, nil
	})
	if inside.Err() == nil {
		t.Error("the context is not cancelled after the request returned")
	}
	if inside.Value(bigKey{}) != nil {
		t.Error("the context still answers the request's values after it returned")
	}
	select {
	case <-inside.Done():
	default:
		t.Error("Done() not closed after the request returned")
	}
	// A context derived during the request still follows the request's
	// own cancellation.
	if derived.Err() != nil {
		t.Fatalf("derived context cancelled early: %v", derived.Err())
	}
	cancel()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Error("a context derived during the request was not cancelled with the request's context")
	}
}
