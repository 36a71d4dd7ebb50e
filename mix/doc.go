// Package mix is the pure domain of the DJ: the mix session (vibe, queue,
// history, listener signals, taste), suggestion and transition scoring,
// steering, and the merge of Deezer and Last.fm enrichment into a track's
// features plus playlist-level aggregation.
//
// The package does no I/O. Anything that depends on the clock or on
// randomness takes the value as a parameter, so every function is
// deterministic and can be tested with fixed inputs. Types carry JSON tags
// that match the reference contract, so the HTTP layer can serialise them
// directly, and every stored type has a Validate method the store calls on
// read.
//
// Numeric rules follow the reference implementation, which ran on IEEE-754
// doubles with JavaScript rounding; see jsRound and jsToFixed.
package mix
