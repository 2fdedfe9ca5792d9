package simulator

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// nicTypes makes the virtual device of each NIC type a scenario names
// (VMNIC.Type, lower case).
var nicTypes = map[string]func(types.VirtualEthernetCard) types.BaseVirtualDevice{
	"vmxnet3": func(c types.VirtualEthernetCard) types.BaseVirtualDevice {
		return &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: c}}
	},
	"vmxnet2": func(c types.VirtualEthernetCard) types.BaseVirtualDevice {
		return &types.VirtualVmxnet2{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: c}}
	},
	"vmxnet": func(c types.VirtualEthernetCard) types.BaseVirtualDevice {
		return &types.VirtualVmxnet{VirtualEthernetCard: c}
	},
	"e1000": func(c types.VirtualEthernetCard) types.BaseVirtualDevice {
		return &types.VirtualE1000{VirtualEthernetCard: c}
	},
	"e1000e": func(c types.VirtualEthernetCard) types.BaseVirtualDevice {
		return &types.VirtualE1000e{VirtualEthernetCard: c}
	},
	"pcnet32": func(c types.VirtualEthernetCard) types.BaseVirtualDevice {
		return &types.VirtualPCNet32{VirtualEthernetCard: c}
	},
}

// buildVM creates a VM of the scenario on its host, on the datacenter's
// local datastore, with a NIC on a standard or DV port group per VMNIC.
func (s *Server) buildVM(vm VM, hosts map[string]*builtHost) error {
	h := hosts[vm.Host]
	if h == nil {
		return fmt.Errorf("unknown host %q", vm.Host)
	}
	ctx := s.ictx
	c := s.intc
	host := object.NewHostSystem(c, h.ref)

	// a local datastore shared by the datacenter's hosts that carry VMs
	dsName := "datastore-" + h.dcName
	if err := s.mountDatastore(host, h, dsName); err != nil {
		return err
	}

	devices, err := s.nicDevices(vm.NICs)
	if err != nil {
		return err
	}
	spec := types.VirtualMachineConfigSpec{
		Name:         vm.Name,
		GuestId:      "freebsd13_64Guest",
		NumCPUs:      2,
		MemoryMB:     2048,
		Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + dsName + "]"},
		DeviceChange: devices,
	}
	folder := h.folders.VmFolder
	pool := object.NewResourcePool(c, h.pool)
	ref, err := s.waitCreated(folder.CreateVM(ctx, spec, pool, host))
	if err != nil {
		return err
	}
	s.setID("vm", vm.Name, ref.Value)
	// vcsim appends a network per NIC; vCenter lists each network once
	if o, ok := s.model.Map().Get(ref).(*gosim.VirtualMachine); ok {
		gctx := &gosim.Context{Context: s.ictx, Map: s.model.Map()}
		gctx.WithLock(o, func() {
			var nets []types.ManagedObjectReference
			for _, n := range o.Network {
				if !hasRef(nets, n) {
					nets = append(nets, n)
				}
			}
			o.Network = nets
		})
	}
	return nil
}

// mountDatastore creates the local datastore dsName on the host unless the
// host has it already.
func (s *Server) mountDatastore(host *object.HostSystem, h *builtHost, dsName string) error {
	dss, err := host.ConfigManager().DatastoreSystem(s.ictx)
	if err != nil {
		return err
	}
	hs := s.model.Map().Get(h.ref).(*gosim.HostSystem)
	mounted := false
	for _, ref := range hs.Datastore {
		if e, ok := s.model.Map().Get(ref).(mo.Entity); ok && e.Entity().Name == dsName {
			mounted = true
		}
	}
	if !mounted {
		if _, err := dss.CreateLocalDatastore(s.ictx, dsName, h.dsDir); err != nil {
			return fmt.Errorf("datastore: %w", err)
		}
	}
	return nil
}

// nicDevices are the device changes that add the VM's NICs: a DV port
// backing on a DV port group of the scenario, else a standard network
// backing.
func (s *Server) nicDevices(nics []VMNIC) ([]types.BaseVirtualDeviceConfigSpec, error) {
	var devices []types.BaseVirtualDeviceConfigSpec
	for i, nic := range nics {
		mk, ok := nicTypes[strings.ToLower(nic.Type)]
		if !ok {
			return nil, fmt.Errorf("unknown NIC type %q", nic.Type)
		}
		card := types.VirtualEthernetCard{
			VirtualDevice: types.VirtualDevice{Key: int32(-100 - i), DeviceInfo: &types.Description{Label: fmt.Sprintf("Network adapter %d", i+1), Summary: nic.Network}},
			AddressType:   string(types.VirtualEthernetCardMacTypeGenerated),
		}
		if id := s.DVPortGroupID(nic.Network); id != "" {
			pg := s.model.Map().Get(types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: id}).(*gosim.DistributedVirtualPortgroup)
			sw := s.model.Map().Get(*pg.Config.DistributedVirtualSwitch).(*gosim.DistributedVirtualSwitch)
			card.Backing = &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{
				Port: types.DistributedVirtualSwitchPortConnection{SwitchUuid: sw.Uuid, PortgroupKey: pg.Key},
			}
		} else {
			card.Backing = &types.VirtualEthernetCardNetworkBackingInfo{
				VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: nic.Network},
			}
		}
		card.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, Connected: true, AllowGuestControl: true}
		devices = append(devices, &types.VirtualDeviceConfigSpec{
			Operation: types.VirtualDeviceConfigSpecOperationAdd,
			Device:    mk(card),
		})
	}
	return devices, nil
}
