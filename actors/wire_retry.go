package actors

// retryGrant runs when net/http asks for a connection. The first time,
// that is the granted call's own request. Any later time, net/http is
// sending the same request again: it does so by itself when a kept-alive
// connection fails under an idempotent request (a reset after the
// request was written, or the far end closing it just then), and the far
// end may well have counted the first attempt. Each attempt is a start
// for the global rate, so the new one waits here (the lane permit is
// held, as for any grant) for a grant of its own, and the last attempt's
// slot is stamped now if it was not yet. If no grant comes (the call's
// wait ended), the attempt goes ahead on the old grant: net/http offers
// no way to stop it from a trace hook, and the call is failing anyway.
func (w *wireStamp) retryGrant() {
	if w.attempts.Add(1) == 1 || w.regrant == nil {
		return
	}
	if !w.sent.Load() {
		w.send()
	}
	t, err := w.regrant()
	if err != nil {
		return
	}
	w.ticket.Store(t)
	w.sent.Store(false)
	w.fresh.Store(false)
}
