package cbrtest

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// Timeouts of the loopback server: a client that stalls cannot hold a
// connection for ever, and a slow test machine still has ample time.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Server is the fake running as an HTTP server on a loopback address, like
// httptest.Server. Close it when the test ends.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:<port> with no
	// trailing slash: pass it to cbr.NewClient or replicate.Options.Endpoint.
	URL string
	// Fake is the handler the server runs, for what Server does not forward.
	Fake *Fake

	srv       *httptest.Server
	transport *http.Transport
	client    *http.Client
}

// NewServer starts the fake on a loopback address. Use it to test a client
// end to end: point the client at URL, and check Requests afterwards. The
// server has read and idle timeouts and reads at most MaxBodyBytes of a body.
// It panics if an option is invalid or no loopback port is free, as
// httptest.NewServer does.
func NewServer(opts ...Option) *Server {
	f := Handler(opts...)
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ReadHeaderTimeout = readHeaderTimeout
	srv.Config.ReadTimeout = readTimeout
	srv.Config.WriteTimeout = writeTimeout
	srv.Config.IdleTimeout = idleTimeout
	srv.Config.MaxHeaderBytes = maxHeaderBytes
	srv.Start()
	tr := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     idleTimeout,
	}
	return &Server{
		URL:       srv.URL,
		Fake:      f,
		srv:       srv,
		transport: tr,
		client:    &http.Client{Transport: tr},
	}
}

// Close shuts the server down, waiting for requests in flight, and closes the
// idle connections of Client. It can be called more than once.
func (s *Server) Close() {
	s.srv.Close()
	s.transport.CloseIdleConnections()
}

// Requests returns copies of the requests the fake accepted; see
// Fake.Requests.
func (s *Server) Requests() []Request {
	return s.Fake.Requests()
}

// Client returns an HTTP client for the server that keeps up to 100 idle
// connections to it, so parallel tests reuse connections instead of opening
// new ones. Use it as the http.Client (HTTPRequestDoer) of the client under
// test.
func (s *Server) Client() *http.Client {
	return s.client
}
