package dashboard

import (
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/run"
)

//go:embed assets
var assets embed.FS

// TokenHeader carries the token on the page's API requests; the steering
// endpoints accept it nowhere else.
const TokenHeader = "X-Voyplan-Token"

// pageCSP lets the page load its own scripts and styles and talk to its own
// server, and nothing else; no other site may frame it.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// routes: the page and its API. Every route but /assets/ needs the token:
// in the query or TokenHeader to read, in TokenHeader to steer; and POSTs
// from another origin are refused whatever they carry.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.read(s.page))
	mux.HandleFunc("GET /assets/{name}", s.asset)
	mux.HandleFunc("GET /events", s.read(s.events))
	mux.HandleFunc("GET /api/state", s.read(s.stateNow))
	mux.HandleFunc("GET /api/conversations/{id}", s.read(s.conversation))
	mux.HandleFunc("GET /api/callbacks", s.read(s.callbacks))
	cop := http.NewCrossOriginProtection()
	mux.Handle("POST /api/users", cop.Handler(s.steer(s.setUsers)))
	mux.Handle("POST /api/stop", cop.Handler(s.steer(s.stopRun)))
	return secure(mux)
}

// secure sets the headers every answer carries.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, req)
	})
}

// read guards a route that shows the run: the token in the query or header.
func (s *Server) read(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		tok := req.Header.Get(TokenHeader)
		if tok == "" {
			tok = req.URL.Query().Get("token")
		}
		if !s.valid(tok) {
			forbid(w)
			return
		}
		h(w, req)
	}
}

// steer guards a route that changes the run: the token in the header only.
func (s *Server) steer(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !s.valid(req.Header.Get(TokenHeader)) {
			forbid(w)
			return
		}
		h(w, req)
	})
}

func (s *Server) valid(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
}

func forbid(w http.ResponseWriter) {
	http.Error(w, "forbidden: open the dashboard with the URL voyplan printed, token included", http.StatusForbidden)
}

func (s *Server) page(w http.ResponseWriter, _ *http.Request) {
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

// asset serves the page's scripts and styles: the dashboard's own, and
// report.html's, which draws the same parts.
func (s *Server) asset(w http.ResponseWriter, req *http.Request) {
	var body, ctype string
	switch name := req.PathValue("name"); name {
	case "report.js":
		body, ctype = report.ReportJS(), "text/javascript; charset=utf-8"
	case "report.css":
		body, ctype = report.ReportCSS(), "text/css; charset=utf-8"
	case "dashboard.js", "dashboard.css":
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			http.NotFound(w, req)
			return
		}
		body, ctype = string(b), "text/css; charset=utf-8"
		if name == "dashboard.js" {
			ctype = "text/javascript; charset=utf-8"
		}
	default:
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = io.WriteString(w, body)
}

func (s *Server) stateNow(w http.ResponseWriter, _ *http.Request) {
	var c cursor
	writeJSON(w, http.StatusOK, s.state(&c))
}

func (s *Server) conversation(w http.ResponseWriter, req *http.Request) {
	c, ok := s.opts.Runner.LiveConversation(req.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, errorBody{"this conversation is neither in flight nor among the last that ended"})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) callbacks(w http.ResponseWriter, req *http.Request) {
	if s.opts.Inspector == nil {
		writeJSON(w, http.StatusOK, []any{})
		return
	}
	after, _ := strconv.ParseUint(req.URL.Query().Get("after"), 10, 64)
	writeJSON(w, http.StatusOK, s.opts.Inspector.Recent(req.URL.Query().Get("conversation"), after))
}

// maxRequestBody bounds what a steering request may carry.
const maxRequestBody = 1 << 10

type usersRequest struct {
	Users *int `json:"users"`
}

type errorBody struct {
	Error string `json:"error"`
}

func (s *Server) setUsers(w http.ResponseWriter, req *http.Request) {
	var body usersRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Users == nil {
		writeJSON(w, http.StatusBadRequest, errorBody{`want {"users": N}`})
		return
	}
	st, err := s.opts.Runner.SetTarget(req.Context(), *body.Users, "dashboard")
	switch {
	case errors.Is(err, run.ErrStopping), errors.Is(err, run.ErrStagesOver), errors.Is(err, run.ErrOpenStage),
		errors.Is(err, run.ErrCapacitySearch):
		writeJSON(w, http.StatusConflict, errorBody{err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

func (s *Server) stopRun(w http.ResponseWriter, _ *http.Request) {
	if err := s.opts.Stop(); err != nil {
		writeJSON(w, http.StatusConflict, errorBody{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Stopping bool `json:"stopping"`
	}{true})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
