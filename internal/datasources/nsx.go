package datasources

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
)

// noNSXManager is why NSX segments are not judged without nsx_manager.
const noNSXManager = "no NSX Manager is configured (nsx_manager, nsx_user and nsx_password, or NSXT_MANAGER_HOST, NSXT_USERNAME and NSXT_PASSWORD)"

// readNSX asks NSX Manager what decides on the audit's NSX segments: nil
// (no call) when it has none. What NSX cannot tell becomes the reason of
// CARP025; a rejected login or an untrusted certificate, a configuration
// error, fails the read on the nsx_* argument to fix.
func (d *auditDataSource) readNSX(ctx context.Context, s inventory.Snapshot, sc rules.Scope, diags *diag.Diagnostics) *inventory.NSXState {
	segments, attachments := rules.NSXQuery(s, sc)
	if len(segments) == 0 {
		return nil
	}
	if d.nsx == nil {
		return &inventory.NSXState{Unavailable: noNSXManager}
	}
	st, err := d.nsx.Read(ctx, nsx.Query{Segments: segments, Attachments: attachments})
	if err == nil {
		return st
	}
	var e *nsx.Error
	if !errors.As(err, &e) {
		return &inventory.NSXState{Manager: d.nsx.Manager(), Unavailable: err.Error()}
	}
	switch e.Kind {
	case nsx.KindCredentials:
		diags.AddError("NSX Manager rejected nsx_user / nsx_password",
			fmt.Sprintf("%s. Check nsx_user and nsx_password in the provider block (or %s and %s). The provider tried once and tries no more in this command: "+
				"NSX locks an account for 15 minutes after five failed logins, and a locked account is rejected with the same answer.",
				upperFirst(e.Error()), "NSXT_USERNAME", "NSXT_PASSWORD"))
		return nil
	case nsx.KindThumbprint:
		diags.AddError("NSX Manager's certificate does not match nsx_thumbprint", upperFirst(e.Error())+". Check nsx_thumbprint against the certificate NSX Manager presents.")
		return nil
	case nsx.KindCertificate:
		diags.AddError("NSX Manager's certificate is not trusted", upperFirst(e.Error())+". Pin it with nsx_thumbprint, or set nsx_allow_unverified_ssl = true.")
		return nil
	case nsx.KindUnreachable:
		if errors.Is(err, context.DeadlineExceeded) {
			return &inventory.NSXState{Manager: e.Manager, Unavailable: fmt.Sprintf("NSX Manager %s did not answer within api_timeout (%s)", e.Manager, d.client.APITimeout())}
		}
	}
	return &inventory.NSXState{Manager: e.Manager, Unavailable: e.Error()}
}
