package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
)

func TestNSXSettings(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	full := map[string]string{EnvNSXManager: "nsx.lab", EnvNSXUser: "reader", EnvNSXPassword: "pw"}
	null := providerModel{NSXManager: types.StringNull(), NSXUser: types.StringNull(), NSXPassword: types.StringNull(), NSXAllowUnverifiedSSL: types.BoolNull(), NSXThumbprint: types.StringNull()}
	with := func(edit func(*providerModel)) providerModel { m := null; edit(&m); return m }
	cases := []struct {
		name     string
		model    providerModel
		env      map[string]string
		wantAttr string // "" = no problem
		wantNil  bool   // no NSX Manager
		check    func(t *testing.T, c *nsx.Config)
	}{
		{name: "none", model: null, wantNil: true},
		{name: "env, the nsxt provider's names", model: null, env: with2(full, EnvNSXInsecure, "true"), check: func(t *testing.T, c *nsx.Config) {
			if c.Manager != "nsx.lab" || c.User != "reader" || c.Password != "pw" || !c.Insecure {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "block wins", model: with(func(m *providerModel) { m.NSXUser = types.StringValue("admin") }), env: full, check: func(t *testing.T, c *nsx.Config) {
			if c.User != "admin" || c.Insecure {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "user without manager", model: with(func(m *providerModel) { m.NSXUser = types.StringValue("admin") }), wantAttr: "nsx_manager"},
		{name: "thumbprint without manager", model: with(func(m *providerModel) { m.NSXThumbprint = types.StringValue("AA") }), wantAttr: "nsx_manager"},
		{name: "env user alone is not NSX", model: null, env: map[string]string{EnvNSXUser: "reader"}, wantNil: true},
		{name: "missing user", model: null, env: map[string]string{EnvNSXManager: "nsx", EnvNSXPassword: "pw"}, wantAttr: "nsx_user"},
		{name: "missing password", model: null, env: map[string]string{EnvNSXManager: "nsx", EnvNSXUser: "u"}, wantAttr: "nsx_password"},
		{name: "scheme", model: with(func(m *providerModel) { m.NSXManager = types.StringValue("https://nsx") }), env: full, wantAttr: "nsx_manager"},
		{name: "bad thumbprint", model: with(func(m *providerModel) { m.NSXThumbprint = types.StringValue("AA:BB") }), env: full, wantAttr: "nsx_thumbprint"},
		{name: "insecure garbage", model: null, env: with2(full, EnvNSXInsecure, "perhaps"), wantAttr: "nsx_allow_unverified_ssl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, probs := nsxSettings(tc.model, env(tc.env), time.Minute)
			var attrs []string
			for _, p := range probs {
				attrs = append(attrs, p.attr)
			}
			if got := strings.Join(attrs, ","); got != tc.wantAttr {
				t.Fatalf("problems on %q, want %q (%+v)", got, tc.wantAttr, probs)
			}
			if tc.wantAttr != "" {
				return
			}
			if (cfg == nil) != tc.wantNil {
				t.Fatalf("config %+v, want nil %v", cfg, tc.wantNil)
			}
			if cfg != nil && (cfg.APITimeout != time.Minute || cfg.Manager == "" || cfg.User == "" || cfg.Password == "") {
				t.Errorf("config %+v", cfg)
			}
			if tc.check != nil {
				tc.check(t, cfg)
			}
		})
	}
}

func with2(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for kk, vv := range m {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}
