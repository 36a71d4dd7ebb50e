//go:build linux

package actors

import (
	"os/exec"
	"syscall"
)

// detachSimProcess puts the simulator child in its own process group so
// its priority can be raised for all its threads at once.
func detachSimProcess(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// raiseSimPriority gives the simulator child (every thread of its process
// group) nice -10. The simulator stands in for a remote service with its
// own CPUs; on a 2-core box shared with the load generator, other test
// binaries and compilers, its request stamps would otherwise lag our
// writes by whatever the OS scheduler adds, which no client-side limiter
// can see. Needs root (CI runs as root); otherwise it is skipped.
func raiseSimPriority(pid int) error {
	return syscall.Setpriority(syscall.PRIO_PGRP, pid, -10)
}
