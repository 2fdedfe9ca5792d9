package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns the provider's protocol 6 server factory: the
// framework's server behind releasingServer. main.go serves it and the
// acceptance tests run it, so both exercise the same server.
func NewServer(version string, sessions *Sessions) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		next, err := providerserver.NewProtocol6WithError(New(version, sessions)())()
		if err != nil {
			return nil, err
		}
		return releasingServer{next: next, sessions: sessions, stopped: &atomic.Bool{}}, nil
	}
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
// Every RPC of tfprotov6.ProviderServer goes through it. The optional list
// resource, action and state store interfaces are not forwarded: the
// provider has none of them.
//
// It also tells the end of the process that the connection to Terraform
// broke: a request's gRPC context cancelled while the request runs, with no
// StopProvider before (gRPC cancels the streams of a closed transport;
// Terraform sends no deadlines and cancels nothing but through StopProvider).
type releasingServer struct {
	next     tfprotov6.ProviderServer
	sessions *Sessions
	stopped  *atomic.Bool // StopProvider came
}

var _ tfprotov6.ProviderServer = releasingServer{}

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
	defer rc.ctx.Store(nil)
	resp, err := call(rc, req)
	if ctx.Err() != nil && s.stopped != nil && !s.stopped.Load() {
		s.sessions.connectionLost()
	}
	return resp, err
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

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(s, ctx, req, s.next.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(s, ctx, req, s.next.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(s, ctx, req, s.next.PlanResourceChange)
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
