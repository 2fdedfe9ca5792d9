package e2e

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
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

// benchScale applies hosts x pgs policies, plans, and plans with
// -refresh=false, all at the benchmark delay (each plan planRuns times,
// the run of median provider CPU reported); it reports, for each command,
// wall time, SOAP calls, provider CPU (in all and per policy), the CLI's
// own CPU and the state per policy, and fails when a target is missed.
// With CARP_BENCH_PROFILE=dir the provider is built with -tags carpprof and
// writes CPU profiles to dir/<hosts>x<pgs>-<command>[-<run>]/.
func benchScale(b *testing.B, r refreshTarget) {
	n := r.hosts * r.pgs
	for i := 0; i < b.N; i++ {
		p := newPerfEnv(b, clusterScenario(r.hosts, r.pgs), policiesConfig(r.pgs, false))
		p.sim.SetDelay(benchDelay())
		prefix := fmt.Sprintf("%dx%d-", r.hosts, r.pgs)
		apply := p.measure(prefix+"apply", 0, "apply", "-input=false", "-auto-approve")
		state := p.stateBytes()
		plan := p.median(prefix+"plan", "plan", "-input=false", "-detailed-exitcode")
		noRefresh := p.median(prefix+"plan-refresh-false", "plan", "-input=false", "-refresh=false", "-detailed-exitcode")

		r.check(b, plan.calls, plan.provider.peakRSSMiB)
		if noRefresh.calls > r.maxCalls {
			b.Errorf("target missed: plan -refresh=false: %d SOAP calls, at most %d", noRefresh.calls, r.maxCalls)
		}
		checkPlan(b, "plan", plan, r.maxPlanCPU, r.maxPlanWall, benchDelay())
		checkPlan(b, "plan -refresh=false", noRefresh, r.maxNoRefreshCPU, r.maxNoRefreshWall, benchDelay())
		perPolicy := float64(state) / float64(n)
		if perPolicy > maxStatePerPolicy {
			b.Errorf("target missed: state %.0f bytes per policy, at most %d", perPolicy, maxStatePerPolicy)
		}

		b.ReportMetric(perPolicy, "state-B/policy")
		for _, c := range []struct {
			what string
			m    measured
		}{{"apply", apply}, {"plan", plan}, {"plan -refresh=false", noRefresh}} {
			key := strings.ReplaceAll(strings.ReplaceAll(c.what, " ", ""), "=", "-")
			b.ReportMetric(float64(c.m.calls), key+"-soap-calls")
			b.ReportMetric(c.m.wall.Seconds(), key+"-s")
			b.ReportMetric(c.m.provider.cpu.Seconds(), key+"-provider-cpu-s")
			of := ""
			if len(c.m.runs) > 1 {
				of = fmt.Sprintf(", the median of %v", c.m.runs)
			}
			fmt.Printf("BENCH %s of %d carp_portgroup_policy on %d hosts, %v per call: %d SOAP calls, %v, "+
				"provider CPU %v (%.2f ms per policy, %d processes, peak RSS %.1f MiB%s), CLI CPU %v, %d warnings, state %.0f bytes per policy\n",
				c.what, n, r.hosts, benchDelay(), c.m.calls, c.m.wall.Round(time.Millisecond),
				c.m.provider.cpu.Round(time.Millisecond), float64(c.m.provider.cpu.Microseconds())/1000/float64(n),
				c.m.provider.procs, c.m.provider.peakRSSMiB, of, c.m.cliCPU.Round(time.Millisecond), c.m.warnings, perPolicy)
		}
	}
}

// planRuns is how many times benchScale runs each plan: it reports the
// run of median provider CPU, so that one run slowed by a busy machine
// (CPU time of one process varies by a fifth or more on a shared 2-core
// runner) neither fails a target nor hides a regression.
const planRuns = 3

// median runs a plan (exit code 0) planRuns times and returns the run of
// median provider CPU, the others' CPU in its runs.
func (p *perfEnv) median(name string, args ...string) measured {
	p.t.Helper()
	runs := make([]measured, planRuns)
	for i := range runs {
		runs[i] = p.measure(fmt.Sprintf("%s-%d", name, i+1), 0, args...)
	}
	slices.SortFunc(runs, func(a, b measured) int { return cmp.Compare(a.provider.cpu, b.provider.cpu) })
	m := runs[len(runs)/2]
	for _, r := range runs {
		m.runs = append(m.runs, r.provider.cpu)
	}
	return m
}

func BenchmarkPolicies100On20Hosts(b *testing.B)   { benchScale(b, refresh100) }
func BenchmarkPolicies1000On200Hosts(b *testing.B) { benchScale(b, refresh1000) }

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
