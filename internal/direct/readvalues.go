package direct

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// PrivateReader and PrivateWriter are the part of the framework's private
// state (ReadRequest.Private, ReadResponse.Private) a resource's read
// uses.
type PrivateReader interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type PrivateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// ReadIn and ReadOut are a resource read's request and response, with the
// private state behind the interfaces above: resource.ReadRequest and
// ReadResponse carry it as the framework's own type, which nothing
// outside the framework can make.
type ReadIn struct {
	ClientCapabilities resource.ReadClientCapabilities
	State              tfsdk.State
	Identity           *tfsdk.ResourceIdentity
	Private            PrivateReader
}

type ReadOut struct {
	State       tfsdk.State
	Identity    *tfsdk.ResourceIdentity
	Private     PrivateWriter
	Diagnostics diag.Diagnostics
	Deferred    *resource.Deferred
}

// ValuesReader is a resource whose Read is ReadValues: the framework's
// Read calls it (FrameworkRead), and so does Paths.Read (read.go), which
// skips the framework's walks of the value. These types are direct's own
// so that the package depends on the framework alone: the resources
// (internal/portgrouppolicy, internal/hostsettings) implement them.
type ValuesReader interface {
	ReadValues(ctx context.Context, req ReadIn, resp *ReadOut)
}

// FrameworkRead runs r's ReadValues for the framework's Read.
func FrameworkRead(ctx context.Context, r ValuesReader, req resource.ReadRequest, resp *resource.ReadResponse) {
	out := ReadOut{State: resp.State, Identity: resp.Identity, Private: resp.Private, Diagnostics: resp.Diagnostics, Deferred: resp.Deferred}
	r.ReadValues(ctx, ReadIn{ClientCapabilities: req.ClientCapabilities, State: req.State, Identity: req.Identity, Private: req.Private}, &out)
	resp.State, resp.Identity, resp.Diagnostics, resp.Deferred = out.State, out.Identity, out.Diagnostics, out.Deferred
}
