package integration

import (
	"crypto/tls"
	"fmt"

	"github.com/ferryftp/ftp/internal/ftptest"
)

// The daemon configurations are proved with the project's one raw test
// client (ftptest.RawConn, on net/textproto and crypto/tls only), so that
// they do not depend on the client under test.

// dataMode is how rawClient opens a data connection.
type dataMode = ftptest.DataMode

var dataModes = []dataMode{ftptest.EPSV, ftptest.PASV, ftptest.EPRT}

// rawClient is one logged-in control connection.
type rawClient struct{ *ftptest.RawConn }

// dialRaw connects to in and logs in. With mode Explicit or Implicit it
// protects the control and data connections with TLS at most maxVersion;
// mode is normally in.TLS.
func dialRaw(in *Instance, mode TLSMode, maxVersion uint16) (_ *rawClient, err error) {
	var cfg *tls.Config
	if mode != Plain {
		// One configuration, and so one session cache, per control
		// connection: data connections resume its session.
		cfg = in.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		cfg.MaxVersion = maxVersion
	}
	rc, err := ftptest.DialRaw(in.Addr, cfg, mode == Implicit)
	if err != nil {
		return nil, err
	}
	c := &rawClient{rc}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	if mode == Explicit {
		if err := c.AuthTLS(); err != nil {
			return nil, err
		}
	}
	if err := c.Login(in.User, in.Password); err != nil {
		return nil, err
	}
	if mode != Plain {
		if err := c.ProtectData(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// cmd sends a command and checks its reply's code.
func (c *rawClient) cmd(expect int, format string, args ...any) (string, error) {
	return c.Cmd(expect, format, args...)
}

// transfer runs a transfer command (LIST, RETR, STOR) over a new data
// connection, which must succeed. For STOR it sends upload and returns nil
// data; otherwise it returns what it read. state is the data connection's
// TLS state, if any.
func (c *rawClient) transfer(mode dataMode, upload []byte, format string, args ...any) (data []byte, state *tls.ConnectionState, err error) {
	command := fmt.Sprintf(format, args...)
	r, err := c.Transfer(mode, upload, command)
	switch {
	case err != nil:
		return nil, nil, err
	case r.Mark/100 != 1:
		return nil, nil, fmt.Errorf("%s: %d %s", command, r.Code, r.Msg)
	case r.DataErr != nil:
		return nil, nil, fmt.Errorf("%s: data connection: %w", command, r.DataErr)
	case r.ReadErr != nil:
		return nil, nil, fmt.Errorf("%s completion: %w", command, r.ReadErr)
	case r.Code/100 != 2:
		return nil, nil, fmt.Errorf("%s completion: %d %s", command, r.Code, r.Msg)
	}
	return r.Data, r.TLS, nil
}

func (c *rawClient) quit() error { return c.Quit() }

func (c *rawClient) close() { c.Close() }
