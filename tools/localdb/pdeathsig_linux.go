//go:build linux

package main

import "syscall"

// setParentDeathSignal asks the kernel to send SIGTERM when the parent process dies.
func setParentDeathSignal() {
	const prSetPdeathsig = 1
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGTERM), 0)
}
