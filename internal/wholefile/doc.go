// Package wholefile writes a file whole or not at all, so that a report
// (or a benchmark's) that a full disk or a killed process interrupts
// leaves the old file or none, never part of one.
package wholefile
