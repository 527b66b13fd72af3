package main

import (
	"runtime"
	"runtime/debug"
)

// version returns what --version prints: the main module's version from
// the build information and the Go version that built the binary. A build
// without a module version, "(devel)" in the build information, reports
// "devel". This happens with "go run", "go test" and "go build
// -buildvcs=false" in a checkout. Since Go 1.24, a plain "go build" in a
// Git checkout records a pseudo-version with the commit, which is printed.
func version() string {
	v := "devel"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	return v + ", built with " + runtime.Version()
}
