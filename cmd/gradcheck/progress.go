package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelay is how long a run goes before its progress bar shows, so
// that quick runs print none; tests shorten it.
var progressDelay = time.Second

// progressRefresh is how often a shown bar is redrawn, so that its clock
// runs while a long claim is verified.
const progressRefresh = 250 * time.Millisecond

// plainInterval is how often --progress always writes a plain line where
// stderr is not a terminal: a file or a CI log gets a line every few
// seconds instead of carriage-return frames; tests shorten it.
var plainInterval = 5 * time.Second

// progress shows a progress bar on stderr — claims done of total, elapsed
// time, rate and time left — once the run has taken progressDelay. Writes
// to the terminal during the run go through above, which lifts the bar
// out of the way. Off a terminal it writes plain lines instead (see
// plainInterval). A nil *progress shows nothing.
type progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
	// plain, set off a terminal, writes lines to w instead of the bar.
	plain   bool
	w       io.Writer
	total   int
	start   time.Time
	done    int
	shown   int // the count the bar shows
	visible bool
	stop    chan struct{}
	wg      sync.WaitGroup
}

// startProgress starts the progress of total jobs on w for --progress mode:
// auto shows it when w is a terminal, always always, never never.
func startProgress(w io.Writer, mode string, total int) *progress {
	if total == 0 || mode == "never" || mode == "auto" && !isTerminal(w) {
		return nil
	}
	p := &progress{stop: make(chan struct{}), plain: !isTerminal(w), w: w, total: total, start: time.Now()}
	if p.plain {
		p.wg.Add(1)
		go p.tick()
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("verifying"),
		progressbar.OptionSetItsString("claims"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionEnableColorCodes(false),
		progressbar.OptionUseANSICodes(false),
	)
	p.bar.StartWithoutRender() // the clock starts now, the bar shows later
	p.wg.Add(1)
	go p.tick()
	return p
}

// tick shows the bar after progressDelay and redraws it until stopped.
func (p *progress) tick() {
	defer p.wg.Done()
	select {
	case <-p.stop:
		return
	case <-time.After(progressDelay):
	}
	interval := progressRefresh
	if p.plain {
		interval = plainInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p.mu.Lock()
		p.visible = !p.plain
		p.draw()
		p.mu.Unlock()
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// draw renders the bar at the current count, or writes a plain line; p.mu
// is held.
func (p *progress) draw() {
	if p.plain {
		fmt.Fprintf(p.w, "gradcheck: verifying: %d of %d claims in %s\n", p.done, p.total, time.Since(p.start).Round(time.Second))
		return
	}
	if p.done != p.shown {
		p.bar.Set(p.done)
		p.shown = p.done
		return
	}
	p.bar.RenderBlank()
}

// step counts one job done.
func (p *progress) step() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.visible {
		p.draw()
	}
}

// above runs write, which writes to the terminal, with the bar cleared
// first and drawn again after.
func (p *progress) above(write func()) {
	if p == nil {
		write()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.visible {
		p.bar.Clear()
	}
	write()
	if p.visible {
		p.draw()
	}
}

// finish removes the bar for good.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.visible {
		p.bar.Clear()
		p.visible = false
	}
}

// progressWriter writes through progress p, so that whole lines written
// during a run appear above the bar.
type progressWriter struct {
	p *progress
	w io.Writer
}

func (pw progressWriter) Write(b []byte) (n int, err error) {
	pw.p.above(func() { n, err = pw.w.Write(b) })
	return n, err
}
