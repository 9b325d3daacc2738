package sim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/protocol/whatsapp"
)

// TestWhatsAppBotTakesStatuses: the bot takes a statuses webhook (sent,
// delivered, read) once its signature checks out, counts it and answers
// 200 at once; a wrong signature is refused with 401, as for a message.
func TestWhatsAppBotTakesStatuses(t *testing.T) {
	t.Parallel()
	const secret = "fake-test-secret-1"
	s := New(Options{SlowPost: time.Hour, FailRate: 1}) // neither applies to statuses
	defer func() { _ = s.Close() }()
	s.SetWhatsApp(WhatsApp{GraphURL: "http://127.0.0.1:1", AccessToken: "fake-test-token-1", AppSecret: secret})
	biz := whatsapp.Business{AccountID: "102290129340398", PhoneNumberID: "106540352242922", DisplayPhone: "15550783881"}
	post := func(body []byte, sig string) int {
		req := httptest.NewRequest(http.MethodPost, WhatsAppPath, bytes.NewReader(body))
		req.Header.Set(SignatureHeader, sig)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, st := range []string{"sent", "delivered", "read"} {
		body := whatsapp.EncodeStatus(biz, whatsapp.Status{ID: whatsapp.NewMessageID(), Status: st, RecipientID: "5585991234567", At: time.Now()})
		if code := post(body, whatsapp.Sign(secret, body)); code != http.StatusOK {
			t.Errorf("%s: HTTP %d, want 200", st, code)
		}
	}
	body := whatsapp.EncodeStatus(biz, whatsapp.Status{ID: whatsapp.NewMessageID(), Status: "read", RecipientID: "5585991234567", At: time.Now()})
	if code := post(body, whatsapp.Sign("fake-test-secret-2", body)); code != http.StatusUnauthorized {
		t.Errorf("a status signed with another secret: HTTP %d, want 401", code)
	}
	if st := s.Stats(); st.Statuses != 3 || st.Invalid != 1 || st.Failed != 0 || st.Conversations != 0 {
		t.Errorf("stats %+v: want 3 statuses taken, 1 refused, no conversation", st)
	}
}
