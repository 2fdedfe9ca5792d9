package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// frameworkServer is the framework's own protocol 6 server for this
// provider (terraform-plugin-framework's internal proto6server.Server).
func frameworkServer(t *testing.T) tfprotov6.ProviderServer {
	t.Helper()
	srv, err := providerserver.NewProtocol6WithError(New("test", &Sessions{})())()
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestShimForwardsEveryRPC: every exported method of the framework's
// server is a method of releasingServer, with the same signature. An
// upgrade of the framework that adds an RPC fails here until it is
// forwarded (in server.go and in Server).
func TestShimForwardsEveryRPC(t *testing.T) {
	t.Parallel()
	fw := reflect.ValueOf(frameworkServer(t))
	shim := reflect.ValueOf(releasingServer{})
	if fw.Type().NumMethod() == 0 {
		t.Fatalf("the framework's server %s has no exported methods", fw.Type())
	}
	for i := range fw.Type().NumMethod() {
		m := fw.Type().Method(i)
		got := shim.MethodByName(m.Name)
		if !got.IsValid() {
			t.Errorf("the framework's server %s has %s%s; releasingServer does not forward it: add it to server.go (and to Server)", fw.Type(), m.Name, strings.TrimPrefix(fw.Method(i).Type().String(), "func"))
			continue
		}
		if want := fw.Method(i).Type(); got.Type() != want {
			t.Errorf("releasingServer.%s is %s, the framework's is %s", m.Name, got.Type(), want)
		}
	}
}

// serverInterfaces are the server interfaces of tfprotov6
// (terraform-plugin-go v0.31.0). TestShimOptionalInterfaces checks that
// the list is complete against the package's source.
var serverInterfaces = map[string]reflect.Type{
	"ProviderServer":                 reflect.TypeFor[tfprotov6.ProviderServer](),
	"ResourceServer":                 reflect.TypeFor[tfprotov6.ResourceServer](),
	"DataSourceServer":               reflect.TypeFor[tfprotov6.DataSourceServer](),
	"FunctionServer":                 reflect.TypeFor[tfprotov6.FunctionServer](),
	"EphemeralResourceServer":        reflect.TypeFor[tfprotov6.EphemeralResourceServer](),
	"ListResourceServer":             reflect.TypeFor[tfprotov6.ListResourceServer](),
	"ActionServer":                   reflect.TypeFor[tfprotov6.ActionServer](),
	"StateStoreServer":               reflect.TypeFor[tfprotov6.StateStoreServer](),
	"ProviderServerWithListResource": reflect.TypeFor[tfprotov6.ProviderServerWithListResource](), //nolint:staticcheck // the interface terraform-plugin-go asserts
	"ProviderServerWithActions":      reflect.TypeFor[tfprotov6.ProviderServerWithActions](),      //nolint:staticcheck // idem
	"ProviderServerWithStateStores":  reflect.TypeFor[tfprotov6.ProviderServerWithStateStores](),  //nolint:staticcheck // idem
}

// TestShimOptionalInterfaces: releasingServer satisfies every tfprotov6
// server interface the framework's server satisfies (terraform-plugin-go's
// tf6server type-asserts the optional ones on the server it is given), and
// serverInterfaces names every interface of tfprotov6 whose name says it
// is a server.
func TestShimOptionalInterfaces(t *testing.T) {
	t.Parallel()
	fw := reflect.TypeOf(frameworkServer(t))
	shim := reflect.TypeFor[releasingServer]()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range serverInterfaces {
			if !yield(k) {
				return
			}
		}
	}) {
		iface := serverInterfaces[name]
		if fw.Implements(iface) && !shim.Implements(iface) {
			t.Errorf("the framework's server implements tfprotov6.%s, releasingServer does not", name)
		}
	}

	// The source of tfprotov6, found through one of its functions.
	file, _ := runtime.FuncForPC(reflect.ValueOf(tfprotov6.NewDynamicValue).Pointer()).FileLine(reflect.ValueOf(tfprotov6.NewDynamicValue).Pointer())
	dir := filepath.Dir(file)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading tfprotov6 at %s: %v", dir, err)
	}
	found := 0
	for _, e := range entries {
		if fname := e.Name(); strings.HasSuffix(fname, ".go") && !strings.HasSuffix(fname, "_test.go") {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, fname), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("parsing tfprotov6 at %s: %v", dir, err)
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, sp := range g.Specs {
					ts := sp.(*ast.TypeSpec)
					if _, isIface := ts.Type.(*ast.InterfaceType); !isIface || !ts.Name.IsExported() || !strings.Contains(ts.Name.Name, "Server") {
						continue
					}
					found++
					if _, ok := serverInterfaces[ts.Name.Name]; !ok {
						t.Errorf("tfprotov6 has a server interface %s (%s) that serverInterfaces does not check: add it, and forward its RPCs in releasingServer", ts.Name.Name, filepath.Base(fname))
					}
				}
			}
		}
	}
	if found < len(serverInterfaces) {
		t.Errorf("found %d server interfaces in %s, want at least %d: is this the source of tfprotov6?", found, dir, len(serverInterfaces))
	}
}

// streamServer answers InvokeAction and ListResource with a stream whose
// iterator reports whether its context was still live while it ran.
type streamServer struct {
	Server
	live chan bool
	ctx  chan context.Context
}

func (s streamServer) InvokeAction(ctx context.Context, _ *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
		s.live <- ctx.Err() == nil && ctx.Value(bigKey{}) == "v"
		s.ctx <- ctx
		yield(tfprotov6.InvokeActionEvent{Type: tfprotov6.CompletedInvokeActionEventType{}})
	}}, nil
}

func (s streamServer) ListResource(ctx context.Context, _ *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return &tfprotov6.ListResourceServerStream{Results: func(yield func(tfprotov6.ListResourceResult) bool) {
		s.live <- ctx.Err() == nil && ctx.Value(bigKey{}) == "v"
		s.ctx <- ctx
		yield(tfprotov6.ListResourceResult{DisplayName: "x"})
	}}, nil
}

// TestShimStreamsKeepContext: a streaming RPC's context stays live until
// its stream is drained, then it is released.
func TestShimStreamsKeepContext(t *testing.T) {
	t.Parallel()
	// Each call returns the drain of its stream.
	calls := map[string]func(releasingServer, context.Context) (func(), error){
		"InvokeAction": func(shim releasingServer, ctx context.Context) (func(), error) {
			st, err := shim.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{})
			return func() { drainSeq(st.Events) }, err
		},
		"ListResource": func(shim releasingServer, ctx context.Context) (func(), error) {
			st, err := shim.ListResource(ctx, &tfprotov6.ListResourceRequest{})
			return func() { drainSeq(st.Results) }, err
		},
	}
	for rpc, call := range calls {
		t.Run(rpc, func(t *testing.T) {
			t.Parallel()
			fake := streamServer{live: make(chan bool, 1), ctx: make(chan context.Context, 1)}
			drain, err := call(releasingServer{next: fake}, context.WithValue(t.Context(), bigKey{}, "v"))
			if err != nil {
				t.Fatal(err)
			}
			drain()
			if !<-fake.live {
				t.Errorf("%s: the stream's iterator ran on a released context", rpc)
			}
			if c := <-fake.ctx; c.Err() == nil || c.Value(bigKey{}) != nil {
				t.Errorf("%s: the context is not released once the stream is drained", rpc)
			}
		})
	}
}

func drainSeq[E any](seq iter.Seq[E]) {
	for range seq {
	}
}
