package gateway

import (
	"encoding/json"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// mountDocs serves the OpenAPI document and its docs page. It runs after
// every typed route is registered, so the document is complete.
func (s *Server) mountDocs() error {
	doc, err := s.doc.document()
	if err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode openapi document: %w", err)
	}
	page, err := renderDocsPage(doc)
	if err != nil {
		return err
	}
	s.api.Get("/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(body)
	})
	s.api.Get("/docs", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(page)
	})
	return nil
}
