package netem

import (
	"fmt"
	"net"
	"time"
)

// FaultKind is what happens to a connection when its fault strikes.
type FaultKind int

const (
	// Close ends both sides with a clean FIN, as a proxy or a load
	// balancer's timeout does: the server sees an orderly end of the data
	// and may store a short file and answer 226. The client side is
	// closed with whatever it sent still unread, which the kernel answers
	// with a reset: the only sign the sender gets.
	Close FaultKind = iota + 1
	// Reset ends both sides with a TCP reset.
	Reset
	// Stall stops relaying the fault's direction for Fault.Stall (forever,
	// until the connection is closed, when zero); the other direction
	// goes on.
	Stall
)

func (k FaultKind) String() string {
	switch k {
	case Close:
		return "close"
	case Reset:
		return "reset"
	case Stall:
		return "stall"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Dir is a direction of a relayed connection.
type Dir int

const (
	// Any counts the bytes of both directions together.
	Any Dir = iota
	// Upstream is from the client to the server (uploads, commands).
	Upstream
	// Downstream is from the server to the client (downloads, replies).
	Downstream
)

// Fault is one failure to inject into a connection.
type Fault struct {
	Kind FaultKind
	// After is how many bytes (of Dir) are relayed before the fault
	// strikes; 0 strikes before the first byte.
	After int64
	Dir   Dir
	// Stall is how long a Stall lasts; zero stalls until the end.
	Stall time.Duration
}

// reset closes c with a TCP reset instead of a FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
