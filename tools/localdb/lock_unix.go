//go:build unix

package main

import (
	"os"
	"syscall"
)

// lockExclusive takes an exclusive, non-blocking flock on path and keeps the file open for the
// life of the process: the kernel releases it when the process dies, however it dies.
func lockExclusive(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if err == syscall.EWOULDBLOCK {
			return false, nil
		}
		return false, err
	}
	heldLock = f
	return true, nil
}

var heldLock *os.File

func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
