package chain

import (
	"crypto"
	"crypto/x509"
	"fmt"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// OrderFindings flags a file whose blocks are not leaf first, each
// followed by its issuer, the order TLS 1.2 requires (RFC 5246, section
// 7.4.2). It finds a leaf after a CA certificate, blocks in reverse order
// and a block whose issuer is elsewhere in the file.
func OrderFindings(certs []*x509.Certificate) []report.Finding {
	return orderFindings(certs, nil)
}

// orderFindings is OrderFindings with the leaf's private key, when known,
// so that a key that matches a later block names that block as the leaf.
func orderFindings(certs []*x509.Certificate, key crypto.Signer) []report.Finding {
	if leaf, why := findLeaf(certs, key); leaf > 0 {
		return []report.Finding{report.Newf(report.CodeIncompleteChain,
			fmt.Sprintf("the leaf is block %d, not block 1", leaf+1),
			"%s; servers such as nginx and Go take the first block as their own certificate, and TLS 1.2 requires the leaf first (RFC 5246, section 7.4.2)", why).
			WithFix(fmt.Sprintf("Put the leaf (block %d, %s) first, then each certificate's issuer.", leaf+1, describeName(certs[leaf])))}
	}
	for i := 0; i+1 < len(certs); i++ {
		if certs[i].CheckSignatureFrom(certs[i+1]) == nil {
			continue
		}
		for j := range certs {
			if j != i && certs[i].CheckSignatureFrom(certs[j]) == nil {
				return []report.Finding{report.Newf(report.CodeIncompleteChain,
					"the certificates are out of order",
					"block %d (%s) is signed by block %d (%s), not by the block after it",
					i+1, certs[i].Subject, j+1, certs[j].Subject).
					WithFix("Put the leaf first, then each certificate's issuer.")}
			}
		}
	}
	return nil
}

// findLeaf returns the index of the block that is the leaf and, when it
// is not block 1, why. It trusts, strongest first, the block that key
// matches, then a certificate that is not a CA after a first block that
// is. Last, when the first block signed others, as in a file in reverse
// order, the leaf is the block at the end of that signing path.
func findLeaf(certs []*x509.Certificate, key crypto.Signer) (int, string) {
	if key != nil {
		for i, c := range certs {
			if KeyMatches(c, key) {
				if i == 0 {
					return 0, ""
				}
				return i, fmt.Sprintf("the private key matches block %d (%s), not block 1 (%s)",
					i+1, describeName(c), describeName(certs[0]))
			}
		}
	}
	if len(certs) < 2 {
		return 0, ""
	}
	if certs[0].IsCA {
		for i, c := range certs[1:] {
			if !c.IsCA {
				return i + 1, fmt.Sprintf("block 1 (%s) is a CA certificate, and block %d (%s) is not, so block %d is the leaf",
					describeName(certs[0]), i+2, describeName(c), i+2)
			}
		}
	}
	bottom := 0
	seen := map[int]bool{0: true}
	for {
		child := childIndex(certs, bottom, seen)
		if child < 0 {
			break
		}
		bottom = child
		seen[child] = true
	}
	if bottom == 0 {
		return 0, ""
	}
	return bottom, fmt.Sprintf("block 1 (%s) signed a block after it, so the blocks are in reverse order, and the last one it leads to, block %d (%s), is the leaf",
		describeName(certs[0]), bottom+1, describeName(certs[bottom]))
}

// childIndex returns the index of a block not in seen that certs[parent]
// signed, or -1.
func childIndex(certs []*x509.Certificate, parent int, seen map[int]bool) int {
	for i, c := range certs {
		if !seen[i] && !c.Equal(certs[parent]) && signedBy(c, certs[parent]) {
			return i
		}
	}
	return -1
}

// blockLabels names the role of each block of a certificate file whose
// leaf is block leaf, for the certificate table of a report.
func blockLabels(certs []*x509.Certificate, leaf int) []string {
	labels := make([]string, len(certs))
	for i, c := range certs {
		switch {
		case leaf == 0:
			labels[i] = Position(i, c)
		case i == leaf:
			labels[i] = "leaf, out of order"
		case isSelfIssuedCA(c):
			labels[i] = "root"
		case c.IsCA:
			labels[i] = "intermediate"
		default:
			labels[i] = "not a CA"
		}
	}
	return labels
}

// orderDetail is the detail of the chain order check.
func orderDetail(certs []*x509.Certificate, leaf int) string {
	switch {
	case leaf > 0:
		return fmt.Sprintf("leaf at block %d of %d", leaf+1, len(certs))
	case len(certs) == 1:
		return "leaf only"
	}
	return fmt.Sprintf("leaf and %d more", len(certs)-1)
}
