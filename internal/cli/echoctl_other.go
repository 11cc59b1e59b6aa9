//go:build !linux

package cli

import "io"

// quietControlEcho does nothing here; see echoctl_linux.go.
func quietControlEcho(io.Writer) func() { return func() {} }
