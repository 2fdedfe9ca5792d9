// Package providerdata is what the provider hands its resources, data
// sources and action at Configure: the vSphere client, the NSX client and
// the state of the command the provider process serves.
package providerdata

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/carpsafe/terraform-provider-carp/internal/command"
	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// Data is what a Configure of the provider gives every resource, data
// source and the action.
type Data struct {
	VSphere *vsphere.Client
	// NSX is nil unless nsx_manager is set; it connects only when a data
	// source needs it.
	NSX *nsx.Client
	// Command is the state the plans of this command share.
	Command *command.State
}

// From is the provider data of a Configure request: nil while the provider
// is not configured yet (validate, early plan).
func From(data any, diags *diag.Diagnostics) *Data {
	if data == nil {
		return nil
	}
	if d, ok := data.(*Data); ok {
		return d
	}
	diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerdata.Data, got %T. This is a bug in the provider.", data))
	return nil
}

// Client is the vSphere client of provider data, nil before Configure.
func (d *Data) Client() *vsphere.Client {
	if d == nil {
		return nil
	}
	return d.VSphere
}
