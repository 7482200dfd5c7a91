package cabinet

// The SMS texts without a code, for the behaviour tests in package
// cabinet_test.
const (
	SMSPhoneReplaced = smsPhoneReplaced
	SMSPurchaseAdded = smsPurchaseAdded
)

// ScanCopyRef is what the copy of a scan is sealed bound to, for tests that
// open a copy with the keyring itself.
func ScanCopyRef(scanID string) string { return scanCopyRef(scanID) }

// ScanNameRef is what the file name of a scan's copy is sealed bound to.
func ScanNameRef(scanID string) string { return scanNameRef(scanID) }
