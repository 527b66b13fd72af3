package serve

import (
	"errors"
	"fmt"
	"syscall"
)

// ListenError is an address the server cannot listen on. Fix is the next
// step, which depends on the cause.
type ListenError struct {
	Addr string
	Err  error
	Fix  string
}

// Error names the address and the cause.
func (e *ListenError) Error() string {
	return fmt.Sprintf("listen on %s: %v", e.Addr, e.Err)
}

// Unwrap returns the error of net.Listen.
func (e *ListenError) Unwrap() error { return e.Err }

func newListenError(addr string, err error) *ListenError {
	e := &ListenError{Addr: addr, Err: err}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		e.Fix = "Choose another --addr, or stop the program that uses the port."
	case errors.Is(err, syscall.EACCES):
		e.Fix = "Choose a port above 1023, or run serve with the privilege to bind ports below 1024."
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		e.Fix = "Choose an address of this machine, such as 127.0.0.1:4433, or 0.0.0.0:4433 for every interface."
	default:
		e.Fix = "Pass --addr HOST:PORT with an address of this machine and a port from 1 to 65535, such as 127.0.0.1:4433."
	}
	return e
}
