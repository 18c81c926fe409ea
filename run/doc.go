// Package run runs claims: it resolves them once, plans the work (claims ×
// instance blocks × shards), executes the plan on an Engine and collects
// the verdicts into a Report; it also reads the JSON reports of the shards
// of a run back and merges them into the report of the whole run.
//
// The steps, in the order of a run:
//
//	Select    RegistryTargets and SpecTargets pick claims by name or glob
//	Resolve   give each Target's claim its sizes and shape-check it, once
//	Plan      cut each claim's instances into jobs, JobsOf picks a shard's
//	Run       verify the jobs on the Engine, as many at once as it has
//	          slots, and report the results in the order of the plan
//	Merge     combine the reports of the shards (ReadReport reads them)
//
// An Engine verifies one resolved claim at a time per slot: Local does so
// in this process on the CPU backend, Worker in a GPU worker process
// (package gpu/worker), and Pool on one worker per GPU; StartEngine picks
// one for --backend. Another place to run claims (a cluster scheduler,
// another accelerator's worker) is another implementation of Engine.
//
// The Report's JSON form is the schema of DESIGN.md ("Command line"); it
// holds no timings, so that the same seed and settings give the same
// bytes. Package report writes a Report in every format.
package run
