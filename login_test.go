package ftp_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

func noFeat() []fakeftp.Step {
	return []fakeftp.Step{fakeftp.Expect("FEAT"), fakeftp.Reply("502 FEAT not supported")}
}

func TestLoginAnonymousDefaults(t *testing.T) {
	for _, tt := range []struct {
		user, pass       string
		wantUser, wantPW string
	}{
		{"", "", "anonymous", "anonymous@"},
		{"anonymous", "", "anonymous", "anonymous@"},
		{"", "-", "anonymous", "-anonymous@"}, // "-" asks servers for terse messages
		{"anonymous", "me@example.com", "anonymous", "me@example.com"},
		{"alice", "", "alice", ""},
		{"alice", "s3cret", "alice", "s3cret"},
	} {
		t.Run(tt.user+"/"+tt.pass, func(t *testing.T) {
			pass := "PASS " + tt.wantPW
			if tt.wantPW == "" {
				pass = "PASS"
			}
			srv := fakeftp.New(t, steps(welcome,
				fakeftp.Expect("USER "+tt.wantUser), fakeftp.Reply("331 password please"),
				fakeftp.Expect(pass), fakeftp.Reply("230 logged in"),
				noFeat(),
			))
			c := dialFake(t, srv, nil)
			if err := c.Login(fakeCtx(t), tt.user, tt.pass); err != nil {
				t.Fatal(err)
			}
			waitFake(t, srv)
		})
	}
}

// TestLogin230AfterUser: a server that needs no password answers USER with
// 230; sending PASS then would be answered 503 and put replies out of step.
func TestLogin230AfterUser(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER guest"), fakeftp.Reply("230 no password needed"),
		noFeat(),
		pwdSteps("/guest"),
	))
	c := dialFake(t, srv, nil)
	if err := c.Login(fakeCtx(t), "guest", "unused"); err != nil {
		t.Fatal(err)
	}
	checkInStep(t, c, "/guest")
	for _, l := range srv.Received() {
		if strings.HasPrefix(l, "PASS") {
			t.Errorf("PASS sent after a 230 to USER: %q", l)
		}
	}
}

func TestLoginAccount(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS pw"), fakeftp.Reply("332 account please"),
		fakeftp.Expect("ACCT acct1"), fakeftp.Reply("230 logged in"),
		noFeat(),
	))
	c := dialFake(t, srv, nil)
	if err := c.LoginAccount(fakeCtx(t), "alice", "pw", "acct1"); err != nil {
		t.Fatal(err)
	}
	waitFake(t, srv)
}

// TestLoginAccountNotAsked: the account is sent only when the server asks.
func TestLoginAccountNotAsked(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS pw"), fakeftp.Reply("230 logged in"),
		noFeat(),
	))
	c := dialFake(t, srv, nil)
	if err := c.LoginAccount(fakeCtx(t), "alice", "pw", "acct1"); err != nil {
		t.Fatal(err)
	}
	waitFake(t, srv)
}

// TestLogin332WithoutAccount: Login cannot answer 332 and says so, naming
// LoginAccount, without having sent an empty ACCT (ftplib sends "ACCT ").
func TestLogin332WithoutAccount(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS pw"), fakeftp.Reply("332 need account"),
		noop(),
	))
	c := dialFake(t, srv, nil)
	err := c.Login(fakeCtx(t), "alice", "pw")
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 332 || !strings.Contains(err.Error(), "LoginAccount") {
		t.Fatalf("err = %v, want *ftp.Error 332 naming LoginAccount", err)
	}
	if strings.Contains(err.Error(), "pw") {
		t.Errorf("error %q shows the password", err)
	}
	if err := c.NoOp(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}
}

// TestLogin332AfterUser: a 332 to USER still leads to PASS, then ACCT.
func TestLogin332AfterUser(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("332 need account"),
		fakeftp.Expect("PASS pw"), fakeftp.Reply("332 need account"),
		fakeftp.Expect("ACCT a"), fakeftp.Reply("230 ok"),
		noFeat(),
	))
	c := dialFake(t, srv, nil)
	if err := c.LoginAccount(fakeCtx(t), "alice", "pw", "a"); err != nil {
		t.Fatal(err)
	}
	waitFake(t, srv)
}

func TestLoginRefused(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps []fakeftp.Step
		code  int
	}{
		{"530 to PASS", []fakeftp.Step{
			fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
			fakeftp.Expect("PASS wrong"), fakeftp.Reply("530 Login incorrect."),
		}, 530},
		{"530 to USER", []fakeftp.Step{
			fakeftp.Expect("USER alice"), fakeftp.Reply("530 This FTP server is anonymous only."),
		}, 530},
		{"421 to PASS", []fakeftp.Step{
			fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
			fakeftp.Expect("PASS wrong"), fakeftp.Reply("421 Too many users"),
		}, 421},
	} {
		t.Run(tt.name, func(t *testing.T) {
			after := pwdSteps("/still-here")
			if tt.code == 421 {
				after = []fakeftp.Step{fakeftp.Optional(), fakeftp.ExpectEOF()}
			}
			srv := fakeftp.New(t, steps(welcome, tt.steps, after))
			c := dialFake(t, srv, nil)
			err := c.Login(fakeCtx(t), "alice", "wrong")
			var fe *ftp.Error
			if !errors.As(err, &fe) || fe.Code != tt.code {
				t.Fatalf("err = %v, want *ftp.Error %d", err, tt.code)
			}
			if tt.code == 530 && !errors.Is(err, fs.ErrPermission) {
				t.Errorf("530 does not match fs.ErrPermission: %v", err)
			}
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("error %q shows the password", err)
			}
			if tt.code == 421 {
				// The server is closing the connection: later calls say so,
				// with its words, without sending anything.
				_, err := c.CurrentDir(fakeCtx(t))
				if !errors.Is(err, ftp.ErrBroken) || !strings.Contains(err.Error(), "421 Too many users") {
					t.Errorf("CurrentDir after 421: %v; want ErrBroken with the 421 text", err)
				}
				return
			}
			checkInStep(t, c, "/still-here")
		})
	}
}

// TestLoginUnexpectedReply: a 3xx to PASS other than 332 leaves the login
// unfinished: an unexpected reply, with the Conn still in step.
func TestLoginUnexpectedReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS pw"), fakeftp.Reply("350 what?"),
		pwdSteps("/x"),
	))
	c := dialFake(t, srv, nil)
	err := c.Login(fakeCtx(t), "alice", "pw")
	var ue *ftp.UnexpectedReplyError
	if !errors.As(err, &ue) || ue.Reply.Code != 350 {
		t.Fatalf("err = %v, want *ftp.UnexpectedReplyError for 350", err)
	}
	checkInStep(t, c, "/x")
}

// TestLoginFeatUTF8 covers RFC 2640: OPTS UTF8 ON is sent only when FEAT
// lists UTF8, and not with DisableUTF8.
func TestLoginFeatUTF8(t *testing.T) {
	feat := fakeftp.Reply("211-Features:", " EPSV", " UTF8", " MDTM", " SIZE", "211 End")
	t.Run("listed", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("USER anonymous"), fakeftp.Reply("230 ok"),
			fakeftp.Expect("FEAT"), feat,
			fakeftp.Expect("OPTS UTF8 ON"), fakeftp.Reply("200 Always in UTF8 mode."),
		))
		c := dialFake(t, srv, nil)
		if err := c.Login(fakeCtx(t), "", ""); err != nil {
			t.Fatal(err)
		}
		f, err := c.Features(fakeCtx(t)) // remembered: no second FEAT
		if err != nil || !f.Has("utf8") || !f.Has("MDTM") || f.Has("MLST") {
			t.Errorf("Features = %v, %v", f, err)
		}
		waitFake(t, srv)
	})
	t.Run("not listed", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("USER anonymous"), fakeftp.Reply("230 ok"),
			fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " EPSV", " SIZE", "211 End"),
			noop(),
		))
		c := dialFake(t, srv, nil)
		if err := c.Login(fakeCtx(t), "", ""); err != nil {
			t.Fatal(err)
		}
		if err := c.NoOp(fakeCtx(t)); err != nil { // NOOP, not OPTS, comes next
			t.Fatal(err)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("USER anonymous"), fakeftp.Reply("230 ok"),
			fakeftp.Expect("FEAT"), feat,
			noop(),
		))
		d := quickDialer()
		d.DisableUTF8 = true
		c := dialFake(t, srv, d)
		if err := c.Login(fakeCtx(t), "", ""); err != nil {
			t.Fatal(err)
		}
		if err := c.NoOp(fakeCtx(t)); err != nil {
			t.Fatal(err)
		}
	})
	// Pure-FTPd built without UTF-8 support lists UTF8 and then refuses it.
	t.Run("refused", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("USER anonymous"), fakeftp.Reply("230 ok"),
			fakeftp.Expect("FEAT"), feat,
			fakeftp.Expect("OPTS UTF8 ON"), fakeftp.Reply("504 Unknown command"),
			pwdSteps("/pure"),
		))
		c := dialFake(t, srv, nil)
		if err := c.Login(fakeCtx(t), "", ""); err != nil {
			t.Fatalf("a refused OPTS UTF8 failed Login: %v", err)
		}
		checkInStep(t, c, "/pure")
	})
}

// TestFeaturesRefused: a server that does not know FEAT has no features,
// and the answer is remembered; a 530 before login is not.
func TestFeaturesRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("FEAT"), fakeftp.Reply("530 Please login with USER and PASS"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("500 unknown command"),
		noop(),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for i := range 3 {
		f, err := c.Features(ctx)
		if err != nil || len(f) != 0 {
			t.Fatalf("Features #%d = %v, %v", i, f, err)
		}
	}
	if err := c.NoOp(ctx); err != nil {
		t.Fatal(err)
	}
}
