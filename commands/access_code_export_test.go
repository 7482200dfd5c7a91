package commands

// HoldHashSlots takes every argon2id slot of a, as if that many hashes were
// running, until release is called.
func HoldHashSlots(a *AccessCodes) (release func()) {
	n := cap(a.slots)
	for range n {
		a.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-a.slots
		}
	}
}

// ReencodeArgon2 parses a PHC string and writes it again.
func ReencodeArgon2(s string) (string, error) {
	p, err := codeParseArgon2(s)
	if err != nil {
		return "", err
	}
	return p.String(), nil
}
