package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// remoteTree puts n files in a few directories on the server.
func remoteTree(t *testing.T, fsys afero.Fs, n int) map[string][]byte {
	files := map[string][]byte{}
	for i := range n {
		rel := fmt.Sprintf("d%d/f%03d.txt", i%3, i)
		b := data(uint64(100+i), 1000+i)
		files[rel] = b
		fsys.MkdirAll("/tree/"+filepath.Dir(rel), 0o755)
		afero.WriteFile(fsys, "/tree/"+rel, b, 0o644)
		mt := time.Date(2022, 1, 1, 0, 0, i, 0, time.UTC)
		fsys.Chtimes("/tree/"+rel, mt, mt)
	}
	return files
}

func checkLocalTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	for rel, b := range want {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %v, %d bytes", rel, err, len(got))
		}
	}
}

func TestSyncDownloadThenUnchangedThenDelete(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := remoteTree(t, fx.fs, 12)
	dst := filepath.Join(t.TempDir(), "copy")
	o := SyncOptions{Remote: "tree", Local: dst}
	_, sum, err := fx.cp.Sync(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 12 || sum.Failed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	checkLocalTree(t, dst, want)
	// Again: everything is in place.
	p, err := fx.cp.Plan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 0 || p.Unchanged != 12 {
		t.Fatalf("second plan: %d actions, %d unchanged", len(p.Actions), p.Unchanged)
	}
	// An extra local file and directory, deleted with Delete; a dry run
	// (a plan) changes nothing.
	os.WriteFile(filepath.Join(dst, "extra.txt"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(dst, "gone", "deep"), 0o755)
	o.Delete = true
	p, err = fx.cp.Plan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 2 {
		t.Fatalf("plan %+v", p.Actions)
	}
	if _, err := os.Stat(filepath.Join(dst, "extra.txt")); err != nil {
		t.Fatal("planning deleted something")
	}
	if _, sum, err = fx.cp.Sync(context.Background(), o); err != nil || sum.Deleted != 2 {
		t.Fatalf("delete: %v %+v", err, sum)
	}
	if _, err := os.Stat(filepath.Join(dst, "gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("extraneous directory kept")
	}
}

// A missing source directory is refused before anything is deleted.
func TestSyncMissingSourceDeletesNothing(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	dst := t.TempDir()
	os.WriteFile(filepath.Join(dst, "keep.txt"), []byte("x"), 0o644)
	_, _, err := fx.cp.Sync(context.Background(), SyncOptions{Remote: "nope", Local: dst, Delete: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "keep.txt")); err != nil {
		t.Fatal("deleted")
	}
	_, _, err = fx.cp.Sync(context.Background(), SyncOptions{Direction: Upload, Remote: "up", Local: filepath.Join(dst, "nope"), Delete: true})
	if err == nil {
		t.Fatal("a missing local source was accepted")
	}
}

// A plan written out, read back and applied in two shards gives the whole
// tree; applying a shard again changes nothing.
func TestPlanShards(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := remoteTree(t, fx.fs, 10)
	dst := filepath.Join(t.TempDir(), "copy")
	p, err := fx.cp.Plan(context.Background(), SyncOptions{Remote: "tree", Local: dst})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	p.WriteTo(&buf)
	if got := strings.Count(buf.String(), "\n"); got != len(p.Actions) || got != 13 {
		t.Fatalf("%d lines for %d actions:\n%s", got, len(p.Actions), buf.String())
	}
	p2, err := ReadPlan(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		sum, err := fx.cp.Apply(context.Background(), p2, Shard{I: i, N: 2})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Files+sum.Failed+sum.Unchanged == 0 {
			t.Fatalf("shard %d did nothing", i)
		}
	}
	checkLocalTree(t, dst, want)
	sum, err := fx.cp.Apply(context.Background(), p2, Shard{I: 1, N: 2})
	if err != nil || sum.Files != 0 || sum.Unchanged == 0 {
		t.Fatalf("re-apply: %v %+v", err, sum)
	}
}

func TestReadPlanRefusesEscapes(t *testing.T) {
	for _, line := range []string{
		`{"op":"get","to":"local","path":"../x","remote":"r","local":"l"}`,
		`{"op":"get","to":"local","path":"/etc/passwd","remote":"r","local":"l"}`,
		`{"op":"delete","to":"local","path":"a/../../b","remote":"r","local":"l"}`,
		`{"op":"get","to":"remote","path":"a","remote":"r","local":"l"}`,
		`{"op":"chmod","to":"local","path":"a","remote":"r","local":"l"}`,
	} {
		if _, err := ReadPlan(strings.NewReader(line)); err == nil {
			t.Errorf("accepted %s", line)
		}
	}
}

func TestSyncUploadIncludeExclude(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	src := t.TempDir()
	for _, rel := range []string{"a.txt", "b.log", "sub/c.txt", "skip/d.txt"} {
		os.MkdirAll(filepath.Join(src, filepath.Dir(rel)), 0o755)
		os.WriteFile(filepath.Join(src, rel), []byte(rel), 0o644)
	}
	o := SyncOptions{Direction: Upload, Local: src, Remote: "up", Include: []string{"*.txt"}, Exclude: []string{"skip"}}
	_, sum, err := fx.cp.Sync(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 2 {
		t.Fatalf("summary %+v", sum)
	}
	for rel, want := range map[string]bool{"a.txt": true, "sub/c.txt": true, "b.log": false, "skip/d.txt": false} {
		if _, err := fx.fs.Stat("/up/" + rel); (err == nil) != want {
			t.Errorf("%s: uploaded %v, want %v", rel, err == nil, want)
		}
	}
	// Uploaded with their times: a second plan finds nothing to do.
	p, err := fx.cp.Plan(context.Background(), o)
	if err != nil || len(p.Actions) != 0 {
		t.Fatalf("%v %+v", err, p)
	}
}

func TestSyncChecksum(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := remoteTree(t, fx.fs, 3)
	dst := t.TempDir()
	if _, _, err := fx.cp.Sync(context.Background(), SyncOptions{Remote: "tree", Local: dst}); err != nil {
		t.Fatal(err)
	}
	// Same size and time, different content: only a checksum sees it.
	rel := "d0/f000.txt"
	p := filepath.Join(dst, filepath.FromSlash(rel))
	st, _ := os.Stat(p)
	bad := bytes.Clone(want[rel])
	bad[0] ^= 0xff
	os.WriteFile(p, bad, 0o644)
	os.Chtimes(p, st.ModTime(), st.ModTime())
	plan, err := fx.cp.Plan(context.Background(), SyncOptions{Remote: "tree", Local: dst})
	if err != nil || len(plan.Actions) != 0 {
		t.Fatalf("size+time saw it? %v %+v", err, plan)
	}
	plan, err = fx.cp.Plan(context.Background(), SyncOptions{Remote: "tree", Local: dst, Compare: CompareChecksum})
	if err != nil || len(plan.Actions) != 1 || plan.Actions[0].Reason != "checksum" {
		t.Fatalf("%v %+v", err, plan)
	}
}
