package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// legacyCipherSuites are the CBC suites that TLS 1.0 and 1.1 servers
// negotiate, because the AEAD suites of cipherSuites exist only from
// TLS 1.2 on. The probe offers them only when MinVersion allows TLS 1.0
// or 1.1, so that Audit can tell a server that rejects those versions
// from one that merely lacks a common suite.
var legacyCipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

// validateVersions checks MinVersion and MaxVersion.
func (opts Options) validateVersions() error {
	for _, v := range []uint16{opts.MinVersion, opts.MaxVersion} {
		if v != 0 && (v < tls.VersionTLS10 || v > tls.VersionTLS13) {
			return fmt.Errorf("invalid TLS version 0x%04x: use TLS 1.0 to TLS 1.3", v)
		}
	}
	if opts.MinVersion != 0 && opts.MaxVersion != 0 && opts.MinVersion > opts.MaxVersion {
		return fmt.Errorf("invalid TLS version range: the minimum %s is above the maximum %s",
			tls.VersionName(opts.MinVersion), tls.VersionName(opts.MaxVersion))
	}
	return nil
}

// pinVersions applies MinVersion and MaxVersion to cfg. Since Go 1.22,
// crypto/tls clients offer TLS 1.0 and 1.1 only when MinVersion is set
// that low. The tls10server GODEBUG setting concerns servers alone.
func (p *prober) pinVersions(cfg *tls.Config) {
	if p.opts.MinVersion != 0 {
		cfg.MinVersion = p.opts.MinVersion
	}
	if p.opts.MaxVersion != 0 {
		cfg.MaxVersion = p.opts.MaxVersion
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.CipherSuites = append(slices.Clone(cfg.CipherSuites), legacyCipherSuites...)
	}
}

// offeredVersions names the TLS versions the client offers, such as
// "TLS 1.2 and TLS 1.3", for findings about a version mismatch.
func (p *prober) offeredVersions() string {
	var cfg tls.Config
	cfg.MinVersion = tls.VersionTLS12
	p.pinVersions(&cfg)
	low, high := cfg.MinVersion, cfg.MaxVersion
	if high == 0 {
		high = tls.VersionTLS13
	}
	switch {
	case low == high:
		return tls.VersionName(low) + " only"
	case high == low+1:
		return tls.VersionName(low) + " and " + tls.VersionName(high)
	}
	return tls.VersionName(low) + " to " + tls.VersionName(high)
}

// versionProbe is the probe of one TLS version in an audit.
type versionProbe struct {
	version uint16
	// alert is the TLS alert that the server sent as its first record, in
	// reply to the ClientHello, or noAlert. run sets it.
	alert int
}

// run runs the probe as runBounded does and notes the alert that the
// server sent in reply to the ClientHello.
func (vp *versionProbe) run(ctx context.Context, opts Options) *report.Report {
	ctx, cancel := context.WithTimeout(ctx, probeBound(opts))
	defer cancel()

	// Audit has validated opts already.
	rep, p := runValid(ctx, opts)
	vp.alert = firstRecordAlert(p.head.bytes())
	return rep
}

// recordTypeAlert is the content type of a TLS alert record (RFC 8446,
// section 5.1; RFC 5246, section 6.2.1).
const recordTypeAlert = 21

// firstRecordAlert returns the description of the alert that head, the
// first bytes a server sent, starts with, or noAlert. An alert in reply
// to the ClientHello comes before any key is agreed, so it is plaintext:
// a 5-byte record header with a length of 2, then the level and the
// description.
func firstRecordAlert(head []byte) int {
	if len(head) < 7 || head[0] != recordTypeAlert || head[3] != 0 || head[4] != 2 {
		return noAlert
	}
	return int(head[6])
}
