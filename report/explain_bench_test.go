package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchmarkLog returns about size bytes of log: every table case and
// transcript under testdata/explain, between filler lines of the kinds a
// service log holds (access log lines, JSON lines, a long base64 line),
// which Explain must skip.
func benchmarkLog(tb testing.TB, size int) string {
	tb.Helper()
	var real []string
	for _, tc := range explainCases {
		real = append(real, tc.input)
	}
	transcripts, err := filepath.Glob(filepath.Join("testdata", "explain", "*"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, path := range transcripts {
		if filepath.Ext(path) == ".md" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		real = append(real, string(data))
	}

	longLine := strings.Repeat("TUlJQm1qQ0NBVU9nQXdJQkFnSVFkR0Z1WkdGeVpDQjBaWE4wSUdObGNuUnBabWxq", 1024)
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		fmt.Fprintf(&sb, "127.0.0.1 - - [04/Dec/2026:15:%02d:%02d +0000] \"POST /webhook HTTP/1.1\" 200 %d \"-\" \"Google-Dialogflow\"\n",
			i/60%60, i%60, 100+i%900)
		fmt.Fprintf(&sb, `{"level":"info","ts":"2026-12-04T15:27:%02dZ","msg":"webhook request","session":"projects/p/agent/sessions/%d","latency_ms":%d}`+"\n",
			i%60, i, i%500)
		sb.WriteString(real[i%len(real)])
		sb.WriteString("\n")
		if i%50 == 0 {
			sb.WriteString(longLine + "\n")
		}
	}
	return sb.String()
}

func BenchmarkExplain(b *testing.B) {
	log := benchmarkLog(b, 1<<20)
	b.SetBytes(int64(len(log)))
	b.ResetTimer()
	for b.Loop() {
		Explain(log)
	}
}
