package main

import (
	"context"
	"errors"
	"io"
)

// auditCmd runs the audit tools: verify (the hash chains and stream heads).
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: kabinet audit verify [--stream ID]")
	}
	switch args[0] {
	case "verify":
		return verifyCmd(ctx, args[1:], stdout, stderr)
	}
	return errors.New("usage: kabinet audit verify [--stream ID]")
}
