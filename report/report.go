package report

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net"
	"strings"
	"time"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
	StatusInfo Status = "info"
)

// Check is one step of a diagnosis, such as "handshake" or "webhook
// response". Codes lists the findings the step produced.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	Codes  []Code `json:"codes,omitempty"`
}

// Report is the result for one target: a URL, a file or a bundle.
type Report struct {
	Target       string     `json:"target"`
	Kind         string     `json:"kind,omitempty"`
	OK           bool       `json:"ok"`
	Findings     []Finding  `json:"findings"`
	Checks       []Check    `json:"checks,omitempty"`
	TLS          *TLSInfo   `json:"tls,omitempty"`
	HTTP         *HTTPInfo  `json:"http,omitempty"`
	Timings      *Timings   `json:"timings,omitempty"`
	Certificates []CertInfo `json:"certificates,omitempty"`
	Notes        []string   `json:"notes,omitempty"`
}

// TLSInfo describes the negotiated connection as the client saw it.
type TLSInfo struct {
	Version             string     `json:"version,omitempty"`
	CipherSuite         string     `json:"cipher,omitempty"`
	ALPN                string     `json:"alpn,omitempty"`
	ServerName          string     `json:"server_name,omitempty"`
	HandshakeComplete   bool       `json:"handshake_complete"`
	ClientCertRequested bool       `json:"client_cert_requested"`
	ClientCertSent      bool       `json:"client_cert_sent"`
	AcceptableCAs       []string   `json:"acceptable_cas"`
	PeerChain           []CertInfo `json:"peer_chain,omitempty"`
}

// HTTPInfo is the webhook's HTTP response.
type HTTPInfo struct {
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers,omitempty"`
	BodyExcerpt string            `json:"body_excerpt,omitempty"`
	BodyBytes   int64             `json:"body_bytes"`
}

// Timings are the durations of each phase in milliseconds. A phase that did
// not happen is zero.
type Timings struct {
	DNS       float64 `json:"dns"`
	Connect   float64 `json:"connect"`
	TLS       float64 `json:"tls"`
	FirstByte float64 `json:"first_byte"`
	Total     float64 `json:"total"`
}

// CertInfo is the summary of one certificate that reports print.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SANs      []string  `json:"sans,omitempty"`
	IsCA      bool      `json:"is_ca"`
	SHA256    string    `json:"sha256"`
	Source    string    `json:"source,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// Milliseconds converts d to fractional milliseconds for Timings.
func Milliseconds(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// Fingerprint returns the SHA-256 of der as colon-separated upper-case hex,
// the form openssl x509 -fingerprint -sha256 prints.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return ColonHex(sum[:])
}

// ColonHex formats b as upper-case hex pairs joined by colons.
func ColonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// Describe summarizes cert for a report.
func Describe(cert *x509.Certificate) CertInfo {
	info := CertInfo{
		Subject:   cert.Subject.String(),
		Issuer:    cert.Issuer.String(),
		Serial:    ColonHex(cert.SerialNumber.Bytes()),
		NotBefore: cert.NotBefore.UTC(),
		NotAfter:  cert.NotAfter.UTC(),
		IsCA:      cert.IsCA,
		SHA256:    Fingerprint(cert.Raw),
	}
	info.SANs = append(info.SANs, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		info.SANs = append(info.SANs, net.IP(ip).String())
	}
	info.SANs = append(info.SANs, cert.EmailAddresses...)
	for _, uri := range cert.URIs {
		info.SANs = append(info.SANs, uri.String())
	}
	return info
}

// Add appends findings to r.
func (r *Report) Add(findings ...Finding) {
	r.Findings = append(r.Findings, findings...)
}

// AddCheck records a check and the findings it produced. The check's status
// follows from the worst finding when status is empty.
func (r *Report) AddCheck(name string, status Status, detail string, findings ...Finding) {
	check := Check{Name: name, Status: status, Detail: detail}
	worst := StatusPass
	for _, f := range findings {
		check.Codes = append(check.Codes, f.Code)
		switch f.Severity {
		case SeverityError:
			worst = StatusFail
		case SeverityWarning:
			if worst == StatusPass {
				worst = StatusWarn
			}
		}
	}
	if check.Status == "" {
		check.Status = worst
	}
	r.Checks = append(r.Checks, check)
	r.Add(findings...)
}

// Has reports whether r holds a finding with code.
func (r *Report) Has(code Code) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// Finding returns the first finding with code, if any.
func (r *Report) Finding(code Code) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return Finding{}, false
}

// HasErrors reports whether any finding has SeverityError.
func (r *Report) HasErrors() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Failed reports whether r has an error finding or a failed check.
func (r *Report) Failed() bool {
	if r.HasErrors() {
		return true
	}
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return true
		}
	}
	return false
}

// Finish sets OK from the findings and checks and makes Findings non-nil, so JSON
// prints an empty list rather than null. Call it once the report is complete.
func (r *Report) Finish() *Report {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.OK = !r.Failed()
	return r
}

// ExitCode returns 0 when no report has an error finding or a failed check,
// and 1 otherwise.
func ExitCode(reports ...*Report) int {
	for _, r := range reports {
		if r.Failed() {
			return 1
		}
	}
	return 0
}
