package simulator

import (
	"strings"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// dispatch is the Registry.Handler hook. It injects the non-task faults
// decided by the HTTP layer (FailCall). (The hook cannot route methods to
// other objects for logged-in sessions: vcsim prefers the session's view of
// the object; see alias.go for how overrides are routed.)
func (s *Server) dispatch(ctx *gosim.Context, m *gosim.Method) (mo.Reference, types.BaseMethodFault) {
	if ctx.Value(internalKey{}) == nil {
		if f := s.popPending(m.Name, m.This.Value); f != nil {
			return nil, f
		}
	}
	return nil, nil
}

// taskMethods are the *_Task methods whose injected faults fail the task
// (as vCenter does); other methods get the fault as a SOAP fault.
var taskMethods = map[string]struct{}{
	"ReconfigureDVPortgroup_Task": {}, "ReconfigureDvs_Task": {}, "AddDVPortgroup_Task": {},
	"CreateDVS_Task": {}, "ReconfigVM_Task": {}, "Destroy_Task": {}, "Rename_Task": {},
	"PowerOnVM_Task": {}, "PowerOffVM_Task": {}, "ReconfigureDVPort_Task": {},
}

// taskFaulter answers a *_Task call with a task that fails with fault; it
// changes nothing.
type taskFaulter struct {
	Self  types.ManagedObjectReference // alias
	orig  types.ManagedObjectReference
	fault types.BaseMethodFault
	name  string
}

func (t *taskFaulter) Reference() types.ManagedObjectReference { return t.Self }

func (t *taskFaulter) run(ctx *gosim.Context) types.ManagedObjectReference {
	name := strings.TrimSuffix(t.name, "_Task")
	name = strings.ToLower(name[:1]) + name[1:]
	return failedTask(ctx, t.orig, name, t.fault)
}

func (t *taskFaulter) ReconfigureDVPortgroupTask(ctx *gosim.Context, _ *types.ReconfigureDVPortgroup_Task) soap.HasFault {
	return &methods.ReconfigureDVPortgroup_TaskBody{Res: &types.ReconfigureDVPortgroup_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) ReconfigureDvsTask(ctx *gosim.Context, _ *types.ReconfigureDvs_Task) soap.HasFault {
	return &methods.ReconfigureDvs_TaskBody{Res: &types.ReconfigureDvs_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) AddDVPortgroupTask(ctx *gosim.Context, _ *types.AddDVPortgroup_Task) soap.HasFault {
	return &methods.AddDVPortgroup_TaskBody{Res: &types.AddDVPortgroup_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) CreateDVSTask(ctx *gosim.Context, _ *types.CreateDVS_Task) soap.HasFault {
	return &methods.CreateDVS_TaskBody{Res: &types.CreateDVS_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) ReconfigVMTask(ctx *gosim.Context, _ *types.ReconfigVM_Task) soap.HasFault {
	return &methods.ReconfigVM_TaskBody{Res: &types.ReconfigVM_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) DestroyTask(ctx *gosim.Context, _ *types.Destroy_Task) soap.HasFault {
	return &methods.Destroy_TaskBody{Res: &types.Destroy_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) RenameTask(ctx *gosim.Context, _ *types.Rename_Task) soap.HasFault {
	return &methods.Rename_TaskBody{Res: &types.Rename_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) PowerOnVMTask(ctx *gosim.Context, _ *types.PowerOnVM_Task) soap.HasFault {
	return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) PowerOffVMTask(ctx *gosim.Context, _ *types.PowerOffVM_Task) soap.HasFault {
	return &methods.PowerOffVM_TaskBody{Res: &types.PowerOffVM_TaskResponse{Returnval: t.run(ctx)}}
}

func (t *taskFaulter) ReconfigureDVPortTask(ctx *gosim.Context, _ *types.ReconfigureDVPort_Task) soap.HasFault {
	return &methods.ReconfigureDVPort_TaskBody{Res: &types.ReconfigureDVPort_TaskResponse{Returnval: t.run(ctx)}}
}
