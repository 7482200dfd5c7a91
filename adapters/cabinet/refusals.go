package cabinet

import (
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/projections/claims"
	"github.com/kabinet/kabinet/projections/clientprofile"
	"github.com/kabinet/kabinet/projections/policies"
)

// refusals is the one table from domain and command errors to what the
// caller is told. The first entry that matches (errors.Is) wins, so more
// specific errors come before the ones they wrap.
var refusals = []struct {
	err   error
	code  Code
	field string
}{
	{commands.ErrInvalidCredentials, CodeInvalidCredentials, ""},
	{client.ErrLoginLocked, CodeLocked, ""},
	{client.ErrCodeExpired, CodeCodeExpired, ""},
	{client.ErrCurrentCodeNotVerified, CodeInvalidCredentials, "currentCode"},
	{commands.ErrWeakAccessCode, CodeWeakAccessCode, "newCode"},
	{client.ErrAlreadyRegistered, CodeAlreadyRegistered, "iin"},
	{client.ErrPhoneConfirmationRequired, CodePhoneConfirmation, "policyNumber"},
	{client.ErrErased, CodeNotFound, ""},
	// A contract or claim of a client whose data was erased: nothing
	// personal can be kept for them any more.
	{pii.ErrErased, CodeConflict, ""},
	{client.ErrNotRegistered, CodeNotFound, ""},
	{client.ErrInvalidSettings, CodeInvalidArgument, "settings"},
	{client.ErrConsentRequiredByContract, CodeConsentRequiredByContract, "purpose"},
	{client.ErrConsentNotGiven, CodeNotFound, "purpose"},

	{commands.ErrPolicyNotOwned, CodeNotFound, "policyId"},
	{commands.ErrProlongationHolderMismatch, CodeConflict, "renewedFrom"},
	{policy.ErrPolicyNotFound, CodeNotFound, "policyId"},
	{policy.ErrPolicyExists, CodeAlreadyExists, "kiasContractId"},
	{policy.ErrPolicyCancelled, CodeConflict, "policyId"},
	{policy.ErrAlreadyProlonged, CodeConflict, "policyId"},
	{policy.ErrInstallmentNotFound, CodeNotFound, "installment"},
	{policy.ErrInstallmentAlreadyPaid, CodeConflict, "installment"},
	{policy.ErrInstallmentOutOfOrder, CodeConflict, "installment"},
	{policy.ErrPaidByInstallments, CodeConflict, "installment"},
	{policy.ErrAmountMismatch, CodeInvalidArgument, "amount"},
	{policy.ErrOverpayment, CodeInvalidArgument, "amount"},
	{policy.ErrDuplicatePayment, CodeAlreadyExists, "paymentRef"},
	{policy.ErrPaymentNotFound, CodeNotFound, "paymentRef"},
	{policy.ErrOverRefund, CodeInvalidArgument, "amount"},
	{policy.ErrInvalidPolicy, CodeInvalidArgument, ""},
	{policy.ErrInvalidSchedule, CodeInvalidArgument, "installments"},
	{policy.ErrInvalidPayment, CodeInvalidArgument, ""},
	{policy.ErrInvalidProlongation, CodeConflict, "policyId"},
	{policy.ErrInvalidCancellation, CodeInvalidArgument, ""},
	{policy.ErrInvalidDocument, CodeInvalidArgument, ""},

	{claim.ErrClaimExists, CodeAlreadyExists, "number"},
	{claim.ErrClaimNotFound, CodeNotFound, "claimId"},
	{claim.ErrClaimClosed, CodeConflict, "claimId"},
	{claim.ErrInvalidTransition, CodeConflict, "status"},
	{claim.ErrUnknownStatus, CodeInvalidArgument, "status"},
	{claim.ErrDocumentNotRequested, CodeConflict, "document"},
	{claim.ErrPayoutRequired, CodeInvalidArgument, "payout"},
	{claim.ErrUnexpectedPayout, CodeInvalidArgument, "payout"},
	{claim.ErrReasonRequired, CodeInvalidArgument, "reason"},
	{claim.ErrInvalidClaim, CodeInvalidArgument, ""},
	{claim.ErrInvalidDocument, CodeInvalidArgument, "document"},

	{bonus.ErrInsufficientBalance, CodeInsufficientBalance, "points"},
	{bonus.ErrInvalidPoints, CodeInvalidArgument, "points"},
	{bonus.ErrInvalidCommand, CodeInvalidArgument, ""},

	{notice.ErrNoticeNotFound, CodeNotFound, "notificationId"},

	{policies.ErrNotFound, CodeNotFound, "policyId"},
	{policies.ErrUnknownBucket, CodeInvalidArgument, "bucket"},
	{claims.ErrNotFound, CodeNotFound, "claimId"},
	{claims.ErrUnknownFilter, CodeInvalidArgument, "filter"},
	{clientprofile.ErrNotFound, CodeNotFound, ""},

	{eventstore.ErrUnavailable, CodeUnavailable, ""},
	{eventstore.ErrConcurrencyConflict, CodeUnavailable, ""},
}
