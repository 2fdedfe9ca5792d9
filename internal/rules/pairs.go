package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// CARP017 judges the members of each HA group (Scope.Pairs) apart from
// each other, never two firewalls of different groups: two pairs may share
// hosts, and one anti-affinity rule for four firewalls cannot be met by a
// two-host cluster.

// KindFirewalls is the object of a CARP017 finding about firewall VMs that
// are not told apart into pairs; its ObjectID is their ids, sorted, joined
// by ",".
const KindFirewalls = "firewalls"

// haGroups returns the HA groups among the firewall VMs: the pairs given
// (members that are not firewall VMs of the snapshot are left out, groups
// of fewer than two dropped), else the two firewall VMs as one pair. untold
// is true for more than two firewall VMs and no pairs.
func haGroups(fws []*inventory.VM, pairs [][]string) (groups [][]*inventory.VM, untold bool) {
	byID := map[string]*inventory.VM{}
	for _, vm := range fws {
		byID[vm.ID] = vm
	}
	if pairs == nil {
		switch {
		case len(fws) == 2:
			return [][]*inventory.VM{fws}, false
		case len(fws) > 2:
			return nil, true
		}
		return nil, false
	}
	for _, p := range pairs {
		var g []*inventory.VM
		for _, id := range sortedUnique(p) {
			if vm := byID[id]; vm != nil {
				g = append(g, vm)
			}
		}
		if len(g) >= 2 {
			groups = append(groups, g)
		}
	}
	return groups, false
}

// separation: CARP017.
func (e *emitter) separation(s *inventory.Snapshot, fws []*inventory.VM, pairs [][]string) {
	groups, untold := haGroups(fws, pairs)
	if untold {
		e.untoldPairs(fws)
		return
	}
	e.sharedHosts(s, groups)
	for i := range s.Clusters {
		e.drsFree(s, &s.Clusters[i], groups)
	}
}

// untoldPairs: more than two firewalls and no pairs.
func (e *emitter) untoldPairs(fws []*inventory.VM) {
	ids := make([]string, len(fws))
	names := make([]string, len(fws))
	for i, vm := range fws {
		ids[i], names[i] = vm.ID, vm.Name
	}
	o := object{KindFirewalls, strings.Join(sortedUnique(ids), ","), strings.Join(sortedUnique(names), ","), "firewall VMs " + vmList(fws)}
	e.add(CodePairNotSeparated, o,
		fmt.Sprintf("%d firewall VMs and no pairs, so which of them form an HA group is not known and their placement is not judged", len(fws)))
}

// sharedHosts: one finding per host that runs two or more members of one
// group, naming each such group.
func (e *emitter) sharedHosts(s *inventory.Snapshot, groups [][]*inventory.VM) {
	together := map[string][]string{} // host id -> "a and b" per group
	for _, g := range groups {
		byHost := map[string][]*inventory.VM{}
		for _, vm := range g {
			if vm.HostID != "" {
				byHost[vm.HostID] = append(byHost[vm.HostID], vm)
			}
		}
		for hid, vms := range byHost {
			if len(vms) >= 2 {
				together[hid] = append(together[hid], vmList(vms))
			}
		}
	}
	for hid, sets := range together {
		o := object{KindHost, hid, hid, "host " + hid}
		if h := s.FindHost(hid); h != nil {
			o = hostObject(h)
		}
		sort.Strings(sets)
		read := fmt.Sprintf("firewall VMs %s run on this host: one host failure takes the pair down", sets[0])
		if len(sets) > 1 {
			read = fmt.Sprintf("firewall VMs %s (each one HA group) run on this host: one host failure takes each group down", strings.Join(sets, "; and "))
		}
		e.add(CodePairNotSeparated, o, read)
	}
}

// drsFree: one finding per DRS cluster naming, per group, the members no
// enabled anti-affinity rule keeps apart, with one rule asked per group.
func (e *emitter) drsFree(s *inventory.Snapshot, c *inventory.Cluster, groups [][]*inventory.VM) {
	if !c.DRSEnabled {
		return
	}
	var pairs, rules []string
	for _, g := range groups {
		var in []*inventory.VM
		for _, vm := range g {
			if vm.HostID != "" && s.ClusterOf(vm.HostID) == c {
				in = append(in, vm)
			}
		}
		var names []string
		for a := 0; a < len(in); a++ {
			for b := a + 1; b < len(in); b++ {
				if !c.Separates(in[a].ID, in[b].ID) {
					pairs = append(pairs, vmRef(in[a])+" and "+vmRef(in[b]))
					names = append(names, in[a].Name, in[b].Name)
				}
			}
		}
		if len(names) > 0 {
			rules = append(rules, joinAnd(sortedUnique(names)))
		}
	}
	if len(pairs) == 0 {
		return
	}
	want := "a rule naming " + rules[0]
	if len(rules) > 1 {
		want = "a rule per HA group: one naming " + strings.Join(rules, "; one naming ")
	}
	e.add(CodePairNotSeparated, clusterObject(c),
		fmt.Sprintf("DRS is enabled and no enabled VM anti-affinity rule names both of firewall VMs %s, so DRS may put them on one host; they need %s",
			strings.Join(pairs, "; "), want))
}

// vmList names the VMs, sorted by name then id.
func vmList(vms []*inventory.VM) string {
	l := append([]*inventory.VM(nil), vms...)
	sort.Slice(l, func(i, j int) bool {
		if l[i].Name != l[j].Name {
			return l[i].Name < l[j].Name
		}
		return l[i].ID < l[j].ID
	})
	parts := make([]string, len(l))
	for i, vm := range l {
		parts[i] = vmRef(vm)
	}
	return joinAnd(parts)
}
