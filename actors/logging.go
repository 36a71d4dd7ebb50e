package actors

import (
	"context"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// minLevel passes records at or above min to h; it lets protoactor's own
// chatter be quieter than the service's logger without a second handler.
type minLevel struct {
	min slog.Level
	h   slog.Handler
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{min: m.min, h: m.h.WithAttrs(as)}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{min: m.min, h: m.h.WithGroup(name)}
}

// protoactorLogger routes protoactor's logger (actor system start, panics
// being recovered, dead letters) into the service's slog handler, so its
// lines are JSON like ours and carry lib=protoactor.
func protoactorLogger(log *slog.Logger, min slog.Level) func(*actor.ActorSystem) *slog.Logger {
	return func(s *actor.ActorSystem) *slog.Logger {
		return slog.New(minLevel{min: min, h: log.Handler()}).With("lib", "protoactor", "actor_system", s.ID)
	}
}
