package chain

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// EncodeBundlePEM encodes certs as a CA bundle: for each certificate,
// comment lines with its name, SHA-256 and expiry, then its PEM block.
// Each block is byte for byte what openssl x509 -inform der prints. The
// comments contain nothing that changes between runs, such as the build time
// or the source, so rebuilding the same certificates gives the same file.
func EncodeBundlePEM(certs []*x509.Certificate) []byte {
	entries := make([]*bundleEntry, len(certs))
	for i, c := range certs {
		entries[i] = &bundleEntry{cert: c, label: certificateLabel(c)}
	}
	return encodeEntries(entries)
}

func encodeEntries(entries []*bundleEntry) []byte {
	var buf bytes.Buffer
	for i, e := range entries {
		if i > 0 {
			buf.WriteByte('\n')
		}
		fmt.Fprintf(&buf, "# %s\n", commentText(e.label))
		fmt.Fprintf(&buf, "# SHA-256 %s\n", report.Fingerprint(e.cert.Raw))
		fmt.Fprintf(&buf, "# Not after %s\n", e.cert.NotAfter.UTC().Format(time.RFC3339))
		// pem.Encode writes 64 base64 characters a line and a final
		// newline, the layout OpenSSL's PEM_write uses.
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: e.cert.Raw})
	}
	return buf.Bytes()
}

// commentText makes s, which may come from a certificate's subject, safe
// for a one-line comment. Control characters and invalid UTF-8 become '?',
// so they cannot end the line, and runs of dashes shrink to one, so a
// parser that searches for "-----BEGIN" anywhere in a line cannot start a
// block inside the comment.
func commentText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || unicode.IsControl(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return s
}

// WriteBundle writes a bundle from BuildBundle to path atomically with
// mode 0644. An existing file is replaced only when force is set or its
// content equals pemData; otherwise the error is *fsutil.ExistsError. On
// any error the existing file is left as it was.
func WriteBundle(path string, pemData []byte, force bool) error {
	if !bytes.Contains(pemData, []byte("-----BEGIN CERTIFICATE-----")) {
		return fmt.Errorf("write CA bundle %q: %w", path, errEmptyBundle)
	}
	if err := fsutil.WriteFile(path, pemData, 0o644, force); err != nil {
		return fmt.Errorf("write CA bundle %q: %w", path, err)
	}
	return nil
}

var errEmptyBundle = errors.New("the bundle contains no certificate, so nothing was written: fix the bundle's findings and build it again")
