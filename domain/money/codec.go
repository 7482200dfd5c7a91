package money

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MarshalJSON writes the amount as a JSON string, "1500.50": JSON numbers are floats
// to many readers.
func (m KZT) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON reads a JSON string accepted by Parse; null leaves m unchanged.
func (m *KZT) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("decode amount: must be a JSON string such as \"1500.50\": %w", err)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalText writes the amount as String does.
func (m KZT) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads text accepted by Parse.
func (m *KZT) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
