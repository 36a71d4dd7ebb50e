// Package store keeps dj's three short-lived key-value namespaces — by
// default in three embedded Badger databases under one data directory
// (single node), or in one shared Redis server (cluster mode,
// Config.RedisAddr), behind the same typed API:
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
// below the mix package.
//
// # Backends
//
// Below the typed layer sits a small raw interface (backend: set with TTL,
// delete, get, atomic get-and-delete, compare-and-delete, size) with two
// implementations. Badger keeps each namespace in its own database and runs
// value-log GC. Redis keeps all three in one server under the keys
// "<RedisPrefix>dj:<namespace>:<key>", with native expiry (SET … PX, exact
// to the millisecond), Take as one GETDEL (Redis 6.2 or later, checked at
// Open) and the clean-up of invalid values as a Lua compare-and-delete, so
// that a valid value written meanwhile survives. Open pings Redis with a
// bounded timeout and fails if it does not answer. Every Redis call carries
// the caller's context deadline, capped at a few seconds; an unreachable
// Redis is an error to the caller, never a miss. Redis reports no
// per-namespace size: LSMBytes, VlogBytes and dj_store_bytes are 0 there.
//
// # Invariants
//
// Every write carries a TTL: the public API takes no TTL argument at all, the
// TTL comes from the namespace's [Config] and the internal writer refuses
// anything below Badger's one-second resolution (on both backends, so a
// configuration means the same everywhere). Every read decodes the
// stored envelope and runs the record's Validate; a value that fails is
// reported to the caller as a miss, deleted, logged (without its key, which
// may be a secret token) and counted as "invalid".
//
// # Durability (Badger)
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
// # Durability (Redis)
//
// With Redis, what survives is the operator's choice, made in the Redis
// configuration, not here. An acknowledged write is in the server's memory;
// a crash or kill -9 of djd costs nothing. What a crash of Redis itself
// costs depends on its persistence settings:
//
//   - no persistence (save "" and appendonly no): everything — all users
//     are logged out, every mix is gone, the cache is cold.
//   - RDB snapshots only (save …): every write since the last snapshot,
//     often minutes.
//   - AOF with appendfsync everysec (the usual production setting): Redis
//     normally writes the log to the OS before it replies, so a kill -9 of
//     the Redis process loses nothing acknowledged unless a slow disk made
//     it postpone that write (by up to 2 s); an OS crash or power loss
//     loses up to about the last two seconds.
//   - AOF with appendfsync always: every acknowledged write is on disk
//     (a test kills redis-server with SIGKILL and finds every write), at
//     the price of an fsync per write.
//
// Replication is asynchronous: a failover to a replica can lose writes the
// old primary had acknowledged. Expiry times are absolute, so TTLs survive
// a restart. Because every key has a TTL, a volatile-* maxmemory-policy
// would evict live sessions and mixes under memory pressure; use
// noeviction (writes then fail loudly) and size the memory instead. Take is
// at most once: if the connection breaks after Redis executed GETDEL but
// before the reply arrived, the value is gone and nobody got it (a login
// code then has to be requested again), but it is never handed out twice.
//
// # Memory
//
// Badger's three databases share one process, so each is opened with small
// memtables, caches and value-log files (see badgerOptions). In the reference
// measurement (batched writes) this cut peak RSS from 1.1 GB to 0.43 GB. With
// this package's single-key transactions (TestMemoryFootprint, opt-in:
// 3 × 200 000 records of ~0.5 KB) peak RSS was about 0.9 GB tuned against
// 1.5 GB with Badger's defaults; most of the peak is transient compaction
// buffers, and the live Go heap after the load was about 110 MiB. A process
// memory limit (GOMEMLIMIT) keeps that garbage from inflating RSS.
package store
