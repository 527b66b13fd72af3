package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestFileFlagsNameFormats checks that each flag that reads a certificate
// or key file names the formats it accepts, in the same words everywhere.
func TestFileFlagsNameFormats(t *testing.T) {
	const (
		certFormatWords = "PEM, DER, PKCS#7 or PKCS#12"
		keyFormatWords  = "PEM, DER or PKCS#12"
		// bundle opens no PKCS#12 source, because a download must not set
		// the cost of opening it.
		sourceFormatWords = "PEM, DER or PKCS#7"
	)
	flags := []struct {
		command, flag, formats string
	}{
		{"serve", "cert", certFormatWords},
		{"serve", "key", keyFormatWords},
		{"serve", "client-ca", certFormatWords},
		{"probe", "cert", certFormatWords},
		{"probe", "key", keyFormatWords},
		{"probe", "ca", certFormatWords},
		{"verify", "cert", certFormatWords},
		{"verify", "key", keyFormatWords},
		{"verify", "ca", certFormatWords},
		{"bundle", "source", sourceFormatWords},
	}
	app := newApp(&env{})
	for _, f := range flags {
		t.Run(f.command+" --"+f.flag, func(t *testing.T) {
			usage := flagUsage(t, app, f.command, f.flag)
			if !strings.Contains(usage, f.formats) {
				t.Errorf("usage %q does not name the formats %q", usage, f.formats)
			}
		})
	}

	_, help, _ := runCLI(t, "bundle", "--help")
	if !strings.Contains(help, "PKCS#7") {
		t.Errorf("bundle --help does not name PKCS#7 among the source formats:\n%s", help)
	}
}

func flagUsage(t *testing.T, app *cli.App, command, name string) string {
	t.Helper()
	cmd := app.Command(command)
	if cmd == nil {
		t.Fatalf("no command %s", command)
	}
	for _, f := range cmd.Flags {
		if !strings.Contains(" "+strings.Join(f.Names(), " ")+" ", " "+name+" ") {
			continue
		}
		if df, ok := f.(cli.DocGenerationFlag); ok {
			return df.GetUsage()
		}
	}
	t.Fatalf("%s has no flag --%s", command, name)
	return ""
}
