package cbrtest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// idleTimeout is how long the server and Client keep an idle connection.
const idleTimeout = 60 * time.Second

// Server is a Fake running as an HTTP server on 127.0.0.1, like
// httptest.Server, started by NewServer. Close it when the test ends.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:<port> with no
	// trailing slash: pass it to cbr.NewClient or client.Options.Endpoint.
	URL string
	// Fake is the handler the server runs, for what Server does not forward.
	Fake *Fake

	srv    *httptest.Server
	client *http.Client
}

// NewServer starts a Fake configured by opts on 127.0.0.1, like
// httptest.NewServer, with read, write and idle timeouts: point the client
// under test at URL, and check Requests afterwards. It fails and panics as
// the package doc says.
func NewServer(opts ...Option) (*Server, error) {
	f, err := New(opts...)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("cbrtest: failed to listen on 127.0.0.1: %v", err))
	}
	srv := &httptest.Server{Listener: l, Config: NewHTTPServer(f)}
	srv.Start()
	tr := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     idleTimeout,
	}
	return &Server{URL: srv.URL, Fake: f, srv: srv, client: &http.Client{Transport: tr}}, nil
}

// NewHTTPServer returns an http.Server for h with the timeouts and the
// header bound NewServer uses (the one table of them), for a program that
// serves the fake on a listener of its own, as `cbr-replicate mock` does.
// A client that stalls cannot hold a connection for ever, and a slow test
// machine still has ample time.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// Close shuts the server down, waiting for requests in flight, and closes the
// idle connections of Client. It can be called more than once; on a Server
// not started by NewServer it does nothing.
func (s *Server) Close() {
	if s == nil || s.srv == nil {
		return
	}
	s.srv.Close()
	s.client.CloseIdleConnections()
}

// RegionURL returns the base URL of the fake's CBR endpoint in region, as
// Fake.RegionURL says.
func (s *Server) RegionURL(region string) string {
	if s == nil {
		return ""
	}
	return s.Fake.RegionURL(s.URL, region)
}

// Requests returns copies of the requests the fake accepted; see
// Fake.Requests.
func (s *Server) Requests() []Request {
	if s == nil {
		return nil
	}
	return s.Fake.Requests()
}

// Client returns an HTTP client for the server that keeps up to 100 idle
// connections to it, so parallel tests reuse connections instead of opening
// new ones. Use it as the http.Client (HTTPRequestDoer) of the client under
// test.
func (s *Server) Client() *http.Client {
	if s == nil {
		return nil
	}
	return s.client
}
