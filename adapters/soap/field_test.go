package soap

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

func TestXMLField(t *testing.T) {
	issue := cabinet.Describe(reflect.TypeFor[cabinet.IssuePolicyRequest]())
	settings := cabinet.Describe(reflect.TypeFor[cabinet.UpdateSettingsRequest]())
	for _, c := range []struct {
		request cabinet.Type
		field   string
		want    string
	}{
		{issue, "", ""},
		{issue, "premium", "premium"},
		{issue, "installments", "installment"},
		{issue, "drivers[1].kbm.asOf", "driver[1].kbm.asOf"},
		{issue, "insuredPersons[0].iin", "insuredPerson[0].iin"},
		{issue, "policyId", "policyId"},
		{issue, "drivers[0].unknown.deeper", "driver[0].unknown.deeper"},
		{settings, "settings.email", "settings.email"},
	} {
		assert.Equal(t, c.want, xmlField(c.request, c.field), c.field)
	}
}
