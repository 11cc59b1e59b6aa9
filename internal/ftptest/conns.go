package ftptest

import (
	"net"
	"sync"
)

// dataConn is the raw TCP side of a passive data connection.
type dataConn struct {
	net.Conn
	rec  *dataRecord
	sess *session // owning control connection; nil if unknown
	once sync.Once
}

// Close implements net.Conn. It wakes stalled transfers of the owning
// session and applies Faults.ReplyDelay: ftpserverlib closes the data
// connection just before it writes the final reply.
func (c *dataConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.sess != nil {
			c.sess.wakeStalls()
			c.sess.delayReply()
		}
	})
	return err
}
