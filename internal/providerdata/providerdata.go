// Package providerdata is what the provider hands its resources, data
// sources and action at Configure: the vSphere client, the NSX client and
// the state of the command the provider process serves.
package providerdata

import (
	"fmt"

	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// ProviderData is what the data sources get from the provider: the vSphere
// client and, when nsx_manager is set, the NSX client (which connects
// only when a data source needs it). Resources and the action get the
// vSphere client alone.
type ProviderData struct {
	VSphere *vsphere.Client
	NSX     *nsx.Client
}

// NSXFrom returns the NSX client of provider data: nil when no NSX Manager
// is configured (or the provider is not configured yet).
func NSXFrom(data any) *nsx.Client {
	if d, ok := data.(*ProviderData); ok {
		return d.NSX
	}
	return nil
}

// ClientFrom turns provider data into the vSphere client, for the Configure
// method of resources and data sources.
func ClientFrom(data any, diags *diag.Diagnostics) *vsphere.Client {
	if data == nil {
		return nil // provider not configured yet (validate, early plan)
	}
	switch c := data.(type) {
	case *vsphere.Client:
		return c
	case *ProviderData:
		return c.VSphere
	}
	diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *vsphere.Client, got %T. This is a bug in the provider.", data))
	return nil
}
