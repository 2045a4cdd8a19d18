package health

import (
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/corpus"
)

// TestClassifyCorpus holds Classify to the real captures of Cloudflare's
// edge (testdata/cloudflare/edge): each sample's class and Cloudflare
// error code.
func TestClassifyCorpus(t *testing.T) {
	samples, err := corpus.LoadEdge()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Fatal("no edge samples in the corpus")
	}
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) {
			r := s.Response
			d := Classify(r.Status, r.Header(), []byte(r.Body))
			if d.Class != controller.Class(s.Expect.Class) || d.Code != s.Expect.Code {
				t.Errorf("HTTP %d: class %s code %d, want %s code %d (%s)",
					r.Status, d.Class, d.Code, s.Expect.Class, s.Expect.Code, d.Explanation)
			}
			checkDiagnosis(t, d, r.Status, r.Header(), defaultExpect[0])
		})
	}
}
