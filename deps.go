//go:build tools

package tools

import (
	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/asynkron/protoactor-go/actor"
	_ "github.com/dgraph-io/badger/v4"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/gofiber/fiber/v2"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/sony/gobreaker/v2"
	_ "github.com/stretchr/testify/require"
	_ "github.com/zmb3/spotify/v2"
	_ "go.uber.org/goleak"
	_ "golang.org/x/oauth2"
	_ "github.com/HdrHistogram/hdrhistogram-go"
)
