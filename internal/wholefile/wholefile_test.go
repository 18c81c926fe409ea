package wholefile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestWrite checks that a file is replaced whole, keeping an
// existing file's permissions and a symbolic link to it, that no
// temporary file is left, and that a path that is not a regular file is
// written in place.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(old, []byte("an old report, longer than the new one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("old.json", link); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, read string
		perm       os.FileMode
	}{
		{filepath.Join(dir, "new.json"), filepath.Join(dir, "new.json"), 0o644 &^ umask(t)},
		{old, old, 0o600},
		{link, old, 0o600},
		{os.DevNull, "", 0},
	} {
		data := []byte("{\"report\": \"" + filepath.Base(tt.path) + "\"}\n")
		if err := Write(tt.path, data); err != nil {
			t.Fatalf("Write(%s): %v", tt.path, err)
		}
		if tt.read == "" {
			continue
		}
		got, err := os.ReadFile(tt.read)
		fi, serr := os.Stat(tt.read)
		if err != nil || serr != nil || string(got) != string(data) || fi.Mode().Perm() != tt.perm {
			t.Errorf("Write(%s): %s holds %q (%v), mode %v (%v); want %q, %v", tt.path, tt.read, got, err, fi.Mode(), serr, data, tt.perm)
		}
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is no longer a link: %v, %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("the directory holds %d files, want old.json, link.json and new.json: %v", len(entries), entries)
	}
}

// umask returns the process's umask.
func umask(t *testing.T) os.FileMode {
	f := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(f, nil, 0o777); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ fi.Mode().Perm()
}

// TestRead checks that Read returns a file of at most limit bytes whole
// and refuses a larger one, /dev/zero (which never ends) included,
// without reading past limit+1 bytes.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	const limit = 1000
	for _, n := range []int{0, 1, limit, limit + 1, 5 * limit} {
		path := filepath.Join(dir, fmt.Sprint(n))
		want := bytes.Repeat([]byte{'x'}, n)
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path, limit)
		var large *TooLargeError
		switch {
		case n <= limit && (err != nil || !bytes.Equal(got, want)):
			t.Errorf("%d bytes: %d bytes read, %v", n, len(got), err)
		case n > limit && (!errors.As(err, &large) || large.Max != limit || got != nil):
			t.Errorf("%d bytes: %d bytes read, %v; want a TooLargeError", n, len(got), err)
		}
	}
	if _, err := Read("/dev/zero", limit); !errors.As(err, new(*TooLargeError)) {
		t.Errorf("/dev/zero: %v, want a TooLargeError", err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), limit); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}
