package gateway

import (
	"net/http"

	"dj/web"

	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// mountSPA serves the embedded web app. It is registered after every /api
// route, and /api/* has its own 404, so the API never falls through to
// index.html; any other unknown path is a client-side route and gets it.
func (s *Server) mountSPA() {
	files := web.Dist()
	index := web.IndexFile(files)
	s.app.Use("/", filesystem.New(filesystem.Config{
		Root:         http.FS(files),
		Index:        index,
		NotFoundFile: index,
		MaxAge:       300,
	}))
}
