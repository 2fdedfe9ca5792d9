package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// What the provider's errors say was left with promiscuous mode off (the
// messages of carp_portgroup_policy and carp_host_settings; Terraform
// wraps them in a box, so the output is flattened first).
var (
	boxChars = strings.NewReplacer("│", " ", "╷", " ", "╵", " ")
	// the toggle diagnostics (tfdiag.Toggle): "is left OFF on: <targets>:
	// putting it back failed", "may be left OFF on: <targets>: it was
	// turned off"
	leftOffRes = []*regexp.Regexp{
		regexp.MustCompile(`is left OFF on: (.*?): putting it back failed`),
		regexp.MustCompile(`may be left OFF on: (.*?): it was turned off`),
	}
	targetRe = regexp.MustCompile(`(port group|vSwitch) "([^"]+)"`)
)

// leftOffClaims returns the port groups (standard or distributed, by name)
// and the vSwitches the output says were left with promiscuous mode off.
func leftOffClaims(out string) (pgs, vswitches map[string]bool) {
	text := strings.Join(strings.Fields(boxChars.Replace(out)), " ")
	pgs, vswitches = map[string]bool{}, map[string]bool{}
	add := func(kind, name string) {
		if kind == "vSwitch" {
			vswitches[name] = true
		} else {
			pgs[name] = true
		}
	}
	for _, re := range leftOffRes {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			for _, t := range targetRe.FindAllStringSubmatch(m[1], -1) {
				add(t[1], t[2])
			}
		}
	}
	return pgs, vswitches
}

// untrue lists what the errors of a failed run say that is not so: a port
// group or vSwitch named as left off that accepts promiscuous mode, one
// not named that lost it (directly or through its vSwitch), and any object
// less safe in MAC changes or forged transmits than before.
func untrue(out string, objects []watched, before, after campaignState) []string {
	pgs, vss := leftOffClaims(out)
	var bad []string
	known := map[string]bool{}
	for _, o := range objects {
		known[o.name] = true
		b, a := before.sec[o.id], after.sec[o.id]
		claimed := pgs[o.name] || vss[after.inheritsFrom[o.name]]
		switch {
		case claimed && a[0]:
			bad = append(bad, fmt.Sprintf("the error says %s was left with promiscuous mode off, but it accepts it (%v)", o.name, a))
		case !claimed && b[0] && !a[0]:
			bad = append(bad, fmt.Sprintf("%s lost promiscuous mode (%v -> %v) and no error says it was left off", o.name, b, a))
		}
		if (b[1] && !a[1]) || (b[2] && !a[2]) {
			bad = append(bad, fmt.Sprintf("%s lost MAC changes or forged transmits (%v -> %v)", o.name, b, a))
		}
	}
	for name := range pgs {
		if !known[name] {
			bad = append(bad, fmt.Sprintf("the error says port group %q was left off, which the campaign does not configure", name))
		}
	}
	for name := range vss {
		if on, ok := after.vswitchOn[name]; !ok || on {
			bad = append(bad, fmt.Sprintf("the error says vSwitch %q was left off, but it is not (exists %t)", name, ok))
		}
	}
	return bad
}

// TestLeftOffClaims: the oracle reads the claims out of the errors as
// Terraform prints them (boxed and wrapped).
func TestLeftOffClaims(t *testing.T) {
	t.Parallel()
	out := `
╷
│ Error: Promiscuous mode left off
│
│   with carp_host_settings.h,
│   on main.tf line 14, in resource "carp_host_settings" "h":
│   14: resource "carp_host_settings" "h" {
│
│ Promiscuous mode is left OFF on: port group "FW-SYNC" on host esx-01
│ (host-18) (SystemError: ServerFaultCode: SystemError): putting it back
│ failed 4 times. CARP on it does not work until it is back.
╵
╷
│ Error: Toggle interrupted
│
│ The toggle stopped (the toggle of port group "FW-SYNC" left it off) before
│ these, which were not toggled and keep promiscuous mode as it was: port
│ group "FW-WAN" on host esx-01 (host-18), vSwitch "vSwitch1" on host esx-01
│ (host-18). Toggled and restored: none.
╵
╷
│ Error: Promiscuous mode may be left off
│
│ Promiscuous mode may be left OFF on: distributed port group "FW-CORE"
│ (dvportgroup-27) on switch dvs-65 (dvs-22) (context deadline exceeded): it
│ was turned off, then vSphere stopped answering.
╵
╷
│ Error: Promiscuous mode left off
│
│ Promiscuous mode is left OFF on: vSwitch "vSwitch1" on host esx-01
│ (host-18) (SystemError: x); port group "FW-DMZ" on host esx-01 (host-18)
│ (SystemError: y): putting it back failed 4 times. CARP on them does not
│ work until it is back.
╵
╷
│ Error: Cannot write the port group policy
│
│ writing the policy of port group "FW-LAN" (host-15:FW-LAN) failed with
│ SystemError. Promiscuous mode is not left off by this apply.
╵`
	pgs, vss := leftOffClaims(out)
	if got, want := fmt.Sprint(pgs, vss), "map[FW-CORE:true FW-DMZ:true FW-SYNC:true] map[vSwitch1:true]"; got != want {
		t.Errorf("claims %s, want %s", got, want)
	}
}
