// Package vsphere is the provider's only door to vSphere (govmomi): a
// logged-in vim25 session per provider instance (client.go), reads through
// the PropertyCollector with only the properties needed and a per-command
// cache (snapshot.go, coalesce.go, decode.go, inventory.go), and verbs that
// take ids and plain inventory values: lock a host's network or a switch
// (lock.go), write or toggle a port group's policy (portgroup.go; the DV
// configVersion and ConcurrentAccess retry inside), set a vSwitch's
// promiscuous mode or a host's advanced options (host.go), and the toggle's
// restore retry (toggle.go). Every function takes the caller's ctx. No
// govmomi value leaves the package: specs and morefs stay in unexported
// fields of Snapshot, a missing object is a *NotFoundError, and faults
// become errors that name the object they concern (FaultName).
package vsphere

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/endpoint"
)

// Config is what the provider block resolves to.
type Config struct {
	Server     string // host name or host:port, no scheme, no path
	User       string
	Password   string
	Insecure   bool
	Thumbprint string // SHA-1 or SHA-256, colon-separated hex
	CAFile     string
	APITimeout time.Duration
}

// ErrorKind tells connection failures apart so each gets its own diagnostic.
type ErrorKind int

const (
	KindOther ErrorKind = iota
	KindUnreachable
	KindCredentials
	KindCertificate
	KindThumbprint
)

// ConnectError is returned by Connect.
type ConnectError struct {
	Kind   ErrorKind
	Server string
	// For KindThumbprint: what was pinned and what the server presented.
	Expected, Actual string
	Err              error
}

func (e *ConnectError) Error() string {
	switch e.Kind {
	case KindUnreachable:
		return fmt.Sprintf("cannot reach vSphere server %s: %v", e.Server, e.Err)
	case KindCredentials:
		return fmt.Sprintf("vSphere server %s rejected the user name or password: %v", e.Server, e.Err)
	case KindCertificate:
		return fmt.Sprintf("the certificate of vSphere server %s is not trusted: %v", e.Server, e.Err)
	case KindThumbprint:
		return fmt.Sprintf("the certificate of vSphere server %s has thumbprint %s, but thumbprint %s was pinned", e.Server, e.Actual, e.Expected)
	}
	return fmt.Sprintf("cannot connect to vSphere server %s: %v", e.Server, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Client is one logged-in vSphere session. It is safe for concurrent use.
type Client struct {
	cfg Config
	url *url.URL
	vim *vim25.Client
	rt  *roundTripper

	// session: the login, re-logins and the logout, one at a time
	// (lifecycle.go); the logout waits for a login in flight.
	session sessionState
	track   func(*Client) error // Tracked

	hosts, dvpgs, switches *objectCache
	// memberHosts: hosts read for their name and reverse-path option only,
	// as members of a DV port group's switch (Request.SwitchHosts).
	memberHosts *objectCache
	// owner maps a host's manager morefs (network system, option manager)
	// to the host, so writers can invalidate the host's cached read.
	owner sync.Map

	life lifecycle
}

// ServerURL validates a vsphere_server value and returns the SDK URL.
func ServerURL(server string) (*url.URL, error) { return endpoint.URL(server, "/sdk") }

// NormalizeThumbprint upper-cases a thumbprint and checks its shape:
// 20 (SHA-1) or 32 (SHA-256) colon-separated hex bytes.
func NormalizeThumbprint(tp string) (string, error) { return endpoint.Normalize(tp) }

// Connect logs in: RetrieveServiceContent and Login, two round trips.
// The login is never abandoned halfway (logIn, lifecycle.go).
func Connect(ctx context.Context, cfg Config, opts ...ConnectOption) (*Client, error) {
	u, err := ServerURL(cfg.Server)
	if err != nil {
		return nil, err
	}
	sc := soap.NewClient(u, cfg.Insecure)
	tr := sc.DefaultTransport()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{} //nolint:gosec // MinVersion set below
	}
	tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	if cfg.CAFile != "" {
		if err := sc.SetRootCAs(cfg.CAFile); err != nil {
			return nil, &ConnectError{Kind: KindCertificate, Server: cfg.Server, Err: fmt.Errorf("reading CA file %s: %w", cfg.CAFile, err)}
		}
	}
	if cfg.Thumbprint != "" {
		want, err := NormalizeThumbprint(cfg.Thumbprint)
		if err != nil {
			return nil, err
		}
		endpoint.Pin(tr.TLSClientConfig, want)
	}

	rt := &roundTripper{inner: sc, timeout: cfg.APITimeout}
	c := &Client{cfg: cfg, url: u, rt: rt}
	for _, o := range opts {
		o(c)
	}
	if c.track != nil {
		if err := c.track(c); err != nil {
			return nil, err
		}
	}
	c.initCaches()
	c.initLifecycle(ctx)
	vim, err := vim25.NewClient(ctx, rt)
	if err != nil {
		return nil, classify(cfg.Server, err)
	}
	c.vim = vim
	rt.relogin = c.relogin
	if err := c.logIn(ctx); err != nil {
		return nil, classify(cfg.Server, err)
	}
	return c, nil
}

func classify(server string, err error) error {
	var tpe *endpoint.MismatchError
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &tpe):
		return &ConnectError{Kind: KindThumbprint, Server: server, Expected: tpe.Expected, Actual: tpe.Actual, Err: err}
	case soap.IsCertificateUntrusted(err), isCertError(err):
		return &ConnectError{Kind: KindCertificate, Server: server, Err: err}
	case isFault[*types.InvalidLogin](err), isFault[*types.NoPermission](err):
		return &ConnectError{Kind: KindCredentials, Server: server, Err: err}
	case errors.As(err, &dnsErr), errors.As(err, &opErr), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return &ConnectError{Kind: KindUnreachable, Server: server, Err: err}
	}
	return &ConnectError{Kind: KindOther, Server: server, Err: err}
}

func isCertError(err error) bool {
	var cv *tls.CertificateVerificationError
	var inv x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &inv)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *Client) login(ctx context.Context) error {
	sm := session.NewManager(c.vim)
	return sm.Login(ctx, url.UserPassword(c.cfg.User, c.cfg.Password))
}

// relogin re-establishes an expired session once; the round tripper calls it
// on NotAuthenticated and retries the call.
func (c *Client) relogin(ctx context.Context) error {
	if err := c.session.lock(ctx); err != nil {
		return err
	}
	defer c.session.unlock()
	if c.session.closed {
		return errors.New("the vSphere session was closed")
	}
	logf(ctx, "vSphere session expired; logging in again")
	return c.login(ctx)
}

// Logout ends the session. It is safe to call more than once, and before
// or during the login: it waits for a login in flight (until ctx ends) and
// logs that session out, and no login starts after it.
func (c *Client) Logout(ctx context.Context) error {
	if err := c.session.lock(ctx); err != nil {
		return fmt.Errorf("logging out of %s: the login in flight did not end in time: %w", c.cfg.Server, err)
	}
	defer c.session.unlock()
	if c.session.closed {
		return nil
	}
	c.session.closed = true
	if !c.session.open {
		return nil
	}
	return session.NewManager(c.vim).Logout(ctx)
}

// WithTimeout applies api_timeout to a request ctx.
func (c *Client) WithTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.cfg.APITimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.cfg.APITimeout)
}

// ReadCAFile checks that a CA bundle is readable PEM.
func ReadCAFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return fmt.Errorf("%s holds no PEM certificate", path)
	}
	return nil
}

// APITimeout is the api_timeout this client runs its calls under.
func (c *Client) APITimeout() time.Duration { return c.cfg.APITimeout }

// Server is the vsphere_server this client is logged in to.
func (c *Client) Server() string { return c.cfg.Server }
