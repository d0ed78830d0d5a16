package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("barehttp: ")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	bodyFile := flag.String("body", "cmd/cbr-replicate/testdata/page-response-200.json", "JSON file to answer with")
	flag.Parse()
	raw, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatalf("read the answer body: %v", err)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, raw); err != nil {
		log.Fatalf("%s: %v", *bodyFile, err)
	}
	answer, length := body.Bytes(), strconv.Itoa(body.Len())

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
		log.Fatalf("cannot serve: %v", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	<-ctx.Done()
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Fatalf("graceful shutdown: %v", err)
	}
}
