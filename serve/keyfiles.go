package serve

import (
	"fmt"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
)

// serverFilesCheck reports what reading --cert and --key found beyond the
// pair itself: damaged blocks that were skipped, extra keys, and a key
// taken from the certificate file. It returns false when there is nothing
// to report, so the startup report of well-formed files does not change.
func serverFilesCheck(pair *chain.KeyPair) (startupCheck, bool) {
	warnings := pair.Warnings()
	if len(warnings) == 0 && !pair.FromCertFile {
		return startupCheck{}, false
	}
	return startupCheck{name: "server files", detail: "key: " + pair.KeyDetail(), findings: warnings}, true
}

// keySource names the file of the server key for the log.
func keySource(pair *chain.KeyPair) string {
	if pair.FromCertFile {
		return fmt.Sprintf("%s (the certificate file, because no --key was given)", pair.KeyFile)
	}
	return pair.KeyFile
}
