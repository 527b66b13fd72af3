package probe

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestRedactHeaders(t *testing.T) {
	rep := &report.Report{
		HTTP: &report.HTTPInfo{
			Headers:     map[string]string{"X-Echo-Auth": "Bearer SUPERSECRET42"},
			BodyExcerpt: `{"token":"SUPERSECRET42"}`,
		},
		Notes: []string{"sent Bearer SUPERSECRET42"},
	}
	rep.AddCheck("http request", report.StatusPass, "echoed SUPERSECRET42")
	rep.Add(report.New(report.CodeHTTPStatus, "", "body: SUPERSECRET42"))

	RedactHeaders(rep, http.Header{"Authorization": {"Bearer SUPERSECRET42"}})

	texts := []string{rep.HTTP.Headers["X-Echo-Auth"], rep.HTTP.BodyExcerpt, rep.Notes[0], rep.Checks[0].Detail, rep.Findings[0].Detail}
	for _, text := range texts {
		if strings.Contains(text, "SUPERSECRET42") {
			t.Errorf("secret left in %q", text)
		}
		if !strings.Contains(text, redacted) {
			t.Errorf("no %s marker in %q", redacted, text)
		}
	}
}
