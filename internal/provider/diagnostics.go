package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// addConnectError gives each way a connection fails its own diagnostic.
func addConnectError(diags *diag.Diagnostics, cfg vsphere.Config, err error) {
	var ce *vsphere.ConnectError
	if !errors.As(err, &ce) {
		diags.AddError("Cannot connect to vSphere", err.Error())
		return
	}
	switch ce.Kind {
	case vsphere.KindUnreachable:
		diags.AddAttributeError(path.Root("vsphere_server"), "vSphere server unreachable",
			fmt.Sprintf("Could not reach %s: %v.\n\nCheck vsphere_server (or %s), the port, and that this machine can reach it.", cfg.Server, ce.Err, EnvServer))
	case vsphere.KindCredentials:
		diags.AddAttributeError(path.Root("user"), "vSphere rejected the credentials",
			fmt.Sprintf("%s refused the login of user %q: %v.\n\nCheck user and password (or %s and %s).", cfg.Server, cfg.User, ce.Err, EnvUser, EnvPassword))
	case vsphere.KindCertificate:
		diags.AddAttributeError(path.Root("allow_unverified_ssl"), "Untrusted vSphere certificate",
			fmt.Sprintf("The certificate of %s could not be verified: %v.\n\nTrust it with ca_file (or %s), pin it with thumbprint, or, for a lab only, set allow_unverified_ssl = true (or %s=true).", cfg.Server, ce.Err, EnvCAFile, EnvInsecure))
	case vsphere.KindThumbprint:
		diags.AddAttributeError(path.Root("thumbprint"), "vSphere certificate thumbprint mismatch",
			fmt.Sprintf("%s presented a certificate with thumbprint\n  %s\nbut thumbprint is pinned to\n  %s\n\nIf the server's certificate was renewed on purpose, update thumbprint; otherwise something is intercepting the connection.", cfg.Server, ce.Actual, ce.Expected))
	default:
		diags.AddError("Cannot connect to vSphere", ce.Error())
	}
}
