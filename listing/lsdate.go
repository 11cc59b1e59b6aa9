package listing

import (
	"strings"
	"time"
)

// Dates of ls -l lines beyond the English "Mon D HH:MM": servers run ls
// in their own locale, so the month may be any language's abbreviation
// ("Okt.", "szept", "апр"), the day may come first ("26. Juli,"), and CJK
// locales print numbers with unit suffixes ("4月 18日 2003年", in UTF-8,
// EUC or Shift-JIS). Others print numeric month and day ("3 29 03:26",
// "09-26 2000"), European day-first dates ("24-04-2003 17:12") or a bare
// ISO date. The second group is tried only when no line date of the first
// is found, and only right after a size column, because numbers alone are
// weak evidence.

// localMonths maps lower-cased month abbreviations and names of the
// locales FTP servers are seen to run ls in to their month. English is
// read by parseMonth first. Every key maps to one month in every language
// that uses it.
var localMonths = map[string]time.Month{
	// German
	"mär": 3, "märz": 3, "mrz": 3, "mai": 5, "juni": 6, "juli": 7, "okt": 10, "dez": 12, "sept": 9, "januar": 1, "februar": 2,
	// French
	"janv": 1, "févr": 2, "fév": 2, "mars": 3, "avr": 4, "juin": 6, "juil": 7, "août": 8, "aoû": 8, "déc": 12,
	// Spanish, Italian, Portuguese
	"ene": 1, "abr": 4, "ago": 8, "dic": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "set": 9, "ott": 10,
	"fev": 2, "out": 10,
	// Dutch, Scandinavian
	"mrt": 3, "mei": 5, "maj": 5, "des": 12,
	// Polish, Czech
	"sty": 1, "lut": 2, "kwi": 4, "cze": 6, "lip": 7, "sie": 8, "wrz": 9, "paź": 10, "lis": 11, "gru": 12,
	"led": 1, "úno": 2, "bře": 3, "dub": 4, "kvě": 5, "čen": 6, "čer": 6, "čec": 7, "čvc": 7, "srp": 8, "zář": 9, "říj": 10, "pro": 12,
	// Hungarian
	"febr": 2, "márc": 3, "ápr": 4, "máj": 5, "jún": 6, "júl": 7, "szept": 9,
	// Finnish
	"tammi": 1, "helmi": 2, "maalis": 3, "huhti": 4, "touko": 5, "kesä": 6, "heinä": 7, "elo": 8, "syys": 9, "loka": 10, "marras": 11, "joulu": 12,
	"tammik": 1, "helmik": 2, "maalisk": 3, "huhtik": 4, "toukok": 5, "kesäk": 6, "heinäk": 7, "elok": 8, "syysk": 9, "lokak": 10, "marrask": 11, "jouluk": 12,
	// Russian (abbreviations and genitive names), Ukrainian
	"янв": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5, "июн": 6, "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
	"січ": 1, "лют": 2, "бер": 3, "кві": 4, "тра": 5, "чер": 6, "лип": 7, "сер": 8, "вер": 9, "жов": 10, "лис": 11, "гру": 12,
	// Turkish
	"oca": 1, "şub": 2, "nis": 4, "haz": 6, "tem": 7, "ağu": 8, "eyl": 9, "eki": 10, "kas": 11, "ara": 12,
}

// parseMonthWord reads a month abbreviation or name in English or one of
// localMonths, ignoring a trailing "." or "," ("Okt.", "Juli,", "Jan.,").
func parseMonthWord(s string) (time.Month, bool) {
	if m, ok := parseMonth(s); ok {
		return m, true
	}
	for len(s) > 1 && (s[len(s)-1] == '.' || s[len(s)-1] == ',') {
		s = s[:len(s)-1]
	}
	if len(s) < 3 || len(s) > 16 || isDigit(s[0]) {
		return 0, false
	}
	if m, ok := parseMonth(s); ok {
		return m, true
	}
	var buf [16]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if m, ok := localMonths[string(buf[:len(s)])]; ok {
		return m, true
	}
	return lowerCyrillicMonth(s)
}

// lowerCyrillicMonth retries a capitalised Cyrillic abbreviation ("Янв")
// in lower case; Cyrillic capitals are two bytes, 0xD0 0x90-0xAF.
func lowerCyrillicMonth(s string) (time.Month, bool) {
	if len(s) < 2 || s[0] != 0xD0 || s[1] < 0x90 || s[1] > 0xAF {
		return 0, false
	}
	m, ok := localMonths[strings.ToLower(s)]
	return m, ok
}

// parseDayWord reads a day of month, "26" or "26." (German).
func parseDayWord(s string) (int, bool) {
	if n := len(s); n > 1 && s[n-1] == '.' {
		s = s[:n-1]
	}
	if len(s) > 2 {
		return 0, false
	}
	d, ok := parseSmall(s)
	return d, ok && d >= 1 && d <= 31
}

// splitUnit splits a CJK-style number with a non-ASCII unit suffix
// ("18日", "2005년", or the same in a legacy encoding) into its digits and
// whether a suffix was there. It fails on anything else.
func splitUnit(s string) (digits string, suffixed bool, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 4 {
		return "", false, false
	}
	// The unit is non-ASCII; in Shift-JIS its second byte may be ASCII.
	if i < len(s) && s[i] < 0x80 {
		return "", false, false
	}
	return s[:i], i < len(s), true
}

// lsAltDate tries the weak date forms on the window of tokens ending at
// toks[j]: it returns the date, the index of its first token and the end
// of its last. toks[first-1] must be a size column.
func (p *Parser) lsAltDate(line string, toks []span, j int) (lsDate, int, bool) {
	tok := func(i int) string { return line[toks[i].start:toks[i].end] }
	sizeBefore := func(first int) bool {
		if first < 1 {
			return false
		}
		s := tok(first - 1)
		return isDigit(s[0]) && isDigit(s[len(s)-1])
	}
	// Three-token forms: CJK with units, and numeric "M D time|year".
	if j >= 2 && sizeBefore(j-2) {
		a, b, c := tok(j-2), tok(j-1), tok(j)
		ad, asuf, aok := splitUnit(a)
		bd, bsuf, bok := splitUnit(b)
		cd, csuf, cok := splitUnit(c)
		switch {
		case aok && bok && cok && asuf && bsuf && csuf && len(ad) == 4:
			// 2005년 1월 6일: year, month, day.
			if d, ok := p.ymd(ad, bd, cd); ok {
				return d, j - 2, true
			}
		case aok && bok && !asuf && bsuf && len(ad) == 4 && cok && !csuf:
			// 2003 3月 20: year, month with unit, day.
			if d, ok := p.ymd(ad, bd, cd); ok {
				return d, j - 2, true
			}
		case aok && bok && (asuf || (!asuf && !bsuf && len(ad) <= 2 && len(bd) <= 2)):
			// 4月 18日 2003年, 8月 17 08:52, or numeric 3 29 03:26.
			m, ok1 := parseSmall(ad)
			d, ok2 := parseSmall(bd)
			if !ok1 || !ok2 || m < 1 || m > 12 || d < 1 || d > 31 || len(ad) > 2 || len(bd) > 2 {
				break
			}
			ys := c
			if cok && csuf {
				ys = cd
			} else if !asuf && !cok && strings.IndexByte(c, ':') < 0 {
				break
			}
			if r, ok := p.dayTimeOrYear(time.Month(m), d, ys); ok {
				return r, j - 2, true
			}
		}
	}
	// Two-token forms: "09-26 2000", "09-26 13:45", "24-04-2003 17:12",
	// "2004.07.15" followed by the name.
	if j >= 1 && sizeBefore(j-1) {
		a, b := tok(j-1), tok(j)
		if len(a) == 5 && a[2] == '-' && allDigits(a[:2]) && allDigits(a[3:]) {
			m, _ := parseSmall(a[:2])
			d, _ := parseSmall(a[3:])
			if m >= 1 && m <= 12 && d >= 1 && d <= 31 {
				if r, ok := p.dayTimeOrYear(time.Month(m), d, b); ok {
					return r, j - 1, true
				}
			}
		}
		if len(a) == 10 && (a[2] == '-' || a[2] == '.') && a[5] == a[2] {
			y, m, d, ok := numericDate(a, DMY)
			h, mi, _, _, prec, ok2 := parseClock(b, false)
			if ok && ok2 && prec == PrecisionMinute && h < 24 {
				return lsDate{p.date(y, m, d, h, mi, 0, 0), PrecisionMinute}, j - 1, true
			}
		}
	}
	if sizeBefore(j) {
		a := tok(j)
		switch {
		case len(a) == 10 && (a[4] == '.' || a[4] == '-' || a[4] == '/') && a[7] == a[4]:
			// A bare ISO date with no time.
			if y, m, d, ok := numericDate(a, YMD); ok {
				return lsDate{p.date(y, m, d, 0, 0, 0, 0), PrecisionDay}, j, true
			}
		case len(a) >= 8 && len(a) <= 11 && strings.Count(a, "-") == 2:
			// 01-jun-99: day, month name, two- or four-digit year.
			if y, m, d, ok := vmsDate(a); ok {
				return lsDate{p.date(y, m, d, 0, 0, 0, 0), PrecisionDay}, j, true
			}
		}
	}
	return lsDate{}, 0, false
}

// ymd builds a day-precision date from year, month and day digits.
func (p *Parser) ymd(ys, ms, ds string) (lsDate, bool) {
	y, ok1 := parseSmall(ys)
	m, ok2 := parseSmall(ms)
	d, ok3 := parseSmall(ds)
	if !ok1 || !ok2 || !ok3 || !validDate(y, time.Month(m), d) {
		return lsDate{}, false
	}
	return lsDate{time.Date(y, time.Month(m), d, 0, 0, 0, 0, p.loc), PrecisionDay}, true
}
