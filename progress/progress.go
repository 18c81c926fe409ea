package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// The modes of Start, the values of a --progress flag.
const (
	Auto   = "auto"   // a bar when the writer is a terminal, else nothing
	Always = "always" // a bar on a terminal, else plain lines
	Never  = "never"  // nothing
)

// Options say how a Bar looks and when it shows.
type Options struct {
	// Description and Unit name the job and what it counts, as in
	// "verifying" and "claims".
	Description, Unit string
	// Prefix starts every plain line, as in "gradcheck: ".
	Prefix string
	// Delay is how long the job runs before anything shows.
	Delay time.Duration
	// Refresh is how often a shown bar is redrawn, so that its clock
	// runs while a long item is done.
	Refresh time.Duration
	// PlainInterval is how often a plain line is written off a terminal.
	PlainInterval time.Duration
	// CurrentAfter is how long the item named by Current runs before its
	// name shows.
	CurrentAfter time.Duration
}

// Bar is the progress of one job. A nil *Bar shows nothing, so that
// callers need not check whether progress is on.
type Bar struct {
	o   Options
	mu  sync.Mutex
	bar *progressbar.ProgressBar
	// plain, set off a terminal, writes lines to w instead of the bar.
	plain bool
	w     io.Writer
	total int
	start time.Time
	done  int
	shown int // the count the bar shows
	// current names the item being done and since when (see Current).
	current      string
	currentSince time.Time
	// described is the description the bar shows.
	described string
	visible   bool
	stop      chan struct{}
	wg        sync.WaitGroup
}

// Start starts the progress of total items on w in mode (Auto, Always or
// Never); it returns nil where nothing is to show.
func Start(w io.Writer, mode string, total int, o Options) *Bar {
	if total == 0 || mode == Never || mode == Auto && !IsTerminal(w) {
		return nil
	}
	p := &Bar{o: o, stop: make(chan struct{}), plain: !IsTerminal(w), w: w, total: total, start: time.Now()}
	if !p.plain {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(o.Description),
			progressbar.OptionSetItsString(o.Unit),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionEnableColorCodes(false),
			progressbar.OptionUseANSICodes(false),
		)
		p.bar.StartWithoutRender() // the clock starts now, the bar shows later
	}
	p.wg.Add(1)
	go p.tick()
	return p
}

// tick shows the bar after the delay and redraws it until stopped.
func (p *Bar) tick() {
	defer p.wg.Done()
	select {
	case <-p.stop:
		return
	case <-time.After(p.o.Delay):
	}
	interval := p.o.Refresh
	if p.plain {
		interval = p.o.PlainInterval
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
func (p *Bar) draw() {
	if p.plain {
		fmt.Fprintf(p.w, "%s%s: %d of %d %s in %s%s\n", p.o.Prefix, p.o.Description, p.done, p.total, p.o.Unit,
			time.Since(p.start).Round(time.Second), p.currentText())
		return
	}
	if d := p.o.Description + p.currentText(); d != p.described {
		p.bar.Describe(d)
		p.described = d
	}
	if p.done != p.shown {
		p.bar.Set(p.done)
		p.shown = p.done
		return
	}
	p.bar.RenderBlank()
}

// currentText is "; now NAME for 1m40s" while an item named NAME has
// run CurrentAfter or longer, else "": a claim that takes minutes showed
// "0 of 3 claims" and nothing of which (found by the walkthrough).
func (p *Bar) currentText() string {
	if p.current == "" {
		return ""
	}
	if d := time.Since(p.currentSince); d >= p.o.CurrentAfter {
		name := p.current
		if r := []rune(name); len(r) > maxCurrent {
			// On an 80-column terminal a longer line wraps, and each
			// redraw leaves a line behind (the second review helper).
			name = string(r[:maxCurrent-1]) + "…"
		}
		return fmt.Sprintf("; now %s for %s", name, d.Round(time.Second))
	}
	return ""
}

// maxCurrent is the most runes of an item's name that Current shows.
const maxCurrent = 24

// Current names the item being done from now on, as a claim's name, so
// that a slow one shows which it is.
func (p *Bar) Current(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current, p.currentSince = name, time.Now()
}

// Step counts one item done.
func (p *Bar) Step() {
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
func (p *Bar) above(write func()) {
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

// Finish removes the bar for good.
func (p *Bar) Finish() {
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

// Writer returns a writer to w, the terminal the bar is on, whose writes
// (whole lines) appear above the bar; w itself for a nil *Bar.
func (p *Bar) Writer(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	return writer{p, w}
}

// writer writes through a Bar.
type writer struct {
	p *Bar
	w io.Writer
}

func (pw writer) Write(b []byte) (n int, err error) {
	pw.p.above(func() { n, err = pw.w.Write(b) })
	return n, err
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
