package vsphere

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/endpoint"
)

// Subsystem is the tflog subsystem for vSphere traffic (TF_LOG_PROVIDER_VSPHERE).
const Subsystem = "vsphere"

var (
	cookieRe   = regexp.MustCompile(`vmware_soap_session="?[^";\s]+"?`)
	passwordRe = regexp.MustCompile(`(?i)(<password>)[^<]*(</password>)`)
)

// WithLogging adds the vSphere subsystem to a request ctx with secrets
// masked: password/cookie/session fields, session cookies and SOAP password
// elements. It runs on every operation, so it keeps to a few logger copies.
func WithLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, Subsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, Subsystem, "password", "cookie", "session")
	ctx = tflog.SubsystemMaskMessageRegexes(ctx, Subsystem, cookieRe, passwordRe)
	return tflog.SubsystemMaskAllFieldValuesRegexes(ctx, Subsystem, cookieRe, passwordRe)
}

// WithSecretMasks also masks the password itself, in the subsystem and the
// provider's root logger: for the provider's Configure, where it is handled.
func WithSecretMasks(ctx context.Context, password string) context.Context {
	ctx = WithLogging(ctx)
	ctx = tflog.MaskMessageRegexes(ctx, cookieRe, passwordRe)
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, cookieRe, passwordRe)
	if password != "" {
		ctx = tflog.SubsystemMaskMessageStrings(ctx, Subsystem, password)
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, Subsystem, password)
		ctx = tflog.MaskMessageStrings(ctx, password)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, password)
	}
	return ctx
}

func logf(ctx context.Context, msg string, kv ...any) {
	fields := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			fields[k] = kv[i+1]
		}
	}
	tflog.SubsystemDebug(ctx, Subsystem, msg, fields)
}

// roundTripper logs every SOAP call (method, object, duration, fault; never
// bodies), re-logs in once when the session has expired, and bounds every
// call by api_timeout: the operation's ctx bounds the calls of an operation
// together, and this bounds each one, also on the ctxs that outlive the
// operation (a toggle's restoring write, the logout at the end).
type roundTripper struct {
	inner   soap.RoundTripper
	relogin func(context.Context) error
	timeout time.Duration // api_timeout; 0: none
}

// IsNoAnswer reports whether err is vSphere not answering in time
// (api_timeout, or a deadline of the caller's).
func IsNoAnswer(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || isTimeout(err)
}

func (r *roundTripper) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	method := methodName(req)
	start := time.Now()
	countCall(ctx)
	err := r.inner.RoundTrip(ctx, req, res)
	if err == nil && res.Fault() != nil {
		err = soap.WrapSoapFault(res.Fault())
	}
	if err != nil && r.relogin != nil && method != "Login" && method != "Logout" && isFault[*types.NotAuthenticated](err) {
		logf(ctx, "vSphere call failed with NotAuthenticated; re-establishing the session", "method", method)
		if lerr := r.relogin(ctx); lerr == nil {
			resetFault(res)
			countCall(ctx)
			err = r.inner.RoundTrip(ctx, req, res)
			if err == nil && res.Fault() != nil {
				err = soap.WrapSoapFault(res.Fault())
			}
		} else {
			logf(ctx, "re-login failed", "error", lerr.Error())
		}
	}
	fields := []any{"method", method, "duration_ms", time.Since(start).Milliseconds()}
	if obj := thisRef(req); obj != "" {
		fields = append(fields, "object", obj)
	}
	if err != nil {
		fields = append(fields, "error", err.Error())
	}
	logf(ctx, "vSphere call", fields...)
	return err
}

func methodName(req soap.HasFault) string {
	t := reflect.TypeOf(req)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.TrimSuffix(t.Name(), "Body")
}

// thisRef extracts the moref the call is made on, for logs.
func thisRef(req soap.HasFault) string {
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	r := v.FieldByName("Req")
	for r.IsValid() && r.Kind() == reflect.Pointer {
		if r.IsNil() {
			return ""
		}
		r = r.Elem()
	}
	if !r.IsValid() || r.Kind() != reflect.Struct {
		return ""
	}
	t := r.FieldByName("This")
	if !t.IsValid() {
		return ""
	}
	if ref, ok := t.Interface().(types.ManagedObjectReference); ok {
		return ref.Value
	}
	return ""
}

// resetFault clears a response's fault before a retry.
func resetFault(res soap.HasFault) {
	v := reflect.ValueOf(res)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	f := v.Elem().FieldByName("Fault_")
	if f.IsValid() && f.CanSet() {
		f.Set(reflect.Zero(f.Type()))
	}
}

// isFault reports whether err carries a vSphere fault of type T.
func isFault[T types.BaseMethodFault](err error) bool {
	var f T
	return asFault(err, &f)
}

func asFault[T types.BaseMethodFault](err error, out *T) bool {
	fault := faultOf(err)
	if fault == nil {
		return false
	}
	t, ok := fault.(T)
	if ok {
		*out = t
	}
	return ok
}

// faultOf digs the vSphere fault out of an error chain: SOAP faults, vim
// faults and task errors.
func faultOf(err error) types.BaseMethodFault {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if soap.IsSoapFault(e) {
			if vf, ok := soap.ToSoapFault(e).VimFault().(types.BaseMethodFault); ok {
				return vf
			}
		}
		if soap.IsVimFault(e) {
			return soap.ToVimFault(e)
		}
		var te interface{ Fault() types.BaseMethodFault }
		if errors.As(e, &te) {
			return te.Fault()
		}
	}
	return nil
}

// FaultName returns the vSphere fault type of err ("NotFound"), or "".
func FaultName(err error) string {
	f := faultOf(err)
	if f == nil {
		return ""
	}
	return reflect.TypeOf(f).Elem().Name()
}

// WithCallCounter makes every SOAP round trip made with ctx (or a ctx derived
// from it) add one to n. The test harness uses it to assert round-trip
// budgets per Terraform operation, exactly, even when operations run in
// parallel. A nil n counts nothing from there on.
func WithCallCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return endpoint.WithCounter(ctx, "vsphere", n)
}

func countCall(ctx context.Context) { endpoint.Count(ctx, "vsphere") }

// MissingPrivilege reports the privilege a NoPermission fault names and the
// object it was checked on (type and moref value).
func MissingPrivilege(err error) (privilege, objType, objID string, ok bool) {
	var np *types.NoPermission
	if !asFault(err, &np) || np == nil {
		return "", "", "", false
	}
	if np.Object != nil {
		objType, objID = np.Object.Type, np.Object.Value
	}
	return np.PrivilegeId, objType, objID, true
}
