// Package web embeds the built single-page app (web/dist) into djd. When
// the SPA has not been built, dist holds only placeholder.html, so
// `go build ./...` works on a fresh clone without Node.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app's files, rooted at the dist folder.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "dist" is a constant.
		panic(err)
	}
	return sub
}

// IndexFile names the page served for client-side routes: the built
// index.html, or the placeholder when the app was not built.
func IndexFile(files fs.FS) string {
	if _, err := fs.Stat(files, "index.html"); err == nil {
		return "index.html"
	}
	return "placeholder.html"
}
