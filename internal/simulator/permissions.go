package simulator

import (
	"sync"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Roles: vcsim lets every session do everything. A vCenter checks, on every
// call, that the session's user holds the method's privilege on the object
// it concerns, and answers NoPermission (privilegeId, object) when not
// ("NoPermission: thrown if the user does not hold the privilege", vSphere
// Web Services API, vim.fault.NoPermission). AddUser adds a login whose
// sessions hold only the privileges given, so that a service account's
// custom role can be tried.
//
// The privileges checked are those of the writes the provider makes, as the
// vSphere API reference gives them:
//   - HostNetworkSystem.UpdatePortGroup and UpdateVirtualSwitch: "Required
//     privileges: Host.Config.Network", on the host (vSphere Security,
//     Host configuration privileges: "Required On: Hosts").
//   - OptionManager.UpdateOptions on a host's advanced options:
//     "Host.Config.AdvancedConfig on the host"; on vCenter's own settings,
//     "Global.Settings on the root folder".
//   - DistributedVirtualPortgroup.ReconfigureDVPortgroup_Task:
//     "DVPortgroup.PolicyOp if you are changing the policy of the portgroup
//     ... DVPortgroup.Modify for anything else", on the port group.
//
// Reads (the PropertyCollector and views) need System.Read, which every
// role holds (vCenter's Read-only role is System.Anonymous, System.View and
// System.Read); they are not checked.
type permissions struct {
	mu    sync.Mutex
	users map[string]map[string]bool // user -> privileges held
	pass  map[string]string
	who   map[string]string // session key (the cookie) -> user
}

// ReadOnly is the privileges of vCenter's Read-only role.
var ReadOnly = []string{"System.Anonymous", "System.View", "System.Read"}

// AddUser lets user log in with password; its sessions hold only the
// privileges given (plus none implied). The server's own user keeps every
// privilege.
func (s *Server) AddUser(user, password string, privileges ...string) {
	s.perms.mu.Lock()
	defer s.perms.mu.Unlock()
	if s.perms.users == nil {
		s.perms.users, s.perms.pass, s.perms.who = map[string]map[string]bool{}, map[string]string{}, map[string]string{}
		sm := s.model.Map().SessionManager()
		sm.ValidLogin = s.validLogin
	}
	held := map[string]bool{}
	for _, p := range privileges {
		held[p] = true
	}
	s.perms.users[user], s.perms.pass[user] = held, password
}

// validLogin accepts the server's own login and the users added.
func (s *Server) validLogin(req *types.Login) bool {
	if req.UserName == s.User && req.Password == s.Password {
		return true
	}
	s.perms.mu.Lock()
	defer s.perms.mu.Unlock()
	p, ok := s.perms.pass[req.UserName]
	return ok && p == req.Password
}

// deny checks a call against the privileges of its session's user. When
// one is missing, it queues the NoPermission fault for dispatch (answered
// as a SOAP fault, also for *_Task methods: the check comes before any task
// is created) and reports true.
func (s *Server) deny(cookie string, m *gosim.Method) bool {
	s.perms.mu.Lock()
	restricted := len(s.perms.users) > 0
	s.perms.mu.Unlock()
	if !restricted || cookie == "" {
		return false
	}
	priv, obj := s.required(m)
	if priv == "" {
		return false
	}
	held, ok := s.heldBy(cookie)
	if !ok || held[priv] {
		return false
	}
	fault := &types.NoPermission{Object: &obj, PrivilegeId: priv,
		MissingPrivileges: []types.NoPermissionEntityPrivileges{{Entity: obj, PrivilegeIds: []string{priv}}}}
	s.pushPending(m.Name, m.This.Value, fault)
	return true
}

// required is the privilege a write needs and the entity it is checked on;
// "" for calls not checked.
func (s *Server) required(m *gosim.Method) (string, types.ManagedObjectReference) {
	host := func(byManager map[string]string) types.ManagedObjectReference {
		s.netMu.Lock()
		defer s.netMu.Unlock()
		return types.ManagedObjectReference{Type: "HostSystem", Value: byManager[m.This.Value]}
	}
	switch m.Name {
	case "UpdatePortGroup", "UpdateVirtualSwitch", "UpdateNetworkConfig":
		return "Host.Config.Network", host(s.nsHost)
	case "UpdateOptions":
		if h := host(s.optHost); h.Value != "" {
			return "Host.Config.AdvancedConfig", h
		}
		return "Global.Settings", s.intc.ServiceContent.RootFolder
	case "ReconfigureDVPortgroup_Task":
		if req, ok := m.Body.(*types.ReconfigureDVPortgroup_Task); ok && req.Spec.Policy != nil {
			return "DVPortgroup.PolicyOp", m.This
		}
		return "DVPortgroup.Modify", m.This
	}
	return "", types.ManagedObjectReference{}
}

// heldBy returns the privileges of the user of a session, if it is one of
// the users added (the server's own user holds every privilege).
func (s *Server) heldBy(cookie string) (map[string]bool, bool) {
	s.perms.mu.Lock()
	user, known := s.perms.who[cookie]
	s.perms.mu.Unlock()
	if !known {
		user = s.sessionUser(cookie)
		s.perms.mu.Lock()
		s.perms.who[cookie] = user
		s.perms.mu.Unlock()
	}
	s.perms.mu.Lock()
	defer s.perms.mu.Unlock()
	held, ok := s.perms.users[user]
	return held, ok
}

// sessionUser is the user of the session whose key is cookie (vcsim's
// session cookie is the session key), or "".
func (s *Server) sessionUser(cookie string) string {
	for _, u := range s.sessionList() {
		if u.Key == cookie {
			return u.UserName
		}
	}
	return ""
}

// sessionList is the SessionManager's sessionList, read in process.
func (s *Server) sessionList() []types.UserSession {
	ref := s.model.Map().SessionManager().Reference()
	req := types.RetrieveProperties{This: s.intc.ServiceContent.PropertyCollector, SpecSet: []types.PropertyFilterSpec{{
		ObjectSet: []types.ObjectSpec{{Obj: ref}},
		PropSet:   []types.PropertySpec{{Type: "SessionManager", PathSet: []string{"sessionList"}}},
	}}}
	res, err := methods.RetrieveProperties(s.ictx, s.intc, &req)
	if err != nil || len(res.Returnval) == 0 {
		return nil
	}
	var sm mo.SessionManager
	if err := mo.LoadObjectContent(res.Returnval, &sm); err != nil {
		return nil
	}
	return sm.SessionList
}
