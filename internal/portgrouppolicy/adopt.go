package portgrouppolicy

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/direct"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Adopting a port group changes nothing. A security field the port group
// inherits from its switch reads as null, and null in the configuration
// means the default, true: so the configuration Terraform generates at
// import (null for an inheriting field) would plan a write. At import, an
// inheriting field reads as the value it inherits instead, and keeps
// reading so while it still inherits; the first write (Create, Update)
// makes every field explicit, and from then on an inheriting field reads
// as null again (drift). The fields adopted that way are kept in the
// resource's private state under adoptedKey.
const adoptedKey = "inherited_at_import"

type securityField struct {
	attr string
	own  func(inventory.Security) *bool
	eff  func(inventory.Effective) bool
	set  func(*policyModel, types.Bool)
}

var securityFields = []securityField{
	{"allow_promiscuous", func(s inventory.Security) *bool { return s.AllowPromiscuous }, func(e inventory.Effective) bool { return e.AllowPromiscuous },
		func(m *policyModel, v types.Bool) { m.AllowPromiscuous = v }},
	{"allow_mac_changes", func(s inventory.Security) *bool { return s.MacChanges }, func(e inventory.Effective) bool { return e.MacChanges },
		func(m *policyModel, v types.Bool) { m.AllowMacChanges = v }},
	{"allow_forged_transmits", func(s inventory.Security) *bool { return s.ForgedTransmits }, func(e inventory.Effective) bool { return e.ForgedTransmits },
		func(m *policyModel, v types.Bool) { m.AllowForgedTransmits = v }},
}

// readSecurity sets the three security attributes of m from the port
// group's own values, or, for a field adopted at import that still
// inherits, from the value it inherits. At import every inheriting field
// is adopted. It returns the fields still adopted.
func readSecurity(m *policyModel, own inventory.Security, eff inventory.Effective, adopted []string, importing bool) []string {
	var still []string
	for _, f := range securityFields {
		v := f.own(own)
		if v == nil && (importing || slices.Contains(adopted, f.attr)) {
			still = append(still, f.attr)
			f.set(m, types.BoolValue(f.eff(eff)))
			continue
		}
		f.set(m, types.BoolPointerValue(v))
	}
	return still
}

func adoptedFields(ctx context.Context, p direct.PrivateReader, diags *diag.Diagnostics) []string {
	b, d := p.GetKey(ctx, adoptedKey)
	diags.Append(d...)
	var out []string
	if len(b) > 0 {
		_ = json.Unmarshal(b, &out) // unreadable: nothing adopted
	}
	return out
}

func setAdopted(ctx context.Context, p direct.PrivateWriter, fields []string, diags *diag.Diagnostics) {
	var b []byte
	if len(fields) > 0 {
		b, _ = json.Marshal(fields)
	}
	diags.Append(p.SetKey(ctx, adoptedKey, b)...)
}
