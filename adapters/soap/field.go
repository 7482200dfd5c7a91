package soap

import (
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// xmlField renames the field at fault, which the service names as the JSON
// API does ("documents[0].title"), to the request's element names
// ("document[0].title"): a repeated element is named in the singular on
// SOAP. A name the request does not have is left as it is.
func xmlField(request cabinet.Type, field string) string {
	if field == "" {
		return field
	}
	segments := strings.Split(field, ".")
	t := request
	for i, seg := range segments {
		name, index := seg, ""
		if j := strings.IndexByte(seg, '['); j > 0 {
			name, index = seg[:j], seg[j:]
		}
		found := false
		for _, f := range t.Fields {
			if f.JSONName == name {
				segments[i], t, found = f.XMLName+index, f.Type, true
				break
			}
		}
		if !found {
			break
		}
	}
	return strings.Join(segments, ".")
}
