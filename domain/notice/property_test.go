package notice

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// genCommand draws from a small pool of notice IDs so that repeats and reads
// of unknown notices happen often.
func genCommand() *rapid.Generator[Command] {
	id := rapid.Map(rapid.IntRange(1, 4), func(i int) uuid.UUID {
		return uuid.MustParse(fmt.Sprintf("0195a1c2-0000-7000-8000-%012d", i))
	})
	kinds := []Kind{KindExpiringPolicy, KindBonus, KindAccessCode, KindClaimStatus}
	return rapid.OneOf(
		rapid.Custom(func(t *rapid.T) Command {
			c := RecordNotice{
				NoticeID: id.Draw(t, "notice"),
				Kind:     rapid.SampledFrom(kinds).Draw(t, "kind"),
				Channels: []Channel{rapid.SampledFrom(channelOrder[:]).Draw(t, "channel")},
			}
			if c.Kind != KindAccessCode {
				c.Title, c.Body = "Уведомление", "Текст уведомления"
			}
			return c
		}),
		rapid.Custom(func(t *rapid.T) Command { return MarkRead{NoticeID: id.Draw(t, "notice")} }),
	)
}

func TestPropertyInboxAndReplay(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var (
			s       State
			history []Event
		)
		clock := now
		for i := range rapid.IntRange(1, 40).Draw(rt, "steps") {
			cmd := genCommand().Draw(rt, fmt.Sprintf("cmd%d", i))
			clock = clock.Add(time.Minute)
			events, err := Decide(s, cmd, clock)
			if err != nil {
				require.ErrorIs(rt, err, ErrNoticeNotFound, "only reads of unknown notices are refused here")
				continue
			}
			for _, e := range events {
				if r, ok := e.(Recorded); ok && r.Kind == KindAccessCode {
					require.Equal(rt, AccessCodeBody, r.Body)
				}
				s = Evolve(s, e)
				history = append(history, e)
			}
			again, err := Decide(s, cmd, clock)
			require.NoError(rt, err)
			require.Empty(rt, again, "a repeated %T must decide nothing", cmd)
			require.LessOrEqual(rt, s.Unread(), s.Len())
		}
		var replayed State
		for _, e := range history {
			typ, data, err := EncodeEvent(e)
			require.NoError(rt, err)
			decoded, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(rt, err)
			replayed = Evolve(replayed, decoded)
		}
		require.Equal(rt, s, replayed)
	})
}
