package listing_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ferryftp/ftp/listing"
)

func ExampleParse() {
	lines := []string{
		"total 12",
		"drwxr-xr-x    2 ftp      ftp          4096 Mar  2  2023 pub",
		"-rw-r--r--    1 ftp      ftp      5000000000 Feb 29 14:05 big image.iso",
		"lrwxrwxrwx    1 ftp      ftp             3 Jan  5 09:00 latest -> pub",
		"-rw-r--r--    1 ftp      ftp            12 Feb 30 10:00 broken",
	}
	entries, errs := listing.Parse(lines, listing.Options{
		SystHint: "UNIX Type: L8",
		Now:      time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC),
	})
	for _, e := range entries {
		fmt.Printf("%-5s %10d %s %-6s %q", e.Type, e.Size, e.ModTime.Format("2006-01-02 15:04"), e.Precision, e.Name)
		if e.Type == listing.Link {
			fmt.Print(" -> ", e.Target)
		}
		fmt.Println()
	}
	for _, err := range errs {
		fmt.Println(err.Line, errors.Is(err, listing.ErrTime))
	}
	// Output:
	// dir         4096 2023-03-02 00:00 day    "pub"
	// file  5000000000 2024-02-29 14:05 minute "big image.iso"
	// link           3 2024-01-05 09:00 minute "latest" -> pub
	// 5 true
}

func ExampleParseMLST() {
	// The line between "250-" and "250 " of an MLST reply.
	e, err := listing.ParseMLST(" Type=file;Size=1024990;Modify=19990929003355.237;Perm=r; /tmp/cap60.pl198.tar.gz")
	if err != nil {
		fmt.Println(err)
		return
	}
	perm, _ := e.Fact("perm")
	fmt.Println(e.Name, e.Size, e.ModTime.Format(time.RFC3339Nano), perm)
	// Output: /tmp/cap60.pl198.tar.gz 1024990 1999-09-29T00:33:55.237Z r
}

func ExampleParser() {
	// A VMS listing read line by line, as it arrives.
	p := listing.NewParser(listing.Options{Format: listing.VMS})
	for _, line := range []string{
		"Directory USER1:[TEMP]",
		"",
		"UCX$REXECD_STARTUP.LOG;1098",
		"                         4/15         24-FEB-2003 13:17:24  [POSTWARE,LP]    (RWED,RWED,RE,)",
		"DATA.DIR;1               1/9           2-JUN-1998 07:32:04  [GROUP,OWNER]    (RWED,RWED,RWED,RE)",
		"",
		"Total of 2 files, 5/24 blocks.",
	} {
		e, ok, err := p.Feed(line)
		if err != nil {
			fmt.Println("error:", err)
		}
		if ok {
			fmt.Println(e.Type, e.Name, e.Size, e.Owner)
		}
	}
	if err := p.Close(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// file UCX$REXECD_STARTUP.LOG;1098 2048 LP
	// dir DATA 512 OWNER
}

// Lines a parser cannot read come back with their text, never as a guess:
// here an OpenVMS server could not read one entry's attributes, and the
// rest of the listing is still read.
func ExampleLineError() {
	lines := []string{
		"ANONYMOUS:[000000]",
		"",
		"EK-SMCPR-UG-A01.PDF;1",
		"                   <%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation>",
		"INCOMING.DIR;1           1 16-FEB-2009 00:49 [ANONY,ANONYMOUS] (RWE,RWE,RE,RE)",
	}
	entries, errs := listing.Parse(lines, listing.Options{})
	for _, e := range entries {
		fmt.Println(e.Type, e.Name, e.Dir)
	}
	for _, le := range errs {
		fmt.Printf("line %d: server error: %v\n", le.Line, errors.Is(le, listing.ErrServer))
	}
	// Output:
	// dir INCOMING ANONYMOUS:[000000]
	// line 3: server error: true
}
