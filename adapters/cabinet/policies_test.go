package cabinet_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestPoliciesOfTheSessionsClientOnly(t *testing.T) {
	eachDatabase(t, testPoliciesOfTheSessionsClientOnly)
}

func testPoliciesOfTheSessionsClientOnly(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := context.Background()
	alice, bob := k.Client(t), k.Client(t)
	active := k.Policy(t, alice, cabinettest.PolicyOptions{})
	k.Policy(t, alice, cabinettest.PolicyOptions{Installments: 3})
	other := k.Policy(t, bob, cabinettest.PolicyOptions{})

	resp, err := k.Call(ctx, "ListPolicies", alice.Session, &cabinet.ListPoliciesRequest{})
	require.NoError(t, err)
	list := resp.(*cabinet.ListPoliciesResponse)
	assert.Equal(t, cabinet.PolicyCounts{All: 2, Active: 2, Installments: 1}, list.Counts)
	require.Len(t, list.Policies, 2)

	resp, err = k.Call(ctx, "ListPolicies", alice.Session, &cabinet.ListPoliciesRequest{Bucket: "installments"})
	require.NoError(t, err)
	inst := resp.(*cabinet.ListPoliciesResponse)
	require.Len(t, inst.Policies, 1)
	require.NotNil(t, inst.Policies[0].NextInstallment)
	assert.Equal(t, cabinet.Money("12000.00"), inst.Policies[0].NextInstallment.Amount)

	resp, err = k.Call(ctx, "GetPolicy", alice.Session, &cabinet.GetPolicyRequest{PolicyID: active.ID.String()})
	require.NoError(t, err)
	got := resp.(*cabinet.GetPolicyResponse).Policy
	assert.Equal(t, active.Number, got.Summary.Number)
	assert.Equal(t, cabinet.Money("36000.00"), got.Summary.Paid)
	require.Len(t, got.Drivers, 1)
	assert.Equal(t, "0.90", got.Drivers[0].KBM.Coefficient)

	_, err = k.Call(ctx, "GetPolicy", alice.Session, &cabinet.GetPolicyRequest{PolicyID: other.ID.String()})
	e, _ := cabinet.ErrorOf(err)
	assert.Equal(t, cabinet.CodeNotFound, e.Code, "another client's policy reads as not found")

	_, err = k.Call(ctx, "ListPolicies", alice.Session, &cabinet.ListPoliciesRequest{Bucket: "soon"})
	e, _ = cabinet.ErrorOf(err)
	assert.Equal(t, cabinet.CodeInvalidArgument, e.Code)
	assert.Equal(t, "bucket", e.Field)

	resp, err = k.Call(ctx, "GetPolicyDocument", alice.Session, &cabinet.GetPolicyDocumentRequest{PolicyID: active.ID.String()})
	require.NoError(t, err)
	doc := resp.(*cabinet.GetPolicyDocumentResponse)
	assert.Equal(t, "kabinet", doc.Source)
	assert.Equal(t, "%PDF", string(doc.Content[:4]))

	k.KIAS.SetPrintForm(active.KIASContractID, []byte("%PDF-1.4 from KIAS"))
	resp, err = k.Call(ctx, "GetPolicyDocument", alice.Session, &cabinet.GetPolicyDocumentRequest{PolicyID: active.ID.String()})
	require.NoError(t, err)
	assert.Equal(t, "kias", resp.(*cabinet.GetPolicyDocumentResponse).Source)
}
