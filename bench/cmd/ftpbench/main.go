// Command ftpbench measures Ferry beside other FTP clients against vsftpd on
// loopback and prints one Markdown table: for each piece of work, each
// client's median time of -runs runs (runs interleaved across clients, so
// that a noisy moment hits all of them), its peak RSS, the loopback limit,
// and Ferry's ratios to the limit and to the best peer.
//
// It is run by bench/run, which installs what it needs. Flags:
//
//	-size 1GiB     bytes of the large transfers
//	-files 200     files of 4 KiB in the small-files row
//	-rtt 20ms      round trip added by the relay (internal/netem) in that row
//	-runs 5        runs of each cell
//	-rows REGEXP   only the rows whose name matches
//	-tmp /dev/shm  where the served and uploaded files go
//	-serve         set up, print the addresses, wait: to try clients by hand
//
// The large file is sparse, and all files live in memory by default, so
// that the table measures the clients and the server, not a disk.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ferryftp/ftp/internal/netem"
)

// A cell is one client doing one row's work once.
type result struct {
	wall, cpu time.Duration
	rss       int64 // peak, bytes
	err       string
}

// A row is one piece of work: for each client the command that does it,
// and the loopback limit (a command, or a time computed from the round
// trip).
type row struct {
	name      string
	limitCmd  []string
	limitTime time.Duration
	clients   map[string][]string
	before    func() // before each run of each client: clear outputs
}

var serve *bool

var clientOrder = []string{"ferry library", "ferry CLI", "curl", "lftp", "jlaffaye/ftp", "Python ftplib"}

func isPeer(name string) bool { return !strings.HasPrefix(name, "ferry") }

func main() {
	size := flag.Int64("size", 1<<30, "bytes of the large transfers")
	files := flag.Int("files", 200, "files of 4 KiB in the small-files row")
	rtt := flag.Duration("rtt", 20*time.Millisecond, "round trip added in the small-files row")
	runs := flag.Int("runs", 5, "runs of each cell")
	rows := flag.String("rows", "", "only rows whose name matches this regular expression")
	bin := flag.String("bin", "", "directory holding ferry, ferryclient, jlaffayeclient, loopcopy")
	vsftpdBin := flag.String("vsftpd", "", "the vsftpd binary")
	tmp := flag.String("tmp", "/dev/shm", "where the files go (in memory by default, so that no disk is measured)")
	serve = flag.Bool("serve", false, "set up, print the addresses and wait for an interrupt, to try clients by hand")
	flag.Parse()
	if err := run(*size, *files, *rtt, *runs, *rows, *bin, *vsftpdBin, *tmp); err != nil {
		fmt.Fprintln(os.Stderr, "ftpbench:", err)
		os.Exit(1)
	}
}

func run(size int64, files int, rtt time.Duration, runs int, only, bin, vsftpdBin, tmp string) error {
	filter, err := regexp.Compile(only)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(tmp, "ftpbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	root, err := tree(dir, size, files)
	if err != nil {
		return err
	}
	if err := certificate(dir); err != nil {
		return err
	}
	plainPort, _ := freePort()
	tlsPort, _ := freePort()
	plain, err := vsftpd(vsftpdBin, dir, root, plainPort, 41000, false)
	if err != nil {
		return err
	}
	defer func() { plain.Process.Kill(); plain.Wait() }()
	secure, err := vsftpd(vsftpdBin, dir, root, tlsPort, 41200, true)
	if err != nil {
		return err
	}
	defer func() { secure.Process.Kill(); secure.Wait() }()
	plainAddr := fmt.Sprintf("127.0.0.1:%d", plainPort)
	tlsAddr := fmt.Sprintf("127.0.0.1:%d", tlsPort)
	proxy, err := netem.New(plainAddr, netem.Shape{RoundTrip: rtt})
	if err != nil {
		return err
	}
	defer proxy.Close()

	ca := filepath.Join(dir, "ca.pem")
	local := filepath.Join(dir, "local", "big")
	if *serve {
		fmt.Printf("plain ftp://%s:%s@%s/ (big, small/, up/)\nTLS   same at %s, CA %s\nrelay %s (plain, %v round trip)\nlocal file %s\ninterrupt to stop\n",
			ftpUser, ftpPassword, plainAddr, tlsAddr, ca, proxy.Addr(), rtt, local)
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		<-ch
		return nil
	}
	out := filepath.Join(dir, "out")
	clearUploads := func() {
		ents, _ := os.ReadDir(filepath.Join(root, "up"))
		for _, e := range ents {
			os.Remove(filepath.Join(root, "up", e.Name()))
		}
	}
	clearOut := func() {
		os.RemoveAll(out)
		os.MkdirAll(out, 0o755)
	}
	var smallPaths []string
	for i := range files {
		smallPaths = append(smallPaths, "/small/"+smallName(i))
	}
	url := func(addr, p string) string {
		return "ftp://" + ftpUser + ":" + ftpPassword + "@" + addr + p
	}
	smallURLs := func(addr string) []string {
		var us []string
		for _, p := range smallPaths {
			us = append(us, url(addr, p))
		}
		return append(us, out)
	}
	lib := func(addr string, tls bool, args ...string) []string {
		a := []string{filepath.Join(bin, "ferryclient"), "-addr", addr, "-user", ftpUser, "-pass", ftpPassword}
		if tls {
			a = append(a, "-tls", "-ca", ca)
		}
		return append(a, args...)
	}
	jl := func(addr string, tls bool, args ...string) []string {
		a := lib(addr, tls, args...)
		a[0] = filepath.Join(bin, "jlaffayeclient")
		return a
	}
	py := func(addr string, tls bool, args ...string) []string {
		a := lib(addr, tls, args...)
		return append([]string{"python3", filepath.Join(bin, "ftplib_client.py")}, a[1:]...)
	}
	cli := func(tls bool, args ...string) []string {
		a := []string{filepath.Join(bin, "ferry"), "-q"}
		if tls {
			a = append(a, "--tls", "explicit", "--ca", ca)
		} else {
			a = append(a, "--tls", "none")
		}
		return append(a, args...)
	}
	curlTLS := func(tls bool, args ...string) []string {
		a := []string{"curl", "-sS", "--fail"}
		if tls {
			a = append(a, "--ssl-reqd", "--cacert", ca)
		}
		return append(a, args...)
	}
	lftp := func(addr string, tls bool, script string) []string {
		set := "set xfer:clobber on; set ftp:ssl-allow no; "
		if tls {
			set = "set xfer:clobber on; set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:ca-file " + ca + "; "
		}
		return []string{"lftp", "-c", set + "set net:max-retries 1; open -u " + ftpUser + "," + ftpPassword + " " + addr + "; " + script}
	}
	human := func(n int64) string {
		if n >= 1<<30 && n%(1<<30) == 0 {
			return fmt.Sprintf("%d GiB", n>>30)
		}
		return fmt.Sprintf("%d MiB", n>>20)
	}
	loop := []string{filepath.Join(bin, "loopcopy"), "-size", fmt.Sprint(size)}
	var all []row
	for _, tls := range []bool{false, true} {
		addr, kind, loopCmd := plainAddr, "plain", loop
		if tls {
			addr, kind, loopCmd = tlsAddr, "TLS", append(slices.Clone(loop), "-tls")
		}
		all = append(all, row{
			name:     human(size) + " download, " + kind,
			limitCmd: loopCmd,
			clients: map[string][]string{
				"ferry library": lib(addr, tls, "get", "/big", "/dev/null"),
				"ferry CLI":     cli(tls, "get", url(addr, "/big"), "-"),
				"curl":          curlTLS(tls, "-o", "/dev/null", url(addr, "/big")),
				"lftp":          lftp(addr, tls, "get big -o /dev/null"),
				"jlaffaye/ftp":  jl(addr, tls, "get", "/big", "/dev/null"),
				"Python ftplib": py(addr, tls, "get", "/big", "/dev/null"),
			},
		}, row{
			name:     human(size) + " upload, " + kind,
			limitCmd: loopCmd,
			before:   clearUploads,
			clients: map[string][]string{
				"ferry library": lib(addr, tls, "put", local, "/up/big"),
				"ferry CLI":     cli(tls, "put", local, url(addr, "/up/big")),
				"curl":          curlTLS(tls, "-T", local, url(addr, "/up/big")),
				"lftp":          lftp(addr, tls, "put "+local+" -o up/big"),
				"jlaffaye/ftp":  jl(addr, tls, "put", local, "/up/big"),
				"Python ftplib": py(addr, tls, "put", local, "/up/big"),
			},
		})
	}
	lftpGets := "get -O " + out
	for _, p := range smallPaths {
		lftpGets += " " + strings.TrimPrefix(p, "/")
	}
	all = append(all, row{
		name:      fmt.Sprintf("%d × 4 KiB download at %v round trip, one connection", files, rtt),
		limitTime: time.Duration(files) * rtt, // one round trip per file
		before:    clearOut,
		clients: map[string][]string{
			// The library and the CLI fetch the same known names; the
			// CLI logs in once, lists /small once for the files' sizes
			// and times, and pipelines like the library.
			"ferry library": lib(proxy.Addr(), false, append([]string{"each", out}, smallPaths...)...),
			"ferry CLI":     cli(false, append([]string{"get", "-P", "1"}, smallURLs(proxy.Addr())...)...),
			"curl":          curlTLS(false, "-o", out+"/#1", url(proxy.Addr(), fmt.Sprintf("/small/f[0000-%04d]", files-1))),
			"lftp":          lftp(proxy.Addr(), false, lftpGets),
			"jlaffaye/ftp":  jl(proxy.Addr(), false, append([]string{"each", out}, smallPaths...)...),
			"Python ftplib": py(proxy.Addr(), false, append([]string{"each", out}, smallPaths...)...),
		},
	})

	all = append(all, row{
		name:      "same, 8 connections",
		limitTime: time.Duration(files) * rtt / 8,
		before:    clearOut,
		clients: map[string][]string{
			"ferry library": lib(proxy.Addr(), false, append([]string{"each8", out}, smallPaths...)...),
			"ferry CLI":     cli(false, append([]string{"get", "-P", "8"}, smallURLs(proxy.Addr())...)...),
			"curl":          curlTLS(false, "-Z", "--parallel-max", "8", "-o", out+"/#1", url(proxy.Addr(), fmt.Sprintf("/small/f[0000-%04d]", files-1))),
			"lftp":          lftp(proxy.Addr(), false, "mirror -P8 small "+out),
			"jlaffaye/ftp":  jl(proxy.Addr(), false, append([]string{"each8", out}, smallPaths...)...),
		},
	})

	fmt.Printf("ftpbench: vsftpd on loopback (plain %s, TLS %s), %d runs per cell, median shown; %s\n\n", plainAddr, tlsAddr, runs, time.Now().UTC().Format(time.RFC3339))
	var table [][]string
	for _, r := range all {
		if !filter.MatchString(r.name) {
			continue
		}
		table = append(table, measureRow(r, runs))
	}
	printTable(table)
	return nil
}

// measureRow runs the row's limit and every client runs times, interleaved.
func measureRow(r row, runs int) []string {
	res := map[string][]result{}
	for i := 0; i < runs; i++ {
		if r.limitCmd != nil {
			res["limit"] = append(res["limit"], measure(r.limitCmd, nil))
		}
		for _, name := range clientOrder {
			if argv, ok := r.clients[name]; ok {
				res[name] = append(res[name], measure(argv, r.before))
			}
		}
		fmt.Fprintf(os.Stderr, "ftpbench: %s: run %d of %d done\n", r.name, i+1, runs)
	}
	limit := r.limitTime
	if r.limitCmd != nil {
		limit, _ = median(res["limit"])
	}
	cells := []string{r.name, fmt.Sprintf("%.2f s", limit.Seconds())}
	best := time.Duration(0)
	for _, name := range clientOrder {
		m, ok := median(res[name])
		cells = append(cells, cell(res[name], m, ok))
		if ok && isPeer(name) && (best == 0 || m < best) {
			best = m
		}
	}
	libT, libOK := median(res["ferry library"])
	ratio := func(a, b time.Duration, ok bool) string {
		if !ok || b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f×", a.Seconds()/b.Seconds())
	}
	return append(cells, ratio(libT, limit, libOK), ratio(libT, best, libOK), pairRatio(res["ferry CLI"], res["ferry library"]))
}

// pairRatio compares two clients run by run: the median of the ratios of
// their wall times, and of their CPU times, in the runs where both
// succeeded. Each pair ran back to back, so a moment of load elsewhere
// on the machine moves both, where the ratio of two medians of five
// would take it in full.
func pairRatio(a, b []result) string {
	var walls, cpus []float64
	for i := range min(len(a), len(b)) {
		if a[i].err != "" || b[i].err != "" || b[i].wall == 0 {
			continue
		}
		walls = append(walls, a[i].wall.Seconds()/b[i].wall.Seconds())
		if b[i].cpu > 0 {
			cpus = append(cpus, a[i].cpu.Seconds()/b[i].cpu.Seconds())
		}
	}
	if len(walls) == 0 {
		return "–"
	}
	mid := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	if len(cpus) == 0 {
		return fmt.Sprintf("%.2f×", mid(walls))
	}
	return fmt.Sprintf("%.2f× (cpu %.2f×)", mid(walls), mid(cpus))
}

func cell(rs []result, m time.Duration, ok bool) string {
	if !ok {
		for _, r := range rs {
			if r.err != "" {
				return "fails: " + r.err
			}
		}
		return "–"
	}
	var rss int64
	var cpu []time.Duration
	for _, r := range rs {
		rss = max(rss, r.rss)
		cpu = append(cpu, r.cpu)
	}
	slices.Sort(cpu)
	return fmt.Sprintf("%.2f s (cpu %.2f s, %.1f MiB)", m.Seconds(), cpu[len(cpu)/2].Seconds(), float64(rss)/(1<<20))
}

// median is the median wall time of the runs that succeeded; ok is false if
// any failed.
func median(rs []result) (time.Duration, bool) {
	var ds []time.Duration
	for _, r := range rs {
		if r.err != "" {
			return 0, false
		}
		ds = append(ds, r.wall)
	}
	if len(ds) == 0 {
		return 0, false
	}
	slices.Sort(ds)
	return ds[len(ds)/2], true
}

// measure runs argv once: wall time, user+system CPU and peak RSS.
func measure(argv []string, before func()) result {
	if before != nil {
		before()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// The rusage is taken by GNU time, which forks: Go starts children
	// with vfork, so a child's peak RSS as wait4 reports it would start
	// from this process's own (Linux keeps the larger across exec).
	usage, err := os.CreateTemp("", "ftpbench-usage-")
	if err != nil {
		return result{err: err.Error()}
	}
	usage.Close()
	defer os.Remove(usage.Name())
	argv = append([]string{"/usr/bin/time", "-o", usage.Name(), "-f", "%M %U %S"}, argv...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	var r result
	r.wall = wall
	if cmd.ProcessState == nil {
		r.err = err.Error()
		return r
	}
	if b, rerr := os.ReadFile(usage.Name()); rerr == nil {
		// The last line: "Command exited with non-zero status" may precede it.
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		var kib int64
		var user, sys float64
		if _, serr := fmt.Sscanf(lines[len(lines)-1], "%d %f %f", &kib, &user, &sys); serr == nil {
			r.rss = kib << 10
			r.cpu = time.Duration((user + sys) * float64(time.Second))
		}
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		r.err = fmt.Sprintf("%v: %.80s", err, msg)
	}
	return r
}

func printTable(rows [][]string) {
	head := append([]string{"work", "loopback limit"}, clientOrder...)
	head = append(head, "ferry lib / limit", "ferry lib / best peer", "CLI / lib, run by run")
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|" + strings.Repeat("---|", len(head)))
	for _, r := range rows {
		for i := range r {
			r[i] = strings.ReplaceAll(r[i], "|", "/")
		}
		fmt.Println("| " + strings.Join(r, " | ") + " |")
	}
}
