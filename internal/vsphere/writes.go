package vsphere

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Writes to one host's network system are serialised: ESXi applies
// UpdatePortGroup calls one at a time anyway, and concurrent writers on the
// same vSwitch otherwise race on its spec.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	m := k.locks[key]
	if m == nil {
		m = &sync.Mutex{}
		k.locks[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}

var hostLocks keyedMutex // per provider process; keys are "<server>/<moref>"

// LockObject serialises writers of one object (a host's network system or a
// distributed switch) within this provider process. Call the returned func
// to unlock.
func (c *Client) LockObject(id string) func() {
	return hostLocks.lock(c.cfg.Server + "/" + id)
}

// SetPortGroupPolicy writes a standard port group's security policy exactly
// as given (nil fields inherit from the vSwitch) and, when teaming is
// non-nil, its NIC teaming override exactly as given; every other field of
// the spec is kept as read. One UpdatePortGroup round trip.
func (c *Client) SetPortGroupPolicy(ctx context.Context, netSys types.ManagedObjectReference, spec types.HostPortGroupSpec, sec inventory.Security, teaming *inventory.Teaming) error {
	spec.Policy.Security = &types.HostNetworkSecurityPolicy{
		AllowPromiscuous: boolp(sec.AllowPromiscuous),
		MacChanges:       boolp(sec.MacChanges),
		ForgedTransmits:  boolp(sec.ForgedTransmits),
	}
	if teaming != nil {
		spec.Policy.NicTeaming = encodeTeaming(*teaming)
	}
	defer c.invalidateOwner(netSys)
	_, err := methods.UpdatePortGroup(ctx, c.vim, &types.UpdatePortGroup{This: netSys, PgName: spec.Name, Portgrp: spec})
	return err
}

func encodeTeaming(t inventory.Teaming) *types.HostNicTeamingPolicy {
	if t.Policy == nil && t.NotifySwitches == nil && t.RollingOrder == nil && t.CheckBeacon == nil && t.Order == nil {
		return nil
	}
	out := &types.HostNicTeamingPolicy{NotifySwitches: boolp(t.NotifySwitches), RollingOrder: boolp(t.RollingOrder)}
	if t.Policy != nil {
		out.Policy = *t.Policy
	}
	if t.CheckBeacon != nil {
		out.FailureCriteria = &types.HostNicFailureCriteria{CheckBeacon: boolp(t.CheckBeacon)}
	}
	if t.Order != nil {
		out.NicOrder = &types.HostNicOrderPolicy{ActiveNic: append([]string{}, t.Order.Active...), StandbyNic: append([]string{}, t.Order.Standby...)}
	}
	return out
}

// SetVSwitchPromiscuous writes a standard vSwitch's allowPromiscuous, keeping
// the rest of its spec. One UpdateVirtualSwitch round trip.
func (c *Client) SetVSwitchPromiscuous(ctx context.Context, netSys types.ManagedObjectReference, name string, spec types.HostVirtualSwitchSpec, allow bool) error {
	pol := types.HostNetworkPolicy{}
	if spec.Policy != nil {
		pol = *spec.Policy
	}
	sec := types.HostNetworkSecurityPolicy{}
	if pol.Security != nil {
		sec = *pol.Security
	}
	sec.AllowPromiscuous = types.NewBool(allow)
	pol.Security = &sec
	spec.Policy = &pol
	defer c.invalidateOwner(netSys)
	_, err := methods.UpdateVirtualSwitch(ctx, c.vim, &types.UpdateVirtualSwitch{This: netSys, VswitchName: name, Spec: spec})
	return err
}

// UpdateOptions writes host advanced options (one UpdateOptions round trip).
// Values must already have the type the host declares.
func (c *Client) UpdateOptions(ctx context.Context, optMgr types.ManagedObjectReference, values map[string]any) error {
	var changes []types.BaseOptionValue
	for _, k := range sortedKeys(values) {
		changes = append(changes, &types.OptionValue{Key: k, Value: values[k]})
	}
	defer c.invalidateOwner(optMgr)
	_, err := methods.UpdateOptions(ctx, c.vim, &types.UpdateOptions{This: optMgr, ChangedValue: changes})
	return err
}

// DVPolicy is what a DV port group writer sets.
type DVPolicy struct {
	// Security fields set explicitly (nil = inherit from the switch).
	Security inventory.Security
	// MacLearning replaces the MAC learning policy when non-nil.
	MacLearning *inventory.MacLearning
	// MacLearningInherit, with MacLearning nil, sets the MAC learning
	// policy back to inherited (restore). Only with UseMacManagement.
	MacLearningInherit bool
	// UseMacManagement writes macManagementPolicy (switches 6.6.0+) rather
	// than the legacy securityPolicy.
	UseMacManagement bool
	// Teaming replaces the uplink teaming override when non-nil.
	Teaming *inventory.Teaming
}

// ReconfigureDVPortGroup writes a partial spec (vCenter merges it) carrying
// configVersion, waits for the task, and returns the config version the port
// group has afterwards. vCenter bumps the version by one per reconfigure, so
// a second write can carry the returned version without a read; if another
// writer got in between, vCenter answers ConcurrentAccess and the caller
// re-reads.
func (c *Client) ReconfigureDVPortGroup(ctx context.Context, id string, configVersion string, p DVPolicy) (string, error) {
	setting := &types.VMwareDVSPortSetting{}
	if p.UseMacManagement {
		mm := &types.DVSMacManagementPolicy{
			AllowPromiscuous: boolp(p.Security.AllowPromiscuous),
			MacChanges:       boolp(p.Security.MacChanges),
			ForgedTransmits:  boolp(p.Security.ForgedTransmits),
		}
		mm.Inherited = p.Security.AllowPromiscuous == nil && p.Security.MacChanges == nil && p.Security.ForgedTransmits == nil
		if p.MacLearning != nil {
			l := p.MacLearning
			limit := l.Limit
			mm.MacLearningPolicy = &types.DVSMacLearningPolicy{Enabled: l.Enabled, AllowUnicastFlooding: types.NewBool(l.AllowUnicastFlooding), Limit: &limit, LimitPolicy: macLimitPolicy(l.LimitPolicy)}
		} else if p.MacLearningInherit {
			mm.MacLearningPolicy = &types.DVSMacLearningPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
		}
		setting.MacManagementPolicy = mm
	} else {
		setting.SecurityPolicy = &types.DVSSecurityPolicy{
			AllowPromiscuous: encodeBoolPolicy(p.Security.AllowPromiscuous),
			MacChanges:       encodeBoolPolicy(p.Security.MacChanges),
			ForgedTransmits:  encodeBoolPolicy(p.Security.ForgedTransmits),
		}
	}
	if p.Teaming != nil {
		setting.UplinkTeamingPolicy = encodeDVTeaming(*p.Teaming)
	}
	spec := types.DVPortgroupConfigSpec{ConfigVersion: configVersion, DefaultPortConfig: setting}
	defer c.dvpgs.Invalidate(id)
	res, err := methods.ReconfigureDVPortgroup_Task(ctx, c.vim, &types.ReconfigureDVPortgroup_Task{This: ref("DistributedVirtualPortgroup", id), Spec: spec})
	if err != nil {
		return "", err
	}
	if err := c.waitTask(ctx, res.Returnval); err != nil {
		return "", err
	}
	next := ""
	if n, err := strconv.ParseInt(configVersion, 10, 64); err == nil {
		next = strconv.FormatInt(n+1, 10)
	}
	return next, nil
}

func macLimitPolicy(s string) string {
	if s == "allow" {
		return string(types.DVSMacLimitPolicyTypeAllow)
	}
	return string(types.DVSMacLimitPolicyTypeDrop)
}

func encodeBoolPolicy(b *bool) *types.BoolPolicy {
	if b == nil {
		return &types.BoolPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	return &types.BoolPolicy{Value: boolp(b)}
}

func encodeDVTeaming(t inventory.Teaming) *types.VmwareUplinkPortTeamingPolicy {
	out := &types.VmwareUplinkPortTeamingPolicy{
		NotifySwitches:  encodeBoolPolicy(t.NotifySwitches),
		RollingOrder:    encodeBoolPolicy(t.RollingOrder),
		FailureCriteria: &types.DVSFailureCriteria{CheckBeacon: encodeBoolPolicy(t.CheckBeacon)},
	}
	if t.Policy != nil {
		out.Policy = &types.StringPolicy{Value: *t.Policy}
	} else {
		out.Policy = &types.StringPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	if t.Order != nil {
		out.UplinkPortOrder = &types.VMwareUplinkPortOrderPolicy{ActiveUplinkPort: append([]string{}, t.Order.Active...), StandbyUplinkPort: append([]string{}, t.Order.Standby...)}
	} else {
		out.UplinkPortOrder = &types.VMwareUplinkPortOrderPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	return out
}

// waitTask polls the task's state with RetrievePropertiesEx (one round trip
// per poll; the first poll is immediate) until it succeeds or fails.
func (c *Client) waitTask(ctx context.Context, task types.ManagedObjectReference) error {
	delay := 50 * time.Millisecond
	for {
		objs, err := c.retrieve(ctx, types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{Obj: task}},
			PropSet:   []types.PropertySpec{{Type: "Task", PathSet: []string{"info.state", "info.error"}}},
		})
		if err != nil {
			return err
		}
		var state types.TaskInfoState
		var fault *types.LocalizedMethodFault
		for _, o := range objs {
			for _, p := range o.PropSet {
				switch p.Name {
				case "info.state":
					state, _ = p.Val.(types.TaskInfoState)
				case "info.error":
					if f, ok := p.Val.(types.LocalizedMethodFault); ok {
						fault = &f
					}
				}
			}
		}
		switch state {
		case types.TaskInfoStateSuccess:
			return nil
		case types.TaskInfoStateError:
			if fault == nil {
				return errors.New("task failed without a fault")
			}
			return &TaskError{Info: fault}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for task %s: %w", task.Value, ctx.Err())
		case <-time.After(delay):
		}
		if delay < time.Second {
			delay *= 2
		}
	}
}

// IsConcurrentAccess tells whether err is vCenter's answer to a stale
// configVersion: another writer got in between, re-read and retry.
func IsConcurrentAccess(err error) bool { return isFault[*types.ConcurrentAccess](err) }

// TaskError is a task that ended in error; it carries the vSphere fault.
type TaskError struct{ Info *types.LocalizedMethodFault }

func (e *TaskError) Error() string {
	name := fmt.Sprintf("%T", e.Info.Fault)
	name = name[strings.LastIndex(name, ".")+1:]
	if e.Info.LocalizedMessage != "" {
		return name + ": " + e.Info.LocalizedMessage
	}
	return name
}

// Fault returns the task's vSphere fault.
func (e *TaskError) Fault() types.BaseMethodFault { return e.Info.Fault }

// Retry runs f up to attempts times with exponential backoff starting at
// base, stopping early on success or when ctx ends.
func Retry(ctx context.Context, attempts int, base time.Duration, f func(context.Context) error) error {
	var err error
	delay := base
	for i := 0; i < attempts; i++ {
		if err = f(ctx); err == nil {
			return nil
		}
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
