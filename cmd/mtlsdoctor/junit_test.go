package main

import (
	"crypto/tls"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
)

// junitDoc is the part of the JUnit XML schema that CI systems read
// (Jenkins, GitLab, the GitHub test-report actions).
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			ClassName string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// parseJUnit decodes out and checks what every JUnit consumer relies on:
// one suite, a case per check, and counts that match the cases.
func parseJUnit(t *testing.T, out string) junitDoc {
	t.Helper()
	var doc junitDoc
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JUnit XML: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("got %d test suites, want 1:\n%s", len(doc.Suites), out)
	}
	suite := doc.Suites[0]
	failures := 0
	for _, c := range suite.Cases {
		if c.Name == "" || c.ClassName == "" {
			t.Errorf("test case without name or classname: %+v", c)
		}
		if c.Failure != nil {
			failures++
		}
	}
	if suite.Tests != len(suite.Cases) || doc.Tests != len(suite.Cases) {
		t.Errorf("tests = %d (suite) and %d (document), want %d cases", suite.Tests, doc.Tests, len(suite.Cases))
	}
	if suite.Failures != failures || doc.Failures != failures {
		t.Errorf("failures = %d (suite) and %d (document), want %d failed cases", suite.Failures, doc.Failures, failures)
	}
	return doc
}

// failureTypes maps each failed test case to its failure type, the
// finding code.
func failureTypes(doc junitDoc) map[string]string {
	out := map[string]string{}
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			out[c.Name] = c.Failure.Type
		}
	}
	return out
}

func TestProbeOutputJUnit(t *testing.T) {
	dir, pki := writePKI(t)
	path := func(name string) string { return filepath.Join(dir, name) }
	serverKey, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	files := peers.Files{Cert: pki.Server.ChainPEM(), Key: serverKey, ClientCA: pki.CA.CertPEM()}
	goServer := peers.StartGo(t, &tls.Config{
		Certificates: []tls.Certificate{pki.Server.TLSCertificate()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.CA.Pool(),
	}, nil)
	nginx := peers.StartNginx(t, peers.NginxConfig{Files: files, VerifyClient: "on"})

	tests := []struct {
		name       string
		server     *peers.Server
		clientArgs []string
		wantExit   int
		wantFailed map[string]string // test case → failure type
	}{
		{"go accepts client cert", goServer, []string{"--cert", path("client-crt.pem"), "--key", path("client-key.pem")}, 0, map[string]string{}},
		// Go's server speaks TLS 1.3 by default, so the client learns of the
		// rejection on its first read, after the handshake.
		{"go without client cert", goServer, nil, 1,
			map[string]string{"client certificate accepted": "client-cert-required", "http request": "fail"}},
		{"nginx without client cert", nginx, nil, 1,
			map[string]string{"client certificate accepted": "client-cert-required", "http request": "fail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"probe", tt.server.URL("/"), "--ca", path("test-ca-crt.pem"), "--server-name", "localhost",
				"--output", "junit"}, tt.clientArgs...)
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.wantExit {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantExit, stdout, stderr)
			}

			doc := parseJUnit(t, stdout)
			if got := doc.Suites[0].Name; !strings.Contains(got, tt.server.Addr) {
				t.Errorf("suite name %q does not name the target %s", got, tt.server.Addr)
			}
			got := failureTypes(doc)
			for name, typ := range tt.wantFailed {
				if got[name] != typ {
					t.Errorf("test case %q failed with type %q, want %q; failures: %v", name, got[name], typ, got)
				}
			}
			if len(got) != len(tt.wantFailed) {
				t.Errorf("failed test cases %v, want %v", got, tt.wantFailed)
			}
			for _, c := range doc.Suites[0].Cases {
				if c.Failure != nil && c.Failure.Type != "fail" && !strings.Contains(c.Failure.Text, "fix: ") {
					t.Errorf("failure of %q carries no fix:\n%s", c.Name, c.Failure.Text)
				}
			}
		})
	}
}

func TestVerifyOutputJUnit(t *testing.T) {
	dir, pki := writePKI(t)
	path := func(name string) string { return filepath.Join(dir, name) }
	expired, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("expired.pem"), expired.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, "verify", "--cert", path("expired.pem"), "--ca", path("test-ca-crt.pem"), "--output", "junit")
	if code != 1 {
		t.Fatalf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	doc := parseJUnit(t, stdout)
	types := failureTypes(doc)
	found := false
	for _, typ := range types {
		found = found || typ == "expired"
	}
	if !found {
		t.Errorf("no test case failed with type expired; failures: %v\n%s", types, stdout)
	}
}
