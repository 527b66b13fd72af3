package chain

import (
	"bytes"
	"crypto/x509"
	"testing"
	"time"
)

// FuzzBundleSource feeds arbitrary source content through the bundle's
// path: decode, duplicate removal, checks and PEM encoding. Whatever the
// input, the encoded bundle must parse back to exactly the certificates
// kept, in order.
func FuzzBundleSource(f *testing.F) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range Profiles() {
		for _, src := range p.Sources {
			if src.Embedded != nil {
				f.Add(src.Embedded)
				certs, _ := ParseCertificates(src.Embedded)
				f.Add(certs[0].Raw)
			}
		}
	}
	two := append(append([]byte("# two roots\n"), profiles[1].Sources[0].Embedded...), profiles[1].Sources[0].Embedded...)
	f.Add(two)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("MIIB"))
	f.Add([]byte{0x30, 0x82, 0x01})
	f.Add([]byte("<html>not a certificate</html>"))

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, remote := range []bool{false, true} {
			b := &bundleBuilder{now: now}
			_, err := b.addSourceData("fuzz.pem", data, remote)
			if err != nil {
				if remote {
					t.Fatalf("a download returned an error instead of a finding: %v", err)
				}
				continue
			}
			b.removeDuplicates()
			kept := b.kept()
			for _, e := range kept {
				checkCAConstraint(e.cert, e.label)
				checkCAValidity(e.cert, e.label, now)
			}
			certs := make([]*x509.Certificate, len(kept))
			for i, e := range kept {
				certs[i] = e.cert
			}
			CheckPlatformCAs(certs, "", now)
			CheckPlatformCAs(certs, ProfileDialogflowCX, now)
			if len(kept) == 0 {
				continue
			}
			encoded := encodeEntries(kept)
			parsed, err := ParseCertificates(encoded)
			if err != nil {
				t.Fatalf("the encoded bundle does not parse: %v\n%s", err, encoded)
			}
			if len(parsed) != len(certs) {
				t.Fatalf("the encoded bundle contains %d certificates, want %d", len(parsed), len(certs))
			}
			for i := range parsed {
				if !bytes.Equal(parsed[i].Raw, certs[i].Raw) {
					t.Fatalf("certificate %d changed in the round trip", i+1)
				}
			}
		}
	})
}

// FuzzParsePin checks that an accepted pin is canonical: parsing it again
// returns it unchanged.
func FuzzParsePin(f *testing.F) {
	f.Add(pinSSLComRootRSA)
	f.Add("sha256 Fingerprint=" + pinGTSRootR1)
	f.Add("SHA256:d947432abde7b7fa90fc2e6b59101b1280e0e1c7e4e40fa3c6887fff57a7f4cf")
	f.Add("85:66")
	f.Fuzz(func(t *testing.T, s string) {
		pin, err := ParsePin(s)
		if err != nil {
			return
		}
		again, err := ParsePin(pin)
		if err != nil || again != pin {
			t.Fatalf("ParsePin(%q) = %q, and parsing that gives %q, %v", s, pin, again, err)
		}
		if len(pin) != 95 {
			t.Fatalf("ParsePin(%q) = %q, want 32 colon-separated bytes", s, pin)
		}
	})
}
