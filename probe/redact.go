package probe

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"

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

// urlPlaceholder replaces a URL's password and the values of its secret
// query parameters. It is the text that net/url's URL.Redacted puts in
// place of a password.
const urlPlaceholder = "xxxxx"

// RedactURL returns raw for reports, logs and error messages, with the
// password replaced as URL.Redacted does and the values of query
// parameters whose names look like secrets (secretParam) replaced by
// urlPlaceholder, in the query and in a fragment of name=value pairs.
// Text that does not parse as a URL is redacted by the same rules as far
// as its shape allows.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactURLText(raw)
	}
	u.RawQuery = redactQuery(u.RawQuery)
	if strings.Contains(u.Fragment, "=") {
		u.Fragment, u.RawFragment = redactQuery(u.Fragment), ""
	}
	return u.Redacted()
}

// redactURLText redacts a URL that net/url rejects, such as one with a
// space in its host: the password between "scheme://user:" and the "@"
// of the authority, and the secret values after the first "?".
func redactURLText(raw string) string {
	out := raw
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		authority := rest
		if end := strings.IndexAny(rest, "/?#"); end >= 0 {
			authority = rest[:end]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if user, _, hasPassword := strings.Cut(authority[:at], ":"); hasPassword {
				start := len(raw) - len(rest)
				out = raw[:start] + user + ":" + urlPlaceholder + raw[start+at:]
			}
		}
	}
	if base, query, ok := strings.Cut(out, "?"); ok {
		query, fragment, hasFragment := strings.Cut(query, "#")
		out = base + "?" + redactQuery(query)
		if hasFragment {
			out += "#" + redactQuery(fragment)
		}
	}
	return out
}

// redactQuery replaces the values of the secret parameters of a query
// string and keeps everything else, order and encoding included.
func redactQuery(query string) string {
	if query == "" {
		return query
	}
	pairs := strings.Split(query, "&")
	for i, pair := range pairs {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || value == "" {
			continue
		}
		if decoded, err := url.QueryUnescape(name); err == nil {
			name = decoded
		}
		if secretParam(name) {
			pairs[i] = pair[:len(pair)-len(value)] + urlPlaceholder
		}
	}
	return strings.Join(pairs, "&")
}

// secretWords are the words of a parameter name that mark its value as a
// secret, compared in lower case after the name is split at punctuation
// and at lower-to-upper case changes: access_token, apiKey, X-Amz-Signature.
var secretWords = map[string]bool{
	"token": true, "key": true, "secret": true, "password": true, "passwd": true, "pwd": true, "pass": true,
	"sig": true, "signature": true, "auth": true, "authorization": true, "code": true, "credential": true,
	"credentials": true, "apikey": true, "accesstoken": true, "jwt": true,
}

// secretSuffixes end parameter names that run their words together, such
// as apikey, accesstoken and clientsecret.
var secretSuffixes = []string{"token", "secret", "password", "passwd", "signature", "apikey", "accesskey", "secretkey", "privatekey"}

// secretParam reports whether a query parameter's name looks like it
// carries a secret.
func secretParam(name string) bool {
	for _, word := range nameWords(name) {
		if secretWords[word] {
			return true
		}
	}
	joined := strings.ToLower(strings.Join(nameWords(name), ""))
	for _, suffix := range secretSuffixes {
		if strings.HasSuffix(joined, suffix) {
			return true
		}
	}
	return false
}

// nameWords splits a parameter name into lower-case words at every
// character that is not a letter or digit, and before an upper-case
// letter that follows a lower-case one.
func nameWords(name string) []string {
	var words []string
	var word []rune
	var prev rune
	flush := func() {
		if len(word) > 0 {
			words = append(words, strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			word = append(word, r)
		default:
			word = append(word, r)
		}
		prev = r
	}
	flush()
	return words
}

// urlSecrets returns the strings of raw that reports must not show,
// longest first, each with its replacement: the whole URL and its request
// URI, the user:password@ part, each secret name=value pair, and the bare
// password and secret values that are at least 4 bytes long. A bare
// shorter value would match unrelated text.
func urlSecrets(raw string) []secretText {
	redactedURL := RedactURL(raw)
	if redactedURL == raw {
		return nil
	}
	secrets := []secretText{{raw, redactedURL}}
	u, err := url.Parse(raw)
	if err != nil {
		return secrets
	}
	if uri := u.RequestURI(); uri != redactRequestURI(u) {
		secrets = append(secrets, secretText{uri, redactRequestURI(u)})
	}
	if password, ok := u.User.Password(); ok && password != "" {
		secrets = append(secrets, secretText{u.User.String() + "@", u.User.Username() + ":" + urlPlaceholder + "@"})
		secrets = appendBareSecret(secrets, password, url.PathEscape(password))
	}
	for _, query := range []string{u.RawQuery, u.EscapedFragment()} {
		for _, pair := range strings.Split(query, "&") {
			name, value, ok := strings.Cut(pair, "=")
			if !ok || value == "" {
				continue
			}
			decodedName, err := url.QueryUnescape(name)
			if err != nil || !secretParam(decodedName) {
				continue
			}
			secrets = append(secrets, secretText{pair, name + "=" + urlPlaceholder})
			decoded, _ := url.QueryUnescape(value)
			secrets = appendBareSecret(secrets, value, decoded)
		}
	}
	slices.SortStableFunc(secrets, func(a, b secretText) int { return len(b.secret) - len(a.secret) })
	return secrets
}

// secretText is a secret and the text that replaces it.
type secretText struct {
	secret, replacement string
}

func appendBareSecret(secrets []secretText, values ...string) []secretText {
	for _, v := range values {
		if len(v) >= 4 && !slices.ContainsFunc(secrets, func(s secretText) bool { return s.secret == v }) {
			secrets = append(secrets, secretText{v, urlPlaceholder})
		}
	}
	return secrets
}

// redactRequestURI returns the request URI of u, as a request line shows
// it, with the secret query values replaced.
func redactRequestURI(u *url.URL) string {
	c := *u
	c.RawQuery = redactQuery(u.RawQuery)
	return c.RequestURI()
}

// redactURLSecrets replaces the secrets of the URL raw wherever rep
// shows text: a server or an error message may repeat the URL, as
// net/http's errors do.
func redactURLSecrets(rep *report.Report, raw string) {
	secrets := urlSecrets(raw)
	if len(secrets) == 0 || rep == nil {
		return
	}
	scrub := func(s string) string {
		for _, st := range secrets {
			s = strings.ReplaceAll(s, st.secret, st.replacement)
		}
		return s
	}
	rep.Target = scrub(rep.Target)
	scrubReport(rep, scrub)
}
