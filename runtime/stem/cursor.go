package stem

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/internal/atomicfile"
)

// Cursor is the follower's persisted position (§13.2): the last block
// whose logs were scanned and the adopted epoch.
type Cursor struct {
	ScannedBlock uint64        `json:"scannedBlock"`
	ScannedHash  common.Hash   `json:"scannedHash"`
	EpochSeq     uint64        `json:"epochSeq"`
	EpochHead    hexutil.Bytes `json:"epochHead"`
	EpochBlock   uint64        `json:"epochBlock"`
}

// Epoch is the cursor's adopted epoch.
func (c Cursor) Epoch() epoch.Epoch {
	return epoch.Epoch{Seq: c.EpochSeq, Head: c.EpochHead, AdoptedBlock: c.EpochBlock}
}

// CursorPath is <dir>/<chainId>-<address>.json, dir being <data>/chain.
// The address is in lower-case hex.
func CursorPath(dir string, chainID *big.Int, addr common.Address) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s.json", chainID, strings.ToLower(addr.Hex())))
}

// LoadCursor reads the cursor at path; ok is false if there is none.
func LoadCursor(path string) (c Cursor, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Cursor{}, false, nil
	}
	if err != nil {
		return Cursor{}, false, fmt.Errorf("stem: cursor: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Cursor{}, false, fmt.Errorf("stem: cursor %s: %w", path, err)
	}
	return c, true, nil
}

// Save writes the cursor to path atomically (a temporary file renamed over
// it), creating the directory.
func (c Cursor) Save(path string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("stem: cursor: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("stem: cursor: %w", err)
	}
	return nil
}
