package chain

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/smallstep/pkcs7"
	"github.com/youmark/pkcs8"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// rawCertificate is the outer structure of an X.509 certificate, for
// tests that rewrite the TBS part and sign it again.
type rawCertificate struct {
	TBS       asn1.RawValue
	Algorithm asn1.RawValue
	Signature asn1.BitString
}

// resign rewrites the TBS fields of cert with edit and signs the result
// with issuer's ECDSA key, giving DER that crypto/x509 refuses to create.
func resign(t *testing.T, cert *x509.Certificate, issuer *fixtures.Cert, edit func(fields []asn1.RawValue) []asn1.RawValue) []byte {
	t.Helper()
	var outer rawCertificate
	if _, err := asn1.Unmarshal(cert.Raw, &outer); err != nil {
		t.Fatalf("unmarshal certificate: %v", err)
	}
	var fields []asn1.RawValue
	for rest := outer.TBS.Bytes; len(rest) > 0; {
		var field asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &field); err != nil {
			t.Fatalf("unmarshal TBS field: %v", err)
		}
		fields = append(fields, field)
	}
	fields = edit(fields)
	var body []byte
	for _, f := range fields {
		body = append(body, f.FullBytes...)
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	key, ok := issuer.Key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("issuer key is %T, want ECDSA", issuer.Key)
	}
	digest := sha256.Sum256(tbs)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(rawCertificate{
		TBS:       asn1.RawValue{FullBytes: tbs},
		Algorithm: outer.Algorithm,
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// negativeSerialDER returns a certificate like cert with serial -1.
func negativeSerialDER(t *testing.T, cert *x509.Certificate, issuer *fixtures.Cert) []byte {
	return resign(t, cert, issuer, func(fields []asn1.RawValue) []asn1.RawValue {
		serial, _ := asn1.Marshal(big.NewInt(-1))
		fields[1] = asn1.RawValue{FullBytes: serial} // fields[0] is the [0] version
		return fields
	})
}

// duplicateExtensionDER returns a certificate like cert whose first
// extension appears twice.
func duplicateExtensionDER(t *testing.T, cert *x509.Certificate, issuer *fixtures.Cert) []byte {
	return resign(t, cert, issuer, func(fields []asn1.RawValue) []asn1.RawValue {
		last := fields[len(fields)-1] // [3] EXPLICIT Extensions
		var exts asn1.RawValue
		if _, err := asn1.Unmarshal(last.Bytes, &exts); err != nil {
			t.Fatalf("unmarshal extensions: %v", err)
		}
		var first asn1.RawValue
		if _, err := asn1.Unmarshal(exts.Bytes, &first); err != nil {
			t.Fatalf("unmarshal extension: %v", err)
		}
		seq, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: append(append([]byte{}, exts.Bytes...), first.FullBytes...)})
		if err != nil {
			t.Fatal(err)
		}
		wrapped, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: seq})
		if err != nil {
			t.Fatal(err)
		}
		fields[len(fields)-1] = asn1.RawValue{FullBytes: wrapped}
		return fields
	})
}

// explicitP256 spells out the P-256 curve as SEC 1 ECParameters, the
// form openssl ecparam -param_enc explicit writes.
type ecParameters struct {
	Version  int
	FieldID  fieldID
	Curve    curve
	Base     []byte
	Order    *big.Int
	Cofactor int
}

type fieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     *big.Int
}

type curve struct {
	A []byte
	B []byte
}

func explicitP256() ecParameters {
	params := elliptic.P256().Params()
	a := new(big.Int).Sub(params.P, big.NewInt(3))
	// The base point in uncompressed form: 0x04, then X and Y.
	base := append([]byte{4}, params.Gx.FillBytes(make([]byte, 32))...)
	base = append(base, params.Gy.FillBytes(make([]byte, 32))...)
	return ecParameters{
		Version:  1,
		FieldID:  fieldID{FieldType: asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}, Prime: params.P},
		Curve:    curve{A: a.FillBytes(make([]byte, 32)), B: params.B.FillBytes(make([]byte, 32))},
		Base:     base,
		Order:    params.N,
		Cofactor: 1,
	}
}

// explicitECKeys returns a P-256 key with explicit parameters as SEC1 and
// as PKCS#8 DER.
func explicitECKeys(t *testing.T) (sec1, pkcs8DER []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	params, err := asn1.Marshal(explicitP256())
	if err != nil {
		t.Fatal(err)
	}
	private, err := key.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	type ecPrivateKey struct {
		Version    int
		PrivateKey []byte
		Parameters asn1.RawValue `asn1:"optional"`
	}
	// The [0] wrapper is spelled out: Marshal writes a RawValue as it is.
	wrapped := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: params}
	sec1, err = asn1.Marshal(ecPrivateKey{Version: 1, PrivateKey: private, Parameters: wrapped})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := asn1.Marshal(ecPrivateKey{Version: 1, PrivateKey: private})
	if err != nil {
		t.Fatal(err)
	}
	type algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue
	}
	type privateKeyInfo struct {
		Version    int
		Algorithm  algorithm
		PrivateKey []byte
	}
	pkcs8DER, err = asn1.Marshal(privateKeyInfo{
		Algorithm:  algorithm{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		PrivateKey: inner,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sec1, pkcs8DER
}

// encryptedPKCS8PEM encrypts key with PBES2 (AES-256-CBC, PBKDF2), as
// openssl pkcs8 -topk8 does by default.
func encryptedPKCS8PEM(t *testing.T, key crypto.Signer, password string) []byte {
	t.Helper()
	der, err := pkcs8.MarshalPrivateKey(key, []byte(password), nil)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})
}

// legacyEncryptedPEM encrypts key in OpenSSL's traditional format.
func legacyEncryptedPEM(t *testing.T, key *ecdsa.PrivateKey, password string) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the test needs the legacy format the reader must accept
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte(password), x509.PEMCipherAES128) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

// degeneratePKCS7 wraps the DER certificates in a certs-only PKCS#7
// SignedData, the form of .p7b files.
func degeneratePKCS7(t *testing.T, ders ...[]byte) []byte {
	t.Helper()
	var all []byte
	for _, der := range ders {
		all = append(all, der...)
	}
	p7, err := pkcs7.DegenerateCertificate(all)
	if err != nil {
		t.Fatal(err)
	}
	return p7
}

// costlyPKCS8 builds an EncryptedPrivateKeyInfo whose PBES2 key
// derivation requests cost (the PBKDF2 iteration count or the scrypt N)
// and, for scrypt, block size r. Its encrypted data is junk: the readers
// must refuse it before decrypting.
func costlyPKCS8(t *testing.T, kdf asn1.ObjectIdentifier, cost, r int) []byte {
	t.Helper()
	type algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue
	}
	var kdfParams []byte
	var err error
	if kdf.Equal(oidScrypt) {
		kdfParams, err = asn1.Marshal(struct {
			Salt    []byte
			N, R, P int
		}{[]byte("saltsalt"), cost, r, 1})
	} else {
		kdfParams, err = asn1.Marshal(struct {
			Salt       []byte
			Iterations int
		}{[]byte("saltsalt"), cost})
	}
	if err != nil {
		t.Fatal(err)
	}
	iv, _ := asn1.Marshal(make([]byte, 16))
	pbes2, err := asn1.Marshal(struct {
		KDF    algorithm
		Scheme algorithm
	}{
		algorithm{kdf, asn1.RawValue{FullBytes: kdfParams}},
		algorithm{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, asn1.RawValue{FullBytes: iv}},
	})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		Algorithm algorithm
		Data      []byte
	}{algorithm{oidPBES2, asn1.RawValue{FullBytes: pbes2}}, make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// costlyPKCS12 builds a PFX whose MAC requests iterations.
func costlyPKCS12(t *testing.T, iterations int) []byte {
	t.Helper()
	content, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
		Bytes: []byte{0x04, 0x02, 0x30, 0x00}})
	if err != nil {
		t.Fatal(err)
	}
	type digestInfo struct {
		Algorithm struct{ Algorithm asn1.ObjectIdentifier }
		Digest    []byte
	}
	sha1Digest := digestInfo{Digest: make([]byte, 20)}
	sha1Digest.Algorithm.Algorithm = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	der, err := asn1.Marshal(struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue
		}
		MacData struct {
			Mac        digestInfo
			Salt       []byte
			Iterations int
		}
	}{
		Version: 3,
		AuthSafe: struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue
		}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}, asn1.RawValue{FullBytes: content}},
		MacData: struct {
			Mac        digestInfo
			Salt       []byte
			Iterations int
		}{sha1Digest, []byte("saltsalt"), iterations},
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}
