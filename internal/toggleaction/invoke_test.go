package toggleaction_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/toggleaction"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func expectNoErrors(t *testing.T, o outcome) {
	t.Helper()
	if errs := o.errors(); len(errs) > 0 {
		t.Fatalf("errors: %s", strings.Join(errs, "\n"))
	}
}

// TestInvokeStandard: named standard port groups are toggled in order, off
// then back to exactly their own value (true, inherit); those that do not
// accept promiscuous mode get no write and a skipped progress event.
func TestInvokeStandard(t *testing.T) {
	t.Parallel()
	h := newHarness(t, acctest.HostScenario())
	oob := h.e.OOB()
	beforeWAN, beforeSYNC := oob.PortGroupSecurity("esx-01", "FW-WAN"), oob.PortGroupSecurity("esx-01", "FW-SYNC")
	h.e.Sim.ResetCalls()
	o := h.invoke(t, t.Context(), targets{portgroups: [][2]string{{"esx-01", "FW-WAN"}, {"esx-01", "Backup"}, {"esx-01", "FW-SYNC"}, {"esx-01", "Mgmt"}}})
	expectNoErrors(t, o)
	h.expectWrites(t,
		"UpdatePortGroup FW-WAN promisc=false mac=inherit forged=true",
		"UpdatePortGroup FW-WAN promisc=true mac=inherit forged=true",
		"UpdatePortGroup FW-SYNC promisc=false mac=inherit forged=inherit",
		"UpdatePortGroup FW-SYNC promisc=inherit mac=inherit forged=inherit",
	)
	hostID := h.e.Sim.HostID("esx-01")
	expectProgress(t, o,
		[]string{"toggled", `port group "FW-WAN" on host esx-01 (` + hostID + ")", "back to true"},
		[]string{"skipped", `port group "Backup"`, "does not accept promiscuous mode"},
		[]string{"toggled", `port group "FW-SYNC"`, "back to inherit"},
		[]string{"skipped", `port group "Mgmt"`},
	)
	if got := oob.PortGroupSecurity("esx-01", "FW-WAN"); got != beforeWAN {
		t.Errorf("FW-WAN is %s after the toggle, was %s", got, beforeWAN)
	}
	if got := oob.PortGroupSecurity("esx-01", "FW-SYNC"); got != beforeSYNC {
		t.Errorf("FW-SYNC is %s after the toggle, was %s", got, beforeSYNC)
	}
}

// TestInvokeDistributed: DV port groups on a 6.5 switch (securityPolicy)
// and a 7.0 switch (macManagementPolicy), each toggled with the config
// version the previous write left.
func TestInvokeDistributed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, acctest.PolicyScenario())
	oob := h.e.OOB()
	oob.SetDVPortGroupPromiscuous("fw-65", true)
	oob.SetDVPortGroupPromiscuous("fw-70", true)
	h.e.Sim.ResetCalls()
	o := h.invoke(t, t.Context(), targets{dvpgs: []string{"fw-70", "fw-65"}})
	expectNoErrors(t, o)
	id65, id70 := h.e.Sim.DVPortGroupID("fw-65"), h.e.Sim.DVPortGroupID("fw-70")
	h.expectWrites(t,
		"ReconfigureDVPortgroup_Task "+id70+" promisc=false",
		"ReconfigureDVPortgroup_Task "+id70+" promisc=true",
		"ReconfigureDVPortgroup_Task "+id65+" promisc=false",
		"ReconfigureDVPortgroup_Task "+id65+" promisc=true",
	)
	for _, c := range h.e.Sim.Calls() {
		if c.Fault != "" {
			t.Errorf("call %s %s failed with %s: the second write must carry the config version the first left", c.Method, c.Object, c.Fault)
		}
	}
	expectProgress(t, o,
		[]string{"toggled", `distributed port group "fw-70" (` + id70 + ") on switch dvs-70"},
		[]string{"toggled", `distributed port group "fw-65" (` + id65 + ") on switch dvs-65"},
	)
	snap := oob.Read(vsphere.Request{DVPortGroupIDs: []string{id65, id70}})
	for _, id := range []string{id65, id70} {
		if pg := snap.FindDVPortGroup(id); pg == nil || pg.Security.AllowPromiscuous == nil || !*pg.Security.AllowPromiscuous {
			t.Errorf("%s does not accept promiscuous mode itself after the toggle: %+v", id, pg)
		}
	}
}

// TestInvokeHosts: host_system_ids toggles every port group of the host
// that accepts promiscuous mode (by name), then its vSwitches that accept
// it: the same set as carp_host_settings' toggle. The others get no write.
func TestInvokeHosts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, acctest.HostScenario())
	h.e.Sim.ResetCalls()
	o := h.invoke(t, t.Context(), targets{hosts: []string{"esx-01"}})
	expectNoErrors(t, o)
	h.expectWrites(t,
		"UpdatePortGroup FW-SYNC promisc=false",
		"UpdatePortGroup FW-SYNC promisc=inherit",
		"UpdatePortGroup FW-WAN promisc=false",
		"UpdatePortGroup FW-WAN promisc=true",
		"UpdateVirtualSwitch vSwitch1 promisc=false",
		"UpdateVirtualSwitch vSwitch1 promisc=true",
	)
	expectProgress(t, o,
		[]string{"toggled", `port group "FW-SYNC"`},
		[]string{"toggled", `port group "FW-WAN"`},
		[]string{"toggled", `vSwitch "vSwitch1"`},
	)
	// esx-02 has nothing that accepts promiscuous mode.
	h.e.Sim.ResetCalls()
	o = h.invoke(t, t.Context(), targets{hosts: []string{"esx-02"}})
	expectNoErrors(t, o)
	h.expectWrites(t)
}

// TestInvokeRestoreFault: a fault on the restoring write is retried; when
// every attempt fails, the error names the port group left off, with its
// host, and the toggle goes on with the next port group.
func TestInvokeRestoreFault(t *testing.T) {
	t.Parallel()
	t.Run("retried", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, acctest.HostScenario())
		h.e.Sim.ResetCalls()
		h.e.Sim.FailCall("UpdatePortGroup", "", 2, &types.SystemError{Reason: "injected: one fault on the restoring write"})
		o := h.invoke(t, t.Context(), targets{portgroups: [][2]string{{"esx-01", "FW-WAN"}}})
		expectNoErrors(t, o)
		h.expectWrites(t,
			"UpdatePortGroup FW-WAN promisc=false",
			"UpdatePortGroup FW-WAN promisc=true mac=inherit forged=true FAULT SystemError",
			"UpdatePortGroup FW-WAN promisc=true mac=inherit forged=true",
		)
	})
	t.Run("every attempt fails", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, acctest.HostScenario())
		h.e.Sim.ResetCalls()
		for n := 2; n <= 5; n++ { // the four attempts of the restoring write
			h.e.Sim.FailCall("UpdatePortGroup", "", n, &types.SystemError{Reason: "injected: the restoring write fails"})
		}
		o := h.invoke(t, t.Context(), targets{portgroups: [][2]string{{"esx-01", "FW-WAN"}, {"esx-01", "FW-SYNC"}}})
		want := []string{"UpdatePortGroup FW-WAN promisc=false"}
		for range 4 {
			want = append(want, "UpdatePortGroup FW-WAN promisc=true mac=inherit forged=true FAULT SystemError")
		}
		want = append(want, "UpdatePortGroup FW-SYNC promisc=false", "UpdatePortGroup FW-SYNC promisc=inherit")
		h.expectWrites(t, want...)
		errs := o.errors()
		if len(errs) != 1 {
			t.Fatalf("errors %q, want one", errs)
		}
		for _, part := range []string{"Promiscuous mode left off", `port group "FW-WAN" on host esx-01 (` + h.e.Sim.HostID("esx-01") + ")", "was true", "SystemError", "failed 4 times"} {
			if !strings.Contains(errs[0], part) {
				t.Errorf("error %q does not contain %q", errs[0], part)
			}
		}
		if strings.Contains(errs[0], "FW-SYNC") {
			t.Errorf("error %q names FW-SYNC, which was restored", errs[0])
		}
		expectProgress(t, o, []string{"FW-WAN", "LEFT with promiscuous mode OFF"}, []string{"toggled", "FW-SYNC"})
	})
}

// TestInvokeCancelled: the request is cancelled between the two writes of
// a toggle: the toggle still completes (off, then on: the second write runs
// on vsphere.Toggle's own ctx), and the port groups after it are not
// touched, named in the error.
func TestInvokeCancelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, acctest.HostScenario())
	h.e.Sim.ResetCalls()
	h.e.Sim.SetDelay(100 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if len(h.writes()) > 0 { // the first write landed
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	o := h.invoke(t, ctx, targets{portgroups: [][2]string{{"esx-01", "FW-WAN"}, {"esx-01", "FW-SYNC"}}})
	h.e.Sim.SetDelay(0)
	h.expectWrites(t,
		"UpdatePortGroup FW-WAN promisc=false",
		"UpdatePortGroup FW-WAN promisc=true mac=inherit forged=true",
	)
	errs := o.errors()
	if len(errs) != 1 || !strings.Contains(errs[0], "Toggle interrupted") || !strings.Contains(errs[0], `port group "FW-SYNC" on host esx-01`) {
		t.Fatalf("errors %q, want one Toggle interrupted naming FW-SYNC", errs)
	}
	if got := h.e.OOB().PortGroupSecurity("esx-01", "FW-WAN"); !strings.HasPrefix(got, "promisc=true") {
		t.Errorf("FW-WAN is %s after the cancelled toggle, want promisc=true", got)
	}
}

// TestInvokeNotFound: a target that does not exist is an error on its
// attribute naming it and what exists; nothing is written.
func TestInvokeNotFound(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		tg   targets
		attr string
		want []string
	}{
		{"host", targets{portgroups: [][2]string{{"esx-01", "FW-WAN"}, {"host-999", "FW-WAN"}}}, "portgroups[1].host_system_id", []string{"Host not found", "host-999", "esx-01 ("}},
		{"port group", targets{portgroups: [][2]string{{"esx-01", "FW-NOPE"}}}, "portgroups[0].portgroup", []string{"Port group not found", `"FW-NOPE"`, "FW-WAN (vSwitch vSwitch0)"}},
		{"distributed port group", targets{dvpgs: []string{"dvportgroup-999"}}, "distributed_portgroup_ids[0]", []string{"Distributed port group not found", "dvportgroup-999"}},
		{"host of host_system_ids", targets{hosts: []string{"host-998"}}, "host_system_ids[0]", []string{"Host not found", "host-998"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, acctest.HostScenario())
			h.e.Sim.ResetCalls()
			o := h.invoke(t, t.Context(), tc.tg)
			h.expectWrites(t)
			if len(o.diags) != 1 {
				t.Fatalf("diagnostics %+v, want one", o.errors())
			}
			d := o.diags[0]
			if got := acctest.AttrPath(d.Attribute); got != tc.attr {
				t.Errorf("attribute %q, want %q", got, tc.attr)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Summary+": "+d.Detail, w) {
					t.Errorf("%q does not contain %q", d.Summary+": "+d.Detail, w)
				}
			}
		})
	}
}

// TestValidateNoTarget: an action without a target is invalid, on
// portgroups; a valid one validates and plans without a diagnostic.
func TestValidateNoTarget(t *testing.T) {
	t.Parallel()
	h := newHarness(t, acctest.HostScenario())
	for _, tg := range []targets{{}, {portgroups: [][2]string{}, dvpgs: []string{}}} {
		resp, err := h.srv.ValidateActionConfig(t.Context(), &tfprotov6.ValidateActionConfigRequest{ActionType: toggleaction.TypeName, Config: h.config(t, tg)})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "No port group to toggle" || acctest.AttrPath(resp.Diagnostics[0].Attribute) != "portgroups" {
			t.Errorf("diagnostics %+v, want one No port group to toggle on portgroups", resp.Diagnostics)
		}
	}
	resp, err := h.srv.ValidateActionConfig(t.Context(), &tfprotov6.ValidateActionConfigRequest{ActionType: toggleaction.TypeName, Config: h.config(t, targets{hosts: []string{"esx-01"}})})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 0 {
		t.Errorf("diagnostics %+v for a valid configuration", resp.Diagnostics)
	}
	// The plan of the action (Terraform's next call) changes nothing.
	plan, err := h.srv.PlanAction(t.Context(), &tfprotov6.PlanActionRequest{ActionType: toggleaction.TypeName, Config: h.config(t, targets{hosts: []string{"esx-01"}})})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Diagnostics) != 0 {
		t.Errorf("PlanAction: diagnostics %+v", plan.Diagnostics)
	}
}

// TestInvokeStreamAbandoned: Terraform goes away after the first progress
// event (stops reading the stream, its request cancelled). The toggle in
// flight still completes, nothing else is turned off, and the host's lock
// is released: the next invocation runs.
func TestInvokeStreamAbandoned(t *testing.T) {
	t.Parallel()
	h := newHarness(t, acctest.HostScenario())
	h.e.Sim.ResetCalls()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st, err := h.srv.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: toggleaction.TypeName,
		Config: h.config(t, targets{portgroups: [][2]string{{"esx-01", "FW-WAN"}, {"esx-01", "FW-SYNC"}}})})
	if err != nil {
		t.Fatal(err)
	}
	for ev := range st.Events {
		if _, ok := ev.Type.(tfprotov6.ProgressInvokeActionEventType); ok {
			cancel()
			break
		}
	}
	done := make(chan outcome, 1)
	go func() { done <- h.invoke(t, t.Context(), targets{portgroups: [][2]string{{"esx-01", "Mgmt"}}}) }()
	select {
	case o := <-done:
		expectNoErrors(t, o)
	case <-time.After(20 * time.Second):
		t.Fatal("the next invocation waits: the abandoned one still holds the host's lock")
	}
	// FW-SYNC may have started before the cancellation reached the action;
	// whatever started was restored, in pairs.
	w := h.writes()
	want := []string{"FW-WAN promisc=false", "FW-WAN promisc=true", "FW-SYNC promisc=false", "FW-SYNC promisc=inherit"}
	if len(w) != 2 && len(w) != 4 {
		t.Fatalf("writes %q, want FW-WAN's toggle and perhaps FW-SYNC's", w)
	}
	for i := range w {
		if !strings.Contains(w[i], want[i]) {
			t.Errorf("write %d is %q, want %q", i+1, w[i], want[i])
		}
	}
}
