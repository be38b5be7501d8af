package routing

import (
	"fmt"

	"github.com/thebigfile/bigfile"
)

// Kind says which of a [Message]'s payload fields is set.
type Kind uint8

// The message kinds.
const (
	// KindRequest is a call from a cube, carried in Message.Request.
	KindRequest Kind = 1
	// KindResponse answers a call, carried in Message.Response.
	KindResponse Kind = 2
	// KindIngress is a user's call, carried in Message.Ingress with its id
	// in Message.ID. Ingress never travels in streams.
	KindIngress Kind = 3
)

// String returns "request", "response" or "ingress".
func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	case KindIngress:
		return "ingress"
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Message is one entry of an input queue or of a stream: a request, a
// response or (in input queues only) an ingress message. Only the field
// that Kind names is meaningful. Byte slices inside a Message are shared,
// never copied, by routing: treat them as read-only.
type Message struct {
	Kind     Kind
	Request  bigfile.Request
	Response bigfile.Response
	Ingress  bigfile.Ingress
	ID       bigfile.MessageID // the ingress message's request id
}

// RequestMessage wraps r as a [Message].
func RequestMessage(r bigfile.Request) Message { return Message{Kind: KindRequest, Request: r} }

// ResponseMessage wraps r as a [Message].
func ResponseMessage(r bigfile.Response) Message { return Message{Kind: KindResponse, Response: r} }

// payloadSize is the size that the message limits (Config.MaxRequestBytes
// and friends) apply to: method name plus argument for calls, reply or
// reject message for responses, as the Internet Computer counts payloads.
func (m *Message) payloadSize() int {
	switch m.Kind {
	case KindRequest:
		return len(m.Request.Method) + len(m.Request.Arg)
	case KindResponse:
		return len(m.Response.Reply) + len(m.Response.RejectMessage)
	case KindIngress:
		return len(m.Ingress.Method) + len(m.Ingress.Arg)
	}
	return 0
}

// receiver returns the principal whose input queue m goes to.
func (m *Message) receiver() bigfile.Principal {
	switch m.Kind {
	case KindRequest:
		return m.Request.Receiver
	case KindResponse:
		return m.Response.Originator.Principal()
	default:
		return m.Ingress.Receiver
	}
}

// rejectFor builds the reject response that answers request r with code and
// message, refunding all the request's cycles: the callee never saw them.
func rejectFor(r *bigfile.Request, code bigfile.RejectCode, msg string) bigfile.Response {
	return bigfile.Response{
		Originator:    r.Sender,
		Respondent:    r.Receiver,
		Callback:      r.Callback,
		Refund:        r.Cycles,
		Deadline:      r.Deadline,
		Reject:        code,
		RejectMessage: msg,
	}
}
