package simulator

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

type builtHost struct {
	ref     types.ManagedObjectReference
	pool    types.ManagedObjectReference
	folders *object.DatacenterFolders
	dcName  string
	dsDir   string
}

// build creates the scenario's inventory through the in-process client (so
// vcsim's own methods and our overrides do the work) plus a few direct
// changes where vSphere has no API (pnics, option definitions).
func (s *Server) build(sc Scenario) error {
	root := object.NewRootFolder(s.intc)
	hosts := map[string]*builtHost{}
	gctx := &gosim.Context{Context: s.ictx, Map: s.model.Map()}

	for _, dc := range sc.Datacenters {
		if err := s.buildDatacenter(gctx, root, dc, hosts); err != nil {
			return err
		}
	}

	for _, vm := range sc.VMs {
		if err := s.buildVM(vm, hosts); err != nil {
			return fmt.Errorf("vm %s: %w", vm.Name, err)
		}
	}
	if s.nsx != nil {
		s.attachNSX(sc)
	}
	return s.buildPlacement(sc)
}

// buildDatacenter creates a datacenter with its datastore directory, its
// hosts with their options and standard networking, its distributed
// switches and its opaque networks; its hosts are added to hosts.
func (s *Server) buildDatacenter(gctx *gosim.Context, root *object.Folder, dc Datacenter, hosts map[string]*builtHost) error {
	ctx := s.ictx
	dco, err := root.CreateDatacenter(ctx, dc.Name)
	if err != nil {
		return fmt.Errorf("datacenter %s: %w", dc.Name, err)
	}
	s.setID("dc", dc.Name, dco.Reference().Value)
	folders, err := dco.Folders(ctx)
	if err != nil {
		return err
	}
	dsDir := filepath.Join(s.dir, "ds-"+dco.Reference().Value)
	if err := os.MkdirAll(dsDir, 0o700); err != nil {
		return err
	}

	dcHosts, dcRefs, err := s.addHosts(dc, folders, dsDir, hosts)
	if err != nil {
		return err
	}

	// hosts: options and standard networking
	var stock []types.ManagedObjectReference
	for i, h := range dcHosts {
		if err := s.setupHost(gctx, dcRefs[i], folders.NetworkFolder.Reference(), h); err != nil {
			return fmt.Errorf("host %s: %w", h.Name, err)
		}
		if len(h.VSwitches) == 0 {
			stock = append(stock, dcRefs[i])
		}
	}
	s.fixStockNetwork(gctx, folders.NetworkFolder.Reference(), dcRefs, stock)

	for _, d := range dc.DVSwitches {
		if err := s.buildDVS(gctx, folders, d, hosts); err != nil {
			return fmt.Errorf("dvs %s: %w", d.Name, err)
		}
	}
	return s.buildOpaqueNetworks(gctx, dco.Reference(), folders.NetworkFolder.Reference(), dc.OpaqueNetworks, hosts)
}

// addHosts adds the datacenter's hosts, those of its clusters (created
// here) and the standalone ones, and returns them with their morefs in the
// order added; each is also added to hosts.
func (s *Server) addHosts(dc Datacenter, folders *object.DatacenterFolders, dsDir string, hosts map[string]*builtHost) ([]Host, []types.ManagedObjectReference, error) {
	ctx := s.ictx
	var dcHosts []Host
	var dcRefs []types.ManagedObjectReference
	addHost := func(h Host, task *object.Task, err error) error {
		ref, err := s.waitCreated(task, err)
		if err != nil {
			return fmt.Errorf("host %s: %w", h.Name, err)
		}
		hs := s.model.Map().Get(ref).(*gosim.HostSystem)
		cr := s.model.Map().Get(*hs.Parent)
		var pool types.ManagedObjectReference
		switch x := cr.(type) {
		case *gosim.ClusterComputeResource:
			pool = *x.ResourcePool
		case *mo.ComputeResource:
			pool = *x.ResourcePool
		}
		hosts[h.Name] = &builtHost{ref: ref, pool: pool, folders: folders, dcName: dc.Name, dsDir: dsDir}
		dcHosts = append(dcHosts, h)
		dcRefs = append(dcRefs, ref)
		s.setID("host", h.Name, ref.Value)
		return nil
	}
	for _, cl := range dc.Clusters {
		cluster, err := folders.HostFolder.CreateCluster(ctx, cl.Name, types.ClusterConfigSpecEx{})
		if err != nil {
			return nil, nil, fmt.Errorf("cluster %s: %w", cl.Name, err)
		}
		s.setID("cluster", cl.Name, cluster.Reference().Value)
		for _, h := range cl.Hosts {
			t, err := cluster.AddHost(ctx, types.HostConnectSpec{HostName: h.Name}, true, nil, nil)
			if err := addHost(h, t, err); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, h := range dc.Hosts {
		t, err := folders.HostFolder.AddStandaloneHost(ctx, types.HostConnectSpec{HostName: h.Name}, true, nil, nil)
		if err := addHost(h, t, err); err != nil {
			return nil, nil, err
		}
	}
	return dcHosts, dcRefs, nil
}

// setupHost installs the option definitions and values and the host's
// standard switches.
func (s *Server) setupHost(ctx *gosim.Context, ref, netFolder types.ManagedObjectReference, h Host) error {
	m := s.model.Map()
	hs := m.Get(ref).(*gosim.HostSystem)
	ns := m.Get(*hs.ConfigManager.NetworkSystem).(*gosim.HostNetworkSystem)
	om := m.Get(*hs.ConfigManager.AdvancedOption).(*gosim.OptionManager)

	s.netMu.Lock()
	s.hosts[ref.Value] = &hostInfo{ref: ref, name: h.Name, netFolder: netFolder}
	s.nsHost[ns.Self.Value] = ref.Value
	s.optHost[om.Self.Value] = ref.Value
	s.netMu.Unlock()

	defs := hostOptionDefs()
	var opts []types.BaseOptionValue
	for _, d := range defs {
		v := defaultOptionValue(d)
		if d.Key == inventory.OptionRPFKey {
			v = h.RPFCheckPromisc
		}
		opts = append(opts, &types.OptionValue{Key: d.Key, Value: v})
	}
	ctx.WithLock(om, func() { om.Setting = opts })
	ctx.WithLock(hs, func() {
		hs.Config.OptionDef = append(defs, hs.Config.OptionDef...)
		hs.Config.Option = opts
	})

	hns := &hostNetworkSystem{HostNetworkSystem: ns, Self: ns.Self, srv: s}
	var err error
	ctx.WithLock(ns, func() {
		if len(h.VSwitches) == 0 {
			hns.publish(ctx, cloneInfo(hs.Config.Network))
			return
		}
		info := cloneInfo(hs.Config.Network)
		info.Vswitch, info.Portgroup, info.Vnic, info.ConsoleVnic = nil, nil, nil, nil
		info.Pnic = pnics(info.Pnic, h)
		ctx.WithLock(hs, func() { hs.Network = nil })
		hns.publish(ctx, info)
		for _, vs := range h.VSwitches {
			spec := &types.HostVirtualSwitchSpec{NumPorts: 128, Mtu: 1500}
			if len(vs.Uplinks) > 0 {
				spec.Bridge = &types.HostVirtualSwitchBondBridge{NicDevice: vs.Uplinks}
			}
			spec.Policy = &types.HostNetworkPolicy{Security: hostSec(vs.Security), NicTeaming: hostTeam(vs.Teaming)}
			if f := hns.AddVirtualSwitch(ctx, &types.AddVirtualSwitch{This: ns.Self, VswitchName: vs.Name, Spec: spec}).Fault(); f != nil {
				err = fmt.Errorf("vswitch %s: %T", vs.Name, f.VimFault())
				return
			}
			for _, pg := range vs.PortGroups {
				spec := types.HostPortGroupSpec{
					Name: pg.Name, VlanId: pg.VLAN, VswitchName: vs.Name,
					Policy: types.HostNetworkPolicy{Security: hostSec(pg.Security), NicTeaming: hostTeam(pg.Teaming)},
				}
				if f := hns.AddPortGroup(ctx, &types.AddPortGroup{This: ns.Self, Portgrp: spec}).Fault(); f != nil {
					err = fmt.Errorf("port group %s: %T", pg.Name, f.VimFault())
					return
				}
			}
		}
	})
	return err
}

// pnics returns a physical NIC for vmnic0, vmnic1 and every uplink the
// scenario names, modelled on the template's first NIC.
func pnics(template []types.PhysicalNic, h Host) []types.PhysicalNic {
	names := map[string]bool{"vmnic0": true, "vmnic1": true}
	for _, vs := range h.VSwitches {
		for _, u := range vs.Uplinks {
			names[u] = true
		}
	}
	var list []string
	for n := range names {
		list = append(list, n)
	}
	sort.Slice(list, func(i, j int) bool {
		a, ea := strconv.Atoi(strings.TrimPrefix(list[i], "vmnic"))
		b, eb := strconv.Atoi(strings.TrimPrefix(list[j], "vmnic"))
		if ea == nil && eb == nil {
			return a < b
		}
		return list[i] < list[j]
	})
	var out []types.PhysicalNic
	for i, n := range list {
		var p types.PhysicalNic
		if len(template) > 0 {
			p = template[0]
		}
		p.Key = keyPnic + n
		p.Device = n
		p.Pci = fmt.Sprintf("0000:%02x:00.0", i+1)
		p.Mac = fmt.Sprintf("00:50:56:%02x:%02x:%02x", 0x10, i/256, i%256)
		out = append(out, p)
	}
	return out
}

// fixStockNetwork makes the datacenter's stock "VM Network" follow the
// per-host rules: its host list is the hosts that kept the stock vSwitch0,
// and it is removed when there is none.
func (s *Server) fixStockNetwork(ctx *gosim.Context, netFolder types.ManagedObjectReference, all, stock []types.ManagedObjectReference) {
	m := s.model.Map()
	folder := m.Get(netFolder).(*gosim.Folder)
	n, ok := m.FindByName("VM Network", folder.ChildEntity).(*mo.Network)
	if !ok {
		return
	}
	if len(stock) > 0 || len(all) == 0 {
		ctx.WithLock(n, func() {
			ctx.Update(n, []types.PropertyChange{{Name: "host", Val: append([]types.ManagedObjectReference(nil), stock...)}})
		})
		return
	}
	hs := m.Get(all[0]).(*gosim.HostSystem)
	ns := m.Get(*hs.ConfigManager.NetworkSystem).(*gosim.HostNetworkSystem)
	ctx.WithLock(ns, func() {
		saved := ns.NetworkInfo
		ns.NetworkInfo = &types.HostNetworkInfo{Vswitch: []types.HostVirtualSwitch{{Name: "scratch", Portgroup: []string{"VM Network"}}}}
		ns.RemovePortGroup(ctx, &types.RemovePortGroup{This: ns.Self, PgName: "VM Network"})
		ns.NetworkInfo = saved
	})
}

// waitCreated waits for a task that creates an object (the err of the call
// that started it first) and returns the new object's moref.
func (s *Server) waitCreated(task *object.Task, err error) (types.ManagedObjectReference, error) {
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	res, err := s.waitTask(task.Reference())
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	ref, ok := res.(types.ManagedObjectReference)
	if !ok {
		return types.ManagedObjectReference{}, fmt.Errorf("task %s returned %T, not a moref", task.Reference().Value, res)
	}
	return ref, nil
}

// waitTask waits for a simulator task by polling the task object directly
// (much faster than a PropertyCollector wait for a large build).
func (s *Server) waitTask(ref types.ManagedObjectReference) (types.AnyType, error) {
	t, ok := s.model.Map().Get(ref).(*gosim.Task)
	if !ok {
		return nil, fmt.Errorf("task %s not found", ref)
	}
	ctx := &gosim.Context{Context: s.ictx, Map: s.model.Map()}
	for i := 0; ; i++ {
		var info types.TaskInfo
		ctx.WithLock(t, func() { info = t.Info })
		switch info.State {
		case types.TaskInfoStateSuccess:
			return info.Result, nil
		case types.TaskInfoStateError:
			if info.Error != nil {
				return nil, fmt.Errorf("%s: %T", info.Name, info.Error.Fault)
			}
			return nil, fmt.Errorf("%s failed", info.Name)
		}
		if i < 100 {
			runtime.Gosched()
		} else {
			time.Sleep(100 * time.Microsecond)
		}
	}
}
