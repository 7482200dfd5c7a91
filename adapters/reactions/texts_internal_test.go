package reactions

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

func TestDaysPlural(t *testing.T) {
	for n, want := range map[int]string{
		1: "1 день", 2: "2 дня", 4: "4 дня", 5: "5 дней", 7: "7 дней", 11: "11 дней", 12: "12 дней",
		14: "14 дней", 21: "21 день", 22: "22 дня", 30: "30 дней", 101: "101 день", 111: "111 дней",
	} {
		assert.Equal(t, want, days(n), n)
	}
	assert.Equal(t, "остался 1 день", left(1))
	assert.Equal(t, "остался 21 день", left(21))
	assert.Equal(t, "осталось 11 дней", left(11))
	assert.Equal(t, "осталось 7 дней", left(7))
	assert.Equal(t, "сегодня последний день", left(0))
}

func TestFormatMoney(t *testing.T) {
	for in, want := range map[string]string{
		"0.00": "0,00 ₸", "999.50": "999,50 ₸", "12000.00": "12 000,00 ₸", "1234567.89": "1 234 567,89 ₸",
	} {
		assert.Equal(t, want, formatMoney(money.MustParse(in)), in)
	}
}

func TestClipKeepsWholeCharacters(t *testing.T) {
	assert.Equal(t, "Полис", clip("Полис", 5))
	assert.Equal(t, "Пол…", clip("Полис", 4))
}

func TestCodeForIsSixDigitsStablePerEventAndKeyed(t *testing.T) {
	a := &Set{cfg: Config{CodeKey: bytes.Repeat([]byte{1}, 32)}}
	b := &Set{cfg: Config{CodeKey: bytes.Repeat([]byte{2}, 32)}}
	e1, e2 := uuid.New(), uuid.New()
	code := a.codeFor(e1)
	require.Len(t, code, 6)
	assert.Equal(t, strings.Trim(code, "0123456789"), "")
	assert.Equal(t, code, a.codeFor(e1), "the same event gives the same code")
	seen := map[string]bool{}
	for range 200 {
		seen[a.codeFor(uuid.New())] = true
	}
	assert.Greater(t, len(seen), 190, "codes differ between events")
	assert.NotEqual(t, a.codeFor(e2), b.codeFor(e2), "the code depends on the key") // 1 in 10⁶ to collide
}

func TestCommandIDsDifferByEventReactionAndStep(t *testing.T) {
	e := uuid.New()
	ids := map[uuid.UUID]bool{
		commandID(e, "A", "x"): true, commandID(e, "A", "y"): true, commandID(e, "B", "x"): true,
		commandID(uuid.New(), "A", "x"): true, commandID(e, "Ax", ""): true,
	}
	assert.Len(t, ids, 5)
	assert.Equal(t, commandID(e, "A", "x"), commandID(e, "A", "x"))
}
