// Package wholefile writes a file whole or not at all, so that a report
// (or a benchmark's) that a full disk or a killed process interrupts
// leaves the old file or none, never part of one; and reads a file whole
// up to a bound, so that an input that never ends (/dev/zero, a pipe)
// or one far too large is refused before it fills the memory.
package wholefile
