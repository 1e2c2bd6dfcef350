// Command localdb runs an embedded FerretDB v1 (SQLite backend) on a loopback port.
//
// It is a test and development helper for signaldesk, never a production database.
// It prints one line "READY <mongodb-uri>" on stdout once listening.
//
// Two ways to run it:
//   - as a child (default): it exits when its parent goes away (stdin reaches EOF, or the
//     parent dies: PR_SET_PDEATHSIG on Linux), or on SIGINT/SIGTERM;
//   - as the shared server of a data folder (-shared): it takes an exclusive flock on
//     <dir>/server.lock (a second server on the same folder exits with status 3 instead of
//     opening the same SQLite files), writes <dir>/server.json, and stays up while any client
//     listed in <dir>/clients/ is alive, stopping -idle-grace after the last one leaves.
// Either way no orphan server is left behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dir := flag.String("dir", ".data/ferretdb", "folder for SQLite files")
	// Beware: with FerretDB v1.24 findAndModify deadlocks in SQLite memory mode; tests use a fresh folder instead.
	memory := flag.Bool("memory", false, "keep data in memory only (SQLite mode=memory; findAndModify deadlocks there)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF (parent closed the pipe or died)")
	shared := flag.Bool("shared", false, "run as the shared server of -dir (lock file, server.json, clients/ watch)")
	idleGrace := flag.Duration("idle-grace", 3*time.Second, "with -shared: stop this long after the last client left")
	flag.Parse()

	if *shared {
		*watchStdin = false
	} else {
		setParentDeathSignal()
	}

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
	if *shared {
		ok, err := lockExclusive(filepath.Join(abs, "server.lock"))
		if err != nil {
			fail("cannot lock %q: %v", filepath.Join(abs, "server.lock"), err)
		}
		if !ok {
			fmt.Println("BUSY another server holds this folder")
			os.Exit(3)
		}
		if err := os.MkdirAll(filepath.Join(abs, "clients"), 0o755); err != nil {
			fail("cannot create %q: %v", filepath.Join(abs, "clients"), err)
		}
	}
	// FerretDB wants a file: URI that ends with a slash and names an existing folder.
	sqliteURL := "file:" + strings.TrimSuffix(abs, "/") + "/"
	if *memory {
		sqliteURL += "?mode=memory"
	}

	portFile := filepath.Join(abs, "port")
	if *shared && *listen == "127.0.0.1:0" {
		// The folder keeps its port across restarts, so connected clients reconnect by themselves. We hold
		// the folder's lock, so whatever holds that port now is not this folder's server (another program
		// took it after a reboot, or this is a copied folder used beside its original): then a new port,
		// and clients find it in server.json.
		if b, err := os.ReadFile(portFile); err == nil && strings.TrimSpace(string(b)) != "" {
			remembered := "127.0.0.1:" + strings.TrimSpace(string(b))
			if l, err := net.Listen("tcp", remembered); err == nil {
				_ = l.Close()
				*listen = remembered
			} else {
				logger.Warn("the folder's remembered port is held by another program; taking a new one", "port", remembered, "err", err)
			}
		}
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

	// MongoDBURI blocks until the listener is bound, which Run starts; a listener that cannot bind (the
	// port taken in the moment since the check above) ends Run instead: exit, and the next start picks again.
	uriCh := make(chan string, 1)
	go func() { uriCh <- f.MongoDBURI() }()
	var uri string
	select {
	case uri = <-uriCh:
	case <-done:
		fail("FerretDB stopped before it listened on %s (is the port taken?)", *listen)
	}
	if *shared {
		if i := strings.LastIndexByte(strings.TrimSuffix(strings.SplitN(uri, "?", 2)[0], "/"), ':'); i >= 0 {
			port := strings.TrimSuffix(strings.SplitN(uri, "?", 2)[0], "/")[i+1:]
			_ = os.WriteFile(portFile, []byte(port+"\n"), 0o644)
		}
		if err := writeServerFile(filepath.Join(abs, "server.json"), serverInfo{PID: os.Getpid(), URI: uri, Kind: "ferretdb"}); err != nil {
			fail("cannot write server.json: %v", err)
		}
		go watchClients(filepath.Join(abs, "clients"), *idleGrace, stop)
	}
	if !*memory {
		// Index the expression FerretDB's _id lookups filter on (idindex.go): lookups stop scanning tables.
		go watchIDIndexes(abs, ctx.Done(), func(format string, args ...any) { logger.Warn(fmt.Sprintf(format, args...)) })
	}
	fmt.Printf("READY %s\n", uri)

	<-done
	if *shared {
		// Only the lock holder ever writes server.json, so removing it here cannot remove a successor's.
		_ = os.Remove(filepath.Join(abs, "server.json"))
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "localdb: "+format+"\n", args...)
	os.Exit(2)
}
