package simulator

// The HTTP layer in front of vcsim's SDK handler (wrap): the call record,
// delays, idle-session expiry, and the faults injected into calls
// (FailCall, control.go; NoPermission, permissions.go).

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type faultHook struct {
	method, object string
	remaining      int
	fault          types.BaseMethodFault
}

type pendingKey struct{ method, object string }

// popPending returns the fault the HTTP layer decided to inject into this
// call, if any.
func (s *Server) popPending(method, object string) types.BaseMethodFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := pendingKey{method, object}
	l := s.pending[k]
	if len(l) == 0 {
		return nil
	}
	f := l[0]
	if len(l) == 1 {
		delete(s.pending, k)
	} else {
		s.pending[k] = l[1:]
	}
	return f
}

// pushPending queues fault for the next call of method on object, for
// dispatch (overrides.go) to answer as a SOAP fault.
func (s *Server) pushPending(method, object string, fault types.BaseMethodFault) {
	s.mu.Lock()
	k := pendingKey{method, object}
	s.pending[k] = append(s.pending[k], fault)
	s.mu.Unlock()
}

// Methods vCenter answers without a session.
var unauthenticatedMethods = map[string]bool{
	"RetrieveServiceContent": true, "Login": true, "LoginByToken": true,
	"LoginExtensionByCertificate": true, "LoginBySSPI": true, "CloneSession": true,
}

const notAuthenticatedFault = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="SessionManager">SessionManager</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

var faultTypeRE = regexp.MustCompile(`xsi:type="([A-Za-z0-9_]+)"`)

// wrap records every SOAP call, applies delays, idle-session expiry and
// non-task fault hooks, then passes the request to vcsim.
func (s *Server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body = toVcsimTypes(body)
		setBody(r, body)

		call, m := s.parseCall(body)
		if !s.hold(r) {
			return // paused, and the client gave up (pause.go)
		}

		cookie := ""
		if c, err := r.Cookie(soap.SessionCookieName); err == nil {
			cookie = c.Value
		}
		// vcsim lets the PropertyCollector answer without a session;
		// vCenter answers NotAuthenticated to every call but the login
		// ones once the session has timed out.
		if cookie != "" && s.sessionDead(cookie) && m != nil && !unauthenticatedMethods[m.Name] {
			s.refuseDead(w, call)
			return
		}

		s.mu.Lock()
		s.seq++
		call.Seq = s.seq
		delay := s.delay
		s.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay)
		}

		var injected types.BaseMethodFault
		if m != nil && !s.deny(cookie, m) { // deny: NoPermission, permissions.go
			var faulter *types.ManagedObjectReference
			if injected, faulter = s.divert(r, body, m, call); faulter != nil {
				defer s.removeAlias(*faulter)
			}
		}

		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.record(r, rec, call, injected)
	})
}

// setBody makes body the request's body.
func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
}

// parseCall reads the SOAP method and its _this from a request body and
// counts the call's arrival (control.go); m is nil when the body is not a
// SOAP call.
func (s *Server) parseCall(body []byte) (Call, *gosim.Method) {
	call := Call{}
	m, err := gosim.UnmarshalBody(types.TypeFunc(), body)
	if err != nil {
		return call, nil
	}
	call.Method = m.Name
	call.Object = m.This.Value
	call.Detail = detail(m.Name, m.This, m.Body)
	s.arrive(m.Name)
	return call, m
}

// sessionDead applies the idle expiry to the session of cookie (a session
// idle longer than the timeout is terminated) and tells whether it has
// timed out.
func (s *Server) sessionDead(cookie string) bool {
	s.mu.Lock()
	last, ok := s.lastSeen[cookie]
	d := s.idleTimeout
	expired := ok && d > 0 && time.Since(last) > d
	if expired {
		delete(s.lastSeen, cookie)
		s.expired[cookie] = true
	} else if !s.expired[cookie] {
		s.lastSeen[cookie] = time.Now()
	}
	s.mu.Unlock()
	if expired {
		s.terminate(cookie)
	}
	s.mu.Lock()
	dead := s.expired[cookie]
	s.mu.Unlock()
	return dead
}

// refuseDead records the call as failed with NotAuthenticated and answers
// vCenter's fault for a timed-out session.
func (s *Server) refuseDead(w http.ResponseWriter, call Call) {
	call.Fault = "NotAuthenticated"
	s.mu.Lock()
	s.seq++
	call.Seq = s.seq
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, notAuthenticatedFault)
}

// divert decides what answers the call: an injected fault (FailCall) fails
// a *_Task method's task through a one-call taskFaulter, returned for the
// caller to remove once the call is answered, and is queued for dispatch
// for any other method; without one, an overridden method goes to its
// alias (alias.go).
func (s *Server) divert(r *http.Request, body []byte, m *gosim.Method, call Call) (types.BaseMethodFault, *types.ManagedObjectReference) {
	injected := s.takeFault(call.Method, call.Object)
	if injected != nil {
		if _, ok := taskMethods[m.Name]; ok {
			ref := s.faultAlias(call.Seq, m.Name, m.This, injected)
			pointAt(r, body, ref)
			return injected, &ref
		}
		s.pushPending(call.Method, call.Object, injected)
		return injected, nil
	}
	if ref, ok := s.alias(m.Name, m.This); ok {
		pointAt(r, body, ref)
	}
	return nil, nil
}

// pointAt points the request's _this at ref (rewriteThis).
func pointAt(r *http.Request, body []byte, ref types.ManagedObjectReference) {
	if nb, ok := rewriteThis(body, ref); ok {
		setBody(r, nb)
	}
}

// record completes the call's record from vcsim's answer (its fault, the
// injected one first; the session cookie it sets; whether the client is
// still there), appends it and only then sends the answer.
func (s *Server) record(r *http.Request, rec *recorder, call Call, injected types.BaseMethodFault) {
	if rec.status >= 400 {
		out := rec.buf.String()
		if i := strings.Index(out, "<detail>"); i >= 0 {
			if m := faultTypeRE.FindStringSubmatch(out[i:]); m != nil {
				call.Fault = m[1]
			}
		}
		if call.Fault == "" {
			call.Fault = "SOAPFault"
		}
	}
	if injected != nil {
		call.Fault = faultName(injected)
	}
	for _, c := range rec.Header()["Set-Cookie"] {
		if strings.HasPrefix(c, soap.SessionCookieName+"=") {
			v := strings.TrimPrefix(c, soap.SessionCookieName+"=")
			if i := strings.IndexByte(v, ';'); i >= 0 {
				v = v[:i]
			}
			s.mu.Lock()
			s.lastSeen[v] = time.Now()
			s.mu.Unlock()
		}
	}

	call.Abandoned = r.Context().Err() != nil
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	s.answering(call.Method)
	rec.flush()
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

// The response is held back until the call is recorded, so that a client
// never sees an answer before the call shows in Calls() and CallCount().
func (r *recorder) WriteHeader(code int) {
	r.status = code
}

func (r *recorder) Write(p []byte) (int, error) {
	return r.buf.Write(p)
}

func (r *recorder) flush() {
	out := toClientTypes(r.buf.Bytes())
	if r.Header().Get("Content-Length") != "" {
		r.Header().Set("Content-Length", strconv.Itoa(len(out)))
	}
	r.ResponseWriter.WriteHeader(r.status)
	_, _ = r.ResponseWriter.Write(out)
}

func faultName(f types.BaseMethodFault) string {
	t := fmt.Sprintf("%T", f)
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[i+1:]
	}
	return t
}
