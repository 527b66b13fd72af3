package chain

import (
	"fmt"
	"io"
	"os"

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
	f, err := os.Open(path)
	if err != nil {
		return nil, unreadableFileError(path, what, err)
	}
	defer f.Close()

	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, unreadableFileError(path, what, err)
	}
	if len(data) > MaxFileSize {
		return nil, &FileError{Path: path, What: what, Code: report.CodeUnreadableFile,
			Reason: fmt.Sprintf("the file is larger than %d MiB, so it is not a certificate or key file", MaxFileSize>>20),
			Fix:    "pass the certificate or key file itself: such files are a few KiB"}
	}
	return data, nil
}

func unreadableFileError(path, what string, err error) *FileError {
	return &FileError{Path: path, What: what, Code: report.CodeUnreadableFile,
		Reason: "cannot read the file", Fix: "check the path and the file's permissions", Err: unwrapPathError(err)}
}
