// Package direct answers three RPCs of a provider's resources without
// the framework's walks of their values, where that changes nothing in
// the answer: the plan of an unchanged resource (Plan, below), the
// refresh of a resource whose Read is tfhelp.ValuesReader (Read, read.go)
// and the upgrade of a state of the current schema version (Upgrade).
// The provider's protocol server (internal/provider/server.go) asks it
// first and the framework when it declines. It runs the
// resource's own ModifyPlan and Read, as the framework does. For 1,000
// port group policies on 200 hosts the framework's walks were about 1.2 s
// of the provider's CPU per plan and 0.9 s per refresh, most of it; the
// resources' own code needs the decoded values only.
//
// Plan takes a request whose proposed new state is its prior state, byte
// for byte: every resource of a plan whose configuration did not change,
// refreshed or not. For it terraform-plugin-framework v1.19.0
// (internal/fwserver/server_planresourcechange.go) decodes the config,
// the prior state and the proposed new state (each walked once more for
// list and set blocks), applies the schema defaults where the config is
// null (a walk of the whole value, looking each attribute up in the
// schema), nulls write-only attributes (another walk), runs every
// attribute's plan modifiers (a lookup and a whole-value copy per
// attribute), calls ModifyPlan, and encodes the plan. The steps before
// ModifyPlan change nothing when the proposed new state is the prior
// state and:
//   - no default applies: each attribute with a default is set in the
//     config, or its prior value is the default (a removed attribute
//     whose prior value differs goes to the framework, which plans the
//     default);
//   - the schema has no write-only attribute, no custom type, no list or
//     set block, and only plan modifiers that do nothing when the planned
//     value equals the state's (the framework's RequiresReplace* and
//     UseStateForUnknown family): checked once per resource type
//     (plannable, schema.go);
//   - there is no private state (ModifyPlan is given none) and the
//     provider has no provider_meta schema.
//
// Anything else goes to the framework: a request that does not qualify,
// a type whose schema does not, a provider not configured yet, a
// ModifyPlan that reports an error, asks for a replacement, defers or
// changes the identity. Every acceptance test answers each request this
// path takes both ways and compares the answers (CrossCheck,
// acctest.Env.Direct); TestAccDirect_removedDefault is the case of a
// default the framework must plan.
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
