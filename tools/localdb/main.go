// Command localdb runs an embedded FerretDB v1 (SQLite backend) on a loopback port.
//
// It is a test and development helper for signaldesk, never a production database.
// It prints one line "READY <mongodb-uri>" on stdout once listening, and exits when
// its parent goes away (stdin reaches EOF, or the parent dies: PR_SET_PDEATHSIG on Linux),
// or on SIGINT/SIGTERM, so no orphan server is left behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dir := flag.String("dir", ".data/ferretdb", "folder for SQLite files")
	// Beware: with FerretDB v1.24 findAndModify deadlocks in SQLite memory mode; tests use a fresh folder instead.
	memory := flag.Bool("memory", false, "keep data in memory only (SQLite mode=memory; findAndModify deadlocks there)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF (parent closed the pipe or died)")
	flag.Parse()

	setParentDeathSignal()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level %q: use debug, info, warn or error", *logLevel)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail("bad -dir %q: %v", *dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		fail("cannot create -dir %q: %v", abs, err)
	}
	// FerretDB wants a file: URI that ends with a slash and names an existing folder.
	sqliteURL := "file:" + strings.TrimSuffix(abs, "/") + "/"
	if *memory {
		sqliteURL += "?mode=memory"
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    logger,
	})
	if err != nil {
		fail("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	// MongoDBURI blocks until the listener is bound, which Run starts.
	fmt.Printf("READY %s\n", f.MongoDBURI())

	<-done
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "localdb: "+format+"\n", args...)
	os.Exit(2)
}
