package simulator

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func optionValue(t *testing.T, opts []types.BaseOptionValue, key string) any {
	t.Helper()
	for _, o := range opts {
		if v := o.GetOptionValue(); v.Key == key {
			return v.Value
		}
	}
	t.Fatalf("option %s missing", key)
	return nil
}

// Gap 5: Net.ReversePathFwdCheckPromisc exists, is typed and validated.
func TestHostOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := twoHosts()
	sc.Datacenters[0].Clusters[0].Hosts[1].RPFCheckPromisc = 1
	s, c := start(t, sc)
	host := object.NewHostSystem(c.Client, hostRef(s, "h1"))
	om, err := host.ConfigManager().OptionManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := inventory.OptionRPFKey
	opts, err := om.Query(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 1 || optionValue(t, opts, key) != int64(0) {
		t.Fatalf("query: %#v", opts)
	}
	if v := optionValue(t, hostConfig(t, c, s, "h2", "config.option").Config.Option, key); v != int64(1) {
		t.Fatalf("h2 scenario value: %#v", v)
	}

	// definition
	h := hostConfig(t, c, s, "h1", "config.optionDef", "config.option")
	var def *types.LongOption
	for _, d := range h.Config.OptionDef {
		if d.Key == key {
			def, _ = d.OptionType.(*types.LongOption)
		}
	}
	if def == nil || def.Min != 0 || def.Max != 1 || def.DefaultValue != 0 {
		t.Fatalf("optionDef: %#v", def)
	}
	// every option has a definition and a value of its type
	defs := map[string]types.OptionDef{}
	for _, d := range h.Config.OptionDef {
		defs[d.Key] = d
	}
	for _, o := range h.Config.Option {
		v := o.GetOptionValue()
		d, ok := defs[v.Key]
		if !ok || !validateOption(d, v.Value) {
			t.Errorf("option %s=%#v does not match its definition", v.Key, v.Value)
		}
	}

	set := func(k string, v any) error {
		return om.Update(ctx, []types.BaseOptionValue{&types.OptionValue{Key: k, Value: v}})
	}
	wantFault(t, set(key, "1"), "InvalidArgument")
	wantFault(t, set(key, int64(2)), "InvalidArgument")
	wantFault(t, set(key, int32(1)), "InvalidArgument")
	wantFault(t, set("Net.NoSuchOption", int64(1)), "InvalidName")
	wantFault(t, set("Syslog.global.logHost", int64(1)), "InvalidArgument")
	if err := set(key, int64(1)); err != nil {
		t.Fatal(err)
	}
	if err := set("Syslog.global.logHost", "udp://10.0.0.1:514"); err != nil {
		t.Fatal(err)
	}
	// the property collector path the provider reads
	h = hostConfig(t, c, s, "h1", "config.option")
	if v := optionValue(t, h.Config.Option, key); v != int64(1) {
		t.Fatalf("config.option: %#v (%T)", v, v)
	}
	opts, _ = om.Query(ctx, key)
	if v := optionValue(t, opts, key); v != int64(1) {
		t.Fatalf("query after update: %#v", v)
	}
	// h2 untouched by h1's change
	if v := optionValue(t, hostConfig(t, c, s, "h2", "config.option").Config.Option, key); v != int64(1) {
		t.Fatalf("h2: %#v", v)
	}
	// prefix query
	opts, err = om.Query(ctx, "Net.")
	if err != nil || len(opts) < 5 {
		t.Fatalf("prefix query: %d %v", len(opts), err)
	}
	_, err = om.Query(ctx, "Nope.Nothing")
	wantFault(t, err, "InvalidName")

	// helper
	if err := s.SetHostOption(ctx, "h2", key, int64(0)); err != nil {
		t.Fatal(err)
	}
	if v := optionValue(t, hostConfig(t, c, s, "h2", "config.option").Config.Option, key); v != int64(0) {
		t.Fatalf("h2 after helper: %#v", v)
	}
}
