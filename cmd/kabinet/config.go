package main

import (
	"fmt"
	"path/filepath"
	"time"

	envconfig "github.com/caarlos0/env/v11"
)

// config is kabinet's configuration, read from the environment.
type config struct {
	// DatabaseURL is where the log and read models live: a postgres:// URL,
	// or sqlite:PATH; empty is the SQLite file kabinet.db in DataDir.
	DatabaseURL string `env:"KABINET_DATABASE_URL"`
	// DataDir holds the embedded database and the secret file.
	DataDir string `env:"KABINET_DATA_DIR" envDefault:"kabinet-data"`
	// Addr is where serve listens.
	Addr string `env:"KABINET_ADDR" envDefault:"127.0.0.1:8080"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"KABINET_LOG_LEVEL" envDefault:"info"`
	// Secret (hex, at least 32 bytes) keys derived IDs and code hashes; when
	// empty it is read from SecretFile, created on first start.
	Secret     string `env:"KABINET_SECRET"`
	SecretFile string `env:"KABINET_SECRET_FILE"` // default: DataDir/secret.key
	// MasterKey (64 hex digits) wraps the clients' data keys, which seal
	// the personal data in events (internal/pii); when empty it is read from
	// MasterKeyFile, created on first start. Without it the personal data in
	// the log cannot be read: back it up apart from the database.
	MasterKey     string `env:"KABINET_MASTER_KEY"`
	MasterKeyFile string `env:"KABINET_MASTER_KEY_FILE"` // default: DataDir/master.key
	// NATSURL selects NATS JetStream for the event bus; empty keeps it in
	// process, which serves one instance.
	NATSURL string `env:"KABINET_NATS_URL"`
	// Partners are the URLs and credentials of KIAS, ESBD, the SMS gateway,
	// SMTP and the payment provider; each one left unset is simulated.
	Partners partnerConfig
	// Web is the reference web cabinet served at "/".
	Web webConfig
	// ShutdownTimeout bounds a graceful stop.
	ShutdownTimeout time.Duration `env:"KABINET_SHUTDOWN_TIMEOUT" envDefault:"15s"`
}

// webConfig configures the reference web cabinet (adapters/web).
type webConfig struct {
	Enabled bool `env:"KABINET_WEB" envDefault:"true"`
	// APIKey is the site's key of the website role; empty makes one named
	// "web" at every start, which serves one instance.
	APIKey        string `env:"KABINET_WEB_API_KEY"`
	SecureCookies bool   `env:"KABINET_WEB_SECURE_COOKIES"`
	PurchaseURL   string `env:"KABINET_WEB_PURCHASE_URL"`
}

func loadConfig() (config, error) {
	var c config
	if err := envconfig.Parse(&c); err != nil {
		return c, fmt.Errorf("configuration: %w", err)
	}
	if c.SecretFile == "" {
		c.SecretFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.DataDir, "master.key")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("configuration: KABINET_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel)
	}
	return c, nil
}
