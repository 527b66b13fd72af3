package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/report"
	"github.com/mtlsdoctor/mtlsdoctor/serve"
)

func serveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run a verifying HTTPS test server that logs each client certificate",
		UsageText: `mtlsdoctor serve --client-ca test-ca-crt.pem
mtlsdoctor serve --client-ca ca-crt.pem --client-subject 'Google LLC' --project my-agent-project
mtlsdoctor serve --addr 127.0.0.1:8443 --client-auth request --client-ca test-ca-crt.pem`,
		Description: `Listens on --addr with the server certificate and key and asks for a client
certificate that must chain to one of the --client-ca files. Each connection
is logged on stderr with the client certificate's subject, issuer and SHA-256,
or the reason it was rejected. POST answers with an ES or CX WebhookResponse,
chosen by the request's shape; GET answers with a short text. Stop it with
Ctrl-C (SIGINT) or SIGTERM. SIGHUP reads --cert, --key and the --client-ca
files again: new handshakes use them and open connections carry on; when a
new file is invalid the server logs why and keeps the previous ones.
--log-format json writes one JSON object per log record.

The configuration findings always go to the log, at level ERROR, WARN or
INFO by their severity. --output text, the default, prints nothing on
stdout. --output json or junit also prints the startup report on stdout
once the server listens: the checks of the policy, the client CAs, the
client identity and the server certificate, their findings and the
certificates in force, as one JSON document or one JUnit file. The log
stays on stderr, and --output json makes it JSON too unless --log-format is
given. Findings after a SIGHUP reload go to the log only. After a stop by
signal serve exits with 0 whatever the report holds, so take a CI verdict
from the report's "ok" field or the JUnit failures.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "addr", Value: serve.DefaultAddr, Usage: "address to listen on"},
			&cli.StringFlag{Name: "cert", TakesFile: true, Value: serve.DefaultCertFile, Usage: "server certificate chain: " + certFormats},
			&cli.StringFlag{Name: "key", TakesFile: true, Value: serve.DefaultKeyFile,
				Usage: "server private key: " + keyFormats + "; without --key, the key in --cert when it contains one"},
			&cli.StringSliceFlag{Name: "client-ca", TakesFile: true, Usage: "CA file that client certificates must chain to (" + certFormats + "), repeatable; required unless --client-auth none"},
			&cli.StringFlag{Name: "client-auth", Value: string(serve.ClientAuthRequire), Usage: "client certificate policy: require, request or none"},
			&cli.StringSliceFlag{Name: "project", Usage: "accept only sessions of this Google Cloud project, repeatable (default: any)"},
			&cli.StringFlag{Name: "client-subject", Usage: "regular expression the client certificate's CN or whole subject must match (default: any)"},
			&cli.StringFlag{Name: "log-format", Value: string(serve.LogFormatText), Usage: "server log format on stderr: text (key=value) or json"},
			serveOutputFlag,
		}, passwordFlags()...),
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() > 0 {
				return usagef("pass options only, such as --addr "+c.Args().First(), "serve takes no arguments, got %q", c.Args().First())
			}
			policy, err := serve.ParseClientAuth(c.String("client-auth"))
			if err != nil {
				return configError(err)
			}
			logFormat, err := serve.ParseLogFormat(c.String("log-format"))
			if err != nil {
				return configError(err)
			}
			format, err := report.ParseFormat(c.String("output"))
			if err != nil {
				return outputFormatError(c.String("output"))
			}
			if format == report.FormatJSON && !c.IsSet("log-format") {
				logFormat = serve.LogFormatJSON
			}
			if _, _, err := net.SplitHostPort(c.String("addr")); err != nil {
				return usagef("pass HOST:PORT, such as 127.0.0.1:4433 or [::1]:4433", "invalid --addr %q: %v", c.String("addr"), err)
			}
			readOpts, err := readOptionsFromFlags(c)
			if err != nil {
				return err
			}
			// Without --key, serve takes the key from --cert when it
			// contains one, and else reads the default key file.
			keyFile := ""
			if c.IsSet("key") {
				keyFile = c.String("key")
			}
			srv, err := serve.New(serve.Config{
				Addr:          c.String("addr"),
				Read:          readOpts,
				CertFile:      c.String("cert"),
				KeyFile:       keyFile,
				ClientCAFiles: c.StringSlice("client-ca"),
				ClientAuth:    policy,
				Projects:      c.StringSlice("project"),
				ClientSubject: c.String("client-subject"),
				Logger:        serve.NewLogger(e.stderr, logFormat),
			})
			if err != nil {
				return configError(err)
			}
			srv.LogFindings()
			srv.ReloadOnSignal(c.Context, syscall.SIGHUP)
			ln, err := srv.Listen()
			var listenErr *serve.ListenError
			if errors.As(err, &listenErr) {
				return &usageError{err: err, fix: listenErr.Fix}
			}
			if err != nil {
				return &usageError{err: err}
			}
			if format != report.FormatText {
				if err := e.renderStartup(format, srv); err != nil {
					ln.Close()
					return err
				}
			}
			if err := srv.Serve(c.Context, ln); err != nil {
				return &usageError{err: err}
			}
			return nil
		},
	}
}

// serveOutputFlag is the --output flag of serve, whose report is the
// startup report.
var serveOutputFlag = &cli.StringFlag{
	Name:  "output",
	Value: string(report.FormatText),
	Usage: "text, json or junit: json and junit also print the startup report (checks, findings, certificates) on stdout once the server listens; text leaves the findings to the log",
}

// renderStartup prints the startup report of srv on stdout in format,
// before the server accepts connections. The report's error findings do
// not change the exit code, because the server runs regardless.
func (e *env) renderStartup(format report.Format, srv *serve.Server) error {
	rep := srv.StartupReport()
	rep.Notes = append(rep.Notes, "serving HTTPS on "+srv.Addr()+"; the log on stderr records each handshake and request")
	if err := report.Render(e.stdout, format, report.Options{Suite: "mtlsdoctor serve"}, rep); err != nil {
		return writeError("write startup report", err)
	}
	return nil
}

// configError turns a serve configuration error into a usage error, which
// exits with code 2.
func configError(err error) error {
	var ce *serve.ConfigError
	if errors.As(err, &ce) {
		return &usageError{err: fmt.Errorf("invalid %s %q: %s", ce.Flag, ce.Value, ce.Reason), fix: ce.Fix}
	}
	return &usageError{err: err}
}
