package report

// CodeMissingKeyID marks a certificate without the subject or authority
// key identifier that RFC 5280 requires.
const CodeMissingKeyID Code = "missing-key-identifier"

func init() {
	register("trust", SeverityWarning, CodeMissingKeyID,
		"a certificate lacks a subject or authority key identifier",
		"Reissue the certificate with both identifiers; OpenSSL adds them with subjectKeyIdentifier=hash and authorityKeyIdentifier=keyid in the extension section.")
}
