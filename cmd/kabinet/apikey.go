package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// apikeyCmd creates and revokes the API keys callers authenticate with.
func apikeyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: kabinet apikey create NAME --role website|insurer | kabinet apikey revoke NAME")
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("apikey "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "website", "website (the website's public and client operations) or insurer (the insurer's systems)")
	// Flags may come before or after the name.
	var names []string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			names, rest = append(names, rest[0]), rest[1:]
		}
	}
	if len(names) != 1 {
		return fmt.Errorf("apikey %s: give exactly one caller name", args[0])
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
	switch args[0] {
	case "create":
		key, err := cabinet.CreateAPIKey(ctx, b.db, names[0], cabinet.Role(*role))
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "API key of %s (%s role); it is shown only this once, send it as the X-API-Key header:\n", names[0], *role)
		fmt.Fprintln(stdout, key)
		return nil
	case "revoke":
		ok, err := cabinet.RevokeAPIKey(ctx, b.db, names[0])
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("apikey revoke: %s has no key in use", names[0])
		}
		fmt.Fprintf(stdout, "revoked the key of %s\n", names[0])
		return nil
	}
	return fmt.Errorf("apikey: unknown action %q (create or revoke)", args[0])
}
