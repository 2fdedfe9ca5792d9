// Command rsswrap runs the provider binary named by RSSWRAP_TARGET with the
// same arguments and stdio, and appends one line to RSSWRAP_OUT when it
// exits: its peak resident set size (KiB), user and system CPU time
// (microseconds), from the child's rusage. The benchmarks put it in
// dev_overrides in place of the provider to measure the provider process's
// memory and CPU under Terraform (one line per provider process; Terraform
// starts more than one per command).
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	cmd := exec.Command(os.Getenv("RSSWRAP_TARGET"), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// If Terraform kills the wrapper, the provider goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && os.Getenv("RSSWRAP_OUT") != "" {
		if f, ferr := os.OpenFile(os.Getenv("RSSWRAP_OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); ferr == nil {
			fmt.Fprintf(f, "%d %d %d\n", ru.Maxrss, ru.Utime.Nano()/1000, ru.Stime.Nano()/1000)
			_ = f.Close()
		}
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			os.Exit(ee.ExitCode())
		}
		os.Exit(1)
	}
}
