package notice

// Kind is what a notice is about. The first five are the kinds a client
// chooses channels for in their settings; the others are sent whatever the
// settings say, because they concern the account itself.
type Kind string

// Kinds of notice.
const (
	KindExpiringPolicy   Kind = "expiring_policy"
	KindInstallmentDue   Kind = "installment_due"
	KindClaimStatus      Kind = "claim_status"
	KindMissingDocuments Kind = "missing_documents"
	KindBonus            Kind = "bonus"
	KindRegistration     Kind = "registration"
	KindAccessCode       Kind = "access_code"
	KindPhoneChanged     Kind = "phone_changed"
)

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool {
	switch k {
	case KindExpiringPolicy, KindInstallmentDue, KindClaimStatus, KindMissingDocuments,
		KindBonus, KindRegistration, KindAccessCode, KindPhoneChanged:
		return true
	}
	return false
}

// Channel is a way a notice reached the client.
type Channel string

// Channels, in the order they are recorded.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
	ChannelInbox Channel = "inbox"
)

// channelOrder is the canonical order of channels in an event.
var channelOrder = [...]Channel{ChannelSMS, ChannelEmail, ChannelInbox}

// The fixed text of an access-code notice. The code itself goes only into
// the SMS; the inbox says that one was sent.
const (
	AccessCodeTitle = "Код доступа"
	AccessCodeBody  = "Код доступа отправлен по SMS"
)

// Bounds of the text, in characters.
const (
	MaxTitleLength = 200
	MaxBodyLength  = 2000
)
