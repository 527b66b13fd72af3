package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// cipherSuites are the TLS 1.2 suites the probe offers: ECDHE with an AEAD,
// which every current server supports. TLS 1.3 suites are not
// configurable in crypto/tls.
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// observation is the record of the handshake that the tls.Config callbacks
// keep. It survives a failed handshake, so a rejection can still be
// explained with the server's chain and CertificateRequest.
type observation struct {
	// serverState is the connection state when the server's certificate
	// arrived; nil when the handshake ended before that.
	serverState   *tls.ConnectionState
	certRequested bool
	acceptableCAs [][]byte // DER-encoded distinguished names
	// signatureSchemes are the algorithms the server accepts for the
	// client's CertificateVerify signature.
	signatureSchemes []tls.SignatureScheme
	certSent         bool
	// finalState is the state after a completed handshake.
	finalState *tls.ConnectionState
}

// state returns the most complete connection state seen, or nil.
func (o *observation) state() *tls.ConnectionState {
	if o.finalState != nil {
		return o.finalState
	}
	return o.serverState
}

// maxHead is the number of bytes headRecorder keeps.
const maxHead = 200

// headRecorder keeps the first bytes the server sends, so that a server
// that does not speak TLS can be quoted: crypto/tls reports only the first
// five bytes and buffers the rest out of reach.
type headRecorder struct {
	net.Conn
	head []byte
}

func (r *headRecorder) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	if room := maxHead - len(r.head); room > 0 && n > 0 {
		r.head = append(r.head, b[:min(n, room)]...)
	}
	return n, err
}

// bytes returns the recorded bytes; it is safe on a nil recorder.
func (r *headRecorder) bytes() []byte {
	if r == nil {
		return nil
	}
	return r.head
}

func (p *prober) tlsConfig() *tls.Config {
	cfg := &tls.Config{
		ServerName: p.serverName,
		// The chain is verified after the handshake with chain.VerifyChain,
		// which explains each problem. Skipping verification here lets the
		// probe carry on and show what the server does with the client
		// certificate.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			p.obs.serverState = &cs
			return nil
		},
		GetClientCertificate: p.clientCertificate,
		NextProtos:           []string{"http/1.1"},
		MinVersion:           tls.VersionTLS12,
		CipherSuites:         cipherSuites,
	}
	p.pinVersions(cfg)
	return cfg
}

// clientCertificate records the server's CertificateRequest and responds
// with the configured certificate, or with an empty Certificate message
// when there is none, as a client without a certificate does.
func (p *prober) clientCertificate(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	p.obs.certRequested = true
	p.obs.acceptableCAs = cri.AcceptableCAs
	p.obs.signatureSchemes = cri.SignatureSchemes
	if p.opts.Certificate == nil || len(p.opts.Certificate.Certificate) == 0 {
		return &tls.Certificate{}, nil
	}
	p.obs.certSent = true
	return p.opts.Certificate, nil
}

// handshake runs the TLS handshake on conn. It records the TLS facts and,
// on success, the handshake check; a failure is left to the caller.
func (p *prober) handshake(ctx context.Context, conn net.Conn) (*tls.Conn, error) {
	p.head = &headRecorder{Conn: conn}
	tlsConn := tls.Client(p.head, p.tlsConfig())
	p.times.tlsStart = now()
	err := tlsConn.HandshakeContext(ctx)
	p.times.tlsDone = now()
	if err == nil {
		state := tlsConn.ConnectionState()
		p.obs.finalState = &state
	}
	p.tlsInfo = p.buildTLSInfo()
	if err != nil {
		return nil, err
	}

	info := p.tlsInfo
	detail := fmt.Sprintf("%s with %s", info.Version, info.CipherSuite)
	if info.ALPN != "" {
		detail += ", ALPN " + info.ALPN
	}
	p.record(checkHandshake, report.StatusPass, detail)
	return tlsConn, nil
}

func (p *prober) buildTLSInfo() *report.TLSInfo {
	info := &report.TLSInfo{
		ServerName:          hostname.Display(p.serverName),
		ClientCertRequested: p.obs.certRequested,
		ClientCertSent:      p.obs.certSent,
		AcceptableCAs:       acceptableCANames(p.obs.acceptableCAs),
	}
	state := p.obs.state()
	if state == nil {
		return info
	}
	info.Version = tls.VersionName(state.Version)
	info.CipherSuite = tls.CipherSuiteName(state.CipherSuite)
	info.ALPN = state.NegotiatedProtocol
	info.HandshakeComplete = p.obs.finalState != nil
	for _, c := range state.PeerCertificates {
		info.PeerChain = append(info.PeerChain, report.Describe(c))
	}
	return info
}

// versionName returns the negotiated TLS version, or "" before ServerHello.
func (p *prober) versionName() string {
	if state := p.obs.state(); state != nil {
		return tls.VersionName(state.Version)
	}
	return ""
}

// acceptableCANames decodes the distinguished names of a
// CertificateRequest. It never returns nil, so JSON shows an empty list.
func acceptableCANames(ders [][]byte) []string {
	names := make([]string, 0, len(ders))
	for _, der := range ders {
		names = append(names, distinguishedName(der))
	}
	return names
}

// distinguishedName formats a DER-encoded Name as RFC 2253 text.
func distinguishedName(der []byte) string {
	var rdns pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil || len(rest) > 0 {
		return fmt.Sprintf("(a name of %d bytes that does not parse as a distinguished name)", len(der))
	}
	return rdns.String()
}

// checkServerCertificate verifies the chain the server presented, if the
// handshake got that far.
func (p *prober) checkServerCertificate(ctx context.Context) {
	state := p.obs.state()
	if state == nil || len(state.PeerCertificates) == 0 {
		return
	}
	rootPool := p.opts.Roots
	if rootPool == nil && len(p.opts.RootCerts) > 0 {
		rootPool = x509.NewCertPool()
		for _, c := range p.opts.RootCerts {
			rootPool.AddCert(c)
		}
	}
	findings := p.verifyServerChain(ctx, state.PeerCertificates, chain.VerifyOptions{
		Roots:     rootPool,
		RootCerts: p.opts.RootCerts,
		Host:      p.serverName,
		Usage:     chain.UsageServer,
		At:        p.opts.Now,
	})

	roots := "the system roots"
	if rootPool != nil {
		roots = "the --ca roots"
	}
	detail := fmt.Sprintf("%s verified against %s for %s", plural.Count(len(state.PeerCertificates), "certificate"), roots, hostname.Quote(p.serverName))
	errorCodes := map[report.Code]bool{}
	for _, f := range findings {
		if f.Severity == report.SeverityError {
			errorCodes[f.Code] = true
		}
	}
	if len(errorCodes) > 0 {
		what := "failed verification against " + roots
		if len(errorCodes) == 1 && errorCodes[report.CodeIncompleteChain] {
			// The chain may have verified, but only through an intermediate
			// that --ca holds and the server did not send.
			what = "did not verify against " + roots + " without an intermediate the server did not send"
		}
		detail = fmt.Sprintf("%s %s for %s; the platform would end the connection here, and the probe carried on only to show what the server does next",
			plural.Count(len(state.PeerCertificates), "certificate"), what, hostname.Quote(p.serverName))
	}
	p.record(checkServerCert, "", detail, findings...)
}

// checkCertificateRequest records whether the server requested a client
// certificate and which CAs it named.
func (p *prober) checkCertificateRequest(complete bool) {
	switch {
	case p.obs.certRequested:
		names := acceptableCANames(p.obs.acceptableCAs)
		detail := "the server requested a client certificate"
		if len(names) == 0 {
			// TLS 1.2 allows an empty list (RFC 5246, section 7.4.4), and TLS
			// 1.3 servers often omit the certificate_authorities extension.
			detail += " and named no acceptable CAs, so a client sends any certificate it has and only the server's verdict tells whether it trusts the issuer"
		} else {
			detail += "; acceptable CAs: " + strings.Join(names, "; ")
		}
		p.record(checkCertRequested, "", detail, p.compareAcceptableCAs()...)
	case complete:
		detail := fmt.Sprintf("the server completed the %s handshake without a CertificateRequest, so it cannot authenticate the platform", p.versionName())
		f := report.New(report.CodeClientCertNotReq, "", detail)
		if p.opts.Certificate != nil {
			// A probe given a client certificate tests mutual TLS, so a
			// server that never requests one fails it. Without a
			// certificate the probe only notes that mutual TLS is off.
			f = report.New(report.CodeClientCertNotReq, "",
				detail+"; the client certificate was not sent, so mutual TLS is off and any client gets in").
				WithSeverity(report.SeverityError)
		}
		p.record(checkCertRequested, "", "", f)
	default:
		p.record(checkCertRequested, report.StatusSkip, "the handshake ended before the server could request a client certificate")
	}
}
