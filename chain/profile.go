package chain

import (
	"embed"
	"fmt"
	"strings"
)

// The names of the built-in profiles.
const (
	ProfileDialogflowES = "dialogflow-es"
	ProfileDialogflowCX = "dialogflow-cx"
	ProfileLegacyGTS    = "legacy-gts"

	// DefaultProfile is the profile BuildBundle uses when it is given
	// neither a profile nor a source.
	DefaultProfile = ProfileDialogflowES
)

// Profile is a platform's set of CA certificates for a client CA bundle.
type Profile struct {
	Name        string
	Description string
	Sources     []Source
	// Notice is shown with every bundle built from the profile, such as
	// the warning that the legacy-gts CAs have expired.
	Notice string
}

// Source is one CA certificate of a profile: where to download it, its
// pinned fingerprint and an embedded copy for offline use.
type Source struct {
	Name string // the certificate's usual name, e.g. "GTS Root R1"
	URL  string
	// SHA256 is the pinned SHA-256 fingerprint of the DER certificate in
	// the colon-separated upper-case form report.Fingerprint returns. An
	// empty pin accepts whatever the URL serves.
	SHA256 string
	// Embedded is a PEM copy of the certificate, nil when the profile
	// ships none. Callers must not modify it.
	Embedded []byte
	// EmbeddedFile names the embedded copy, e.g. "profiles/gts-root-r1.pem".
	EmbeddedFile string
}

//go:embed profiles/*.pem
var embeddedCerts embed.FS

// Fingerprints of the embedded copies, checked by TestEmbeddedCopiesMatchPins.
const (
	pinSSLComRootRSA      = "85:66:6A:56:2E:E0:BE:5C:E9:25:C1:D8:89:0A:6F:76:A8:7E:C1:6D:4D:7D:5F:29:EA:74:19:CF:20:12:3B:69"
	pinGTSRootR1          = "D9:47:43:2A:BD:E7:B7:FA:90:FC:2E:6B:59:10:1B:12:80:E0:E1:C7:E4:E4:0F:A3:C6:88:7F:FF:57:A7:F4:CF"
	pinGTSRootR2          = "8D:25:CD:97:22:9D:BF:70:35:6B:DA:4E:B3:CC:73:40:31:E2:4C:F0:0F:AF:CF:D3:2D:C7:6E:B5:84:1C:7E:A8"
	pinGTSRootR3          = "34:D8:A7:3E:E2:08:D9:BC:DB:0D:95:65:20:93:4B:4E:40:E6:94:82:59:6E:8B:6F:73:C8:42:6B:01:0A:6F:48"
	pinGTSRootR4          = "34:9D:FA:40:58:C5:E2:63:12:3B:39:8A:E7:95:57:3C:4E:13:13:C8:3F:E6:8F:93:55:6C:D5:E8:03:1B:3C:7D"
	pinGlobalSignECCR4    = "B0:85:D7:0B:96:4F:19:1A:73:E4:AF:0D:54:AE:7A:0E:07:AA:FD:AF:9B:71:DD:08:62:13:8A:B7:32:5A:24:A2"
	pinGlobalSignRootCAR2 = "CA:42:DD:41:74:5F:D0:B8:1E:B9:02:36:2C:F9:D8:BF:71:9D:A1:BD:1B:1E:FC:94:6F:5B:4C:99:F4:2C:1B:9E"
)

// LegacyExpiry is the day GTS CA 1O1 and GlobalSign Root CA - R2 expired.
const LegacyExpiry = "2021-12-15"

func embeddedSource(name, url, pin, file string) Source {
	path := "profiles/" + file
	data, err := embeddedCerts.ReadFile(path)
	if err != nil {
		// The go:embed pattern above includes every file named here, so
		// a miss is a build mistake.
		panic(fmt.Sprintf("chain: embedded certificate %s is missing: %v", path, err))
	}
	return Source{Name: name, URL: url, SHA256: pin, Embedded: data, EmbeddedFile: path}
}

var profiles = []Profile{
	{
		Name:        ProfileDialogflowES,
		Description: "Dialogflow ES client certificates, issued under SSL.com Root Certification Authority RSA",
		Sources: []Source{
			embeddedSource("SSL.com Root Certification Authority RSA",
				"https://ssl.com/repo/certs/SSLcomRootCertificationAuthorityRSA.pem",
				pinSSLComRootRSA, "ssl-com-root-rsa.pem"),
		},
	},
	{
		Name:        ProfileDialogflowCX,
		Description: "Dialogflow CX, whose documentation names the Google Trust Services roots",
		Sources: []Source{
			embeddedSource("GTS Root R1", "https://pki.goog/repo/certs/gtsr1.der", pinGTSRootR1, "gts-root-r1.pem"),
			embeddedSource("GTS Root R2", "https://pki.goog/repo/certs/gtsr2.der", pinGTSRootR2, "gts-root-r2.pem"),
			embeddedSource("GTS Root R3", "https://pki.goog/repo/certs/gtsr3.der", pinGTSRootR3, "gts-root-r3.pem"),
			embeddedSource("GTS Root R4", "https://pki.goog/repo/certs/gtsr4.der", pinGTSRootR4, "gts-root-r4.pem"),
			embeddedSource("GlobalSign ECC Root CA - R4", "https://pki.goog/repo/certs/gsr4.der", pinGlobalSignECCR4, "globalsign-ecc-root-r4.pem"),
		},
	},
	{
		Name:        ProfileLegacyGTS,
		Description: "the GTS CA 1O1 and GlobalSign Root CA - R2 downloads that older guides give (expired " + LegacyExpiry + ")",
		Sources: []Source{
			// NOTE: no pin for GTS CA 1O1, because no copy of it was at hand
			// to take the fingerprint from. It expired anyway, so the bundle
			// reports ca-expired for whatever the URL serves.
			{Name: "GTS CA 1O1", URL: "http://pki.goog/gsr2/GTS1O1.crt"},
			{Name: "GlobalSign Root CA - R2", URL: "http://pki.goog/gsr2/GSR2.crt", SHA256: pinGlobalSignRootCAR2},
		},
		Notice: "GTS CA 1O1 and GlobalSign Root CA - R2 expired on " + LegacyExpiry +
			", so a bundle built from them trusts no client today. Use --profile " + ProfileDialogflowES +
			" (Dialogflow ES presents a client certificate issued under SSL.com Root Certification Authority RSA)" +
			" or --profile " + ProfileDialogflowCX + " (the Google Trust Services roots).",
	},
}

// Profiles returns the built-in profiles, the default first.
func Profiles() []Profile {
	out := make([]Profile, len(profiles))
	for i, p := range profiles {
		p.Sources = append([]Source(nil), p.Sources...)
		out[i] = p
	}
	return out
}

// ProfileNames returns the names of the built-in profiles, the default first.
func ProfileNames() []string {
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = p.Name
	}
	return names
}

// LookupProfile returns the built-in profile called name. The error for an
// unknown name lists the valid ones.
func LookupProfile(name string) (Profile, error) {
	for _, p := range Profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("invalid --profile %q: use one of %s", name, strings.Join(ProfileNames(), ", "))
}
