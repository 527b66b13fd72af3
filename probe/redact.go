package probe

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
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
	scrubReport(rep, scrub)
}

// scrubReport applies scrub to every text of rep that may repeat what the
// request carried: the response, the findings, the checks and the notes.
func scrubReport(rep *report.Report, scrub func(string) string) {
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

// RedactURL returns raw for reports, logs and error messages, with the
// password and the values of query parameters named like secrets
// replaced, as redact.URL does.
func RedactURL(raw string) string {
	return redact.URL(raw)
}

// redactRequestURI returns the request URI of u, as a request line shows
// it, with the secret query values replaced.
func redactRequestURI(u *url.URL) string {
	return redact.RequestURI(u)
}

// redactURLSecrets replaces the secrets of the URL raw wherever rep
// shows text: a server or an error message may repeat the URL, as
// net/http's errors do.
func redactURLSecrets(rep *report.Report, raw string) {
	secrets := redact.URLSecrets(raw)
	if secrets.Empty() || rep == nil {
		return
	}
	rep.Target = secrets.Replace(rep.Target)
	scrubReport(rep, secrets.Replace)
}
