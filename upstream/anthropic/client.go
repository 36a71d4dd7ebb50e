// Package anthropic is dj's client for the Anthropic Messages API, a thin
// wrapper over the official Go SDK (v2) that fixes what dj needs and the
// SDK leaves open: no environment leaks into configuration, no SDK
// retries (dj's lane limiter owns retries and backoff), every failure as
// an *upstream.Error of a kind the limiter can act on, and streamed
// answers delivered as small typed events while being accumulated.
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// DefaultModel is the model used when neither Config nor a request names
// one: the current Sonnet, the reference app's chat model family.
const DefaultModel = sdk.ModelClaudeSonnet5_5

const apiName = "anthropic"

// Config sets up a Client.
type Config struct {
	// BaseURL is the API root without /v1 (the SDK adds it), e.g. the
	// simulator's http://127.0.0.1:9100/anthropic; empty means the real API.
	BaseURL string
	// APIKey is sent as Authorization: Bearer (the SDK v2 way).
	APIKey string
	// Model is used for requests that leave MessageNewParams.Model empty.
	Model sdk.Model
	// HTTPClient carries the requests; nil means a private client on a
	// clone of http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds a whole call, a stream included; 0 means only the
	// caller's context does.
	Timeout time.Duration
	// MaxRetries is passed to the SDK. The default 0 makes 429 and 529
	// surface at once, because the lane limiter owns retries.
	MaxRetries int
}

// Client calls the Messages API. It is safe for concurrent use.
type Client struct {
	sdk     sdk.Client
	model   sdk.Model
	timeout time.Duration
	key     string
}

// New builds a Client. It never reads ANTHROPIC_* environment variables:
// everything comes from cfg, so a developer's key cannot leak into tests
// or the simulator run.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("anthropic: an API key is required")
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithAPIKey(cfg.APIKey),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(max(cfg.MaxRetries, 0)),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	return &Client{sdk: sdk.NewClient(opts...), model: cfg.Model, timeout: cfg.Timeout, key: cfg.APIKey}, nil
}

// Model is the model requests default to.
func (c *Client) Model() sdk.Model { return c.model }

// Complete sends a non-streaming request and returns the whole message.
func (c *Client) Complete(ctx context.Context, params sdk.MessageNewParams) (*sdk.Message, error) {
	const op = "messages.create"
	callCtx, cancel := c.withTimeout(ctx)
	defer cancel()
	var raw []byte
	var resp *http.Response
	_, err := c.sdk.Messages.New(callCtx, c.defaults(params), option.WithResponseBodyInto(&raw), option.WithResponseInto(&resp))
	if err != nil {
		return nil, c.mapError(ctx, callCtx, op, err)
	}
	var msg sdk.Message
	if err := json.Unmarshal(raw, &msg); err != nil {
		return nil, c.badResponse(op, resp, fmt.Errorf("decode message: %w", err))
	}
	if msg.Type != "message" {
		return nil, c.envelopeError(op, resp, raw)
	}
	return &msg, nil
}

func (c *Client) defaults(p sdk.MessageNewParams) sdk.MessageNewParams {
	if p.Model == "" {
		p.Model = c.model
	}
	return p
}

func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}
