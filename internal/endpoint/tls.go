// Package endpoint is how the provider reaches a server it is given by
// name, vCenter (internal/vsphere) and NSX Manager (internal/nsx) alike:
// the host[:port] of an argument as an https URL (url.go), its certificate
// pinned by thumbprint the way govc and the vSphere and nsxt providers
// take one (the SHA-1 or SHA-256 hash of the certificate, colon-separated
// hex; this file), and the count of the calls an operation makes
// (count.go).
package endpoint

import (
	"crypto/sha1" //nolint:gosec // vSphere thumbprints are SHA-1 (govc accepts SHA-256 too)
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
)

// Normalize upper-cases a thumbprint and checks its shape: 20 (SHA-1) or
// 32 (SHA-256) colon-separated hex bytes.
func Normalize(tp string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(tp))
	parts := strings.Split(t, ":")
	if len(parts) != 20 && len(parts) != 32 {
		return "", fmt.Errorf("%q is not a thumbprint: expected 20 (SHA-1) or 32 (SHA-256) colon-separated hex bytes such as AB:CD:...", tp)
	}
	for _, p := range parts {
		if len(p) != 2 || strings.Trim(p, "0123456789ABCDEF") != "" {
			return "", fmt.Errorf("%q is not a thumbprint: %q is not a hex byte", tp, p)
		}
	}
	return t, nil
}

// MismatchError is a server certificate whose thumbprint is not the pinned
// one: Actual is of the pinned kind (SHA-1 or SHA-256).
type MismatchError struct{ Expected, Actual string }

func (e *MismatchError) Error() string {
	return fmt.Sprintf("thumbprint %s does not match pinned %s", e.Actual, e.Expected)
}

// Pin makes cfg accept exactly the certificate of thumbprint want (a
// Normalize'd value), whoever signed it: pinning replaces chain
// verification.
func Pin(cfg *tls.Config, want string) {
	cfg.InsecureSkipVerify = true //nolint:gosec // verified by VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return &MismatchError{Expected: want, Actual: "(no certificate)"}
		}
		s1, s256 := Thumbprints(cs.PeerCertificates[0])
		if want == s1 || want == s256 {
			return nil
		}
		actual := s1
		if len(want) > len(s1) {
			actual = s256
		}
		return &MismatchError{Expected: want, Actual: actual}
	}
}

// Thumbprints are a certificate's SHA-1 and SHA-256 thumbprints.
func Thumbprints(cert *x509.Certificate) (sha1Hex, sha256Hex string) {
	h1 := sha1.Sum(cert.Raw) //nolint:gosec
	h2 := sha256.Sum256(cert.Raw)
	return colonHex(h1[:]), colonHex(h2[:])
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}
