package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	full := map[string]string{EnvServer: "vc.lab:443", EnvUser: "u", EnvPassword: "p"}
	cases := []struct {
		name     string
		model    providerModel
		env      map[string]string
		wantAttr string // "" = no problem
		check    func(t *testing.T, got settingsResult)
	}{
		{name: "env only", env: full, check: func(t *testing.T, r settingsResult) {
			if r.Server != "vc.lab:443" || r.User != "u" || r.Password != "p" || r.Insecure || r.APITimeout != 5*time.Minute {
				t.Errorf("got %+v", r.Config)
			}
		}},
		{name: "block wins", env: full, model: providerModel{User: types.StringValue("admin"), AllowUnverifiedSSL: types.BoolValue(true), APITimeout: types.StringValue("90s")},
			check: func(t *testing.T, r settingsResult) {
				if r.User != "admin" || !r.Insecure || r.APITimeout != 90*time.Second {
					t.Errorf("got %+v", r.Config)
				}
			}},
		{name: "missing server", env: map[string]string{EnvUser: "u", EnvPassword: "p"}, wantAttr: "vsphere_server"},
		{name: "missing user", env: map[string]string{EnvServer: "vc", EnvPassword: "p"}, wantAttr: "user"},
		{name: "missing password", env: map[string]string{EnvServer: "vc", EnvUser: "u"}, wantAttr: "password"},
		{name: "insecure env", env: with(full, EnvInsecure, "1"), check: func(t *testing.T, r settingsResult) {
			if !r.Insecure {
				t.Error("VSPHERE_ALLOW_UNVERIFIED_SSL=1 not honoured")
			}
		}},
		{name: "insecure env garbage", env: with(full, EnvInsecure, "maybe"), wantAttr: "allow_unverified_ssl"},
		{name: "scheme", env: with(full, EnvServer, "https://vc"), wantAttr: "vsphere_server"},
		{name: "path", env: with(full, EnvServer, "vc/sdk"), wantAttr: "vsphere_server"},
		{name: "bad port", env: with(full, EnvServer, "vc:99999"), wantAttr: "vsphere_server"},
		{name: "timeout zero", env: with(full, EnvAPITimeout, "0s"), wantAttr: "api_timeout"},
		{name: "timeout garbage", env: with(full, EnvAPITimeout, "5 minutes"), wantAttr: "api_timeout"},
		{name: "thumbprint short", env: with(full, EnvThumbprint, "AA:BB"), wantAttr: "thumbprint"},
		{name: "thumbprint lower", env: with(full, EnvThumbprint, strings.Repeat("ab:", 19)+"ab"), check: func(t *testing.T, r settingsResult) {
			if r.Thumbprint != strings.Repeat("AB:", 19)+"AB" {
				t.Errorf("thumbprint not normalised: %q", r.Thumbprint)
			}
		}},
		{name: "ca file missing", env: with(full, EnvCAFile, "/nonexistent/ca.pem"), wantAttr: "ca_file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.model
			for _, s := range []*types.String{&m.VSphereServer, &m.User, &m.Password, &m.Thumbprint, &m.CAFile, &m.APITimeout} {
				if s.IsUnknown() || (!s.IsNull() && s.ValueString() == "") {
					*s = types.StringNull()
				}
			}
			cfg, probs := settings(m, env(tc.env))
			if tc.wantAttr == "" {
				if len(probs) > 0 {
					t.Fatalf("unexpected problems: %+v", probs)
				}
				if tc.check != nil {
					tc.check(t, settingsResult{cfg})
				}
				return
			}
			for _, p := range probs {
				if p.attr == tc.wantAttr {
					if p.detail == "" {
						t.Errorf("problem on %s has no detail", p.attr)
					}
					return
				}
			}
			t.Fatalf("want a problem on %s, got %+v", tc.wantAttr, probs)
		})
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

type settingsResult struct{ vsphere.Config }
