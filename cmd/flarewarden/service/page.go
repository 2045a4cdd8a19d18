package service

import (
	"bytes"
	"context"
	_ "embed"
	"net/http"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller/history"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// The stylesheet of the status page (GET /status/page.css); the page
// itself (GET /) is page.templ: one server-rendered HTML page, no script,
// no asset from anywhere else.
//
//go:generate go run github.com/a-h/templ/cmd/templ@v0.3.1118 generate -f page.templ
//go:embed page.css
var pageCSS []byte

// pageCSP lets the page load its stylesheet from this endpoint and nothing
// else: no script, no frame, no form, no font, no outside image.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// page serves the status page: what GET /status and GET /status/history
// say, for a person to read at a glance.
func (e *Endpoint) page(w http.ResponseWriter, r *http.Request) {
	var snap *history.Snapshot
	if e.History != nil {
		s := e.History.Snapshot()
		snap = &s
	}
	e.writePage(r.Context(), w, buildPage(e.State.view(), snap, e.Now()))
}

// writePage renders p, with every URL in it redacted.
func (e *Endpoint) writePage(ctx context.Context, w http.ResponseWriter, p pageView) {
	var buf bytes.Buffer
	if err := statusPage(p).Render(ctx, &buf); err != nil {
		e.Log.Error("status page not rendered", zap.Error(err))
		text(w, http.StatusInternalServerError, "status page not rendered")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(redactHTML(buf.Bytes()))
}

// pageStyle serves the page's stylesheet.
func (e *Endpoint) pageStyle(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(pageCSS)
}

// redactHTML shows every URL in an HTML page as redact.Text does in JSON.
// A URL ends where a tag begins and at an escaped quote (&#34;), as it
// ends at a quote in JSON, so that the cut takes no markup with it.
func redactHTML(b []byte) []byte {
	parts := bytes.Split(b, []byte("<"))
	for i, p := range parts {
		quoted := bytes.Split(p, []byte("&#34;"))
		for j, q := range quoted {
			quoted[j] = redact.Text(q)
		}
		parts[i] = bytes.Join(quoted, []byte("&#34;"))
	}
	return bytes.Join(parts, []byte("<"))
}
