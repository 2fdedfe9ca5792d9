package vsphere

import (
	"context"
	"fmt"
	"sort"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// HostEntry is one host in the inventory tree.
type HostEntry struct {
	ID, Name   string
	Cluster    string // "" for a standalone host
	ClusterID  string
	Datacenter string
}

// Tree is the datacenter/cluster/host part of the inventory.
type Tree struct {
	Datacenters []string            // names, sorted
	Clusters    map[string][]string // datacenter name -> cluster names, sorted
	Hosts       []HostEntry         // sorted by name, then ID
}

// treeSpecs walk from the root folder to every datacenter, cluster and
// host: Folder.childEntity, Datacenter.hostFolder, ComputeResource.host.
var treeSpecs = []types.BaseSelectionSpec{
	&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "folder"}, Type: "Folder", Path: "childEntity",
		SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folder"}, &types.SelectionSpec{Name: "dcHosts"}, &types.SelectionSpec{Name: "crHosts"}}},
	&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "dcHosts"}, Type: "Datacenter", Path: "hostFolder",
		SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folder"}}},
	&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "crHosts"}, Type: "ComputeResource", Path: "host"},
}

// treeNode is one object of the tree: its type, name and parent.
type treeNode struct {
	kind, name string
	parent     *types.ManagedObjectReference
}

// treeNodes are the objects of the tree by moref.
type treeNodes map[types.ManagedObjectReference]treeNode

// InventoryTree reads every datacenter, cluster and host name in one
// RetrievePropertiesEx round trip, by traversing from the root folder.
func (c *Client) InventoryTree(ctx context.Context) (*Tree, error) {
	objs, err := c.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: c.vim.ServiceContent.RootFolder, SelectSet: treeSpecs}},
		PropSet: []types.PropertySpec{
			{Type: "Folder", PathSet: []string{"parent"}},
			{Type: "Datacenter", PathSet: []string{"name"}},
			{Type: "ComputeResource", PathSet: []string{"name", "parent"}},
			{Type: "ClusterComputeResource", PathSet: []string{"name", "parent"}},
			{Type: "HostSystem", PathSet: []string{"name", "parent"}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("reading the inventory tree: %w", err)
	}
	nodes := treeNodes{}
	for _, o := range objs {
		n := treeNode{kind: o.Obj.Type}
		for _, p := range o.PropSet {
			switch p.Name {
			case "name":
				n.name, _ = p.Val.(string)
			case "parent":
				if r, ok := p.Val.(types.ManagedObjectReference); ok {
					n.parent = &r
				}
			}
		}
		nodes[o.Obj] = n
	}
	return nodes.tree(), nil
}

// datacenterOf is the name of the datacenter above ref ("" when none).
func (nodes treeNodes) datacenterOf(ref types.ManagedObjectReference) string {
	for i := 0; i < 64; i++ {
		n, ok := nodes[ref]
		if !ok {
			return ""
		}
		if n.kind == "Datacenter" {
			return n.name
		}
		if n.parent == nil {
			return ""
		}
		ref = *n.parent
	}
	return ""
}

// tree sorts the nodes into datacenters, clusters and hosts.
func (nodes treeNodes) tree() *Tree {
	t := &Tree{Clusters: map[string][]string{}}
	for ref, n := range nodes {
		switch n.kind {
		case "Datacenter":
			t.Datacenters = append(t.Datacenters, n.name)
		case "ClusterComputeResource":
			dc := nodes.datacenterOf(ref)
			t.Clusters[dc] = append(t.Clusters[dc], n.name)
		case "HostSystem":
			h := HostEntry{ID: ref.Value, Name: n.name, Datacenter: nodes.datacenterOf(ref)}
			if n.parent != nil {
				if p, ok := nodes[*n.parent]; ok && p.kind == "ClusterComputeResource" {
					h.Cluster, h.ClusterID = p.name, n.parent.Value
				}
			}
			t.Hosts = append(t.Hosts, h)
		}
	}
	sort.Strings(t.Datacenters)
	for dc := range t.Clusters {
		sort.Strings(t.Clusters[dc])
	}
	sort.Slice(t.Hosts, func(i, j int) bool {
		if t.Hosts[i].Name != t.Hosts[j].Name {
			return t.Hosts[i].Name < t.Hosts[j].Name
		}
		return t.Hosts[i].ID < t.Hosts[j].ID
	})
	return t
}

// retrieve is one RetrievePropertiesEx round trip (plus ContinueRetrievePropertiesEx
// only when the server pages a very large result).
func (c *Client) retrieve(ctx context.Context, spec types.PropertyFilterSpec) ([]types.ObjectContent, error) {
	pc := c.vim.ServiceContent.PropertyCollector
	res, err := methods.RetrievePropertiesEx(ctx, c.vim, &types.RetrievePropertiesEx{
		This:    pc,
		SpecSet: []types.PropertyFilterSpec{spec},
	})
	if err != nil {
		return nil, err
	}
	if res.Returnval == nil {
		return nil, nil
	}
	objs := res.Returnval.Objects
	token := res.Returnval.Token
	for token != "" {
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c.vim, &types.ContinueRetrievePropertiesEx{This: pc, Token: token})
		if err != nil {
			return nil, err
		}
		objs = append(objs, next.Returnval.Objects...)
		token = next.Returnval.Token
	}
	return objs, nil
}

// NamedRef is an object's moref value and inventory name.
type NamedRef struct{ ID, Name string }

// DVPortGroups lists every distributed port group (id and name, sorted by
// name) in one RetrievePropertiesEx round trip, traversing datacenters'
// network folders. For error messages: "which ones exist".
func (c *Client) DVPortGroups(ctx context.Context) ([]NamedRef, error) {
	folderTS := &types.TraversalSpec{
		SelectionSpec: types.SelectionSpec{Name: "folder"},
		Type:          "Folder",
		Path:          "childEntity",
		SelectSet:     []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folder"}, &types.SelectionSpec{Name: "dcNets"}},
	}
	dcTS := &types.TraversalSpec{
		SelectionSpec: types.SelectionSpec{Name: "dcNets"},
		Type:          "Datacenter",
		Path:          "networkFolder",
		SelectSet:     []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folder"}},
	}
	objs, err := c.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: c.vim.ServiceContent.RootFolder, SelectSet: []types.BaseSelectionSpec{folderTS, dcTS}}},
		PropSet:   []types.PropertySpec{{Type: "DistributedVirtualPortgroup", PathSet: []string{"name"}}},
	})
	if err != nil {
		return nil, err
	}
	var out []NamedRef
	for _, o := range objs {
		if o.Obj.Type != "DistributedVirtualPortgroup" {
			continue
		}
		r := NamedRef{ID: o.Obj.Value}
		for _, p := range o.PropSet {
			if p.Name == "name" {
				r.Name, _ = p.Val.(string)
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// HostNames lists every host as "name (moref)", sorted by name: what an
// error about a host id that does not exist names (one round trip, on
// that error path only).
func (c *Client) HostNames(ctx context.Context) ([]string, error) {
	tree, err := c.InventoryTree(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(tree.Hosts))
	for _, h := range tree.Hosts {
		out = append(out, fmt.Sprintf("%s (%s)", h.Name, h.ID))
	}
	return out, nil
}

// DVPortGroupNames lists every distributed port group as "name (moref)",
// sorted by name, for an error about one that does not exist.
func (c *Client) DVPortGroupNames(ctx context.Context) ([]string, error) {
	pgs, err := c.DVPortGroups(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(pgs))
	for _, p := range pgs {
		out = append(out, fmt.Sprintf("%s (%s)", p.Name, p.ID))
	}
	return out, nil
}
