package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

func TestRecordPayment(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyIssueCmd("KIAS-400", policyHolder))
		pay := policy.RecordPayment{PaymentRef: "kaspi-1", Amount: money.MustParse("20000")}

		res, err := k.policies.RecordPayment(ctx, uuid.New(), id, pay)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.True(t, money.MustParse("20000").Equal(k.policy(t, id).Paid()))

		res, err = k.policies.RecordPayment(ctx, uuid.New(), id, pay)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "the same payment reported again is a no-op")

		_, err = k.policies.RecordPayment(ctx, uuid.New(), id, policy.RecordPayment{PaymentRef: "kaspi-2", Amount: money.MustParse("25000.01")})
		assert.ErrorIs(t, err, policy.ErrOverpayment)
		assert.True(t, money.MustParse("20000").Equal(k.policy(t, id).Paid()))

		missing := k.policies.IDFor("KIAS-401")
		_, err = k.policies.RecordPayment(ctx, uuid.New(), missing, pay)
		assert.ErrorIs(t, err, policy.ErrPolicyNotFound)
		assert.Empty(t, k.events(t, policy.Aggregate, missing))
	})
}

func TestPayInstallment(t *testing.T) {
	ctx := context.Background()
	tenK := money.MustParse("10000")
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyInstallmentsCmd("KIAS-500", policyHolder, 3))

		t.Run("another client's policy is not found", func(t *testing.T) {
			_, err := k.policies.PayInstallment(ctx, uuid.New(), policyStranger, id, policy.PayInstallment{Number: 1, PaymentRef: "p-x", Amount: tenK})
			assert.ErrorIs(t, err, policy.ErrPolicyNotFound)
			assert.Equal(t, []string{policy.TypeIssued}, k.events(t, policy.Aggregate, id))
		})
		t.Run("a later installment first is refused", func(t *testing.T) {
			_, err := k.policies.PayInstallment(ctx, uuid.New(), policyHolder, id, policy.PayInstallment{Number: 2, PaymentRef: "p-2", Amount: tenK})
			assert.ErrorIs(t, err, policy.ErrInstallmentOutOfOrder)
			assert.Equal(t, []string{policy.TypeIssued}, k.events(t, policy.Aggregate, id))
		})
		cmdID := uuid.New()
		t.Run("the next installment is paid", func(t *testing.T) {
			res, err := k.policies.PayInstallment(ctx, cmdID, policyHolder, id, policy.PayInstallment{Number: 1, PaymentRef: "p-1", Amount: tenK})
			require.NoError(t, err)
			assert.Equal(t, 2, res.Events)
			assert.Equal(t, int64(3), res.Version)
			s := k.policy(t, id)
			assert.Equal(t, "p-1", s.Schedule()[0].PaymentRef)
			assert.True(t, tenK.Equal(s.Paid()))
		})
		t.Run("the same command twice writes once", func(t *testing.T) {
			res, err := k.policies.PayInstallment(ctx, cmdID, policyHolder, id, policy.PayInstallment{Number: 1, PaymentRef: "p-1", Amount: tenK})
			require.NoError(t, err)
			assert.True(t, res.Duplicate)
			assert.Equal(t, 2, res.Events)
			assert.Equal(t, []string{policy.TypeIssued, policy.TypePaymentReceived, policy.TypeInstallmentPaid}, k.events(t, policy.Aggregate, id))
		})
		t.Run("a paid installment is not paid again", func(t *testing.T) {
			_, err := k.policies.PayInstallment(ctx, uuid.New(), policyHolder, id, policy.PayInstallment{Number: 1, PaymentRef: "p-1b", Amount: tenK})
			assert.ErrorIs(t, err, policy.ErrInstallmentAlreadyPaid)
			assert.True(t, tenK.Equal(k.policy(t, id).Paid()))
		})
		t.Run("money on an installment policy goes through installments", func(t *testing.T) {
			_, err := k.policies.RecordPayment(ctx, uuid.New(), id, policy.RecordPayment{PaymentRef: "p-r", Amount: tenK})
			assert.ErrorIs(t, err, policy.ErrPaidByInstallments)
		})
	})
}

func TestCancelPolicyAndAttachDocument(t *testing.T) {
	ctx := context.Background()
	pdf := policy.AttachDocument{Kind: policy.DocumentPolicyPDF, BlobRef: "blob/policy-600.pdf", SHA256: strings.Repeat("A1", 32)}
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyIssueCmd("KIAS-600", policyHolder))

		res, err := k.policies.AttachDocument(ctx, uuid.New(), id, pdf)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		res, err = k.policies.AttachDocument(ctx, uuid.New(), id, pdf)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "the same document attached again is a no-op")
		_, err = k.policies.AttachDocument(ctx, uuid.New(), id, policy.AttachDocument{Kind: policy.DocumentReceipt, BlobRef: "blob/r", SHA256: "abc"})
		assert.ErrorIs(t, err, policy.ErrInvalidDocument)

		_, err = k.policies.CancelPolicy(ctx, uuid.New(), id, policy.CancelPolicy{Reason: "  ", EffectiveOn: policy.MustParseDate("2025-06-01")})
		assert.ErrorIs(t, err, policy.ErrInvalidCancellation)
		res, err = k.policies.CancelPolicy(ctx, uuid.New(), id, policy.CancelPolicy{Reason: "sold the car", EffectiveOn: policy.MustParseDate("2025-06-01")})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		s := k.policy(t, id)
		assert.True(t, s.Cancelled)
		assert.Equal(t, policy.MustParseDate("2025-06-01"), s.CancelledOn)

		_, err = k.policies.RecordPayment(ctx, uuid.New(), id, policy.RecordPayment{PaymentRef: "late", Amount: money.MustParse("100")})
		assert.ErrorIs(t, err, policy.ErrPolicyCancelled)
		_, err = k.policies.AttachDocument(ctx, uuid.New(), id, policy.AttachDocument{Kind: policy.DocumentAddendum, BlobRef: "blob/cancel.pdf", SHA256: strings.Repeat("b2", 32)})
		assert.NoError(t, err, "a cancelled policy still takes its cancellation notice")
		assert.Equal(t, []string{policy.TypeIssued, policy.TypeDocumentAttached, policy.TypeCancelled, policy.TypeDocumentAttached},
			k.events(t, policy.Aggregate, id))
	})
}
