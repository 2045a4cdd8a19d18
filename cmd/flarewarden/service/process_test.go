package service

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// A terminal cannot be had here (no pty): LogFormat is checked on what a
// service manager or a container runtime gives, a pipe or a buffer.
func TestLogFormat(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, tt := range []struct {
		setting string
		stderr  io.Writer
		want    string
	}{
		{"auto", w, "json"},
		{"auto", &bytes.Buffer{}, "json"},
		{"console", w, "console"},
		{"json", w, "json"},
	} {
		if got := LogFormat(tt.setting, tt.stderr); got != tt.want {
			t.Errorf("LogFormat(%q, %T) = %q, want %q", tt.setting, tt.stderr, got, tt.want)
		}
	}
}
