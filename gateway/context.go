package gateway

import "context"

type requestIDKey struct{}

// withRequestID puts the request ID in the context handed to actors.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}
