//go:build !linux

package actors

import (
	"errors"
	"os/exec"
)

func detachSimProcess(*exec.Cmd) {}

func raiseSimPriority(int) error { return errors.New("not supported on this OS") }
