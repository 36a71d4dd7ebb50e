// Package store keeps dj's three short-lived key-value namespaces in three
// embedded Badger databases under one data directory:
//
//   - sessions       (NSSessions, Dir/sessions): our opaque session token →
//     the user's Spotify tokens; TTL 4 h.
//   - audio_features (NSAudioFeatures, Dir/audio_features): enrichment cache;
//     hits live 90 d, misses are stored as explicit negative entries for 5 min
//     so that a track without data is not looked up again on every request.
//   - mix_sessions   (NSMixSessions, Dir/mix_sessions): one mix per user; 8 h.
//
// The package knows no domain types: callers pick them through the generic
// [Table] and [Cache] handles, constrained by [Record], so the store can sit
// below the mix package and later be swapped for a shared store with native
// TTL (Redis) behind the same API.
//
// # Invariants
//
// Every write carries a TTL: the public API takes no TTL argument at all, the
// TTL comes from the namespace's [Config] and the internal writer refuses
// anything below Badger's one-second resolution. Every read decodes the
// stored envelope and runs the record's Validate; a value that fails is
// reported to the caller as a miss, deleted, logged (without its key, which
// may be a secret token) and counted as "invalid".
//
// # Durability
//
// Writes use SyncWrites=false. An acknowledged write (Put/PutHit/PutMiss/
// Delete/Take returned nil) is in Badger's memory-mapped write-ahead log, so
// it is in the OS page cache and survives a crash or kill -9 of the process;
// a test kills a child process with SIGKILL and checks exactly that. It does
// not survive an OS crash or power loss: whatever the kernel had not yet
// written back can be lost — with Linux defaults (dirty pages expire after
// 30 s) up to about the last half minute of writes. Badger replays its log up
// to the first damaged entry, so the databases still open. For
// this data that means users may have to log in again, a mix may roll back to
// an earlier state, and some enrichment lookups are repeated — acceptable
// for caches and sessions that expire within hours anyway, and far cheaper
// than an fsync per write (about 11 µs versus 196 µs per commit).
//
// # Memory
//
// Three databases share one process, so each is opened with small memtables,
// caches and value-log files (see badgerOptions). In the reference
// measurement (batched writes) this cut peak RSS from 1.1 GB to 0.43 GB. With
// this package's single-key transactions (TestMemoryFootprint, opt-in:
// 3 × 200 000 records of ~0.5 KB) peak RSS was about 0.9 GB tuned against
// 1.5 GB with Badger's defaults; most of the peak is transient compaction
// buffers, and the live Go heap after the load was about 110 MiB. A process
// memory limit (GOMEMLIMIT) keeps that garbage from inflating RSS.
package store
