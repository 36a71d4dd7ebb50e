package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// docsOperation is one operation as the docs page shows it.
type docsOperation struct {
	Method, Path, Summary, ID string
	Auth                      bool
	Params                    []docsParam
	Body                      string
	Responses                 []docsResponse
}

type docsParam struct{ In, Name, Type, Doc string }

type docsResponse struct{ Status, Type, Schema string }

type docsTag struct {
	Name       string
	Operations []docsOperation
}

// renderDocsPage builds the API docs page from the document itself. It is
// self-contained (no script or style from elsewhere), so it works offline
// and under a strict content security policy.
func renderDocsPage(doc *openapi3.T) ([]byte, error) {
	byTag := map[string][]docsOperation{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			byTag[tag] = append(byTag[tag], docsOp(path, method, op))
		}
	}
	var tags []docsTag
	for name, ops := range byTag {
		sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
		tags = append(tags, docsTag{Name: name, Operations: ops})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	var buf bytes.Buffer
	err := docsTemplate.Execute(&buf, map[string]any{"Title": doc.Info.Title, "Version": doc.Info.Version, "Description": doc.Info.Description, "Tags": tags})
	if err != nil {
		return nil, fmt.Errorf("render docs page: %w", err)
	}
	return buf.Bytes(), nil
}

func docsOp(path, method string, op *openapi3.Operation) docsOperation {
	d := docsOperation{Method: method, Path: path, Summary: op.Summary, ID: op.OperationID, Auth: op.Security != nil}
	for _, p := range op.Parameters {
		d.Params = append(d.Params, docsParam{In: p.Value.In, Name: p.Value.Name, Type: schemaText(p.Value.Schema), Doc: p.Value.Description})
	}
	if op.RequestBody != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
			d.Body = schemaText(mt.Schema)
		}
	}
	for status, r := range op.Responses.Map() {
		for ct, mt := range r.Value.Content {
			d.Responses = append(d.Responses, docsResponse{Status: status, Type: ct, Schema: schemaText(mt.Schema)})
		}
		if len(r.Value.Content) == 0 {
			d.Responses = append(d.Responses, docsResponse{Status: status})
		}
	}
	sort.Slice(d.Responses, func(i, j int) bool { return d.Responses[i].Status < d.Responses[j].Status })
	return d
}

// schemaText shows a schema as indented JSON, refs resolved one level.
func schemaText(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	if ref.Ref != "" {
		return strings.TrimPrefix(ref.Ref, "#/components/schemas/") + " " + mustIndent(ref.Value)
	}
	return mustIndent(ref.Value)
}

func mustIndent(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "?"
	}
	return string(b)
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} {{.Version}}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#101418;color:#e6e9ec}
header{padding:24px 32px;background:#16202a;border-bottom:1px solid #2a3642}
main{padding:8px 32px 48px;max-width:1100px}
h2{margin-top:32px;text-transform:capitalize;color:#8fd19e}
details{background:#16202a;border:1px solid #2a3642;border-radius:8px;margin:8px 0}
summary{cursor:pointer;padding:10px 14px;display:flex;gap:12px;align-items:center}
.m{font:600 12px monospace;padding:2px 8px;border-radius:4px;background:#2a3642;min-width:52px;text-align:center}
.GET{background:#1f4f7a}.POST{background:#2f6b3a}.PUT{background:#7a5a1f}.PATCH{background:#5a3f7a}.DELETE{background:#7a2f2f}
.path{font-family:monospace}.lock{color:#e0b050;font-size:12px}
.body{padding:0 14px 14px}pre{background:#0b0f13;padding:10px;border-radius:6px;overflow:auto;max-height:360px;font-size:12px}
table{border-collapse:collapse}td,th{border:1px solid #2a3642;padding:4px 8px;text-align:left;font-size:13px}
a{color:#8fc7ff}
</style></head><body>
<header><h1>{{.Title}} <small>{{.Version}}</small></h1><p>{{.Description}} Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>.</p></header>
<main>
{{range .Tags}}<h2>{{.Name}}</h2>
{{range .Operations}}<details id="{{.ID}}"><summary><span class="m {{.Method}}">{{.Method}}</span><span class="path">{{.Path}}</span><span>{{.Summary}}</span>{{if .Auth}}<span class="lock">bearer token</span>{{end}}</summary>
<div class="body">
{{if .Params}}<h4>Parameters</h4><table><tr><th>in</th><th>name</th><th>schema</th><th>about</th></tr>{{range .Params}}<tr><td>{{.In}}</td><td>{{.Name}}</td><td><pre>{{.Type}}</pre></td><td>{{.Doc}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<h4>Request body (application/json)</h4><pre>{{.Body}}</pre>{{end}}
<h4>Responses</h4>{{range .Responses}}<p><b>{{.Status}}</b> {{.Type}}</p>{{if .Schema}}<pre>{{.Schema}}</pre>{{end}}{{end}}
</div></details>
{{end}}{{end}}
</main></body></html>
`))
