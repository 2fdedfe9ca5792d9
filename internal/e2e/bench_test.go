package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// benchDelay is the per-SOAP-call delay of the benchmarks: a vCenter a few
// milliseconds away answers in 10-100 ms. CARP_BENCH_DELAY overrides it.
func benchDelay() time.Duration {
	if s := os.Getenv("CARP_BENCH_DELAY"); s != "" {
		if d, err := time.ParseDuration(s); err == nil {
			return d
		}
	}
	return 20 * time.Millisecond
}

// benchRefresh measures one plan, and fails when a target is missed.
func benchRefresh(b *testing.B, r refreshTarget) {
	hosts, pgs := r.hosts, r.pgs
	for i := 0; i < b.N; i++ {
		calls, wall, rss := refreshCalls(b, hosts, pgs, benchDelay())
		r.check(b, calls, rss)
		b.ReportMetric(float64(calls), "soap-calls")
		b.ReportMetric(wall.Seconds(), "plan-s")
		b.ReportMetric(rss, "provider-MiB")
		fmt.Printf("BENCH refresh of %d carp_portgroup_policy on %d hosts, %v per call: %d SOAP calls, plan %v, provider peak RSS %.1f MiB\n",
			hosts*pgs, hosts, benchDelay(), calls, wall.Round(time.Millisecond), rss)
	}
}

func BenchmarkRefresh100PoliciesOn20Hosts(b *testing.B)   { benchRefresh(b, refresh100) }
func BenchmarkRefresh1000PoliciesOn200Hosts(b *testing.B) { benchRefresh(b, refresh1000) }

// BenchmarkPlanVsNoRefresh times plan against plan -refresh=false on the
// same 100-policy configuration, in one run: the ratio is the refresh's
// overhead.
func BenchmarkPlanVsNoRefresh(b *testing.B) {
	for i := 0; i < b.N; i++ {
		p := newPerfEnv(b, clusterScenario(20, 5), policiesConfig(5, false))
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
		p.sim.SetDelay(benchDelay())
		time1 := func(args ...string) time.Duration {
			start := time.Now()
			p.tf(p.dir, 0, args...)
			return time.Since(start)
		}
		// Warm the CLI's own caches once.
		time1("plan", "-input=false", "-refresh=false")
		noRefresh := time1("plan", "-input=false", "-refresh=false")
		withRefresh := time1("plan", "-input=false")
		ratio := withRefresh.Seconds() / noRefresh.Seconds()
		if ratio > 1.5 {
			b.Errorf("target missed: plan is %.2fx plan -refresh=false, at most 1.5x", ratio)
		}
		b.ReportMetric(ratio, "plan/plan-refresh=false")
		fmt.Printf("BENCH plan %v vs plan -refresh=false %v for 100 policies, %v per call: ratio %.2f\n",
			withRefresh.Round(time.Millisecond), noRefresh.Round(time.Millisecond), benchDelay(), ratio)
	}
}

func benchApply(b *testing.B, toggle bool) {
	for i := 0; i < b.N; i++ {
		p := newPerfEnv(b, clusterScenario(20, 5), policiesConfig(5, toggle))
		p.sim.SetDelay(benchDelay())
		p.sim.ResetCalls()
		start := time.Now()
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
		wall := time.Since(start)
		writes := p.writes()
		if want := map[bool]int{false: 100, true: 200}[toggle]; writes != want {
			b.Errorf("target missed: %d writes for 100 port groups, want %d", writes, want)
		}
		b.ReportMetric(float64(p.sim.CallCount()), "soap-calls")
		b.ReportMetric(float64(writes)/100, "writes/policy")
		fmt.Printf("BENCH apply of 100 policies (toggle_on_apply=%t), %v per call: %d SOAP calls, %d writes (%.1f per port group), %v\n",
			toggle, benchDelay(), p.sim.CallCount(), writes, float64(writes)/100, wall.Round(time.Millisecond))
	}
}

func BenchmarkApplyNoToggle(b *testing.B) { benchApply(b, false) }
func BenchmarkApplyToggle(b *testing.B)   { benchApply(b, true) }

// BenchmarkAudit200Hosts reads carp_audit over a 200-host cluster.
func BenchmarkAudit200Hosts(b *testing.B) {
	for i := 0; i < b.N; i++ {
		calls, wall := auditCalls(b, 200, benchDelay())
		// 2 (login) + 1 (carp_hosts) + 6 (audit), plus one for logout.
		if calls > 10 {
			b.Errorf("target missed: %d SOAP calls for the command", calls)
		}
		b.ReportMetric(float64(calls), "soap-calls")
		fmt.Printf("BENCH carp_audit over 200 hosts x 5 port groups, %v per call: %d SOAP calls (login included), %v\n",
			benchDelay(), calls, wall.Round(time.Millisecond))
	}
}
