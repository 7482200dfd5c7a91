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
	pool, res, err := openPostgres(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if len(res.Applied) == 0 {
		fmt.Fprintf(stdout, "schema is up to date (version %d)\n", res.Current)
		return nil
	}
	fmt.Fprintf(stdout, "applied %d migration(s) %v; schema is at version %d\n", len(res.Applied), res.Applied, res.Current)
	return nil
}
