package spotify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	sp "github.com/zmb3/spotify/v2"
)

// UserClient calls the Web API as one user. Its token is fixed: the
// caller owns refreshing and makes a new UserClient with the new token.
// It is cheap to create and safe for concurrent use.
type UserClient struct {
	sdk     *sp.Client
	http    *http.Client
	apiURL  string
	timeout time.Duration
}

// ForUser returns a client that sends accessToken as its bearer token.
func (c *Client) ForUser(accessToken string) *UserClient {
	hc := c.httpClient(accessToken)
	return &UserClient{
		sdk:     sp.New(hc, sp.WithBaseURL(c.apiURL)),
		http:    hc,
		apiURL:  c.apiURL,
		timeout: c.timeout,
	}
}

// call runs f with the call timeout and a probe, and maps its error.
// It returns the HTTP status of the answer (204 tells "nothing playing").
func (u *UserClient) call(ctx context.Context, op string, f func(context.Context) error) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	ctx, p := withProbe(ctx)
	if err := f(ctx); err != nil {
		return p.status, callError(op, p, err)
	}
	return p.status, nil
}

// do is the hand-written request for endpoints the SDK gets wrong in
// development mode. path is relative to the API base; body, when not nil,
// is sent as JSON; a 2xx answer is decoded into out unless out is nil.
func (u *UserClient) do(ctx context.Context, op, method, path string, query url.Values, body, out any) (int, error) {
	return u.call(ctx, op, func(ctx context.Context) error {
		var rd io.Reader
		if body != nil {
			raw, err := json.Marshal(body)
			if err != nil {
				return err
			}
			rd = bytes.NewReader(raw)
		}
		target := u.apiURL + path
		if len(query) > 0 {
			target += "?" + query.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := u.http.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return readSpotifyError(resp)
		}
		if out == nil || resp.StatusCode == http.StatusNoContent {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			return nil
		}
		return json.NewDecoder(resp.Body).Decode(out)
	})
}

// readSpotifyError reads {"error":{"status","message"}} into the SDK's
// error type, so hand-written and SDK calls fail alike.
func readSpotifyError(resp *http.Response) error {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return err
	}
	var e struct {
		Error sp.Error `json:"error"`
	}
	if json.Unmarshal(raw, &e) != nil || e.Error.Message == "" {
		return errors.New("spotify: error response without a readable message")
	}
	return e.Error
}
