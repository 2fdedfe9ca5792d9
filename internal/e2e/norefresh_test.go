package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestPlanWithoutRefresh: plan -refresh=false of policies whose
// configuration equals their state reads no port group from vSphere (the
// calls do not grow with the number of policies: the data source's reads
// and the login only) and judges the state as stored: the same warning
// summaries as a plan with refresh, from the hazards in state.
func TestPlanWithoutRefresh(t *testing.T) {
	t.Parallel()
	calls := map[int]int{}
	for _, hosts := range []int{2, 6} {
		p := newPerfEnv(t, clusterScenario(hosts, 5), policiesConfig(5, false))
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
		refreshed := summaries(diagnostics(t, p.tf(p.dir, 0, "plan", "-input=false", "-json", "-detailed-exitcode")))
		p.sim.ResetCalls()
		stored := summaries(diagnostics(t, p.tf(p.dir, 0, "plan", "-input=false", "-json", "-refresh=false", "-detailed-exitcode")))
		calls[hosts] = p.sim.CallCount()
		var methods []string
		for _, c := range p.sim.Calls() {
			methods = append(methods, c.Method+" "+c.Object)
		}
		t.Logf("%d policies, plan -refresh=false: %d calls: %s", hosts*5, calls[hosts], strings.Join(methods, ", "))
		if !slices.Equal(refreshed, stored) {
			t.Errorf("%d policies: plan -refresh=false warned\n%s\nwant the plan's\n%s", hosts*5, strings.Join(stored, "\n"), strings.Join(refreshed, "\n"))
		}
		if len(stored) == 0 {
			t.Errorf("%d policies: no warning: the scenario should have hazards to judge", hosts*5)
		}
	}
	if calls[6] != calls[2] {
		t.Errorf("plan -refresh=false made %d calls for 30 policies, %d for 10: it reads per policy", calls[6], calls[2])
	}
}
