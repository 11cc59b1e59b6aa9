package cli

import (
	"runtime/debug"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

// version is the module version ferry was built from, with the Go
// release: "(devel)" for a build from a checkout.
func version() string {
	v := "(devel)"
	goVersion := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		goVersion = " " + bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 && v == "(devel)" {
				v += " " + s.Value[:12]
			}
		}
	}
	return "ferry " + v + goVersion
}

// ownGlobals lists, for commands that are not FTP clients, the global
// flags that mean something to them; their help hides the others.
var ownGlobals = map[string][]string{
	"serve": {"help", "debug", "tls", "user", "quiet"},
	"demo":  {"help", "timeout", "active", "no-epsv"},
}

// commandHelp is kong's help, without the global flags that the selected
// command ignores.
func commandHelp(options kong.HelpOptions, ctx *kong.Context) error {
	sel := ctx.Selected()
	if sel == nil {
		return kong.DefaultHelpPrinter(options, ctx)
	}
	keep, ok := ownGlobals[sel.Name]
	if !ok {
		return kong.DefaultHelpPrinter(options, ctx)
	}
	var hidden []*kong.Flag
	for _, f := range ctx.Model.Node.Flags {
		if !f.Hidden && !slices.Contains(keep, f.Name) {
			f.Hidden = true
			hidden = append(hidden, f)
		}
	}
	defer func() {
		for _, f := range hidden {
			f.Hidden = false
		}
	}()
	return kong.DefaultHelpPrinter(options, ctx)
}

// globalsWithValue are the global flags whose value is the next argument.
var globalsWithValue = []string{"--tls", "--ca", "-u", "--user", "--account", "--netrc-file", "--timeout", "--retries"}

// curlUpload turns curl's "-T FILE URL" (--upload-file) into "put FILE
// URL", wherever -T stands among the global flags.
func curlUpload(args []string) []string {
	valueNext := false
	for i, arg := range args {
		if valueNext {
			valueNext = false
			continue
		}
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			return args // a command (or a bare argument) comes first
		}
		if slices.Contains(globalsWithValue, arg) {
			valueNext = true
			continue
		}
		var file string
		var rest []string
		switch {
		case (arg == "-T" || arg == "--upload-file") && i+1 < len(args):
			file, rest = args[i+1], args[i+2:]
		case strings.HasPrefix(arg, "--upload-file="):
			file, rest = strings.TrimPrefix(arg, "--upload-file="), args[i+1:]
		case strings.HasPrefix(arg, "-T") && len(arg) > 2:
			file, rest = arg[2:], args[i+1:]
		default:
			continue
		}
		out := append([]string(nil), args[:i]...)
		return append(append(out, "put", file), rest...)
	}
	return args
}
