// A TCP server that does not speak TLS, for the probe's connection
// failures.
//
// Usage: node raw-server.js MODE PORT [BANNER]
//   silent  accept and never send a byte
//   banner  send BANNER and a CRLF, then wait
//   reset   read the first bytes (the ClientHello), then reset the
//           connection (Node 16.17 and later)
//   http    serve plain HTTP/1.1
'use strict';

const http = require('http');
const net = require('net');

const [mode, port, banner] = process.argv.slice(2);

function handle(socket) {
  socket.on('error', () => {});
  switch (mode) {
    case 'silent':
      break;
    case 'banner':
      socket.write(`${banner}\r\n`);
      break;
    case 'reset':
      socket.once('data', () => socket.resetAndDestroy());
      break;
  }
}

let server;
if (mode === 'http') {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('plain http\n');
  });
} else if (['silent', 'banner', 'reset'].includes(mode)) {
  server = net.createServer(handle);
} else {
  console.error(`invalid mode ${JSON.stringify(mode)}: use silent, banner, reset or http`);
  process.exit(2);
}
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
