package ftp

import (
	"context"
	"maps"
	"strings"
)

// Features is what the server said it supports in its FEAT reply (RFC
// 2389): each feature name, upper-cased, with its parameters as sent.
type Features map[string]string

// Has reports whether the server listed the feature (case-insensitive).
func (f Features) Has(name string) bool {
	_, ok := f[strings.ToUpper(name)]
	return ok
}

// Param returns the parameters the server gave for the feature, such as
// "type*;size*;modify*;" for MLST or "SHA-256;SHA-1;MD5" for HASH.
func (f Features) Param(name string) string { return f[strings.ToUpper(name)] }

// parseFeatures reads a 211 FEAT reply. Feature lines begin with a space;
// servers that omit it are tolerated, but the first and last lines are the
// reply's own text.
func parseFeatures(r *Reply) Features {
	f := Features{}
	if len(r.Lines) < 2 {
		return f
	}
	for _, line := range r.Lines[1 : len(r.Lines)-1] {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, param, _ := strings.Cut(line, " ")
		f[strings.ToUpper(name)] = strings.TrimSpace(param)
	}
	return f
}

// Features returns the server's features, sending FEAT the first time and
// remembering the answer. A server that does not implement FEAT (500, 502,
// 504) has no features: that is not an error. The map returned is the
// caller's own.
func (c *Conn) Features(ctx context.Context) (Features, error) {
	f, err := c.features(ctx)
	return maps.Clone(f), err
}

// features is Features without the copy, for the Conn's own decisions.
func (c *Conn) features(ctx context.Context) (Features, error) {
	if c.feat != nil {
		return *c.feat, nil
	}
	r, err := c.exchange(ctx, "FEAT")
	if err != nil {
		return nil, err
	}
	switch {
	case r.Code == 211:
		f := parseFeatures(r)
		c.feat = &f
		return f, nil
	case c.broken != nil:
		// 421: the server is closing the connection.
		return nil, checkClass("FEAT", r, 2)
	case unsupported(checkClass("FEAT", r, 2)):
		c.feat = &Features{}
	}
	// Another refusal (530 before login, say) may change later: not kept.
	return Features{}, nil
}
