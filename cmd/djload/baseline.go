package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// baselineRE matches the baseline server's start-up line.
var baselineRE = regexp.MustCompile(`baseline listening on (http://\S+)`)

// serveBaseline is the -serve-baseline mode: a bare Fiber app whose one
// handler answers every GET with the given file's bytes — the same bytes
// djd's route returned, with none of djd's middleware, auth, actors or
// store. It is the "what Fiber alone can do on this box" side of P2, and
// runs until SIGTERM (compare mode stops it by its PID).
func serveBaseline(ctx context.Context, o *options, stderr io.Writer) error {
	body, err := os.ReadFile(o.serveBaseline)
	if err != nil {
		return fmt.Errorf("baseline body: %w", err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	ctype := o.baselineType
	app.Get("/*", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, ctype)
		return c.Send(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("baseline listen: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	fmt.Fprintf(stderr, "baseline listening on http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("baseline serve: %w", err)
	case <-ctx.Done():
	}
	if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
		return fmt.Errorf("baseline shutdown: %w", err)
	}
	return nil
}
