package gateway

import "runtime/debug"

// stack is the current goroutine's stack for panic logs; it is never sent
// to a client.
func stack() string { return string(debug.Stack()) }
