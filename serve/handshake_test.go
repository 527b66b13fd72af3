package serve

import (
	"crypto/tls"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestGoClientHandshakeFailures(t *testing.T) {
	tests := []struct {
		name   string
		config func(*tls.Config)
		code   report.Code
	}{
		{
			name:   "TLS 1.1 only",
			config: func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11 },
			code:   report.CodeProtocolVersion,
		},
		{
			name: "RSA key exchange only",
			config: func(c *tls.Config) {
				c.MaxVersion = tls.VersionTLS12
				c.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
			},
			code: report.CodeNoSharedCipher,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			config := &tls.Config{
				RootCAs:      ts.pki.CA.Pool(),
				ServerName:   "localhost",
				Certificates: []tls.Certificate{ts.pki.Client.TLSCertificate()},
			}
			tt.config(config)
			conn, err := tls.Dial("tcp", "127.0.0.1:"+ts.port, config)
			if err == nil {
				conn.Close()
				t.Fatal("handshake succeeded")
			}
			ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{"code": string(tt.code)})
		})
	}
}

func TestHandshakeTimeoutLogged(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 1)
	ln := newHandshakeListener(tcp, listenerConfig{
		tls:           &tls.Config{},
		timeout:       time.Millisecond,
		maxHandshakes: 1,
		onHandshake:   func(_ *tls.Conn, err error) { results <- err },
		log:           slog.New(slog.DiscardHandler),
	})
	defer ln.Close()

	// The client connects and sends nothing, so the handshake times out.
	conn, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	select {
	case err := <-results:
		if err == nil {
			t.Fatal("handshake without a ClientHello succeeded")
		}
		d := &diagnoser{handshakeTimeout: time.Millisecond, now: time.Now}
		if got := d.diagnose(err); got.Code != report.CodeHandshakeTimeout {
			t.Errorf("diagnosis %+v for %v, want code %s", got, err, report.CodeHandshakeTimeout)
		}
	case <-time.After(waitLimit):
		t.Fatal("the handshake did not end")
	}
}

func TestListenerCloseEndsAccept(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newHandshakeListener(tcp, listenerConfig{
		tls:           &tls.Config{},
		timeout:       waitLimit,
		maxHandshakes: 1,
		onHandshake:   func(*tls.Conn, error) {},
		log:           slog.New(slog.DiscardHandler),
	})

	// A client whose handshake is still in progress when Close runs.
	conn, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	accepted := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		accepted <- err
	}()
	if err := ln.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-accepted:
		if err == nil {
			t.Error("Accept returned a connection after Close")
		}
	case <-time.After(waitLimit):
		t.Fatal("Accept did not return after Close")
	}
	if _, err := net.Dial("tcp", tcp.Addr().String()); err == nil {
		t.Error("the port still accepts connections after Close")
	}
}

func TestPlaintextAlert(t *testing.T) {
	tests := []struct {
		name   string
		tail   []byte
		want   uint8
		wantOK bool
	}{
		{name: "unknown CA alert", tail: []byte{0x17, 0x03, 0x03, 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 48}, want: 48, wantOK: true},
		{name: "alert alone", tail: []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 42}, want: 42, wantOK: true},
		{name: "application data", tail: []byte{0x17, 0x03, 0x03, 0x00, 0x02, 0x02, 48}},
		{name: "long record", tail: []byte{0x15, 0x03, 0x03, 0x00, 0x13, 0x02, 48}},
		{name: "too short", tail: []byte{0x15, 0x03, 0x03}},
		{name: "empty", tail: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := plaintextAlert(tt.tail)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("plaintextAlert(% x) = %d, %v, want %d, %v", tt.tail, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDiagnoseClientAlert(t *testing.T) {
	tests := []struct {
		alert  string
		code   report.Code
		reason string
	}{
		{alert: "tls: unknown certificate authority", code: report.CodeUnknownAuthority, reason: "does not trust the server certificate"},
		{alert: "tls: bad certificate", code: "", reason: "rejected the server certificate"},
		{alert: "tls: certificate expired", code: report.CodeExpired, reason: "server certificate has expired"},
		{alert: "tls: protocol version not supported", code: report.CodeProtocolVersion, reason: `alert "protocol version not supported"`},
		{alert: "tls: internal error", code: "", reason: `alert "internal error"`},
	}
	for _, tt := range tests {
		t.Run(tt.alert, func(t *testing.T) {
			got := diagnoseClientAlert(tt.alert)
			if got.Code != tt.code {
				t.Errorf("code %q, want %q", got.Code, tt.code)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", got.Reason, tt.reason)
			}
		})
	}
}
