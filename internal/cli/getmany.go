package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/transfer"
)

// serverKey names the login a location needs: URLs with the same key
// share one client.
func serverKey(loc *Location) string {
	return loc.Scheme + "://" + loc.User + "@" + loc.Addr()
}

// getFiles downloads several files into the directory local ("" is the
// current one). The URLs of one server share one pooled client of
// --parallel connections, logged in once, and go through transfer's Run:
// one listing for the files of one directory instead of questions about
// each, small files in pipelined batches. URLs of other servers get
// clients of their own, one server after the other. Every URL is tried;
// each failure is reported, and the status is the first one's.
func (cmd *getCmd) getFiles(ctx context.Context, a *app, urls []string, local string) error {
	ctx = a.traced(ctx)
	// A group is the files of one server in one transfer type: ASCII
	// mode (;type=a, the shell's ascii) is the Copier's.
	type group struct {
		server string    // serverKey
		loc    *Location // the first URL's, to log in with
		ascii  bool
		jobs   []transfer.Job
		shown  map[string]string // a remote path as the user typed it
	}
	var (
		st     status
		groups []*group
		byKey  = map[string]*group{}
	)
	for _, u := range urls {
		loc, err := a.parseRemote(u)
		if err != nil {
			st.fail(a, err)
			continue
		}
		base := remoteBase(loc.Path)
		if base == "" || base == "." || base == ".." || loc.DirSlash {
			st.fail(a, usageErrorf("%s names a directory; use get -r or ls", loc))
			continue
		}
		shown := loc.Path
		ascii := a.transferASCII(loc)
		if ascii && cmd.Continue {
			st.fail(a, errASCIIResume("get"))
			continue
		}
		key := fmt.Sprintf("%s ascii=%v", serverKey(loc), ascii)
		g := byKey[key]
		if g == nil {
			g = &group{server: serverKey(loc), loc: loc, ascii: ascii, shown: map[string]string{}}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.jobs = append(g.jobs, transfer.Job{Op: transfer.OpGet, Remote: loc.Path, Local: base, Size: -1})
		g.shown[loc.Path] = shown
	}
	// Log in to each server first, so that a refusal is said once, before
	// any bar is drawn.
	clients := map[string]*ftp.Client{}
	refused := map[string]bool{}
	files := map[string]int{}
	for _, g := range groups {
		files[g.server] += len(g.jobs)
	}
	for _, g := range groups {
		if clients[g.server] != nil || refused[g.server] {
			continue
		}
		c, err := a.openWarmClient(ctx, g.loc, cmd.Parallel, files[g.server] >= cmd.Parallel)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			refused[g.server] = true
			st.fail(a, err)
			continue
		}
		defer a.closeClient(c)
		clients[g.server] = c
	}
	if len(clients) == 0 {
		return st.err()
	}
	began := time.Now()
	rep := a.newReporter("get", true, cmd.Verbose, true)
	total := &transfer.Summary{}
	var whole []error // failures of a group as a whole, said after the bar
	for _, g := range groups {
		c := clients[g.server]
		if c == nil || ctx.Err() != nil {
			continue
		}
		rep.explain = func(res transfer.Result) error { return getFailure(res, g.shown[res.Remote]) }
		cp := a.copier(c, cmd.Parallel, rep.progress())
		cp.Resume, cp.ASCII = cmd.Continue, g.ascii
		sum, err := cp.Run(ctx, cmp.Or(local, "."), g.jobs)
		if sum == nil {
			whole = append(whole, err)
			continue
		}
		total.Results = append(total.Results, sum.Results...)
		total.Files += sum.Files
		total.Failed += sum.Failed
		total.Bytes += sum.Bytes
	}
	total.Duration = time.Since(began)
	err := rep.done(ctx, total, total.Err())
	if ctx.Err() != nil {
		return err
	}
	// The status is the first failure's in the order of the URLs (of a
	// server), not of their completion.
	for _, r := range total.Results {
		if r.Err != nil {
			st.note(getFailure(r, ""))
			break
		}
	}
	for _, err := range whole {
		st.fail(a, err)
	}
	return st.err()
}

// getFailure is how the failure of one of several downloads is told: a
// directory named by mistake gets advice, a partial file kept for -c is
// said so.
func getFailure(res transfer.Result, shown string) error {
	if shown == "" {
		shown = res.Remote
	}
	if errors.Is(res.Err, transfer.ErrIsDir) {
		return usageErrorf("%s is a directory: use get -r to download it", shown)
	}
	err := res.Err
	var le *transfer.LocalError
	if st, serr := os.Stat(res.Local + ".part"); res.Local != "" && serr == nil && st.Size() > 0 && !errors.As(err, &le) {
		err = &partKeptError{Part: res.Local + ".part", Err: err}
	}
	return &opError{Op: "get", Path: shown, Err: err}
}

// getTrees downloads several trees, each into a directory of its own name
// under local; the trees of one server share one client.
func (cmd *getCmd) getTrees(ctx context.Context, a *app, urls []string, local string) error {
	ctx = a.traced(ctx)
	var st status
	clients := map[string]*ftp.Client{}
	refused := map[string]bool{}
	for _, u := range urls {
		loc, err := a.parseRemote(u)
		if err != nil {
			st.fail(a, err)
			continue
		}
		dst := local
		switch base := remoteBase(loc.Path); base {
		case "", ".":
		case "..":
			st.fail(a, usageErrorf("%s: a tree named .. has no directory of its own name; give its full path", loc))
			continue
		default:
			dst = filepath.Join(local, base)
		}
		if dst == "" {
			dst = "."
		}
		key := serverKey(loc)
		if refused[key] {
			continue // said once already
		}
		ascii := a.transferASCII(loc)
		c := clients[key]
		if c == nil {
			if c, err = a.openClient(ctx, loc, cmd.Parallel); err != nil {
				if ctx.Err() != nil {
					return err
				}
				refused[key] = true
				st.fail(a, err)
				continue
			}
			defer a.closeClient(c)
			clients[key] = c
		}
		if err := getTree(ctx, a, c, loc, dst, cmd.Continue, ascii, cmd.Parallel, cmd.Verbose); err != nil {
			if ctx.Err() != nil {
				return err
			}
			st.fail(a, err)
		}
	}
	return st.err()
}
