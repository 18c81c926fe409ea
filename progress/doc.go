// Package progress shows the progress of a long job on a terminal: a bar
// with the count of items done, the elapsed time, the rate and the time
// left (github.com/schollz/progressbar), shown only once the job has taken
// a moment, so that quick jobs print none. Off a terminal (a file, a CI
// log) it writes a plain line every few seconds instead of carriage-return
// frames. Lines written to the terminal during the job go through
// Bar.Writer, which lifts the bar out of their way.
package progress
