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

// ownHelp replaces a global flag's help where a command gives it another
// meaning.
var ownHelp = map[string]map[string]string{
	"serve": {
		"tls":   "Serve FTPS: --tls alone (or explicit) for AUTH TLS, required from every client when --user is set; --tls implicit for TLS from the first byte. The certificate is made up; its CA is written to a file to pass to --ca.",
		"user":  "The only user who may log in, with the password from FTP_PASSWORD or a prompt. Needed to listen beyond loopback.",
		"quiet": "No log of logins and transfers on stderr.",
	},
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
	helps := map[*kong.Flag]string{}
	for _, f := range ctx.Model.Node.Flags {
		if !f.Hidden && !slices.Contains(keep, f.Name) {
			f.Hidden = true
			hidden = append(hidden, f)
		}
		if h, ok := ownHelp[sel.Name][f.Name]; ok {
			helps[f] = f.Help
			f.Help = h
		}
	}
	defer func() {
		for _, f := range hidden {
			f.Hidden = false
		}
		for f, h := range helps {
			f.Help = h
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
