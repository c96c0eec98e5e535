package mcp

import (
	"context"
	_ "embed"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wetware/ww/capnp/bridge"
)

// gliaSpec is a copy of the Glia language specification.
//
//go:embed glia.md
var gliaSpec string

// The resources' URIs.
const (
	GliaSpecURI = "wetware://spec/glia.md"
	HelpURI     = "wetware://help"
)

// addResources registers the Glia specification and the (help) text.
func addResources(srv *sdk.Server) {
	for _, r := range []struct {
		res  *sdk.Resource
		text string
	}{
		{&sdk.Resource{
			URI: GliaSpecURI, Name: "glia-spec", Title: "Glia language specification",
			Description: "The full reference of Glia, the language the eval tool evaluates.",
			MIMEType:    "text/markdown",
		}, gliaSpec},
		{&sdk.Resource{
			URI: HelpURI, Name: "help", Title: "Shell quick reference",
			Description: "What (help) prints: the capabilities, built-ins and more commands of the shell.",
			MIMEType:    "text/plain",
		}, bridge.ShellHelp},
	} {
		r.res.Size = int64(len(r.text))
		srv.AddResource(r.res, func(_ context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
			return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{
				{URI: req.Params.URI, MIMEType: r.res.MIMEType, Text: r.text},
			}}, nil
		})
	}
}
