// Package acctest is the acceptance-test harness: an in-process simulator per
// test, in-process provider factories that record every diagnostic
// (acctest.go), out-of-band access to the simulator on the test's context
// (oob.go), and the scenarios and HCL builders tests of several packages
// share (fixtures.go). Nothing here is global, so tests run in parallel.
package acctest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/provider"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// Env is one test's world.
type Env struct {
	T        testing.TB
	Sim      *simulator.Server
	Sessions *provider.Sessions
	Diags    *Recorder
	// Direct counts the requests the provider answered without the
	// framework's walks of the values (plans of unchanged resources,
	// reads, state upgrades); each was answered by the framework too, and
	// a difference fails the test.
	Direct *DirectCrossCheck
}

// DirectCrossCheck counts the plans, reads and state upgrades the
// provider's direct path answered, each compared with the framework's
// answer (provider.WithDirectCrossCheck).
type DirectCrossCheck struct {
	t        testing.TB
	answered atomic.Int64
}

func (c *DirectCrossCheck) report(typeName, mismatch string) {
	c.answered.Add(1)
	if mismatch != "" {
		c.t.Errorf("the direct answer for a %s differs from the framework's: %s", typeName, mismatch)
	}
}

// Answered is how many requests the direct path answered.
func (c *DirectCrossCheck) Answered() int64 { return c.answered.Load() }

// New starts a simulator for sc and stops it when the test ends.
func New(t testing.TB, sc simulator.Scenario, opts ...simulator.Option) *Env {
	t.Helper()
	s, err := simulator.Start(sc, opts...)
	if err != nil {
		t.Fatalf("starting simulator: %v", err)
	}
	e := &Env{T: t, Sim: s, Sessions: &provider.Sessions{}, Diags: &Recorder{}, Direct: &DirectCrossCheck{t: t}}
	// t.Context is cancelled before cleanups run: keep its values, not
	// its cancellation, for the logouts.
	ctx := context.WithoutCancel(t.Context())
	t.Cleanup(func() {
		if n := e.Direct.Answered(); n > 0 {
			t.Logf("the direct paths answered %d requests, each compared with the framework's answer", n)
		}
		e.Sessions.End(ctx)
		s.Close()
	})
	return e
}

// Factories returns in-process protocol 6 provider factories whose
// diagnostics are recorded in e.Diags.
func (e *Env) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"carp": func() (tfprotov6.ProviderServer, error) {
			srv, err := provider.NewServer("test", e.Sessions, provider.WithDirectCrossCheck(e.Direct.report))()
			if err != nil {
				return nil, err
			}
			full, ok := srv.(provider.Server)
			if !ok {
				return nil, fmt.Errorf("provider.NewServer returned %T, not a provider.Server", srv)
			}
			return &recordingServer{Server: full, rec: e.Diags}, nil
		},
	}
}

// ProviderBlock is a provider "carp" block pointing at this test's
// simulator; extra lines are added inside the block.
func (e *Env) ProviderBlock(extra ...string) string {
	var b strings.Builder
	// The full source address: OpenTofu would read "carp" alone as
	// registry.opentofu.org/hashicorp/carp, which nothing serves here (the
	// harness sets TF_ACC_PROVIDER_NAMESPACE=carpsafe; see the Makefile).
	b.WriteString("terraform {\n  required_providers {\n    carp = { source = \"registry.terraform.io/carpsafe/carp\" }\n  }\n}\n\n")
	b.WriteString("provider \"carp\" {\n")
	fmt.Fprintf(&b, "  vsphere_server = %q\n  user = %q\n  password = %q\n", e.Sim.URL.Host, e.Sim.User, e.Sim.Password)
	hasTLS := false
	for _, l := range extra {
		for _, attr := range []string{"allow_unverified_ssl", "thumbprint", "ca_file"} {
			if strings.HasPrefix(strings.TrimSpace(l), attr) { // not nsx_thumbprint...
				hasTLS = true
			}
		}
	}
	if !hasTLS {
		b.WriteString("  allow_unverified_ssl = true\n")
	}
	for _, l := range extra {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Config joins the provider block and HCL fragments.
func (e *Env) Config(parts ...string) string {
	return e.ProviderBlock() + "\n" + strings.Join(parts, "\n")
}

// Live reports whether the suite runs against a real vCenter
// (make testacc-live sets VSPHERE_SERVER).
func Live() bool { return os.Getenv("CARP_ACC_LIVE") != "" && os.Getenv("VSPHERE_SERVER") != "" }

// Diag is one recorded diagnostic.
type Diag struct {
	RPC      string
	Severity string // "error" or "warning"
	Summary  string
	Detail   string
	// Attribute is the attribute path, such as teaming[0].load_balancing
	// or advanced_options["Net.X"]; "" when the diagnostic has none.
	Attribute string
}

// AttrPath shows an attribute path as Diag.Attribute does.
func AttrPath(p *tftypes.AttributePath) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, st := range p.Steps() {
		switch v := st.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(v))
		case tftypes.ElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(v))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(v))
		default:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

func (d Diag) String() string {
	return fmt.Sprintf("%s %s: %s: %s", d.RPC, d.Severity, d.Summary, d.Detail)
}

// Recorder keeps every diagnostic the provider returned, and how many SOAP
// round trips each RPC made.
type Recorder struct {
	mu    sync.Mutex
	diags []Diag
	calls []RPCCalls
}

// RPCCalls is the number of SOAP round trips one provider RPC made, and
// of NSX calls.
type RPCCalls struct {
	RPC, TypeName string
	Calls         int64
	NSXCalls      int64
}

// Calls returns the per-RPC round-trip record.
func (r *Recorder) Calls() []RPCCalls {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RPCCalls(nil), r.calls...)
}

func (r *Recorder) addCalls(rpc, typeName string, n, nsxCalls int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, RPCCalls{RPC: rpc, TypeName: typeName, Calls: n, NSXCalls: nsxCalls})
}

// counted runs an RPC with round-trip counters (vSphere, NSX) in its ctx.
func counted[T any](r *Recorder, ctx context.Context, rpc, typeName string, f func(context.Context) T) T {
	var n, nsxN atomic.Int64
	out := f(nsx.WithCallCounter(vsphere.WithCallCounter(ctx, &n), &nsxN))
	r.addCalls(rpc, typeName, n.Load(), nsxN.Load())
	return out
}

// LogMaxCalls logs the most SOAP round trips one rpc of typeName made so
// far: the figure a budget (ExpectMaxCalls) is measured with.
func (r *Recorder) LogMaxCalls(t testing.TB, rpc, typeName string) func(*terraform.State) error {
	return func(*terraform.State) error {
		var most int64
		for _, c := range r.Calls() {
			if c.RPC == rpc && c.TypeName == typeName && c.Calls > most {
				most = c.Calls
			}
		}
		t.Logf("%s %s: at most %d SOAP round trips", rpc, typeName, most)
		return nil
	}
}

// ExpectMaxCalls fails unless every recorded rpc (e.g. "ReadResource") for
// typeName ("" = any) made at most max round trips, and at least one ran.
func (r *Recorder) ExpectMaxCalls(rpc, typeName string, max int64) func(*terraform.State) error {
	return r.expectMax(rpc, typeName, max, "SOAP round trips", func(c RPCCalls) int64 { return c.Calls })
}

// expectMax is ExpectMaxCalls for the count of what (SOAP round trips,
// NSX calls).
func (r *Recorder) expectMax(rpc, typeName string, max int64, what string, count func(RPCCalls) int64) func(*terraform.State) error {
	return func(*terraform.State) error {
		seen := 0
		for _, c := range r.Calls() {
			if c.RPC != rpc || (typeName != "" && c.TypeName != typeName) {
				continue
			}
			seen++
			if n := count(c); n > max {
				return fmt.Errorf("%s of %s made %d %s; the budget is %d", rpc, c.TypeName, n, what, max)
			}
		}
		if seen == 0 {
			return fmt.Errorf("no %s of %q was recorded", rpc, typeName)
		}
		return nil
	}
}

func (r *Recorder) add(rpc string, ds []*tfprotov6.Diagnostic) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range ds {
		if d == nil {
			continue
		}
		sev := "error"
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			sev = "warning"
		}
		r.diags = append(r.diags, Diag{RPC: rpc, Severity: sev, Summary: d.Summary, Detail: d.Detail, Attribute: AttrPath(d.Attribute)})
	}
}

// Reset forgets what was recorded; use it in a step's PreConfig.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = nil
}

// All returns what was recorded.
func (r *Recorder) All() []Diag {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Diag(nil), r.diags...)
}

// Warnings returns the recorded pitfall warnings whose summary or detail
// contains substr, from the given RPC ("" = any).
func (r *Recorder) Warnings(rpc, substr string) []Diag {
	var out []Diag
	for _, d := range r.All() {
		if d.Severity == "warning" && (rpc == "" || d.RPC == rpc) &&
			(strings.Contains(d.Summary, substr) || strings.Contains(d.Detail, substr)) {
			out = append(out, d)
		}
	}
	return out
}

// Codes returns the sorted set of CARPnnn codes seen in recorded warnings.
func (r *Recorder) Codes() []string {
	seen := map[string]bool{}
	for _, d := range r.All() {
		if d.Severity != "warning" {
			continue
		}
		for _, f := range strings.Fields(d.Summary + " " + d.Detail) {
			f = strings.Trim(f, ".,:;()\"")
			if len(f) == 7 && strings.HasPrefix(f, "CARP") {
				seen[f] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ExpectWarning is a check that fails unless a warning containing each of
// substrs (all in one diagnostic) was recorded.
func (r *Recorder) ExpectWarning(substrs ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, d := range r.All() {
			if d.Severity != "warning" {
				continue
			}
			text := d.Summary + "\n" + d.Detail
			ok := true
			for _, s := range substrs {
				if !strings.Contains(text, s) {
					ok = false
					break
				}
			}
			if ok {
				return nil
			}
		}
		return fmt.Errorf("no warning containing %q; recorded:\n%s", substrs, r.dump())
	}
}

// ExpectNoWarning fails if any recorded warning contains substr.
func (r *Recorder) ExpectNoWarning(substr string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if ws := r.Warnings("", substr); len(ws) > 0 {
			return fmt.Errorf("unexpected warning containing %q: %s", substr, ws[0])
		}
		return nil
	}
}

func (r *Recorder) dump() string {
	var b strings.Builder
	for _, d := range r.All() {
		b.WriteString("  " + d.String() + "\n")
	}
	if b.Len() == 0 {
		return "  (nothing)"
	}
	return b.String()
}

// recordingServer wraps the provider server and records the diagnostics of
// the RPCs that carry plan warnings and errors. It forwards every RPC of
// provider.Server (actions, list resources...), not only those of
// tfprotov6.ProviderServer.
type recordingServer struct {
	provider.Server
	rec *Recorder
}

func (s *recordingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	type out struct {
		resp *tfprotov6.ConfigureProviderResponse
		err  error
	}
	o := counted(s.rec, ctx, "ConfigureProvider", "", func(ctx context.Context) out {
		resp, err := s.Server.ConfigureProvider(ctx, req)
		return out{resp, err}
	})
	resp, err := o.resp, o.err
	if resp != nil {
		s.rec.add("ConfigureProvider", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	type out struct {
		resp *tfprotov6.PlanResourceChangeResponse
		err  error
	}
	o := counted(s.rec, ctx, "PlanResourceChange", req.TypeName, func(ctx context.Context) out {
		resp, err := s.Server.PlanResourceChange(ctx, req)
		return out{resp, err}
	})
	resp, err := o.resp, o.err
	if resp != nil {
		s.rec.add("PlanResourceChange", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	type out struct {
		resp *tfprotov6.ApplyResourceChangeResponse
		err  error
	}
	o := counted(s.rec, ctx, "ApplyResourceChange", req.TypeName, func(ctx context.Context) out {
		resp, err := s.Server.ApplyResourceChange(ctx, req)
		return out{resp, err}
	})
	resp, err := o.resp, o.err
	if resp != nil {
		s.rec.add("ApplyResourceChange", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	type out struct {
		resp *tfprotov6.ReadResourceResponse
		err  error
	}
	o := counted(s.rec, ctx, "ReadResource", req.TypeName, func(ctx context.Context) out {
		resp, err := s.Server.ReadResource(ctx, req)
		return out{resp, err}
	})
	resp, err := o.resp, o.err
	if resp != nil {
		s.rec.add("ReadResource", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	type out struct {
		resp *tfprotov6.ReadDataSourceResponse
		err  error
	}
	o := counted(s.rec, ctx, "ReadDataSource", req.TypeName, func(ctx context.Context) out {
		resp, err := s.Server.ReadDataSource(ctx, req)
		return out{resp, err}
	})
	resp, err := o.resp, o.err
	if resp != nil {
		s.rec.add("ReadDataSource", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	resp, err := s.Server.ValidateResourceConfig(ctx, req)
	if resp != nil {
		s.rec.add("ValidateResourceConfig", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	resp, err := s.Server.ValidateDataResourceConfig(ctx, req)
	if resp != nil {
		s.rec.add("ValidateDataResourceConfig", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	resp, err := s.Server.ValidateProviderConfig(ctx, req)
	if resp != nil {
		s.rec.add("ValidateProviderConfig", resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	resp, err := s.Server.ImportResourceState(ctx, req)
	if resp != nil {
		s.rec.add("ImportResourceState", resp.Diagnostics)
	}
	return resp, err
}
