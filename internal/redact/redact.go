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
// password replaced as URL.Redacted does. The values of query parameters
// whose names look like secrets (such as token, apiKey and
// X-Amz-Signature) become Placeholder, and redactFragment redacts the
// fragment. A URL without such secrets comes back unchanged, not
// re-encoded. Text that does not parse as a URL is redacted by the same
// rules as far as its shape allows.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return urlText(raw)
	}
	_, hasPassword := u.User.Password()
	query := redactQuery(u.RawQuery)
	fragment := redactFragment(u.Fragment)
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
			out += "#" + redactFragment(fragment)
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
		if secretParam(unescapeName(name)) {
			pairs[i] = pair[:len(pair)-len(value)] + Placeholder
		}
	}
	return strings.Join(pairs, "&")
}

// redactFragment replaces every non-empty value of a fragment of
// name=value pairs, whatever the name, and each part without "=" that
// looks like a secret's name. A client never sends the fragment in an
// HTTP request, because a request target has none (RFC 9112, section
// 3.2). So its values play no part in a diagnosis, while OAuth's implicit
// flow puts tokens there under names such as access_token and id_token.
// Other text, such as "section-2", comes back unchanged.
func redactFragment(fragment string) string {
	if fragment == "" {
		return fragment
	}
	parts := strings.Split(fragment, "&")
	for i, part := range parts {
		name, value, ok := strings.Cut(part, "=")
		switch {
		case ok && value != "":
			parts[i] = name + "=" + Placeholder
		case !ok && secretParam(unescapeName(part)):
			parts[i] = Placeholder
		}
	}
	return strings.Join(parts, "&")
}

// unescapeName returns name with its query escapes decoded, or name
// itself when it has a malformed escape such as "%zz".
func unescapeName(name string) string {
	if decoded, err := url.QueryUnescape(name); err == nil {
		return decoded
	}
	return name
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
	for _, pair := range strings.Split(u.RawQuery, "&") {
		name, value, ok := strings.Cut(pair, "=")
		if ok && value != "" && secretParam(unescapeName(name)) {
			texts = appendPairSecret(texts, name, value)
		}
	}
	for _, part := range strings.Split(u.EscapedFragment(), "&") {
		name, value, ok := strings.Cut(part, "=")
		switch {
		case ok && value != "":
			texts = appendPairSecret(texts, name, value)
		case !ok && secretParam(unescapeName(part)):
			texts = appendBareSecret(texts, part, unescapeName(part))
		}
	}
	slices.SortStableFunc(texts, func(a, b secretText) int { return len(b.secret) - len(a.secret) })
	return Secrets{texts}
}

// appendPairSecret adds the pair name=value and its bare value, raw and
// decoded.
func appendPairSecret(texts []secretText, name, value string) []secretText {
	texts = append(texts, secretText{name + "=" + value, name + "=" + Placeholder})
	decoded, err := url.QueryUnescape(value)
	if err != nil {
		decoded = value
	}
	return appendBareSecret(texts, value, decoded)
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

// Replace returns text with every secret of s replaced in one pass. At
// each position the longest secret that matches wins, so a whole URL
// becomes its redacted form rather than having its parts replaced one by
// one. Replacements are not searched again, and text that already shows
// a secret's replacement is kept: a secret that is a prefix of its own
// replacement, such as "token=x" of "token=xxxxx", would otherwise turn
// already redacted text into "token=xxxxxxxxx".
func (s Secrets) Replace(text string) string {
	if s.Empty() {
		return text
	}
	var out strings.Builder
	for i := 0; i < len(text); {
		st, ok := s.match(text[i:])
		if !ok {
			out.WriteByte(text[i])
			i++
			continue
		}
		out.WriteString(st.replacement)
		if len(st.replacement) > len(st.secret) && strings.HasPrefix(text[i:], st.replacement) {
			i += len(st.replacement)
		} else {
			i += len(st.secret)
		}
	}
	return out.String()
}

// match returns the longest secret that text starts with.
func (s Secrets) match(text string) (secretText, bool) {
	for _, st := range s.texts {
		if strings.HasPrefix(text, st.secret) {
			return st, true
		}
	}
	return secretText{}, false
}
