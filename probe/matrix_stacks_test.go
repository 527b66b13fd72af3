package probe

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
)

// stackConfig is one configuration of one TLS stack in the matrix. start
// runs it with the server chain cert; client certificates are verified
// against matrixPKI.clientCAPool.
type stackConfig struct {
	stack   string // peers.StackGo, ...
	edition Edition
	start   func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server
}

// The client CA settings the configurations use.
const (
	sslVerifyOn       = "on"
	sslVerifyOptional = "optional"
)

func goServer(edit func(*tls.Config)) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server {
		cfg := &tls.Config{Certificates: []tls.Certificate{cert.tlsCertificate()}, ClientCAs: m.clientCAPool()}
		edit(cfg)
		return peers.StartGo(t, cfg, nil)
	}
}

func goRequire(version uint16) func(*tls.Config) {
	return func(cfg *tls.Config) {
		cfg.MinVersion, cfg.MaxVersion = version, version
	}
}

// clientCAPool returns the CAs servers verify client certificates
// against: the test CA, and a root with two levels of intermediates.
func (m *matrixPKI) clientCAPool() *x509.CertPool {
	pool := m.CA.Pool()
	pool.AddCert(m.roots["deep root"].Cert)
	return pool
}

// files returns the peers.Files for a server with cert that verifies
// clients against the test CA and the deep root. A chain with a SHA-1 signature or an
// RSA key under 2048 bits runs at OpenSSL's security level 0, because
// OpenSSL 3.0, nginx and Node refuse to load it otherwise.
func (m *matrixPKI) files(t *testing.T, cert chainCert) peers.Files {
	weak := false
	for _, c := range cert.chain {
		rsaKey, isRSA := c.PublicKey.(*rsa.PublicKey)
		weak = weak || c.SignatureAlgorithm == x509.ECDSAWithSHA1 || c.SignatureAlgorithm == x509.SHA1WithRSA ||
			isRSA && rsaKey.N.BitLen() < 2048
	}
	clientCA := append(m.CA.CertPEM(), m.roots["deep root"].CertPEM()...)
	return peers.Files{Cert: cert.chainPEM(), Key: cert.keyPEM(t), ClientCA: clientCA, SecurityLevel0: weak}
}

func opensslServer(args ...string) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server {
		return peers.StartOpenSSL(t, m.files(t, cert), args...)
	}
}

func nginxServer(edit func(*peers.NginxConfig)) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server {
		cfg := peers.NginxConfig{Files: m.files(t, cert)}
		edit(&cfg)
		return peers.StartNginx(t, cfg)
	}
}

func nodeServer(script string, options ...string) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server {
		return peers.StartNode(t, script, m.files(t, cert), options...)
	}
}

func nodeRaw(mode, banner string) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, _ *matrixPKI, _ chainCert) *peers.Server {
		return peers.StartNodeRaw(t, mode, banner)
	}
}

func goListener(handle func(net.Conn)) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, _ *matrixPKI, _ chainCert) *peers.Server {
		return peers.StartListener(t, handle)
	}
}

// stopped starts a server and stops it again, so its port refuses
// connections.
func stopped(start func(*testing.T, *matrixPKI, chainCert) *peers.Server) func(*testing.T, *matrixPKI, chainCert) *peers.Server {
	return func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server {
		s := start(t, m, cert)
		s.Stop()
		return s
	}
}

// seclevel0 lets OpenSSL 3 negotiate TLS 1.0 and 1.1, which it refuses at
// its default security level 1.
const seclevel0 = "DEFAULT:@SECLEVEL=0"

// weakSuite is a TLS 1.2 suite that Go's client does not offer.
const weakSuite = "ECDHE-ECDSA-AES128-SHA256"

// matrixConfigs are the stack configurations by name. The name starts with
// the stack, and the matrix runs each stack's rows in one parallel group.
func matrixConfigs() map[string]stackConfig {
	none := func(*tls.Config) {}
	return map[string]stackConfig{
		// Servers that do not request a client certificate.
		"go":      {peers.StackGo, EditionES, goServer(none)},
		"openssl": {peers.StackOpenSSL, EditionNone, opensslServer()},
		"nginx":   {peers.StackNginx, EditionES, nginxServer(func(*peers.NginxConfig) {})},
		"node":    {peers.StackNode, EditionES, nodeServer(peers.NodeStrict, "requestCert=false")},

		// Servers that require, or request, a verified client certificate.
		"go-require-tls13": {peers.StackGo, EditionES, goServer(func(cfg *tls.Config) {
			goRequire(tls.VersionTLS13)(cfg)
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		})},
		"go-require-tls12": {peers.StackGo, EditionES, goServer(func(cfg *tls.Config) {
			goRequire(tls.VersionTLS12)(cfg)
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		})},
		"openssl-Verify-tls13": {peers.StackOpenSSL, EditionNone, opensslServer("-Verify", "4", "-verify_return_error")},
		"openssl-Verify-tls12": {peers.StackOpenSSL, EditionNone, opensslServer("-Verify", "4", "-verify_return_error", "-no_tls1_3")},
		"openssl-verify-tls13": {peers.StackOpenSSL, EditionNone, opensslServer("-verify", "4", "-verify_return_error")},
		"openssl-verify-tls12": {peers.StackOpenSSL, EditionNone, opensslServer("-verify", "4", "-verify_return_error", "-no_tls1_3")},
		"nginx-on":             {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) { c.VerifyClient = sslVerifyOn })},
		"nginx-optional":       {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) { c.VerifyClient = sslVerifyOptional })},
		// nginx 1.22 leaves TLS 1.3 out of its default ssl_protocols.
		"nginx-on-tls13": {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) {
			c.VerifyClient, c.Protocols = sslVerifyOn, "TLSv1.3"
		})},
		"node-strict":       {peers.StackNode, EditionES, nodeServer(peers.NodeStrict)},
		"node-strict-tls12": {peers.StackNode, EditionES, nodeServer(peers.NodeStrict, "maxVersion=TLSv1.2")},
		"node-demo":         {peers.StackNode, EditionES, nodeServer(peers.NodeDemo)},

		// Servers that share no TLS version with the client.
		"go-tls11": {peers.StackGo, EditionES, goServer(func(cfg *tls.Config) {
			cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		})},
		"openssl-tls11": {peers.StackOpenSSL, EditionNone, opensslServer("-tls1_1", "-cipher", seclevel0)},
		"nginx-tls11": {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) {
			c.Protocols, c.Ciphers = "TLSv1.1", seclevel0
		})},
		"node-tls11": {peers.StackNode, EditionES, nodeServer(peers.NodeStrict, "requestCert=false",
			"minVersion=TLSv1", "maxVersion=TLSv1.1", "ciphers="+seclevel0)},

		// Servers that share no cipher suite with the client.
		"go-cbc": {peers.StackGo, EditionES, goServer(func(cfg *tls.Config) {
			cfg.MaxVersion = tls.VersionTLS12
			cfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}
		})},
		"openssl-cbc": {peers.StackOpenSSL, EditionNone, opensslServer("-no_tls1_3", "-cipher", weakSuite)},
		"nginx-cbc": {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) {
			c.Protocols, c.Ciphers = "TLSv1.2", weakSuite
		})},
		"node-cbc": {peers.StackNode, EditionES, nodeServer(peers.NodeStrict, "requestCert=false",
			"maxVersion=TLSv1.2", "ciphers="+weakSuite)},

		// Servers that need the server name "localhost" in the ClientHello.
		"go-sni": {peers.StackGo, EditionES, func(t *testing.T, _ *matrixPKI, cert chainCert) *peers.Server {
			tlsCert := cert.tlsCertificate()
			return peers.StartGo(t, &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				if !strings.EqualFold(hello.ServerName, "localhost") {
					return nil, nil // with no Certificates, crypto/tls sends unrecognized_name
				}
				return &tlsCert, nil
			}}, nil)
		}},
		"openssl-sni": {peers.StackOpenSSL, EditionNone, func(t *testing.T, m *matrixPKI, cert chainCert) *peers.Server {
			// s_server checks the name only with a second certificate, and
			// accepts a ClientHello without a name (OpenSSL 3.0).
			cert2 := peers.TempFile(t, "cert2.pem", cert.chainPEM())
			key2 := peers.TempFile(t, "key2.pem", cert.keyPEM(t))
			return peers.StartOpenSSL(t, m.files(t, cert), "-servername", "localhost", "-servername_fatal", "-cert2", cert2, "-key2", key2)
		}},
		"nginx-sni": {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) { c.RejectWithoutSNI = true })},

		// Servers that load their certificate by the requested server name
		// and have one only for "localhost".
		"go-cert-by-name": {peers.StackGo, EditionES, func(t *testing.T, _ *matrixPKI, cert chainCert) *peers.Server {
			tlsCert := cert.tlsCertificate()
			return peers.StartGo(t, &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				if !strings.EqualFold(hello.ServerName, "localhost") {
					// crypto/tls sends internal_error for an error here.
					return nil, fmt.Errorf("no certificate for server name %q", hello.ServerName)
				}
				return &tlsCert, nil
			}}, nil)
		}},
		"nginx-cert-by-name": {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) { c.CertByServerName = true })},
		"node-cert-by-name":  {peers.StackNode, EditionES, nodeServer(peers.NodeStrict, "requestCert=false", "sniOnly=localhost")},

		// Go servers that check the client certificate in VerifyConnection
		// but leave ClientAuth at NoClientCert, so no client ever sends one.
		"go-verify-unrequested-tls13": {peers.StackGo, EditionES, goServer(func(cfg *tls.Config) {
			goRequire(tls.VersionTLS13)(cfg)
			cfg.VerifyConnection = requirePeerCertificate
		})},
		"go-verify-unrequested-tls12": {peers.StackGo, EditionES, goServer(func(cfg *tls.Config) {
			goRequire(tls.VersionTLS12)(cfg)
			cfg.VerifyConnection = requirePeerCertificate
		})},

		// Ports that do not speak TLS, or not at all.
		"go-http":     {peers.StackGo, EditionES, func(t *testing.T, _ *matrixPKI, _ chainCert) *peers.Server { return peers.StartGoHTTP(t, nil) }},
		"nginx-http":  {peers.StackNginx, EditionES, nginxServer(func(c *peers.NginxConfig) { c.PlainHTTP = true })},
		"node-http":   {peers.StackNode, EditionES, nodeRaw(peers.RawHTTP, "")},
		"go-banner":   {peers.StackGo, EditionES, goListener(sshBanner)},
		"node-banner": {peers.StackNode, EditionES, nodeRaw(peers.RawBanner, "SSH-2.0-OpenSSH_9.2p1 Debian-2")},
		"go-silent":   {peers.StackGo, EditionES, goListener(drain)},
		"node-silent": {peers.StackNode, EditionES, nodeRaw(peers.RawSilent, "")},
		"go-reset":    {peers.StackGo, EditionES, goListener(resetAfterHello)},
		"node-reset":  {peers.StackNode, EditionES, nodeRaw(peers.RawReset, "")},

		// Stopped servers, whose ports refuse connections.
		"go-stopped":      {peers.StackGo, EditionES, stopped(goServer(none))},
		"openssl-stopped": {peers.StackOpenSSL, EditionNone, stopped(opensslServer())},
	}
}

// requirePeerCertificate is a VerifyConnection callback that rejects a
// connection without a client certificate.
func requirePeerCertificate(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no client certificate")
	}
	return nil
}

func sshBanner(conn net.Conn) {
	_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
	drain(conn)
}

// resetAfterHello reads the ClientHello, then closes with SO_LINGER 0 so
// the kernel sends a reset instead of a FIN.
func resetAfterHello(conn net.Conn) {
	_, _ = conn.Read(make([]byte, 1024))
	_ = conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}
