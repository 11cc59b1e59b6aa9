package ftp_test

import (
	"net"
	"sync"
	"testing"
)

// loopback is a test server's listener on 127.0.0.1: each connection is
// served in its own goroutine, and when the test ends the listener and
// every connection tracked are closed and the goroutines waited for.
type loopback struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func listenLoopback(tb testing.TB, serve func(net.Conn)) *loopback {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	l := &loopback{ln: ln}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.track(c)
			l.wg.Add(1)
			go func() {
				defer l.wg.Done()
				serve(c)
			}()
		}
	}()
	tb.Cleanup(l.close)
	return l
}

func (l *loopback) Addr() string { return l.ln.Addr().String() }

// track has c closed with the server.
func (l *loopback) track(c net.Conn) {
	l.mu.Lock()
	l.conns = append(l.conns, c)
	l.mu.Unlock()
}

func (l *loopback) close() {
	l.ln.Close()
	l.mu.Lock()
	for _, c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}
