package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/serve"
)

// startServe runs the verifying server on a free loopback port with the
// test PKI in dir and returns its URL.
func startServe(t *testing.T, dir string, projects ...string) string {
	t.Helper()
	srv, err := serve.New(serve.Config{
		Addr:          "127.0.0.1:0",
		CertFile:      filepath.Join(dir, "server-crt.pem"),
		KeyFile:       filepath.Join(dir, "server-key.pem"),
		ClientCAFiles: []string{filepath.Join(dir, "test-ca-crt.pem")},
		Projects:      projects,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("configure serve: %v", err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-served
	})
	return "https://" + srv.Addr() + "/webhook"
}

func TestProbeUsageErrors(t *testing.T) {
	dir, _ := writePKI(t)
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte("https://127.0.0.1:1/\nhttps://127.0.0.1:1/ --cert x.pem\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no URL", []string{"probe"}, "exactly one URL"},
		{"URL and targets", []string{"probe", "https://127.0.0.1:1/", "--targets", targets}, "either one URL or --targets"},
		{"header without colon", []string{"probe", "https://127.0.0.1:1/", "--header", "Authorization Bearer s3cret"}, "invalid --header"},
		{"host header", []string{"probe", "https://127.0.0.1:1/", "--header", "Host: s3cret.example"}, "--server-name"},
		{"param without value", []string{"probe", "https://127.0.0.1:1/", "--param", "guests"}, "invalid --param"},
		{"param twice", []string{"probe", "https://127.0.0.1:1/", "--param", "a=1", "--param", "a=2"}, "--param a is given twice"},
		{"session of other edition", []string{"probe", "https://127.0.0.1:1/", "--edition", "cx", "--session", "projects/p/agent/sessions/s"}, "ES session name"},
		{"bad targets line", []string{"probe", "--targets", targets}, "targets.txt:2: unknown option --cert"},
		{"missing targets file", []string{"probe", "--targets", filepath.Join(dir, "none.txt")}, "none.txt"},
		{"targets directory", []string{"probe", "--targets", dir}, dir + `" is a directory`},
		{"targets directory fix", []string{"probe", "--targets", dir}, "fix: --targets needs a file with one https:// URL a line"},
		{"zero concurrency", []string{"probe", "--targets", targets, "--concurrency", "0"}, "invalid --concurrency 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d; stderr: %s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.wantStderr)
			}
			if strings.Contains(stderr+stdout, "s3cret") {
				t.Errorf("the output repeats a header value: %s", stderr)
			}
		})
	}
}

func TestProbeAuditCommand(t *testing.T) {
	dir, _ := writePKI(t)
	url := startServe(t, dir, "acme-prod")
	p := func(name string) string { return filepath.Join(dir, name) }
	client := []string{"--cert", p("client-crt.pem"), "--key", p("client-key.pem"), "--ca", p("test-ca-crt.pem"), "--aia=false"}

	code, stdout, stderr := runCLI(t, append([]string{"probe", url, "--audit", "--project", "acme-prod", "--output", "json"}, client...)...)
	if code != exitOK {
		t.Fatalf("probe --audit exited %d; stderr: %s\n%s", code, stderr, stdout)
	}
	var rep struct {
		Kind   string `json:"kind"`
		OK     bool   `json:"ok"`
		Checks []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, stdout)
	}
	statuses := map[string]string{}
	for _, c := range rep.Checks {
		statuses[c.Name] = c.Status
	}
	for _, name := range []string{"audit: no client certificate", "audit: unknown CA", "audit: TLS 1.0", "audit: other project"} {
		if statuses[name] != "pass" {
			t.Errorf("check %q has status %q, want pass", name, statuses[name])
		}
	}
	if rep.Kind != "audit" || !rep.OK {
		t.Errorf("kind %q, ok %v; want audit, true", rep.Kind, rep.OK)
	}
}

func TestProbeTargetsCommand(t *testing.T) {
	dir, _ := writePKI(t)
	url := startServe(t, dir, "acme-prod")
	p := func(name string) string { return filepath.Join(dir, name) }
	targets := p("targets.txt")
	lines := "# the staging webhooks\n" +
		url + " --project acme-prod\n" +
		url + " --edition cx --project acme-prod\n" +
		url + " --project other-project   # rejected with 403\n"
	if err := os.WriteFile(targets, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"probe", "--targets", targets, "--concurrency", "2",
		"--cert", p("client-crt.pem"), "--key", p("client-key.pem"), "--ca", p("test-ca-crt.pem"), "--aia=false"}

	t.Run("json lines", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, append(args, "--output", "json")...)
		if code != exitFindings {
			t.Fatalf("exit code %d, want %d; stderr: %s", code, exitFindings, stderr)
		}
		out := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(out) != 3 {
			t.Fatalf("got %d lines, want one JSON object per target:\n%s", len(out), stdout)
		}
		wantOK := []bool{true, true, false}
		for i, line := range out {
			var rep struct {
				Target string `json:"target"`
				OK     bool   `json:"ok"`
			}
			if err := json.Unmarshal([]byte(line), &rep); err != nil {
				t.Fatalf("line %d is not JSON: %v", i+1, err)
			}
			if rep.OK != wantOK[i] || rep.Target != url {
				t.Errorf("line %d: target %s ok %v, want %s ok %v", i+1, rep.Target, rep.OK, url, wantOK[i])
			}
		}
	})

	t.Run("text summary", func(t *testing.T) {
		code, stdout, _ := runCLI(t, append(args, "--output", "text")...)
		if code != exitFindings {
			t.Errorf("exit code %d, want %d", code, exitFindings)
		}
		for _, part := range []string{"total ms", "3 targets: 2 ok, 1 failed", "http-status"} {
			if !strings.Contains(stdout, part) {
				t.Errorf("text output lacks %q:\n%s", part, stdout)
			}
		}
	})

	t.Run("junit", func(t *testing.T) {
		_, stdout, _ := runCLI(t, append(args, "--output", "junit")...)
		var doc struct {
			Suites []struct {
				Name string `xml:"name,attr"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("output is not XML: %v", err)
		}
		if len(doc.Suites) != 3 {
			t.Errorf("got %d test suites, want one per target", len(doc.Suites))
		}
	})
}
