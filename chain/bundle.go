package chain

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// BundleOptions configure BuildBundle. They mirror the flags of
// mtlsdoctor bundle.
type BundleOptions struct {
	// Profile names a built-in profile (see Profiles). With no profile
	// and no sources, BuildBundle uses DefaultProfile.
	Profile string
	// Sources are extra http, https or file URLs or file paths, each
	// containing PEM (one or more blocks), DER or base64 DER certificates.
	Sources []string
	// Pins are SHA-256 fingerprints (see ParsePin). When any is given,
	// every certificate in the bundle must match one of them.
	Pins []string
	// Offline uses the profile's embedded copies and downloads nothing.
	Offline bool
	// Now is the time at which validity is checked. Zero means time.Now().
	Now time.Time
	// HTTPClient fetches the URLs. Nil means a client with
	// DefaultFetchTimeout.
	HTTPClient *http.Client
	// AIA adds the issuer of every certificate whose issuer is missing,
	// fetched through its caIssuers URL.
	AIA bool
}

// BundleResult is a built CA bundle.
type BundleResult struct {
	// Certificates are the certificates of the bundle, in the order of
	// PEM: the profile's first, then each source's.
	Certificates []*x509.Certificate
	// Report lists every certificate seen, with its source and what
	// happened to it, and the findings of the checks.
	Report *report.Report
	// PEM is the bundle file's content, nil when no certificate is left.
	PEM []byte
}

// bundleEntry is one certificate on its way into the bundle.
type bundleEntry struct {
	cert    *x509.Certificate
	label   string // the name written above its PEM block
	source  string // URL, path or embedded file
	notes   []string
	removed bool // a duplicate, or rejected by --pin
}

type bundleBuilder struct {
	ctx     context.Context
	client  *http.Client
	offline bool
	now     time.Time
	entries []*bundleEntry
	notes   []string
}

// BuildBundle fetches the profile's and the extra sources' certificates,
// checks them and encodes the bundle. It returns an error only for
// unusable input: an unknown profile, an invalid pin, or a local source
// that cannot be read or contains no certificate. Every problem with the
// certificates or a download is a finding in the report.
func BuildBundle(ctx context.Context, opts BundleOptions) (*BundleResult, error) {
	pins, err := ParsePins(opts.Pins)
	if err != nil {
		return nil, err
	}
	name := opts.Profile
	if name == "" && len(opts.Sources) == 0 {
		name = DefaultProfile
	}
	var profile *Profile
	if name != "" {
		p, err := LookupProfile(name)
		if err != nil {
			return nil, err
		}
		profile = &p
	}
	return buildBundle(ctx, opts, profile, pins)
}

// buildBundle is BuildBundle with the profile resolved and the pins
// parsed, so tests can pass a profile whose URLs point at a local server.
func buildBundle(ctx context.Context, opts BundleOptions, profile *Profile, pins []string) (*BundleResult, error) {
	b := &bundleBuilder{ctx: ctx, client: opts.HTTPClient, offline: opts.Offline, now: opts.Now}
	if b.client == nil {
		b.client = newHTTPClient()
	}
	if b.now.IsZero() {
		b.now = time.Now()
	}
	rep := &report.Report{Kind: "bundle", Target: bundleTarget(profile, opts.Sources)}
	if profile != nil && profile.Notice != "" {
		rep.Notes = append(rep.Notes, profile.Notice)
	}

	sourceFindings, err := b.gather(profile, opts.Sources)
	if err != nil {
		return nil, err
	}
	if len(b.entries) == 0 {
		// Nothing read is at least a warning, even with no finding to say
		// why; a finding's own severity still decides when it is worse.
		status := report.StatusWarn
		for _, f := range sourceFindings {
			if f.Severity == report.SeverityError {
				status = report.StatusFail
			}
		}
		rep.AddCheck("sources", status, "no certificate read", sourceFindings...)
	} else {
		rep.AddCheck("sources", "", plural.Count(len(b.entries), "certificate")+" read", sourceFindings...)
	}
	if opts.AIA {
		detail, aiaFindings := b.addAIAIssuers()
		rep.AddCheck("AIA issuers", "", detail, aiaFindings...)
	}

	// Duplicates go first, so an unpinned certificate that came twice
	// draws one pin finding.
	removed := b.removeDuplicates()
	rep.AddCheck("duplicates", "", plural.Count(removed, "duplicate")+" removed")
	if len(pins) > 0 {
		rep.AddCheck("pins", "", plural.Count(len(pins), "pin")+" given", b.applyPins(pins)...)
	} else {
		rep.AddCheck("pins", report.StatusSkip, "no --pin given")
	}

	kept := b.kept()
	b.checkEntries(rep, kept)
	certs := make([]*x509.Certificate, len(kept))
	for i, e := range kept {
		certs[i] = e.cert
	}
	platform := ""
	if profile != nil {
		platform = profile.Name
	}
	switch {
	case platform == "":
		// A bundle of --source certificates only is meant for Dialogflow
		// only when it holds one of Dialogflow's CAs, as verify and serve
		// judge CA files.
		if findings := PlatformBundleFindings(certs, b.now); len(findings) > 0 {
			rep.AddCheck("platform CAs", "", "holds a Dialogflow CA, so it must contain SSL.com Root Certification Authority RSA", findings...)
		}
	case platformChecked(platform):
		rep.AddCheck("platform CAs", "", platformCheckDetail(platform), CheckPlatformCAs(certs, platform, b.now)...)
	}

	for _, e := range b.entries {
		info := report.Describe(e.cert)
		info.Source = e.source
		info.Note = strings.Join(e.notes, "; ")
		rep.Certificates = append(rep.Certificates, info)
	}
	rep.Notes = append(rep.Notes, b.notes...)
	result := &BundleResult{Certificates: certs, Report: rep}
	if len(kept) == 0 {
		rep.Notes = append(rep.Notes, "the bundle is empty, so there is nothing to write")
	} else {
		result.PEM = encodeEntries(kept)
	}
	rep.Finish()
	return result, nil
}

// gather reads the profile's sources, then the extra ones.
func (b *bundleBuilder) gather(profile *Profile, sources []string) ([]report.Finding, error) {
	var findings []report.Finding
	if profile != nil {
		for _, src := range profile.Sources {
			findings = append(findings, b.addProfileSource(src)...)
		}
	}
	for _, src := range sources {
		more, err := b.addUserSource(src)
		if err != nil {
			return nil, err
		}
		findings = append(findings, more...)
	}
	return findings, nil
}

// checkEntries checks each kept certificate as a CA, adds the checks to
// rep and notes each problem on the certificate's row.
func (b *bundleBuilder) checkEntries(rep *report.Report, kept []*bundleEntry) {
	var constraintFindings, validityFindings []report.Finding
	for _, e := range kept {
		if f, note, ok := checkCAConstraint(e.cert, e.label); ok {
			constraintFindings = append(constraintFindings, f...)
			e.notes = append(e.notes, note)
		}
		if f, note, ok := checkCAValidity(e.cert, e.label, b.now); ok {
			validityFindings = append(validityFindings, f...)
			e.notes = append(e.notes, note)
		}
	}
	if len(kept) == 0 {
		rep.AddCheck("CA constraints", report.StatusSkip, "no certificate to check")
		rep.AddCheck("validity", report.StatusSkip, "no certificate to check")
		return
	}
	rep.AddCheck("CA constraints", "", "basic constraints must say CA:TRUE", constraintFindings...)
	rep.AddCheck("validity", "", "must be valid at "+b.now.UTC().Format(time.RFC3339), validityFindings...)
}

func bundleTarget(profile *Profile, sources []string) string {
	var parts []string
	if profile != nil {
		parts = append(parts, "profile "+profile.Name)
	}
	for _, src := range sources {
		parts = append(parts, redact.Source(src))
	}
	return strings.Join(parts, ", ")
}

func (b *bundleBuilder) add(cert *x509.Certificate, label, source, note string) {
	if label == "" {
		label = certificateLabel(cert)
	}
	b.entries = append(b.entries, &bundleEntry{cert: cert, label: label, source: source, notes: []string{note}})
}

func (b *bundleBuilder) kept() []*bundleEntry {
	var kept []*bundleEntry
	for _, e := range b.entries {
		if !e.removed {
			kept = append(kept, e)
		}
	}
	return kept
}

// addEmbedded adds the embedded copy of src. The copies are checked
// against their pins by a test, so they are trusted as they are.
func (b *bundleBuilder) addEmbedded(src Source, note string) {
	certs, err := ParseCertificates(src.Embedded)
	if err != nil || len(certs) != 1 {
		panic(fmt.Sprintf("chain: embedded copy %s must contain one certificate: %v", src.EmbeddedFile, err))
	}
	b.add(certs[0], src.Name, "embedded "+src.EmbeddedFile, note)
}

// addProfileSource downloads one certificate of a profile and checks it
// against its pin. When the download fails or does not match, it falls
// back to the embedded copy if there is one.
func (b *bundleBuilder) addProfileSource(src Source) []report.Finding {
	if b.offline {
		if src.Embedded == nil {
			b.notes = append(b.notes, fmt.Sprintf("%s: the profile has no embedded copy, so --offline adds nothing for it", src.Name))
			return nil
		}
		b.addEmbedded(src, "embedded copy (offline)")
		return nil
	}

	data, err := FetchSource(b.ctx, b.client, src.URL)
	if err != nil {
		return b.fallBack(src, "download failed", err)
	}
	certs, err := ParseCertificates(data)
	if len(certs) == 0 {
		return b.fallBack(src, "download contains no certificate", fmt.Errorf("the download from %s contains no certificate: %w", src.URL, err))
	}
	if src.SHA256 == "" {
		for _, c := range certs {
			b.add(c, src.Name, src.URL, "downloaded (no pin to check)")
		}
		return nil
	}
	for _, c := range certs {
		if report.Fingerprint(c.Raw) == src.SHA256 {
			b.add(c, src.Name, src.URL, "downloaded, matches the pin")
			return nil
		}
	}

	served := make([]string, len(certs))
	for i, c := range certs {
		served[i] = fmt.Sprintf("%s (SHA-256 %s)", c.Subject, report.Fingerprint(c.Raw))
	}
	detail := fmt.Sprintf("%s served %s, but the pin is %s", src.URL, strings.Join(served, ", "), src.SHA256)
	if src.Embedded != nil {
		b.addEmbedded(src, "embedded copy (the download did not match the pin)")
		detail += ". The embedded copy is used instead."
	} else {
		detail += ". The download is rejected."
	}
	f := report.New(report.CodePinMismatch, fmt.Sprintf("the download of %s does not match its pinned fingerprint", src.Name), detail).
		WithFix("Check whether a proxy rewrites the download, or whether the publisher replaced the certificate; until then build the bundle with --offline.")
	return []report.Finding{f}
}

func (b *bundleBuilder) fallBack(src Source, what string, err error) []report.Finding {
	if src.Embedded != nil {
		b.addEmbedded(src, "embedded copy ("+what+")")
		b.notes = append(b.notes, fmt.Sprintf("%s: %s, so the embedded copy is used instead", src.Name, fetchCause(err)))
		return nil
	}
	f := report.New(report.CodeUnreadableFile, fmt.Sprintf("cannot fetch %s: %s", src.Name, what), err.Error()).
		WithFix("Check the URL and the network. This profile has no embedded copy to fall back to.")
	return []report.Finding{f}
}

// addUserSource reads a --source. A local file that cannot be read or
// contains no certificate is an error, but a download that fails is a
// finding. Only the request uses src as given; everything the report,
// the notes and the errors show has a URL's secrets redacted.
func (b *bundleBuilder) addUserSource(src string) ([]report.Finding, error) {
	remote := isHTTPSource(src)
	redactedSource := redact.Source(src)
	if remote && b.offline {
		return nil, fmt.Errorf("invalid --source %q: --offline forbids downloads: drop --offline, or download the file and pass its path", redactedSource)
	}

	data, err := FetchSource(b.ctx, b.client, src)
	if err != nil {
		var fetchErr *FetchError
		if !errors.As(err, &fetchErr) {
			return nil, fmt.Errorf("read --source: %w", err)
		}
		if fetchErr.Local() {
			return nil, &FileError{Path: redactedSource, What: "--source", Code: report.CodeUnreadableFile,
				Reason: localFetchCause(fetchErr), Fix: sentence(fetchErr.Fix())}
		}
		f := report.New(report.CodeUnreadableFile, "cannot download "+redactedSource, fetchCause(err)).WithFix(sentence(fetchErr.Fix()))
		return []report.Finding{f}, nil
	}
	return b.addSourceData(redactedSource, data, remote)
}

// addSourceData adds the certificates in data, which came from src. src
// is the source as reports show it, with a URL's secrets redacted.
func (b *bundleBuilder) addSourceData(src string, data []byte, remote bool) ([]report.Finding, error) {
	contents := Decode(data)
	if len(contents.Certificates) == 0 {
		reason := contents.noCertificatesError().Error()
		if !remote {
			return nil, &FileError{Path: src, What: "CA source", Code: report.CodeNotPEM, Reason: reason,
				Fix: "Pass a file that contains CA certificates as PEM, DER, PKCS#7 or base64 DER."}
		}
		f := report.New(report.CodeNotPEM, "the download of "+src+" contains no certificate", reason).
			WithFix("Check the URL: it must serve certificates as PEM, DER or base64 DER, not a web page.")
		return []report.Finding{f}, nil
	}

	var findings []report.Finding
	if err := contents.problemsError(); err != nil {
		f := report.Newf(report.CodeNotPEM, fmt.Sprintf("%s of %s skipped", plural.Count(len(contents.Problems), "block"), src),
			"%s used, skipped: %v", plural.Count(len(contents.Certificates), "certificate"), err).
			WithSeverity(report.SeverityWarning).
			WithFix("Remove or replace the damaged blocks, so the bundle contains every CA you meant.")
		findings = append(findings, f)
	}
	note := "read from file"
	if remote {
		note = "downloaded"
	}
	for _, c := range contents.Certificates {
		b.add(c, "", src, note)
	}
	return findings, nil
}

// applyPins removes every certificate that matches none of pins. With no
// pins it does nothing.
func (b *bundleBuilder) applyPins(pins []string) []report.Finding {
	if len(pins) == 0 {
		return nil
	}
	matched := make(map[string]bool, len(pins))
	for _, p := range pins {
		matched[p] = false
	}
	var findings []report.Finding
	for _, e := range b.entries {
		if e.removed {
			continue
		}
		fp := report.Fingerprint(e.cert.Raw)
		if _, ok := matched[fp]; ok {
			matched[fp] = true
			continue
		}
		e.removed = true
		e.notes = append(e.notes, "rejected: matches no --pin")
		findings = append(findings, report.Newf(report.CodePinMismatch,
			fmt.Sprintf("%s matches no --pin and is left out", e.label),
			"%s from %s has SHA-256 %s", e.cert.Subject, e.source, fp).
			WithFix("Pass --pin with this fingerprint if you trust the certificate, or remove its source."))
	}
	for _, p := range pins {
		if !matched[p] {
			b.notes = append(b.notes, "--pin "+p+" matches no certificate from the sources")
		}
	}
	return findings
}

// removeDuplicates marks every certificate whose DER was seen before and
// returns how many it marked.
func (b *bundleBuilder) removeDuplicates() int {
	first := make(map[string]*bundleEntry)
	removed := 0
	for _, e := range b.entries {
		if e.removed {
			continue
		}
		key := string(e.cert.Raw)
		if prev, ok := first[key]; ok {
			e.removed = true
			e.notes = append(e.notes, "duplicate removed (same as the one from "+prev.source+")")
			removed++
			continue
		}
		first[key] = e
	}
	return removed
}
