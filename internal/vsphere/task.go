package vsphere

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

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
			return &taskError{info: fault}
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
