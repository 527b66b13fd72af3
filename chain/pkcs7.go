package chain

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// decodePKCS7 returns the certificates of a PKCS#7 (RFC 2315) or CMS
// SignedData structure, the form of .p7b and .p7c files and of many AIA
// downloads. index and blockType name the block in messages.
func decodePKCS7(der []byte, index int, blockType string) ([]*x509.Certificate, []*BlockError) {
	p7, err := pkcs7.Parse(der)
	if err == nil {
		if len(p7.Certificates) == 0 {
			return nil, []*BlockError{{Index: index, Type: blockType,
				Err: errors.New("the PKCS#7 data contains no certificates"),
				Fix: "Ask the CA for the certificate chain; a PKCS#7 file that only signs data has none."}}
		}
		return p7.Certificates, nil
	}

	// The library parses the certificate set all or nothing, so when it
	// fails, parse the certificates one by one and keep the good ones.
	set, ok := pkcs7CertificateSet(der)
	if !ok {
		reason := fmt.Errorf("the PKCS#7 data cannot be parsed: %w", err)
		if errors.Is(err, pkcs7.ErrUnsupportedContentType) {
			reason = errors.New("the PKCS#7 data is not SignedData, so it contains no certificates")
		}
		return nil, []*BlockError{{Index: index, Type: blockType, Err: reason,
			Fix: "Download or copy FILE again; openssl pkcs7 -in FILE -print_certs shows what it contains."}}
	}
	var certs []*x509.Certificate
	var problems []*BlockError
	for n := 1; !set.Empty(); n++ {
		var element cryptobyte.String
		var tag cbasn1.Tag
		if !set.ReadAnyASN1Element(&element, &tag) {
			problems = append(problems, &BlockError{Index: index, Type: fmt.Sprintf("%s certificate %d", blockType, n),
				Err: errors.New("the certificate set is damaged"), Fix: "Download or copy FILE again."})
			break
		}
		if tag != cbasn1.SEQUENCE {
			continue // another CertificateChoices form, such as an attribute certificate
		}
		cert, err := x509.ParseCertificate(element)
		if err != nil {
			problems = append(problems, certificateError(index, fmt.Sprintf("%s certificate %d", blockType, n), err))
			continue
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 && len(problems) == 0 {
		problems = append(problems, &BlockError{Index: index, Type: blockType,
			Err: errors.New("the PKCS#7 data contains no certificates"),
			Fix: "Ask the CA for the certificate chain; a PKCS#7 file that only signs data has none."})
	}
	return certs, problems
}

// pkcs7CertificateSet returns the contents of the certificates field of a
// DER ContentInfo holding SignedData (RFC 5652, 5.1):
//
//	ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
//	SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE,
//	                          certificates [0] IMPLICIT CertificateSet OPTIONAL, ... }
func pkcs7CertificateSet(der []byte) (cryptobyte.String, bool) {
	input := cryptobyte.String(der)
	var contentInfo, content, signedData, set cryptobyte.String
	var version int64
	ok := input.ReadASN1(&contentInfo, cbasn1.SEQUENCE) &&
		contentInfo.SkipASN1(cbasn1.OBJECT_IDENTIFIER) &&
		contentInfo.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) &&
		content.ReadASN1(&signedData, cbasn1.SEQUENCE) &&
		signedData.ReadASN1Integer(&version) &&
		signedData.SkipASN1(cbasn1.SET) &&
		signedData.SkipASN1(cbasn1.SEQUENCE) &&
		signedData.ReadASN1(&set, cbasn1.Tag(0).Constructed().ContextSpecific())
	return set, ok
}
