package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files, such as docs/mtlsdoctor.1, from the current output")

// manPagePath is the committed man page, relative to this package.
var manPagePath = filepath.Join("..", "..", "docs", "mtlsdoctor.1")

func TestManPageUpToDate(t *testing.T) {
	code, page, stderr := runCLI(t, "man")
	if code != exitOK {
		t.Fatalf("man exited %d: %s", code, stderr)
	}
	if *update {
		if err := os.WriteFile(manPagePath, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(manPagePath)
	if err != nil {
		t.Fatalf("read the committed man page: %v (create it with go generate ./cmd/mtlsdoctor)", err)
	}
	if !bytes.Equal(committed, []byte(page)) {
		t.Errorf("%s is out of date with the command definitions: run go generate ./cmd/mtlsdoctor, "+
			"or go test ./cmd/mtlsdoctor -run TestManPageUpToDate -update", manPagePath)
	}
	for _, part := range []string{".TH mtlsdoctor 1", "EXIT CODES", "--audit", "--targets"} {
		if !strings.Contains(page, part) {
			t.Errorf("man page lacks %q", part)
		}
	}
}

func TestManOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mtlsdoctor.1")
	if code, _, stderr := runCLI(t, "man", "--out", out); code != exitOK {
		t.Fatalf("man --out exited %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), ".nh\n.TH mtlsdoctor 1") {
		t.Errorf("man --out wrote %q…, want a roff page", data[:min(40, len(data))])
	}
}

func TestHelpLeadsWithExamples(t *testing.T) {
	app := newApp(&env{})
	for _, cmd := range app.Commands {
		if cmd.Hidden {
			continue
		}
		t.Run(cmd.Name, func(t *testing.T) {
			code, out, stderr := runCLI(t, cmd.Name, "--help")
			if code != exitOK {
				t.Fatalf("%s --help exited %d: %s", cmd.Name, code, stderr)
			}
			usage, description := strings.Index(out, "USAGE:"), strings.Index(out, "DESCRIPTION:")
			if usage < 0 || description < usage {
				t.Fatalf("%s --help lacks USAGE before DESCRIPTION:\n%s", cmd.Name, out)
			}
			if !strings.Contains(out[usage:description], "mtlsdoctor "+cmd.Name+" ") {
				t.Errorf("%s --help does not start with examples in USAGE:\n%s", cmd.Name, out)
			}
			if !strings.Contains(out, "EXIT CODES:") || !strings.Contains(out, "2  invalid usage") {
				t.Errorf("%s --help does not list the exit codes:\n%s", cmd.Name, out)
			}
		})
	}
	t.Run("top level", func(t *testing.T) {
		code, out, _ := runCLI(t, "--help")
		if code != exitOK || !strings.Contains(out, "EXIT CODES:") {
			t.Errorf("mtlsdoctor --help exited %d or lacks the exit codes:\n%s", code, out)
		}
	})
}

func TestCompletion(t *testing.T) {
	cases := []struct {
		shell    string
		wantCode int
		want     []string
	}{
		{"bash", exitOK, []string{"complete -o default", "--generate-bash-completion"}},
		{"zsh", exitOK, []string{"#compdef mtlsdoctor", "compdef _mtlsdoctor mtlsdoctor", "--generate-bash-completion"}},
		{"fish", exitOK, []string{"complete -c mtlsdoctor", "probe"}},
		{"tcsh", exitUsage, nil},
	}
	for _, tc := range cases {
		t.Run(tc.shell, func(t *testing.T) {
			code, out, _ := runCLI(t, "completion", tc.shell)
			if code != tc.wantCode {
				t.Fatalf("completion %s exited %d, want %d", tc.shell, code, tc.wantCode)
			}
			for _, part := range tc.want {
				if !strings.Contains(out, part) {
					t.Errorf("completion %s lacks %q", tc.shell, part)
				}
			}
			seen := map[string]bool{}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "complete ") && seen[line] {
					t.Errorf("completion %s repeats %q", tc.shell, line)
				}
				seen[line] = true
				if strings.Contains(line, " help h help h") {
					t.Errorf("completion %s lists help twice: %q", tc.shell, line)
				}
			}
		})
	}

	t.Run("fish file flags", func(t *testing.T) {
		_, out, _ := runCLI(t, "completion", "fish")
		// -f turns file name completion off for a flag's value.
		flags := []struct {
			command, flag string
			takesFile     bool
		}{
			{"probe", "cert", true}, {"probe", "key", true}, {"probe", "ca", true}, {"probe", "targets", true},
			{"verify", "ca", true}, {"serve", "client-ca", true}, {"bundle", "out", true}, {"bundle", "source", true},
			{"gen", "dir", true}, {"demo", "dir", true}, {"inspect", "password-file", true},
			{"gen", "key-type", false}, {"probe", "edition", false}, {"serve", "addr", false},
		}
		for _, f := range flags {
			line := fishFlagLine(out, f.command, f.flag)
			if line == "" {
				t.Errorf("fish script has no line for %s --%s", f.command, f.flag)
				continue
			}
			if noFiles := strings.Contains(line, " -f "); noFiles == f.takesFile {
				t.Errorf("%s --%s: file completion is %v, want %v: %s", f.command, f.flag, !noFiles, f.takesFile, line)
			}
		}
	})

	t.Run("bash and zsh double dash", func(t *testing.T) {
		// "--" would end flag parsing before the completion request.
		for _, shell := range []string{"bash", "zsh"} {
			_, out, _ := runCLI(t, "completion", shell)
			if !strings.Contains(out, "== -- ]]") {
				t.Errorf("the %s script does not handle a current word of --", shell)
			}
		}
	})
}

// fishFlagLine returns the line of the fish script that completes --flag
// of command, or "".
func fishFlagLine(script, command, flag string) string {
	for _, line := range strings.Split(script, "\n") {
		if strings.Contains(line, "__fish_seen_subcommand_from "+command+"'") && strings.Contains(line, " -l "+flag+" ") {
			return line
		}
	}
	return ""
}

func TestCompletionCandidates(t *testing.T) {
	// urfave/cli reads os.Args, not the arguments of Run, to decide
	// whether to complete a flag or a command.
	args := os.Args
	os.Args = []string{"mtlsdoctor", "--generate-bash-completion"}
	t.Cleanup(func() { os.Args = args })

	code, out, _ := runCLI(t, "--generate-bash-completion")
	if code != exitOK {
		t.Fatalf("--generate-bash-completion exited %d", code)
	}
	for _, name := range []string{"probe", "serve", "bundle", "completion"} {
		if !strings.Contains(out, name+"\n") {
			t.Errorf("completion candidates lack %q:\n%s", name, out)
		}
	}
	if strings.Contains(out, "man\n") {
		t.Errorf("completion candidates list the hidden man command:\n%s", out)
	}
}
