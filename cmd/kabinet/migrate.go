package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	b, err := openBackend(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Fprintf(stdout, "schema is up to date: %s\n", b.where)
	return nil
}
