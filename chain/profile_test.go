package chain

import (
	"bytes"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestEmbeddedCopiesMatchPins(t *testing.T) {
	for _, p := range Profiles() {
		for _, src := range p.Sources {
			if src.Embedded == nil {
				continue
			}
			t.Run(p.Name+"/"+src.Name, func(t *testing.T) {
				certs, err := ParseCertificates(src.Embedded)
				if err != nil {
					t.Fatalf("parse %s: %v", src.EmbeddedFile, err)
				}
				if len(certs) != 1 {
					t.Fatalf("%s contains %d certificates, want 1", src.EmbeddedFile, len(certs))
				}
				if got := report.Fingerprint(certs[0].Raw); got != src.SHA256 {
					t.Errorf("%s has SHA-256 %s, pin is %s", src.EmbeddedFile, got, src.SHA256)
				}
				if !certs[0].IsCA {
					t.Errorf("%s is not a CA", src.EmbeddedFile)
				}
				// The copy must already be in the form the bundle writes.
				block, _ := pem.Decode(src.Embedded)
				if want := pem.EncodeToMemory(block); !bytes.Equal(src.Embedded, want) {
					t.Errorf("%s is not a single canonical PEM block", src.EmbeddedFile)
				}
			})
		}
	}
}

func TestEmbeddedCopiesMatchSystemStore(t *testing.T) {
	files := map[string]string{
		"SSL.com Root Certification Authority RSA": "SSL.com_Root_Certification_Authority_RSA.pem",
		"GTS Root R1":                 "GTS_Root_R1.pem",
		"GTS Root R2":                 "GTS_Root_R2.pem",
		"GTS Root R3":                 "GTS_Root_R3.pem",
		"GTS Root R4":                 "GTS_Root_R4.pem",
		"GlobalSign ECC Root CA - R4": "GlobalSign_ECC_Root_CA_-_R4.pem",
	}
	for _, p := range Profiles() {
		for _, src := range p.Sources {
			if src.Embedded == nil {
				continue
			}
			t.Run(src.Name, func(t *testing.T) {
				file, ok := files[src.Name]
				if !ok {
					t.Fatalf("no system store file known for %q", src.Name)
				}
				system := systemRoot(t, file)
				if got := report.Fingerprint(system.Raw); got != src.SHA256 {
					t.Errorf("/etc/ssl/certs/%s has SHA-256 %s, pin is %s", file, got, src.SHA256)
				}
			})
		}
	}
}

func TestProfileSources(t *testing.T) {
	tests := []struct {
		name     string
		urls     []string
		embedded int
		notice   bool
	}{
		{name: ProfileDialogflowES, urls: []string{"https://ssl.com/repo/certs/SSLcomRootCertificationAuthorityRSA.pem"}, embedded: 1},
		{name: ProfileDialogflowCX, urls: []string{
			"https://pki.goog/repo/certs/gtsr1.der", "https://pki.goog/repo/certs/gtsr2.der",
			"https://pki.goog/repo/certs/gtsr3.der", "https://pki.goog/repo/certs/gtsr4.der",
			"https://pki.goog/repo/certs/gsr4.der",
		}, embedded: 5},
		{name: ProfileLegacyGTS, urls: []string{"http://pki.goog/gsr2/GTS1O1.crt", "http://pki.goog/gsr2/GSR2.crt"}, notice: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LookupProfile(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sources) != len(tt.urls) {
				t.Fatalf("%d sources, want %d", len(p.Sources), len(tt.urls))
			}
			embedded := 0
			for i, src := range p.Sources {
				if src.URL != tt.urls[i] {
					t.Errorf("source %d URL = %s, want %s", i, src.URL, tt.urls[i])
				}
				if src.Embedded != nil {
					embedded++
				}
			}
			if embedded != tt.embedded {
				t.Errorf("%d embedded copies, want %d", embedded, tt.embedded)
			}
			if got := p.Notice != ""; got != tt.notice {
				t.Errorf("notice present = %v, want %v", got, tt.notice)
			}
		})
	}
}

func TestLegacyNoticeNamesReplacements(t *testing.T) {
	p, err := LookupProfile(ProfileLegacyGTS)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2021-12-15", ProfileDialogflowES, ProfileDialogflowCX} {
		if !strings.Contains(p.Notice, want) {
			t.Errorf("notice %q does not mention %s", p.Notice, want)
		}
	}
}

func TestLookupProfileUnknown(t *testing.T) {
	_, err := LookupProfile("dialogflow")
	if err == nil {
		t.Fatal("no error for an unknown profile")
	}
	for _, name := range ProfileNames() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %s", err, name)
		}
	}
}

func TestProfilesReturnsCopies(t *testing.T) {
	first := Profiles()
	first[0].Sources[0].URL = "http://127.0.0.1:1/changed"
	first[0].Name = "changed"
	second := Profiles()
	if second[0].Name != DefaultProfile {
		t.Errorf("first profile is %q after a caller changed its copy, want %q", second[0].Name, DefaultProfile)
	}
	if second[0].Sources[0].URL == "http://127.0.0.1:1/changed" {
		t.Error("a caller's change to a source URL reached the built-in profile")
	}
}
