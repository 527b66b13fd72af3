// Shared argument handling for the Node HTTPS test servers.
//
// Usage: node SCRIPT CERT KEY CA PORT [name=value ...]
// CERT, KEY and CA are PEM files ("-" for CA means none). PORT 0 lets the
// system pick a free port. Each name=value pair sets a tls.createServer
// option: minVersion, maxVersion, ciphers (strings), requestCert,
// rejectUnauthorized (true or false).
'use strict';

const fs = require('fs');

const stringOptions = ['minVersion', 'maxVersion', 'ciphers'];
const booleanOptions = ['requestCert', 'rejectUnauthorized'];

function parseServerArgs(argv, defaults) {
  if (argv.length < 4) {
    throw new Error('usage: node SCRIPT CERT KEY CA PORT [name=value ...]');
  }
  const [certPath, keyPath, caPath, port, ...pairs] = argv;
  const options = Object.assign({}, defaults, {
    cert: fs.readFileSync(certPath),
    key: fs.readFileSync(keyPath),
  });
  if (caPath !== '-') {
    options.ca = fs.readFileSync(caPath);
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (stringOptions.includes(name)) {
      options[name] = value;
    } else if (booleanOptions.includes(name) && (value === 'true' || value === 'false')) {
      options[name] = value === 'true';
    } else {
      throw new Error(`invalid option ${JSON.stringify(pair)}: use ${stringOptions.concat(booleanOptions).join(', ')}`);
    }
  }
  return { options, port: Number(port) };
}

// listen starts server on 127.0.0.1 and prints "listening PORT", the line
// the Go test helpers wait for.
function listen(server, port) {
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening ${server.address().port}`);
  });
}

// webhookResponse is a minimal Dialogflow ES WebhookResponse.
const webhookResponse = JSON.stringify({ fulfillmentText: 'ok from node' });

module.exports = { parseServerArgs, listen, webhookResponse };
