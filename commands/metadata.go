package commands

import (
	"context"

	"github.com/kabinet/kabinet/eventstore"
)

type metadataKey struct{}

// WithMetadata returns a ctx that carries m to the events a command writes:
// correlation ID, causation ID, actor and trace. The command ID in m is
// ignored; the runner sets it from the command it runs.
func WithMetadata(ctx context.Context, m eventstore.Metadata) context.Context {
	m.CommandID = ""
	return context.WithValue(ctx, metadataKey{}, m)
}

// MetadataFrom returns the metadata that WithMetadata put in ctx, or the
// zero Metadata.
func MetadataFrom(ctx context.Context) eventstore.Metadata {
	m, _ := ctx.Value(metadataKey{}).(eventstore.Metadata)
	return m
}
