package direct

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Read answers ReadResource for a resource whose Read is ReadValues
// (ValuesReader, readvalues.go), as terraform-plugin-framework v1.19.0 does
// (internal/fwserver/server_readresource.go) less its walks of the value:
// semantic equality (a plannable type has no custom types), write-only
// attributes and list or set blocks (none either). What that saves: the
// package comment (doc.go).
//
// A state whose private data holds keys of the framework's own (an import
// about to be read) goes to the framework, as does one that does not
// decode or a provider not configured yet. Once ReadValues has run, the
// answer is this path's, errors included, as the framework would give it.
func (u *Paths) Read(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	if u == nil || req.CurrentState == nil {
		return nil, false
	}
	data := u.data()
	t := u.typesOf(ctx)[req.TypeName]
	if data == nil || t == nil {
		return nil, false
	}
	priv, ok := parsePrivate(req.Private)
	if !ok {
		return nil, false
	}
	state, err := req.CurrentState.Unmarshal(t.tfType)
	if err != nil {
		return nil, false
	}
	vr, ok := configuredAs[ValuesReader](ctx, t, data)
	if !ok {
		return nil, false
	}
	in := ReadIn{State: tfsdk.State{Raw: state, Schema: t.schema}, Private: priv}
	if req.ClientCapabilities != nil {
		in.ClientCapabilities.DeferralAllowed = req.ClientCapabilities.DeferralAllowed
	}
	out := ReadOut{State: tfsdk.State{Raw: state.Copy(), Schema: t.schema}, Private: priv}
	var current tftypes.Value
	if t.identityType != nil {
		if req.CurrentIdentity == nil || req.CurrentIdentity.IdentityData == nil {
			current = tftypes.NewValue(t.identityType, nil)
		} else if current, err = req.CurrentIdentity.IdentityData.Unmarshal(t.identityType); err != nil {
			return nil, false
		}
		in.Identity = &tfsdk.ResourceIdentity{Schema: t.identitySchema, Raw: current.Copy()}
		out.Identity = &tfsdk.ResourceIdentity{Schema: t.identitySchema, Raw: current.Copy()}
	}

	vr.ReadValues(ctx, in, &out)

	diags := out.Diagnostics
	if !diags.HasError() && t.identityType != nil {
		checkReadIdentity(&diags, t, current, out.Identity)
	}
	resp := &tfprotov6.ReadResourceResponse{}
	if out.Deferred != nil {
		resp.Deferred = &tfprotov6.Deferred{Reason: tfprotov6.DeferredReason(out.Deferred.Reason)}
	}
	resp.NewState = encodeValue(t.tfType, out.State.Raw, "State", &diags)
	if out.Identity != nil {
		if id := encodeValue(t.identityType, out.Identity.Raw, "Resource Identity", &diags); id != nil {
			resp.NewIdentity = &tfprotov6.ResourceIdentityData{IdentityData: id}
		}
	}
	resp.Private = priv.bytes()
	resp.Diagnostics = protoDiagnostics(ctx, diags)
	if u.checkRead != nil {
		u.checkRead(ctx, req, resp)
	}
	return resp, true
}

// checkReadIdentity reports what the framework reports of the identity a
// Read returned: a change of a stored identity, and none at all.
func checkReadIdentity(diags *diag.Diagnostics, t *plannableType, current tftypes.Value, got *tfsdk.ResourceIdentity) {
	if got == nil || got.Raw.IsFullyNull() {
		diags.AddError("Missing Resource Identity After Read",
			"The Terraform Provider unexpectedly returned no resource identity data after having no errors in the resource read. "+
				"This is always an issue in the Terraform Provider and should be reported to the provider developers.")
		return
	}
	if !t.mutableIdentity && !current.IsFullyNull() && !current.Equal(got.Raw) {
		diags.AddError("Unexpected Identity Change",
			"During the read operation, the Terraform Provider unexpectedly returned a different identity than the previously stored one.\n\n"+
				"This is always a problem with the provider and should be reported to the provider developer.\n\n"+
				fmt.Sprintf("Current Identity: %s\n\n", current.String())+
				fmt.Sprintf("New Identity: %s", got.Raw.String()))
	}
}

// encodeValue encodes v for the protocol, as the framework does
// (internal/toproto6/dynamic_value.go).
func encodeValue(typ tftypes.Type, v tftypes.Value, what string, diags *diag.Diagnostics) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		diags.AddError("Unable to Convert "+what,
			"An unexpected error was encountered when converting the "+strings.ToLower(what)+" to the protocol type. "+
				"This is always an issue in terraform-plugin-framework used to implement the provider and should be reported to the provider developers.\n\n"+
				"Please report this to the provider developer:\n\n"+
				"Unable to create DynamicValue: "+err.Error())
		return nil
	}
	return &dv
}

// privateData is a resource's private state as the framework keeps it
// (internal/privatestate): JSON values by key, sent as a JSON object of
// base64 strings. Only the provider's keys: one of the framework's (a
// leading period) sends the request to the framework.
type privateData struct{ data map[string][]byte }

var _ interface {
	PrivateReader
	PrivateWriter
} = (*privateData)(nil)

func parsePrivate(b []byte) (*privateData, bool) {
	p := &privateData{data: map[string][]byte{}}
	if len(b) == 0 {
		return p, true
	}
	if json.Unmarshal(b, &p.data) != nil {
		return nil, false
	}
	for k, v := range p.data {
		if strings.HasPrefix(k, ".") || !utf8.Valid(v) || !json.Valid(v) {
			return nil, false
		}
	}
	return p, true
}

func restrictedKey(key string) diag.Diagnostics {
	if !strings.HasPrefix(key, ".") {
		return nil
	}
	return diag.Diagnostics{diag.NewErrorDiagnostic("Restricted Resource Private State Namespace",
		"Using a period ('.') as a prefix for a key used in private state is not allowed.\n\n"+
			fmt.Sprintf("The key %q is invalid. Please check the key you are supplying does not use a a period ('.') as a prefix.", key))}
}

func (p *privateData) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	if d := restrictedKey(key); d != nil {
		return nil, d
	}
	return p.data[key], nil
}

func (p *privateData) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if d := restrictedKey(key); d != nil {
		return d
	}
	switch {
	case len(value) == 0:
		delete(p.data, key)
	case !utf8.Valid(value):
		return diag.Diagnostics{diag.NewErrorDiagnostic("UTF-8 Invalid", "Values stored in private state must be valid UTF-8.\n\n"+
			fmt.Sprintf("The value being supplied for key %q is invalid. Please verify that the value is valid UTF-8.", key))}
	case !json.Valid(value):
		return diag.Diagnostics{diag.NewErrorDiagnostic("JSON Invalid", "Values stored in private state must be valid JSON.\n\n"+
			fmt.Sprintf("The value being supplied for key %q is invalid. Please verify that the value is valid JSON.", key))}
	default:
		p.data[key] = value
	}
	return nil
}

// bytes is the private state to send: nil when empty.
func (p *privateData) bytes() []byte {
	if len(p.data) == 0 {
		return nil
	}
	b, err := json.Marshal(p.data)
	if err != nil {
		return nil
	}
	return b
}
