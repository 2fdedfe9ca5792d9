package direct

import (
	"bytes"
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Paths is the direct paths of one provider server's resources.
type Paths struct {
	provider provider.Provider
	// data is what the last ConfigureProvider gave the resources
	// (ConfigureResponse.ResourceData), nil before one succeeded.
	data  func() *ProviderData
	once  sync.Once
	types map[string]*plannableType
	// checkPlan, checkRead and checkUpgrade, when set (CrossCheck), get
	// every request answered here with the answer, to compare it with the
	// framework's.
	checkPlan    func(context.Context, *tfprotov6.PlanResourceChangeRequest, *tfprotov6.PlanResourceChangeResponse)
	checkRead    func(context.Context, *tfprotov6.ReadResourceRequest, *tfprotov6.ReadResourceResponse)
	checkUpgrade func(context.Context, *tfprotov6.UpgradeResourceStateRequest, *tfprotov6.UpgradeResourceStateResponse)
}

// ProviderData holds what a ConfigureProvider gave the resources.
type ProviderData struct{ V any }

// New returns the direct paths of p's resources; data returns what the
// provider's last successful Configure gave them: nil before one, and
// nil while the configuration is deferred (ConfigureResponse.Deferred),
// when the framework answers every plan and read deferred itself.
func New(p provider.Provider, data func() *ProviderData) *Paths {
	return &Paths{provider: p, data: data}
}

// plannableType is one resource type direct answers for.
type plannableType struct {
	newResource func() resource.Resource
	schema      schema.Schema
	tfType      tftypes.Type
	// identitySchema and identityType are set when the resource has an
	// identity.
	identitySchema  identityschema.Schema
	identityType    tftypes.Type
	mutableIdentity bool
	defaults        []defaultAt
}

// Plan answers req, or reports false for the framework to answer it.
func (u *Paths) Plan(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, bool) {
	if u == nil || req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil || len(req.PriorPrivate) > 0 ||
		len(req.PriorState.MsgPack) == 0 || !bytes.Equal(req.PriorState.MsgPack, req.ProposedNewState.MsgPack) {
		return nil, false
	}
	data := u.data()
	if data == nil {
		return nil, false // not configured: the framework says so
	}
	t := u.typesOf(ctx)[req.TypeName]
	if t == nil {
		return nil, false
	}
	prior, err := req.PriorState.Unmarshal(t.tfType)
	if err != nil || prior.IsNull() || !prior.IsFullyKnown() {
		return nil, false
	}
	config, err := req.Config.Unmarshal(t.tfType)
	if err != nil || !t.noDefaultApplies(ctx, prior, config) {
		return nil, false
	}
	mp, ok := configuredAs[resource.ResourceWithModifyPlan](ctx, t, data)
	if !ok {
		return nil, false
	}
	mreq := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Raw: config, Schema: t.schema},
		Plan:   tfsdk.Plan{Raw: prior, Schema: t.schema},
		State:  tfsdk.State{Raw: prior, Schema: t.schema},
	}
	if req.ClientCapabilities != nil {
		mreq.ClientCapabilities.DeferralAllowed = req.ClientCapabilities.DeferralAllowed
	}
	mresp := resource.ModifyPlanResponse{Plan: tfsdk.Plan{Raw: prior.Copy(), Schema: t.schema}, RequiresReplace: path.Paths{}}
	var identity tftypes.Value
	if t.identityType != nil {
		if identity, ok = priorIdentity(req, t.identityType); !ok {
			return nil, false
		}
		mreq.Identity = &tfsdk.ResourceIdentity{Schema: t.identitySchema, Raw: identity.Copy()}
		mresp.Identity = &tfsdk.ResourceIdentity{Schema: t.identitySchema, Raw: identity.Copy()}
	}
	mp.ModifyPlan(ctx, mreq, &mresp)
	if mresp.Diagnostics.HasError() || len(mresp.RequiresReplace) > 0 || mresp.Deferred != nil || mresp.Plan.Raw.IsNull() {
		return nil, false
	}
	if t.identityType != nil && (mresp.Identity == nil || !mresp.Identity.Raw.Equal(identity)) {
		return nil, false // the framework checks and reports identity changes
	}
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState, Diagnostics: protoDiagnostics(ctx, mresp.Diagnostics)}
	if !mresp.Plan.Raw.Equal(prior) {
		planned, err := tfprotov6.NewDynamicValue(t.tfType, mresp.Plan.Raw)
		if err != nil {
			return nil, false
		}
		resp.PlannedState = &planned
	}
	if t.identityType != nil {
		if resp.PlannedIdentity, ok = identityData(req, t.identityType, identity); !ok {
			return nil, false
		}
	}
	if u.checkPlan != nil {
		u.checkPlan(ctx, req, resp)
	}
	return resp, true
}

// Upgrade answers UpgradeResourceState for a state of the schema's
// current version stored as JSON, as the framework's passthrough does
// (internal/fwserver/server_upgraderesourcestate.go): the JSON decoded
// with the schema's type, attributes it does not know ignored, and sent
// back encoded. The framework would also walk the value for list and set
// blocks, which a plannable type has none of. Anything else (an older
// version, a flatmap state, a state that does not decode) goes to the
// framework, which upgrades it or says why not.
func (u *Paths) Upgrade(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, bool) {
	if u == nil || req.RawState == nil || req.RawState.JSON == nil {
		return nil, false
	}
	t := u.typesOf(ctx)[req.TypeName]
	if t == nil || req.Version != t.schema.Version {
		return nil, false
	}
	v, err := req.RawState.UnmarshalWithOpts(t.tfType, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return nil, false
	}
	dv, err := tfprotov6.NewDynamicValue(t.tfType, v)
	if err != nil {
		return nil, false
	}
	resp := &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}
	if u.checkUpgrade != nil {
		u.checkUpgrade(ctx, req, resp)
	}
	return resp, true
}

// configuredAs is a new resource of t as a T, configured with data as
// the framework configures it for each request; false when it is no T or
// Configure reports an error (the framework answers then).
func configuredAs[T any](ctx context.Context, t *plannableType, data *ProviderData) (T, bool) {
	r := t.newResource()
	if c, ok := r.(resource.ResourceWithConfigure); ok {
		var resp resource.ConfigureResponse
		c.Configure(ctx, resource.ConfigureRequest{ProviderData: data.V}, &resp)
		if resp.Diagnostics.HasError() {
			var none T
			return none, false
		}
	}
	v, ok := r.(T)
	return v, ok
}

// priorIdentity is the request's prior identity, null when Terraform sent
// none (as the framework has it).
func priorIdentity(req *tfprotov6.PlanResourceChangeRequest, typ tftypes.Type) (tftypes.Value, bool) {
	if req.PriorIdentity == nil || req.PriorIdentity.IdentityData == nil {
		return tftypes.NewValue(typ, nil), true
	}
	v, err := req.PriorIdentity.IdentityData.Unmarshal(typ)
	return v, err == nil
}

// identityData is the planned identity as the framework answers it: the
// prior identity, or a null one when Terraform sent none.
func identityData(req *tfprotov6.PlanResourceChangeRequest, typ tftypes.Type, v tftypes.Value) (*tfprotov6.ResourceIdentityData, bool) {
	if req.PriorIdentity != nil && req.PriorIdentity.IdentityData != nil {
		return req.PriorIdentity, true
	}
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		return nil, false
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}, true
}
