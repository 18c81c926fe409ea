package bench

import (
	"bytes"
	"io"

	"github.com/gradcheck/gradcheck/internal/wholefile"
)

// WriteReport writes rep in format (Write) to the file path, whole or not
// at all (see wholefile.Write), or to stdout when path is ""; with a file,
// the text tables go to stdout as well, for the person watching.
func WriteReport(stdout io.Writer, path, format string, rep Report) error {
	var data bytes.Buffer
	if err := Write(&data, format, rep); err != nil {
		return err
	}
	if path == "" {
		_, err := stdout.Write(data.Bytes())
		return err
	}
	if err := wholefile.Write(path, data.Bytes()); err != nil {
		return err
	}
	// The tables on stdout as well, as run and check write theirs, in
	// whatever format the file is (text to a file left stdout empty).
	return WriteText(stdout, rep)
}
