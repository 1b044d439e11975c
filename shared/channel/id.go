package channel

// maxIDLen bounds an id: Meta's ids are some 15 to 20 digits; the bound keeps a forged one from
// growing a Graph API path or a log line without limit.
const maxIDLen = 64

// IsID reports whether s has the shape of an id Meta issues to a business object: 1 to 64 ASCII
// digits (a WhatsApp phone number id, a WhatsApp Business Account id, a Page id, an Instagram
// account id, a Conversions API dataset id). Such an id ends up in Graph API paths and may be
// logged; a customer's id (Key.User) is not checked with it.
func IsID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
