package tfvalue

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The one host id check of the provider (host_system_id of both resources,
// their import ids). A HostSystem moref is "host-<n>" on vCenter and
// "ha-host" on a host managed directly; a host name ("esx-01"), an inventory
// path or govc's "HostSystem:host-21" fails at validate, before any vSphere
// call, with a message that names the mix-up.
var hostIDRE = regexp.MustCompile(`^(host-[0-9]+|ha-host)$`)

// otherMorefPrefixes are moref prefixes of objects that are not hosts: a
// value starting with one of them is a mix-up worth naming.
var otherMorefPrefixes = map[string]string{
	"vm-": "virtual machine", "dvportgroup-": "distributed port group", "dvs-": "distributed switch",
	"network-": "network", "datastore-": "datastore", "datacenter-": "datacenter", "domain-c": "cluster",
	"domain-s": "standalone host's compute resource", "group-": "folder", "resgroup-": "resource pool",
}

const hostIDFormat = `a HostSystem managed object id such as "host-21" (vCenter) or "ha-host" (ESXi managed directly); take it from data.carp_hosts (hosts[*].id) or the vsphere provider's host id`

// IsHostID tells whether id is a HostSystem moref.
func IsHostID(id string) bool { return hostIDRE.MatchString(id) }

// CheckHostID returns why id is not a HostSystem moref, or "" when it is one.
func CheckHostID(id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return "host_system_id is empty. Expected " + hostIDFormat + "."
	case IsHostID(id):
		return ""
	}
	for _, p := range SortedKeys(otherMorefPrefixes) {
		if strings.HasPrefix(id, p) {
			return fmt.Sprintf("%q is the id of a %s, not of a host. Expected %s.", id, otherMorefPrefixes[p], hostIDFormat)
		}
	}
	return fmt.Sprintf("%q is not a managed object id of a host (not a host name, an inventory path or a type-prefixed id). Expected %s.", id, hostIDFormat)
}

// HostID validates host_system_id with CheckHostID.
func HostID() validator.String { return hostIDValidator{} }

type hostIDValidator struct{}

func (hostIDValidator) Description(context.Context) string {
	return "must be a HostSystem managed object id"
}

func (v hostIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (hostIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := CheckHostID(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid host_system_id", msg)
	}
}

var dvPortGroupIDRE = regexp.MustCompile(`^dvportgroup-[0-9]+$`)

// IsDVPortGroupID tells whether id is a DistributedVirtualPortgroup moref.
func IsDVPortGroupID(id string) bool { return dvPortGroupIDRE.MatchString(id) }

// DVPortGroupID validates a distributed port group moref.
func DVPortGroupID() validator.String {
	return stringvalidator.RegexMatches(dvPortGroupIDRE, "must be a distributed port group managed object id such as dvportgroup-42")
}
