package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// Client runs claims in a worker process, one at a time. It is safe for
// concurrent use; requests wait for one another.
type Client struct {
	// Hello is what the worker said when it started.
	Hello Hello

	cmd   *exec.Cmd
	stdin io.WriteCloser
	enc   *json.Encoder
	dec   *json.Decoder

	mu     sync.Mutex
	nextID int
	// broken is set once the stream is unusable: the worker died or a
	// request was abandoned mid-way.
	broken error
	// waitOnce guards the one cmd.Wait, whose result is waitErr.
	waitOnce sync.Once
	waitErr  error
}

// Start starts the worker command cmd (its Stdin and Stdout must be unset;
// its Stderr is the caller's choice, the worker's logs go there) and waits
// for its Hello until ctx is done.
//
// A worker that does not start is reported with its own words: what it
// wrote to stdout and stderr (a worker without a driver prints the driver's
// error and exits), with its exit status, in one line.
func Start(ctx context.Context, cmd *exec.Cmd) (*Client, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	var said, logged output // the worker's stdout and stderr
	if cmd.Stderr == nil {
		cmd.Stderr = &logged
	} else {
		cmd.Stderr = io.MultiWriter(cmd.Stderr, &logged)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("worker: starting %s: %w", cmd.Path, err)
	}
	out := io.TeeReader(stdout, &said)
	c := &Client{cmd: cmd, stdin: stdin, enc: json.NewEncoder(stdin),
		dec: json.NewDecoder(bufio.NewReader(out))}
	hello := make(chan error, 1)
	go func() { hello <- c.dec.Decode(&c.Hello) }()
	quote := false // whether the worker's words explain the failure
	select {
	case err = <-hello:
		quote = err != nil
	case <-ctx.Done():
		err, quote = ctx.Err(), true
	}
	if err == nil && c.Hello.Protocol != Protocol {
		err = fmt.Errorf("protocol %d, want %d", c.Hello.Protocol, Protocol)
	}
	if err == nil {
		return c, nil
	}
	exited := false
	if ctx.Err() == nil && quote {
		// The worker wrote something other than hello, or nothing: let it
		// finish, briefly, before it is stopped.
		drained := make(chan struct{})
		go func() {
			// An error ends the draining as EOF does.
			_, _ = io.Copy(io.Discard, out)
			close(drained)
		}()
		select {
		case <-drained:
			exited = true
		case <-time.After(startDrain):
		}
	}
	c.kill()
	if exit := c.wait(); exited && exit != nil {
		err = fmt.Errorf("worker exited: %w", exit)
	} else if exited {
		err = errors.New("worker exited")
	}
	text := strings.Trim(said.String()+" | "+logged.String(), " |")
	if quote && text != "" {
		text = unknownCode.ReplaceAllStringFunc(text, func(s string) string {
			if name, ok := initErrors[unknownCode.FindStringSubmatch(s)[1]]; ok {
				return s + " (" + name + ")"
			}
			return s
		})
		err = fmt.Errorf("%w; it said: %s", err, text)
	}
	return nil, fmt.Errorf("worker: %s did not start: %w", cmd.Path, err)
}

// unknownCode matches how gorgonia.org/cu v0.9.6, whose package init
// reports a failure of cuInit before any code of the worker runs, prints
// the error codes of newer drivers.
var unknownCode = regexp.MustCompile(`UnknownErrorCode:(\d+)`)

// initErrors names the codes of cuInit's failures that cu cannot name.
var initErrors = map[string]string{
	"34":  "CUDA_ERROR_STUB_LIBRARY: the libcuda.so.1 found is the toolkit's stub, not the driver's",
	"46":  "CUDA_ERROR_DEVICE_UNAVAILABLE: the GPU is busy or unavailable",
	"803": "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH: the driver's library and kernel module differ in version",
	"804": "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE: the forward-compatibility driver does not support this GPU",
}

// startDrain bounds the wait for the rest of the output of a worker that did
// not say hello.
const startDrain = 2 * time.Second

// wordsLimit bounds the bytes of a worker's output kept for an error
// message.
const wordsLimit = 4 << 10

// output keeps the first wordsLimit bytes written to it (by several
// writers at once) and discards the rest.
type output struct {
	mu  sync.Mutex
	buf []byte
}

func (w *output) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := wordsLimit - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// String returns the non-empty lines kept, trimmed and joined by " | ".
func (w *output) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var lines []string
	for line := range strings.Lines(string(w.buf)) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, " | ")
}

// Verify verifies claim c with settings s in the worker, as gradcheck.Verify
// would in this process. An error means the worker could not serve the
// request; a worker that died or did not answer before ctx was done is
// killed, and every later call fails.
func (c *Client) Verify(ctx context.Context, claim *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
	spec, err := SpecYAML(claim)
	if err != nil {
		return gradcheck.Result{}, fmt.Errorf("worker: %s: %w", claim.Name, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return gradcheck.Result{}, c.broken
	}
	c.nextID++
	req := Request{ID: c.nextID, Spec: string(spec), Claim: claim.Name, Settings: s}
	type reply struct {
		resp Response
		err  error
	}
	done := make(chan reply, 1)
	go func() {
		if err := c.enc.Encode(req); err != nil {
			done <- reply{err: err}
			return
		}
		var r reply
		r.err = c.dec.Decode(&r.resp)
		done <- r
	}()
	var r reply
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
		c.kill()
	}
	if r.err == nil && r.resp.ID != req.ID {
		r.err = fmt.Errorf("response %d to request %d", r.resp.ID, req.ID)
	}
	if r.err != nil {
		c.broken = fmt.Errorf("worker: %s: %w", claim.Name, c.exitErr(r.err))
		c.kill()
		return gradcheck.Result{}, c.broken
	}
	if r.resp.Error != "" || r.resp.Result == nil {
		return gradcheck.Result{}, fmt.Errorf("worker: %s: %s", claim.Name, r.resp.Error)
	}
	res := *r.resp.Result
	if err := restoreNonFinite(&res, r.resp.NonFinite); err != nil {
		return gradcheck.Result{}, err
	}
	return res, nil
}

// exitErr adds how the worker exited to err, when it has (io.EOF on its
// output means it did).
func (c *Client) exitErr(err error) error {
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	if err := c.wait(); err != nil {
		return fmt.Errorf("worker exited: %w", err)
	}
	return errors.New("worker exited")
}

// wait waits for the worker process to exit, once. It is called only when
// no read of the worker's output is pending (after a read saw the end of
// it, or when closing), since exec.Cmd.Wait closes that pipe.
func (c *Client) wait() error {
	c.waitOnce.Do(func() { c.waitErr = c.cmd.Wait() })
	return c.waitErr
}

// kill ends the worker process at once.
func (c *Client) kill() {
	// Kill fails only if the process is gone already.
	_ = c.cmd.Process.Kill()
}

// Close ends the worker's input, so that it exits, and waits for it.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stdin.Close()
	err := c.wait()
	if c.broken != nil {
		return nil // killed on purpose
	}
	return err
}
