package simulator

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

// Scenario describes an inventory to build in the simulator. Zero values mean
// vSphere's defaults (a security policy field left nil is unset, so it
// inherits; an empty teaming inherits the switch's).
type Scenario struct {
	Datacenters []Datacenter
	// VMs are placed on hosts by host name.
	VMs []VM
	// NSX is the NSX Manager's own state (nsxbuild.go): profiles and
	// bindings. The NSX Manager runs when the scenario has an NSX segment
	// (DVPortGroup.NSXSegment, Datacenter.OpaqueNetworks) or NSX is set.
	NSX *NSXScenario
}

// Datacenter holds clusters, standalone hosts and distributed switches.
type Datacenter struct {
	Name       string
	Clusters   []Cluster
	Hosts      []Host // standalone hosts
	DVSwitches []DVSwitch
	// OpaqueNetworks are NSX segments as N-VDS hosts show them.
	OpaqueNetworks []OpaqueNetwork
}

// Cluster is a compute cluster of hosts. DRS is off unless set, as on a
// cluster vCenter creates from an empty ClusterConfigSpecEx.
type Cluster struct {
	Name  string
	Hosts []Host
	DRS   bool
	// AntiAffinity are DRS VM anti-affinity rules (ClusterAntiAffinityRuleSpec)
	// naming VMs by name.
	AntiAffinity []AntiAffinityRule
}

// AntiAffinityRule keeps the named VMs on different hosts.
type AntiAffinityRule struct {
	Name    string
	Enabled bool
	VMs     []string
}

// Host is an ESXi host. Every host has the option
// Net.ReversePathFwdCheckPromisc (type long, 0 or 1), set to RPFCheckPromisc.
type Host struct {
	Name            string
	RPFCheckPromisc int64
	// VSwitches replace the stock vSwitch0/"VM Network" when non-empty.
	VSwitches []VSwitch
}

// VSwitch is a standard switch bridging the named physical NICs
// (vmnic0, vmnic1, ...). Its policy is the switch-level one.
type VSwitch struct {
	Name       string
	Uplinks    []string
	Security   inventory.Security
	Teaming    inventory.Teaming
	PortGroups []PortGroup
}

// PortGroup is a standard port group; nil policy fields inherit. VLAN is
// HostPortGroupSpec.vlanId: 0 none, 1-4094 one VLAN, 4095 all VLANs
// (inventory.VLANAll, virtual guest tagging).
type PortGroup struct {
	Name     string
	VLAN     int32
	Security inventory.Security
	Teaming  inventory.Teaming
}

// DVSwitch is a distributed switch of the given product version
// ("4.1.0", "5.0.0", "6.5.0", "6.6.0", "7.0.0", "8.0.0").
type DVSwitch struct {
	Name      string
	Version   string
	Uplinks   []string // uplink port names; default uplink1, uplink2
	HostNames []string // member hosts
	// Security is the switch's default port setting.
	Security   inventory.Security
	Teaming    inventory.Teaming
	PortGroups []DVPortGroup
	Mirroring  []inventory.MirrorSession
	// LAGs are link aggregation groups (enhanced LACP: the switch is built
	// with lacpApiVersion multipleLag when it has any), added with
	// UpdateDVSLacpGroupConfig_Task; a port group's teaming names them
	// among its uplinks. Key and Mode are vCenter's (generated, passive)
	// when empty.
	LAGs []inventory.LAG
}

// DVPortGroup is a distributed port group; nil policy fields inherit from
// the switch.
type DVPortGroup struct {
	Name string
	// VLAN is the port group's VLAN spec (the zero value: VLAN id 0).
	VLAN        inventory.VLAN
	Security    inventory.Security
	Teaming     inventory.Teaming
	MacLearning *inventory.MacLearning
	// AllowPortOverrides lets the port group's ports set their own security
	// and MAC management policy (securityPolicyOverrideAllowed,
	// macManagementOverrideAllowed).
	AllowPortOverrides bool
	// ResetPortConfigAtDisconnect drops a port's own setting when its NIC
	// leaves it (DVPortgroupPolicy.portConfigResetAtDisconnect).
	ResetPortConfigAtDisconnect bool
	// NSXSegment makes it the NSX port group of that segment (its id, such
	// as "fw-nsx" for /infra/segments/fw-nsx): backing type nsx.
	NSXSegment string
}

// VM is a virtual machine on a host with NICs on named networks.
type VM struct {
	Name string
	Host string
	NICs []VMNIC
}

// VMNIC is a network adapter: Type is "vmxnet3", "e1000", "e1000e",
// "pcnet32", "vmxnet" or "vmxnet2"; Network is a standard port group name on
// the VM's host, a DV port group name or an opaque network name.
type VMNIC struct {
	Type    string
	Network string
	// PortSecurity, on a DV port group that allows overrides, is the own
	// security policy of the NIC's port (nil fields inherit).
	PortSecurity *inventory.Security
}
