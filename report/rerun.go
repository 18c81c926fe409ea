package report

import "github.com/gradcheck/gradcheck/run"

// rerun returns the command that verifies the claim of result i of rep
// again, alone, or "" when it passed: run.Report.Rerun's, which repeats
// the claim, seed, sizes and settings, followed by the backend the result
// came from (--backend cpu or gpu). Without it a failure found with
// --backend cpu on a machine with a GPU would be re-run on the GPU; a
// report of another backend (a merged JSON file may say anything) names
// none.
func rerun(rep *run.Report, i int) string {
	cmd := rep.Rerun(i)
	if cmd == "" {
		return ""
	}
	switch rep.Backend {
	case "cpu", "gpu":
		cmd += " --backend " + rep.Backend
	}
	return cmd
}

// reruns lists the re-run commands (rerun) of the results of rep that did
// not pass.
func reruns(rep *run.Report) []string {
	var out []string
	for i := range rep.Results {
		if cmd := rerun(rep, i); cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}
