//go:build unix

package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Hostile servers stall or flood the probe at each stage. The tests give
// the probe short limits and check that it stops at the stage's limit
// with the matching finding. hostileHangLimit only catches a probe that
// does not return at all; it is far above every limit set here.
const (
	hostileTimeout   = 300 * time.Millisecond
	hostileDeadline  = 600 * time.Millisecond
	hostileHangLimit = 20 * time.Second
)

// runHostile runs the probe against url with the hostile limits and fails
// the test when it does not return.
func runHostile(t *testing.T, opts Options) *report.Report {
	t.Helper()
	opts.Timeout, opts.Deadline = hostileTimeout, hostileDeadline
	done := make(chan *report.Report, 1)
	go func() { done <- Run(context.Background(), opts) }()
	select {
	case rep := <-done:
		return rep
	case <-time.After(hostileHangLimit):
		t.Fatalf("Run did not return within %s with --timeout %s and --deadline %s", hostileHangLimit, hostileTimeout, hostileDeadline)
		return nil
	}
}

// hostileTLSListener completes a TLS handshake with chain as the server
// certificate, requesting but not verifying a client certificate, and
// hands each connection to handle.
func hostileTLSListener(t *testing.T, chain tls.Certificate, handle func(*tls.Conn)) string {
	t.Helper()
	config := &tls.Config{
		Certificates: []tls.Certificate{chain},
		ClientAuth:   tls.RequestClientCert,
		NextProtos:   []string{"http/1.1"},
	}
	return peers.StartListener(t, func(raw net.Conn) {
		conn := tls.Server(raw, config)
		if err := conn.Handshake(); err != nil {
			return
		}
		handle(conn)
	}).Addr
}

// readRequestHead reads the request line and headers, so that the probe
// is waiting for the response when the handler starts to misbehave.
func readRequestHead(conn net.Conn) {
	reader := bufio.NewReader(conn)
	for {
		line, err := reader.ReadString('\n')
		if err != nil || line == "\r\n" {
			return
		}
	}
}

// waitClosed blocks until the peer closes conn or the test's cleanup
// does.
func waitClosed(conn net.Conn) {
	_, _ = io.Copy(io.Discard, conn)
}

// writeSlowly writes s one byte per interval until a write fails.
func writeSlowly(conn net.Conn, s string, interval time.Duration) {
	for i := range len(s) {
		if _, err := io.WriteString(conn, s[i:i+1]); err != nil {
			return
		}
		time.Sleep(interval)
	}
}

// writeForever writes chunk until a write fails.
func writeForever(conn net.Conn, chunk string) {
	for {
		if _, err := io.WriteString(conn, chunk); err != nil {
			return
		}
	}
}

// stalledDNS returns a resolver whose only server, on 127.0.0.1, reads
// queries and never answers.
func stalledDNS(t *testing.T) *net.Resolver {
	return startDNSServer(t, nil)
}

// fullBacklog returns the address of a listening socket whose accept
// queue is full, so that Linux drops further SYNs and a connect attempt
// waits until its timeout. With a backlog of 0 the queue holds one
// connection, which fullBacklog opens.
func fullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatalf("listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	filler, err := net.DialTimeout("tcp", addr, hostileHangLimit)
	if err != nil {
		t.Fatalf("fill the accept queue of %s: %v", addr, err)
	}
	t.Cleanup(func() { filler.Close() })
	return addr
}

// longChain returns a server certificate for localhost followed by n-1
// intermediates, each issued by the next, under a root that the probe
// trusts when it gets the returned pool. sameName gives every CA the same
// subject, so that path building has many candidates at each step.
func longChain(t *testing.T, n int, sameName bool) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "hostile root"})
	if err != nil {
		t.Fatalf("mint root: %v", err)
	}
	issuer := root
	var cas []*fixtures.Cert
	for i := range n - 1 {
		name := fmt.Sprintf("hostile intermediate %d", i)
		if sameName {
			name = "hostile intermediate"
		}
		ca, err := issuer.Issue(fixtures.Spec{
			CommonName: name,
			IsCA:       true,
			KeyUsage:   x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		})
		if err != nil {
			t.Fatalf("mint intermediate %d: %v", i, err)
		}
		cas = append(cas, ca)
		issuer = ca
	}
	leaf, err := issuer.Issue(fixtures.Spec{
		CommonName:  "localhost",
		DNSNames:    []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		t.Fatalf("mint leaf: %v", err)
	}
	chain := tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw}, PrivateKey: leaf.Key}
	for i := len(cas) - 1; i >= 0; i-- {
		chain.Certificate = append(chain.Certificate, cas[i].Cert.Raw)
	}
	return chain, root.Pool()
}

// leafWithURLs issues a server certificate for localhost from a new
// intermediate under a new root, with urls as its caIssuers and OCSP
// responder URLs. It returns the leaf with the intermediate, and a pool
// with the root.
func leafWithURLs(t *testing.T, urls []string) (*fixtures.Cert, *x509.CertPool) {
	t.Helper()
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "hostile URL root"})
	if err != nil {
		t.Fatalf("mint root: %v", err)
	}
	intermediate, err := fixtures.NewIntermediate(root, "hostile URL intermediate", fixtures.ECDSAP256)
	if err != nil {
		t.Fatalf("mint intermediate: %v", err)
	}
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IssuingCertificateURL: urls,
		OCSPServer:            urls,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, intermediate.Cert, key.Public(), intermediate.Key)
	if err != nil {
		t.Fatalf("mint leaf: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &fixtures.Cert{Cert: leaf, Key: key, Intermediates: []*x509.Certificate{intermediate.Cert}}, root.Pool()
}

// stalledHTTPURLs returns n URLs on one 127.0.0.1 listener that reads
// each request and never responds.
func stalledHTTPURLs(t *testing.T, n int) []string {
	t.Helper()
	addr := peers.StartListener(t, func(conn net.Conn) {
		readRequestHead(conn)
		waitClosed(conn)
	}).Addr
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("http://%s/issuer-%d", addr, i)
	}
	return urls
}

func TestProbeBoundsCertificateDownloads(t *testing.T) {
	pki := newTestPKI(t)
	clientCert, clientChain := clientOptions(pki.Client)
	leaf, roots := leafWithURLs(t, stalledHTTPURLs(t, 100))
	respond := func(conn *tls.Conn) {
		readRequestHead(conn)
		body := `{"fulfillmentText": "ok"}`
		_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		waitClosed(conn)
	}

	tests := []struct {
		name  string
		chain tls.Certificate
		opts  Options
		code  report.Code
	}{
		{
			// The server omits the intermediate, so the probe follows the
			// leaf's 100 caIssuers URLs.
			name:  "caIssuers URLs that never respond",
			chain: tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw}, PrivateKey: leaf.Key},
			opts:  Options{AIA: true},
			code:  report.CodeIncompleteChain,
		},
		{
			name:  "OCSP responders that never respond",
			chain: leaf.TLSCertificate(),
			opts:  Options{OCSP: true},
			code:  report.CodeOCSPUnavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := hostileTLSListener(t, tt.chain, respond)
			opts := tt.opts
			opts.URL, opts.ServerName, opts.Roots = "https://"+addr+"/", "localhost", roots
			opts.Certificate, opts.ClientChain = clientCert, clientChain

			start := time.Now()
			rep := runHostile(t, opts)
			t.Logf("the probe took %s with --timeout %s", time.Since(start).Round(time.Millisecond), hostileTimeout)
			if status := checkStatus(rep, checkServerCert); status == "" {
				dumpReport(t, rep)
				t.Errorf("report has no %q check", checkServerCert)
			}
			if _, ok := rep.Finding(tt.code); !ok {
				dumpReport(t, rep)
				t.Errorf("report has no %s finding", tt.code)
			}
		})
	}
}

func TestProbeStopsAtEachStageLimit(t *testing.T) {
	pki := newTestPKI(t)
	serverCert := pki.Server.TLSCertificate()
	clientCert, clientChain := clientOptions(pki.Client)

	// The response head up to the header that never ends.
	const headStart = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Endless: "

	tests := []struct {
		name     string
		url      func(t *testing.T) string
		resolver func(t *testing.T) *net.Resolver
		check    string
		code     report.Code
	}{
		{
			name:     "DNS server never answers",
			url:      func(*testing.T) string { return "https://webhook.test:443/" },
			resolver: stalledDNS,
			check:    checkDNS,
			code:     report.CodeDNSFailure,
		},
		{
			name:  "connect never completes",
			url:   func(t *testing.T) string { return "https://" + fullBacklog(t) + "/" },
			check: checkConnect,
			code:  report.CodeHandshakeTimeout,
		},
		{
			name:  "no ServerHello",
			url:   func(t *testing.T) string { return "https://" + peers.StartListener(t, waitClosed).Addr + "/" },
			check: checkHandshake,
			code:  report.CodeHandshakeTimeout,
		},
		{
			name: "ServerHello one byte at a time",
			url: func(t *testing.T) string {
				return "https://" + peers.StartListener(t, func(conn net.Conn) {
					// A handshake record header announcing 16 KiB, then
					// bytes that never complete it.
					writeSlowly(conn, "\x16\x03\x03\x40\x00\x02\x00\x00\x46\x03\x03"+strings.Repeat("x", 1000), 20*time.Millisecond)
				}).Addr + "/"
			},
			check: checkHandshake,
			code:  report.CodeHandshakeTimeout,
		},
		{
			name: "no response after the handshake",
			url: func(t *testing.T) string {
				return "https://" + hostileTLSListener(t, serverCert, func(conn *tls.Conn) {
					readRequestHead(conn)
					waitClosed(conn)
				}) + "/"
			},
			check: checkDeadline,
			code:  report.CodeSlowResponse,
		},
		{
			name: "response head that never ends",
			url: func(t *testing.T) string {
				return "https://" + hostileTLSListener(t, serverCert, func(conn *tls.Conn) {
					readRequestHead(conn)
					writeSlowly(conn, headStart+strings.Repeat("x", 100000), 5*time.Millisecond)
				}) + "/"
			},
			check: checkDeadline,
			code:  report.CodeSlowResponse,
		},
		{
			name: "body one byte at a time",
			url: func(t *testing.T) string {
				return "https://" + hostileTLSListener(t, serverCert, func(conn *tls.Conn) {
					readRequestHead(conn)
					_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
					writeSlowly(conn, `{"fulfillmentText": "`+strings.Repeat("x", 100000), 5*time.Millisecond)
				}) + "/"
			},
			check: checkDeadline,
			code:  report.CodeSlowResponse,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{URL: tt.url(t), ServerName: "localhost", Roots: pki.CA.Pool(), Certificate: clientCert, ClientChain: clientChain}
			if tt.resolver != nil {
				opts.Resolver = tt.resolver(t)
			}
			rep := runHostile(t, opts)

			wantCode(t, rep, tt.code, report.SeverityError)
			if status := checkStatus(rep, tt.check); status != report.StatusFail {
				dumpReport(t, rep)
				t.Errorf("check %q has status %q, want %q", tt.check, status, report.StatusFail)
			}
		})
	}
}

func TestProbeBoundsFloods(t *testing.T) {
	pki := newTestPKI(t)
	serverCert := pki.Server.TLSCertificate()
	clientCert, clientChain := clientOptions(pki.Client)
	validBody := `{"fulfillmentText": "ok"}`

	tests := []struct {
		name  string
		chain func(t *testing.T) (tls.Certificate, *x509.CertPool)
		// respond writes the response after the request head was read.
		respond func(conn *tls.Conn)
		check   string
		status  report.Status
		code    report.Code // a finding the report must have; empty for none
		// notCode is a finding the report must not have.
		notCode report.Code
	}{
		{
			name: "endless body without length",
			respond: func(conn *tls.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
				writeForever(conn, strings.Repeat(`{"fulfillmentText": "flood"}`, 1000))
			},
			check: checkWebhook, status: report.StatusFail, code: report.CodeResponseTooLarge,
			// The probe stops reading at 64 KiB instead of waiting for the
			// deadline.
			notCode: report.CodeSlowResponse,
		},
		{
			name: "endless chunked body",
			respond: func(conn *tls.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
				chunk := strings.Repeat("x", 4096)
				writeForever(conn, fmt.Sprintf("%x\r\n%s\r\n", len(chunk), chunk))
			},
			check: checkWebhook, status: report.StatusFail, code: report.CodeResponseTooLarge,
			notCode: report.CodeSlowResponse,
		},
		{
			name: "endless header",
			respond: func(conn *tls.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Endless: ")
				writeForever(conn, strings.Repeat("x", 4096))
			},
			// The probe stops reading at maxResponseHead instead of
			// growing the head in memory until the deadline.
			check: checkHTTP, status: report.StatusFail, code: report.CodeInvalidWebhookResp,
			notCode: report.CodeSlowResponse,
		},
		{
			name: "1 MiB header",
			respond: func(conn *tls.Conn) {
				_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Big: %s\r\nContent-Length: %d\r\n\r\n%s",
					strings.Repeat("x", 1<<20), len(validBody), validBody)
				waitClosed(conn)
			},
			check: checkHTTP, status: report.StatusPass,
		},
		{
			name: "100-certificate chain",
			chain: func(t *testing.T) (tls.Certificate, *x509.CertPool) {
				return longChain(t, 100, false)
			},
			respond: func(conn *tls.Conn) {
				_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(validBody), validBody)
				waitClosed(conn)
			},
			check: checkServerCert,
		},
		{
			name: "100-certificate chain of namesakes",
			chain: func(t *testing.T) (tls.Certificate, *x509.CertPool) {
				return longChain(t, 100, true)
			},
			respond: func(conn *tls.Conn) {
				_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(validBody), validBody)
				waitClosed(conn)
			},
			check: checkServerCert,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain, roots := serverCert, pki.CA.Pool()
			if tt.chain != nil {
				chain, roots = tt.chain(t)
			}
			addr := hostileTLSListener(t, chain, func(conn *tls.Conn) {
				readRequestHead(conn)
				tt.respond(conn)
			})
			var before runtime.MemStats
			runtime.ReadMemStats(&before)

			rep := runHostile(t, Options{
				URL: "https://" + addr + "/", ServerName: "localhost", Roots: roots,
				Certificate: clientCert, ClientChain: clientChain,
			})

			status := checkStatus(rep, tt.check)
			if status == "" || (tt.status != "" && status != tt.status) {
				dumpReport(t, rep)
				t.Errorf("check %q has status %q, want %q", tt.check, status, tt.status)
			}
			if tt.code != "" {
				wantCode(t, rep, tt.code, report.SeverityError)
			}
			if tt.notCode != "" {
				wantNoCode(t, rep, tt.notCode)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			t.Logf("heap allocated during the probe: %d KiB", (after.TotalAlloc-before.TotalAlloc)>>10)
		})
	}
}
