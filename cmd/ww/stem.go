package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/node"
	"github.com/wetware/ww/runtime/stem"
)

// stemOptions are the flags shared by the `ww stem` subcommands.
type stemOptions struct {
	rpcURL   string
	stem     string
	identity string
}

// stemTxTimeout bounds waiting for a transaction to be mined.
const stemTxTimeout = 2 * time.Minute

func newStemCmd() *cobra.Command {
	var o stemOptions
	c := &cobra.Command{
		Use:   "stem",
		Short: "Deploy, read and set the on-chain stem (Atom contract)",
		Long: `Deploy, read and set the Atom contract whose head a node started with
--stem follows (system design §13). Transactions are signed with the node key
(--identity, WW_IDENTITY or <data-dir>/identity), whose EVM address
` + "`ww keygen`" + ` prints; deploy makes that address the owner.`,
		Args: noArgs,
	}
	pf := c.PersistentFlags()
	pf.SortFlags = false
	o.flags(pf)

	var initial string
	deploy := &cobra.Command{
		Use:   "deploy",
		Short: "Deploy an Atom owned by the node key and print its address",
		Args:  noArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			head, err := parseHead(initial, true)
			if err != nil {
				return fmt.Errorf("--initial: %w", err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), stemTxTimeout)
			defer cancel()
			w, client, err := o.writer(ctx, cmd)
			if err != nil {
				return err
			}
			defer client.Close()
			addr, tx, err := w.Deploy(ctx, head)
			if err != nil {
				return err
			}
			if _, err := stem.WaitMined(ctx, client, tx, 200*time.Millisecond); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), addr.Hex())
			return nil
		}),
	}
	deploy.Flags().StringVar(&initial, "initial", "", "Initial head (`CID`); empty by default")

	head := &cobra.Command{
		Use:   "head",
		Short: "Print the current seq and head",
		Args:  noArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			addr, err := o.contract()
			if err != nil {
				return err
			}
			client, err := ethclient.DialContext(cmd.Context(), o.rpcURL)
			if err != nil {
				return fmt.Errorf("--rpc-url %s: %w", o.rpcURL, err)
			}
			defer client.Close()
			h, err := stem.ReadHead(cmd.Context(), client, addr, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d %s\n", h.Seq, stem.HeadString(h.CID))
			return nil
		}),
	}

	set := &cobra.Command{
		Use:   "set CID",
		Short: "Set the head; print the transaction hash and the new seq",
		Args:  cobra.ExactArgs(1),
		Annotations: map[string]string{
			annArguments: "CID\tNew head: a CID, /ipfs/CID, or 0x-prefixed hex bytes",
		},
		RunE: action(func(cmd *cobra.Command, args []string) error {
			v, err := parseHead(args[0], false)
			if err != nil {
				return err
			}
			tx, seq, err := o.setHead(cmd.Context(), cmd, v)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %d\n", tx.Hex(), seq)
			return nil
		}),
	}
	c.AddCommand(deploy, head, set)
	return c
}

// flags registers --rpc-url, --stem and --identity on f.
func (o *stemOptions) flags(f *pflag.FlagSet) {
	f.StringVar(&o.rpcURL, "rpc-url", "http://127.0.0.1:8545", "HTTP JSON-RPC (`URL`)")
	f.StringVar(&o.stem, "stem", "", "Atom contract (`ADDR`)")
	f.StringVar(&o.identity, "identity", "", "secp256k1 identity file (`PATH`)")
	f.SetAnnotation("identity", annEnv, []string{"WW_IDENTITY"})
}

// setHead calls setHead(v) on the --stem Atom, signed with the node key,
// waits until it is mined and returns the transaction hash and the new
// seq.
func (o *stemOptions) setHead(ctx context.Context, cmd *cobra.Command, v []byte) (common.Hash, uint64, error) {
	addr, err := o.contract()
	if err != nil {
		return common.Hash{}, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, stemTxTimeout)
	defer cancel()
	w, client, err := o.writer(ctx, cmd)
	if err != nil {
		return common.Hash{}, 0, err
	}
	defer client.Close()
	tx, err := w.SetHead(ctx, addr, v)
	if err != nil {
		return common.Hash{}, 0, err
	}
	r, err := stem.WaitMined(ctx, client, tx, 200*time.Millisecond)
	if err != nil {
		return common.Hash{}, 0, err
	}
	h, err := stem.ReadHead(ctx, client, addr, r.BlockNumber)
	if err != nil {
		return common.Hash{}, 0, err
	}
	return tx.Hash(), h.Seq, nil
}

func (o *stemOptions) contract() (common.Address, error) {
	if o.stem == "" {
		return common.Address{}, errors.New("--stem is required")
	}
	if !common.IsHexAddress(o.stem) {
		return common.Address{}, fmt.Errorf("--stem %s: not an address", o.stem)
	}
	return common.HexToAddress(o.stem), nil
}

// writer resolves the node key (an ephemeral key owns no funds and could
// never set the head again, so one is refused) and dials --rpc-url.
func (o *stemOptions) writer(ctx context.Context, cmd *cobra.Command) (*stem.Writer, *ethclient.Client, error) {
	dir, err := dataDir(cmd)
	if err != nil {
		return nil, nil, err
	}
	key, src, err := resolveKey(o.identity, dir, newLogger(cmd.ErrOrStderr()))
	if err != nil {
		return nil, nil, err
	}
	if src.Kind == identity.Ephemeral {
		return nil, nil, errors.New("no identity: pass --identity, set WW_IDENTITY or create <data-dir>/identity (ww keygen)")
	}
	priv, err := stem.PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	client, err := ethclient.DialContext(ctx, o.rpcURL)
	if err != nil {
		return nil, nil, fmt.Errorf("--rpc-url %s: %w", o.rpcURL, err)
	}
	return &stem.Writer{Backend: client, Key: priv}, client, nil
}

// parseHead reads a head value: a CID (optionally /ipfs/-prefixed) as its
// binary form, or 0x-prefixed hex as raw bytes. Empty is allowed only if
// allowEmpty.
func parseHead(s string, allowEmpty bool) ([]byte, error) {
	switch {
	case s == "" && allowEmpty:
		return nil, nil
	case s == "":
		return nil, errors.New("empty head")
	case strings.HasPrefix(s, "0x"):
		b, err := hex.DecodeString(s[2:])
		if err != nil {
			return nil, fmt.Errorf("head %s: %w", s, err)
		}
		return b, nil
	}
	c, err := cid.Decode(strings.TrimPrefix(s, "/ipfs/"))
	if err != nil {
		return nil, fmt.Errorf("head %s: not a CID: %w", s, err)
	}
	return c.Bytes(), nil
}

// stemConfig turns --stem, --rpc-url, --ws-url, --confirmation-depth and
// --stem-start-block into the node's StemConfig; without --stem the
// pipeline is off and the others are ignored.
func (o *runOptions) stemConfig() (node.StemConfig, error) {
	if o.stem == "" {
		return node.StemConfig{}, nil
	}
	if !common.IsHexAddress(o.stem) {
		return node.StemConfig{}, fmt.Errorf("--stem %s: not an address", o.stem)
	}
	if o.confDepth < 0 {
		return node.StemConfig{}, fmt.Errorf("--confirmation-depth %d: must be 0 or more", o.confDepth)
	}
	c := node.StemConfig{
		Contract: common.HexToAddress(o.stem),
		RPCURL:   o.rpcURL,
		WSURL:    o.wsURL,
		Depth:    uint64(o.confDepth),
	}
	if o.stemStart >= 0 {
		b := uint64(o.stemStart)
		c.StartBlock = &b
	}
	return c, nil
}
