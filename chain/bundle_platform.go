package chain

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

const legacyFix = "GTS CA 1O1 and GlobalSign Root CA - R2 expired on " + LegacyExpiry +
	". Replace them: mtlsdoctor bundle --profile " + ProfileDialogflowES + ", or --profile " + ProfileDialogflowCX + " for Dialogflow CX."

// platformRoots are the embedded certificates CheckPlatformCAs looks for,
// parsed once.
var platformRoots = sync.OnceValue(func() map[string][]*x509.Certificate {
	roots := make(map[string][]*x509.Certificate)
	for _, p := range profiles {
		for _, src := range p.Sources {
			if src.Embedded == nil {
				continue
			}
			certs, err := ParseCertificates(src.Embedded)
			if err != nil || len(certs) != 1 {
				panic(fmt.Sprintf("chain: embedded copy %s must contain one certificate: %v", src.EmbeddedFile, err))
			}
			roots[p.Name] = append(roots[p.Name], certs[0])
		}
	}
	return roots
})

// platformChecked reports whether CheckPlatformCAs has rules for profile.
func platformChecked(profile string) bool {
	switch profile {
	case "", ProfileDialogflowES, ProfileLegacyGTS, ProfileDialogflowCX:
		return true
	}
	return false
}

func platformCheckDetail(profile string) string {
	if profile == ProfileDialogflowCX {
		return "must contain a Google Trust Services root for Dialogflow CX"
	}
	return "must contain SSL.com Root Certification Authority RSA for Dialogflow ES"
}

// CheckPlatformCAs reports platform-ca-outdated when a bundle meant for
// Dialogflow cannot verify the client certificate Dialogflow presents
// today. For profile dialogflow-es, legacy-gts or "" (a bundle built from
// sources only, taken to be for Dialogflow ES) the bundle must contain SSL.com
// Root Certification Authority RSA. For dialogflow-cx it must contain one of
// GTS Root R1-R4 or GlobalSign ECC Root CA - R4. A certificate counts when
// its subject and public key equal the embedded copy's, so a reissued root
// with the same key passes, but only while it is valid at now. Other
// profile names return nil.
func CheckPlatformCAs(certs []*x509.Certificate, profile string, now time.Time) []report.Finding {
	if !platformChecked(profile) {
		return nil
	}
	required := platformRoots()[ProfileDialogflowES]
	if profile == ProfileDialogflowCX {
		required = platformRoots()[ProfileDialogflowCX]
	}
	var invalid []string
	for _, c := range certs {
		for _, root := range required {
			if !sameSubjectAndKey(c, root) {
				continue
			}
			if now.Before(c.NotBefore) || now.After(c.NotAfter) {
				invalid = append(invalid, certificateLabel(c))
				continue
			}
			return nil
		}
	}

	summary, detail := missingPlatformCA(certs, profile)
	if len(invalid) > 0 {
		detail += fmt.Sprintf(" The bundle's copy of %s is not valid at %s.", strings.Join(invalid, ", "), now.UTC().Format(time.RFC3339))
	}
	f := report.New(report.CodePlatformCAOutdated, summary, detail)
	if profile == ProfileDialogflowCX {
		return []report.Finding{f.WithFix("Add GTS Root R1, R2, R3, R4 and GlobalSign ECC Root CA - R4: mtlsdoctor bundle --profile " + ProfileDialogflowCX + ".")}
	}
	// With OpenSSL 3.0, which counts the depth in intermediates, nginx's
	// default ssl_verify_depth 1 accepts a leaf, one intermediate and a
	// trusted root. probe's nginx tests check it with nginx 1.22.
	// NOTE: other OpenSSL releases were not checked, so the fix names the
	// versions it was seen with.
	return []report.Finding{f.WithFix(fmt.Sprintf(
		"Add SSL.com Root Certification Authority RSA (SHA-256 %s): mtlsdoctor bundle --profile %s, with --source for any CA you also need. "+
			"Dialogflow ES sends its one intermediate itself, which a client verify depth of 1, nginx's default, allows (seen with nginx 1.22 and OpenSSL 3.0); "+
			"a depth of 2 leaves room for one more.",
		pinSSLComRootRSA, ProfileDialogflowES))}
}

func missingPlatformCA(certs []*x509.Certificate, profile string) (summary, detail string) {
	legacy := 0
	for _, c := range certs {
		if isLegacyGoogleCA(c) {
			legacy++
		}
	}
	var held string
	switch {
	case len(certs) == 0:
		held = "The bundle contains no certificate."
	case legacy == len(certs):
		held = "The bundle contains only GTS CA 1O1 and GlobalSign Root CA - R2, which expired on " + LegacyExpiry + "."
	default:
		names := make([]string, len(certs))
		for i, c := range certs {
			names[i] = certificateLabel(c)
		}
		held = "The bundle contains " + strings.Join(names, ", ") + "."
	}

	if profile == ProfileDialogflowCX {
		return "the bundle contains none of the Google Trust Services roots that Dialogflow CX documents",
			held + " Dialogflow CX's documentation says to trust GTS Root R1-R4 and GlobalSign ECC Root CA - R4."
	}
	summary = "the bundle lacks SSL.com Root Certification Authority RSA, the root of Dialogflow ES client certificates"
	if len(certs) > 0 && legacy == len(certs) {
		summary = "the bundle contains only Google Trust Services CAs that expired on " + LegacyExpiry
	}
	return summary, held + " Dialogflow ES presents a client certificate (CN=Google LLC) issued by " +
		"SSL.com Client Certificate Intermediate CA RSA R2 under SSL.com Root Certification Authority RSA, " +
		"and its fallback to a Google Trust Services certificate ended on 2026-12-01."
}

func sameSubjectAndKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubject, b.RawSubject) && bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}

// isLegacyGoogleCA reports whether cert is named like GTS CA 1O1 or
// GlobalSign Root CA - R2, the CAs of the older Dialogflow instructions.
// It compares names only, because both expired and any copy is stale.
func isLegacyGoogleCA(cert *x509.Certificate) bool {
	s := cert.Subject
	if s.CommonName == "GTS CA 1O1" && slices.Contains(s.Organization, "Google Trust Services") {
		return true
	}
	return s.CommonName == "GlobalSign" && slices.Contains(s.OrganizationalUnit, "GlobalSign Root CA - R2")
}

// PlatformBundleFindings checks a CA file that looks meant for Dialogflow,
// because it holds a CA that Dialogflow's present or past instructions
// name. A file without the SSL.com root that Dialogflow ES uses gets
// platform-ca-outdated. The finding is an error when no CA in the file works
// for either edition (the legacy CAs). It is a warning when the file holds a
// Google Trust Services root, which Dialogflow CX documents.
func PlatformBundleFindings(cas []*x509.Certificate, now time.Time) []report.Finding {
	if !slices.ContainsFunc(cas, IsGooglePlatformCA) {
		return nil
	}
	findings := CheckPlatformCAs(cas, ProfileDialogflowES, now)
	if len(findings) == 0 || len(CheckPlatformCAs(cas, ProfileDialogflowCX, now)) > 0 {
		return findings
	}
	f := findings[0].WithSeverity(report.SeverityWarning)
	f.Detail += " The CA file does include a Google Trust Services root that Dialogflow CX's documentation names, so it suits a CX agent."
	return []report.Finding{f}
}

// IsGooglePlatformCA reports whether cert is named like a CA of
// Dialogflow's present or past instructions: an organization of Google
// Trust Services (GTS Root R1-R4, GTS CA 1O1), GlobalSign Root CA - R2 or
// GlobalSign ECC Root CA - R4.
func IsGooglePlatformCA(cert *x509.Certificate) bool {
	for _, o := range cert.Subject.Organization {
		if strings.HasPrefix(o, "Google Trust Services") {
			return true
		}
	}
	return slices.Contains(cert.Subject.OrganizationalUnit, "GlobalSign Root CA - R2") ||
		slices.Contains(cert.Subject.OrganizationalUnit, "GlobalSign ECC Root CA - R4")
}
