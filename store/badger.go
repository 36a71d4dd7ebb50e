package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// badgerOptions returns the options for one of the three databases.
//
// Badger's defaults (5 × 64 MiB memtables, 256 MiB block cache, unbounded
// index cache, 1 GiB value-log files) are sized for one large database per
// process. With three small ones they peaked at 1.1 GB RSS under write load;
// these values measured 0.43 GB for the same load (reference notes §4.4).
func badgerOptions(dir string, inMemory bool, log *slog.Logger) badger.Options {
	opts := badger.DefaultOptions(dir)
	if inMemory {
		opts = badger.DefaultOptions("").WithInMemory(true)
	}
	return opts.
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(8 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithValueLogFileSize(64 << 20).
		// See the package comment for what SyncWrites=false can cost.
		WithSyncWrites(false).
		// Size() reads Badger's size metrics; they must stay enabled.
		WithMetricsEnabled(true).
		// Set last: WithLoggingLevel would replace a custom logger, so the
		// level is filtered in the adapter instead.
		WithLogger(badgerLogger{log: log, min: slog.LevelWarn})
}

// badgerLogger routes Badger's log lines into slog. Badger logs several INFO
// lines per open and close and per compaction; only warnings and errors are
// worth an operator's attention, so lower levels are dropped here.
type badgerLogger struct {
	log *slog.Logger
	min slog.Level
}

func (b badgerLogger) emit(level slog.Level, format string, args []any) {
	if level < b.min || !b.log.Enabled(context.Background(), level) {
		return
	}
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	b.log.Log(context.Background(), level, msg, slog.String("component", "badger"))
}

// Errorf implements badger.Logger.
func (b badgerLogger) Errorf(format string, args ...any) { b.emit(slog.LevelError, format, args) }

// Warningf implements badger.Logger.
func (b badgerLogger) Warningf(format string, args ...any) { b.emit(slog.LevelWarn, format, args) }

// Infof implements badger.Logger.
func (b badgerLogger) Infof(format string, args ...any) { b.emit(slog.LevelInfo, format, args) }

// Debugf implements badger.Logger.
func (b badgerLogger) Debugf(format string, args ...any) { b.emit(slog.LevelDebug, format, args) }
