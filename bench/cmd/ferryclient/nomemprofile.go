//go:build !memprofile

package main

import (
	"fmt"
	"os"
)

// memProfile refuses FERRYCLIENT_MEMPROFILE in a build without the
// memprofile tag, rather than ignore it.
func memProfile(path string) func() {
	if path != "" {
		fmt.Fprintln(os.Stderr, "ferryclient: FERRYCLIENT_MEMPROFILE needs a build with -tags memprofile")
		os.Exit(2)
	}
	return func() {}
}
