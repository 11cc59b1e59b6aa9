package integration

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
)

// clientDataMode is how a cell opens data connections.
type clientDataMode struct {
	name string
	set  func(*ftp.Dialer)
}

var clientDataModes = []clientDataMode{
	{"EPSV", func(*ftp.Dialer) {}},
	{"PASV", func(d *ftp.Dialer) { d.DisableEPSV = true }},
	{"active", func(d *ftp.Dialer) { d.Active = true }},
}

// dialer returns the client settings for in, as a user would write them:
// the mode matching the daemon's, the test CA trusted, and the TLS version
// capped at version.
func dialer(in *Instance, version uint16) ftp.Dialer {
	var d ftp.Dialer
	switch in.TLS {
	case Explicit:
		d.TLS = ftp.TLSExplicit
	case Implicit:
		d.TLS = ftp.TLSImplicit
	}
	if in.TLS != Plain {
		d.TLSConfig = &tls.Config{RootCAs: in.CertPool, ServerName: in.ServerName, MaxVersion: version}
	}
	return d
}

func login(t *testing.T, in *Instance, d ftp.Dialer) *ftp.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := d.Dial(ctx, in.Addr)
	if err != nil {
		t.Fatalf("Dial %s: %v", in.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, in.User, in.Password); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}

// TestMatrix runs the conformance checks on every daemon × TLS mode it
// supports × data mode × TLS version.
func TestMatrix(t *testing.T) {
	for _, kind := range Kinds {
		for _, mode := range TLSModes {
			if !kind.Supports(mode) {
				continue // implicit TLS: vsftpd and ProFTPD only
			}
			for _, dm := range clientDataModes {
				versions := tlsVersions
				if mode == Plain {
					versions = versions[:1]
				}
				for _, v := range versions {
					name := fmt.Sprintf("%v/%v/%s", kind, mode, dm.name)
					if mode != Plain {
						name += "/" + tls.VersionName(v)
					}
					t.Run(name, func(t *testing.T) {
						in := Start(t, kind, mode)
						d := dialer(in, v)
						dm.set(&d)
						c := login(t, in, d)
						if mode != Plain {
							st, _ := c.TLSConnectionState()
							if st.Version != v {
								t.Fatalf("control connection negotiated %s, want %s", tls.VersionName(st.Version), tls.VersionName(v))
							}
						}
						dir, _ := in.Scratch(t)
						conformance.Exercise(t, c, dir, 200<<10)
						ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
						defer cancel()
						if err := c.Quit(ctx); err != nil {
							t.Fatalf("Quit: %v", err)
						}
					})
				}
			}
		}
	}
}
