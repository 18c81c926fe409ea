package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"

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
func Start(ctx context.Context, cmd *exec.Cmd) (*Client, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("worker: starting %s: %w", cmd.Path, err)
	}
	c := &Client{cmd: cmd, stdin: stdin, enc: json.NewEncoder(stdin),
		dec: json.NewDecoder(bufio.NewReader(stdout))}
	hello := make(chan error, 1)
	go func() { hello <- c.dec.Decode(&c.Hello) }()
	select {
	case err = <-hello:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil && c.Hello.Protocol != Protocol {
		err = fmt.Errorf("protocol %d, want %d", c.Hello.Protocol, Protocol)
	}
	if err != nil {
		c.kill()
		err = c.exitErr(err)
		c.wait() // reap the killed process
		return nil, fmt.Errorf("worker: %s did not start: %w", cmd.Path, err)
	}
	return c, nil
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
