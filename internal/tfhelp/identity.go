package tfhelp

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// SetIdentity stores v as a resource's identity; a nil identity (a request
// that carries none) is left alone.
func SetIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, v any, diags *diag.Diagnostics) {
	if id != nil {
		diags.Append(id.Set(ctx, v)...)
	}
}
