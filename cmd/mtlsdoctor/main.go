// Command mtlsdoctor builds CA bundles, makes test certificates, runs a
// verifying HTTPS server and probes webhooks with mutual TLS, and explains
// every failure it finds. Run "mtlsdoctor help" for the commands.
package main

import "os"

func main() {
	os.Exit(Run(os.Args, os.Stdout, os.Stderr))
}
