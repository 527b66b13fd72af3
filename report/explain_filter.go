package report

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// maxLineLen bounds the part of a line that Explain matches, in bytes.
// The longest real error line in the tests has 344 bytes, while a log may
// contain lines of megabytes (a base64 body, a minified JSON dump) that
// would cost matching time for nothing.
// NOTE: an error that starts after the first maxLineLen bytes of its
// line is not explained.
const maxLineLen = 4 << 10

// literalFilter holds substrings of which every match of a pattern
// contains at least one, so a line that contains none of them is skipped
// without running the regexp.
type literalFilter struct {
	literals []string
	// always is true when the pattern has no such substrings, as for a
	// pattern made only of character classes or a case-insensitive one.
	always bool
}

// newLiteralFilter derives the filter of re from its syntax tree.
func newLiteralFilter(re *regexp.Regexp) literalFilter {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return literalFilter{always: true}
	}
	literals, ok := requiredLiterals(tree.Simplify())
	if !ok {
		return literalFilter{always: true}
	}
	return literalFilter{literals: literals}
}

// mayMatch reports whether line contains one of the filter's substrings.
func (f literalFilter) mayMatch(line string) bool {
	if f.always {
		return true
	}
	for _, lit := range f.literals {
		if strings.Contains(line, lit) {
			return true
		}
	}
	return false
}

// requiredLiterals returns substrings of which every string that re
// matches contains at least one, or ok false when it finds none. It is
// sound rather than complete: when unsure, it returns ok false.
func requiredLiterals(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return requiredLiterals(re.Sub[0])
	case syntax.OpConcat:
		// Any one factor's literals will do; the one whose shortest
		// literal is longest rejects the most lines.
		var best []string
		for _, sub := range re.Sub {
			literals, ok := requiredLiterals(sub)
			if ok && shortest(literals) > shortest(best) {
				best = literals
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			literals, ok := requiredLiterals(sub)
			if !ok {
				return nil, false
			}
			all = append(all, literals...)
		}
		return all, true
	}
	return nil, false
}

// shortest returns the length of the shortest of literals, or 0.
func shortest(literals []string) int {
	if len(literals) == 0 {
		return 0
	}
	n := len(literals[0])
	for _, lit := range literals[1:] {
		n = min(n, len(lit))
	}
	return n
}
