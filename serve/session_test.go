package serve

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSession(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Session
	}{
		{
			name: "ES",
			in:   "projects/p1/agent/sessions/s1",
			want: Session{Project: "p1", ID: "s1", Edition: EditionES},
		},
		{
			name: "ES environment",
			in:   "projects/p1/agent/environments/draft/users/-/sessions/s1",
			want: Session{Project: "p1", Environment: "draft", User: "-", ID: "s1", Edition: EditionES},
		},
		{
			name: "ES location",
			in:   "projects/p1/locations/europe-west1/agent/sessions/s1",
			want: Session{Project: "p1", Location: "europe-west1", ID: "s1", Edition: EditionES},
		},
		{
			name: "ES location environment",
			in:   "projects/p1/locations/global/agent/environments/prod/users/u7/sessions/s1",
			want: Session{Project: "p1", Location: "global", Environment: "prod", User: "u7", ID: "s1", Edition: EditionES},
		},
		{
			name: "CX",
			in:   "projects/p1/locations/global/agents/0f1e/sessions/s1",
			want: Session{Project: "p1", Location: "global", Agent: "0f1e", ID: "s1", Edition: EditionCX},
		},
		{
			name: "CX environment",
			in:   "projects/p1/locations/us-central1/agents/a1/environments/e1/sessions/s1",
			want: Session{Project: "p1", Location: "us-central1", Agent: "a1", Environment: "e1", ID: "s1", Edition: EditionCX},
		},
		{
			name: "IDs equal to keywords",
			in:   "projects/agent/agent/sessions/sessions",
			want: Session{Project: "agent", ID: "sessions", Edition: EditionES},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSession(tt.in)
			if err != nil {
				t.Fatalf("ParseSession(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseSession(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestParseSessionMalformed(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason string
	}{
		{name: "empty", in: "", reason: "empty path segment"},
		{name: "leading slash", in: "/projects/p/agent/sessions/s", reason: "empty path segment"},
		{name: "trailing slash", in: "projects/p/agent/sessions/s/", reason: "empty path segment"},
		{name: "empty project", in: "projects//agent/sessions/s", reason: "empty path segment"},
		{name: "full resource name", in: "//dialogflow.googleapis.com/projects/p/agent/sessions/s", reason: "empty path segment"},
		{name: "no projects", in: "project/p/agent/sessions/s", reason: `does not start with "projects/P"`},
		{name: "project only", in: "projects/p", reason: `"agent" (ES) or "agents/A" (CX) is missing`},
		{name: "no agent", in: "projects/p/sessions/s", reason: `"agent" (ES) or "agents/A" (CX) is missing`},
		{name: "ES no session", in: "projects/p/agent", reason: `"sessions/S" is missing`},
		{name: "ES session without ID", in: "projects/p/agent/sessions", reason: `"sessions/S" is missing`},
		{name: "ES environment without user", in: "projects/p/agent/environments/e/sessions/s", reason: `not followed by "users/U"`},
		{name: "ES extra segments", in: "projects/p/agent/sessions/s/contexts/c", reason: `unexpected "contexts/c"`},
		{name: "CX without location", in: "projects/p/agents/a/sessions/s", reason: `needs "locations/L"`},
		{name: "CX without agent ID", in: "projects/p/locations/l/agents", reason: "not followed by an agent ID"},
		{name: "CX user segment", in: "projects/p/locations/l/agents/a/environments/e/users/u/sessions/s", reason: `"sessions/S" is missing`},
		{name: "ES agents typo", in: "projects/p/locations/l/agent/a/sessions/s", reason: `"sessions/S" is missing`},
		{name: "not a path", in: "session-1", reason: `does not start with "projects/P"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSession(tt.in)
			if err == nil {
				t.Fatalf("ParseSession(%q) = %+v, want an error", tt.in, got)
			}
			var sessionErr *SessionError
			if !errors.As(err, &sessionErr) {
				t.Fatalf("error %T is not a *SessionError", err)
			}
			if sessionErr.Name != tt.in {
				t.Errorf("SessionError.Name = %q, want %q", sessionErr.Name, tt.in)
			}
			if !strings.Contains(sessionErr.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", sessionErr.Reason, tt.reason)
			}
			if !strings.Contains(err.Error(), "expected projects/P") {
				t.Errorf("error %q does not show the expected forms", err)
			}
		})
	}
}

func FuzzParseSession(f *testing.F) {
	for _, seed := range []string{
		"projects/p1/agent/sessions/s1",
		"projects/p1/locations/l/agent/environments/e/users/u/sessions/s1",
		"projects/p1/locations/global/agents/a/environments/e/sessions/s1",
		"projects//agent/sessions/s",
		"projects/p/agents/a/sessions/s",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s, err := ParseSession(name)
		if err != nil {
			return
		}
		// A name that parses is canonical, and every ID is one segment.
		if got := s.String(); got != name {
			t.Errorf("ParseSession(%q).String() = %q", name, got)
		}
		if s.Project == "" || s.ID == "" || strings.Contains(s.Project, "/") || strings.Contains(s.ID, "/") {
			t.Errorf("ParseSession(%q) = %+v has an empty or multi-segment ID", name, s)
		}
		if s.Edition != EditionES && s.Edition != EditionCX {
			t.Errorf("ParseSession(%q) edition %q", name, s.Edition)
		}
	})
}
