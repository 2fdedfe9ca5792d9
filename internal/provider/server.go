package provider

import (
	"context"
	"fmt"
	"iter"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/carpsafe/terraform-provider-carp/internal/direct"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// NewServer returns the provider's protocol 6 server factory: the
// framework's server behind releasingServer. main.go serves it and the
// acceptance tests run it, so both exercise the same server.
func NewServer(version string, sessions *Sessions, opts ...ServerOption) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := newProvider(version, sessions)
		next, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		full, ok := next.(Server)
		if !ok {
			return nil, fmt.Errorf("the framework's protocol 6 server (%T) lacks an RPC of the list resource, action or state store servers that releasingServer forwards: check the terraform-plugin-framework upgrade", next)
		}
		s := releasingServer{next: full, sessions: sessions, stopped: &atomic.Bool{}}
		if directOn() {
			s.direct = direct.New(p, p.resourceData.Load)
		}
		for _, o := range opts {
			o(&s)
		}
		return s, nil
	}
}

// directOn is whether the direct paths answer what they can: yes unless
// CARP_DIRECT is a false value ("0", "false") in the provider's
// environment, which hands every request to the framework (to rule the
// direct paths out when a plan or a refresh looks wrong). Read once per
// server, when Terraform starts the provider.
func directOn() bool {
	on, err := strconv.ParseBool(os.Getenv(directEnv))
	return on || err != nil
}

// directEnv is the environment variable that turns the direct paths off.
const directEnv = "CARP_DIRECT"

// ServerOption changes a server of NewServer.
type ServerOption func(*releasingServer)

// WithDirectCrossCheck makes every request the direct paths answer
// (internal/direct) answered by the framework too, and report called with
// the resource type and what differs between the two answers ("" when
// they agree). For tests (acctest): the framework's answer makes its SOAP
// round trips outside the RPC's budget. Nothing to do when CARP_DIRECT
// turned the direct paths off.
func WithDirectCrossCheck(report func(typeName, mismatch string)) ServerOption {
	return func(s *releasingServer) {
		if s.direct == nil {
			return
		}
		s.direct.CrossCheck(s.next, func(ctx context.Context) context.Context { return vsphere.WithCallCounter(ctx, nil) }, report)
	}
}

// Server is every RPC of the protocol 6 server interfaces of
// terraform-plugin-go v0.31.0: tfprotov6.ProviderServer (resources, data
// sources, functions, ephemeral resources) and the optional interfaces the
// framework's server implements, list resources
// (tfprotov6.ProviderServerWithListResource), actions
// (ProviderServerWithActions) and state stores
// (ProviderServerWithStateStores). releasingServer is one; so must be a
// wrapper of it (acctest's recorder), or terraform-plugin-go answers the
// RPCs it lacks with "Not Implemented".
type Server interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// releasingServer gives the framework a stand-in context for each request.
//
// The framework's protocol server (terraform-plugin-framework v1.19.0,
// internal/proto6server registerContext) wraps every request context in
// context.WithCancel. It keeps the cancel function until StopProvider, so
// that StopProvider can cancel requests still in flight. Terraform sends
// StopProvider only on an interrupt, so the functions pile up for the
// whole process. Each one holds its request's context chain: the gRPC
// stream and its headers, and the logger options of terraform-plugin-go
// and the framework. A plan of 1,000 port group policies makes some 4,000
// requests (validate, upgrade, read, plan), and the provider grew to 170 MiB
// on contexts it would never use again.
//
// The framework gets a requestContext instead. It behaves as the request's
// context until the request returns, then lets go of it, so the framework
// retains about 150 bytes per request instead of about 15 KiB.
//
// Every RPC goes through it: those of tfprotov6.ProviderServer and of the
// optional interfaces (Server), whether or not the provider has list
// resources or state stores, so that the framework answers them and not
// terraform-plugin-go's "Not Implemented". TestShimForwardsEveryRPC fails
// when the framework's server gains an RPC that is not forwarded. A
// streaming RPC (InvokeAction, ListResource, ReadStateBytes) keeps its
// context until Terraform has drained its stream: the framework runs the
// action or the listing inside the stream's iterator, on that context.
//
// It also tells the end of the process that the connection to Terraform
// broke: a request's gRPC context cancelled while the request runs, with no
// StopProvider before (gRPC cancels the streams of a closed transport;
// Terraform sends no deadlines and cancels nothing but through StopProvider).
type releasingServer struct {
	next     Server
	sessions *Sessions
	stopped  *atomic.Bool // StopProvider came
	// direct answers plans of unchanged resources, refreshes and state
	// upgrades without the framework's walks of the values (internal/direct);
	// nil when CARP_DIRECT=0 (every request goes to the framework).
	direct *direct.Paths
}

var _ Server = releasingServer{}

// requestContext is a request's context until release, and a cancelled
// context without values after that: what the request's own context looks
// like once gRPC has answered, minus its values.
type requestContext struct {
	ctx atomic.Pointer[context.Context]
}

// closed is the Done channel of every released requestContext.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (c *requestContext) Deadline() (time.Time, bool) {
	if p := c.ctx.Load(); p != nil {
		return (*p).Deadline()
	}
	return time.Time{}, false
}

func (c *requestContext) Done() <-chan struct{} {
	if p := c.ctx.Load(); p != nil {
		return (*p).Done()
	}
	return closed
}

func (c *requestContext) Err() error {
	if p := c.ctx.Load(); p != nil {
		return (*p).Err()
	}
	return context.Canceled
}

func (c *requestContext) Value(key any) any {
	if p := c.ctx.Load(); p != nil {
		return (*p).Value(key)
	}
	return nil
}

func (c *requestContext) String() string { return "provider request context" }

// serve runs one request on a requestContext, released when it returns.
func serve[Req, Resp any](s releasingServer, ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := &requestContext{}
	rc.ctx.Store(&ctx)
	defer s.done(ctx, rc)
	return call(rc, req)
}

// serveStream runs one streaming request on a requestContext, released when
// the stream's iterator (*seq(resp)) is done: Terraform drained it, or
// stopped reading it. A call that answers with an error or no stream
// releases it at once. (terraform-plugin-go ranges over the iterator of
// every stream it gets without an error.)
func serveStream[Req, Resp, Ev any](s releasingServer, ctx context.Context, req Req, call func(context.Context, Req) (*Resp, error), seq func(*Resp) *iter.Seq[Ev]) (*Resp, error) {
	rc := &requestContext{}
	rc.ctx.Store(&ctx)
	resp, err := call(rc, req)
	if err != nil || resp == nil || *seq(resp) == nil {
		s.done(ctx, rc)
		return resp, err
	}
	events := seq(resp)
	inner := *events
	*events = func(yield func(Ev) bool) {
		defer s.done(ctx, rc)
		inner(yield)
	}
	return resp, nil
}

// done ends a request: its requestContext is released, and a gRPC context
// cancelled without a StopProvider first is a broken connection.
func (s releasingServer) done(ctx context.Context, rc *requestContext) {
	rc.ctx.Store(nil)
	if ctx.Err() != nil && s.stopped != nil && !s.stopped.Load() {
		s.sessions.connectionLost()
	}
}

func (s releasingServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return serve(s, ctx, req, s.next.GetMetadata)
}

func (s releasingServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return serve(s, ctx, req, s.next.GetProviderSchema)
}

func (s releasingServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return serve(s, ctx, req, s.next.GetResourceIdentitySchemas)
}

func (s releasingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateProviderConfig)
}

func (s releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return serve(s, ctx, req, s.next.ConfigureProvider)
}

// StopProvider is passed through as it is: it is what cancels the
// requests in flight, through the contexts the framework kept. It is
// noted first (terraform-plugin-go cancels its own request contexts after
// this returns), so a Ctrl-C is never taken for a broken connection.
func (s releasingServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	if s.stopped != nil {
		s.stopped.Store(true)
	}
	return s.next.StopProvider(ctx, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateResourceConfig)
}

// UpgradeResourceState: a state of the current schema version is
// answered by s.direct when it can, by the framework otherwise.
func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(s, ctx, req, func(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
		if resp, ok := s.direct.Upgrade(ctx, req); ok {
			return resp, nil
		}
		return s.next.UpgradeResourceState(ctx, req)
	})
}

// ReadResource: a resource whose Read is ReadValues is read by s.direct
// when it can, by the framework otherwise.
func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(s, ctx, req, func(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
		if resp, ok := s.direct.Read(ctx, req); ok {
			return resp, nil
		}
		return s.next.ReadResource(ctx, req)
	})
}

// PlanResourceChange: the plan of an unchanged resource is answered by
// s.direct when it can, by the framework otherwise.
func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(s, ctx, req, func(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
		if resp, ok := s.direct.Plan(ctx, req); ok {
			return resp, nil
		}
		return s.next.PlanResourceChange(ctx, req)
	})
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(s, ctx, req, s.next.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(s, ctx, req, s.next.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return serve(s, ctx, req, s.next.MoveResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(s, ctx, req, s.next.UpgradeResourceIdentity)
}

func (s releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.GenerateResourceConfig)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(s, ctx, req, s.next.ReadDataSource)
}

func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(s, ctx, req, s.next.CallFunction)
}

func (s releasingServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return serve(s, ctx, req, s.next.GetFunctions)
}

func (s releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateEphemeralResourceConfig)
}

func (s releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return serve(s, ctx, req, s.next.OpenEphemeralResource)
}

func (s releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return serve(s, ctx, req, s.next.RenewEphemeralResource)
}

func (s releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return serve(s, ctx, req, s.next.CloseEphemeralResource)
}

func (s releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateListResourceConfig)
}

func (s releasingServer) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return serveStream(s, ctx, req, s.next.ListResource, func(r *tfprotov6.ListResourceServerStream) *iter.Seq[tfprotov6.ListResourceResult] {
		return &r.Results
	})
}

func (s releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateActionConfig)
}

func (s releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return serve(s, ctx, req, s.next.PlanAction)
}

func (s releasingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return serveStream(s, ctx, req, s.next.InvokeAction, func(r *tfprotov6.InvokeActionServerStream) *iter.Seq[tfprotov6.InvokeActionEvent] {
		return &r.Events
	})
}

func (s releasingServer) ValidateStateStoreConfig(ctx context.Context, req *tfprotov6.ValidateStateStoreConfigRequest) (*tfprotov6.ValidateStateStoreConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateStateStoreConfig)
}

func (s releasingServer) ConfigureStateStore(ctx context.Context, req *tfprotov6.ConfigureStateStoreRequest) (*tfprotov6.ConfigureStateStoreResponse, error) {
	return serve(s, ctx, req, s.next.ConfigureStateStore)
}

func (s releasingServer) ReadStateBytes(ctx context.Context, req *tfprotov6.ReadStateBytesRequest) (*tfprotov6.ReadStateBytesStream, error) {
	return serveStream(s, ctx, req, s.next.ReadStateBytes, func(r *tfprotov6.ReadStateBytesStream) *iter.Seq[tfprotov6.ReadStateByteChunk] {
		return &r.Chunks
	})
}

// WriteStateBytes reads its request's stream within the call: a unary
// answer, released when the call returns.
func (s releasingServer) WriteStateBytes(ctx context.Context, req *tfprotov6.WriteStateBytesStream) (*tfprotov6.WriteStateBytesResponse, error) {
	return serve(s, ctx, req, s.next.WriteStateBytes)
}

func (s releasingServer) GetStates(ctx context.Context, req *tfprotov6.GetStatesRequest) (*tfprotov6.GetStatesResponse, error) {
	return serve(s, ctx, req, s.next.GetStates)
}

func (s releasingServer) DeleteState(ctx context.Context, req *tfprotov6.DeleteStateRequest) (*tfprotov6.DeleteStateResponse, error) {
	return serve(s, ctx, req, s.next.DeleteState)
}

func (s releasingServer) LockState(ctx context.Context, req *tfprotov6.LockStateRequest) (*tfprotov6.LockStateResponse, error) {
	return serve(s, ctx, req, s.next.LockState)
}

func (s releasingServer) UnlockState(ctx context.Context, req *tfprotov6.UnlockStateRequest) (*tfprotov6.UnlockStateResponse, error) {
	return serve(s, ctx, req, s.next.UnlockState)
}
