package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// serverInfo is what clients read from <dir>/server.json to find the running server.
type serverInfo struct {
	PID  int    `json:"pid"`
	URI  string `json:"uri"`
	Kind string `json:"kind"`
}

// writeServerFile writes server.json atomically (temp file + rename), so a reader never sees half of it.
func writeServerFile(path string, info serverInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	tmp := path + ".tmp." + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// liveClients counts the client files in dir whose process is still the one that wrote it.
// A client file is named after the client's pid and holds its start time (field 22 of
// /proc/<pid>/stat), so a pid reused by another process does not count. Dead entries are removed.
func liveClients(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		want, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if processStart(pid) == strings.TrimSpace(string(want)) && processStart(pid) != "" {
			n++
			continue
		}
		_ = os.Remove(filepath.Join(dir, e.Name()))
	}
	return n
}

// processStart is a process's start time in clock ticks since boot ("" when it is gone).
// Off Linux it is "0" for any live process (no /proc): liveness only.
func processStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if _, statErr := os.Stat("/proc"); statErr != nil && processAlive(pid) {
			return "0"
		}
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(s[i+1:])
	// Fields after "(comm)" start at field 3 (state); starttime is field 22.
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}

// watchClients stops the server (calls stop) once no client has been alive for grace.
func watchClients(dir string, grace time.Duration, stop func()) {
	idleSince := time.Time{}
	for range time.Tick(500 * time.Millisecond) {
		if liveClients(dir) > 0 {
			idleSince = time.Time{}
			continue
		}
		if idleSince.IsZero() {
			idleSince = time.Now()
		}
		if time.Since(idleSince) >= grace {
			stop()
			return
		}
	}
}
