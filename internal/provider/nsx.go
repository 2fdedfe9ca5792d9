package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/endpoint"
	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
)

// NSX Manager access (optional, read-only): the environment variables are
// the nsxt provider's, so one environment serves both providers.
const (
	EnvNSXManager  = "NSXT_MANAGER_HOST"
	EnvNSXUser     = "NSXT_USERNAME"
	EnvNSXPassword = "NSXT_PASSWORD"
	EnvNSXInsecure = "NSXT_ALLOW_UNVERIFIED_SSL"
)

// nsxAttributes are the provider block's nsx_* arguments.
func nsxAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"nsx_manager": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The NSX Manager host name, optionally with `:port` (no scheme, no path), to judge firewall NICs on NSX segments " +
				"(`CARP023`, `CARP024`). Without it such a NIC is not judged (`CARP025`, `ready = false`). Only read, through the NSX Policy API, and only when a " +
				"`carp_audit` meets an NSX segment: no other operation calls NSX. Falls back to `" + EnvNSXManager + "`.",
		},
		"nsx_user": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "The NSX user name; a user with NSX's read-only role is enough. Falls back to `" + EnvNSXUser + "`.",
		},
		"nsx_password": schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: "The NSX password. Falls back to `" + EnvNSXPassword + "`. Never logged. A rejected login is tried once per command and never " +
				"retried: NSX locks an account for 15 minutes after five failed logins.",
		},
		"nsx_allow_unverified_ssl": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Skip the verification of NSX Manager's certificate. Default `false`. Falls back to `" + EnvNSXInsecure + "`. Prefer `nsx_thumbprint`.",
		},
		"nsx_thumbprint": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Pin NSX Manager's certificate by its SHA-1 or SHA-256 thumbprint (colon-separated hex). When set, the certificate must match it " +
				"exactly; its chain is not checked.",
		},
	}
}

// withNSXAttributes adds the nsx_* arguments to the provider's.
func withNSXAttributes(attrs map[string]schema.Attribute) map[string]schema.Attribute {
	for k, v := range nsxAttributes() {
		attrs[k] = v
	}
	return attrs
}

// nsxUnknowns are the nsx_* values, for the check of unknown values.
func (m providerModel) nsxUnknowns() map[string]interface{ IsUnknown() bool } {
	return map[string]interface{ IsUnknown() bool }{
		"nsx_manager": m.NSXManager, "nsx_user": m.NSXUser, "nsx_password": m.NSXPassword,
		"nsx_allow_unverified_ssl": m.NSXAllowUnverifiedSSL, "nsx_thumbprint": m.NSXThumbprint,
	}
}

// nsxSettings resolves the nsx_* arguments and their environment: nil
// when no NSX Manager is set. An nsx_* argument set in the block without
// nsx_manager is a problem on nsx_manager.
func nsxSettings(m providerModel, getenv func(string) string, timeout time.Duration) (*nsx.Config, []attrProblem) {
	var probs []attrProblem
	set := func(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }
	str := func(v types.String, env string) string {
		if set(v) {
			return v.ValueString()
		}
		return getenv(env)
	}
	manager := str(m.NSXManager, EnvNSXManager)
	if manager == "" {
		if set(m.NSXUser) || set(m.NSXPassword) || set(m.NSXThumbprint) || (!m.NSXAllowUnverifiedSSL.IsNull() && !m.NSXAllowUnverifiedSSL.IsUnknown()) {
			probs = append(probs, attrProblem{"nsx_manager", "Missing nsx_manager",
				"The nsx_* arguments are set but nsx_manager is not: set nsx_manager (or " + EnvNSXManager + ") to the NSX Manager's host name, or remove them."})
		}
		return nil, probs
	}
	cfg := &nsx.Config{Manager: manager, User: str(m.NSXUser, EnvNSXUser), Password: str(m.NSXPassword, EnvNSXPassword), APITimeout: timeout}
	if _, err := nsx.ManagerURL(manager); err != nil {
		probs = append(probs, attrProblem{"nsx_manager", "Invalid nsx_manager", err.Error()})
	}
	for _, a := range []struct{ attr, env, val string }{{"nsx_user", EnvNSXUser, cfg.User}, {"nsx_password", EnvNSXPassword, cfg.Password}} {
		if a.val == "" {
			probs = append(probs, attrProblem{a.attr, "Missing " + a.attr,
				fmt.Sprintf("nsx_manager is set: set %s in the provider block or the %s environment variable.", a.attr, a.env)})
		}
	}
	if set(m.NSXThumbprint) {
		tp, err := endpoint.Normalize(m.NSXThumbprint.ValueString())
		if err != nil {
			probs = append(probs, attrProblem{"nsx_thumbprint", "Invalid nsx_thumbprint", err.Error()})
		}
		cfg.Thumbprint = tp
	}
	cfg.Insecure = boolSetting(m.NSXAllowUnverifiedSSL, "nsx_allow_unverified_ssl", EnvNSXInsecure, getenv, &probs)
	return cfg, probs
}

// newNSX makes the NSX client of a configuration (nil without one); it
// does not connect.
func newNSX(ctx context.Context, cfg *nsx.Config) (*nsx.Client, error) {
	if cfg == nil {
		return nil, nil
	}
	tflog.Debug(ctx, "NSX Manager configured; it is read only when an audit meets an NSX segment", map[string]any{"nsx_manager": cfg.Manager, "nsx_user": cfg.User})
	return nsx.New(*cfg)
}
