package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// matrixRow is one fault, probed against several stack configurations.
type matrixRow struct {
	name       string
	server     string // server chain in matrixPKI.servers; empty means "valid"
	client     string // client chain in matrixPKI.clients; empty sends none
	files      string // client file variant of matrixPKI.clientFiles, instead of client
	roots      string // trusted root in matrixPKI.roots; empty means the test CA
	serverName string
	dns        bool          // dial an unresolvable name through an NXDOMAIN resolver
	timeout    time.Duration // zero means 5s
	// want maps each configuration to the code its report must have;
	// an empty code means the report has no error finding.
	want map[string]report.Code
	// also are codes every configuration's report must have, such as the
	// preflight's finding on the client certificate.
	also []report.Code
	// detail maps a code to text its finding must contain, in the
	// summary, detail or fix, where the report has that finding.
	detail map[report.Code]string
}

// Configuration groups of the matrix.
var (
	serverStacks = []string{"go", "openssl", "nginx", "node"}
	// requiring end the connection, or respond with HTTP 400, without a
	// client certificate.
	requiring = []string{"go-require-tls13", "go-require-tls12", "openssl-Verify-tls13", "openssl-Verify-tls12",
		"nginx-on", "nginx-on-tls13", "node-strict", "node-strict-tls12"}
	// optional let a client without a certificate in, but reject a
	// certificate that fails verification.
	optional = []string{"openssl-verify-tls13", "openssl-verify-tls12", "nginx-optional"}
	// verifying are the configurations that reject a bad certificate.
	verifying = append(slices.Clone(requiring), optional...)
	// fileStacks are the configurations the client file rows run against.
	fileStacks = []string{"go-require-tls13", "openssl-Verify-tls12", "nginx-on", "node-strict"}
)

// expect maps every configuration in configs to code.
func expect(code report.Code, configs ...string) map[string]report.Code {
	out := make(map[string]report.Code, len(configs))
	for _, c := range configs {
		out[c] = code
	}
	return out
}

// merge combines expectations; later maps win.
func merge(maps ...map[string]report.Code) map[string]report.Code {
	out := map[string]report.Code{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// rejectedUnlessDemo is the verdict on a client certificate that fails
// verification: every verifying server rejects it, and the Node demo
// server, which never rejects, lets it in.
func rejectedUnlessDemo() map[string]report.Code {
	return merge(expect(report.CodeClientCertRejected, verifying...), expect("", "node-demo"))
}

// withoutCert is the verdict when no client certificate is sent.
func withoutCert() map[string]report.Code {
	return merge(expect(report.CodeClientCertRequired, requiring...),
		expect(report.CodeUnauthAccepted, append(slices.Clone(optional), "node-demo")...))
}

var matrixRows = []matrixRow{
	// Trust and usage faults of the server's chain.
	{name: "server CA not trusted", server: "foreign CA", want: expect(report.CodeUnknownAuthority, serverStacks...)},
	{name: "trusted CA name with another key", roots: "impostor", want: expect(report.CodeUnknownAuthority, serverStacks...),
		detail: map[report.Code]string{report.CodeUnknownAuthority: "another key"}},
	{name: "intermediate not sent", server: "intermediate not sent", want: expect(report.CodeIncompleteChain, serverStacks...),
		detail: map[report.Code]string{report.CodeIncompleteChain: "http://127.0.0.1:9/intermediate.crt"}},
	{name: "server cert expired", server: "expired", want: expect(report.CodeExpired, serverStacks...),
		detail: map[report.Code]string{report.CodeExpired: "leaf certificate CN=localhost expired"}},
	{name: "server cert not yet valid", server: "not yet valid", want: expect(report.CodeNotYetValid, serverStacks...)},
	{name: "other host name", serverName: "webhook.example.com", want: expect(report.CodeHostnameMismatch, serverStacks...)},
	{name: "IP address without IP SAN", server: "no IP SAN", want: expect(report.CodeHostnameMismatch, serverStacks...),
		detail: map[report.Code]string{report.CodeHostnameMismatch: "IP subject alternative names"}},
	{name: "common name only", server: "common name only", serverName: "localhost", want: expect(report.CodeLegacyCommonName, serverStacks...)},
	{name: "SHA-1 signature", server: "SHA-1 signature", want: expect(report.CodeInsecureSignature, serverStacks...)},
	{name: "RSA-1024 key", server: "RSA-1024 key", want: expect(report.CodeWeakKey, serverStacks...)},
	{name: "self-signed server cert", server: "self-signed", want: expect(report.CodeSelfSignedLeaf, serverStacks...),
		also: []report.Code{report.CodeUnknownAuthority}},
	{name: "server cert for clients only", server: "client usage", want: expect(report.CodeWrongUsageServer, serverStacks...)},
	{name: "server leaf signs leaf", server: "leaf signs leaf", want: expect(report.CodeNotACA, serverStacks...)},
	{name: "trusted root expired", server: "under expired root", roots: "expired root", want: expect(report.CodeCAExpired, serverStacks...)},

	// Client certificates, as each server judges them.
	{name: "valid client cert", client: "valid", want: merge(expect("", verifying...), expect("", "node-demo"))},
	{name: "no client cert", want: withoutCert()},
	{name: "client CA not trusted", client: "foreign CA", want: rejectedUnlessDemo(), also: []report.Code{report.CodeClientCANotAccept},
		detail: map[report.Code]string{report.CodeClientCANotAccept: "Go's crypto/tls"}},
	{name: "client intermediate not sent", client: "intermediate not sent", want: rejectedUnlessDemo(), also: []report.Code{report.CodeClientCANotAccept},
		detail: map[report.Code]string{report.CodeClientCANotAccept: "send the intermediate"}},
	{name: "client chain with intermediate", client: "with intermediate", want: merge(expect("", verifying...), expect("", "node-demo"))},
	// nginx's default ssl_verify_depth 1 allows one intermediate.
	{name: "client chain with two intermediates", client: "two intermediates",
		want: merge(expect("", verifying...), expect("", "node-demo"),
			expect(report.CodeClientCertRejected, "nginx-on", "nginx-on-tls13", "nginx-optional")),
		detail: map[report.Code]string{report.CodeClientCertRejected: "ssl_verify_depth 2"}},
	{name: "client cert expired", client: "expired", want: rejectedUnlessDemo(), also: []report.Code{report.CodeExpired}},
	{name: "client cert not yet valid", client: "not yet valid", want: rejectedUnlessDemo(), also: []report.Code{report.CodeNotYetValid}},
	{name: "client cert for servers only", client: "server usage", want: rejectedUnlessDemo(), also: []report.Code{report.CodeWrongUsageClient}},
	{name: "client CA restricts usage", client: "CA restricts usage", want: rejectedUnlessDemo(), also: []report.Code{report.CodeWrongUsageClient},
		detail: map[report.Code]string{report.CodeWrongUsageClient: "first intermediate"}},
	{name: "self-signed client cert", client: "self-signed", want: rejectedUnlessDemo(), also: []report.Code{report.CodeSelfSignedLeaf}},
	{name: "client leaf signs leaf", client: "leaf signs leaf", want: rejectedUnlessDemo(), also: []report.Code{report.CodeNotACA}},
	{name: "SHA-1 client cert", client: "SHA-1 signature", want: rejectedUnlessDemo(), also: []report.Code{report.CodeInsecureSignature}},
	// Debian builds OpenSSL 3.0 with security level 2 as the default, which
	// rejects RSA keys under 2048 bits; Node 20 bundles its own OpenSSL at
	// level 1, and Go accepts 1024 bits.
	{name: "RSA-1024 client cert", client: "RSA-1024 key",
		want: merge(expect("", "go-require-tls13", "go-require-tls12", "node-strict", "node-strict-tls12", "node-demo"),
			expect(report.CodeClientCertRejected, "openssl-Verify-tls13", "openssl-Verify-tls12", "openssl-verify-tls13",
				"openssl-verify-tls12", "nginx-on", "nginx-on-tls13", "nginx-optional")),
		also: []report.Code{report.CodeWeakKey}, detail: map[report.Code]string{report.CodeClientCertRejected: "weak-key"}},
	{name: "client key mismatch", client: "key mismatch", want: withoutCert(), also: []report.Code{report.CodeKeyMismatch}},
	{name: "client blocks out of order", client: "blocks out of order", want: withoutCert(), also: []report.Code{report.CodeKeyMismatch},
		detail: map[report.Code]string{report.CodeKeyMismatch: "certificate 2 of the chain"}},

	// Client certificate files, read and checked before dialling.
	{name: "client files valid", files: "valid", want: expect("", fileStacks...)},
	{name: "client key in the certificate file", files: "combined file", want: expect("", fileStacks...)},
	{name: "client cert file not PEM", files: "not PEM", want: expect(report.CodeClientCertRequired, fileStacks...), also: []report.Code{report.CodeNotPEM}},
	{name: "client key encrypted", files: "encrypted key", want: expect(report.CodeClientCertRequired, fileStacks...), also: []report.Code{report.CodeEncryptedKey}},
	{name: "client cert file missing", files: "unreadable", want: expect(report.CodeClientCertRequired, fileStacks...), also: []report.Code{report.CodeUnreadableFile}},
	{name: "client key of another cert", files: "key of another cert", want: expect(report.CodeClientCertRequired, fileStacks...), also: []report.Code{report.CodeKeyMismatch}},
	{name: "client file blocks out of order", files: "blocks out of order", want: expect(report.CodeClientCertRequired, fileStacks...), also: []report.Code{report.CodeKeyMismatch},
		detail: map[report.Code]string{report.CodeKeyMismatch: "out of order"}},

	// Handshake and connection faults.
	{name: "client cert not requested", client: "valid", want: expect(report.CodeClientCertNotReq, serverStacks...)},
	{name: "TLS 1.1 only", want: expect(report.CodeProtocolVersion, "go-tls11", "openssl-tls11", "nginx-tls11", "node-tls11")},
	{name: "CBC suite only", want: expect(report.CodeNoSharedCipher, "go-cbc", "openssl-cbc", "nginx-cbc", "node-cbc")},
	{name: "no server name", want: expect(report.CodeSNIRequired, "go-sni", "nginx-sni"),
		detail: map[report.Code]string{report.CodeSNIRequired: "no server name was sent"}},
	{name: "other server name", serverName: "other.example", want: expect(report.CodeSNIRequired, "openssl-sni"),
		detail: map[report.Code]string{report.CodeSNIRequired: `the server has no certificate for the server name "other.example"`}},
	{name: "plain HTTP", want: expect(report.CodePlainHTTP, "go-http", "nginx-http", "node-http")},
	{name: "not TLS", want: expect(report.CodeNotTLS, "go-banner", "node-banner")},
	{name: "silent server", timeout: 300 * time.Millisecond, want: expect(report.CodeHandshakeTimeout, "go-silent", "node-silent")},
	{name: "reset after ClientHello", want: expect(report.CodeConnectionReset, "go-reset", "node-reset")},
	// Go and nginx send internal_error when they cannot load a certificate
	// for the requested name. Node 20 closes without an alert instead.
	{name: "no certificate for the server name", serverName: "missing.example",
		want: merge(expect(report.CodeHandshakeFailure, "go-cert-by-name", "nginx-cert-by-name"),
			expect(report.CodeConnectionReset, "node-cert-by-name")),
		detail: map[report.Code]string{
			report.CodeHandshakeFailure: `alert 80 (internal error) during the handshake, in reply to the ClientHello; the client sent the server name "missing.example"`,
			report.CodeConnectionReset:  "SNICallback",
		}},
	// A Go server that checks the client certificate in VerifyConnection
	// but never requests one rejects every client with bad_certificate: in
	// TLS 1.3 on the client's first read, in TLS 1.2 during the handshake.
	{name: "client cert checked but not requested",
		want: expect(report.CodeHandshakeFailure, "go-verify-unrequested-tls13", "go-verify-unrequested-tls12"),
		detail: map[report.Code]string{
			report.CodeHandshakeFailure: "alert 42 (bad certificate)",
		}},
	{name: "server stopped", want: expect(report.CodeConnectionRefused, "go-stopped", "openssl-stopped")},
	// The preflight names a local fault even when the network fails too.
	{name: "server stopped, client cert expired", client: "expired",
		want: expect(report.CodeConnectionRefused, "go-stopped", "openssl-stopped"), also: []report.Code{report.CodeExpired}},
	{name: "server stopped, client key missing", files: "unreadable",
		want: expect(report.CodeConnectionRefused, "go-stopped", "openssl-stopped"), also: []report.Code{report.CodeUnreadableFile}},
	{name: "name does not resolve", dns: true, want: expect(report.CodeDNSFailure, "go", "nginx")},
}

// TestProbeMatrix probes every fault against real servers of each stack
// and checks the finding code. Each stack's rows run in one parallel
// group, and a server started for one configuration and server chain
// serves every row that needs the same.
func TestProbeMatrix(t *testing.T) {
	m := newMatrixPKI(t)
	configs := matrixConfigs()
	files := m.clientFiles(t)
	resolver := startNXDomainServer(t)

	for _, row := range matrixRows {
		for name := range row.want {
			if _, ok := configs[name]; !ok {
				t.Fatalf("row %q names unknown configuration %q", row.name, name)
			}
		}
	}

	var logOnce sync.Once
	for _, stack := range []string{peers.StackGo, peers.StackOpenSSL, peers.StackNginx, peers.StackNode} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			version := peers.Version(t, stack)
			logOnce.Do(func() { t.Logf("Go client %s", peers.Version(t, peers.StackGo)) })
			t.Logf("server stack %s", version)

			servers := map[string]*peers.Server{}
			for _, row := range matrixRows {
				for _, name := range sortedConfigs(row.want) {
					cfg := configs[name]
					if cfg.stack != stack {
						continue
					}
					serverChain := row.server
					if serverChain == "" {
						serverChain = "valid"
					}
					key := name + "|" + serverChain
					if servers[key] == nil {
						servers[key] = cfg.start(t, m, m.servers[serverChain])
					}
					server := servers[key]

					t.Run(name+"/"+row.name, func(t *testing.T) {
						opts := m.rowOptions(t, row, cfg, server, files, resolver)
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						defer cancel()
						rep := Run(ctx, opts)
						checkMatrixReport(t, rep, row, row.want[name], version)
						if testing.Verbose() {
							logFindings(t, rep)
						}
					})
				}
			}
		})
	}
}

// sortedConfigs returns the configuration names of want in order, so the
// subtests run in the same order every time.
func sortedConfigs(want map[string]report.Code) []string {
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// rowOptions builds the probe options of row against server.
func (m *matrixPKI) rowOptions(t *testing.T, row matrixRow, cfg stackConfig, server *peers.Server, files map[string][2]string, resolver *net.Resolver) Options {
	t.Helper()
	root := m.roots[row.roots]
	opts := Options{
		URL:        server.URL("/"),
		Roots:      root.Pool(),
		RootCerts:  []*x509.Certificate{root.Cert},
		ServerName: row.serverName,
		Edition:    cfg.edition,
		Timeout:    row.timeout,
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if row.dns {
		opts.URL = "https://no-such-host.invalid:" + strings.TrimPrefix(server.Addr, "127.0.0.1:") + "/"
		opts.Resolver = resolver
	}
	if row.client != "" {
		c, ok := m.clients[row.client]
		if !ok {
			t.Fatalf("unknown client chain %q", row.client)
		}
		cert := c.tlsCertificate()
		opts.Certificate, opts.ClientChain = &cert, c.chain
	}
	if row.files != "" {
		paths, ok := files[row.files]
		if !ok {
			t.Fatalf("unknown client file variant %q", row.files)
		}
		opts.CertFile, opts.KeyFile = paths[0], paths[1]
	}
	return opts
}

// checkMatrixReport checks that rep has want (none when empty), the row's
// other codes and details, and no error finding beyond those.
func checkMatrixReport(t *testing.T, rep *report.Report, row matrixRow, want report.Code, version string) {
	t.Helper()
	allowed := map[report.Code]bool{want: true}
	required := append([]report.Code{}, row.also...)
	if want != "" {
		required = append(required, want)
	}
	for _, code := range row.also {
		allowed[code] = true
	}

	failed := false
	for _, code := range required {
		if !rep.Has(code) {
			t.Errorf("report has no %s finding (server %s)", code, version)
			failed = true
		}
	}
	for _, f := range rep.Findings {
		if f.Severity == report.SeverityError && !allowed[f.Code] {
			t.Errorf("unexpected error finding %s: %s: %s (server %s)", f.Code, f.Summary, f.Detail, version)
			failed = true
		}
		if f.Summary == "" || f.Detail == "" || f.Fix == "" {
			t.Errorf("%s finding lacks summary, detail or fix: %+v", f.Code, f)
		}
	}
	for code, text := range row.detail {
		f, ok := rep.Finding(code)
		if !ok {
			continue
		}
		if !strings.Contains(f.Summary+" "+f.Detail+" "+f.Fix, text) {
			t.Errorf("%s finding does not contain %q: %s: %s; fix: %s", code, text, f.Summary, f.Detail, f.Fix)
			failed = true
		}
	}
	if failed {
		dumpReport(t, rep)
	}
}

// logFindings logs the codes and evidence of rep, so that go test -v
// shows what each stack did.
func logFindings(t *testing.T, rep *report.Report) {
	t.Helper()
	var lines []string
	for _, f := range rep.Findings {
		lines = append(lines, fmt.Sprintf("%s %s: %s", f.Severity, f.Code, f.Detail))
	}
	if len(lines) == 0 {
		lines = append(lines, "no findings")
	}
	t.Log(strings.Join(lines, "\n"))
}

// matrixGroups are the catalog groups whose codes the matrix must
// produce: the ones a probe of a misconfigured server reports.
var matrixGroups = []string{"trust", "usage", "files", "handshake"}

// matrixExcluded are the codes of matrixGroups that the matrix does not
// produce, each with the reason and where it is tested instead.
var matrixExcluded = map[report.Code]string{
	report.CodeRevoked:         "needs an OCSP responder that reports the leaf revoked; TestProbeOCSP runs one",
	report.CodeOCSPUnavailable: "needs an OCSP responder that fails or does not know the leaf; TestProbeOCSP runs them",
	report.CodeMissingKeyID:    "only mtlsdoctor inspect checks key identifiers (chain.LintKeyIdentifiers); the probe never reports it",
}

// matrixCodes returns the codes of matrixGroups in the report catalog,
// minus matrixExcluded. Deriving them from the catalog means a new code in
// those groups fails TestProbeMatrixCoversCodes until the matrix produces
// it or matrixExcluded states why it cannot.
func matrixCodes() []report.Code {
	var codes []report.Code
	for _, entry := range report.Catalog() {
		if slices.Contains(matrixGroups, entry.Group) && matrixExcluded[entry.Code] == "" {
			codes = append(codes, entry.Code)
		}
	}
	return codes
}

// TestProbeMatrixCoversCodes checks that the matrix produces every code of
// matrixCodes against at least two stacks.
func TestProbeMatrixCoversCodes(t *testing.T) {
	configs := matrixConfigs()
	stacks := map[report.Code]map[string]bool{}
	for _, row := range matrixRows {
		for name, want := range row.want {
			for _, code := range append([]report.Code{want}, row.also...) {
				if stacks[code] == nil {
					stacks[code] = map[string]bool{}
				}
				stacks[code][configs[name].stack] = true
			}
		}
	}
	codes := matrixCodes()
	for _, code := range codes {
		if n := len(stacks[code]); n < 2 {
			t.Errorf("code %s is produced against %d stack(s), want at least 2", code, n)
		}
	}
	if !slices.Contains(codes, report.CodeHandshakeFailure) {
		t.Errorf("matrixCodes() lacks %s: %v", report.CodeHandshakeFailure, codes)
	}
	for code := range matrixExcluded {
		entry, ok := report.Lookup(code)
		if !ok || !slices.Contains(matrixGroups, entry.Group) {
			t.Errorf("matrixExcluded names %s, which is not a code of the groups %v", code, matrixGroups)
		}
	}
}
