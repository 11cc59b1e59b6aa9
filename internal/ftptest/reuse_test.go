package ftptest

import (
	"crypto/tls"
	"strings"
	"testing"
)

// reuseServer starts a server that enforces session reuse at one TLS version.
func reuseServer(t *testing.T, v uint16) *Server {
	t.Helper()
	return New(t, Options{TLS: TLSExplicit, TLSMinVersion: v, TLSMaxVersion: v, RequireSessionReuse: true})
}

func TestReuseChainAccepted(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			s := reuseServer(t, v)
			c := tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(32)))
			steps := []struct {
				cmd    string
				upload []byte
				pasv   bool
			}{
				{"STOR a", []byte("first"), false},
				{"RETR a", nil, false},
				{"LIST", nil, true},
				{"RETR a", nil, false},
				{"STOR b", []byte("second"), true},
				{"MLSD", nil, false},
			}
			for _, st := range steps {
				if r := c.transfer(st.cmd, st.upload, st.pasv); r.code != 226 || r.dataErr != nil {
					t.Fatalf("%s: %+v", st.cmd, r)
				}
			}
			if r := c.transferActive("RETR b", nil); r.code != 226 || string(r.data) != "second" {
				t.Fatalf("RETR over EPRT: %+v", r)
			}
			dcs := s.DataConns()
			if len(dcs) != len(steps)+1 {
				t.Fatalf("%d data connections recorded, want %d", len(dcs), len(steps)+1)
			}
			fromData := 0
			for i, dc := range dcs {
				if !dc.TLS || !dc.DidResume || dc.ResumedFrom != 1 || dc.Control != 1 || dc.Refused {
					t.Errorf("DataConns[%d] = %+v, want a resumed session of control 1", i, dc)
				}
				if dc.ResumedFromData {
					fromData++
				}
			}
			if dcs[0].ResumedFromData {
				t.Errorf("first data connection resumed a data-connection ticket: %+v", dcs[0])
			}
			if dcs[len(dcs)-1].Passive {
				t.Errorf("last data connection should be active: %+v", dcs[len(dcs)-1])
			}
			// Reading data connections hands the client fresh tickets, which
			// a chain client then resumes.
			if fromData == 0 {
				t.Errorf("no data connection resumed a data-connection ticket: %+v", dcs)
			}
			if n := s.RefusedDataConns(); n != 0 {
				t.Errorf("RefusedDataConns = %d", n)
			}
		})
	}
}

func TestReusePinnedAccepted(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			s := reuseServer(t, v)
			cache := &pinnedCache{inner: tls.NewLRUClientSessionCache(4)}
			c := tlsClient(t, s, clientConfig(s, cache))
			cache.Freeze()
			for _, cmd := range []string{"LIST", "NLST", "LIST", "MLSD"} {
				if r := c.transfer(cmd, nil, false); r.code != 226 || r.dataErr != nil {
					t.Fatalf("%s: %+v", cmd, r)
				}
			}
			for i, dc := range s.DataConns() {
				if !dc.DidResume || dc.ResumedFrom != 1 || dc.ResumedFromData || dc.Refused {
					t.Errorf("DataConns[%d] = %+v, want the control connection's own session", i, dc)
				}
			}
		})
	}
}

func TestReuseRefusesFullHandshake(t *testing.T) {
	for _, v := range tlsVersions {
		for _, name := range []string{"no cache", "tickets disabled"} {
			t.Run(tls.VersionName(v)+"/"+name, func(t *testing.T) {
				s := reuseServer(t, v)
				cfg := clientConfig(s, nil)
				if name == "tickets disabled" {
					cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
					cfg.SessionTicketsDisabled = true
				}
				c := tlsClient(t, s, cfg)
				r := c.transfer("LIST", nil, false)
				if r.mark != 150 || r.code != 522 || !strings.Contains(r.msg, "session reuse required") {
					t.Fatalf("LIST without resumption: %+v", r)
				}
				if r.dataErr == nil {
					t.Errorf("the refused data connection carried data: %+v", r)
				}
				expectHangup(t, c)
				dcs := s.DataConns()
				if len(dcs) != 1 || !dcs[0].Refused || dcs[0].DidResume || !strings.Contains(dcs[0].Reason, "not resumed") {
					t.Fatalf("DataConns = %+v", dcs)
				}
				if n := s.RefusedDataConns(); n != 1 {
					t.Fatalf("RefusedDataConns = %d, want 1", n)
				}
			})
		}
	}
}

func TestReuseRefusesOtherControlConnection(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			s := reuseServer(t, v)
			a := tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
			b := tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
			// b's data connection presents a's session, as a client sharing
			// one session cache across a connection pool would.
			b.DataTLS = a.cfg
			r := b.transfer("LIST", nil, false)
			if r.code != 522 {
				t.Fatalf("LIST with a foreign session: %+v", r)
			}
			expectHangup(t, b)
			dcs := s.DataConns()
			if len(dcs) != 1 {
				t.Fatalf("DataConns = %+v", dcs)
			}
			dc := dcs[0]
			if dc.Control != 2 || !dc.DidResume || dc.ResumedFrom != 1 || !dc.Refused ||
				!strings.Contains(dc.Reason, "another control connection") {
				t.Fatalf("DataConns[0] = %+v, want control 2 refused for resuming control 1's session", dc)
			}
		})
	}
}

func TestReuseNotRequired(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			s := New(t, Options{TLS: TLSExplicit, TLSMaxVersion: v})
			c := tlsClient(t, s, clientConfig(s, nil))
			if r := c.transfer("LIST", nil, false); r.code != 226 || r.dataErr != nil {
				t.Fatalf("LIST: %+v", r)
			}
			c.quit()
			if dcs := s.DataConns(); len(dcs) != 1 || dcs[0].DidResume || dcs[0].Refused || dcs[0].Version != v {
				t.Fatalf("DataConns = %+v", dcs)
			}
		})
	}
}

func TestReuseImplicit(t *testing.T) {
	s := New(t, Options{TLS: TLSImplicit, RequireSessionReuse: true})
	c := dial(t, s, s.ClientTLSConfig())
	c.login("u", "p")
	for range 3 {
		if r := c.transfer("LIST", nil, false); r.code != 226 {
			t.Fatalf("LIST: %+v", r)
		}
	}
	bad := dial(t, s, s.ClientTLSConfig())
	bad.login("u", "p")
	bad.DataTLS = clientConfig(s, nil)
	if r := bad.transfer("LIST", nil, false); r.code != 522 {
		t.Fatalf("LIST without resumption: %+v", r)
	}
	expectHangup(t, bad)
}

func TestTicketTag(t *testing.T) {
	extra := [][]byte{[]byte("other"), ticketTag(7, originControl)}
	extra = withTag(extra, 9, originData)
	if len(extra) != 2 || string(extra[0]) != "other" {
		t.Fatalf("withTag kept %q", extra)
	}
	chain, origin, ok := parseTag(extra)
	if !ok || chain != 9 || origin != originData {
		t.Fatalf("parseTag = %d %c %v", chain, origin, ok)
	}
	if _, _, ok := parseTag([][]byte{[]byte("ferry-ftptest-chain/1:xx")}); ok {
		t.Fatal("parseTag accepted a truncated tag")
	}
}
