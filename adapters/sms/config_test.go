package sms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/sms"
)

func TestConfigValidate(t *testing.T) {
	valid := sms.Config{URL: "https://smsc.kz", Login: "l", Password: "p"}
	require.NoError(t, valid.Validate())
	require.NoError(t, sms.Config{URL: "https://smsc.kz", APIKey: "k"}.Validate())
	require.NoError(t, sms.Config{URL: "http://127.0.0.1:8080", APIKey: "k"}.Validate())

	for name, tc := range map[string]struct {
		mutate func(*sms.Config)
		want   string
	}{
		"no url":          {func(c *sms.Config) { c.URL = "" }, "url is required"},
		"relative url":    {func(c *sms.Config) { c.URL = "smsc.kz" }, "absolute"},
		"plain http":      {func(c *sms.Config) { c.URL = "http://smsc.kz" }, "https"},
		"secret in url":   {func(c *sms.Config) { c.URL = "https://smsc.kz/?psw=p" }, "no credentials, query"},
		"user in url":     {func(c *sms.Config) { c.URL = "https://u:p@smsc.kz" }, "no credentials, query"},
		"no credentials":  {func(c *sms.Config) { c.Login, c.Password = "", "" }, "are required"},
		"no password":     {func(c *sms.Config) { c.Password = "" }, "are required"},
		"both kinds":      {func(c *sms.Config) { c.APIKey = "k" }, "either"},
		"negative":        {func(c *sms.Config) { c.Timeout = -1 }, "negative"},
		"attempts":        {func(c *sms.Config) { c.Attempts = -1 }, "attempts"},
		"sender newlines": {func(c *sms.Config) { c.Sender = "a\nb" }, "printable"},
	} {
		t.Run(name, func(t *testing.T) {
			c := valid
			tc.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = sms.NewClient(c)
			assert.Error(t, err)
		})
	}
	err := sms.Config{Timeout: -1}.Validate()
	require.Error(t, err)
	for _, want := range []string{"url", "api key", "negative"} {
		assert.Contains(t, err.Error(), want, "every problem at once")
	}
}
