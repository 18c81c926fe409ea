// Package sysmem tells how much memory the machine has available now, for
// the memory budget of a verification (--mem's default) and for refusing,
// before it runs, a claim whose one instance could not fit.
package sysmem
