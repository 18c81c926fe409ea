package bench

import (
	"bytes"
	"io"
	"os"
)

// WriteReport writes rep in format (Write) to the file path, or to stdout
// when path is ""; with a file in a format other than text, the text
// tables go to stdout as well, for the person watching.
func WriteReport(stdout io.Writer, path, format string, rep Report) error {
	var data bytes.Buffer
	if err := Write(&data, format, rep); err != nil {
		return err
	}
	if path == "" {
		_, err := stdout.Write(data.Bytes())
		return err
	}
	if err := os.WriteFile(path, data.Bytes(), 0o644); err != nil {
		return err
	}
	if format != "text" {
		return WriteText(stdout, rep)
	}
	return nil
}
