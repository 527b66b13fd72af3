package serve

import (
	"crypto/x509"
	"regexp"
)

// subjectPattern pins the client identity to a regular expression that
// must match the whole common name or the whole RFC 2253 subject.
type subjectPattern struct {
	source string
	re     *regexp.Regexp
}

// compileSubjectPattern compiles a --client-subject value. The expression
// is anchored, so "Google LLC" does not admit "CN=Google LLC Evil".
func compileSubjectPattern(pattern string) (*subjectPattern, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, &ConfigError{
			Flag: "--client-subject", Value: pattern,
			Reason: "not a Go regular expression",
			Err:    err,
			Fix:    `write a regular expression for the whole common name or subject, such as "Google LLC" or ".*\.example\.com"`,
		}
	}
	return &subjectPattern{source: pattern, re: re}, nil
}

// match reports whether cert's subject common name or full subject matches.
func (p *subjectPattern) match(cert *x509.Certificate) bool {
	return p.re.MatchString(cert.Subject.CommonName) || p.re.MatchString(cert.Subject.String())
}
