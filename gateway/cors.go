package gateway

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
)

// corsFor allows the configured origins (never "*", since requests carry
// bearer tokens) every method the API uses, PATCH included — the
// reference app forgot it.
func corsFor(origins []string) fiber.Handler {
	return cors.New(cors.Config{
		AllowOrigins:  strings.Join(origins, ","),
		AllowMethods:  "GET,POST,PUT,PATCH,DELETE,OPTIONS",
		AllowHeaders:  "Content-Type,Authorization,X-Request-ID",
		ExposeHeaders: "X-Request-ID",
		MaxAge:        600,
	})
}
