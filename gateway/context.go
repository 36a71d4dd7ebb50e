package gateway

import (
	"context"

	"dj/actors"
)

// withRequestID puts the request ID in the context handed to actors, under
// actors' own key, so their log lines and limiter decisions carry it.
func withRequestID(ctx context.Context, id string) context.Context {
	return actors.WithRequestID(ctx, id)
}
