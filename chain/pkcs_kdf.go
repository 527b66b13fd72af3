package chain

import (
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MaxKDFIterations is the highest PBKDF2 or PKCS#12 iteration count the
// readers accept. Each file sets its own count: OpenSSL 3 writes 2048,
// and OWASP recommends 600,000 for PBKDF2-SHA256. A much larger count
// marks a damaged or hostile file that would keep the tool busy for
// minutes or more.
const MaxKDFIterations = 1_000_000

// MaxScryptMemory bounds the memory scrypt may use for an encrypted key
// (128 × N × r bytes).
const MaxScryptMemory = 256 << 20

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
)

// checkPKCS8Cost returns an error when an EncryptedPrivateKeyInfo (RFC
// 5958) requests more key derivation work than MaxKDFIterations or
// MaxScryptMemory allow. Structures it does not understand pass, and the
// decrypter rejects them.
func checkPKCS8Cost(der []byte) error {
	input := cryptobyte.String(der)
	var info, alg, pbes2, kdf, kdfParams cryptobyte.String
	var scheme, kdfOID asn1.ObjectIdentifier
	if !input.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&scheme) || !scheme.Equal(oidPBES2) ||
		!alg.ReadASN1(&pbes2, cbasn1.SEQUENCE) || !pbes2.ReadASN1(&kdf, cbasn1.SEQUENCE) ||
		!kdf.ReadASN1ObjectIdentifier(&kdfOID) || !kdf.ReadASN1(&kdfParams, cbasn1.SEQUENCE) ||
		!kdfParams.SkipASN1(cbasn1.OCTET_STRING) {
		return nil
	}
	switch {
	case kdfOID.Equal(oidPBKDF2):
		iterations := new(big.Int)
		if kdfParams.ReadASN1Integer(iterations) {
			return checkIterations("PBKDF2", iterations)
		}
	case kdfOID.Equal(oidScrypt):
		n, r := new(big.Int), new(big.Int)
		if kdfParams.ReadASN1Integer(n) && kdfParams.ReadASN1Integer(r) {
			memory := new(big.Int).Mul(big.NewInt(128), new(big.Int).Mul(n, r))
			if memory.Cmp(big.NewInt(MaxScryptMemory)) > 0 {
				return fmt.Errorf("the key's scrypt parameters (N=%s, r=%s) need more than %d MiB of memory", n, r, MaxScryptMemory>>20)
			}
		}
	}
	return nil
}

// checkPKCS12Cost returns an error when the MAC of a PFX (RFC 7292, 4)
// requests more than MaxKDFIterations iterations.
//
// NOTE: the iteration counts of the encrypted bags inside are checked by
// go-pkcs12 alone, which sets no limit; PKCS#12 files are therefore
// opened only from files the user names, never from downloads.
func checkPKCS12Cost(der []byte) error {
	input := cryptobyte.String(der)
	var pfx, mac cryptobyte.String
	if !input.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.SkipASN1(cbasn1.INTEGER) ||
		!pfx.SkipASN1(cbasn1.SEQUENCE) || !pfx.ReadASN1(&mac, cbasn1.SEQUENCE) ||
		!mac.SkipASN1(cbasn1.SEQUENCE) || !mac.SkipASN1(cbasn1.OCTET_STRING) {
		return nil
	}
	iterations := new(big.Int)
	if mac.ReadASN1Integer(iterations) {
		return checkIterations("PKCS#12 MAC", iterations)
	}
	return nil
}

func checkIterations(what string, iterations *big.Int) error {
	if iterations.Cmp(big.NewInt(MaxKDFIterations)) > 0 {
		return fmt.Errorf("the %s iteration count %s is above the limit of %d, so the file is damaged or built to keep readers busy", what, iterations, MaxKDFIterations)
	}
	return nil
}
