// Package provider is the provider itself: the provider block (schema,
// settings from attributes and environment), Configure (the vSphere
// session), the lists of resources, data sources and actions, and the protocol
// server that serves them (server.go). The resources, data sources and the
// action live in their own packages (internal/hostsettings,
// internal/portgrouppolicy, internal/datasources, internal/toggleaction).
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/command"
	"github.com/carpsafe/terraform-provider-carp/internal/datasources"
	"github.com/carpsafe/terraform-provider-carp/internal/direct"
	"github.com/carpsafe/terraform-provider-carp/internal/hostsettings"
	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/portgrouppolicy"
	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/toggleaction"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// Environment variables, the vsphere provider's names so one environment
// serves both providers.
const (
	EnvServer     = "VSPHERE_SERVER"
	EnvUser       = "VSPHERE_USER"
	EnvPassword   = "VSPHERE_PASSWORD"
	EnvInsecure   = "VSPHERE_ALLOW_UNVERIFIED_SSL"
	EnvThumbprint = "VSPHERE_THUMBPRINT"
	EnvCAFile     = "VSPHERE_CA_FILE"
	EnvAPITimeout = "VSPHERE_API_TIMEOUT"

	defaultAPITimeout = 5 * time.Minute
)

var _ provider.ProviderWithActions = (*carpProvider)(nil)

// Sessions tracks the vSphere sessions the provider opened or is opening,
// so that the end of the process logs every one out (End, shutdown.go).
type Sessions struct {
	mu      sync.Mutex
	clients []*vsphere.Client
	// end is set when End began: no session opens from then on; done is
	// closed when End is over, with finished its result.
	end  *endState
	lost lost // see shutdown.go
}

// opening records a client before its login is sent (vsphere.Tracked);
// once the process is ending it refuses the login.
func (s *Sessions) opening(c *vsphere.Client) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end != nil {
		return errEnding
	}
	s.clients = append(s.clients, c)
	return nil
}

type carpProvider struct {
	version  string
	sessions *Sessions
	// resourceData is what the last ConfigureProvider gave the resources
	// (resp.ResourceData), nil before one succeeded: the direct
	// path configures its resources with it, as the framework does.
	// Configure never defers (internal/direct answers nothing of a
	// deferred configuration).
	resourceData atomic.Pointer[direct.ProviderData]
}

// New returns the provider factory. sessions may be nil.
func New(version string, sessions *Sessions) func() provider.Provider {
	return func() provider.Provider { return newProvider(version, sessions) }
}

func newProvider(version string, sessions *Sessions) *carpProvider {
	return &carpProvider{version: version, sessions: sessions}
}

type providerModel struct {
	VSphereServer      types.String `tfsdk:"vsphere_server"`
	User               types.String `tfsdk:"user"`
	Password           types.String `tfsdk:"password"`
	AllowUnverifiedSSL types.Bool   `tfsdk:"allow_unverified_ssl"`
	Thumbprint         types.String `tfsdk:"thumbprint"`
	CAFile             types.String `tfsdk:"ca_file"`
	APITimeout         types.String `tfsdk:"api_timeout"`
	// NSX Manager (nsx.go)
	NSXManager            types.String `tfsdk:"nsx_manager"`
	NSXUser               types.String `tfsdk:"nsx_user"`
	NSXPassword           types.String `tfsdk:"nsx_password"`
	NSXAllowUnverifiedSSL types.Bool   `tfsdk:"nsx_allow_unverified_ssl"`
	NSXThumbprint         types.String `tfsdk:"nsx_thumbprint"`
}

func (p *carpProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "carp"
	resp.Version = p.version
}

func (p *carpProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes VMware vSphere networking safe for CARP, the virtual-IP protocol of HA firewall pairs. " +
			"Every attribute falls back to the environment variable the vsphere provider uses, so one environment serves both.",
		Attributes: withNSXAttributes(map[string]schema.Attribute{
			"vsphere_server": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The vCenter Server or ESXi host name, optionally with `:port` (no scheme, no path). Falls back to `" + EnvServer + "`.",
			},
			"user": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The user name. Falls back to `" + EnvUser + "`.",
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The password. Falls back to `" + EnvPassword + "`. Never logged.",
			},
			"allow_unverified_ssl": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip certificate verification. Default `false`. Falls back to `" + EnvInsecure + "` (`true`/`false`/`1`/`0`). Prefer `thumbprint` or `ca_file`.",
			},
			"thumbprint": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Pin the server certificate by its SHA-1 or SHA-256 thumbprint (colon-separated hex, as govc prints it). When set, the certificate must match it exactly; its chain is not checked. Falls back to `" + EnvThumbprint + "`.",
			},
			"ca_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A PEM file of CA certificates to trust in addition to the system's. Falls back to `" + EnvCAFile + "`.",
			},
			"api_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How long one resource or data source operation, and each vSphere and NSX call in it, may take, as a Go duration. Default `\"5m\"`. A toggle's restoring write keeps its own 30 s deadline, each of its calls under this one. Falls back to `" + EnvAPITimeout + "`.",
			},
		}),
	}
}

// settings resolves the provider block and the environment; it reports
// problems on the attribute they concern.
func settings(m providerModel, getenv func(string) string) (vsphere.Config, []attrProblem) {
	var probs []attrProblem
	str := func(v types.String, attr, env string, required bool) string {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString()
		}
		if s := getenv(env); s != "" {
			return s
		}
		if required {
			probs = append(probs, attrProblem{attr, "Missing " + attr,
				fmt.Sprintf("Set %s in the provider block or the %s environment variable.", attr, env)})
		}
		return ""
	}
	cfg := vsphere.Config{
		Server:     str(m.VSphereServer, "vsphere_server", EnvServer, true),
		User:       str(m.User, "user", EnvUser, true),
		Password:   str(m.Password, "password", EnvPassword, true),
		Thumbprint: str(m.Thumbprint, "thumbprint", EnvThumbprint, false),
		CAFile:     str(m.CAFile, "ca_file", EnvCAFile, false),
		APITimeout: defaultAPITimeout,
	}
	if cfg.Server != "" {
		if _, err := vsphere.ServerURL(cfg.Server); err != nil {
			probs = append(probs, attrProblem{"vsphere_server", "Invalid vsphere_server", err.Error()})
		}
	}
	if cfg.Thumbprint != "" {
		tp, err := vsphere.NormalizeThumbprint(cfg.Thumbprint)
		if err != nil {
			probs = append(probs, attrProblem{"thumbprint", "Invalid thumbprint", err.Error()})
		}
		cfg.Thumbprint = tp
	}
	if cfg.CAFile != "" {
		if err := vsphere.ReadCAFile(cfg.CAFile); err != nil {
			probs = append(probs, attrProblem{"ca_file", "Unreadable ca_file", err.Error()})
		}
	}
	cfg.Insecure = boolSetting(m.AllowUnverifiedSSL, "allow_unverified_ssl", EnvInsecure, getenv, &probs)
	timeout := ""
	if !m.APITimeout.IsNull() && !m.APITimeout.IsUnknown() {
		timeout = m.APITimeout.ValueString()
	} else {
		timeout = getenv(EnvAPITimeout)
	}
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		switch {
		case err != nil:
			probs = append(probs, attrProblem{"api_timeout", "Invalid api_timeout",
				fmt.Sprintf("%q is not a duration: use a Go duration such as \"90s\" or \"5m\".", timeout)})
		case d <= 0:
			probs = append(probs, attrProblem{"api_timeout", "Invalid api_timeout",
				fmt.Sprintf("%q must be positive.", timeout)})
		default:
			cfg.APITimeout = d
		}
	}
	return cfg, probs
}

type attrProblem struct{ attr, summary, detail string }

// boolSetting is a boolean argument, else its environment variable
// (true, false, 1, 0); a value that is not one is a problem on attr.
func boolSetting(v types.Bool, attr, env string, getenv func(string) string, probs *[]attrProblem) bool {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool()
	}
	s := getenv(env)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		*probs = append(*probs, attrProblem{attr, "Invalid " + env, fmt.Sprintf("%s=%q is not a boolean: use true, false, 1 or 0.", env, s)})
	}
	return b
}

func (p *carpProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.resourceData.Store(nil)
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Values unknown until apply (e.g. from another resource): the framework
	// docs advise an error naming the attribute rather than guessing.
	unknowns := m.nsxUnknowns()
	for attr, v := range map[string]interface{ IsUnknown() bool }{
		"vsphere_server": m.VSphereServer, "user": m.User, "password": m.Password,
		"allow_unverified_ssl": m.AllowUnverifiedSSL, "thumbprint": m.Thumbprint,
		"ca_file": m.CAFile, "api_timeout": m.APITimeout,
	} {
		unknowns[attr] = v
	}
	for attr, v := range unknowns {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown "+attr,
				"The provider cannot connect to vSphere while "+attr+" is unknown. Set it to a value known at plan time, or apply its source first (-target).")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, probs := settings(m, os.Getenv)
	nsxCfg, nsxProbs := nsxSettings(m, os.Getenv, cfg.APITimeout)
	for _, pr := range append(probs, nsxProbs...) {
		resp.Diagnostics.AddAttributeError(path.Root(pr.attr), pr.summary, pr.detail)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = vsphere.WithSecretMasks(ctx, cfg.Password)
	if nsxCfg != nil {
		ctx = nsx.WithSecretMasks(ctx, nsxCfg.User, nsxCfg.Password)
	}
	tflog.Debug(ctx, "connecting to vSphere", map[string]any{"server": cfg.Server, "user": cfg.User})
	cctx, cancel := context.WithTimeout(ctx, cfg.APITimeout)
	defer cancel()
	client, err := vsphere.Connect(cctx, cfg, vsphere.Tracked(p.sessions.opening))
	if err != nil {
		addConnectError(&resp.Diagnostics, cfg, err)
		return
	}
	nsxClient, err := newNSX(ctx, nsxCfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("nsx_manager"), "Invalid nsx_manager", err.Error())
		return
	}
	data := &providerdata.Data{VSphere: client, NSX: nsxClient, Command: command.New()}
	resp.DataSourceData, resp.ResourceData, resp.ActionData = data, data, data
	p.resourceData.Store(&direct.ProviderData{V: data})
}

func (p *carpProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		hostsettings.New,
		portgrouppolicy.New,
	}
}

// Actions are the provider's actions (Terraform 1.14+).
func (p *carpProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{toggleaction.New}
}

func (p *carpProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		datasources.NewHosts,
		datasources.NewAudit,
		datasources.NewFirewalls,
	}
}
