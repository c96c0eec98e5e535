package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/wetware/ww/runtime/identity"
)

func newKeygenCmd() *cobra.Command {
	var output string
	var force bool
	c := &cobra.Command{
		Use:   "keygen",
		Short: "Generate a node identity (secp256k1 key)",
		Long: `Generate a node identity: a secp256k1 secret, printed as base58 text on
stdout or written to --output with mode 0600. The peer id and Ethereum
address derived from it are printed on stderr. A node uses <data-dir>/identity
when it exists, or the file named by --identity / WW_IDENTITY.`,
		Args: noArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			key, err := identity.Generate()
			if err != nil {
				return err
			}
			if output != "" {
				err = identity.Save(output, key, force)
				if errors.Is(err, fs.ErrExist) {
					return fmt.Errorf("%w (use --force to overwrite)", err)
				}
			} else {
				err = identity.Encode(cmd.OutOrStdout(), key)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Peer ID: %s\nEVM address: %s\n", key.PeerID(), key.EthereumAddress())
			return nil
		}),
	}
	f := c.Flags()
	f.SortFlags = false
	f.StringVar(&output, "output", "", "Write the secret to `PATH` (mode 0600) instead of stdout")
	f.BoolVar(&force, "force", false, "Overwrite an existing --output file")
	return c
}
