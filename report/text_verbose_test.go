package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestRenderTextVerboseIndentsServerText renders a response whose body
// and header carry line breaks and a line that imitates the report. Every
// line that the server's text produces must start with the indentation of
// its label, so none of it starts at column 0.
func TestRenderTextVerboseIndentsServerText(t *testing.T) {
	r := &Report{Target: "https://127.0.0.1:4433/", Kind: "probe", HTTP: &HTTPInfo{
		Status:      200,
		Headers:     map[string]string{"X-Folded": "one\nOK all checks passed", "A-First": "a"},
		BodyExcerpt: "{\n\"fulfillmentText\": \"ok\"\n}\nERROR nothing: fake finding\n\nlast",
		BodyBytes:   60,
	}}
	var out bytes.Buffer
	if err := RenderText(&out, Options{Verbose: true}, r); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, line := range strings.Split(text, "\n") {
		for _, fake := range []string{"OK all checks passed", "ERROR nothing", "\"fulfillmentText\"", "last"} {
			if strings.Contains(line, fake) && !strings.HasPrefix(line, "      ") {
				t.Errorf("server text %q is not indented under its label: %q", fake, line)
			}
		}
	}
	if a, x := strings.Index(text, "< A-First"), strings.Index(text, "< X-Folded"); a < 0 || x < 0 || a > x {
		t.Errorf("headers are not printed in sorted order:\n%s", text)
	}
}
