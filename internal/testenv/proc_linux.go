package testenv

import "syscall"

// sysProcAttr makes the kernel stop moto when the test binary dies without running Main's
// clean-up (a panic, a timeout, a forgotten TestMain).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
