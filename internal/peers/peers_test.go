package peers

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

func newPKI(t *testing.T) *fixtures.PKI {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{Hosts: []string{"localhost", "127.0.0.1"}})
	if err != nil {
		t.Fatalf("mint test PKI: %v", err)
	}
	return pki
}

func serverFiles(t *testing.T, pki *fixtures.PKI) Files {
	t.Helper()
	key, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return Files{Cert: pki.Server.ChainPEM(), Key: key, ClientCA: pki.CA.CertPEM()}
}

// get sends GET / over TLS with client (nil sends no certificate) and
// returns the status and body.
func get(t *testing.T, s *Server, pki *fixtures.PKI, client *fixtures.Cert) (int, string, error) {
	t.Helper()
	cfg := &tls.Config{RootCAs: pki.CA.Pool(), ServerName: "localhost"}
	if client != nil {
		cfg.Certificates = []tls.Certificate{client.TLSCertificate()}
	}
	httpClient := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true},
	}
	resp, err := httpClient.Get(s.URL("/"))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestStartersServeClientAuth(t *testing.T) {
	pki := newPKI(t)
	files := serverFiles(t, pki)
	goConfig := &tls.Config{
		Certificates: []tls.Certificate{pki.Server.TLSCertificate()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.CA.Pool(),
	}
	starters := []struct {
		name      string
		start     func(t *testing.T) *Server
		wantBody  string
		rejection string // how the server rejects a missing certificate
	}{
		{"go", func(t *testing.T) *Server { return StartGo(t, goConfig, nil) }, WebhookResponse, "alert"},
		{"openssl", func(t *testing.T) *Server {
			return StartOpenSSL(t, files, "-Verify", "2", "-verify_return_error")
		}, "s_server", "alert"},
		{"nginx", func(t *testing.T) *Server {
			return StartNginx(t, NginxConfig{Files: files, VerifyClient: "on"})
		}, WebhookResponse, "400"},
		{"node strict", func(t *testing.T) *Server { return StartNode(t, NodeStrict, files) }, "ok from node", "closed"},
	}
	for _, st := range starters {
		t.Run(st.name, func(t *testing.T) {
			s := st.start(t)

			status, body, err := get(t, s, pki, pki.Client)
			if err != nil {
				t.Fatalf("GET with a valid client certificate: %v", err)
			}
			if status != http.StatusOK {
				t.Errorf("status = %d, want 200", status)
			}
			if !strings.Contains(body, st.wantBody) {
				t.Errorf("body %q does not contain %q", body, st.wantBody)
			}

			status, _, err = get(t, s, pki, nil)
			switch st.rejection {
			case "400":
				if err != nil || status != http.StatusBadRequest {
					t.Errorf("without a client certificate: status %d, error %v; want 400", status, err)
				}
			default:
				if err == nil {
					t.Errorf("without a client certificate: status %d, want a failed request", status)
				}
			}
		})
	}
}

func TestStartNodeDemoLetsEveryoneIn(t *testing.T) {
	pki := newPKI(t)
	s := StartNode(t, NodeDemo, serverFiles(t, pki))

	status, body, err := get(t, s, pki, nil)
	if err != nil {
		t.Fatalf("GET without a client certificate: %v", err)
	}
	if status != http.StatusOK || !strings.Contains(body, "fulfillmentText") {
		t.Errorf("status %d, body %q; want 200 with a WebhookResponse", status, body)
	}
	waitFor(t, s, "request without a client certificate")
}

func TestStartNginxRejectWithoutSNI(t *testing.T) {
	pki := newPKI(t)
	s := StartNginx(t, NginxConfig{Files: serverFiles(t, pki), RejectWithoutSNI: true})

	conn, err := tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: pki.CA.Pool(), ServerName: "127.0.0.1"})
	if err == nil {
		conn.Close()
		t.Fatalf("handshake without SNI succeeded; want nginx to reject it")
	}
	if !strings.Contains(err.Error(), "unrecognized name") {
		t.Errorf("handshake error = %v, want the unrecognized_name alert", err)
	}
	conn, err = tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: pki.CA.Pool(), ServerName: "localhost"})
	if err != nil {
		t.Fatalf("handshake with SNI localhost: %v", err)
	}
	conn.Close()
}

// TestStartNginxCertByServerName checks that nginx serves the certificate
// for "localhost" and fails the handshake with internal_error for a name
// that has no certificate file.
func TestStartNginxCertByServerName(t *testing.T) {
	pki := newPKI(t)
	s := StartNginx(t, NginxConfig{Files: serverFiles(t, pki), CertByServerName: true})

	conn, err := tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: pki.CA.Pool(), ServerName: "localhost"})
	if err != nil {
		t.Fatalf("handshake with SNI localhost: %v", err)
	}
	conn.Close()

	conn, err = tls.Dial("tcp", s.Addr, &tls.Config{InsecureSkipVerify: true, ServerName: "missing.example"})
	if err == nil {
		conn.Close()
		t.Fatalf("handshake with SNI missing.example succeeded; want nginx to fail it")
	}
	if !strings.Contains(err.Error(), "internal error") {
		t.Errorf("handshake error = %v, want the internal_error alert", err)
	}
	waitFor(t, s, "cannot load certificate")
}

// TestStartNodeSNIOnly checks that sniOnly keeps the server's certificate
// for its name and ends the handshake for another one without an alert.
func TestStartNodeSNIOnly(t *testing.T) {
	pki := newPKI(t)
	s := StartNode(t, NodeStrict, serverFiles(t, pki), "requestCert=false", "sniOnly=localhost")

	conn, err := tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: pki.CA.Pool(), ServerName: "localhost"})
	if err != nil {
		t.Fatalf("handshake with SNI localhost: %v", err)
	}
	conn.Close()

	conn, err = tls.Dial("tcp", s.Addr, &tls.Config{InsecureSkipVerify: true, ServerName: "missing.example"})
	if err == nil {
		conn.Close()
		t.Fatalf("handshake with SNI missing.example succeeded; want Node to end it")
	}
	if !errors.Is(err, io.EOF) {
		t.Errorf("handshake error = %v, want EOF, because Node 20 sends no alert here", err)
	}
	waitFor(t, s, "no certificate for server name")
}

func TestStartNginxPlainHTTP(t *testing.T) {
	s := StartNginx(t, NginxConfig{PlainHTTP: true})
	resp, err := http.Get("http://" + s.Addr + "/")
	if err != nil {
		t.Fatalf("GET over plain HTTP: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
}

func TestStartNodeRaw(t *testing.T) {
	t.Run("banner", func(t *testing.T) {
		s := StartNodeRaw(t, RawBanner, "SSH-2.0-test")
		conn := dial(t, s)
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || line != "SSH-2.0-test\r\n" {
			t.Errorf("first line = %q, %v; want the banner", line, err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		s := StartNodeRaw(t, RawReset, "")
		conn := dial(t, s)
		if _, err := conn.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		_, err := conn.Read(make([]byte, 1))
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("read error = %v, want a connection reset", err)
		}
	})
	t.Run("silent", func(t *testing.T) {
		s := StartNodeRaw(t, RawSilent, "")
		conn := dial(t, s)
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := conn.Read(make([]byte, 1))
		var netErr net.Error
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			t.Errorf("read returned %d bytes, error %v; want a timeout", n, err)
		}
	})
}

func TestServerStopClosesPort(t *testing.T) {
	pki := newPKI(t)
	s := StartOpenSSL(t, serverFiles(t, pki))
	s.Stop()
	s.Stop() // a second Stop is harmless

	conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after Stop", s.Addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial after Stop: %v, want connection refused", err)
	}
}

func TestStartListenerStopReturns(t *testing.T) {
	s := StartListener(t, func(conn net.Conn) {
		_, _ = io.Copy(io.Discard, conn)
	})
	dial(t, s)
	s.Stop() // must not wait for the client to close
}

func TestVersion(t *testing.T) {
	cases := []struct {
		stack  string
		prefix string
	}{
		{StackGo, "go1."},
		{StackOpenSSL, "OpenSSL "},
		{StackNginx, "nginx/"},
		{StackNode, "node v"},
	}
	for _, tc := range cases {
		t.Run(tc.stack, func(t *testing.T) {
			v := Version(t, tc.stack)
			if !strings.HasPrefix(v, tc.prefix) {
				t.Errorf("Version(%q) = %q, want a prefix %q", tc.stack, v, tc.prefix)
			}
		})
	}
}

func TestSplitFirstBlock(t *testing.T) {
	pki := newPKI(t)
	inter, err := fixtures.NewIntermediate(pki.CA, "peers test intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Issue(fixtures.Spec{CommonName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	first, rest := splitFirstBlock(leaf.ChainPEM())
	if string(first) != string(leaf.CertPEM()) {
		t.Errorf("first block is not the leaf")
	}
	if string(rest) != string(inter.CertPEM()) {
		t.Errorf("rest is not the intermediate")
	}
	if _, rest := splitFirstBlock(pki.CA.CertPEM()); rest != nil {
		t.Errorf("a single block leaves rest %q, want nil", rest)
	}
}

func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitFor waits until the server's log contains text; the peer writes it
// from its own process, a moment after the response.
func waitFor(t *testing.T, s *Server, text string) {
	t.Helper()
	for range 100 {
		if strings.Contains(s.Log(), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("log does not contain %q:\n%s", text, s.Log())
}
