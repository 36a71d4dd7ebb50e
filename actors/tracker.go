package actors

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Tracker is the seed's PromiseTracker for one request: every piece of
// work started for the request goes through Go, so none floats. Finish,
// at the end of the request, logs what was started, done, failed and
// still pending (with durations) under the request ID; work still pending
// then goes on, registered with the System, and Shutdown waits for it.
type Tracker struct {
	s     *System
	ctx   context.Context
	reqID string

	mu       sync.Mutex
	tasks    []*trackedTask
	gate     gate
	finished time.Time
}

type taskState int

const (
	taskRunning taskState = iota
	taskDone
	taskFailed
)

func (st taskState) String() string {
	switch st {
	case taskDone:
		return "done"
	case taskFailed:
		return "failed"
	default:
		return "pending"
	}
}

type trackedTask struct {
	id      uint64
	name    string
	reqID   string
	started time.Time
	ended   time.Time
	state   taskState
	err     error
}

// NewTracker starts tracking work for the request of ctx. Work started
// with Go gets a context derived from ctx: it keeps ctx's values (request
// ID, budget, priority) and ends when ctx ends or when Shutdown gives up
// on it. For work that must outlive the request (the seed's waitUntil),
// pass context.WithoutCancel(requestCtx).
func (s *System) NewTracker(ctx context.Context) *Tracker {
	return &Tracker{s: s, ctx: ctx, reqID: RequestID(ctx)}
}

// Go runs fn in its own goroutine as tracked work named name. A panic in
// fn is recovered and recorded as a failure. After Shutdown has finished
// draining, fn is not run and the work is recorded as failed.
func (t *Tracker) Go(name string, fn func(ctx context.Context) error) {
	t.goUntil(name, t.s.base, fn)
}

// GoRedoable is Go for work that a later request redoes by itself (a
// background fill of the queue): its context also ends as soon as
// shutdown begins, so it does not hold the drain of the work that must
// finish (acknowledged edits, a track change being recorded).
func (t *Tracker) GoRedoable(name string, fn func(ctx context.Context) error) {
	t.goUntil(name, t.s.draining, fn)
}

// goUntil runs fn as tracked work whose context ends with until.
func (t *Tracker) goUntil(name string, until context.Context, fn func(ctx context.Context) error) {
	task := &trackedTask{name: name, reqID: t.reqID, started: time.Now()}
	t.mu.Lock()
	t.tasks = append(t.tasks, task)
	t.gate.add()
	t.mu.Unlock()
	if !t.s.work.add(task) {
		t.complete(task, ErrShuttingDown)
		return
	}
	ctx, cancel := context.WithCancel(t.ctx)
	stop := context.AfterFunc(until, cancel)
	t.s.m.trackedActive.Inc()
	go func() {
		var err error
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
				t.s.log.Error("tracked work panicked", "request_id", t.reqID, "work", name,
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			}
			stop()
			cancel()
			t.complete(task, err)
			t.s.m.trackedActive.Dec()
			t.s.work.done(task)
		}()
		err = fn(ctx)
	}()
}

func (t *Tracker) complete(task *trackedTask, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	task.ended = time.Now()
	task.err = err
	task.state = taskDone
	if err != nil {
		task.state = taskFailed
	}
	// Log before the gate opens, so whoever waits on the tracker sees it.
	if t.gate.n == 1 && !t.finished.IsZero() {
		r := t.reportLocked()
		t.s.log.Info("request work drained after request end", "request_id", t.reqID,
			"done", r.Done, "failed", r.Failed, "after", time.Since(t.finished).String())
	}
	t.gate.done()
}

// Wait blocks until every piece of work started so far has ended or ctx
// ends (the seed's flush).
func (t *Tracker) Wait(ctx context.Context) error {
	t.mu.Lock()
	idle := t.gate.idle()
	t.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TrackerStatus counts a tracker's work.
type TrackerStatus struct {
	Started int `json:"started"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Pending int `json:"pending"`
}

// Status counts the work started so far by state.
func (t *Tracker) Status() TrackerStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reportLocked().TrackerStatus
}

// taskReport is one line of the status Finish logs.
type taskReport struct {
	Name       string  `json:"name"`
	State      string  `json:"state"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

type trackerReport struct {
	TrackerStatus
	Tasks []taskReport
}

// maxReportedTasks bounds the per-task list in Finish's log line.
const maxReportedTasks = 50

func (t *Tracker) reportLocked() trackerReport {
	now := time.Now()
	r := trackerReport{}
	r.Started = len(t.tasks)
	for _, task := range t.tasks {
		end := task.ended
		switch task.state {
		case taskDone:
			r.Done++
		case taskFailed:
			r.Failed++
		default:
			r.Pending++
			end = now
		}
		if len(r.Tasks) < maxReportedTasks {
			tr := taskReport{Name: task.name, State: task.state.String(),
				DurationMS: float64(end.Sub(task.started).Microseconds()) / 1000}
			if task.err != nil {
				tr.Error = task.err.Error()
			}
			r.Tasks = append(r.Tasks, tr)
		}
	}
	return r
}

// Finish ends the request: it logs the status of all its work with the
// request ID and records how much of the request's budget was used.
// Pending work goes on. Calling it twice logs twice.
func (t *Tracker) Finish() {
	t.mu.Lock()
	if t.finished.IsZero() {
		t.finished = time.Now()
	}
	r := t.reportLocked()
	t.mu.Unlock()
	attrs := []slog.Attr{
		slog.String("request_id", t.reqID),
		slog.Int("started", r.Started), slog.Int("done", r.Done),
		slog.Int("failed", r.Failed), slog.Int("pending", r.Pending),
		slog.Any("work", r.Tasks),
	}
	if r.Started > len(r.Tasks) {
		attrs = append(attrs, slog.Int("work_not_listed", r.Started-len(r.Tasks)))
	}
	if b := BudgetOf(t.ctx); b != nil {
		t.s.m.budgetUsed.Observe(float64(b.Used()))
		attrs = append(attrs, slog.Int("budget_used", b.Used()), slog.Int("budget_limit", b.Limit()))
	}
	level := slog.LevelInfo
	if r.Failed > 0 {
		level = slog.LevelWarn
	}
	t.s.log.LogAttrs(context.Background(), level, "request work status", attrs...)
}

// gate counts running work and hands out a channel that is closed while
// the count is zero. The caller provides the locking.
type gate struct {
	n  int
	ch chan struct{}
}

func (g *gate) add() {
	if g.n == 0 {
		g.ch = make(chan struct{})
	}
	g.n++
}

// done reports whether the count fell to zero.
func (g *gate) done() bool {
	g.n--
	if g.n == 0 {
		close(g.ch)
		return true
	}
	return false
}

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (g *gate) idle() <-chan struct{} {
	if g.n == 0 {
		return closedCh
	}
	return g.ch
}

// workGroup is every piece of tracked work of the System, for Shutdown.
type workGroup struct {
	mu     sync.Mutex
	nextID uint64
	items  map[uint64]*trackedTask
	gate   gate
	shut   bool
}

func (w *workGroup) add(t *trackedTask) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shut {
		return false
	}
	if w.items == nil {
		w.items = map[uint64]*trackedTask{}
	}
	w.nextID++
	t.id = w.nextID
	w.items[t.id] = t
	w.gate.add()
	return true
}

func (w *workGroup) done(t *trackedTask) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.items[t.id]; !ok {
		return
	}
	delete(w.items, t.id)
	w.gate.done()
}

func (w *workGroup) idle() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gate.idle()
}

func (w *workGroup) active() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gate.n
}

type pendingWork struct {
	reqID, name string
	started     time.Time
}

func (w *workGroup) snapshot() []pendingWork {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]pendingWork, 0, len(w.items))
	for _, t := range w.items {
		out = append(out, pendingWork{reqID: t.reqID, name: t.name, started: t.started})
	}
	return out
}

func (w *workGroup) close() {
	w.mu.Lock()
	w.shut = true
	w.mu.Unlock()
}

func (w *workGroup) closed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.shut
}
