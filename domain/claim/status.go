package claim

// Status is the settlement stage of a claim, as KIAS reports it.
type Status string

// The stages; their strings are part of the event wire format.
const (
	StatusReported           Status = "reported"
	StatusDocumentsRequested Status = "documents_requested"
	StatusDocumentsComplete  Status = "documents_complete"
	StatusAppraisal          Status = "appraisal"
	StatusPayoutDecision     Status = "payout_decision"
	StatusPaid               Status = "paid"
	StatusRefused            Status = "refused"
	StatusWithdrawn          Status = "withdrawn"
)

// What the client sees, from ClientFacing.
const (
	ClientInSettlement = "in_settlement"
	ClientSettled      = "settled"
)

// next lists the stages each open stage may move to; withdrawn comes last.
var next = map[Status][]Status{
	StatusReported:           {StatusDocumentsRequested, StatusWithdrawn},
	StatusDocumentsRequested: {StatusDocumentsComplete, StatusWithdrawn},
	StatusDocumentsComplete:  {StatusDocumentsRequested, StatusAppraisal, StatusWithdrawn},
	StatusAppraisal:          {StatusPayoutDecision, StatusDocumentsRequested, StatusWithdrawn},
	StatusPayoutDecision:     {StatusPaid, StatusRefused, StatusDocumentsRequested, StatusWithdrawn},
}

// Valid reports whether s is one of the known stages.
func (s Status) Valid() bool {
	_, open := next[s]
	return open || s.Terminal()
}

// Terminal reports whether nothing can follow s.
func (s Status) Terminal() bool {
	return s == StatusPaid || s == StatusRefused || s == StatusWithdrawn
}

// ClientFacing is the status the cabinet shows: "settled" once the claim is
// closed, "in_settlement" before.
func (s Status) ClientFacing() string {
	if s.Terminal() {
		return ClientSettled
	}
	return ClientInSettlement
}

// CanTransition reports whether a claim may move from one stage to another.
func CanTransition(from, to Status) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}
