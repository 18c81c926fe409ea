package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// Protocol is the version of the protocol, in every Hello.
const Protocol = 1

// Hello is the worker's first line: it is ready.
type Hello struct {
	Protocol int `json:"protocol"`
	// Backend is the backend's name ("gpu"), and Device the device's
	// ("NVIDIA H100 80GB HBM3", "emulated"), if it has one.
	Backend string `json:"backend"`
	Device  string `json:"device,omitempty"`
	// Devices is the number of GPUs the worker's process can see, so that
	// the client can start one worker per GPU; 0 means one.
	Devices int `json:"devices,omitempty"`
}

// Request asks the worker to verify one claim.
type Request struct {
	ID int `json:"id"`
	// Spec is a YAML spec (see package formulas) holding the claim, and
	// Claim its name; Claim may be empty when the spec holds one claim.
	Spec  string `json:"spec"`
	Claim string `json:"claim,omitempty"`
	// Settings are passed to gradcheck.Verify.
	Settings gradcheck.Settings `json:"settings"`
}

// Response answers the Request with the same ID.
type Response struct {
	ID int `json:"id"`
	// Result is the verification's result, unless Error says why there
	// is none.
	Result *gradcheck.Result `json:"result,omitempty"`
	// NonFinite lists the floats of Result that JSON cannot hold; they
	// are 0 in Result as encoded.
	NonFinite []NonFinite `json:"nonfinite,omitempty"`
	Error     string      `json:"error,omitempty"`
}

// Serve answers the requests read from r on w, verifying on b, until r
// ends (it then returns nil) or ctx is cancelled; its Hello says that the
// process sees devices GPUs. It returns an error when it cannot read a
// request or write a response: the stream is then broken.
func Serve(ctx context.Context, r io.Reader, w io.Writer, b backend.Backend, devices int) error {
	enc := json.NewEncoder(w)
	hello := Hello{Protocol: Protocol, Backend: b.Name(), Devices: devices}
	if d, ok := b.(backend.OnDevice); ok {
		hello.Device = d.DeviceName()
	}
	if err := enc.Encode(hello); err != nil {
		return fmt.Errorf("worker: writing hello: %w", err)
	}
	dec := json.NewDecoder(r)
	for {
		var req Request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("worker: reading a request: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		resp := answer(ctx, b, req)
		if err := enc.Encode(resp); err != nil {
			return fmt.Errorf("worker: writing the response to request %d: %w", req.ID, err)
		}
	}
}

// answer verifies the claim of one request.
func answer(ctx context.Context, b backend.Backend, req Request) Response {
	resp := Response{ID: req.ID}
	claim, err := findClaim(req.Spec, req.Claim, req.Settings.Sizes)
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	res := gradcheck.Verify(ctx, b, claim, fitMemory(b, req.Settings))
	nf, err := extractNonFinite(&res)
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	resp.Result, resp.NonFinite = &res, nf
	return resp
}

// findClaim loads spec and returns its claim of the given name, or its only
// claim when name is empty. The claim is shape-checked at sizes, those of
// the run (--size), as gradcheck checks it before it sends it: at the
// default sizes, tr(A*X) with A and X both n×m, verified at n = m = 3, was
// refused (A*X: cannot multiply 48×40 by 48×40).
func findClaim(spec, name string, sizes map[string]int) (*formulas.Claim, error) {
	claims, err := formulas.LoadSpecAt("request", []byte(spec), formulas.LoadOptions{Sizes: sizes})
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if c.Invalid != nil {
			return nil, c.Invalid
		}
	}
	if name == "" {
		if len(claims) != 1 {
			return nil, fmt.Errorf("the spec holds %d claims; the request must name one", len(claims))
		}
		return claims[0], nil
	}
	for _, c := range claims {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("the spec holds no claim %q", name)
}

// memoryShare is the part of a device's free memory one chunk of instances
// may take: the verifier's estimate of a chunk's live tensors is rough, and
// the pool of freed buffers holds some memory back.
const memoryShare = 2

// fitMemory bounds the memory of one chunk of instances by the device's
// free memory, so that a job bigger than the device is split into chunks
// that fit.
func fitMemory(b backend.Backend, s gradcheck.Settings) gradcheck.Settings {
	if d, ok := b.(backend.OnDevice); ok {
		if free, err := d.FreeMemory(); err == nil && free > 0 {
			s.MemBytes = min(s.MemBytes, free/memoryShare)
		}
	}
	return s
}
