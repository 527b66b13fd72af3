package probe

import (
	"net/http"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// redacted replaces a secret wherever a report would print it.
const redacted = "[redacted]"

// RedactHeaders removes the values of the --header options from rep,
// because a webhook may echo them, such as an Authorization token, in its
// response headers or body. Values shorter than 4 bytes are left alone,
// since replacing them would mangle unrelated text.
func RedactHeaders(rep *report.Report, header http.Header) {
	var secrets []string
	for _, values := range header {
		for _, v := range values {
			if len(v) >= 4 {
				secrets = append(secrets, v)
			}
			// A bearer token may be echoed without its scheme.
			if _, token, ok := strings.Cut(v, " "); ok && len(token) >= 4 {
				secrets = append(secrets, token)
			}
		}
	}
	if len(secrets) == 0 || rep == nil {
		return
	}
	scrub := func(s string) string {
		for _, secret := range secrets {
			s = strings.ReplaceAll(s, secret, redacted)
		}
		return s
	}
	if rep.HTTP != nil {
		for name, value := range rep.HTTP.Headers {
			rep.HTTP.Headers[name] = scrub(value)
		}
		rep.HTTP.BodyExcerpt = scrub(rep.HTTP.BodyExcerpt)
	}
	for i := range rep.Findings {
		rep.Findings[i].Summary = scrub(rep.Findings[i].Summary)
		rep.Findings[i].Detail = scrub(rep.Findings[i].Detail)
	}
	for i := range rep.Checks {
		rep.Checks[i].Detail = scrub(rep.Checks[i].Detail)
	}
	for i := range rep.Notes {
		rep.Notes[i] = scrub(rep.Notes[i])
	}
}
