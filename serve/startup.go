package serve

import "github.com/mtlsdoctor/mtlsdoctor/report"

// StartupReport returns the checks of the configuration, their findings
// (those of Findings) and the certificates in force: the server
// certificate from --cert and each client CA with its --client-ca file.
// Its target is Addr, so a call after Listen names the bound port. After a
// successful Reload it describes the new files.
func (s *Server) StartupReport() *report.Report {
	state := s.state.Load()
	rep := &report.Report{Target: s.Addr(), Kind: "serve"}
	for _, c := range state.checks {
		rep.AddCheck(c.name, c.status, c.detail, c.findings...)
	}

	if state.serverCert != nil {
		info := report.Describe(state.serverCert)
		info.Note = "--cert " + s.cfg.CertFile
		rep.Certificates = append(rep.Certificates, info)
	}
	for i, ca := range state.clientCAs {
		info := report.Describe(ca)
		info.Note = "--client-ca " + state.clientCAFiles[i]
		rep.Certificates = append(rep.Certificates, info)
	}
	return rep
}
