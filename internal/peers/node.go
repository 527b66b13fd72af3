package peers

import (
	"embed"
	"path/filepath"
	"regexp"
	"testing"
)

// The Node servers under testdata. Both take the certificate, key and CA
// files and a port, and accept tls.createServer options as name=value
// arguments (see testdata/tlsoptions.js).
const (
	// NodeDemo has the shape of the platform's Node.js sample: it requests
	// a client certificate with rejectUnauthorized: false, logs a missing
	// or failed one, and responds 200 either way.
	NodeDemo = "demo-server.js"
	// NodeStrict requests a client certificate with rejectUnauthorized:
	// true, so Node ends the connection when it does not verify.
	NodeStrict = "strict-server.js"
)

// The modes of StartNodeRaw.
const (
	RawSilent = "silent" // accept and send nothing
	RawBanner = "banner" // send a banner line that is not TLS
	RawReset  = "reset"  // reset the connection after the first bytes
	RawHTTP   = "http"   // plain HTTP/1.1
)

//go:embed testdata/*.js
var scripts embed.FS

// listeningLine matches the line the Node scripts print once they listen.
var listeningLine = regexp.MustCompile(`(?m)^listening (\d+)\s*$`)

func nodeReady(out string) (string, bool) {
	m := listeningLine.FindStringSubmatch(out)
	if m == nil {
		return "", false
	}
	return "127.0.0.1:" + m[1], true
}

// writeScripts copies the embedded scripts into a temporary directory, so
// they run wherever the test binary runs, and returns the directory.
func writeScripts(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := scripts.ReadDir("testdata")
	if err != nil {
		t.Fatalf("read embedded Node scripts: %v", err)
	}
	for _, e := range entries {
		data, err := scripts.ReadFile("testdata/" + e.Name())
		if err != nil {
			t.Fatalf("read embedded %s: %v", e.Name(), err)
		}
		writeFile(t, dir, e.Name(), data)
	}
	return dir
}

// StartNode runs script (NodeDemo or NodeStrict) with files on a port the
// system picks. options are name=value tls.createServer options such as
// "maxVersion=TLSv1.2" or "requestCert=false", or "sniOnly=NAME", which
// fails the handshake of clients that ask for another server name (see
// testdata/tlsoptions.js). Without files.ClientCA, Node verifies client
// certificates against its bundled root store.
func StartNode(t testing.TB, script string, files Files, options ...string) *Server {
	t.Helper()
	node := Require(t, "node", NodeHint)
	p := files.write(t)
	ca := p.ClientCA
	if ca == "" {
		ca = "-"
	}
	args := append([]string{filepath.Join(writeScripts(t), script), p.Cert, p.Key, ca, "0"}, options...)
	s, err := startProcess(t, StackNode, nodeReady, p.Env, node, args...)
	if err != nil {
		failStart(t, "node "+script, s, err)
	}
	return s
}

// StartNodeRaw runs a Node TCP server that does not speak TLS, in one of
// the modes RawSilent, RawBanner (sending banner), RawReset or RawHTTP.
func StartNodeRaw(t testing.TB, mode, banner string) *Server {
	t.Helper()
	node := Require(t, "node", NodeHint)
	args := []string{filepath.Join(writeScripts(t), "raw-server.js"), mode, "0"}
	if banner != "" {
		args = append(args, banner)
	}
	s, err := startProcess(t, StackNode, nodeReady, nil, node, args...)
	if err != nil {
		failStart(t, "node raw-server.js "+mode, s, err)
	}
	return s
}
