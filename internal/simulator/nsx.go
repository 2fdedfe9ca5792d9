package simulator

import (
	"crypto/sha1" //nolint:gosec // the thumbprint kind vSphere and govc print
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// NSXManager is the simulator's NSX Manager: the read side of the NSX
// Policy API under /policy/api/v1 that the provider uses (segments, their
// ports and profile binding maps, the MAC discovery, SpoofGuard and IP
// discovery profiles, and search/query over all of them), over HTTPS with
// HTTP Basic authentication, with NSX's default profiles
// (nsxdefaults.go). It is built from the scenario's NSX segments (NSX port
// groups and opaque networks, nsxbuild.go); tests change profiles and
// bindings out of band (nsxoob.go) and pause it.
type NSXManager struct {
	URL            *url.URL // https://127.0.0.1:PORT
	Host           string   // 127.0.0.1:PORT, what nsx_manager takes
	User, Password string
	Thumbprint     string // SHA-1, "AA:BB:..."

	srv   *httptest.Server
	pause pauseState

	mu          sync.Mutex
	objects     map[string]nsxObject // by policy path
	calls       []NSXCall
	seq         int
	failures    int // consecutive rejected logins
	rejected    int // every rejected request
	locked      bool
	ports       map[nicKey]string // firewall NIC -> its segment port's path
	segmentUUID map[string]string // segment id -> unique_id (the logical switch)
}

type nicKey struct{ vm, label string }

// nsxObject is a policy object as the API returns it.
type nsxObject map[string]any

// NSXCall is one request NSX Manager answered.
type NSXCall struct {
	Seq    int
	Method string
	Path   string // without /policy/api/v1
	Query  string // the search query, for search/query
	Status int
}

// The NSX API's answer to a rejected login: HTTP 403 with
// {"module_name":"common-services","error_message":"The credentials were
// incorrect or the account specified has been locked.","error_code":403},
// the same for a locked account (vmware-tanzu/nsx-operator
// pkg/nsx/endpoint_test.go, which replays it; vmware/terraform-provider-nsxt
// #761, where the nsxt provider reports "The credentials were incorrect or
// the account specified has been locked. (code 403)").
var nsxCredentialsError = map[string]any{
	"module_name": "common-services", "error_code": 403,
	"error_message": "The credentials were incorrect or the account specified has been locked.",
}

// nsxLockoutAfter: "By default, after five consecutive failed attempts to
// log in to the NSX Manager UI [or making an API call], the administrator
// account is locked for 15 minutes" (NSX-T Data Center Administration
// Guide 3.2, "Authentication Policy Settings"; API default
// api_max_auth_failures 5, api_failed_auth_lockout_period 900 s,
// AuthenticationPolicyProperties). The simulator locks until Unlock.
const nsxLockoutAfter = 5

const nsxAPIBase = "/policy/api/v1"

// nsxInfraCollections are the collections under /infra the simulator
// serves, listed even when empty.
var nsxInfraCollections = map[string]bool{
	"/infra/segments": true, "/infra/mac-discovery-profiles": true, "/infra/spoofguard-profiles": true, "/infra/ip-discovery-profiles": true,
}

func newNSXManager(user, pass string) *NSXManager {
	m := &NSXManager{User: user, Password: pass, objects: map[string]nsxObject{}, ports: map[nicKey]string{}, segmentUUID: map[string]string{}}
	for _, o := range []nsxObject{
		macDiscoveryObject(defaultMacDiscovery, true), spoofGuardObject(defaultSpoofGuard, true), ipDiscoveryObject(defaultIPDiscovery, true),
	} {
		m.objects[o["path"].(string)] = o
	}
	return m
}

// start serves the API on a random loopback port over TLS.
func (m *NSXManager) start() error {
	m.srv = httptest.NewTLSServer(m)
	u, err := url.Parse(m.srv.URL)
	if err != nil {
		m.srv.Close()
		return err
	}
	m.URL, m.Host = u, u.Host
	h := sha1.Sum(m.srv.Certificate().Raw) //nolint:gosec
	parts := make([]string, len(h))
	for i, b := range h {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	m.Thumbprint = strings.Join(parts, ":")
	return nil
}

func (m *NSXManager) close() {
	if m != nil && m.srv != nil {
		m.Resume()
		m.srv.Close()
	}
}

// policyBase is what every policy object has. parent_path is the object's
// parent in the policy tree: /infra for a segment or a profile, the
// segment for a port or a segment's binding map, the port for a port's.
func policyBase(kind, p, name string, system bool) nsxObject {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	parent := "/" + strings.Join(parts[:max(len(parts)-2, 1)], "/")
	user := "admin"
	if system {
		user = "system"
	}
	return nsxObject{
		"resource_type": kind, "id": path.Base(p), "display_name": name, "path": p, "parent_path": parent,
		"relative_path": path.Base(p), "unique_id": uuid.NewString(), "marked_for_delete": false, "overridden": false,
		"_system_owned": system, "_create_user": user, "_last_modified_user": user, "_protection": "NOT_PROTECTED", "_revision": 0,
	}
}

// ServeHTTP answers one request: held while paused (pause.go), rejected
// with NSX's answer to a failed login, then answered and recorded.
func (m *NSXManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.pause.hold(r) {
		return // paused, and the client gave up
	}
	status, body := m.answer(r)
	p := strings.TrimPrefix(r.URL.Path, nsxAPIBase)
	m.mu.Lock()
	m.seq++
	m.calls = append(m.calls, NSXCall{Seq: m.seq, Method: r.Method, Path: p, Query: r.URL.Query().Get("query"), Status: status})
	m.mu.Unlock()
	m.pause.answering(p)
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (m *NSXManager) answer(r *http.Request) (int, any) {
	user, pass, ok := r.BasicAuth()
	if !m.authenticate(user, pass, ok) {
		return http.StatusForbidden, nsxCredentialsError
	}
	if r.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, nsxError(http.StatusMethodNotAllowed, "The simulator's NSX Manager answers GET only.")
	}
	p, ok := strings.CutPrefix(r.URL.Path, nsxAPIBase)
	if !ok {
		return http.StatusNotFound, nsxError(http.StatusNotFound, "The requested URI: "+r.URL.Path+" could not be found.")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p == "/search/query" {
		return m.search(r.URL.Query())
	}
	if o, ok := m.objects[p]; ok {
		return http.StatusOK, o
	}
	if list := m.children(p); list != nil {
		return http.StatusOK, map[string]any{"results": list, "result_count": len(list), "sort_by": "display_name", "sort_ascending": true}
	}
	return http.StatusNotFound, nsxError(http.StatusNotFound, "The path="+p+" is invalid or the object does not exist.")
}

func nsxError(code int, msg string) map[string]any {
	return map[string]any{"module_name": "common-services", "error_code": code, "error_message": msg, "httpStatus": http.StatusText(code)}
}

// authenticate checks HTTP Basic credentials and counts rejections toward
// the lockout; a locked account is rejected even with the right password.
func (m *NSXManager) authenticate(user, pass string, ok bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.locked && ok && user == m.User && pass == m.Password {
		m.failures = 0
		return true
	}
	m.rejected++
	m.failures++
	if m.failures >= nsxLockoutAfter {
		m.locked = true
	}
	return false
}

// children lists the objects of a collection path
// (/infra/segments/web/ports, .../segment-discovery-profile-binding-maps,
// /infra/mac-discovery-profiles), sorted by path; nil when there is no
// such collection. m.mu is held.
func (m *NSXManager) children(coll string) []nsxObject {
	var out []nsxObject
	known := false
	for p, o := range m.objects {
		if strings.HasPrefix(p, coll+"/") && !strings.Contains(strings.TrimPrefix(p, coll+"/"), "/") {
			out = append(out, o)
			known = true
		}
	}
	if _, ok := m.objects[path.Dir(coll)]; ok || known || nsxInfraCollections[coll] {
		sort.Slice(out, func(i, j int) bool { return out[i]["path"].(string) < out[j]["path"].(string) })
		if out == nil {
			out = []nsxObject{}
		}
		return out
	}
	return nil
}
