package vsphere

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// Kinds of object a NotFoundError names.
const (
	KindHost        = "host"
	KindPortGroup   = "port group"
	KindVSwitch     = "vSwitch"
	KindDVPortGroup = "distributed port group"
)

// NotFoundError is an object a verb was asked to act on that does not exist
// (in the read it was given, or on the server), like govmomi's
// find.NotFoundError. ID is the moref, or the name for a port group or
// vSwitch of host Host.
type NotFoundError struct {
	Kind string
	ID   string
	Host string // the host of a port group or vSwitch
}

func (e *NotFoundError) Error() string {
	if e.Host != "" {
		return fmt.Sprintf("%s %q no longer exists on host %s", e.Kind, e.ID, e.Host)
	}
	return fmt.Sprintf("%s %s no longer exists", e.Kind, e.ID)
}

// IsNotFound tells whether err is (or wraps) a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// IsConcurrentAccess tells whether err is vCenter's answer to a stale
// configVersion: another writer got in between, re-read and retry.
func IsConcurrentAccess(err error) bool { return isFault[*types.ConcurrentAccess](err) }

// taskError is a task that ended in error; it carries the vSphere fault
// (FaultName reads it).
type taskError struct{ info *types.LocalizedMethodFault }

func (e *taskError) Error() string {
	name := fmt.Sprintf("%T", e.info.Fault)
	name = name[strings.LastIndex(name, ".")+1:]
	if e.info.LocalizedMessage != "" {
		return name + ": " + e.info.LocalizedMessage
	}
	return name
}

// Fault returns the task's vSphere fault.
func (e *taskError) Fault() types.BaseMethodFault { return e.info.Fault }
