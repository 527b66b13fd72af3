package redact

import (
	"net/url"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"password", "https://user:s3cretpw@localhost:4433/df", "https://user:xxxxx@localhost:4433/df"},
		{"user without password", "https://user@localhost/df", "https://user@localhost/df"},
		{"token", "https://localhost/df?token=abc123", "https://localhost/df?token=xxxxx"},
		{"other parameters kept", "https://localhost/df?lang=en&token=abc123&page=2", "https://localhost/df?lang=en&token=xxxxx&page=2"},
		{"names in any case and form", "https://h/?Access_Token=a&apiKey=b&X-Api-Key=c&api_key=d&SIG=e&Signature=f&client_secret=g&PASSWORD=h&passwd=i&pwd=j&auth=k&code=l&key=m",
			"https://h/?Access_Token=xxxxx&apiKey=xxxxx&X-Api-Key=xxxxx&api_key=xxxxx&SIG=xxxxx&Signature=xxxxx&client_secret=xxxxx&PASSWORD=xxxxx&passwd=xxxxx&pwd=xxxxx&auth=xxxxx&code=xxxxx&key=xxxxx"},
		{"run-together names", "https://h/?apikey=a&accesstoken=b&X-Amz-Signature=c", "https://h/?apikey=xxxxx&accesstoken=xxxxx&X-Amz-Signature=xxxxx"},
		{"harmless names kept", "https://h/?keyword=a&monkey=b&session=c&zipcode=d", "https://h/?keyword=a&monkey=b&session=c&zipcode=d"},
		{"escaped name", "https://h/?access%5Ftoken=a", "https://h/?access%5Ftoken=xxxxx"},
		{"empty value kept", "https://h/?token=", "https://h/?token="},
		{"fragment", "https://h/cb#access_token=abc&state=1", "https://h/cb#access_token=xxxxx&state=xxxxx"},
		{"fragment value of any name", "https://h/?api_key=x&sig=y#frag=SECRETFRAG", "https://h/?api_key=xxxxx&sig=xxxxx#frag=xxxxx"},
		{"fragment empty value kept", "https://h/#a=&b=2", "https://h/#a=&b=xxxxx"},
		{"fragment anchor kept", "https://h/docs#section-2", "https://h/docs#section-2"},
		{"fragment secret name", "https://h/#access_token", "https://h/#xxxxx"},
		{"fragment escaped pair", "https://h/#frag%3DSECRETFRAG", "https://h/#frag=xxxxx"},
		{"bad escape in query", "https://h/?token=x&x=%zz", "https://h/?token=xxxxx&x=%zz"},
		{"not a URL, fragment", "https://bad host/?a=1#frag=SECRETFRAG&section", "https://bad host/?a=1#frag=xxxxx&section"},
		{"password and token", "https://user:s3cretpw@localhost:4433/df?token=abc123", "https://user:xxxxx@localhost:4433/df?token=xxxxx"},
		{"not a URL", "https://user:s3cret pw@bad host/df?token=abc123", "https://user:xxxxx@bad host/df?token=xxxxx"},
		{"no secret", "https://localhost:4433/df", "https://localhost:4433/df"},
		{"no secret, not re-encoded", "http://bücher.example/my certs/root.der", "http://bücher.example/my certs/root.der"},
		{"http download", "http://u:PASSW@127.0.0.1:8080/root.der?token=T0", "http://u:xxxxx@127.0.0.1:8080/root.der?token=xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(tt.raw); got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestSource(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"URL", "https://u:pw@ca.example/root.der?token=abc", "https://u:xxxxx@ca.example/root.der?token=xxxxx"},
		{"path kept", "certs/root.der", "certs/root.der"},
		{"path with a query-like name kept", "certs/a?token=abc#x.pem", "certs/a?token=abc#x.pem"},
		{"file URL", "file:///etc/ssl/ca.pem", "file:///etc/ssl/ca.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Source(tt.src); got != tt.want {
				t.Errorf("Source(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRequestURI(t *testing.T) {
	u, err := url.Parse("https://u:pw@h/df?lang=en&token=abc123")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := RequestURI(u), "/df?lang=en&token=xxxxx"; got != want {
		t.Errorf("RequestURI = %q, want %q", got, want)
	}
}

func TestURLSecretsReplace(t *testing.T) {
	const raw = "https://user:s3cret%2Fpw@localhost:4433/df?token=abc123&lang=en&code=7"
	secrets := URLSecrets(raw)
	if secrets.Empty() {
		t.Fatal("URLSecrets found no secret")
	}
	tests := []struct {
		name string
		text string
		want string
	}{
		{"whole URL", `Get "` + raw + `": EOF`, `Get "https://user:xxxxx@localhost:4433/df?token=xxxxx&lang=en&code=xxxxx": EOF`},
		{"request line", "GET /df?token=abc123&lang=en&code=7 returned 401", "GET /df?token=xxxxx&lang=en&code=xxxxx returned 401"},
		{"user info", "dial user:s3cret%2Fpw@localhost", "dial user:xxxxx@localhost"},
		{"bare decoded password", "password s3cret/pw rejected", "password xxxxx rejected"},
		{"bare token", "echo: abc123", "echo: xxxxx"},
		{"short value left alone", "code 7 of 7", "code 7 of 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := secrets.Replace(tt.text); got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestURLSecretsReplaceRedacted passes text that already shows the
// redacted URL, as a report's checks do, through Replace. A secret value
// that is a prefix of Placeholder must not add to it.
func TestURLSecretsReplaceRedacted(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		text string
		want string
	}{
		{"short token", "https://h/?token=x&lang=en", "GET /?token=xxxxx&lang=en failed",
			"GET /?token=xxxxx&lang=en failed"},
		{"bad escape", "https://h/?token=x&x=%zz", `parse "https://h/?token=xxxxx&x=%zz": invalid URL escape "%zz"`,
			`parse "https://h/?token=xxxxx&x=%zz": invalid URL escape "%zz"`},
		{"raw and redacted", "https://h/?token=x&x=%zz", "https://h/?token=x&x=%zz and https://h/?token=xxxxx&x=%zz",
			"https://h/?token=xxxxx&x=%zz and https://h/?token=xxxxx&x=%zz"},
		{"secret longer than placeholder", "https://h/?token=xxxxxyz", "echo https://h/?token=xxxxxyz",
			"echo https://h/?token=xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URLSecrets(tt.raw).Replace(tt.text); got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestURLSecretsFragment(t *testing.T) {
	secrets := URLSecrets("https://h/?a=1#frag=SECRETFRAG&access_token")
	tests := []struct {
		name string
		text string
		want string
	}{
		{"pair", "callback frag=SECRETFRAG", "callback frag=xxxxx"},
		{"bare value", "echo: SECRETFRAG", "echo: xxxxx"},
		{"secret name", "access_token", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := secrets.Replace(tt.text); got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestURLSecretsNone(t *testing.T) {
	for _, raw := range []string{"https://localhost:4433/df?lang=en", "ca-crt.pem", ""} {
		secrets := URLSecrets(raw)
		if !secrets.Empty() {
			t.Errorf("URLSecrets(%q) is not empty", raw)
		}
		if got := secrets.Replace("text " + raw); got != "text "+raw {
			t.Errorf("Replace changed %q to %q", "text "+raw, got)
		}
	}
	var zero Secrets
	if got := zero.Replace("abc123"); got != "abc123" {
		t.Errorf("the zero Secrets changed the text to %q", got)
	}
}
