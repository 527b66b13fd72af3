package serve

import (
	"fmt"
	"strings"
)

// Edition is the Dialogflow edition that a request or session name belongs
// to.
type Edition string

// The Dialogflow editions.
const (
	EditionES Edition = "es"
	EditionCX Edition = "cx"
)

// Session is a parsed Dialogflow session name. Fields that the name does
// not contain are empty.
type Session struct {
	Project     string
	Location    string
	Agent       string // the CX agent ID; empty for ES, whose agent is implied by the project
	Environment string
	User        string // ES only
	ID          string
	Edition     Edition
}

// SessionError reports a session name that has none of the Dialogflow ES or
// CX forms.
type SessionError struct {
	Name   string
	Reason string
}

// Error returns the message with the name, the reason and the forms
// expected.
func (e *SessionError) Error() string {
	return fmt.Sprintf("invalid session name %q: %s: expected "+
		"projects/P[/locations/L]/agent[/environments/E/users/U]/sessions/S (ES) or "+
		"projects/P/locations/L/agents/A[/environments/E]/sessions/S (CX)",
		e.Name, e.Reason)
}

// ParseSession parses a Dialogflow session name in one of these forms:
//
//	ES: projects/P[/locations/L]/agent[/environments/E/users/U]/sessions/S
//	CX: projects/P/locations/L/agents/A[/environments/E]/sessions/S
//
// Every ID must be non-empty and contain no slash. It returns a
// *SessionError for any other input.
func ParseSession(name string) (Session, error) {
	parts := strings.Split(name, "/")
	for _, p := range parts {
		if p == "" {
			return Session{}, &SessionError{Name: name, Reason: "empty path segment"}
		}
	}

	var s Session
	rest, ok := takePair(parts, "projects", &s.Project)
	if !ok {
		return Session{}, &SessionError{Name: name, Reason: `does not start with "projects/P"`}
	}
	if next, ok := takePair(rest, "locations", &s.Location); ok {
		rest = next
	}

	switch {
	case len(rest) > 0 && rest[0] == "agent":
		s.Edition = EditionES
		rest = rest[1:]
		if next, ok := takePair(rest, "environments", &s.Environment); ok {
			if rest, ok = takePair(next, "users", &s.User); !ok {
				return Session{}, &SessionError{Name: name, Reason: `"environments/E" is not followed by "users/U"`}
			}
		}
	case len(rest) > 0 && rest[0] == "agents":
		s.Edition = EditionCX
		if s.Location == "" {
			return Session{}, &SessionError{Name: name, Reason: `a CX name needs "locations/L" before "agents/A"`}
		}
		if rest, ok = takePair(rest, "agents", &s.Agent); !ok {
			return Session{}, &SessionError{Name: name, Reason: `"agents" is not followed by an agent ID`}
		}
		if next, ok := takePair(rest, "environments", &s.Environment); ok {
			rest = next
		}
	default:
		return Session{}, &SessionError{Name: name, Reason: `"agent" (ES) or "agents/A" (CX) is missing after the project and location`}
	}

	rest, ok = takePair(rest, "sessions", &s.ID)
	if !ok {
		return Session{}, &SessionError{Name: name, Reason: `"sessions/S" is missing after the agent or environment`}
	}
	if len(rest) > 0 {
		return Session{}, &SessionError{Name: name, Reason: fmt.Sprintf("unexpected %q after the session ID", strings.Join(rest, "/"))}
	}
	return s, nil
}

// takePair consumes "key/value" from the front of parts into *value and
// returns the remaining parts.
func takePair(parts []string, key string, value *string) ([]string, bool) {
	if len(parts) < 2 || parts[0] != key {
		return parts, false
	}
	*value = parts[1]
	return parts[2:], true
}

// String formats s as a session name, the inverse of ParseSession.
func (s Session) String() string {
	var b strings.Builder
	b.WriteString("projects/" + s.Project)
	if s.Location != "" {
		b.WriteString("/locations/" + s.Location)
	}
	if s.Edition == EditionCX {
		b.WriteString("/agents/" + s.Agent)
		if s.Environment != "" {
			b.WriteString("/environments/" + s.Environment)
		}
	} else {
		b.WriteString("/agent")
		if s.Environment != "" {
			b.WriteString("/environments/" + s.Environment + "/users/" + s.User)
		}
	}
	b.WriteString("/sessions/" + s.ID)
	return b.String()
}
