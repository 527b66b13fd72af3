package chain

import (
	"crypto/x509"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// derKind is the kind of a DER object, judged by its ASN.1 shape.
type derKind int

const (
	derUnknown      derKind = iota
	derCertificate          // SEQUENCE { SEQUENCE tbs, SEQUENCE alg, BIT STRING }
	derPKCS7                // ContentInfo: SEQUENCE { OID, [0] content }
	derPKCS12               // PFX: SEQUENCE { INTEGER 3, ContentInfo, ... }
	derPrivateKey           // PKCS#1, SEC1 or PKCS#8: SEQUENCE { INTEGER 0 or 1, ... }
	derEncryptedKey         // EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE alg, OCTET STRING }
)

// classifyDER looks at the first two elements inside the outer SEQUENCE.
// It does not validate anything; the parser for the kind does.
func classifyDER(der []byte) derKind {
	input := cryptobyte.String(der)
	var outer cryptobyte.String
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) {
		if len(der) > 1 && der[1] == 0x80 {
			// BER with indefinite lengths, as some Windows tools write
			// PKCS#7 files; the PKCS#7 parser converts it.
			return derPKCS7
		}
		return derUnknown
	}
	var first cryptobyte.String
	var tag cbasn1.Tag
	if !outer.ReadAnyASN1(&first, &tag) {
		return derUnknown
	}
	switch tag {
	case cbasn1.OBJECT_IDENTIFIER:
		return derPKCS7
	case cbasn1.INTEGER:
		if len(first) == 1 && first[0] == 3 && outer.PeekASN1Tag(cbasn1.SEQUENCE) {
			return derPKCS12
		}
		return derPrivateKey
	case cbasn1.SEQUENCE:
		if outer.PeekASN1Tag(cbasn1.OCTET_STRING) {
			return derEncryptedKey
		}
		return derCertificate
	}
	return derUnknown
}

// decodeDERCertificates parses one or more concatenated DER certificates
// one by one, so a bad one costs only itself. Trailing whitespace, such as
// a final newline, is ignored.
func decodeDERCertificates(der []byte) ([]*x509.Certificate, []*BlockError) {
	var certs []*x509.Certificate
	var problems []*BlockError
	input := cryptobyte.String(der)
	for index := 1; !input.Empty() && !allSpace(input); index++ {
		var element cryptobyte.String
		if !input.ReadASN1Element(&element, cbasn1.SEQUENCE) {
			problems = append(problems, &BlockError{Index: index, Type: "DER",
				Err: errors.New("the DER data is damaged or cut off: it is not an ASN.1 SEQUENCE of the length it declares"),
				Fix: "Download or copy FILE again; a DER file must be copied as binary, never as text."})
			break
		}
		cert, err := x509.ParseCertificate(element)
		if err != nil {
			problems = append(problems, certificateError(index, "DER", err))
			continue
		}
		certs = append(certs, cert)
	}
	return certs, problems
}

func allSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// firstElement returns the first ASN.1 element of der, or der itself when
// it does not parse.
func firstElement(der []byte) []byte {
	input := cryptobyte.String(der)
	var element cryptobyte.String
	var tag cbasn1.Tag
	if !input.ReadAnyASN1Element(&element, &tag) {
		return der
	}
	return element
}
