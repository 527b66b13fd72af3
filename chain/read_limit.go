package chain

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// MaxFileSize is the largest local file, in bytes, that the readers in
// this package accept: certificate, key, CA, PKCS#12 and password files.
// Such files are a few KiB and a CA bundle of every public root is under
// 1 MiB, so a larger file is the wrong file. The cap also stops device
// files such as /dev/zero and endless pipes.
const MaxFileSize = 16 << 20

// readLocalFile reads at most MaxFileSize bytes of path. what names the
// file's role in the *FileError it returns.
func readLocalFile(path, what string) ([]byte, error) {
	data, err := readLocalFilePrefix(path, what, MaxFileSize)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &FileError{Path: path, What: what, Code: report.CodeUnreadableFile,
			Reason: fmt.Sprintf("the file is larger than %d MiB, so it is not a certificate or key file", MaxFileSize>>20),
			Fix:    "Pass the certificate or key file itself: such files are a few KiB."}
	}
	return data, nil
}

// readLocalFilePrefix reads at most limit+1 bytes of path, so that the
// caller can tell a file larger than limit. what names the file's role in
// the *FileError it returns.
func readLocalFilePrefix(path, what string, limit int64) ([]byte, error) {
	f, err := openLocalFile(path)
	if err != nil {
		return nil, unreadableFileError(path, what, err)
	}
	defer f.Close()

	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, unreadableFileError(path, what, err)
	}
	return data, nil
}

func unreadableFileError(path, what string, err error) *FileError {
	fix := "Check the path and the file's permissions."
	switch {
	case errors.Is(err, errIsFolder):
		fix = "Pass a file inside the folder, not the folder itself."
	case errors.Is(err, errNoWriter):
		fix = "Start the process that writes to the pipe first, or pass a regular file."
	}
	return &FileError{Path: path, What: what, Code: report.CodeUnreadableFile,
		Reason: "cannot read the file", Fix: fix, Err: unwrapPathError(err)}
}

// openLocalFile opens path for reading. open(2) on a named pipe waits for a
// writer, and no signal handler can interrupt it, so a pipe is opened in a
// goroutine that the caller stops waiting for after FIFOWriterTimeout. A
// folder is rejected here, as reading one fails with a less clear error.
func openLocalFile(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, &os.PathError{Op: "open", Path: path, Err: errIsFolder}
	}
	if info.Mode()&os.ModeNamedPipe == 0 {
		return os.Open(path)
	}

	type result struct {
		f   *os.File
		err error
	}
	opened := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		opened <- result{f, err}
	}()
	select {
	case r := <-opened:
		return r.f, r.err
	case <-time.After(FIFOWriterTimeout):
		// NOTE: the goroutine stays blocked in open until a writer comes or
		// the process exits; the commands exit right after this error.
		return nil, &os.PathError{Op: "open", Path: path, Err: errNoWriter}
	}
}

// FIFOWriterTimeout is how long reading a named pipe waits for a process
// to open it for writing.
const FIFOWriterTimeout = 10 * time.Second

var (
	errIsFolder = errors.New("it is a folder, not a file")
	errNoWriter = fmt.Errorf("it is a named pipe and no process opened it for writing within %s", FIFOWriterTimeout)
)
