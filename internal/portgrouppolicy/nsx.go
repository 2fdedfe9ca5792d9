package portgrouppolicy

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// nsxManaged fails the plan, or the apply, of a policy on an NSX port
// group with CARP022 on distributed_portgroup_id: its vSphere policy
// decides nothing and vCenter does not reconfigure it. It reports whether
// it did; then nothing is written. It reads nothing: the snapshot's port
// group config has the backing type.
func nsxManaged(diags *diag.Diagnostics, snap *vsphere.Snapshot, t pgTarget) bool {
	if !t.isDV() {
		return false
	}
	fs := rules.NSXManagedPortGroup(snap.Snapshot, t.DVPortGroupID)
	tfdiag.AddFindings(diags, t.path(), fs, map[string]bool{rules.CodeNSXManagedPortGroup: true})
	return len(fs) > 0
}
