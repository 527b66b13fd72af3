package main

import (
	"os"
	"testing"
)

// runMainEnv is the environment variable that makes the test binary run
// the command line instead of the tests, so that a test can run the test
// binary in place of mtlsdoctor, as the shell completion scripts do.
const runMainEnv = "MTLSDOCTOR_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}
