package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// The completion scripts ask the program itself for the candidates when
// the hidden --generate-bash-completion flag ends the command line
// (EnableBashCompletion in newApp). Before the flag they pass the words
// typed so far and then the word being completed, even when it is empty,
// so that the program can tell "--cert<TAB>" from "--cert <TAB>".
// readCompletionWords takes the word being completed off again, unless it
// starts with "-": then urfave/cli prints the global flags that match it,
// and completeFlags a command's flags. The scripts pass a current word of
// "--" as "-", because urfave/cli v2 turns completion off when "--" is
// among the arguments. "-" lists every flag, and the shell then keeps
// those that start with "--".

// completionRequest is the hidden flag that requests completion candidates.
const completionRequest = "--generate-bash-completion"

// isCompletionRequest reports whether args ask for completion candidates.
func isCompletionRequest(args []string) bool {
	return len(args) > 1 && args[len(args)-1] == completionRequest
}

// readCompletionWords records the word being completed and the word
// before it from args, a completion request, and returns args without
// the word being completed unless it starts with "-".
func (e *env) readCompletionWords(args []string) []string {
	if len(args) < 3 {
		return args // nothing typed after the program name
	}
	e.completionWord = args[len(args)-2]
	if len(args) > 3 {
		e.previousWord = args[len(args)-3]
	}
	if strings.HasPrefix(e.completionWord, "-") {
		return args
	}
	return append(slices.Clip(args[:len(args)-2]), completionRequest)
}

// completeFlags prints the command's flags that match e.completionWord
// when it starts with "-", and nothing otherwise, so that the shell falls
// back to file names, which most arguments are. urfave/cli's default
// would offer the command's help subcommand there instead. Like
// urfave/cli, it ignores the dashes of the word, so "-" lists every flag
// and the shell keeps those that fit. It prints nothing either when the
// word is the value of the flag before it: the shell then completes file
// names, which the value of --cert and most others is.
func (e *env) completeFlags(c *cli.Context) {
	if !strings.HasPrefix(e.completionWord, "-") || e.completesFlagValue(c.Command) {
		return
	}
	prefix := strings.TrimPrefix(strings.TrimPrefix(e.completionWord, "-"), "-")
	for _, f := range c.Command.Flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		for _, name := range f.Names() {
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			dashes := "--"
			if len(name) == 1 {
				dashes = "-"
			}
			fmt.Fprintln(c.App.Writer, dashes+name)
		}
	}
}

// completesFlagValue reports whether the word being completed is the value
// of the flag before it, which takes one, as in "probe --cert <TAB>".
func (e *env) completesFlagValue(cmd *cli.Command) bool {
	prev := e.previousWord
	if cmd == nil || len(prev) < 2 || prev[0] != '-' || strings.Contains(prev, "=") {
		return false
	}
	f := findFlag(cmd.Flags, strings.TrimLeft(prev, "-"))
	return f != nil && takesValue(f)
}

// bashCompletion completes subcommands and flags, and falls back to file
// names, which most flag values are.
const bashCompletion = `# bash completion for mtlsdoctor. Load it in ~/.bashrc with:
#   source <(mtlsdoctor completion bash)
_mtlsdoctor() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
	if [[ $cur == -- ]]; then
		args+=(-)
	else
		args+=("$cur")
	fi
	local candidates
	candidates=$("${COMP_WORDS[0]}" "${args[@]}" --generate-bash-completion 2>/dev/null)
	COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -o bashdefault -F _mtlsdoctor mtlsdoctor
`

// zshCompletion does the same for zsh.
const zshCompletion = `#compdef mtlsdoctor
# zsh completion for mtlsdoctor. Load it in ~/.zshrc, after compinit, with:
#   source <(mtlsdoctor completion zsh)
_mtlsdoctor() {
	local -a args candidates
	args=("${(@)words[2,CURRENT-1]}")
	if [[ ${words[CURRENT]} == -- ]]; then
		args+=(-)
	else
		args+=("${words[CURRENT]}")
	fi
	candidates=(${(f)"$(${words[1]} "${args[@]}" --generate-bash-completion 2>/dev/null)"})
	if (( ${#candidates} )); then
		compadd -a candidates
	else
		_files
	fi
}
compdef _mtlsdoctor mtlsdoctor
`

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		UsageText: `source <(mtlsdoctor completion bash)     # in ~/.bashrc
source <(mtlsdoctor completion zsh)      # in ~/.zshrc, after compinit
mtlsdoctor completion fish > ~/.config/fish/completions/mtlsdoctor.fish`,
		Description: `Prints a script that completes the commands and flags of mtlsdoctor.
The bash and zsh scripts ask mtlsdoctor for the candidates each time, so they
stay current after an upgrade; the fish script lists them, so regenerate it
after an upgrade.`,
		BashComplete: func(c *cli.Context) {
			if strings.HasPrefix(e.completionWord, "-") {
				e.completeFlags(c)
				return
			}
			fmt.Fprintln(c.App.Writer, "bash\nzsh\nfish")
		},
		Action: func(c *cli.Context) error {
			switch {
			case c.NArg() == 0:
				return usagef("pass bash, zsh or fish, e.g. mtlsdoctor completion bash", "completion takes one shell name, got none")
			case c.NArg() > 1:
				return usagef("pass one shell name, e.g. mtlsdoctor completion bash",
					"completion takes one shell name, got the extra argument %q", c.Args().Get(1))
			}
			return writeCompletion(e.stdout, c.App, c.Args().First())
		},
	}
}

func writeCompletion(w io.Writer, app *cli.App, shell string) error {
	var script string
	switch shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		var err error
		if script, err = app.ToFishCompletion(); err != nil {
			return fmt.Errorf("generate fish completion: %w", err)
		}
		script = dedupeFish(script)
	default:
		return usagef("pass bash, zsh or fish", "unknown shell %q", shell)
	}
	_, err := io.WriteString(w, script)
	return err
}

// dedupeFish removes what urfave/cli's fish generator repeats when the app
// has already added its help command and flag: the same "complete" line
// twice, and "help h" twice in the list of subcommand names.
func dedupeFish(script string) string {
	lines := strings.Split(script, "\n")
	out := lines[:0]
	seen := map[string]bool{}
	for _, line := range lines {
		if strings.HasPrefix(line, "complete ") {
			if seen[line] {
				continue
			}
			seen[line] = true
		}
		if head, words, ok := strings.Cut(line, "contains -- $i "); ok {
			line = head + "contains -- $i " + strings.Join(uniqueWords(strings.Fields(words)), " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func uniqueWords(words []string) []string {
	seen := map[string]bool{}
	out := words[:0]
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
