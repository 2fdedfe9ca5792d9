package simulator

import (
	"sort"
	"strings"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// hostOptionDefs are the advanced options every simulated host has, with the
// types a real ESXi 7/8 host declares for them.
func hostOptionDefs() []types.OptionDef {
	long := func(key, label string, min, max, def int64) types.OptionDef {
		return types.OptionDef{
			ElementDescription: types.ElementDescription{Description: types.Description{Label: label, Summary: label}, Key: key},
			OptionType:         &types.LongOption{Min: min, Max: max, DefaultValue: def},
		}
	}
	str := func(key, label, def string) types.OptionDef {
		return types.OptionDef{
			ElementDescription: types.ElementDescription{Description: types.Description{Label: label, Summary: label}, Key: key},
			OptionType:         &types.StringOption{DefaultValue: def},
		}
	}
	boolean := func(key, label string, def bool) types.OptionDef {
		return types.OptionDef{
			ElementDescription: types.ElementDescription{Description: types.Description{Label: label, Summary: label}, Key: key},
			OptionType:         &types.BoolOption{Supported: true, DefaultValue: def},
		}
	}
	integer := func(key, label string, min, max, def int32) types.OptionDef {
		return types.OptionDef{
			ElementDescription: types.ElementDescription{Description: types.Description{Label: label, Summary: label}, Key: key},
			OptionType:         &types.IntOption{Min: min, Max: max, DefaultValue: def},
		}
	}
	return []types.OptionDef{
		long("Net.ReversePathFwdCheckPromisc", "Block duplicate packet in a teamed environment when the virtual switch is set to Promiscuous mode.", 0, 1, 0),
		long("Net.BlockGuestBPDU", "Block guest BPDU packets", 0, 1, 0),
		long("Net.FollowHardwareMac", "If set to 1, the management interface MAC address will update to the hardware MAC", 0, 1, 1),
		long("Net.TcpipHeapSize", "Size of the heap in megabytes for the TCP/IP stack", 0, 32, 0),
		long("Net.TcpipHeapMax", "Max megabytes the tcpip module heap can grow to", 32, 1536, 512),
		long("Net.NotifySwitch", "Broadcasts an arp request on net handle enable", 0, 1, 1),
		long("Net.MaxNetifTxQueueLen", "Maximum length of the tx queue for the physical NICs", 1, 10000, 2000),
		long("UserVars.SuppressShellWarning", "Don't show warning for enabled local and remote shell access", 0, 1, 0),
		long("Config.HostAgent.plugins.solo.enableMob", "Enable the managed object browser", 0, 1, 0),
		str("Config.HostAgent.log.level", "Logging level of hostd", "info"),
		str("Syslog.global.logHost", "The remote host(s) to send logs to", ""),
		integer("Misc.HeartbeatTimeout", "Timeout for heartbeat", 1, 86400, 60),
		boolean("Security.AccountUnlockTime.Enabled", "Unlock accounts automatically", true),
	}
}

// defaultOptionValue returns the typed default value of def.
func defaultOptionValue(def types.OptionDef) any {
	switch t := def.OptionType.(type) {
	case *types.LongOption:
		return t.DefaultValue
	case *types.IntOption:
		return t.DefaultValue
	case *types.BoolOption:
		return t.DefaultValue
	case *types.StringOption:
		return t.DefaultValue
	}
	return ""
}

// validateOption checks a value against its definition the way ESXi does:
// the XML type must match the declared type, numbers must be in range.
func validateOption(def types.OptionDef, v any) bool {
	switch t := def.OptionType.(type) {
	case *types.LongOption:
		x, ok := v.(int64)
		return ok && x >= t.Min && x <= t.Max
	case *types.IntOption:
		x, ok := v.(int32)
		return ok && x >= t.Min && x <= t.Max
	case *types.BoolOption:
		_, ok := v.(bool)
		return ok
	case *types.StringOption:
		_, ok := v.(string)
		return ok
	}
	return false
}

// hostOptionManager overrides a host's advanced option manager
// (HostSystem.configManager.advancedOption): UpdateOptions is typed and
// validated like ESXi (unknown key: InvalidName; wrong type or out of range:
// InvalidArgument naming the key), values keep the declared type, and
// HostSystem.config.option is replaced with the manager's settings on every
// change. QueryOptions matches a key exactly or, for a name ending in ".",
// as a prefix.
type hostOptionManager struct {
	*gosim.OptionManager
	Self types.ManagedObjectReference // alias, see alias.go
	srv  *Server
}

func (m *hostOptionManager) Reference() types.ManagedObjectReference { return m.Self }

func (m *hostOptionManager) host() *gosim.HostSystem {
	m.srv.netMu.Lock()
	id := m.srv.optHost[m.OptionManager.Self.Value]
	m.srv.netMu.Unlock()
	h, _ := m.srv.model.Map().Get(types.ManagedObjectReference{Type: "HostSystem", Value: id}).(*gosim.HostSystem)
	return h
}

func (m *hostOptionManager) QueryOptions(ctx *gosim.Context, req *types.QueryOptions) (res soap.HasFault) {
	ctx.WithLock(m.OptionManager, func() { res = m.queryOptions(ctx, req) })
	return res
}

func (m *hostOptionManager) queryOptions(ctx *gosim.Context, req *types.QueryOptions) soap.HasFault {
	body := &methods.QueryOptionsBody{}
	res := &types.QueryOptionsResponse{}
	for _, opt := range m.Setting {
		k := opt.GetOptionValue().Key
		if k == req.Name || req.Name == "" || (strings.HasSuffix(req.Name, ".") && strings.HasPrefix(k, req.Name)) {
			res.Returnval = append(res.Returnval, opt)
		}
	}
	if len(res.Returnval) == 0 {
		body.Fault_ = fault(&types.InvalidName{Name: req.Name})
		return body
	}
	body.Res = res
	return body
}

func (m *hostOptionManager) UpdateOptions(ctx *gosim.Context, req *types.UpdateOptions) (res soap.HasFault) {
	ctx.WithLock(m.OptionManager, func() { res = m.updateOptions(ctx, req) })
	return res
}

func (m *hostOptionManager) updateOptions(ctx *gosim.Context, req *types.UpdateOptions) soap.HasFault {
	body := &methods.UpdateOptionsBody{}
	host := m.host()
	if host == nil {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	var defs []types.OptionDef
	ctx.WithLock(host, func() { defs = host.Config.OptionDef })
	byKey := map[string]types.OptionDef{}
	for _, d := range defs {
		byKey[d.Key] = d
	}
	values := map[string]any{}
	for _, ch := range req.ChangedValue {
		v := ch.GetOptionValue()
		def, ok := byKey[v.Key]
		if !ok {
			body.Fault_ = fault(&types.InvalidName{Name: v.Key})
			return body
		}
		if !validateOption(def, v.Value) {
			body.Fault_ = fault(&types.InvalidArgument{InvalidProperty: v.Key})
			return body
		}
		values[v.Key] = v.Value
	}
	// copy on write: PropertyCollector readers of the host see a complete
	// old or new list.
	var setting []types.BaseOptionValue
	for _, opt := range m.Setting {
		v := opt.GetOptionValue()
		nv := &types.OptionValue{Key: v.Key, Value: v.Value}
		if x, ok := values[v.Key]; ok {
			nv.Value = x
			delete(values, v.Key)
		}
		setting = append(setting, nv)
	}
	var added []string
	for k := range values {
		added = append(added, k)
	}
	sort.Strings(added)
	for _, k := range added {
		setting = append(setting, &types.OptionValue{Key: k, Value: values[k]})
	}
	m.Setting = setting
	ctx.WithLock(host, func() {
		host.Config.Option = setting
		ctx.Update(host, []types.PropertyChange{{Name: "config.option", Val: setting}})
	})
	body.Res = &types.UpdateOptionsResponse{}
	return body
}
