package tfhelp

import (
	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
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
