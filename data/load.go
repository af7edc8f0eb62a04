package data

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// LoadOptions say what to load.
type LoadOptions struct {
	// Path is the data file.
	Path string
	// Labels is a separate label file, for .npy features (a .npy vector) and
	// IDX images (an idx1 vector; NumPy vectors are accepted too). For IDX
	// images without Labels, Load tries the name with "images" replaced by
	// "labels" (as in MNIST's file names).
	Labels string
	// LabelCol selects the label column of a CSV file, or of a .npy feature
	// array without a label file: 0 is the last column (for .npy: not
	// given, refused), k > 0 the k-th (1-based) and k < 0 the |k|-th from
	// the end (-1 is the last).
	LabelCol int
	// Format is "csv", "npy", "npz" or "idx"; "" chooses by the file name
	// (.csv, .tsv, .txt, .npy, .npz, names with ".idx", "-idxN-" or ending in
	// "-ubyte"; a trailing .gz is ignored), and otherwise by the content.
	Format string
}

// Load reads and validates a labelled dataset (see FromRaw for the rules
// every dataset passes).
//
// Formats:
//   - CSV (optionally gzip-compressed): see ReadCSV.
//   - NumPy: an .npz archive with arrays x and y (or X and Y), or a .npy
//     feature array with Labels naming a .npy label vector (or, without
//     Labels, the label in column LabelCol, which must then be given: a
//     .npy array without either is refused, never read as features plus a
//     last label column). Features may have any numeric
//     dtype (bool, integers, float16/32/64; 64-bit integers must be exactly
//     representable as float64) and shape (N, d), (N,) or (N, d1, d2, ...),
//     trailing dimensions flattened in row-major order; Fortran order is
//     handled. Labels may be integers, floats, or byte or unicode strings,
//     with shape (N,) or (N, 1).
//   - IDX (optionally gzip-compressed): Path holds the images (any IDX type),
//     Labels the idx1 label vector.
//
// Rows in messages are line numbers for CSV and the 1-based index along the
// first axis for NumPy and IDX. Load never allocates from a size a header
// claims before checking it against the file size (or, for compressed
// input, grows its buffers only as data arrives).
func Load(opt LoadOptions) (*Dataset, error) {
	if opt.Path == "" {
		return nil, newError("", 0, "no data file given")
	}
	format := strings.ToLower(opt.Format)
	if format == "" {
		var err error
		if format, err = detectFormat(opt.Path); err != nil {
			return nil, err
		}
	}
	switch format {
	case "csv", "tsv", "txt":
		if opt.Labels != "" {
			return nil, newError(opt.Labels, 0, "a separate label file is not supported for CSV input: put the labels in a column")
		}
		in, err := openInput(opt.Path)
		if err != nil {
			return nil, err
		}
		defer in.Close()
		return ReadCSV(in.r, opt.Path, opt.LabelCol)
	case "npy":
		return loadNPY(opt)
	case "npz":
		return loadNPZ(opt)
	case "idx":
		return loadIDX(opt)
	}
	return nil, newError(opt.Path, 0, fmt.Sprintf("unknown format %q (want csv, npy, npz or idx)", opt.Format))
}

// idxName matches IDX file names such as train-images-idx3-ubyte or
// t10k-labels.idx1-ubyte.gz.
var idxName = regexp.MustCompile(`(\.idx|[-_.]idx\d)|-ubyte$`)

// detectFormat picks the format from the file name, or else the content.
func detectFormat(path string) (string, error) {
	base := strings.ToLower(filepath.Base(path))
	base = strings.TrimSuffix(base, ".gz")
	switch ext := filepath.Ext(base); {
	case ext == ".csv" || ext == ".tsv" || ext == ".txt":
		return "csv", nil
	case ext == ".npy":
		return "npy", nil
	case ext == ".npz":
		return "npz", nil
	case idxName.MatchString(base):
		return "idx", nil
	}
	in, err := openInput(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	head, _ := in.r.Peek(8)
	switch {
	case strings.HasPrefix(string(head), npyMagic):
		return "npy", nil
	case strings.HasPrefix(string(head), "PK\x03\x04") && !in.gz:
		return "npz", nil
	case len(head) >= 4 && head[0] == 0 && head[1] == 0 && head[3] > 0 && idxTypes[head[2]].size > 0:
		return "idx", nil
	}
	return "csv", nil
}

// loadNPY loads .npy features with a separate label file or a label column.
func loadNPY(opt LoadOptions) (*Dataset, error) {
	xa, err := readNPYFile(opt.Path)
	if err != nil {
		return nil, err
	}
	x, err := xa.rows(opt.Path)
	if err != nil {
		return nil, err
	}
	if opt.Labels == "" {
		if opt.LabelCol == 0 {
			// a feature array does not say which column, if any, is a label:
			// taking the last one silently would drop a feature
			return nil, newError(opt.Path, 0, "a .npy array holds features only: give the label file (--labels y.npy), or the label column (--label-col K)")
		}
		x, labels, col, err := labelColumn(opt.Path, x, opt.LabelCol)
		if err != nil {
			return nil, err
		}
		return fromRaw(opt.Path, x, labels, nil, rawOptions{column: col})
	}
	labels, err := readLabelFile(opt.Labels)
	if err != nil {
		return nil, err
	}
	return arraysToDataset(opt.Path, opt.Labels, x, labels, nil)
}

// loadNPZ loads an .npz archive with x and y, or x and a label file.
func loadNPZ(opt LoadOptions) (*Dataset, error) {
	xa, ya, err := readNPZFile(opt.Path, opt.Labels == "")
	if err != nil {
		return nil, err
	}
	x, err := xa.rows(opt.Path)
	if err != nil {
		return nil, err
	}
	var labels []string
	labelFile := opt.Labels
	if ya != nil {
		labelFile = opt.Path
		labels, err = ya.labelTexts(opt.Path)
	} else {
		labels, err = readLabelFile(opt.Labels)
	}
	if err != nil {
		return nil, err
	}
	return arraysToDataset(opt.Path, labelFile, x, labels, nil)
}

// loadIDX loads IDX images and labels.
func loadIDX(opt LoadOptions) (*Dataset, error) {
	var notes []string
	labelPath := opt.Labels
	if labelPath == "" {
		guess := guessIDXLabels(opt.Path)
		if guess == "" {
			return nil, newError(opt.Path, 0, "IDX images need a label file (--labels)")
		}
		labelPath = guess
		notes = append(notes, "labels read from "+guess)
	}
	a, err := readIDXFile(opt.Path)
	if err != nil {
		return nil, err
	}
	x, err := a.rows(opt.Path)
	if err != nil {
		return nil, err
	}
	labels, err := readLabelFile(labelPath)
	if err != nil {
		return nil, err
	}
	return arraysToDataset(opt.Path, labelPath, x, labels, notes)
}

// guessIDXLabels returns the MNIST-style label file beside an image file,
// if there is one.
func guessIDXLabels(path string) string {
	dir, base := filepath.Split(path)
	if !strings.Contains(base, "images") {
		return ""
	}
	guess := strings.Replace(base, "images", "labels", 1)
	guess = strings.Replace(guess, "idx3", "idx1", 1)
	guess = filepath.Join(dir, guess)
	if st, err := os.Stat(guess); err == nil && st.Mode().IsRegular() {
		return guess
	}
	return ""
}

// readLabelFile reads a label vector from a .npy or IDX file (recognized by
// their magic bytes, gzip-compressed or not).
func readLabelFile(path string) ([]string, error) {
	in, err := openInput(path)
	if err != nil {
		return nil, err
	}
	head, _ := in.r.Peek(len(npyMagic))
	isNPY := string(head) == npyMagic
	in.Close()
	if isNPY {
		a, err := readNPYFile(path)
		if err != nil {
			return nil, err
		}
		return a.labelTexts(path)
	}
	a, err := readIDXFile(path)
	if err != nil {
		return nil, err
	}
	return a.labels(path)
}

// arraysToDataset checks that there is a label per row and validates.
func arraysToDataset(name, labelFile string, x [][]float64, labels []string, notes []string) (*Dataset, error) {
	if len(labels) != len(x) {
		return nil, newError(labelFile, 0, fmt.Sprintf("%d labels, but %s has %d rows", len(labels), name, len(x)))
	}
	return fromRaw(name, x, labels, nil, rawOptions{notes: notes})
}
