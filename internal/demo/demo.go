// Package demo runs the whole mtlsdoctor job offline: it makes a test PKI,
// builds the Dialogflow ES bundle from the embedded copies, starts the
// verifying server on a free loopback port and probes it three ways.
package demo

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
	"github.com/mtlsdoctor/mtlsdoctor/probe"
	"github.com/mtlsdoctor/mtlsdoctor/report"
	"github.com/mtlsdoctor/mtlsdoctor/serve"
)

// Project is the Google Cloud project the demo's server accepts and its
// probes name in their session.
const Project = "mtlsdoctor-demo"

// Step is one stage of the demo with the report it produced and what was
// expected of it.
type Step struct {
	Name   string
	Report *report.Report
	// Expect is the finding code the step must produce; empty means the
	// step must have no error finding.
	Expect report.Code
	// ServerLog holds the server's log lines written during the step.
	ServerLog []string
}

// Passed reports whether the step behaved as expected.
func (s Step) Passed() bool {
	if s.Expect == "" {
		return !s.Report.HasErrors()
	}
	return s.Report.Has(s.Expect)
}

// Options configure Run.
type Options struct {
	// Dir keeps the generated files there; empty means a temporary folder
	// that Run removes.
	Dir string
	// Timeout bounds each probe.
	Timeout time.Duration
}

// syncBuffer collects the server's log lines while the probes run.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// drain returns the lines written since the last call.
func (b *syncBuffer) drain() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	text := strings.TrimSpace(b.buf.String())
	b.buf.Reset()
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// SetupError is a failure of the demo's own setup, such as a folder that
// cannot be written. Fix is the next step.
type SetupError struct {
	Err error
	Fix string
}

func (e *SetupError) Error() string { return e.Err.Error() }

func (e *SetupError) Unwrap() error { return e.Err }

// dirError explains why the demo cannot write its files to dir.
func dirError(dir string, err error) *SetupError {
	var exists *fsutil.ExistsError
	if errors.As(err, &exists) {
		return &SetupError{Err: fmt.Errorf("%s already exists, and demo never overwrites files", exists.Path),
			Fix: "Choose an empty or new folder with --dir, or leave --dir out to use a temporary folder."}
	}
	return &SetupError{Err: fmt.Errorf("write the demo files to %s: %w", dir, err),
		Fix: "Choose a folder you can write to with --dir, or leave --dir out to use a temporary folder."}
}

// Run performs the demo and returns its steps. The error, a *SetupError
// for a folder that cannot be written, is for a failure of the demo's own
// setup.
func Run(ctx context.Context, opts Options) ([]Step, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	dir := opts.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "mtlsdoctor-demo-")
		if err != nil {
			return nil, &SetupError{Err: fmt.Errorf("create a temporary folder: %w", err),
				Fix: "Check that the temporary folder (TMPDIR, or else /tmp) exists and can be written, or pass --dir."}
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	path := func(name string) string { return filepath.Join(dir, name) }

	// 1. The test PKI, as mtlsdoctor gen writes it.
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		return nil, err
	}
	written, err := pki.Write(dir, false)
	if err != nil {
		return nil, dirError(dir, err)
	}
	genReport := &report.Report{Target: dir, Kind: "gen"}
	for _, p := range written {
		genReport.Notes = append(genReport.Notes, "wrote "+p)
	}
	steps := []Step{{Name: "make a test CA, server and client certificates", Report: genReport}}

	// 2. The platform's CA bundle from the embedded copies.
	bundle, err := chain.BuildBundle(ctx, chain.BundleOptions{Profile: chain.DefaultProfile, Offline: true})
	if err != nil {
		return nil, err
	}
	if bundle.PEM != nil {
		if err := chain.WriteBundle(path("ca-crt.pem"), bundle.PEM, false); err != nil {
			return nil, dirError(dir, err)
		}
		bundle.Report.Notes = append(bundle.Report.Notes, "wrote "+path("ca-crt.pem"))
	}
	steps = append(steps, Step{Name: "build the Dialogflow ES CA bundle offline", Report: bundle.Report})

	// 3. The verifying server: it trusts the platform's CA for real calls
	// and the test CA for these probes, and pins both client identities.
	logs := &syncBuffer{}
	srv, err := serve.New(serve.Config{
		Addr:          "127.0.0.1:0",
		CertFile:      path(fixtures.ServerCertFile),
		KeyFile:       path(fixtures.ServerKeyFile),
		ClientCAFiles: []string{path("ca-crt.pem"), path(fixtures.CAFile)},
		ClientAuth:    serve.ClientAuthRequire,
		Projects:      []string{Project},
		ClientSubject: "Google LLC|" + pki.Client.Cert.Subject.CommonName,
		Logger:        slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		return nil, err
	}
	ln, err := srv.Listen()
	if err != nil {
		return nil, err
	}
	serveCtx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	defer func() {
		stopServer()
		<-served
	}()
	serverReport := &report.Report{Target: "https://" + srv.Addr(), Kind: "serve"}
	serverReport.Add(srv.Findings()...)
	serverReport.Notes = append(serverReport.Notes, logs.drain()...)
	steps = append(steps, Step{Name: "start the verifying server", Report: serverReport})

	// 4. Three probes: as the platform, without a certificate, and with a
	// certificate from a CA the server does not trust.
	url := "https://" + srv.Addr() + "/"
	clientCert := pki.Client.TLSCertificate()
	foreign, err := fixtures.NewPKI(fixtures.Options{CAName: "mtlsdoctor foreign CA", ClientCN: "intruder"})
	if err != nil {
		return nil, err
	}
	foreignCert := foreign.Client.TLSCertificate()
	probes := []struct {
		name   string
		cert   *tls.Certificate
		expect report.Code
	}{
		{"probe with the client certificate, as the platform would", &clientCert, ""},
		{"probe without a client certificate", nil, report.CodeClientCertRequired},
		{"probe with a client certificate from a foreign CA", &foreignCert, report.CodeClientCertRejected},
	}
	for _, p := range probes {
		rep := probe.Run(ctx, probe.Options{
			URL:         url,
			Certificate: p.cert,
			Roots:       pki.CA.Pool(),
			ServerName:  "localhost",
			Edition:     probe.EditionES,
			Project:     Project,
			Timeout:     opts.Timeout,
		})
		// The server logs a failed handshake just after the client sees
		// it; a short wait keeps the log with its probe.
		time.Sleep(50 * time.Millisecond)
		steps = append(steps, Step{Name: p.name, Report: rep, Expect: p.expect, ServerLog: logs.drain()})
	}
	return steps, nil
}

// Summary returns a report with one check per step: pass when the step
// behaved as expected.
func Summary(steps []Step) *report.Report {
	rep := &report.Report{Target: "summary", Kind: "demo"}
	for _, s := range steps {
		expected := "no error"
		if s.Expect != "" {
			expected = string(s.Expect)
		}
		status := report.StatusPass
		if !s.Passed() {
			status = report.StatusFail
		}
		rep.Checks = append(rep.Checks, report.Check{Name: s.Name, Status: status, Detail: "expected " + expected})
	}
	return rep
}
