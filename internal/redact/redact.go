// Package redact replaces the secrets of a URL, which are its password
// and the values of query parameters named like secrets, in the text that
// reports, notes, errors and hints show. Requests still use the URL as
// given.
package redact

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Placeholder replaces a URL's password and the values of its secret
// query parameters. It is the text that net/url's URL.Redacted puts in
// place of a password.
const Placeholder = "xxxxx"

// URL returns raw for reports, logs and error messages, with the
// password replaced as URL.Redacted does and the values of query
// parameters whose names look like secrets (such as token, apiKey and
// X-Amz-Signature) replaced by Placeholder, in the query and in a
// fragment of name=value pairs. A URL without such secrets comes back
// unchanged, not re-encoded. Text that does not parse as a URL is
// redacted by the same rules as far as its shape allows.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return urlText(raw)
	}
	_, hasPassword := u.User.Password()
	query := redactQuery(u.RawQuery)
	fragment := u.Fragment
	if strings.Contains(u.Fragment, "=") {
		fragment = redactQuery(u.Fragment)
	}
	if !hasPassword && query == u.RawQuery && fragment == u.Fragment {
		return raw
	}
	u.RawQuery = query
	if fragment != u.Fragment {
		u.Fragment, u.RawFragment = fragment, ""
	}
	return u.Redacted()
}

// Source returns a certificate source, a file path or a URL, for
// messages: a URL goes through URL, and a path comes back unchanged,
// because a file name may contain "?" or "#" without meaning a query.
func Source(src string) string {
	if !strings.Contains(src, "://") {
		return src
	}
	return URL(src)
}

// RequestURI returns the request URI of u, as a request line shows it,
// with the secret query values replaced.
func RequestURI(u *url.URL) string {
	c := *u
	c.RawQuery = redactQuery(u.RawQuery)
	return c.RequestURI()
}

// urlText redacts a URL that net/url rejects, such as one with a space in
// its host: the password between "scheme://user:" and the "@" of the
// authority, and the secret values after the first "?".
func urlText(raw string) string {
	out := raw
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		authority := rest
		if end := strings.IndexAny(rest, "/?#"); end >= 0 {
			authority = rest[:end]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if user, _, hasPassword := strings.Cut(authority[:at], ":"); hasPassword {
				start := len(raw) - len(rest)
				out = raw[:start] + user + ":" + Placeholder + raw[start+at:]
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
			pairs[i] = pair[:len(pair)-len(value)] + Placeholder
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

// Secrets are the parts of one URL that output must not show, each with
// the text that replaces it. The zero value replaces nothing.
type Secrets struct {
	texts []secretText
}

// secretText is a secret and the text that replaces it.
type secretText struct {
	secret, replacement string
}

// URLSecrets returns the parts of raw that output must not show, longest
// first: the whole URL and its request URI, the user:password@ part,
// each secret name=value pair, and the bare password and secret values,
// in their raw and decoded forms, that are at least 4 bytes long. A bare
// shorter value would match unrelated text.
func URLSecrets(raw string) Secrets {
	redactedURL := URL(raw)
	if redactedURL == raw {
		return Secrets{}
	}
	texts := []secretText{{raw, redactedURL}}
	u, err := url.Parse(raw)
	if err != nil {
		return Secrets{texts}
	}
	if uri := u.RequestURI(); uri != RequestURI(u) {
		texts = append(texts, secretText{uri, RequestURI(u)})
	}
	if password, ok := u.User.Password(); ok && password != "" {
		texts = append(texts, secretText{u.User.String() + "@", u.User.Username() + ":" + Placeholder + "@"})
		texts = appendBareSecret(texts, password, url.PathEscape(password))
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
			texts = append(texts, secretText{pair, name + "=" + Placeholder})
			decoded, _ := url.QueryUnescape(value)
			texts = appendBareSecret(texts, value, decoded)
		}
	}
	slices.SortStableFunc(texts, func(a, b secretText) int { return len(b.secret) - len(a.secret) })
	return Secrets{texts}
}

func appendBareSecret(texts []secretText, values ...string) []secretText {
	for _, v := range values {
		if len(v) >= 4 && !slices.ContainsFunc(texts, func(s secretText) bool { return s.secret == v }) {
			texts = append(texts, secretText{v, Placeholder})
		}
	}
	return texts
}

// Empty reports whether s has nothing to replace.
func (s Secrets) Empty() bool {
	return len(s.texts) == 0
}

// Replace returns text with every secret of s replaced, longest first, so
// that a whole URL becomes its redacted form before its parts are
// searched for.
func (s Secrets) Replace(text string) string {
	for _, st := range s.texts {
		text = strings.ReplaceAll(text, st.secret, st.replacement)
	}
	return text
}
