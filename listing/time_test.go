package listing

import (
	"errors"
	"testing"
	"time"
)

// TestYearlessDates checks the rule for "Mon D HH:MM" dates: the most
// recent year that puts the date at most one day after Now.
func TestYearlessDates(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	utc := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC)
	}
	tests := []struct {
		name string
		now  time.Time
		loc  *time.Location
		date string // month day time, as ls prints it
		want time.Time
	}{
		{"new year: last minute of the old year", utc(2024, 1, 1, 0, 30), nil, "Dec 31 23:59", utc(2023, 12, 31, 23, 59)},
		{"new year: first minute of the new year", utc(2024, 1, 1, 0, 30), nil, "Jan  1 00:00", utc(2024, 1, 1, 0, 0)},
		{"new year: server clock ahead, tomorrow is next year", utc(2024, 12, 31, 23, 0), nil, "Jan  1 00:10", utc(2025, 1, 1, 0, 10)},
		{"new year: two days ahead is last year", utc(2024, 12, 30, 12, 0), nil, "Jan  1 00:10", utc(2024, 1, 1, 0, 10)},
		{"skew: 23 hours ahead is this year", utc(2024, 6, 15, 12, 0), nil, "Jun 16 11:00", utc(2024, 6, 16, 11, 0)},
		{"skew: 25 hours ahead is last year", utc(2024, 6, 15, 12, 0), nil, "Jun 16 13:00", utc(2023, 6, 16, 13, 0)},
		{"skew: exactly one day ahead is this year", utc(2024, 6, 15, 12, 0), nil, "Jun 16 12:00", utc(2024, 6, 16, 12, 0)},
		{"past months are this year", utc(2024, 6, 15, 12, 0), nil, "Jan 10 08:00", utc(2024, 1, 10, 8, 0)},
		{"later months are last year", utc(2024, 6, 15, 12, 0), nil, "Dec 24 18:00", utc(2023, 12, 24, 18, 0)},
		{"Feb 29 in a leap year", utc(2024, 3, 1, 0, 0), nil, "Feb 29 12:00", utc(2024, 2, 29, 12, 0)},
		{"Feb 29 seen the next year", utc(2025, 3, 1, 0, 0), nil, "Feb 29 12:00", utc(2024, 2, 29, 12, 0)},
		{"Feb 29 tomorrow", utc(2024, 2, 28, 18, 0), nil, "Feb 29 12:00", utc(2024, 2, 29, 12, 0)},
		{"Feb 29 just too far ahead", utc(2024, 2, 27, 12, 0), nil, "Feb 29 12:00", utc(2020, 2, 29, 12, 0)},
		{"Feb 29 across a non-leap century", utc(2101, 6, 1, 0, 0), nil, "Feb 29 12:00", utc(2096, 2, 29, 12, 0)},
		{"Feb 29 eight years back", utc(1904, 1, 1, 0, 0), nil, "Feb 29 12:00", utc(1896, 2, 29, 12, 0)},
		{"24:00 is the next midnight", utc(2024, 6, 15, 12, 0), nil, "Apr  4 24:00", utc(2024, 4, 5, 0, 0)},
		{"server zone: New York evening of Dec 31", utc(2024, 1, 1, 2, 0), ny, "Dec 31 20:00",
			time.Date(2023, 12, 31, 20, 0, 0, 0, ny)},
		// 21:00 on Dec 31 in New York: Jan 1 20:00 is 23 hours ahead (this
		// coming day), Jan 1 23:00 is 26 hours ahead (last year's).
		{"server zone: New York, tomorrow evening", utc(2024, 1, 1, 2, 0), ny, "Jan  1 20:00",
			time.Date(2024, 1, 1, 20, 0, 0, 0, ny)},
		{"server zone: New York, too far ahead", utc(2024, 1, 1, 2, 0), ny, "Jan  1 23:00",
			time.Date(2023, 1, 1, 23, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := "-rw-r--r--   1 owner    group        123 " + tt.date + " file"
			e, err := ParseLine(line, Unix, Options{Now: tt.now, Location: tt.loc})
			if err != nil {
				t.Fatal(err)
			}
			if !e.ModTime.Equal(tt.want) || e.ModTime.Location() != tt.want.Location() {
				t.Errorf("ModTime = %v, want %v", e.ModTime, tt.want)
			}
			if e.Precision != PrecisionMinute {
				t.Errorf("Precision = %v, want minute", e.Precision)
			}
		})
	}
}

// TestDatedYears checks dates that carry their year: no resolution, day
// precision, invalid days refused.
func TestDatedYears(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		date string
		want time.Time
		ok   bool
	}{
		{"Feb 29  2024", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"Feb 29  2023", time.Time{}, false},
		{"Feb 29  1900", time.Time{}, false},
		{"Feb 29  2000", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"Dec 31  2099", time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC), true}, // future years are kept
		{"Apr 31  2001", time.Time{}, false},
	} {
		e, err := ParseLine("-rw-r--r--   1 owner    group        123 "+tt.date+" file", Unix, Options{Now: now})
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v, want ok=%v", tt.date, err, tt.ok)
			continue
		}
		if tt.ok && (!e.ModTime.Equal(tt.want) || e.Precision != PrecisionDay) {
			t.Errorf("%q: got %v (%v), want %v (day)", tt.date, e.ModTime, e.Precision, tt.want)
		}
	}
}

func TestTwoDigitYears(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, 2000}, {68, 2068}, {69, 1969}, {99, 1999}} {
		if got := expandYear(tt.in, 2); got != tt.want {
			t.Errorf("expandYear(%d, 2) = %d, want %d", tt.in, got, tt.want)
		}
	}
	if got := expandYear(103, 3); got != 2003 {
		t.Errorf("expandYear(103, 3) = %d, want 2003", got)
	}
}

func TestPrecisionTruncate(t *testing.T) {
	ts := time.Date(2024, 6, 15, 12, 34, 56, 789, time.UTC)
	for p, want := range map[Precision]time.Time{
		PrecisionNone:      {},
		PrecisionDay:       time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC),
		PrecisionMinute:    time.Date(2024, 6, 15, 12, 34, 0, 0, time.UTC),
		PrecisionSecond:    time.Date(2024, 6, 15, 12, 34, 56, 0, time.UTC),
		PrecisionSubsecond: ts,
	} {
		if got := p.Truncate(ts); !got.Equal(want) {
			t.Errorf("%v.Truncate = %v, want %v", p, got, want)
		}
	}
}

// TestNonexistentLocalTime: a wall-clock time inside a daylight saving gap
// of the server's zone cannot be what the server meant; it is reported,
// not shifted by an hour.
func TestNonexistentLocalTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	opts := Options{Location: berlin, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
	// 2024-03-31 02:00-03:00 does not exist in Berlin.
	for _, tc := range []struct {
		line string
		f    Format
	}{
		{"-rw-r--r--   1 ftp      ftp          4096 Mar 31 02:30 gap", Unix},
		{"03-31-24  02:30AM                  589 gap", DOS},
		{"-rw-r--r--   1 ftp      ftp          4096 2024-03-31 02:30 gap", Unix},
	} {
		_, err := ParseLine(tc.line, tc.f, opts)
		if !errors.Is(err, ErrTime) {
			t.Errorf("%q: err %v, want ErrTime", tc.line, err)
		}
	}
	// An hour later the time exists and is kept as printed.
	e, err := ParseLine("-rw-r--r--   1 ftp      ftp          4096 Mar 31 03:30 ok", Unix, opts)
	if err != nil || e.ModTime.In(berlin).Hour() != 3 || e.ModTime.In(berlin).Minute() != 30 {
		t.Errorf("03:30: %v %v", e.ModTime, err)
	}
}
