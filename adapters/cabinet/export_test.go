package cabinet

// The SMS texts without a code, for the behaviour tests in package
// cabinet_test.
const (
	SMSPhoneReplaced = smsPhoneReplaced
	SMSPurchaseAdded = smsPurchaseAdded
)
