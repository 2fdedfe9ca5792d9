package toggleaction_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/provider"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/toggleaction"
)

// harness is the provider's protocol 6 server (the framework's, behind the
// shim, as main.go serves it), configured against a simulator of its own.
type harness struct {
	e   *acctest.Env
	srv provider.Server
	typ tftypes.Object // the action's config type
}

func newHarness(t *testing.T, sc simulator.Scenario) *harness {
	t.Helper()
	e := acctest.New(t, sc)
	raw, err := e.Factories()["carp"]()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := raw.(provider.Server)
	if !ok {
		t.Fatalf("the provider's server %T does not serve actions", raw)
	}
	sch, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	as, ok := sch.ActionSchemas[toggleaction.TypeName]
	if !ok {
		t.Fatalf("no action %s in the provider schema", toggleaction.TypeName)
	}
	cfg := value(t, sch.Provider.ValueType().(tftypes.Object), map[string]tftypes.Value{
		"vsphere_server":       tftypes.NewValue(tftypes.String, e.Sim.URL.Host),
		"user":                 tftypes.NewValue(tftypes.String, e.Sim.User),
		"password":             tftypes.NewValue(tftypes.String, e.Sim.Password),
		"allow_unverified_ssl": tftypes.NewValue(tftypes.Bool, true),
	})
	resp, err := srv.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("ConfigureProvider: %s: %s", d.Summary, d.Detail)
	}
	return &harness{e: e, srv: srv, typ: as.Schema.ValueType().(tftypes.Object)}
}

// value is an object of typ with vals, every other attribute null.
func value(t *testing.T, typ tftypes.Object, vals map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	all := map[string]tftypes.Value{}
	for k, at := range typ.AttributeTypes {
		all[k] = tftypes.NewValue(at, nil)
		if v, ok := vals[k]; ok {
			all[k] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, all))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// targets is an action configuration.
type targets struct {
	portgroups [][2]string // host name, port group
	dvpgs      []string    // DV port group names
	hosts      []string    // host names
}

func (h *harness) config(t *testing.T, tg targets) *tfprotov6.DynamicValue {
	t.Helper()
	vals := map[string]tftypes.Value{}
	strs := func(attr string, ids []string) {
		if ids == nil {
			return
		}
		var vs []tftypes.Value
		for _, id := range ids {
			vs = append(vs, tftypes.NewValue(tftypes.String, id))
		}
		vals[attr] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, vs)
	}
	if tg.portgroups != nil {
		lt := h.typ.AttributeTypes["portgroups"].(tftypes.List)
		ot := lt.ElementType.(tftypes.Object)
		var vs []tftypes.Value
		for _, p := range tg.portgroups {
			vs = append(vs, tftypes.NewValue(ot, map[string]tftypes.Value{
				"host_system_id": tftypes.NewValue(tftypes.String, h.id(p[0])),
				"portgroup":      tftypes.NewValue(tftypes.String, p[1]),
			}))
		}
		vals["portgroups"] = tftypes.NewValue(lt, vs)
	}
	var dvs, hosts []string
	for _, n := range tg.dvpgs {
		dvs = append(dvs, h.dvid(n))
	}
	for _, n := range tg.hosts {
		hosts = append(hosts, h.id(n))
	}
	strs("distributed_portgroup_ids", dvs)
	strs("host_system_ids", hosts)
	return value(t, h.typ, vals)
}

// id is a host's moref; a name the simulator does not have is taken as a
// moref as it is.
func (h *harness) id(name string) string {
	if strings.HasPrefix(name, "host-") {
		return name
	}
	return h.e.Sim.HostID(name)
}

func (h *harness) dvid(name string) string {
	if strings.HasPrefix(name, "dvportgroup-") {
		return name
	}
	return h.e.Sim.DVPortGroupID(name)
}

// outcome is what one InvokeAction streamed.
type outcome struct {
	progress []string
	diags    []*tfprotov6.Diagnostic
}

func (o outcome) errors() []string {
	var out []string
	for _, d := range o.diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// invoke runs InvokeAction on ctx and drains its stream, as Terraform does.
func (h *harness) invoke(t *testing.T, ctx context.Context, tg targets) outcome {
	t.Helper()
	st, err := h.srv.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: toggleaction.TypeName, Config: h.config(t, tg)})
	if err != nil {
		t.Fatal(err)
	}
	var o outcome
	completed := 0
	for ev := range st.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			o.progress = append(o.progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			completed++
			o.diags = e.Diagnostics
		}
	}
	if completed != 1 {
		t.Fatalf("%d completed events, want 1", completed)
	}
	return o
}

// writes are the recorded writes of port groups and vSwitches since the
// last reset: "<method> <detail>", faulted ones marked.
func (h *harness) writes() []string {
	var out []string
	for _, c := range h.e.Sim.Calls() {
		switch c.Method {
		case "UpdatePortGroup", "UpdateVirtualSwitch", "ReconfigureDVPortgroup_Task":
			w := c.Method + " " + c.Detail
			if c.Fault != "" {
				w += " FAULT " + c.Fault
			}
			out = append(out, w)
		}
	}
	return out
}

// expectWrites checks the writes in order: the i-th contains want[i].
func (h *harness) expectWrites(t *testing.T, want ...string) {
	t.Helper()
	got := h.writes()
	if len(got) != len(want) {
		t.Fatalf("%d writes, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range got {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("write %d is %q, want it to contain %q (all: %s)", i+1, got[i], want[i], strings.Join(got, "; "))
		}
	}
}

// expectProgress checks the progress messages in order: the i-th contains
// every part of want[i].
func expectProgress(t *testing.T, o outcome, want ...[]string) {
	t.Helper()
	if len(o.progress) != len(want) {
		t.Fatalf("%d progress events, want %d:\n%s", len(o.progress), len(want), strings.Join(o.progress, "\n"))
	}
	for i, parts := range want {
		for _, p := range parts {
			if !strings.Contains(o.progress[i], p) {
				t.Errorf("progress %d is %q, want it to contain %q", i+1, o.progress[i], p)
			}
		}
	}
}
