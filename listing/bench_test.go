package listing

import (
	"fmt"
	"runtime"
	"testing"
)

// benchLines builds a listing of n lines in the style of a real server.
func benchLines(n int, line func(i int) string) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = line(i)
	}
	return lines
}

var (
	// Pure-FTPd/ProFTPD style MLSD.
	mlsdLines = benchLines(1000, func(i int) string {
		if i%10 == 0 {
			return fmt.Sprintf("type=dir;modify=2024%02d%02d101112;perm=flcdmpe;unique=803U%X;UNIX.mode=0755;UNIX.owner=1000;UNIX.group=1000; directory number %d", i%12+1, i%28+1, i, i)
		}
		return fmt.Sprintf("type=file;size=%d;modify=2024%02d%02d101112.123;perm=adfrw;unique=803U%X;UNIX.mode=0644;UNIX.owner=1000;UNIX.group=1000; file-%d.tar.gz", i*7919, i%12+1, i%28+1, i, i)
	})
	// vsftpd/ProFTPD style ls -l, recent (year-less) and old dates mixed.
	unixLines = benchLines(1000, func(i int) string {
		months := [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
		if i%3 == 0 {
			return fmt.Sprintf("drwxr-xr-x    2 1000     1000         4096 %s %2d  2019 dir %d", months[i%12], i%28+1, i)
		}
		return fmt.Sprintf("-rw-r--r--    1 ftp      ftp      %10d %s %2d %02d:%02d file-%d.dat", i*104729, months[i%12], i%28+1, i%24, i%60, i)
	})
	dosLines = benchLines(1000, func(i int) string {
		if i%5 == 0 {
			return fmt.Sprintf("%02d-%02d-19  %02d:%02dPM       <DIR>          folder %d", i%12+1, i%28+1, i%12+1, i%60, i)
		}
		return fmt.Sprintf("%02d-%02d-19  %02d:%02dAM       %14d report %d.pdf", i%12+1, i%28+1, i%12+1, i%60, i*31337, i)
	})
)

// benchParse measures Parse over a whole listing and reports lines per
// second and allocations per line (mallocs counted around the loop, so
// the per-listing entries slice is included).
func benchParse(b *testing.B, lines []string, opts Options) {
	b.Helper()
	opts.Now = testNow
	if _, errs := Parse(lines, opts); len(errs) != 0 {
		b.Fatalf("benchmark listing does not parse: %v", errs[0])
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for b.Loop() {
		Parse(lines, opts)
	}
	runtime.ReadMemStats(&after)
	total := float64(b.N) * float64(len(lines))
	b.ReportMetric(total/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/line")
}

func BenchmarkParseMLSD(b *testing.B)       { benchParse(b, mlsdLines, Options{Format: MLSx}) }
func BenchmarkParseMLSDDetect(b *testing.B) { benchParse(b, mlsdLines, Options{}) }
func BenchmarkParseUnix(b *testing.B)       { benchParse(b, unixLines, Options{Format: Unix}) }
func BenchmarkParseUnixDetect(b *testing.B) { benchParse(b, unixLines, Options{}) }
func BenchmarkParseDOS(b *testing.B)        { benchParse(b, dosLines, Options{Format: DOS}) }

// BenchmarkFeedUnix measures the streaming Parser alone, one line at a
// time.
func BenchmarkFeedUnix(b *testing.B) {
	p := NewParser(Options{Format: Unix, Now: testNow})
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := p.Feed(unixLines[i]); !ok || err != nil {
			b.Fatal(err)
		}
		i = (i + 1) % len(unixLines)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkDetect10k measures format detection on a 10,000-line Unix
// listing (Detect reads a sample, so the size of the listing matters
// little; the point is that it stays far below 10 ms).
func BenchmarkDetect10k(b *testing.B) {
	lines := benchLines(10000, func(i int) string { return unixLines[i%len(unixLines)] })
	b.ReportAllocs()
	for b.Loop() {
		if Detect(lines, "") != Unix {
			b.Fatal("not detected as unix")
		}
	}
}

// BenchmarkDetect10kLastFormat measures detection when every other format
// must be tried first: MVS PDS members, the last in detection order.
func BenchmarkDetect10kLastFormat(b *testing.B) {
	lines := benchLines(10000, func(i int) string {
		if i == 0 {
			return " Name     VV.MM   Created       Changed      Size  Init   Mod   Id"
		}
		return fmt.Sprintf("MEMBER%02d 01.%02d 2002/09/12 2002/10/11 09:37    11    11     0 KIL001", i%100, i%60)
	})
	b.ReportAllocs()
	for b.Loop() {
		if f := Detect(lines, ""); f != MVS {
			b.Fatalf("detected %v", f)
		}
	}
}
