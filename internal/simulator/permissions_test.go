package simulator

import (
	"net/url"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// TestNoPermission: a session of a user added with the Read-only role can
// read, and its UpdatePortGroup is answered NoPermission with the
// privilege and the host; a user holding the privilege can write; the
// server's own user keeps every privilege.
func TestNoPermission(t *testing.T) {
	t.Parallel()
	s, admin := start(t, twoHosts())
	s.AddUser("ro", "ro-pass", ReadOnly...)
	s.AddUser("net", "net-pass", append(ReadOnly, "Host.Config.Network")...)
	login := func(user, pass string) *govmomi.Client {
		u := *s.URL
		u.User = url.UserPassword(user, pass)
		c, err := govmomi.NewClient(t.Context(), &u, true)
		if err != nil {
			t.Fatalf("login as %s: %v", user, err)
		}
		return c
	}
	spec := findPG(netInfo(t, admin, netSys(t, admin, s, "h1")), "PG-A").Spec
	for _, tc := range []struct {
		user, pass string
		denied     bool
	}{{"ro", "ro-pass", true}, {"net", "net-pass", false}, {s.User, s.Password, false}} {
		c := login(tc.user, tc.pass)
		ns := netSys(t, c, s, "h1") // a read
		err := ns.UpdatePortGroup(t.Context(), "PG-A", spec)
		if !tc.denied {
			if err != nil {
				t.Errorf("%s: %v", tc.user, err)
			}
			continue
		}
		np := noPermission(err)
		if np == nil {
			t.Fatalf("%s: UpdatePortGroup = %v, want NoPermission", tc.user, err)
		}
		if np.PrivilegeId != "Host.Config.Network" || np.Object == nil || *np.Object != hostRef(s, "h1") {
			t.Errorf("%s: NoPermission names %q on %v, want Host.Config.Network on %v", tc.user, np.PrivilegeId, np.Object, hostRef(s, "h1"))
		}
	}
	if _, err := govmomi.NewClient(t.Context(), &url.URL{Scheme: "https", Host: s.URL.Host, Path: s.URL.Path, User: url.UserPassword("ro", "wrong")}, true); err == nil {
		t.Error("an added user logged in with a wrong password")
	}
}

// noPermission digs the NoPermission fault out of a SOAP error.
func noPermission(err error) *types.NoPermission {
	if err == nil || !soap.IsSoapFault(err) {
		return nil
	}
	switch f := soap.ToSoapFault(err).VimFault().(type) {
	case *types.NoPermission:
		return f
	case types.NoPermission:
		return &f
	}
	return nil
}
