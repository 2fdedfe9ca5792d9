package nsx

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/endpoint"
)

// Subsystem is the tflog subsystem for NSX traffic (TF_LOG_PROVIDER_NSX).
const Subsystem = "nsx"

// authRe matches an Authorization header's credentials, should one ever
// reach a log line.
var authRe = regexp.MustCompile(`(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._-]{4,}`)

// withLogging adds the NSX subsystem to ctx with the secrets masked: the
// password and the Basic credentials it makes, any Authorization-like
// value, and fields named password or authorization. Requests are logged
// by method, path, query, status and duration; never a header or a body.
func (c *Client) withLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, Subsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, Subsystem, "password", "authorization")
	ctx = tflog.SubsystemMaskMessageRegexes(ctx, Subsystem, authRe)
	ctx = tflog.SubsystemMaskAllFieldValuesRegexes(ctx, Subsystem, authRe)
	if secrets := c.secrets(); len(secrets) > 0 {
		ctx = tflog.SubsystemMaskMessageStrings(ctx, Subsystem, secrets...)
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, Subsystem, secrets...)
	}
	return ctx
}

// secrets are the password and the Basic credentials made of it.
func (c *Client) secrets() []string {
	if c.cfg.Password == "" {
		return nil
	}
	return []string{c.cfg.Password, base64.StdEncoding.EncodeToString([]byte(c.cfg.User + ":" + c.cfg.Password))}
}

// WithSecretMasks masks nsx_password (and the Basic credentials made of
// it) in the provider's root logger and the NSX subsystem: for the
// provider's Configure, where it is handled.
func WithSecretMasks(ctx context.Context, user, password string) context.Context {
	c := &Client{cfg: Config{User: user, Password: password}}
	ctx = c.withLogging(ctx)
	ctx = tflog.MaskMessageRegexes(ctx, authRe)
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, authRe)
	if secrets := c.secrets(); len(secrets) > 0 {
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	}
	return ctx
}

// WithCallCounter makes every NSX call made with ctx (or a ctx derived
// from it) add one to n, a failed login included: what the test harness
// checks the NSX budgets with. A nil n counts nothing.
func WithCallCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return endpoint.WithCounter(ctx, "nsx", n)
}

func countCall(ctx context.Context) { endpoint.Count(ctx, "nsx") }

// get makes one GET of the Policy API, behind the authentication gate:
// until a call has proven the credentials, calls go one at a time, and
// once NSX rejected them every call returns that error without a request.
func (c *Client) get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	if c.gate.proven.Load() {
		return c.send(ctx, path, query, false)
	}
	c.gate.mu.Lock()
	defer c.gate.mu.Unlock()
	if c.gate.failed != nil {
		return nil, c.gate.failed
	}
	proven := c.gate.proven.Load()
	body, err := c.send(ctx, path, query, !proven)
	switch {
	case err == nil:
		c.gate.proven.Store(true)
	case IsCredentials(err):
		c.gate.failed = err
	}
	return body, err
}

// nsxError is the error body of the NSX API (ApiError).
type nsxError struct {
	ErrorMessage string `json:"error_message"`
	ErrorCode    int    `json:"error_code"`
	ModuleName   string `json:"module_name"`
}

// send makes the request under api_timeout, counts and logs it. first is
// whether no call has proven the credentials yet: NSX answers a rejected
// Basic login with 403 ("The credentials were incorrect or the account
// specified has been locked.", error_code 403), a 403 that also means a
// missing privilege once a call has gone through.
func (c *Client) send(ctx context.Context, path string, query url.Values, first bool) ([]byte, error) {
	if c.cfg.APITimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.APITimeout)
		defer cancel()
	}
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindOther, Manager: c.cfg.Manager, Err: err}
	}
	req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	req.Header.Set("Accept", "application/json")
	countCall(ctx)
	start := time.Now()
	fields := map[string]any{"method": http.MethodGet, "path": u.Path}
	if q := query.Get("query"); q != "" {
		fields["query"] = q
	}
	body, err := c.roundTrip(req, first)
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = err.Error()
	}
	tflog.SubsystemDebug(ctx, Subsystem, "NSX call", fields)
	return body, err
}

func (c *Client) roundTrip(req *http.Request, first bool) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.classify(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, c.classify(err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	msg := string(body)
	var ae nsxError
	if json.Unmarshal(body, &ae) == nil && ae.ErrorMessage != "" {
		msg = ae.ErrorMessage
	}
	if len(msg) > 500 {
		msg = msg[:500] + "..."
	}
	kind := KindAPI
	if resp.StatusCode == http.StatusUnauthorized || (resp.StatusCode == http.StatusForbidden && first) {
		kind = KindCredentials
	}
	return nil, &Error{Kind: kind, Manager: c.cfg.Manager, Status: resp.StatusCode, Message: msg, Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
}
