package probe

import (
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// startNXDomainServer runs a DNS server on 127.0.0.1 that replies to every
// query with NXDOMAIN, and returns a resolver that queries only it.
func startNXDomainServer(t *testing.T) *net.Resolver {
	return startDNSServer(t, nxdomainReply)
}

// startDNSServer runs a UDP DNS server on 127.0.0.1 that sends reply(query)
// for each query, or nothing when reply is nil or returns nil, and returns
// a resolver that queries only it.
func startDNSServer(t *testing.T, reply func(query []byte) []byte) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply == nil {
				continue
			}
			if answer := reply(buf[:n]); answer != nil {
				_, _ = pc.WriteTo(answer, addr)
			}
		}
	}()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", pc.LocalAddr().String())
		},
	}
}

// nxdomainReply answers a DNS query (RFC 1035, section 4.1) with its
// question and RCODE 3, name error.
func nxdomainReply(query []byte) []byte {
	const headerLen = 12
	if len(query) < headerLen || binary.BigEndian.Uint16(query[4:6]) != 1 {
		return nil
	}
	end := headerLen
	for end < len(query) && query[end] != 0 {
		end += int(query[end]) + 1
	}
	end += 1 + 4 // the root label, QTYPE and QCLASS
	if end > len(query) {
		return nil
	}
	reply := make([]byte, end)
	copy(reply, query[:end])
	reply[2] = 0x80 | query[2]&0x01 // QR, and RD copied from the query
	reply[3] = 0x80 | 3             // RA, RCODE name error
	binary.BigEndian.PutUint16(reply[6:], 0)
	binary.BigEndian.PutUint16(reply[8:], 0)
	binary.BigEndian.PutUint16(reply[10:], 0)
	return reply
}

func TestProbeConnectionFailures(t *testing.T) {
	pki := newTestPKI(t)

	plainHTTP := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plainHTTP.Close)

	silent := peers.StartListener(t, drain).Addr
	ssh := peers.StartListener(t, func(conn net.Conn) {
		_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
		drain(conn)
	}).Addr
	// Python's http.server responds to a request line it cannot parse, such
	// as a ClientHello, with an error page and no status line.
	htmlOnly := peers.StartListener(t, func(conn net.Conn) {
		_, _ = conn.Read(make([]byte, 1024))
		_, _ = conn.Write([]byte("<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <title>Error response</title>"))
		conn.Close()
	}).Addr
	reset := peers.StartListener(t, func(conn net.Conn) {
		// Read the ClientHello, then close with SO_LINGER 0 so the kernel
		// sends a reset instead of a FIN.
		_, _ = conn.Read(make([]byte, 1024))
		_ = conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}).Addr

	cases := []struct {
		name     string
		url      string
		timeout  time.Duration
		resolver *net.Resolver
		wantCode report.Code
		check    string
		evidence string
	}{
		{
			name:     "closed port",
			url:      "https://127.0.0.1:" + strconv.Itoa(freePort(t)) + "/",
			wantCode: report.CodeConnectionRefused,
			check:    checkConnect,
			evidence: "nothing listens on that port",
		},
		{
			name:     "silent server",
			url:      "https://" + silent + "/",
			timeout:  300 * time.Millisecond,
			wantCode: report.CodeHandshakeTimeout,
			check:    checkHandshake,
			evidence: "sent no ServerHello",
		},
		{
			name:     "plain HTTP server",
			url:      "https://" + plainHTTP.Listener.Addr().String() + "/",
			wantCode: report.CodePlainHTTP,
			check:    checkHandshake,
			evidence: "HTTP/1.1 400 Bad Request",
		},
		{
			name:     "HTML page without a status line",
			url:      "https://" + htmlOnly + "/",
			wantCode: report.CodePlainHTTP,
			check:    checkHandshake,
			evidence: "an HTML page without an HTTP status line",
		},
		{
			name:     "SSH server",
			url:      "https://" + ssh + "/",
			wantCode: report.CodeNotTLS,
			check:    checkHandshake,
			evidence: "SSH-2.0-OpenSSH",
		},
		{
			name:     "reset after ClientHello",
			url:      "https://" + reset + "/",
			wantCode: report.CodeConnectionReset,
			check:    checkHandshake,
			evidence: "in reply to the ClientHello",
		},
		{
			name:     "unknown host",
			url:      "https://no-such-host.invalid/",
			resolver: startNXDomainServer(t),
			wantCode: report.CodeDNSFailure,
			check:    checkDNS,
			evidence: "no-such-host.invalid",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := runProbe(t, Options{URL: tc.url, Roots: pki.CA.Pool(), Timeout: tc.timeout, Resolver: tc.resolver})

			wantCode(t, rep, tc.wantCode, report.SeverityError)
			wantDetail(t, rep, tc.wantCode, tc.evidence)
			wantCheck(t, rep, tc.check, report.StatusFail)
			if rep.OK {
				t.Errorf("report is OK despite %s", tc.wantCode)
			}
		})
	}
}

func TestRunCanceledContext(t *testing.T) {
	silent := peers.StartListener(t, drain).Addr
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	rep := Run(ctx, Options{URL: "https://" + silent + "/"})

	if rep == nil || rep.Target == "" {
		t.Fatalf("Run returned no report for a canceled context")
	}
	if len(rep.Findings) > 0 {
		t.Errorf("a canceled probe reports findings: %+v", rep.Findings)
	}
	if len(rep.Notes) == 0 {
		t.Errorf("report has no note saying the probe was canceled")
	}
}

func TestRunInvalidOptions(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"http URL", Options{URL: "http://127.0.0.1:4433/"}},
		{"no host", Options{URL: "https:///path"}},
		{"unparsable URL", Options{URL: "https://[::1"}},
		{"unknown edition", Options{URL: "https://127.0.0.1/", Edition: "v1"}},
		{"negative timeout", Options{URL: "https://127.0.0.1/", Timeout: -time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opts.Validate(); err == nil {
				t.Fatalf("Validate accepted %+v", tc.opts)
			}
			rep := Run(context.Background(), tc.opts)
			wantCheck(t, rep, checkURL, report.StatusFail)
			if len(rep.Notes) == 0 {
				t.Errorf("report has no note saying why the probe did not start")
			}
		})
	}
}
