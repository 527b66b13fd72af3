// Package hostname converts internationalized host names to the A-label
// form (xn--…) that DNS, TLS server names and certificates use, and shows
// such names in both forms for messages.
package hostname

import (
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// lookupProfile converts internationalized host names to the ASCII form
// that a client looks up (RFC 5891 section 5, with the UTS #46 mapping of
// case and width). It also checks the Bidi rule (RFC 5893), hyphens,
// joiners and the DNS length limits.
var lookupProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.CheckHyphens(true),
	idna.CheckJoiners(true),
	idna.VerifyDNSLength(true),
)

// ToASCII returns the A-label form of a host name, such as
// xn--bcher-kva.example for bücher.example. An ASCII name, an IP address
// and the empty string come back unchanged, because crypto/tls and
// crypto/x509 compare ASCII names case-insensitively already. A name that
// IDNA rejects returns the error of golang.org/x/net/idna, whose text
// starts with "idna: ".
func ToASCII(name string) (string, error) {
	if isASCII(name) || net.ParseIP(name) != nil {
		return name, nil
	}
	return lookupProfile.ToASCII(name)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Display returns a host name for messages. A name with an A-label that
// decodes to Unicode shows that form first and the A-label form in
// brackets, as in "bücher.example (xn--bcher-kva.example)". Any other
// name comes back unchanged.
func Display(name string) string {
	unicode, ok := unicodeForm(name)
	if !ok {
		return name
	}
	return unicode + " (" + name + ")"
}

// Quote is Display with the name in double quotes, as %q prints it:
// "bücher.example" (xn--bcher-kva.example), or "localhost".
func Quote(name string) string {
	unicode, ok := unicodeForm(name)
	if !ok {
		return strconv.Quote(name)
	}
	return strconv.Quote(unicode) + " (" + name + ")"
}

// unicodeForm returns the Unicode form of an ASCII name with at least one
// A-label that decodes, and false for any other name.
func unicodeForm(name string) (string, bool) {
	if !isASCII(name) || !strings.Contains(strings.ToLower(name), "xn--") {
		return "", false
	}
	unicode, err := idna.Display.ToUnicode(name)
	if err != nil || unicode == name {
		return "", false
	}
	return unicode, true
}
