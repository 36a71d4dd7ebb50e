// Package reliability is dj's reliability and security suite, the proof
// behind docs/reliability.md. It has no code of its own, only tests that
// drive whole servers:
//
//   - R1 (kill -9 during a storm of mix edits) and R7 (SIGTERM under load)
//     run djd as a real child process on its own data directory;
//   - R2 (the simulator's fault matrix under load), R5 (a thousand SSE
//     clients that never read) and R6 (goroutines and actors back to
//     their baseline) run a whole server in-process with djtest, where
//     its registry and goroutines can be inspected.
//
// R3 (fuzzing and the malformed-body table) and R4 (the auth matrix and
// the log grep) live next to the code they test: gateway and actors.
//
// `make test` runs every test here with small counts; `make soak` sets
// DJ_SOAK=1, which raises them to the figures the issue asks for.
package reliability
