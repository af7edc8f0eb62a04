package plot

import (
	"os"
	"path/filepath"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// saveAtomic draws p into path through a temporary file beside it (same
// extension, so the format is the same) and a rename: an interrupted run
// leaves the earlier picture or the whole new one, never a partial file.
func saveAtomic(p *gplot.Plot, w, h vg.Length, path string) error {
	dir, base := filepath.Split(path)
	tmp := filepath.Join(dir, "."+base+".tmp"+filepath.Ext(path))
	if err := p.Save(w, h, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
