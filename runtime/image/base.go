package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sync"
)

// baseState tracks the base layer, the stem head (§12, §7.3): the bottom
// of the stack, below every root layer, replaced on each epoch advance.
type baseState struct {
	mu      sync.RWMutex // guards Image.layers and the fields below
	has     bool         // the bottom layer is the base layer
	retired []*layer     // replaced base layers, closed with the image
}

// stack returns the current layers, top first. SwapBase never modifies a
// slice it has published, so the result stays valid without the lock.
func (im *Image) stack() []*layer {
	im.base.mu.RLock()
	defer im.base.mu.RUnlock()
	return im.layers
}

// allLayers returns the current and retired layers.
func (im *Image) allLayers() []*layer {
	im.base.mu.RLock()
	defer im.base.mu.RUnlock()
	return append(slices.Clone(im.layers), im.base.retired...)
}

// SwapBase makes the directory tree fsys the image's base layer (§7.3:
// the new stem head, /ipfs/<cid>): it replaces the current base layer, or
// is added below every layer if the image has none. Lookups started
// afterwards see the new tree; files already open keep reading the old
// one, which stays open until the image is closed. If fsys implements
// io.Closer, Image.Close closes it.
func (im *Image) SwapBase(fsys fs.FS) error {
	fi, err := fs.Stat(fsys, ".")
	switch {
	case err != nil:
		return fmt.Errorf("base layer: %w", err)
	case !fi.IsDir():
		return errors.New("base layer: root is not a directory")
	}
	l := &layer{fsys: fsys, base: ".", target: "."}
	if c, ok := fsys.(io.Closer); ok {
		l.closer = c
	}
	im.base.mu.Lock()
	defer im.base.mu.Unlock()
	layers := slices.Clone(im.layers)
	if im.base.has && len(layers) > 0 {
		im.base.retired = append(im.base.retired, layers[len(layers)-1])
		layers[len(layers)-1] = l
	} else {
		layers = append(layers, l)
		im.base.has = true
	}
	im.layers = layers
	return nil
}
