// Package simulator wraps govmomi's vCenter simulator (vcsim, VPX model) and
// makes it behave like real ESXi/vCenter where stock vcsim does not, so that
// acceptance tests of the provider prove something. Every Start call builds
// an independent server from a Scenario; nothing is shared between servers.
// A scenario with NSX segments also gets an NSX Manager of its own (nsx.go).
//
// The overrides are wrapper objects that embed the stock simulator objects,
// registered under alias references of their own types: for the methods
// listed in alias.go (overridden) the HTTP layer (wrap, wrap.go) points the
// call's _this at the alias, so the objects stored in the registry keep their
// stock types (vcsim asserts on them internally). The Registry's Handler
// hook (dispatch, overrides.go) injects the faults the HTTP layer decided
// for calls that are not tasks (FailCall; NoPermission, permissions.go).
// The overrides by object: host networking in netsys.go (the calls),
// netpolicy.go (the policies) and netshared.go (the Network objects hosts
// share); host options in options.go; distributed switches in dvs.go, their
// port groups in dvpg.go, what both reconfigures share in dvmerge.go, DV
// ports in dvports.go and dvportcfg.go, LACP in lacp.go; the property
// collector in traversal.go. A scenario (scenario.go) is built by build.go,
// builddvs.go, buildvm.go, nsxbuild.go and placement.go.
//
// Tests drive a running server through control.go (the call record, delays,
// injected faults, sessions) and make out-of-band reads and changes through
// helpers.go and oob.go, which internal/acctest wraps for tests.
package simulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Option configures Start.
type Option func(*config)

type config struct {
	listen           string
	delay            time.Duration
	user             string
	pass             string
	nsxUser, nsxPass string
}

// WithListenAddr sets the listen address, e.g. "127.0.0.1:8989". The default
// is a random loopback port.
func WithListenAddr(addr string) Option { return func(c *config) { c.listen = addr } }

// WithDelay delays every SOAP method by d (for benchmarks).
func WithDelay(d time.Duration) Option { return func(c *config) { c.delay = d } }

// WithCredentials sets the login accepted by the server (default "carp" /
// "carp-secret").
func WithCredentials(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// WithNSXCredentials sets the login the NSX Manager accepts (default
// "nsx-reader" / "nsx-Secret-1").
func WithNSXCredentials(user, pass string) Option {
	return func(c *config) { c.nsxUser, c.nsxPass = user, pass }
}

// Call is one SOAP round trip that reached the server over HTTP.
type Call struct {
	Seq    int
	Method string // SOAP method name, e.g. "UpdatePortGroup"
	Object string // moref value of _this
	Detail string // short stable summary for writes, "" for reads
	Fault  string // fault type name when the call failed, else ""
	// Abandoned: the client had closed its connection by the time the
	// answer was ready (a process that exited without waiting for it).
	Abandoned bool
}

// Server is a running simulator.
type Server struct {
	URL            *url.URL // https://127.0.0.1:PORT/sdk, without userinfo
	User, Password string
	Thumbprint     string // SHA-1 thumbprint, "AA:BB:..."
	CAFile         string // PEM file with the server certificate

	model  *gosim.Model
	server *gosim.Server
	dir    string
	intc   *vim25.Client // in-process client, not recorded
	ictx   context.Context

	mu          sync.Mutex
	calls       []Call
	seq         int
	delay       time.Duration
	hooks       []*faultHook
	pending     map[pendingKey][]types.BaseMethodFault
	idleTimeout time.Duration
	arrived     map[string]int       // method -> requests that reached the server (control.go)
	lastSeen    map[string]time.Time // session cookie -> last request
	expired     map[string]bool      // session cookies that timed out

	ids      map[string]map[string]string  // kind -> name -> moref value
	netMu    sync.Mutex                    // guards hostState/network bookkeeping
	hosts    map[string]*hostInfo          // host moref value -> info
	nsHost   map[string]string             // network system moref -> host moref
	optHost  map[string]string             // option manager moref -> host moref
	dvsVer   map[string]string             // dvs moref -> product version
	vmUse    map[string]vmUse              // VM moref -> networks and DV ports of its NICs
	ports    map[string]map[string]*dvPort // dvs moref -> port key -> state
	closed   bool
	aliasMu  sync.Mutex
	vspanSeq int
	lagSeq   int
	pause    pauseState  // pause.go
	perms    permissions // permissions.go
	nsx      *NSXManager // nsx.go; nil without NSX segments
}

type internalKey struct{}

// vcsimGlobals serializes model creation and scenario builds: vcsim's
// Model.Create appends to a package-level license (simulator.EvalLicense)
// that every host creation reads. It is the only state shared between
// servers.
var vcsimGlobals sync.Mutex

// Start builds the scenario in a fresh simulator and serves it over HTTPS.
func Start(sc Scenario, opts ...Option) (*Server, error) {
	cfg := config{user: "carp", pass: "carp-secret", nsxUser: "nsx-reader", nsxPass: "nsx-Secret-1"}
	for _, o := range opts {
		o(&cfg)
	}

	dir, err := os.MkdirTemp("", "carpsim-")
	if err != nil {
		return nil, err
	}

	model := emptyModel()
	vcsimGlobals.Lock()
	defer vcsimGlobals.Unlock()
	if err := model.Create(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}

	s := newServer(model, dir, cfg)
	s.ictx = context.WithValue(context.Background(), internalKey{}, true)
	s.intc, err = vim25.NewClient(s.ictx, model.Service)
	if err != nil {
		s.cleanup()
		return nil, err
	}
	if needsNSX(sc) {
		s.nsx = newNSXManager(cfg.nsxUser, cfg.nsxPass)
		s.nsx.buildNSX(sc)
	}
	model.Map().Handler = s.dispatch
	model.Map().AddHandler(&vmTracker{Self: types.ManagedObjectReference{Type: "CarpVMTracker", Value: "tracker"}, srv: s})

	if err := s.build(sc); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("simulator: build scenario: %w", err)
	}

	s.serve(cfg)
	if err := s.writeCA(); err != nil {
		s.Close()
		return nil, err
	}
	if s.nsx != nil {
		if err := s.nsx.start(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// emptyModel is a vCenter (VPX) model without any of vcsim's default
// inventory: the scenario builds all of it.
func emptyModel() *gosim.Model {
	model := gosim.VPX()
	model.Datacenter = 0
	model.Host = 0
	model.Cluster = 0
	model.ClusterHost = 0
	model.Portgroup = 0
	model.Datastore = 0
	model.Machine = 0
	model.Autostart = false
	return model
}

// newServer is a Server of the created model with its bookkeeping empty.
func newServer(model *gosim.Model, dir string, cfg config) *Server {
	return &Server{
		model:    model,
		dir:      dir,
		delay:    cfg.delay,
		User:     cfg.user,
		Password: cfg.pass,
		arrived:  map[string]int{},
		lastSeen: map[string]time.Time{},
		expired:  map[string]bool{},
		pending:  map[pendingKey][]types.BaseMethodFault{},
		ids:      map[string]map[string]string{},
		hosts:    map[string]*hostInfo{},
		nsHost:   map[string]string{},
		optHost:  map[string]string{},
		dvsVer:   map[string]string{},
		vmUse:    map[string]vmUse{},
		ports:    map[string]map[string]*dvPort{},
	}
}

// serve starts the HTTPS server with the SDK behind the HTTP layer (wrap)
// and sets URL.
func (s *Server) serve(cfg config) {
	model := s.model
	svc := model.Service
	svc.TLS = new(tls.Config)
	svc.Listen = &url.URL{User: url.UserPassword(cfg.user, cfg.pass)}
	if cfg.listen != "" {
		svc.Listen.Host = cfg.listen
	}
	// Register the SDK on an inner mux, then serve an outer mux whose /sdk
	// handler records every call before handing it to vcsim.
	svc.ServeMux = http.NewServeMux()
	svc.RegisterSDK(model.Map(), model.Map().Path+"/vimService")
	inner := svc.ServeMux
	outer := http.NewServeMux()
	outer.Handle(model.Map().Path, s.wrap(inner))
	outer.Handle(model.Map().Path+"/vimService", s.wrap(inner))
	svc.ServeMux = outer

	s.server = svc.NewServer()
	u := *s.server.URL
	u.User = nil
	s.URL = &u
}

// writeCA sets Thumbprint from the server's certificate and writes it to
// CAFile.
func (s *Server) writeCA() error {
	cert, err := x509.ParseCertificate(s.server.TLS.Certificates[0].Certificate[0])
	if err != nil {
		return err
	}
	s.Thumbprint = soap.ThumbprintSHA1(cert)
	s.CAFile = filepath.Join(s.dir, "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	return os.WriteFile(s.CAFile, pemData, 0o600)
}

func (s *Server) cleanup() {
	s.model.Remove()
	os.RemoveAll(s.dir)
}

// Close stops the server and removes its temporary files.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	if s.server != nil {
		s.server.Close()
	}
	s.nsx.close()
	s.cleanup()
}

// Env returns the provider's environment variables for this server, and
// for its NSX Manager when it has one (the nsxt provider's names).
func (s *Server) Env() map[string]string {
	env := map[string]string{
		"VSPHERE_SERVER":               s.URL.Host,
		"VSPHERE_USER":                 s.User,
		"VSPHERE_PASSWORD":             s.Password,
		"VSPHERE_ALLOW_UNVERIFIED_SSL": "true",
	}
	if m := s.nsx; m != nil {
		env["NSXT_MANAGER_HOST"], env["NSXT_USERNAME"], env["NSXT_PASSWORD"], env["NSXT_ALLOW_UNVERIFIED_SSL"] = m.Host, m.User, m.Password, "true"
	}
	return env
}

// NSX is the server's NSX Manager; nil when the scenario has no NSX
// segment.
func (s *Server) NSX() *NSXManager { return s.nsx }

func (s *Server) id(kind, name string) string {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	return s.ids[kind][name]
}

func (s *Server) setID(kind, name, value string) {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if s.ids[kind] == nil {
		s.ids[kind] = map[string]string{}
	}
	s.ids[kind][name] = value
}

// HostID returns the moref value of the named host, "" if unknown.
func (s *Server) HostID(name string) string { return s.id("host", name) }

// DVSwitchID returns the moref value of the named distributed switch.
func (s *Server) DVSwitchID(name string) string { return s.id("dvs", name) }

// DVPortGroupID returns the moref value of the named DV port group.
func (s *Server) DVPortGroupID(name string) string { return s.id("dvpg", name) }

// VMID returns the moref value of the named VM.
func (s *Server) VMID(name string) string { return s.id("vm", name) }

// ClusterID returns the moref value of the named cluster.
func (s *Server) ClusterID(name string) string { return s.id("cluster", name) }

// DatacenterID returns the moref value of the named datacenter.
func (s *Server) DatacenterID(name string) string { return s.id("dc", name) }
