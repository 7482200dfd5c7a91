package wire_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/wire"
)

type event interface{ name() string }

type opened struct {
	ID string `json:"id"`
}

type closed struct{}

type stranger struct{} // not an event

func (opened) name() string { return "thing.opened" }
func (closed) name() string { return "thing.closed" }

var errUnknown = errors.New("unknown thing event")

var codec = wire.New[event](1, errUnknown,
	wire.As[event, opened]("thing.opened"),
	wire.As[event, closed]("thing.closed"),
	wire.As[event, stranger]("thing.strange"),
)

func TestRoundTrip(t *testing.T) {
	name, data, err := codec.Encode("thing.opened", opened{ID: "a"})
	require.NoError(t, err)
	assert.Equal(t, "thing.opened", name)
	assert.JSONEq(t, `{"id":"a"}`, string(data))
	e, err := codec.Decode(name, 1, data)
	require.NoError(t, err)
	assert.Equal(t, opened{ID: "a"}, e)
}

func TestRefusals(t *testing.T) {
	_, _, err := codec.Encode("thing.closed", opened{})
	assert.ErrorIs(t, err, errUnknown, "a name that is not the event's own")
	_, _, err = codec.Encode("thing.reopened", opened{})
	assert.ErrorIs(t, err, errUnknown, "an unregistered name")
	_, err = codec.Decode("thing.opened", 2, []byte(`{}`))
	assert.ErrorIs(t, err, errUnknown, "an unknown schema version")
	_, err = codec.Decode("thing.reopened", 1, []byte(`{}`))
	assert.ErrorIs(t, err, errUnknown)
	_, err = codec.Decode("thing.opened", 1, []byte(`{"id":`))
	assert.Error(t, err)
	_, err = codec.Decode("thing.strange", 1, []byte(`{}`))
	assert.ErrorContains(t, err, "does not implement", "a registered type that is no event")
}
