package native

import (
	"context"
	"net/http"

	"switchboard/internal/cdr"
)

// CDRView is the native representation of a call detail record.
type CDRView struct {
	ID             ID     `json:"id"`
	CallHash       string `json:"call_hash"`
	AccountID      ID     `json:"account_id"`
	SubaccountID   ID     `json:"subaccount_id"`
	Direction      string `json:"direction"`
	RoutingType    string `json:"routing_type"`
	SrcNumber      string `json:"src_number"`
	SrcPeerID      ID     `json:"src_peer_id"`
	DstNumber      string `json:"dst_number"`
	DstPeerID      ID     `json:"dst_peer_id"`
	CallerIDName   string `json:"callerid_name"`
	CallerIDNumber string `json:"callerid_number"`
	StartedAt      Time   `json:"started_at"`
	AnsweredAt     Time   `json:"answered_at"`
	EndedAt        Time   `json:"ended_at"`
	Duration       int    `json:"duration" doc:"Seconds from the INVITE to the end"`
	Billsec        int    `json:"billsec" doc:"Answered seconds"`
	Disposition    string `json:"disposition" enum:"answered,busy,failed,no_answer,cancelled,denied,invalid,unknown"`
	SIPCode        int    `json:"sip_code"`
	FailureReason  string `json:"failure_reason"`
	SrcUserAgent   string `json:"src_user_agent"`
	DstUserAgent   string `json:"dst_user_agent"`
	Node           int64  `json:"node" doc:"The node that handled the call"`
}

func cdrView(c cdr.CDR) CDRView {
	return CDRView{
		ID: ID(c.ID), CallHash: c.CallHash, AccountID: ID(c.AccountID), SubaccountID: ID(c.SubaccountID),
		Direction: c.Direction, RoutingType: c.RoutingType, SrcNumber: c.SrcNumber, SrcPeerID: ID(c.SrcPeerID),
		DstNumber: c.DstNumber, DstPeerID: ID(c.DstPeerID), CallerIDName: c.CallerIDName, CallerIDNumber: c.CallerIDNumber,
		StartedAt: Time(c.StartedAt), AnsweredAt: Time(c.AnsweredAt), EndedAt: Time(c.EndedAt), Duration: c.Duration,
		Billsec: c.Billsec, Disposition: c.Disposition, SIPCode: c.SIPCode, FailureReason: c.FailureReason,
		SrcUserAgent: c.SrcUserAgent, DstUserAgent: c.DstUserAgent, Node: c.Node,
	}
}

func (a *API) registerCDRs() {
	if a.cfg.CDRs == nil {
		return
	}
	const tag = "CDRs"
	cdrs := a.cfg.CDRs
	register(a, op{id: "list-cdrs", method: http.MethodGet, path: "/api/cdrs", summary: "List call detail records (newest first)", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[CDRView] }, error) {
			items, n, err := cdrs.List(ctx, who(ctx), cdr.Filter{}, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, cdrView), nil
		})
	register(a, op{id: "get-cdr", method: http.MethodGet, path: "/api/cdrs/{id}", summary: "Get a call detail record", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body CDRView }, error) {
			n, err := decodeID(in.ID, "cdr")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			c, err := cdrs.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body CDRView }{Body: cdrView(c)}, nil
		})
}
