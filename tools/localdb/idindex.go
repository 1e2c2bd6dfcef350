package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// FerretDB v1's SQLite backend filters an _id lookup on `_ferretdb_sjson->'$._id'`, but creates its unique _id
// index on `_ferretdb_sjson->"_id"`: a different expression, so SQLite plans a full SCAN of the table for every
// _id lookup (measured: 25 ms each at 50,000 small documents, far more with large ones). watchIDIndexes adds an
// index on the lookup's own expression to every collection table, now and whenever a database file changes
// (new collections), so the same lookups become index SEARCHes. FerretDB's pooled connections keep the schema
// they started with: an index added while the server runs serves from the server's next start (every idle
// stop, restart or cold CLI start). FerretDB keeps its own indexes and metadata; dropping a collection drops
// its table and this index with it.
func watchIDIndexes(dir string, stop <-chan struct{}, logf func(string, ...any)) {
	seen := map[string]time.Time{}
	tick := func() {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			changed := latestMod(f)
			if last, ok := seen[f]; ok && !changed.After(last) {
				continue
			}
			if os.Getenv("LOCALDB_DEBUG") != "" {
				logf("id index: checking %s", filepath.Base(f))
			}
			if err := indexFile(f); err != nil {
				logf("id index for %s: %v", filepath.Base(f), err)
				continue
			}
			seen[f] = changed
		}
	}
	tick()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			tick()
		}
	}
}

// latestMod is the newest modification time of a database file and its write-ahead log.
func latestMod(f string) time.Time {
	var m time.Time
	for _, p := range []string{f, f + "-wal"} {
		if st, err := os.Stat(p); err == nil && st.ModTime().After(m) {
			m = st.ModTime()
		}
	}
	return m
}

func indexFile(path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_ferretdb\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, t := range tables {
		// Only tables that hold documents (FerretDB's collection tables have the sjson column).
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM pragma_table_info(%s) WHERE name = '_ferretdb_sjson'`, quoteLiteral(t))).Scan(&n); err != nil || n == 0 {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, quoteIdent(t+"_sd_id"), quoteIdent(t))
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
