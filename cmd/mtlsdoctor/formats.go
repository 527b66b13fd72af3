package main

// The file formats that certificate and key flags accept, for their usage
// text. chain detects each by content, and also reads base64 DER.
const (
	certFormats = "PEM, DER, PKCS#7 or PKCS#12"
	keyFormats  = "PEM, DER or PKCS#12"
	// sourceFormats are those of bundle --source, which opens no PKCS#12
	// file, because a PKCS#12 file sets the cost of opening it.
	sourceFormats = "PEM, DER or PKCS#7"
)
