package integration

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// GateEnv is the environment variable that decides what a missing daemon
// means: unset or "skip-missing" = skip, "require" = fail, "off" = skip
// every daemon test.
const GateEnv = "FERRY_INTEGRATION"

// installHint is the command that makes the daemons available.
const installHint = "run scripts/install-test-daemons as root (Debian 12+)"

// UnavailableError says why a daemon cannot run on this machine.
type UnavailableError struct {
	Kind   Kind
	Reason string // what is missing, e.g. the path of a binary
	Hint   string // how to fix it; empty means: run the install script
}

func (e *UnavailableError) Error() string {
	hint := e.Hint
	if hint == "" {
		hint = installHint
	}
	return fmt.Sprintf("%v is not available: %s; %s", e.Kind, e.Reason, hint)
}

// GateError reports a FERRY_INTEGRATION value the harness does not know.
type GateError struct{ Value string }

func (e *GateError) Error() string {
	return fmt.Sprintf("%s=%q: want unset, %q, %q or %q", GateEnv, e.Value, "skip-missing", "require", "off")
}

// gateAction is what Require does with a test.
type gateAction int

const (
	gateRun  gateAction = iota
	gateSkip            // t.Skip with the message
	gateFail            // t.Fatal with the message
)

// decideGate is Require's decision, separate so it can be tested without
// daemons: env is $FERRY_INTEGRATION, short is testing.Short(), and
// availability is called only when the answer depends on it.
func decideGate(env string, short bool, kind Kind, availability func() error) (gateAction, string) {
	switch env {
	case "skip-missing":
		env = "" // the default, spelled out (scripts/test documents it)
	case "", "require", "off":
	default:
		return gateFail, "integration: " + (&GateError{Value: env}).Error()
	}
	if env == "off" {
		return gateSkip, fmt.Sprintf("integration: %s=off", GateEnv)
	}
	if short && env != "require" {
		return gateSkip, fmt.Sprintf("integration: skipped in -short mode (%s=require runs it)", GateEnv)
	}
	if err := availability(); err != nil {
		if env == "require" {
			return gateFail, fmt.Sprintf("integration: %v (%s=require)", err, GateEnv)
		}
		return gateSkip, fmt.Sprintf("integration: %v (set %s=require to make this a failure)", err, GateEnv)
	}
	return gateRun, ""
}

// Require skips or fails t, according to FERRY_INTEGRATION, when kind
// cannot run on this machine. Start calls it; tests that need a daemon but
// start it themselves call it first.
func Require(t testing.TB, kind Kind) {
	t.Helper()
	action, msg := decideGate(os.Getenv(GateEnv), testing.Short(), kind, func() error {
		return availability(kind)
	})
	switch action {
	case gateSkip:
		t.Skip(msg)
	case gateFail:
		t.Fatal(msg)
	}
}

var (
	availMu    sync.Mutex
	availCache = map[Kind]error{}
)

// availability checks kind once per test binary.
func availability(kind Kind) error {
	d := daemons[kind]
	if d == nil {
		return &UnavailableError{Kind: kind, Reason: "unknown daemon"}
	}
	availMu.Lock()
	defer availMu.Unlock()
	if err, ok := availCache[kind]; ok {
		return err
	}
	err := d.available()
	availCache[kind] = err
	return err
}
