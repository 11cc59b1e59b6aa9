package ftp

import (
	"context"
	"errors"
	"strings"
)

// Hash algorithms, named as in draft-bryan-ftpext-hash.
const (
	HashSHA256 = "SHA-256"
	HashSHA1   = "SHA-1"
	HashMD5    = "MD5"
	HashCRC32  = "CRC32"
)

// legacyHash maps algorithms to the older one-algorithm commands.
var legacyHash = map[string]string{
	HashSHA256: "XSHA256",
	HashSHA1:   "XSHA1",
	HashMD5:    "XMD5",
	HashCRC32:  "XCRC",
}

// HashAlgorithms returns the checksum algorithms the server offers, the
// strongest first: those listed with HASH in FEAT, then those whose legacy
// command (XSHA256, XSHA1, XMD5, XCRC) FEAT lists.
func (c *Conn) HashAlgorithms(ctx context.Context) ([]string, error) {
	f, err := c.features(ctx)
	if err != nil {
		return nil, err
	}
	offered := map[string]bool{}
	if f.Has("HASH") && !c.noHASH {
		for _, a := range strings.Split(f.Param("HASH"), ";") {
			a = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(a), "*"))
			offered[a] = true
		}
	}
	var algos []string
	for _, a := range []string{HashSHA256, HashSHA1, HashMD5, HashCRC32} {
		if offered[a] || f.Has(legacyHash[a]) {
			algos = append(algos, a)
		}
	}
	return algos, nil
}

// Hash asks the server for the checksum of a whole file, computed on the
// server, and returns it as lower-case hex. algo is one of HashSHA256,
// HashSHA1, HashMD5 and HashCRC32, or "" for the strongest offered. HASH is
// used when FEAT lists it (after OPTS HASH to select the algorithm), else the
// algorithm's legacy command.
func (c *Conn) Hash(ctx context.Context, path, algo string) (usedAlgo, sum string, err error) {
	if err := checkArg("HASH", path); err != nil {
		return "", "", err // before FEAT: nothing is sent for a refused path
	}
	algos, err := c.HashAlgorithms(ctx)
	if err != nil {
		return "", "", err
	}
	if algo == "" {
		if len(algos) == 0 {
			return "", "", errors.New("ftp: the server offers no checksum command (HASH, XSHA256, XSHA1, XMD5, XCRC)")
		}
		algo = algos[0]
	}
	algo = strings.ToUpper(algo)
	legacy, known := legacyHash[algo]
	if !known {
		return "", "", &ArgumentError{Cmd: "HASH", Arg: algo, Msg: "unknown algorithm"}
	}
	f, _ := c.features(ctx)
	var r *Reply
	useHASH := !c.noHASH && f.Has("HASH") && strings.Contains(strings.ToUpper(f.Param("HASH")), algo)
	if useHASH {
		if _, err = c.cmd(ctx, 2, "OPTS", "HASH", algo); err == nil {
			r, err = c.cmd(ctx, 2, "HASH", path)
		}
		// Only a server that lacks HASH sends this Conn to the legacy commands
		// for good; a refusal about the file (550) is the answer.
		if unsupported(err) {
			c.noHASH = true
			c.traceFallback(ctx, "HASH", legacy, true, err)
			useHASH = false
		}
	}
	if !useHASH {
		r, err = c.cmd(ctx, 2, legacy, path)
	}
	if err != nil {
		return "", "", err
	}
	sum, ok := hashValue(r.Message(), algo)
	if !ok {
		return "", "", &ProtocolError{Cmd: redact(legacy + " " + path), Msg: "reply without a checksum", Line: clip(r.firstLine())}
	}
	return algo, sum, nil
}

// hashValue finds the checksum in a HASH reply ("SHA-256 0-49 <hex> name")
// or a legacy reply ("<hex>" or "<hex> name" or "name <hex>"): the first
// word that is hex of the algorithm's length.
func hashValue(msg, algo string) (string, bool) {
	want := map[string]int{HashSHA256: 64, HashSHA1: 40, HashMD5: 32, HashCRC32: 8}[algo]
	words := strings.Fields(msg)
	for _, w := range words {
		if len(w) == want && strings.Trim(w, hexDigits) == "" {
			return strings.ToLower(w), true
		}
	}
	if algo != HashCRC32 {
		return "", false
	}
	// Some servers print a CRC as a number, without leading zeros. Only an
	// unambiguous reply (one short hex word) is read that way.
	var short []string
	for _, w := range words {
		if len(w) < want && strings.Trim(w, hexDigits) == "" {
			short = append(short, w)
		}
	}
	if len(short) != 1 {
		return "", false
	}
	return strings.ToLower(strings.Repeat("0", want-len(short[0])) + short[0]), true
}

const hexDigits = "0123456789abcdefABCDEF"
