package direct

import (
	"bytes"
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Framework is the framework's answers a cross-check compares with.
type Framework interface {
	PlanResourceChange(context.Context, *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error)
	ReadResource(context.Context, *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error)
	UpgradeResourceState(context.Context, *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error)
}

// CrossCheck makes every plan, read and state upgrade u answers answered
// by framework too, and report called with the resource type and what
// differs between the two answers ("" when they agree). The answer sent is
// u's. For tests: the framework's answer runs ModifyPlan or Read a second
// time, with the context quiet makes of the request's (the provider takes
// the SOAP round-trip counter of a test's RPC out).
func (u *Paths) CrossCheck(framework Framework, quiet func(context.Context) context.Context, report func(typeName, mismatch string)) {
	u.checkPlan = crossCheck(report, quiet, func(r *tfprotov6.PlanResourceChangeRequest) string { return r.TypeName }, framework.PlanResourceChange, u.compare)
	u.checkRead = crossCheck(report, quiet, func(r *tfprotov6.ReadResourceRequest) string { return r.TypeName }, framework.ReadResource, u.compareRead)
	u.checkUpgrade = crossCheck(report, quiet, func(r *tfprotov6.UpgradeResourceStateRequest) string { return r.TypeName }, framework.UpgradeResourceState, u.compareUpgrade)
}

// crossCheck answers a request the direct path answered with the
// framework's answer too, and reports how the two differ.
func crossCheck[Req, Resp any](report func(typeName, mismatch string), quiet func(context.Context) context.Context, typeName func(Req) string,
	framework func(context.Context, Req) (Resp, error), compare func(context.Context, string, Resp, Resp) string) func(context.Context, Req, Resp) {
	return func(ctx context.Context, req Req, fast Resp) {
		slow, err := framework(quiet(ctx), req)
		if err != nil {
			report(typeName(req), fmt.Sprintf("the framework's answer failed: %v", err))
			return
		}
		report(typeName(req), compare(ctx, typeName(req), fast, slow))
	}
}

// compareUpgrade says how two answers to one UpgradeResourceState differ.
func (u *Paths) compareUpgrade(ctx context.Context, typeName string, fast, slow *tfprotov6.UpgradeResourceStateResponse) string {
	if len(slow.Diagnostics) > 0 {
		return "the framework's upgrade: " + diagList(slow.Diagnostics)
	}
	// As values: maps encode in no fixed order.
	return diffValues("upgraded state", u.typesOf(ctx)[typeName].tfType, fast.UpgradedState, slow.UpgradedState)
}

// compare says how two answers to one PlanResourceChange differ, "" when
// they do not.
func (u *Paths) compare(ctx context.Context, typeName string, fast, slow *tfprotov6.PlanResourceChangeResponse) string {
	of := func(r *tfprotov6.PlanResourceChangeResponse) answer {
		return answer{r.PlannedState, r.PlannedIdentity, r.PlannedPrivate, r.Deferred, r.RequiresReplace, r.Diagnostics}
	}
	return u.diffAnswers(ctx, typeName, "planned", of(fast), of(slow))
}

// compareRead says how two answers to one ReadResource differ.
func (u *Paths) compareRead(ctx context.Context, typeName string, fast, slow *tfprotov6.ReadResourceResponse) string {
	of := func(r *tfprotov6.ReadResourceResponse) answer {
		return answer{r.NewState, r.NewIdentity, r.Private, r.Deferred, nil, r.Diagnostics}
	}
	return u.diffAnswers(ctx, typeName, "new", of(fast), of(slow))
}

// answer is what a plan or a read answers.
type answer struct {
	state    *tfprotov6.DynamicValue
	identity *tfprotov6.ResourceIdentityData
	private  []byte
	deferred *tfprotov6.Deferred
	replace  []*tftypes.AttributePath
	diags    []*tfprotov6.Diagnostic
}

// diffAnswers: state and identity compared as values, private state as
// bytes, then deferral, RequiresReplace and diagnostics.
func (u *Paths) diffAnswers(ctx context.Context, typeName, what string, fast, slow answer) string {
	t := u.typesOf(ctx)[typeName]
	if t == nil {
		return "no direct type " + typeName
	}
	if d := diffValues(what+" state", t.tfType, fast.state, slow.state); d != "" {
		return d
	}
	if d := diffIdentity(what+" identity", t.identityType, fast.identity, slow.identity); d != "" {
		return d
	}
	if !bytes.Equal(fast.private, slow.private) {
		return fmt.Sprintf("%s private %q, the framework's %q", what, fast.private, slow.private)
	}
	if (fast.deferred == nil) != (slow.deferred == nil) || (fast.deferred != nil && fast.deferred.Reason != slow.deferred.Reason) {
		return fmt.Sprintf("deferred %v, the framework's %v", fast.deferred, slow.deferred)
	}
	if len(fast.replace) != 0 || len(slow.replace) != 0 {
		return fmt.Sprintf("requires replace %v, the framework's %v", fast.replace, slow.replace)
	}
	return diffDiagnostics(fast.diags, slow.diags)
}

// diffDiagnostics says how two lists of diagnostics differ.
func diffDiagnostics(fast, slow []*tfprotov6.Diagnostic) string {
	if len(fast) != len(slow) {
		return fmt.Sprintf("%d diagnostics, the framework's %d: %s / %s", len(fast), len(slow), diagList(fast), diagList(slow))
	}
	for i, f := range fast {
		s := slow[i]
		if f.Severity != s.Severity || f.Summary != s.Summary || f.Detail != s.Detail || !f.Attribute.Equal(s.Attribute) {
			return fmt.Sprintf("diagnostic %d: %s, the framework's %s", i, diagList(fast[i:i+1]), diagList(slow[i:i+1]))
		}
	}
	return ""
}

func diffIdentity(what string, typ tftypes.Type, fast, slow *tfprotov6.ResourceIdentityData) string {
	if (fast == nil) != (slow == nil) {
		return fmt.Sprintf("%s %v, the framework's %v", what, fast, slow)
	}
	if fast == nil {
		return ""
	}
	return diffValues(what, typ, fast.IdentityData, slow.IdentityData)
}

func diffValues(what string, typ tftypes.Type, fast, slow *tfprotov6.DynamicValue) string {
	if fast == nil || slow == nil {
		if fast != slow {
			return fmt.Sprintf("%s %v, the framework's %v", what, fast, slow)
		}
		return ""
	}
	fv, err := fast.Unmarshal(typ)
	if err != nil {
		return fmt.Sprintf("%s does not decode: %v", what, err)
	}
	sv, err := slow.Unmarshal(typ)
	if err != nil {
		return fmt.Sprintf("the framework's %s does not decode: %v", what, err)
	}
	diffs, err := fv.Diff(sv)
	if err != nil {
		return fmt.Sprintf("%s: %v", what, err)
	}
	var b bytes.Buffer
	for _, d := range diffs {
		if d.Value1 != nil && d.Value2 != nil && len(d.Path.Steps()) > 0 && (d.Value1.Type().Is(tftypes.Object{}) || d.Value1.Type().Is(tftypes.List{}) || d.Value1.Type().Is(tftypes.Map{}) || d.Value1.Type().Is(tftypes.Set{})) {
			continue // a container of a difference listed on its own
		}
		if len(d.Path.Steps()) == 0 {
			continue
		}
		fmt.Fprintf(&b, "; %s: %v, the framework's %v", d.Path, d.Value1, d.Value2)
	}
	switch {
	case b.Len() > 0:
		return what + b.String()
	case len(diffs) > 0:
		return fmt.Sprintf("%s %v, the framework's %v", what, fv, sv)
	}
	return ""
}

func diagList(ds []*tfprotov6.Diagnostic) string {
	var b bytes.Buffer
	for _, d := range ds {
		fmt.Fprintf(&b, "[%s %q at %v: %q]", d.Severity, d.Summary, d.Attribute, d.Detail)
	}
	return b.String()
}
