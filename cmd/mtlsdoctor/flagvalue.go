package main

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/urfave/cli/v2"
)

// missingFlagValue returns a usage error for the first flag of the
// command in args that takes a value but has none: it ends the command
// line, or another flag or "--" follows it. The flag package would take
// that next argument as the value, and report --timeout "--" as an
// invalid duration, or --cert "--key" as a missing file.
func missingFlagValue(app *cli.App, args []string) error {
	if len(args) < 2 {
		return nil
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return nil
	}
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			return nil
		}
		if len(arg) < 2 || arg[0] != '-' {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		f := findFlag(cmd.Flags, name)
		if f == nil || hasValue || !takesValue(f) {
			continue
		}
		if i+1 == len(rest) || namesFlag(cmd, rest[i+1]) {
			return missingValueError("mtlsdoctor "+cmd.Name, f)
		}
		i++
	}
	return nil
}

// findFlag returns the flag of flags that has name, or nil.
func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	_, isBool := f.(*cli.BoolFlag)
	return !isBool
}

// namesFlag reports whether arg is "--" or one of the command's flags,
// with or without a value, or the help flag.
func namesFlag(cmd *cli.Command, arg string) bool {
	if arg == "--" {
		return true
	}
	if len(arg) < 2 || arg[0] != '-' {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return findFlag(cmd.Flags, name) != nil || name == "help" || name == "h"
}

// missingValueError returns the usage error for flag f of command without
// its value, with an example: the default where the flag has one.
func missingValueError(command string, f cli.Flag) error {
	name := f.Names()[0]
	example := defaultExample(f)
	switch f := f.(type) {
	case *cli.DurationFlag:
		example = "5s"
		if f.Value > 0 {
			example = f.Value.String()
		}
		return usagef("give a duration with a unit, such as 5s, 1500ms or 1m", "--%s needs a value, such as %s", name, example)
	case *cli.IntFlag:
		if f.Value > 0 {
			return usagef(fmt.Sprintf("pass a whole number right after --%s", name), "--%s needs a value, such as %d", name, f.Value)
		}
		return usagef(fmt.Sprintf("pass a whole number right after --%s", name), "--%s needs a value", name)
	}
	switch {
	case name == "output":
		return usagef("pass --output text, --output json or --output junit", "--output needs a value: text, json or junit")
	case takesFile(f) && example != "":
		return usagef(fmt.Sprintf("pass the path right after --%s", name), "--%s needs a path, such as %s", name, example)
	case takesFile(f):
		return usagef(fmt.Sprintf("pass the path right after --%s", name), "--%s needs a path", name)
	case example != "":
		return usagef(fmt.Sprintf("pass the value right after --%s, such as --%s %s", name, name, example), "--%s needs a value, such as %s", name, example)
	}
	return usagef(fmt.Sprintf("pass the value right after --%s; run %s --help for what it takes", name, command), "--%s needs a value", name)
}

func takesFile(f cli.Flag) bool {
	switch f := f.(type) {
	case *cli.StringFlag:
		return f.TakesFile
	case *cli.StringSliceFlag:
		return f.TakesFile
	}
	return false
}

// defaultExample returns the default of a string flag when it can serve
// as an example, which "." cannot.
func defaultExample(f cli.Flag) string {
	sf, ok := f.(*cli.StringFlag)
	if !ok || !strings.ContainsFunc(sf.Value, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return ""
	}
	return sf.Value
}
