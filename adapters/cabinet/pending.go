package cabinet

import "context"

// Operations not yet carried out answer CodeInternal.

func (s *Service) GetPersonalData(ctx context.Context, c Caller, req *GetPersonalDataRequest) (*GetPersonalDataResponse, error) {
	return nil, failure(CodeInternal, "GetPersonalData is not available")
}

func (s *Service) UpdatePersonalData(ctx context.Context, c Caller, req *UpdatePersonalDataRequest) (*UpdatePersonalDataResponse, error) {
	return nil, failure(CodeInternal, "UpdatePersonalData is not available")
}

func (s *Service) UploadDocumentScan(ctx context.Context, c Caller, req *UploadDocumentScanRequest) (*UploadDocumentScanResponse, error) {
	return nil, failure(CodeInternal, "UploadDocumentScan is not available")
}

func (s *Service) ListDocumentScans(ctx context.Context, c Caller, req *ListDocumentScansRequest) (*ListDocumentScansResponse, error) {
	return nil, failure(CodeInternal, "ListDocumentScans is not available")
}

func (s *Service) GetDocumentScan(ctx context.Context, c Caller, req *GetDocumentScanRequest) (*GetDocumentScanResponse, error) {
	return nil, failure(CodeInternal, "GetDocumentScan is not available")
}

func (s *Service) GetSettings(ctx context.Context, c Caller, req *GetSettingsRequest) (*GetSettingsResponse, error) {
	return nil, failure(CodeInternal, "GetSettings is not available")
}

func (s *Service) UpdateSettings(ctx context.Context, c Caller, req *UpdateSettingsRequest) (*UpdateSettingsResponse, error) {
	return nil, failure(CodeInternal, "UpdateSettings is not available")
}

func (s *Service) ListClaims(ctx context.Context, c Caller, req *ListClaimsRequest) (*ListClaimsResponse, error) {
	return nil, failure(CodeInternal, "ListClaims is not available")
}

func (s *Service) GetClaim(ctx context.Context, c Caller, req *GetClaimRequest) (*GetClaimResponse, error) {
	return nil, failure(CodeInternal, "GetClaim is not available")
}

func (s *Service) GetBonusAccount(ctx context.Context, c Caller, req *GetBonusAccountRequest) (*GetBonusAccountResponse, error) {
	return nil, failure(CodeInternal, "GetBonusAccount is not available")
}

func (s *Service) SpendBonus(ctx context.Context, c Caller, req *SpendBonusRequest) (*SpendBonusResponse, error) {
	return nil, failure(CodeInternal, "SpendBonus is not available")
}

func (s *Service) ListNotifications(ctx context.Context, c Caller, req *ListNotificationsRequest) (*ListNotificationsResponse, error) {
	return nil, failure(CodeInternal, "ListNotifications is not available")
}

func (s *Service) MarkNotificationRead(ctx context.Context, c Caller, req *MarkNotificationReadRequest) (*MarkNotificationReadResponse, error) {
	return nil, failure(CodeInternal, "MarkNotificationRead is not available")
}

func (s *Service) IssuePolicy(ctx context.Context, c Caller, req *IssuePolicyRequest) (*IssuePolicyResponse, error) {
	return nil, failure(CodeInternal, "IssuePolicy is not available")
}

func (s *Service) RecordPayment(ctx context.Context, c Caller, req *RecordPaymentRequest) (*RecordPaymentResponse, error) {
	return nil, failure(CodeInternal, "RecordPayment is not available")
}

func (s *Service) ReportClaim(ctx context.Context, c Caller, req *ReportClaimRequest) (*ReportClaimResponse, error) {
	return nil, failure(CodeInternal, "ReportClaim is not available")
}

func (s *Service) ChangeClaimStatus(ctx context.Context, c Caller, req *ChangeClaimStatusRequest) (*ChangeClaimStatusResponse, error) {
	return nil, failure(CodeInternal, "ChangeClaimStatus is not available")
}

func (s *Service) RequestClaimDocuments(ctx context.Context, c Caller, req *RequestClaimDocumentsRequest) (*RequestClaimDocumentsResponse, error) {
	return nil, failure(CodeInternal, "RequestClaimDocuments is not available")
}

func (s *Service) ReceiveClaimDocument(ctx context.Context, c Caller, req *ReceiveClaimDocumentRequest) (*ReceiveClaimDocumentResponse, error) {
	return nil, failure(CodeInternal, "ReceiveClaimDocument is not available")
}
