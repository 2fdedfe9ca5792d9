package rules

import (
	"strings"
	"testing"
)

// The catalog's table, written out by hand so that a change of a code, a
// name or a severity must be made twice: code, name, severity (the table
// of the generated guide, docs/guides/pitfalls.md).
var pitfalls = []struct {
	code, name string
	sev        Severity
}{
	{"CARP001", "promiscuous_rejected", SeverityError},
	{"CARP002", "mac_changes_rejected", SeverityError},
	{"CARP003", "forged_transmits_rejected", SeverityError},
	{"CARP004", "rpf_check_off_with_teaming", SeverityError},
	{"CARP005", "toggle_after_rpf_change", SeverityWarning},
	{"CARP006", "vds_upgraded_legacy", SeverityWarning},
	{"CARP007", "port_mirroring_breaks_promiscuous", SeverityWarning},
	{"CARP008", "shared_promiscuous_portgroup", SeverityWarning},
	{"CARP009", "vswitch_wide_promiscuous", SeverityWarning},
	{"CARP010", "teamed_uplinks_not_ip_hash", SeverityWarning},
	{"CARP011", "single_uplink_no_failover", SeverityWarning},
	{"CARP012", "legacy_vm_nic", SeverityError},
	{"CARP013", "mac_learning_available", SeverityInfo},
	{"CARP014", "mac_learning_unsupported", SeverityError},
	{"CARP015", "port_override_rejects", SeverityError},
	{"CARP016", "portgroup_differs_across_hosts", SeverityError},
	{"CARP017", "pair_not_separated", SeverityWarning},
	{"CARP018", "lag_mixed_with_standalone_uplinks", SeverityWarning},
	{"CARP019", "mac_limit_drops_vip", SeverityError},
	{"CARP020", "unknown_unicast_flooding_off", SeverityWarning},
	{"CARP021", "vds_policies_disagree", SeverityWarning},
	{"CARP022", "nsx_managed_portgroup", SeverityError},
	{"CARP023", "nsx_mac_discovery_blocks_vip", SeverityError},
	{"CARP024", "nsx_spoofguard_blocks_vip", SeverityError},
	{"CARP025", "nsx_segment_not_judged", SeverityError},
	{"CARP026", "host_not_connected", SeverityError},
}

// The rules about the VIP's virtual MAC, which do not apply with
// vip_mac = "interface" (marked "virtual MAC" in docs/guides/pitfalls.md:
// 001-003, 013, 015, 019, 023; and 020: the NIC's own MAC is known to the
// switch without learning).
var virtualMACOnly = map[string]bool{"CARP001": true, "CARP002": true, "CARP003": true, "CARP013": true, "CARP015": true, "CARP019": true, "CARP020": true, "CARP023": true}

// Where each rule shows ("Shows in" of docs/guides/pitfalls.md).
var shows = map[string][]string{
	"CARP004": {ShowHostSettingsPlan, ShowPolicyPlan, ShowAudit},
	"CARP005": {ShowHostSettingsPlan}, // not the audit: 005 is a planned change, which the audit cannot see
	"CARP008": {ShowAudit},
	"CARP012": {ShowAudit},
	"CARP014": {ShowPolicyPlan}, // a configuration error: the plan fails
	"CARP016": {ShowAudit},
	"CARP017": {ShowAudit},
	"CARP022": {ShowPolicyPlan}, // a configuration error: the plan fails
	"CARP023": {ShowAudit},
	"CARP024": {ShowAudit},
	"CARP025": {ShowAudit},
	"CARP026": {ShowHostSettingsPlan, ShowPolicyPlan, ShowAudit}, // where CARP004 is judged
}

func TestCatalog(t *testing.T) {
	cat := Catalog()
	if len(cat) != len(pitfalls) {
		t.Fatalf("%d rules, want %d", len(cat), len(pitfalls))
	}
	for i, want := range pitfalls {
		r := cat[i]
		if r.Code != want.code || r.Name != want.name || r.Severity != want.sev {
			t.Errorf("rule %d = %s %s %s, want %s %s %s", i, r.Code, r.Name, r.Severity, want.code, want.name, want.sev)
		}
		if r.Title == "" || r.Trigger == "" || r.Why == "" || len(r.Remedy) < 2 {
			t.Errorf("%s: empty text field", r.Code)
		}
		if !strings.HasSuffix(r.Title, ".") {
			t.Errorf("%s: title not a sentence: %q", r.Code, r.Title)
		}
		if wantMO := i < 7; r.MulticastOnly != wantMO {
			t.Errorf("%s: MulticastOnly = %v", r.Code, r.MulticastOnly)
		}
		if r.VirtualMACOnly != virtualMACOnly[r.Code] {
			t.Errorf("%s: VirtualMACOnly = %v", r.Code, r.VirtualMACOnly)
		}
		ws, ok := shows[r.Code]
		if !ok {
			ws = []string{ShowPolicyPlan, ShowAudit}
		}
		if strings.Join(r.Shows, "|") != strings.Join(ws, "|") {
			t.Errorf("%s: shows %v, want %v", r.Code, r.Shows, ws)
		}
		l, ok := Lookup(want.code)
		if !ok || l.Name != want.name {
			t.Errorf("Lookup(%s) = %v, %v", want.code, l, ok)
		}
	}
	if _, ok := Lookup("CARP999"); ok {
		t.Error("Lookup(CARP999) found")
	}
	// Fresh copies: mutating one does not change the next.
	cat[0].Name = "x"
	cat[0].Shows[0] = "x"
	l, _ := Lookup("CARP001")
	l.Shows[0] = "y"
	c2 := Catalog()
	if c2[0].Name != "promiscuous_rejected" || c2[0].Shows[0] != ShowPolicyPlan {
		t.Errorf("catalog mutated through a copy: %+v", c2[0])
	}
}

func TestRuleUnknown(t *testing.T) {
	r := rule("CARP999")
	if r.Code != "CARP999" || r.Severity != SeverityWarning || r.plainRemedy() != "" {
		t.Errorf("rule(CARP999) = %+v", r)
	}
}

// TestRemedySentences: the catalog's remedy is the one text of it, ending
// every finding's message and the pitfall guide's Fix line, so it reads as
// sentences, and a message shows it without markdown.
func TestRemedySentences(t *testing.T) {
	for _, r := range Catalog() {
		if r.Remedy[0] < 'A' || r.Remedy[0] > 'Z' || !strings.HasSuffix(r.Remedy, ".") {
			t.Errorf("%s: remedy not a sentence: %q", r.Code, r.Remedy)
		}
		if strings.Count(r.Remedy, "`")%2 != 0 {
			t.Errorf("%s: unbalanced code marks: %q", r.Code, r.Remedy)
		}
		if p := r.plainRemedy(); strings.Contains(p, "`") {
			t.Errorf("%s: plain remedy keeps a code mark: %q", r.Code, p)
		}
	}
}
