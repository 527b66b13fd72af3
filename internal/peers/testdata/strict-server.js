// A webhook server that enforces mutual TLS: it requests a client
// certificate and ends the connection unless the certificate verifies
// against CA (requestCert: true, rejectUnauthorized: true).
//
// Usage: node strict-server.js CERT KEY CA PORT [name=value ...]
'use strict';

const https = require('https');
const { parseServerArgs, listen, webhookResponse } = require('./tlsoptions.js');

const { options, port } = parseServerArgs(process.argv.slice(2), {
  requestCert: true,
  rejectUnauthorized: true,
});

const server = https.createServer(options, (req, res) => {
  const peer = req.socket.getPeerCertificate();
  console.log(`client certificate ${peer && peer.subject ? peer.subject.CN : '(none)'} verified`);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(webhookResponse);
});
server.on('tlsClientError', (err) => console.log(`tls client error: ${err.code || ''} ${err.message}`));
listen(server, port);
