package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// signature is how callbacks must be signed: the hex HMAC-SHA256 of the raw
// body under secret, in header, optionally prefixed "sha256=" (as
// X-Hub-Signature-256 carries it).
type signature struct {
	header string
	secret []byte
}

// RequireSignature makes every callback carry the HMAC-SHA256 of its raw
// body under secret in header (e.g. X-Hub-Signature-256: sha256=<hex>): an
// unsigned or wrongly signed callback is answered 401, counted in
// Refused.Signature and never delivered. The comparison takes constant
// time. Call it before handing out URLs; an empty secret turns it off.
func (r *Receiver) RequireSignature(header, secret string) {
	if secret == "" {
		r.signature.Store(nil)
		return
	}
	r.signature.Store(&signature{header: http.CanonicalHeaderKey(header), secret: []byte(secret)})
}

// verify reports whether req's body is signed as required; true when no
// signature is required.
func (r *Receiver) verify(req *http.Request, body []byte) bool {
	s := r.signature.Load()
	if s == nil {
		return true
	}
	got := strings.TrimSpace(req.Header.Get(s.header))
	got = strings.TrimPrefix(got, "sha256=")
	sum, err := hex.DecodeString(got)
	if err != nil || len(sum) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(body)
	return hmac.Equal(sum, mac.Sum(nil))
}
