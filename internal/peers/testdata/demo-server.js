// A webhook server in the shape of the platform's Node.js mTLS sample: it
// requests a client certificate but lets every client in
// (rejectUnauthorized: false), logs a missing or failed certificate, and
// responds 200 either way. It is the server the probe must not call safe.
//
// Usage: node demo-server.js CERT KEY CA PORT [name=value ...]
'use strict';

const https = require('https');
const { parseServerArgs, listen, webhookResponse } = require('./tlsoptions.js');

const { options, port } = parseServerArgs(process.argv.slice(2), {
  requestCert: true,
  rejectUnauthorized: false,
});

const server = https.createServer(options, (req, res) => {
  const socket = req.socket;
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.subject) {
    console.log('request without a client certificate');
  } else if (!socket.authorized) {
    console.log(`client certificate ${peer.subject.CN} failed verification: ${socket.authorizationError}`);
  } else {
    console.log(`client certificate ${peer.subject.CN} verified`);
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(webhookResponse);
});
server.on('tlsClientError', (err) => console.log(`tls client error: ${err.message}`));
listen(server, port);
