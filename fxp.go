package ftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// CopyBetween copies a file from one server to another without passing the
// data through this machine (server-to-server transfer, "FXP"; ftplib's
// ftpcp). The source is put in passive mode and the target is told, with
// EPRT or PORT, to connect to it. The address sent is the source's address
// as seen on its control connection, not what its 227 reply says, unless
// the source's Dialer trusts PASV addresses (gh-87451: otherwise a hostile
// source could aim the target at any host).
//
// Many servers refuse FXP (a PORT to a host other than the client's) for
// the same reason; that refusal is returned as the target's *Error.
func CopyBetween(ctx context.Context, src *Conn, srcPath string, dst *Conn, dstPath string) error {
	for _, c := range []*Conn{src, dst} {
		if err := c.usable(); err != nil {
			return err
		}
		if err := c.setType(ctx, "I"); err != nil {
			return err
		}
	}
	srcLine, err := commandLine("RETR", srcPath)
	if err != nil {
		return err
	}
	dstLine, err := commandLine("STOR", dstPath)
	if err != nil {
		return err
	}
	ip, port, err := src.passiveAddr(ctx)
	if err != nil {
		return err
	}
	if err := dst.sendPort(ctx, ip, port); err != nil {
		return err
	}
	if err := dst.send(ctx, dstLine); err != nil {
		return dst.fail(dst.wrapErr(dstLine, err))
	}
	dstFirst, err := dst.preliminary(ctx, dstLine)
	if err != nil {
		return err
	}
	if err := src.send(ctx, srcLine); err != nil {
		src.fail(src.wrapErr(srcLine, err))
		return joinErrors(err, dst.Abort(ctx))
	}
	srcFirst, err := src.preliminary(ctx, srcLine)
	if err != nil {
		// The target is waiting for a connection that will not come.
		return joinErrors(err, dst.Abort(ctx))
	}
	srcErr := finalReply(ctx, src, srcLine, srcFirst)
	dstErr := finalReply(ctx, dst, dstLine, dstFirst)
	return joinErrors(srcErr, dstErr)
}

// finalReply reads the transfer's final reply, unless the first reply was
// final already (a 2xx with no 1xx): then none is due.
func finalReply(ctx context.Context, c *Conn, line string, first *Reply) error {
	r := first
	if r == nil || r.Class() == 1 {
		var err error
		if r, err = c.readReply(ctx, line, c.d.ReplyTimeout); err != nil {
			return err
		}
	}
	return checkClass(redact(line), r, 2)
}

// passiveAddr puts c in passive mode and returns the address the data
// connection will be at, without connecting.
func (c *Conn) passiveAddr(ctx context.Context) (net.IP, int, error) {
	peer := c.peerIP()
	if peer == nil {
		return nil, 0, errors.New("ftp: server-to-server copy needs a direct TCP control connection")
	}
	if !c.noEPSV && !c.d.DisableEPSV {
		r, err := c.cmd(ctx, 2, "EPSV")
		switch {
		case err == nil && r.Code == 229:
			port, err := parseEPSV(r)
			return peer, port, err
		case err == nil:
			return nil, 0, &UnexpectedReplyError{Cmd: "EPSV", Reply: r, Want: "229"}
		case unsupported(err) && peer.To4() != nil:
			c.noEPSV = true
		default:
			return nil, 0, err
		}
	}
	r, err := c.cmd(ctx, 2, "PASV")
	if err != nil {
		return nil, 0, err
	}
	if r.Code != 227 {
		return nil, 0, &UnexpectedReplyError{Cmd: "PASV", Reply: r, Want: "227"}
	}
	ip, port, err := parsePASV(r)
	if err != nil {
		return nil, 0, err
	}
	if !c.d.TrustPASVAddress || ip.IsUnspecified() {
		ip = peer
	}
	return ip, port, nil
}

// sendPort tells c to connect to ip:port for the next transfer.
func (c *Conn) sendPort(ctx context.Context, ip net.IP, port int) error {
	ip4 := ip.To4()
	if !c.noEPRT && !c.d.DisableEPSV {
		af := "2"
		if ip4 != nil {
			af = "1"
		}
		_, err := c.cmd(ctx, 2, "EPRT", "|"+af+"|"+ip.String()+"|"+strconv.Itoa(port)+"|")
		if err == nil || !unsupported(err) || ip4 == nil {
			return err
		}
		c.noEPRT = true
	}
	if ip4 == nil {
		return errors.New("ftp: PORT cannot give an IPv6 address")
	}
	_, err := c.cmd(ctx, 2, "PORT", fmt.Sprintf("%d,%d,%d,%d,%d,%d", ip4[0], ip4[1], ip4[2], ip4[3], port>>8, port&0xff))
	return err
}
