package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletionFlagCandidates(t *testing.T) {
	tests := []struct {
		name    string
		args    []string // the command line before --generate-bash-completion
		want    []string
		notWant []string
	}{
		{"single dash", []string{"probe", "-"}, []string{"--cert", "--targets", "--output", "-h"}, nil},
		{"partial flag", []string{"probe", "--c"}, []string{"--cert", "--ca", "--concurrency"}, []string{"--key"}},
		{"flag after URL", []string{"probe", "https://127.0.0.1:1/", "--c"}, []string{"--cert"}, []string{"connection-refused"}},
		{"argument", []string{"probe", "https://127.0.0.1:1/"}, nil, []string{"help", "connection-refused"}},
		{"file argument", []string{"inspect", ""}, nil, []string{"help"}},
		{"after double dash", []string{"explain", "--", "-----BEGIN"}, nil, []string{"no text", "help"}},
		{"shell name", []string{"completion", ""}, []string{"bash", "zsh", "fish"}, nil},
		{"flag being typed", []string{"probe", "--cert"}, []string{"--cert"}, nil},
		{"file flag value", []string{"probe", "--cert", ""}, nil, []string{"--cert"}},
		{"file flag value after URL", []string{"probe", "https://127.0.0.1:1/", "--key", ""}, nil, []string{"--key"}},
		{"duration flag value", []string{"probe", "--timeout", ""}, nil, []string{"--timeout"}},
		{"dash after value flag", []string{"verify", "--host", "-"}, nil, []string{"--host"}},
		{"flag after a flag value", []string{"verify", "--cert", "c.pem", "--k"}, []string{"--key"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(tt.args, completionRequest)...)
			if code != exitOK {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitOK, stderr)
			}
			lines := strings.Fields(stdout)
			for _, w := range tt.want {
				if !containsWord(lines, w) {
					t.Errorf("candidates lack %s:\n%s", w, stdout)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(stdout+stderr, w) {
					t.Errorf("output contains %q:\n%s%s", w, stdout, stderr)
				}
			}
			if tt.want == nil && stdout != "" {
				t.Errorf("candidates = %q, want none, so that the shell completes file names", stdout)
			}
		})
	}
}

func containsWord(words []string, w string) bool {
	for _, word := range words {
		if word == w {
			return true
		}
	}
	return false
}

// completionScript writes the completion script for shell to a file and
// returns its path and the path of the test binary, which runs as
// mtlsdoctor when runMainEnv is set.
func completionScript(t *testing.T, shell string) (script, binary string) {
	t.Helper()
	code, out, stderr := runCLI(t, "completion", shell)
	if code != exitOK {
		t.Fatalf("completion %s exited %d: %s", shell, code, stderr)
	}
	script = filepath.Join(t.TempDir(), "mtlsdoctor."+shell)
	if err := os.WriteFile(script, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	binary, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return script, binary
}

// shellCompletionCases are command lines whose last word is being
// completed, and the candidates the script must offer for it.
var shellCompletionCases = []struct {
	name    string
	words   []string
	want    []string
	notWant []string
}{
	{"single dash", []string{"probe", "-"}, []string{"--cert", "--targets", "-h"}, nil},
	{"double dash", []string{"probe", "--"}, []string{"--cert", "--targets", "--help"}, nil},
	{"partial flag", []string{"verify", "--c"}, []string{"--cert", "--ca"}, []string{"--key"}},
	{"argument after URL", []string{"probe", "https://127.0.0.1:1/", ""}, nil, []string{"help"}},
	{"file flag value", []string{"probe", "--cert", ""}, nil, []string{"--cert"}},
	{"file flag value after URL", []string{"probe", "https://127.0.0.1:1/", "--key", ""}, nil, []string{"--key"}},
	{"other flag value", []string{"probe", "--server-name", ""}, nil, []string{"--server-name"}},
	{"flag after a flag value", []string{"verify", "--cert", "c.pem", "--k"}, []string{"--key"}, nil},
	{"command", []string{"ver"}, []string{"verify"}, nil},
}

func TestBashCompletionScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script, binary := completionScript(t, "bash")
	for _, tc := range shellCompletionCases {
		t.Run(tc.name, func(t *testing.T) {
			// COMP_WORDS holds the words as bash splits the command line,
			// and COMP_CWORD the index of the one being completed.
			words := append([]string{binary}, tc.words...)
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c",
				`source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mtlsdoctor; printf '%s\n' "${COMPREPLY[@]}"`,
				"bash", script)
			cmd.Args = append(cmd.Args, words...)
			cmd.Env = append(os.Environ(), runMainEnv+"=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			checkCandidates(t, strings.Fields(string(out)), tc.want, tc.notWant)
		})
	}
}

func TestZshCompletionScript(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not installed")
	}
	script, binary := completionScript(t, "zsh")
	// Outside the completion system, compadd, _files and compdef are
	// stubs that print what the script hands them.
	const stubs = `compdef() { :; }
_files() { print -r -- FILES; }
compadd() { [[ $1 == -a ]] && print -rl -- ${(P)2}; }
`
	for _, tc := range shellCompletionCases {
		t.Run(tc.name, func(t *testing.T) {
			words := append([]string{binary}, tc.words...)
			cmd := exec.Command(zsh, "-f", "-c", stubs+`source "$1"; shift; words=("$@"); CURRENT=$#; _mtlsdoctor`, "zsh", script)
			cmd.Args = append(cmd.Args, words...)
			cmd.Env = append(os.Environ(), runMainEnv+"=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			candidates := strings.Fields(string(out))
			if tc.want == nil && !containsWord(candidates, "FILES") {
				t.Errorf("zsh does not fall back to file names: %q", candidates)
			}
			// zsh itself keeps the candidates that start with the word.
			var matching []string
			for _, c := range candidates {
				if strings.HasPrefix(c, tc.words[len(tc.words)-1]) {
					matching = append(matching, c)
				}
			}
			checkCandidates(t, matching, tc.want, tc.notWant)
		})
	}
}

func checkCandidates(t *testing.T, candidates, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !containsWord(candidates, w) {
			t.Errorf("candidates lack %s: %q", w, candidates)
		}
	}
	for _, w := range notWant {
		if containsWord(candidates, w) {
			t.Errorf("candidates contain %s: %q", w, candidates)
		}
	}
	if want == nil && len(candidates) > 0 && !containsWord(candidates, "FILES") {
		t.Errorf("candidates = %q, want none, so that the shell completes file names", candidates)
	}
}
