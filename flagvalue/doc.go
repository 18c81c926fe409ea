// Package flagvalue holds flag values (pflag.Value) whose errors are short
// and exact: a word from a fixed set, an integer within bounds (one too
// large for an int is out of range, not "not an integer"), a seed, a
// finite non-negative number, a list of integers. pflag wraps them as in
// `invalid argument "abc" for "--batch" flag: not an integer`, and
// gradcheck says `invalid value "abc" for --batch: not an integer`,
// instead of quoting strconv's messages.
package flagvalue
