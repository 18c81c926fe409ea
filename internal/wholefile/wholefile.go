package wholefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to the file path whole or not at all: into a new
// file beside it (beside the file a symbolic link names), renamed over it,
// so that a full disk or a killed process leaves the old file or none,
// never part of one. A file that is there keeps its permissions. A
// path that is not a regular file (/dev/stdout, a named pipe), or a file
// in a directory gradcheck may not write to, is written in place.
func Write(path string, data []byte) error {
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return os.WriteFile(path, data, perm)
		}
		perm = fi.Mode().Perm()
	}
	tmp, f, err := createBeside(target, perm)
	if err != nil {
		if _, serr := os.Stat(target); serr == nil {
			return os.WriteFile(target, data, perm)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = path // the temporary file's name would puzzle
		}
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The umask applied when the file was made; an existing file's
		// permissions are kept as they were.
		if _, serr := os.Stat(target); serr == nil {
			err = os.Chmod(tmp, perm)
		}
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// createBeside creates a new, empty file with permissions perm (less the
// umask) in the directory of path, with a name of its own.
func createBeside(path string, perm os.FileMode) (string, *os.File, error) {
	dir, base := filepath.Split(path)
	for i := 0; ; i++ {
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d-%d.tmp", base, os.Getpid(), i))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		return tmp, f, err
	}
}

// TooLargeError is Read's error for a file of more than Max bytes.
type TooLargeError struct {
	Path string
	Max  int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: more than the %d MiB it may have", e.Path, e.Max>>20)
}

// Read returns the contents of the file path, or a *TooLargeError where
// it holds more than limit bytes, found by reading limit+1 of them at
// most: os.ReadFile read --spec /dev/zero until the process ran out of
// memory (found by the exploratory helper).
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadFrom(f, path, limit)
}

// ReadFrom is Read of r, named name in its *TooLargeError: a spec file
// given as --spec - on a pipe that never ends is refused as one on disk.
func ReadFrom(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: name, Max: limit}
	}
	return data, nil
}
