//go:build !unix

package fakeftp

import "net"

// setOOBInline does nothing here: package syscall has no SO_OOBINLINE for
// this platform, so the urgent Synch byte may be missing before ABOR.
func setOOBInline(net.Conn) error { return nil }
