package chain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestReadPasswordFileRejectsNonText(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse.bin")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: its size costs no disk space.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	longLine := filepath.Join(dir, "long.txt")
	if err := os.WriteFile(longLine, []byte(strings.Repeat("a", maxPasswordLength+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(dir, "key.der")
	if err := os.WriteFile(binary, []byte{0x30, 0x82, 0x01, 0x0a, 0x02, 0x01, 0x00, '\n'}, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path string
		text string
	}{
		{"dev zero", "/dev/zero", "the password file is not text"},
		{"sparse file", sparse, "the password file is not text"},
		{"binary file", binary, "control character 0x01 at byte 3"},
		{"long line", longLine, "longer than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Skipf("%s: %v", tt.path, err)
			}
			_, err := ReadPasswordFile(tt.path)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a *FileError", err)
			}
			if fe.Code != report.CodeUnreadableFile {
				t.Errorf("code = %s, want %s", fe.Code, report.CodeUnreadableFile)
			}
			if !strings.Contains(fe.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", fe.Error(), tt.text)
			}
			if strings.Contains(fe.Error(), "certificate or key file") {
				t.Errorf("error %q calls the password file a certificate or key file", fe.Error())
			}
			if !strings.Contains(fe.Fix, "text file whose first line is the password") {
				t.Errorf("fix %q does not say what a password file holds", fe.Fix)
			}
		})
	}
}

func TestReadPasswordFileAcceptsText(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"line end", "s3cret\n", "s3cret"},
		{"crlf", "s3cret\r\nignored\n", "s3cret"},
		{"tab and spaces", "a b\tc\n", "a b\tc"},
		{"no line end", "s3cret", "s3cret"},
		{"binary after the first line", "s3cret\n\x00\x01", "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "password.txt", []byte(tt.data))
			pw, err := ReadPasswordFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(pw.bytes()); got != tt.want {
				t.Errorf("password = %q, want %q", got, tt.want)
			}
		})
	}
}
