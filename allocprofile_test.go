package ftp_test

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// allocCount is what allocsOnPath found on the library's path: the
// allocations whose stack passes through the ftp package.
type allocCount struct {
	// ours are those made by the library, or by the standard library on
	// its behalf (a timer, a context callback, a buffer from a pool)
	// other than inside crypto/tls.
	ours    int64
	byStack map[string]int64 // ours, by stack
	// tls are those made inside crypto/tls: the handshake, record buffers
	// taken from its pools and, among them, tlsReads: a small object each
	// time a TLS connection reads from the network, and the growth of its
	// input buffer (readFromUntil, golang/go#53142).
	tls, tlsReads, tlsReadBytes int64
}

// allocsOnPath runs f twice and counts, by stack, the allocations made on
// the library's path the second time, with every allocation profiled.
// Unlike testing.AllocsPerRun, it leaves out what the in-process server
// (package ftp_test) allocates, sees one allocation in a thousand calls,
// and tells the library's own from crypto/tls's.
//
// The first run fills the caches. Both run on one P with the collector
// off: a sync.Pool (the library's buffers, crypto/tls's record buffers)
// keeps a cache per P, which a goroutine moving to another P misses, and
// that each collection or change of GOMAXPROCS empties; the refills would
// look like allocations per call.
func allocsOnPath(tb testing.TB, f func()) allocCount {
	tb.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	f()
	before := profiledAllocs()
	rate := runtime.MemProfileRate
	runtime.MemProfileRate = 1 // the runtime notices the change at the next allocation
	f()
	runtime.MemProfileRate = rate
	after := profiledAllocs()
	for st, n := range before.byStack {
		after.byStack[st] -= n
	}
	return allocCount{
		ours:         after.ours - before.ours,
		byStack:      after.byStack,
		tls:          after.tls - before.tls,
		tlsReads:     after.tlsReads - before.tlsReads,
		tlsReadBytes: after.tlsReadBytes - before.tlsReadBytes,
	}
}

// profiledAllocs sums the memory profile's allocation counts by where
// they were made. The profile is published at the end of a collection,
// hence runtime.GC.
func profiledAllocs() allocCount {
	runtime.GC()
	var recs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		recs = make([]runtime.MemProfileRecord, n+64)
		var ok bool
		if n, ok = runtime.MemProfile(recs, true); ok {
			recs = recs[:n]
			break
		}
	}
	c := allocCount{byStack: map[string]int64{}}
	for i := range recs {
		r := &recs[i]
		var names []string
		onPath, inTLS, tlsRead, cache := false, false, false, false
		frames := runtime.CallersFrames(r.Stack())
		for !onPath {
			fr, more := frames.Next()
			names = append(names, fr.Function)
			// The ftp package itself, not ftp_test nor ftp/internal/...
			onPath = strings.HasPrefix(fr.Function, "github.com/ferryftp/ftp.")
			inTLS = inTLS || strings.HasPrefix(fr.Function, "crypto/tls.")
			tlsRead = tlsRead || fr.Function == "crypto/tls.(*Conn).readFromUntil"
			cache = cache || runtimeCaches[fr.Function]
			if !more {
				break
			}
		}
		switch {
		case !onPath || cache:
		case inTLS:
			c.tls += r.AllocObjects
			if tlsRead {
				c.tlsReads += r.AllocObjects
				c.tlsReadBytes += r.AllocBytes
			}
		default:
			c.ours += r.AllocObjects
			c.byStack[strings.Join(names, " < ")] += r.AllocObjects
		}
	}
	return c
}

// runtimeCaches are the runtime's memos of type assertions and switches,
// filled on first use at each site and bounded by the number of types: not
// the library's, and not per call.
var runtimeCaches = map[string]bool{
	"runtime.buildTypeAssertCache":      true,
	"runtime.buildInterfaceSwitchCache": true,
}

// moreThan lists the stacks where c made more allocations than base, for
// a failure's message.
func (c allocCount) moreThan(base allocCount) string {
	var lines []string
	for st, n := range c.byStack {
		if d := n - base.byStack[st]; d > 0 {
			lines = append(lines, fmt.Sprintf("%+d %s", d, st))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
