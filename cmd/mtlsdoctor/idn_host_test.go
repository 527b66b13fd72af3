package main

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

const (
	idnHost    = "bücher.example"
	idnALabel  = "xn--bcher-kva.example"
	idnDisplay = idnHost + " (" + idnALabel + ")"
)

// startIDNServer serves HTTPS on 127.0.0.1 with the server certificate
// and key in dir, and records the server name and Host header of each
// request.
func startIDNServer(t *testing.T, dir string) (*httptest.Server, func() (sni, host []string)) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, fixtures.ServerCertFile), filepath.Join(dir, fixtures.ServerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var sni, hosts []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{cert},
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			sni = append(sni, hello.ServerName)
			mu.Unlock()
			return nil, nil
		},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, func() ([]string, []string) {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(sni), slices.Clone(hosts)
	}
}

// TestInternationalHostGenVerifyProbe makes a certificate for an
// internationalized name with gen and checks that verify and probe
// accept that name in either form, and that probe sends the A-label as
// the server name and in the Host header.
func TestInternationalHostGenVerifyProbe(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "gen", "--dir", dir, "--host", idnHost); code != 0 {
		t.Fatalf("gen: exit %d; stderr: %s", code, stderr)
	}
	ca := filepath.Join(dir, fixtures.CAFile)
	serverCert := filepath.Join(dir, fixtures.ServerCertFile)

	for _, name := range []string{idnHost, idnALabel, "Bücher.Example"} {
		t.Run("verify "+name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "verify", "--cert", serverCert, "--ca", ca, "--host", name)
			if code != 0 {
				t.Errorf("exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if strings.Contains(stdout, "hostname-mismatch") {
				t.Errorf("hostname-mismatch for %q:\n%s", name, stdout)
			}
		})
	}

	srv, received := startIDNServer(t, dir)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{idnHost, idnALabel} {
		t.Run("probe "+name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "probe", srv.URL, "--server-name", name, "--ca", ca,
				"--edition", "none", "--aia=false", "--output", "json")
			if code != 0 {
				t.Errorf("exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			rep := parseIDNReport(t, stdout)
			if slices.Contains(rep.codes(), "hostname-mismatch") {
				t.Errorf("hostname-mismatch for --server-name %q:\n%s", name, stdout)
			}
			if rep.TLS.ServerName != idnDisplay {
				t.Errorf("tls.server_name = %q, want %q", rep.TLS.ServerName, idnDisplay)
			}
			want := `1 certificate verified against the --ca roots for "` + idnHost + `" (` + idnALabel + `)`
			if got := rep.detail("server certificate"); got != want {
				t.Errorf("server certificate check: %q, want %q", got, want)
			}
		})
	}
	sni, hosts := received()
	for _, got := range sni {
		if got != idnALabel {
			t.Errorf("the server received the server name %q, want %q", got, idnALabel)
		}
	}
	for _, got := range hosts {
		if want := net.JoinHostPort(idnALabel, port); got != want {
			t.Errorf("the server received the Host header %q, want %q", got, want)
		}
	}
	if len(sni) == 0 || len(hosts) == 0 {
		t.Errorf("the server received %d handshakes and %d requests, want some of each", len(sni), len(hosts))
	}

	t.Run("mismatch shows both forms", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "verify", "--cert", serverCert, "--ca", ca, "--host", "bücher.test", "--output", "json")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		rep := parseIDNReport(t, stdout)
		want := `the certificate is not valid for "bücher.test" (xn--bcher-kva.test)`
		if !slices.ContainsFunc(rep.Findings, func(f idnFinding) bool { return f.Code == "hostname-mismatch" && f.Summary == want }) {
			t.Errorf("no hostname-mismatch finding %q:\n%s", want, stdout)
		}
	})
}

// idnReport is the part of a JSON report that the tests above check.
type idnReport struct {
	TLS struct {
		ServerName string `json:"server_name"`
	} `json:"tls"`
	Checks []struct {
		Name   string `json:"name"`
		Detail string `json:"detail"`
	} `json:"checks"`
	Findings []idnFinding `json:"findings"`
}

type idnFinding struct {
	Code    string `json:"code"`
	Summary string `json:"summary"`
}

func parseIDNReport(t *testing.T, out string) idnReport {
	t.Helper()
	var rep idnReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	return rep
}

func (r idnReport) codes() []string {
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
	}
	return codes
}

func (r idnReport) detail(check string) string {
	for _, c := range r.Checks {
		if c.Name == check {
			return c.Detail
		}
	}
	return ""
}

func TestInternationalHostRejected(t *testing.T) {
	dir, _ := writePKI(t)
	tests := []struct {
		name string
		args []string
		flag string
	}{
		{"verify --host", []string{"verify", "--cert", filepath.Join(dir, fixtures.ServerCertFile), "--host", "bü_cher.example"}, "--host"},
		{"probe --server-name", []string{"probe", "https://127.0.0.1:1/", "--server-name", "bü_cher.example"}, "--server-name"},
		{"probe URL host", []string{"probe", "https://bü_cher.example:4433/"}, "webhook URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			message, _ := stderrMessage(t, stderr)
			if !strings.Contains(message, tt.flag) {
				t.Errorf("message %q does not name %s", message, tt.flag)
			}
			if want := "IDNA rejects"; !strings.Contains(message, want) {
				t.Errorf("message %q lacks %q", message, want)
			}
		})
	}
}

func TestGenDropsRepeatedHosts(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "gen", "--dir", dir, "--host", idnHost, "--host", idnALabel,
		"--host", "Localhost", "--host", "localhost", "--host", "::1", "--host", "0:0:0:0:0:0:0:1")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	server := readCert(t, filepath.Join(dir, fixtures.ServerCertFile))
	if want := []string{idnALabel, "Localhost"}; !slices.Equal(server.DNSNames, want) {
		t.Errorf("DNS names = %q, want %q", server.DNSNames, want)
	}
	if len(server.IPAddresses) != 1 || !server.IPAddresses[0].Equal(net.IPv6loopback) {
		t.Errorf("IP addresses = %v, want only ::1", server.IPAddresses)
	}
	for _, want := range []string{
		`dropped --host "` + idnALabel + `": it names the same subject alternative name as --host "` + idnHost + `" (` + idnALabel + `)`,
		`dropped --host "localhost": it names the same subject alternative name as --host "Localhost"`,
		`dropped --host "0:0:0:0:0:0:0:1": it names the same subject alternative name as --host "::1"`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}
