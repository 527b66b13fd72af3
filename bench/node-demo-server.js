// A webhook server in the shape of the platform's Node.js mTLS demo: an
// https server that requests a client certificate and does not end the
// handshake when the certificate fails verification
// (rejectUnauthorized: false). The request handler checks
// req.socket.authorized instead. bench/handshakes.sh runs it both this
// way and with rejectUnauthorized: true (the "strict" argument).
//
//   node node-demo-server.js PORT DIR [strict]
//
// DIR contains the files of mtlsdoctor gen. The server listens on 127.0.0.1
// only and prints "listening" when it is ready.
'use strict';

const fs = require('fs');
const https = require('https');
const path = require('path');

const [port, dir, mode] = process.argv.slice(2);
if (!port || !dir) {
  console.error('usage: node node-demo-server.js PORT DIR [strict]');
  process.exit(2);
}

const options = {
  key: fs.readFileSync(path.join(dir, 'server-key.pem')),
  cert: fs.readFileSync(path.join(dir, 'server-crt.pem')),
  ca: fs.readFileSync(path.join(dir, 'test-ca-crt.pem')),
  requestCert: true,
  rejectUnauthorized: mode === 'strict',
};

https.createServer(options, (req, res) => {
  if (!req.socket.authorized) {
    res.writeHead(401, { 'Content-Type': 'text/plain' });
    res.end('client certificate not authorized: ' + req.socket.authorizationError + '\n');
    return;
  }
  const cert = req.socket.getPeerCertificate();
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('hello ' + cert.subject.CN + '\n');
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
