// Package nsx is the provider's only door to NSX Manager: a small typed
// client over the few read-only GETs of the NSX Policy API that CARP needs
// (segments, segment ports, their profile binding maps, the MAC discovery,
// SpoofGuard and IP discovery profiles), all through search/query so that
// an audit of any number of firewalls takes three calls (read.go). It is
// the NSX counterpart of internal/vsphere: every call under api_timeout,
// counted and logged with secrets masked (transport.go), TLS verified by
// default or pinned by thumbprint (internal/endpoint), and NSX values never
// leave the package: callers get inventory.NSXState.
//
// Why not the official SDK (github.com/vmware/vsphere-automation-sdk-go,
// what the nsxt provider uses): it is a large dependency (bindings for the
// whole NSX API) for a handful of GETs; its connector retries and manages
// sessions by itself, while this client must make exactly one
// authenticated attempt per command (NSX locks an account after five
// failed logins) and count and log every call the way the provider counts
// and logs vSphere's.
package nsx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/endpoint"
)

// Config is what the provider block's nsx_* arguments resolve to.
type Config struct {
	Manager        string // host name or host:port, no scheme, no path
	User, Password string
	Insecure       bool
	Thumbprint     string // SHA-1 or SHA-256, colon-separated hex (normalized)
	APITimeout     time.Duration
}

// Client reads from one NSX Manager for one provider instance (one
// Terraform command). It is safe for concurrent use. It makes no call
// until asked: configuring NSX costs nothing to a command that does not
// need it.
type Client struct {
	cfg  Config
	base *url.URL // https://<manager>/policy/api/v1
	http *http.Client
	gate authGate

	mu       sync.Mutex
	cache    map[string]*cached // search answers by query, for the command
	pageSize int
}

// authGate holds every call behind the first one until a call has proven
// the credentials: a rejected login is tried exactly once per command,
// and remembered.
type authGate struct {
	mu     sync.Mutex
	proven atomic.Bool
	failed error
}

// ManagerURL validates an nsx_manager value and returns the Policy API
// base URL.
func ManagerURL(manager string) (*url.URL, error) { return endpoint.URL(manager, "/policy/api/v1") }

// New returns a client; it does not connect.
func New(cfg Config) (*Client, error) {
	u, err := ManagerURL(cfg.Manager)
	if err != nil {
		return nil, err
	}
	tcfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // nsx_allow_unverified_ssl asks for it
	if cfg.Thumbprint != "" {
		want, err := endpoint.Normalize(cfg.Thumbprint)
		if err != nil {
			return nil, err
		}
		endpoint.Pin(tcfg, want)
	}
	tr := &http.Transport{}
	if base, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = base.Clone()
	}
	tr.TLSClientConfig = tcfg
	tr.Proxy = http.ProxyFromEnvironment
	// No http.Client.Timeout: every call carries api_timeout in its ctx.
	return &Client{cfg: cfg, base: u, http: &http.Client{Transport: tr}, cache: map[string]*cached{}, pageSize: pageSize}, nil
}

// Manager is the nsx_manager this client reads from.
func (c *Client) Manager() string { return c.cfg.Manager }

// ErrorKind tells NSX failures apart, each with its own diagnostic.
type ErrorKind int

const (
	KindOther ErrorKind = iota
	// KindCredentials: NSX Manager rejected nsx_user / nsx_password (or
	// the account is locked).
	KindCredentials
	KindCertificate
	KindThumbprint
	// KindUnreachable: no answer, a refused connection, or api_timeout.
	KindUnreachable
	// KindAPI: an HTTP error other than a rejected login.
	KindAPI
)

// Error is an NSX Manager failure.
type Error struct {
	Kind    ErrorKind
	Manager string
	Status  int    // HTTP status, 0 when there was no answer
	Message string // NSX's error_message, or the body
	// Expected and Actual are the pinned and presented thumbprints
	// (KindThumbprint).
	Expected, Actual string
	Err              error
}

func (e *Error) Error() string {
	switch e.Kind {
	case KindCredentials:
		return fmt.Sprintf("NSX Manager %s rejected the user name or password (HTTP %d: %s)", e.Manager, e.Status, e.Message)
	case KindCertificate:
		return fmt.Sprintf("the certificate of NSX Manager %s is not trusted: %v", e.Manager, e.Err)
	case KindThumbprint:
		return fmt.Sprintf("the certificate of NSX Manager %s has thumbprint %s, but thumbprint %s was pinned", e.Manager, e.Actual, e.Expected)
	case KindUnreachable:
		return fmt.Sprintf("NSX Manager %s did not answer: %v", e.Manager, e.Err)
	case KindAPI:
		return fmt.Sprintf("NSX Manager %s answered HTTP %d: %s", e.Manager, e.Status, e.Message)
	}
	return fmt.Sprintf("NSX Manager %s: %v", e.Manager, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// IsCredentials reports whether err is NSX Manager rejecting the login.
func IsCredentials(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindCredentials
}

// classify turns a transport failure into an *Error.
func (c *Client) classify(err error) *Error {
	var mm *endpoint.MismatchError
	var cv *tls.CertificateVerificationError
	var ne net.Error
	switch {
	case errors.As(err, &mm):
		return &Error{Kind: KindThumbprint, Manager: c.cfg.Manager, Expected: mm.Expected, Actual: mm.Actual, Err: err}
	case errors.As(err, &cv):
		return &Error{Kind: KindCertificate, Manager: c.cfg.Manager, Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.As(err, &ne):
		return &Error{Kind: KindUnreachable, Manager: c.cfg.Manager, Err: err}
	}
	return &Error{Kind: KindOther, Manager: c.cfg.Manager, Err: err}
}
