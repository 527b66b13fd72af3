// Package shellquote quotes words for a POSIX shell, so that the commands
// mtlsdoctor suggests work when pasted, also for paths with spaces.
package shellquote

import "strings"

// Quote returns s as one word for a POSIX shell (sh, bash, zsh, dash). A
// word of letters, digits and the characters @%+=:,./_- comes back as it
// is. Any other word, the empty one included, is put in single quotes, in
// which a POSIX shell takes every character literally. A single quote
// inside ends the quoted part, is added escaped with a backslash, and a
// new quoted part starts:
//
//	it's -> 'it'\''s'
func Quote(s string) string {
	if s != "" && !strings.ContainsFunc(s, needsQuoting) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each word with Quote and joins them with spaces.
func Join(words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = Quote(w)
	}
	return strings.Join(quoted, " ")
}

// needsQuoting reports whether r can change how a shell reads a word:
// anything but ASCII letters, digits and @%+=:,./_-.
func needsQuoting(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("@%+=:,./_-", r)
}
