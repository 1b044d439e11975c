package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

// SignatureHeader is the header Meta signs every webhook POST with.
const SignatureHeader = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// VerifySignature checks header, the value of X-Hub-Signature-256 ("sha256=<hex>"), against the
// HMAC-SHA256 of body keyed with the app secret. body must be the raw request bytes: Meta signs
// its own escaped-unicode serialisation, which re-encoded JSON does not reproduce.
//
// It returns an *apperr.Error of kind Unauthorized when the header is missing, malformed or
// wrong, and when no app secret is configured.
func VerifySignature(header string, body, appSecret []byte) error {
	const op apperr.Op = "meta.VerifySignature"
	if len(appSecret) == 0 {
		return apperr.E(op, apperr.Unauthorized, "no app secret configured")
	}
	if header == "" {
		return apperr.E(op, apperr.Unauthorized, "missing "+SignatureHeader+" header")
	}
	hexSig, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return apperr.E(op, apperr.Unauthorized, SignatureHeader+" must start with sha256=")
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return apperr.E(op, apperr.Unauthorized, SignatureHeader+" is not a hex SHA-256 digest")
	}
	if !hmac.Equal(got, mac(body, appSecret)) {
		return apperr.E(op, apperr.Unauthorized, SignatureHeader+" does not match the body")
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value Meta would send for body: "sha256=<hex>". It is for
// tests and the local CLI that posts webhooks as Meta does.
func Sign(body, appSecret []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(body, appSecret))
}

func mac(body, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}
