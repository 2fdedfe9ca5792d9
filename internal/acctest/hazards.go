package acctest

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// ExpectHazards is a plan check: the hazards of resource address res go
// from before (the state, the codes found at the last read; nil skips that
// side, as on create) to after (the plan: the codes left once it is
// applied). This is how a plan shows what it repairs.
func ExpectHazards(res string, before, after []string) plancheck.PlanCheck {
	return hazardsCheck{res: res, attr: "hazards", before: before, after: after}
}

// ExpectRepaired is a plan check: the planned hazards_repaired of res (the
// codes the plan repairs) is known at plan time and is want.
func ExpectRepaired(res string, want []string) plancheck.PlanCheck {
	return hazardsCheck{res: res, attr: "hazards_repaired", after: want}
}

type hazardsCheck struct {
	res, attr     string
	before, after []string
}

func (c hazardsCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.res || rc.Change == nil {
			continue
		}
		if c.before != nil {
			if got := codesOf(rc.Change.Before, c.attr); !slices.Equal(got, c.before) {
				resp.Error = fmt.Errorf("%s: %s before the plan are %q, want %q", c.res, c.attr, got, c.before)
				return
			}
		}
		if u, _ := rc.Change.AfterUnknown.(map[string]any); u[c.attr] == true {
			resp.Error = fmt.Errorf("%s: planned %s are unknown, want %q known at plan time", c.res, c.attr, c.after)
			return
		}
		if got := codesOf(rc.Change.After, c.attr); !slices.Equal(got, c.after) {
			resp.Error = fmt.Errorf("%s: planned %s are %q, want %q (after_unknown: %v)", c.res, c.attr, got, c.after, rc.Change.AfterUnknown)
		}
		return
	}
	resp.Error = fmt.Errorf("no planned change for %s", c.res)
}

// codesOf reads a list attribute (hazards, hazards_repaired) of a plan's
// before or after object.
func codesOf(v any, attr string) []string {
	m, _ := v.(map[string]any)
	l, _ := m[attr].([]any)
	out := []string{}
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
