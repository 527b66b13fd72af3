package chain

import (
	"crypto/x509"
	"strings"
	"testing"
)

// TestConversionNoteQuotesPaths checks that the suggested commands keep a
// path with spaces and quotes as one shell word.
func TestConversionNoteQuotesPaths(t *testing.T) {
	const path = "/tmp/my certs/it's.der"
	const quoted = `'/tmp/my certs/it'\''s.der'`
	cert := []*x509.Certificate{{}}
	tests := []struct {
		name     string
		contents Contents
		want     string
	}{
		{"DER certificate", Contents{Encoding: EncodingDER, Certificates: cert},
			"openssl x509 -inform DER -in " + quoted + ` -out '/tmp/my certs/it'\''s.der.pem'`},
		{"DER key", Contents{Encoding: EncodingDER},
			"openssl pkey -inform DER -in " + quoted + ` -out '/tmp/my certs/it'\''s.der.pem'`},
		{"PKCS#7", Contents{Encoding: EncodingPKCS7, Certificates: cert},
			"openssl pkcs7 -inform DER -in " + quoted + ` -print_certs -out '/tmp/my certs/it'\''s.der.pem'`},
		{"PKCS#12", Contents{Encoding: EncodingPKCS12, Certificates: cert},
			"openssl pkcs12 -in " + quoted + ` -nokeys -out '/tmp/my certs/it'\''s.der-crt.pem' for the certificates, and ` +
				"openssl pkcs12 -in " + quoted + ` -nocerts -nodes -out '/tmp/my certs/it'\''s.der-key.pem' for the key`},
		{"base64", Contents{Encoding: EncodingBase64, Certificates: cert},
			"mtlsdoctor inspect " + quoted + ` --pem > '/tmp/my certs/it'\''s.der.pem'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			note := ConversionNote(tt.contents, path)
			if !strings.HasSuffix(note, ": "+tt.want) {
				t.Errorf("note %q does not end with %q", note, tt.want)
			}
		})
	}
}

func TestConversionNotePlainPath(t *testing.T) {
	note := ConversionNote(Contents{Encoding: EncodingDER, Certificates: []*x509.Certificate{{}}}, "certs/server.der")
	if want := "openssl x509 -inform DER -in certs/server.der -out certs/server.der.pem"; !strings.HasSuffix(note, want) {
		t.Errorf("note %q does not end with %q", note, want)
	}
}

// TestConversionNoteStandardInput checks that the note for "-" converts a
// file the user saves, not a file named "-" into "--crt.pem".
func TestConversionNoteStandardInput(t *testing.T) {
	cert := []*x509.Certificate{{}}
	tests := []struct {
		name     string
		contents Contents
		want     string
	}{
		{"DER certificate", Contents{Encoding: EncodingDER, Certificates: cert},
			"save it to a file such as FILE.der, then run openssl x509 -inform DER -in FILE.der -out FILE.pem"},
		{"DER key", Contents{Encoding: EncodingDER},
			"save it to a file such as FILE.der, then run openssl pkey -inform DER -in FILE.der -out FILE.pem"},
		{"PKCS#7", Contents{Encoding: EncodingPKCS7, Certificates: cert},
			"save it to a file such as FILE.p7b, then run openssl pkcs7 -inform DER -in FILE.p7b -print_certs -out FILE.pem"},
		{"PKCS#12", Contents{Encoding: EncodingPKCS12, Certificates: cert},
			"save it to a file such as FILE.p12, then run openssl pkcs12 -in FILE.p12 -nokeys -out FILE-crt.pem for the certificates, and " +
				"openssl pkcs12 -in FILE.p12 -nocerts -nodes -out FILE-key.pem for the key"},
		{"base64", Contents{Encoding: EncodingBase64, Certificates: cert},
			"run mtlsdoctor inspect - --pem > FILE.pem with the same standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			note := ConversionNote(tt.contents, "-")
			if !strings.HasPrefix(note, "the standard input is ") {
				t.Errorf("note %q does not name the standard input", note)
			}
			if !strings.HasSuffix(note, ": "+tt.want) {
				t.Errorf("note %q does not end with %q", note, tt.want)
			}
			if strings.Contains(note, "-in -") || strings.Contains(note, "-.pem") || strings.Contains(note, "--crt") {
				t.Errorf("note %q builds a file name from -", note)
			}
		})
	}
	if note := ConversionNote(Contents{Encoding: EncodingPEM, Certificates: cert}, "-"); note != "" {
		t.Errorf("note for PEM on standard input = %q, want none", note)
	}
}
