// Package fakeftp is a scriptable fake FTP server for exact protocol tests.
//
// A test describes, step by step, what the server sends and what the client
// must send back, byte for byte, in the style of net/smtp's faker and the
// transcript tests of x/crypto/ssh. The fake listens on 127.0.0.1 (or ::1),
// plays one Script per control connection, and reports every difference with
// t.Errorf when the test ends. It is meant for what a real server will not do
// on demand: malformed or hostile replies, odd 1xx/2xx orderings, resets,
// stalls, truncated transfers.
//
//	srv := fakeftp.New(t, fakeftp.Script{
//		fakeftp.Reply("220 welcome"),
//		fakeftp.Expect("USER anonymous"),
//		fakeftp.Reply("331 password please"),
//		fakeftp.Expect("PASS anonymous@"),
//		fakeftp.Reply("230 logged in"),
//		fakeftp.Expect("EPSV"),
//		fakeftp.EPSV(), // listens, then replies 229 with the real port
//		fakeftp.Expect("RETR a.txt"),
//		fakeftp.Reply("150 here it comes"),
//		fakeftp.SendData("hello\r\n"),
//		fakeftp.CloseData(),
//		fakeftp.Reply("226 done"),
//		fakeftp.Expect("QUIT"),
//		fakeftp.Reply("221 bye"),
//		fakeftp.ExpectEOF(),
//	})
//	c, err := ftp.Dial(ctx, srv.Addr()) // the client under test
//
// # Rules
//
// Client lines are compared without their CRLF; a line that ends in a bare LF
// is an error. Replies are written verbatim with CRLF appended; Raw and
// Endless write exactly what they are given. Every step that waits for the
// client gives up after Config.Timeout (DefaultTimeout) and fails the script;
// a failed step closes the connections, so the client never hangs either.
// After the last step the fake keeps the control connection open and reports
// any further line. At the end of the test the fake reports a script that did
// not finish, unless the rest of it follows an Optional step.
//
// A Passive step (or PASV, EPSV) opens one data listener per use; the data
// steps after it wait for the client to connect, so the client may connect
// before or after sending its transfer command. Connect dials the address of
// the client's last PORT or EPRT line, refusing non-loopback addresses.
//
// StartTLS and DataTLS make the fake the TLS server of the control and data
// connections, for explicit FTPS; Server.DataTLS tells whether the client
// resumed its session.
//
// Accepted control connections have SO_OOBINLINE set, so the urgent Synch
// byte a client may send before ABOR arrives in the stream; ExpectUrgent
// accepts it, and Server.Received keeps it.
//
// # Transcripts
//
// Recorded sessions are written as transcripts, one line per event, and kept
// in txtar archives (github.com/rogpeppe/go-internal/txtar) whose files
// named "*.ftp" each hold the transcript of one control connection. LoadScripts and Replay read them.
// A transcript line is one of:
//
//	S: text       the server sends text CRLF; consecutive S: lines are one write
//	C: text       the client must send exactly text
//	C~ pattern    the client must send a line matching pattern (see ExpectMatch)
//	C! text       the client must send text after any Telnet commands (ExpectUrgent)
//	D> text       text CRLF is sent on the data connection; consecutive lines are one write
//	D< text       text CRLF must be uploaded; consecutive lines form one upload, read to EOF
//	connect       open the active data connection (Connect)
//	read-data     read an upload to EOF without checking it (ReadData)
//	close-data    close the data connection (CloseData)
//	reset-data    reset the data connection (ResetData)
//	close         close the control connection (CloseControl)
//	close-write   half-close the control connection (CloseWrite)
//	reset         reset the control connection (ResetControl)
//	eof           the client must close the control connection (ExpectEOF)
//	stall         answer nothing until the client closes (Stall)
//	sleep 50ms    pause (Sleep)
//	optional      the rest is optional (Optional)
//
// A single space after the two-character prefix is dropped; the rest of the
// line, trailing spaces included, is the text. An S: line holding a
// placeholder of Passive ({h}, {p1}, {p2}, {port}, {ip}) is a Passive step:
//
//	S: 227 Entering Passive Mode ({h},{p1},{p2}).
//
// Blank lines and lines starting with "#" are ignored, and a CR before each
// LF is dropped. Transcripts cannot hold bytes that do not survive a text
// file; script those with the Go API.
package fakeftp
