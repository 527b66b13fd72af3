// Shared argument handling for the Node HTTPS test servers.
//
// Usage: node SCRIPT CERT KEY CA PORT [name=value ...]
// CERT, KEY and CA are PEM files ("-" for CA means none). PORT 0 lets the
// system pick a free port. Each name=value pair sets a tls.createServer
// option: minVersion, maxVersion, ciphers (strings), requestCert,
// rejectUnauthorized (true or false). sniOnly=NAME adds an SNICallback
// that keeps the certificate for the server name NAME and calls back with
// an error for any other name; Node 20 then closes the connection without
// an alert. Node calls no SNICallback for a ClientHello without a name.
'use strict';

const fs = require('fs');

const stringOptions = ['minVersion', 'maxVersion', 'ciphers'];
const booleanOptions = ['requestCert', 'rejectUnauthorized'];
const callbackOptions = ['sniOnly'];

// sniOnly returns an SNICallback that accepts one server name, expected.
// Calling back without a context keeps the server's own certificate.
function sniOnly(expected) {
  return (servername, callback) => {
    if (servername === expected) {
      callback(null);
      return;
    }
    callback(new Error(`no certificate for server name ${JSON.stringify(servername)}`));
  };
}

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
    } else if (name === 'sniOnly' && value !== '') {
      options.SNICallback = sniOnly(value);
    } else {
      const names = stringOptions.concat(booleanOptions, callbackOptions);
      throw new Error(`invalid option ${JSON.stringify(pair)}: use ${names.join(', ')}`);
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
