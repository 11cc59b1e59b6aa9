package fakeftp_test

import (
	"net"
	"syscall"
	"testing"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

// sendOOB sends p with MSG_OOB: TCP marks its last byte urgent.
func sendOOB(t *testing.T, c net.Conn, p []byte) {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = syscall.Sendto(int(fd), p, syscall.MSG_OOB, nil)
		return serr != syscall.EAGAIN
	})
	if err != nil || serr != nil {
		t.Fatalf("send urgent: %v %v", err, serr)
	}
}

// TestUrgentABOR sends ABOR the way RFC 959 suggests: IAC IP IAC as normal
// data, DM as urgent data (the Synch), then the command. The DM byte must
// arrive inline, in order.
func TestUrgentABOR(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.ExpectUrgent("ABOR"),
		fakeftp.Reply("226 abor ok"),
		fakeftp.ExpectUrgent("ABOR"),
		fakeftp.Reply("226 abor ok"),
	})
	c, nc := client(t, srv)
	nc.Write([]byte("\xff\xf4\xff"))
	sendOOB(t, nc, []byte("\xf2"))
	send(t, c, "ABOR")
	if got := readLine(t, c); got != "226 abor ok" {
		t.Fatalf("got %q", got)
	}
	// A plain ABOR, with no Telnet prefix, is accepted too.
	send(t, c, "ABOR")
	readLine(t, c)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 2 || got[0] != fakeftp.IPSynch+"ABOR" || got[1] != "ABOR" {
		t.Errorf("Received() = %q, want [IPSynch+ABOR ABOR]", got)
	}
}
