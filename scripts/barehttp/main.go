package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "barehttp:", err)
		os.Exit(1)
	}
}

// run parses args, serves until SIGINT or SIGTERM, and shuts down.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("barehttp", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	bodyFile := fs.String("body", "cmd/cbr-replicate/testdata/page-response-200.json", "JSON file to answer with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(*bodyFile)
	if err != nil {
		return fmt.Errorf("read the answer body: %w", err)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, raw); err != nil {
		return fmt.Errorf("%s: %w", *bodyFile, err)
	}
	answer := body.Bytes()
	length := fmt.Sprint(len(answer))

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := limit.ReadAll(r.Body, limit.Request); err != nil {
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		_, _ = w.Write(answer) // a client gone away is no error of the server
	})

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot serve: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil { // Serve has returned http.ErrServerClosed
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}
