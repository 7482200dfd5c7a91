package commands

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/kabinet/kabinet/domain/client"
)

// Defaults of AccessCodeConfig. The argon2id cost is RFC 9106's second
// recommendation (t=3, m=64 MiB) with two lanes instead of four, well above
// OWASP's minimum (t=2, m=19 MiB, p=1).
const (
	DefaultArgon2Time          = 3
	DefaultArgon2MemoryKiB     = 64 * 1024
	DefaultArgon2Threads       = 2
	DefaultMaxConcurrentHashes = 4
	DefaultOneTimeTTL          = 10 * time.Minute
)

const (
	codeKeyMin        = 32
	codeOneTimeDigits = 6
	codeSaltBytes     = 16
	codeHashBytes     = 32
	codeChosenMinLen  = 4
	codeChosenMaxLen  = 12
	codeMaxInput      = 128 // longer input is refused before any hashing
	codeTTLMin        = time.Minute
	codeTTLMax        = 7 * 24 * time.Hour
	codeArgon2MaxMem  = 1 << 21 // KiB, 2 GiB: a stored string asking for more is not ours
	codeArgon2MaxTime = 64
	// codeOneTimeLabel separates these MACs from any other use of the same
	// key, should an operator reuse it.
	codeOneTimeLabel   = "kabinet access code: one_time\x00"
	codeOneTimeModulus = 1_000_000
	// codeOneTimeLimit is the largest multiple of 10⁶ not above 2³²; a 32-bit
	// draw at or over it is thrown away so every code is equally likely.
	codeOneTimeLimit = (1 << 32) / codeOneTimeModulus * codeOneTimeModulus
)

// ErrWeakAccessCode means a code the client chose breaks the rule for chosen
// codes; the wrapping error names the part of the rule, never the code.
var ErrWeakAccessCode = errors.New("access code does not meet the rule for chosen codes")

// AccessCodeConfig configures AccessCodes. Only HMACKey is required; zero
// values of the others mean the defaults above.
type AccessCodeConfig struct {
	// HMACKey keys the hashes of one-time codes: without it a stolen hash of a
	// six-digit code cannot be checked offline. At least 32 bytes.
	HMACKey []byte
	// Argon2Time, Argon2MemoryKiB and Argon2Threads are the argon2id cost of
	// new chosen codes. Stored hashes carry their own parameters, so raising
	// these later does not lock anybody out.
	Argon2Time      uint32
	Argon2MemoryKiB uint32
	Argon2Threads   uint8
	// MaxConcurrentHashes bounds argon2id runs in flight: each holds
	// Argon2MemoryKiB, so unbounded logins would exhaust memory.
	MaxConcurrentHashes int
	// OneTimeTTL is how long an SMS code stays valid, from one minute to seven days.
	OneTimeTTL time.Duration
	// Random is the source of codes and salts; nil means crypto/rand.
	Random io.Reader
}

func (c *AccessCodeConfig) setDefaults() {
	if c.Argon2Time == 0 {
		c.Argon2Time = DefaultArgon2Time
	}
	if c.Argon2MemoryKiB == 0 {
		c.Argon2MemoryKiB = DefaultArgon2MemoryKiB
	}
	if c.Argon2Threads == 0 {
		c.Argon2Threads = DefaultArgon2Threads
	}
	if c.MaxConcurrentHashes == 0 {
		c.MaxConcurrentHashes = DefaultMaxConcurrentHashes
	}
	if c.OneTimeTTL == 0 {
		c.OneTimeTTL = DefaultOneTimeTTL
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
}

// Validate reports every problem of the configuration at once; zero values
// that have a default are not problems.
func (c AccessCodeConfig) Validate() error {
	c.setDefaults()
	var errs []error
	if len(c.HMACKey) < codeKeyMin {
		errs = append(errs, fmt.Errorf("access codes: hmac key must be at least %d bytes, got %d", codeKeyMin, len(c.HMACKey)))
	}
	if c.Argon2MemoryKiB < 8*uint32(c.Argon2Threads) {
		errs = append(errs, fmt.Errorf("access codes: argon2 memory must be at least 8 KiB per thread, got %d KiB for %d threads", c.Argon2MemoryKiB, c.Argon2Threads))
	}
	if c.Argon2MemoryKiB > codeArgon2MaxMem {
		errs = append(errs, fmt.Errorf("access codes: argon2 memory must be at most %d KiB, got %d", codeArgon2MaxMem, c.Argon2MemoryKiB))
	}
	if c.Argon2Time > codeArgon2MaxTime {
		errs = append(errs, fmt.Errorf("access codes: argon2 time must be at most %d, got %d", codeArgon2MaxTime, c.Argon2Time))
	}
	if c.MaxConcurrentHashes < 0 {
		errs = append(errs, fmt.Errorf("access codes: max concurrent hashes must not be negative, got %d", c.MaxConcurrentHashes))
	}
	if c.OneTimeTTL < codeTTLMin || c.OneTimeTTL > codeTTLMax {
		errs = append(errs, fmt.Errorf("access codes: one-time ttl must be between %s and %s, got %s", codeTTLMin, codeTTLMax, c.OneTimeTTL))
	}
	return errors.Join(errs...)
}

// Format keeps the key out of every fmt verb.
func (c AccessCodeConfig) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "commands.AccessCodeConfig{HMACKey: [%d bytes redacted], Argon2: m=%d,t=%d,p=%d, MaxConcurrentHashes: %d, OneTimeTTL: %s}",
		len(c.HMACKey), c.Argon2MemoryKiB, c.Argon2Time, c.Argon2Threads, c.MaxConcurrentHashes, c.OneTimeTTL)
}

// AccessCodes makes, hashes and checks access codes. One-time SMS codes are
// hashed with HMAC-SHA256 under a server key: a six-digit code has only 10⁶
// values, so a slow hash would not stop an offline search, the key does, and
// the attempt limit stops an online one. Codes the client chooses are hashed
// with argon2id into a PHC string that carries its own parameters. Codes,
// hashes and the key never appear in errors. It is safe for concurrent use.
type AccessCodes struct {
	key        []byte
	time       uint32
	memoryKiB  uint32
	threads    uint8
	oneTimeTTL time.Duration
	random     io.Reader
	slots      chan struct{} // semaphore for argon2id runs
}

// NewAccessCodes checks cfg and returns AccessCodes using it.
func NewAccessCodes(cfg AccessCodeConfig) (*AccessCodes, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &AccessCodes{
		key:        bytes.Clone(cfg.HMACKey),
		time:       cfg.Argon2Time,
		memoryKiB:  cfg.Argon2MemoryKiB,
		threads:    cfg.Argon2Threads,
		oneTimeTTL: cfg.OneTimeTTL,
		random:     cfg.Random,
		slots:      make(chan struct{}, cfg.MaxConcurrentHashes),
	}, nil
}

// Format keeps the key out of every fmt verb, %#v and %x included.
func (a AccessCodes) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "commands.AccessCodes{argon2id m=%d,t=%d,p=%d}", a.memoryKiB, a.time, a.threads)
}

// OneTimeTTL is how long a code from NewOneTimeCode stays valid.
func (a *AccessCodes) OneTimeTTL() time.Duration { return a.oneTimeTTL }

// NewOneTimeCode draws six decimal digits, each code equally likely.
func (a *AccessCodes) NewOneTimeCode() (string, error) {
	var buf [4]byte
	for {
		if _, err := io.ReadFull(a.random, buf[:]); err != nil {
			return "", fmt.Errorf("one-time code: read random: %w", err)
		}
		// Taking v mod 10⁶ of any 32-bit v would favour the codes below
		// 2³² mod 10⁶; rejecting the incomplete last block removes the bias.
		v := binary.BigEndian.Uint32(buf[:])
		if v < codeOneTimeLimit {
			return fmt.Sprintf("%0*d", codeOneTimeDigits, v%codeOneTimeModulus), nil
		}
	}
}

// HashOneTime returns the lower-case hex HMAC-SHA256 of a one-time code.
func (a *AccessCodes) HashOneTime(code string) string {
	mac := hmac.New(sha256.New, a.key)
	mac.Write([]byte(codeOneTimeLabel))
	mac.Write([]byte(code))
	return hex.EncodeToString(mac.Sum(nil))
}

// HashChosen returns the argon2id PHC string of a chosen code with a fresh
// 16-byte salt. It waits for a hashing slot, or for ctx to end.
func (a *AccessCodes) HashChosen(ctx context.Context, code string) (string, error) {
	if len(code) > codeMaxInput {
		return "", fmt.Errorf("hash access code: longer than %d bytes: %w", codeMaxInput, ErrWeakAccessCode)
	}
	salt := make([]byte, codeSaltBytes)
	if _, err := io.ReadFull(a.random, salt); err != nil {
		return "", fmt.Errorf("hash access code: read salt: %w", err)
	}
	p := codeArgon2{version: argon2.Version, memoryKiB: a.memoryKiB, time: a.time, threads: a.threads, salt: salt}
	sum, err := a.argon2id(ctx, p, code, codeHashBytes)
	if err != nil {
		return "", err
	}
	p.hash = sum
	return p.String(), nil
}

// Verify reports whether code is the one whose hash state holds. The hash
// comparison takes the same time wherever the first difference is. An unset
// code verifies nothing; expiry is the caller's concern, since it needs the
// clock. An error means the check could not be made: ctx ended or the stored
// hash is malformed.
func (a *AccessCodes) Verify(ctx context.Context, state client.AccessCode, code string) (bool, error) {
	if !state.IsSet() || len(code) > codeMaxInput {
		return false, nil
	}
	switch state.Kind {
	case client.CodeOneTime:
		return subtle.ConstantTimeCompare([]byte(a.HashOneTime(code)), []byte(state.Hash)) == 1, nil
	case client.CodeChosen:
		p, err := codeParseArgon2(state.Hash)
		if err != nil {
			return false, fmt.Errorf("verify access code: %w", err)
		}
		sum, err := a.argon2id(ctx, p, code, uint32(len(p.hash)))
		if err != nil {
			return false, err
		}
		return subtle.ConstantTimeCompare(sum, p.hash) == 1, nil
	default:
		return false, fmt.Errorf("verify access code: kind %q is not one_time or chosen", state.Kind)
	}
}

// ValidateChosen checks the rule for a code the client chooses: 4 to 12
// digits (the cabinet's keypad), not one digit repeated ("1111") and not a
// run of consecutive digits up or down ("1234", "9876", "8901"), the codes
// tried first by anyone guessing. Four digits are allowed because clients
// are used to them; the attempt limit is what protects a short code.
func (a *AccessCodes) ValidateChosen(code string) error {
	if len(code) < codeChosenMinLen || len(code) > codeChosenMaxLen {
		return fmt.Errorf("access code must be %d to %d digits: %w", codeChosenMinLen, codeChosenMaxLen, ErrWeakAccessCode)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return fmt.Errorf("access code must be %d to %d digits: %w", codeChosenMinLen, codeChosenMaxLen, ErrWeakAccessCode)
		}
	}
	same, up, down := true, true, true
	for i := 1; i < len(code); i++ {
		prev, d := int(code[i-1]-'0'), int(code[i]-'0')
		same = same && d == prev
		up = up && d == (prev+1)%10
		down = down && d == (prev+9)%10
	}
	switch {
	case same:
		return fmt.Errorf("access code must not be one digit repeated: %w", ErrWeakAccessCode)
	case up || down:
		return fmt.Errorf("access code must not be a run of consecutive digits: %w", ErrWeakAccessCode)
	}
	return nil
}

// argon2id runs one argon2id hash in a slot of the semaphore.
func (a *AccessCodes) argon2id(ctx context.Context, p codeArgon2, code string, keyLen uint32) ([]byte, error) {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("access code: wait for a hashing slot: %w", ctx.Err())
	}
	defer func() { <-a.slots }()
	return argon2.IDKey([]byte(code), p.salt, p.time, p.memoryKiB, p.threads, keyLen), nil
}

// codeArgon2 is a parsed argon2id PHC string.
type codeArgon2 struct {
	version   int
	memoryKiB uint32
	time      uint32
	threads   uint8
	salt      []byte
	hash      []byte
}

func (p codeArgon2) String() string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		p.version, p.memoryKiB, p.time, p.threads, b64.EncodeToString(p.salt), b64.EncodeToString(p.hash))
}

// codeParseArgon2 reads "$argon2id$v=19$m=…,t=…,p=…$salt$hash" and refuses
// parameters no configuration of ours would write, so that a damaged row
// cannot make a login allocate gigabytes.
func codeParseArgon2(s string) (codeArgon2, error) {
	var p codeArgon2
	bad := func(what string) (codeArgon2, error) {
		return codeArgon2{}, fmt.Errorf("stored hash is not an argon2id PHC string: %s", what)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("want $argon2id$v=…$m=…,t=…,p=…$salt$hash")
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok || v != strconv.Itoa(argon2.Version) {
		return bad("version must be 19")
	}
	p.version = argon2.Version
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return bad("parameters must be m, t and p")
	}
	for i, name := range []string{"m", "t", "p"} {
		val, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return bad("parameters must be m, t and p in that order")
		}
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return bad("parameter " + name + " is not a number")
		}
		switch name {
		case "m":
			p.memoryKiB = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > 255 {
				return bad("p must be at most 255")
			}
			p.threads = uint8(n)
		}
	}
	switch {
	case p.time < 1 || p.time > codeArgon2MaxTime:
		return bad(fmt.Sprintf("t must be 1 to %d", codeArgon2MaxTime))
	case p.threads < 1:
		return bad("p must be at least 1")
	case p.memoryKiB < 8*uint32(p.threads) || p.memoryKiB > codeArgon2MaxMem:
		return bad(fmt.Sprintf("m must be 8 KiB per thread to %d KiB", codeArgon2MaxMem))
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return bad("salt must be unpadded base64 of at least 8 bytes")
	}
	if p.hash, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.hash) < 16 || len(p.hash) > 64 {
		return bad("hash must be unpadded base64 of 16 to 64 bytes")
	}
	return p, nil
}
